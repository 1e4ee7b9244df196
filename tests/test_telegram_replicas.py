"""Several replicas on one PostgreSQL database (``QUOTEBOT_DATABASE_URL``) behave as one bot.

Each "replica" here is its own store, inbox or limiter object with its own connection, as two
processes would have; the server is a real PostgreSQL the suite starts (``postgres_server``),
and these tests skip, saying why, where it is not installed. Settings checks need no server.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import TypeVar

import psycopg
import pytest

from bot.settings import SettingsError, load_telegram_settings
from bot.telegram.database import Database, redact_url
from bot.telegram.database_state import open_state
from bot.telegram.dispatch import Dispatcher
from bot.telegram.inbox import DONE, PENDING, InboxError
from bot.telegram.pg_inbox import PgInbox
from bot.telegram.pg_limits import open_pg_limiters
from bot.telegram.pg_store import PgStore
from bot.telegram.store import ABSTENTIONS, QUESTIONS, Issued, StoreError
from bot.telegram.webhook import WebhookServer
from embeddings.search import Searcher
from tests.bot_harness import ALICE, CUSTODY, answers_to, run, running_bot
from tests.cli_runner import one_line_error, run_main

TOKEN = "123456:" + "A" * 35
T = TypeVar("T")


def update(update_id: int, text: str = "hello") -> dict[str, object]:
    return {"update_id": update_id, "message": {"text": text}}


def all_at_once(calls: list[Callable[[], T]]) -> list[T]:
    """Run every call in its own thread, released together, and return their results."""
    barrier = threading.Barrier(len(calls))
    results: list[T | None] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(n: int) -> None:
        barrier.wait()
        try:
            results[n] = calls[n]()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return [result for result in results if result is not None]


@pytest.fixture
def two_stores(database_url: str) -> Iterator[tuple[PgStore, PgStore]]:
    a, b = PgStore.open(database_url), PgStore.open(database_url)
    yield a, b
    a.close()
    b.close()


def test_replicas_see_each_others_feedback_and_statistics(
    two_stores: tuple[PgStore, PgStore],
) -> None:
    a, b = two_stores
    a.increment(QUESTIONS)
    b.increment(QUESTIONS)
    b.increment(ABSTENTIONS)
    a.issue_answer("tok12345", 7, "Why?")
    assert b.issued_answer("tok12345") == Issued("tok12345", 7, "Why?")  # a press on B counts
    assert a.record_vote(7, "tok12345", up=True, question="Why?", quotes=["doc#3"])
    assert not b.record_vote(7, "tok12345", up=True)  # the same tap again, on the other one
    assert b.record_vote(7, "tok12345", up=False)  # a change of mind
    assert b.record_vote(8, "tok12345", up=True)
    for store in (a, b):
        stats = store.stats()
        assert (stats.questions, stats.abstentions, stats.errors) == (2, 1, 0)
        assert (stats.thumbs_up, stats.thumbs_down) == (1, 1)


def test_counters_written_by_two_replicas_at_once_lose_nothing(
    two_stores: tuple[PgStore, PgStore],
) -> None:
    def count(store: PgStore) -> Callable[[], int]:
        def work() -> int:
            for _ in range(50):
                store.increment(QUESTIONS)
            return 50

        return work

    done = all_at_once([count(store) for store in two_stores for _ in range(3)])
    assert two_stores[0].stats().questions == sum(done) == 300


def test_the_same_vote_on_two_replicas_at_once_is_one_change(
    two_stores: tuple[PgStore, PgStore],
) -> None:
    a, b = two_stores
    a.issue_answer("tok12345", 7, "Why?")
    changed = all_at_once(
        [partial(store.record_vote, 7, "tok12345", up=True) for store in (a, b) * 4]
    )
    assert changed.count(True) == 1
    assert a.stats().thumbs_up == 1


def test_a_user_who_used_the_quota_on_one_replica_is_limited_on_the_other(
    database_url: str,
) -> None:
    now = [1000.0]
    make_a, database_a = open_pg_limiters(database_url, clock=lambda: now[0])
    make_b, database_b = open_pg_limiters(database_url, clock=lambda: now[0])
    a, b = make_a("questions", 3, 60.0), make_b("questions", 3, 60.0)
    assert all(a.check(42).allowed for _ in range(3))
    refused = b.check(42)
    assert not refused.allowed and refused.first_refusal
    assert refused.retry_after == pytest.approx(60.0)
    assert not a.check(42).first_refusal  # B already warned this user
    assert b.check(43).allowed  # another user is not affected
    assert make_b("inline", 3, 60.0).check(42).allowed  # nor another kind of request
    now[0] += 60.0
    assert a.check(42).allowed
    database_a.close()
    database_b.close()


def test_concurrent_requests_of_one_user_never_exceed_the_quota(database_url: str) -> None:
    factories = [open_pg_limiters(database_url) for _ in range(2)]
    limiters = [make("questions", 5, 60.0) for make, _ in factories]
    verdicts = all_at_once([partial(limiters[n % 2].check, 7) for n in range(12)])
    assert sum(verdict.allowed for verdict in verdicts) == 5
    for _, database in factories:
        database.close()


def test_limit_checks_of_many_users_at_once_use_a_bounded_number_of_connections(
    database_url: str,
) -> None:
    """A few connections, so that one user's waiting check does not hold up the others'
    (``test_telegram_slow_database``), and never more, so that replicas fit in
    ``max_connections``."""
    make, database = open_pg_limiters(database_url, connections=3)
    limiter = make("questions", 5, 60.0)
    verdicts = all_at_once([partial(limiter.check, n % 10) for n in range(40)])
    assert sum(verdict.allowed for verdict in verdicts) == 40  # 4 per user, within the 5
    with psycopg.connect(database_url, autocommit=True) as admin:
        row = admin.execute(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = 'quotebot-limits'"
        ).fetchone()
    assert row is not None and 1 <= row[0] <= 3
    database.close()


@pytest.fixture
def two_inboxes(database_url: str) -> Iterator[tuple[PgInbox, PgInbox]]:
    a, b = PgInbox.open(database_url), PgInbox.open(database_url)
    yield a, b
    a.close()
    b.close()


def test_an_update_delivered_to_two_replicas_is_answered_by_one(
    two_inboxes: tuple[PgInbox, PgInbox],
) -> None:
    a, b = two_inboxes
    ids = range(1, 101)
    recorded = all_at_once(
        [partial(inbox.record, [update(n) for n in ids]) for inbox in (a, b) * 2]
    )
    new = [item.update_id for batch in recorded for item in batch]
    assert sorted(new) == list(ids)  # every update once, none twice
    assert a.next_offset() == b.next_offset() == 101


def test_updates_left_by_a_stopped_replica_are_taken_over_once(database_url: str) -> None:
    stopped = PgInbox.open(database_url)
    stopped.record([update(n) for n in range(1, 41)])
    stopped.finish(1)
    stopped.close()  # SIGTERM with answers still pending
    b, c = PgInbox.open(database_url), PgInbox.open(database_url)
    taken = all_at_once([b.pending, c.pending])
    ids = [item.update_id for batch in taken for item in batch]
    assert sorted(ids) == list(range(2, 41))
    for n in ids:
        (b if n % 2 else c).finish(n)
    assert b.count(DONE) == 40 and c.count(PENDING) == 0
    b.close()
    c.close()


def test_updates_of_a_replica_that_died_are_taken_over_and_a_live_ones_are_not(
    database_url: str,
) -> None:
    alive, dying = PgInbox.open(database_url), PgInbox.open(database_url)
    alive.record([update(1)])
    dying.record([update(2), update(3)])
    other = PgInbox.open(database_url)
    assert other.orphaned() == []  # both replicas are answering their own
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute(  # the process is killed: its connection goes away, nothing is released
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            ("quotebot-inbox:" + dying.replica,),
        )
        gone = admin.execute(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = %s",
            ("quotebot-inbox:" + dying.replica,),
        )
        for _ in range(200):  # the server ends the backend asynchronously
            row = gone.fetchone()
            if row is not None and row[0] == 0:
                break
            threading.Event().wait(0.05)
            gone = admin.execute(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = %s",
                ("quotebot-inbox:" + dying.replica,),
            )
    assert [item.update_id for item in other.orphaned()] == [2, 3]
    assert other.orphaned() == []  # now claimed by a live replica
    alive.close()
    other.close()


def test_a_newer_schema_is_refused_with_one_line(database_url: str) -> None:
    PgStore.open(database_url).close()
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute("UPDATE quotebot_schema SET version = 99 WHERE component = 'store'")
    with pytest.raises(StoreError, match=r"newer quotebot \(schema 99") as error:
        PgStore.open(database_url)
    assert "\n" not in str(error.value)


def test_an_unreachable_database_is_one_line_without_the_password(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as error:
        open_state(
            data_dir=tmp_path,
            database_url="postgresql://bot:s3cret-pass@127.0.0.1:1/quotebot",
            store_questions=True,
        )
    message = str(error.value)
    assert "s3cret-pass" not in message and "\n" not in message
    assert "postgresql://bot:***@127.0.0.1:1/quotebot" in message
    with pytest.raises(InboxError):
        PgInbox.open("postgresql://bot:s3cret-pass@127.0.0.1:1/quotebot")


def test_with_questions_off_no_question_text_stays_in_the_database(
    database_url: str, tmp_path: Path
) -> None:
    state = open_state(
        data_dir=tmp_path,
        database_url=database_url,
        store_questions=False,
    )
    state.store.issue_answer("tok12345", 7, "my private question")
    state.store.record_vote(7, "tok12345", up=True, question="my private question")
    [received] = state.inbox.record([update(5, "my private question")])
    state.inbox.finish(received.update_id)
    with psycopg.connect(database_url) as admin:
        rows = [
            str(row)
            for table in ("quotebot_feedback", "quotebot_issued_answers", "quotebot_updates")
            for row in admin.execute(f"SELECT * FROM {table}").fetchall()
        ]
    assert rows and not any("my private question" in row for row in rows)
    state.close()


def test_retention_deletes_old_feedback_and_issued_answers(database_url: str) -> None:
    store = PgStore.open(database_url)
    store.issue_answer("tok12345", 7, "q")
    store.record_vote(7, "tok12345", up=True, question="q")
    assert store.delete_older_than(1) == 0
    with psycopg.connect(database_url, autocommit=True) as admin:  # a test cannot wait a day
        admin.execute("UPDATE quotebot_feedback SET updated_at = now() - interval '2 days'")
        admin.execute("UPDATE quotebot_issued_answers SET created_at = now() - interval '2 days'")
    assert store.delete_older_than(1) == 2
    assert store.issued_answer("tok12345") is None
    store.close()


def test_a_connection_the_server_ended_costs_no_call(database_url: str) -> None:
    """Ended while idle (a restart, a failover, an administrator): noticed before use, and the
    call connects afresh (tests/test_telegram_database_recovery.py restarts the server)."""
    store = PgStore.open(database_url)
    store.increment(QUESTIONS)
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = 'quotebot-store'"
        )
        for _ in range(200):  # the server ends the backend asynchronously
            row = admin.execute(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = 'quotebot-store'"
            ).fetchone()
            if row is not None and row[0] == 0:
                break
            threading.Event().wait(0.05)
    store.increment(QUESTIONS)
    assert store.stats().questions == 2
    store.close()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("mysql://u:pw@db/quotebot", "must be a postgresql:// URL"),
        ("postgresql:///quotebot", "names no host"),
        ("postgresql://u:pw@db:port/quotebot", "is not a URL"),
    ],
)
def test_a_bad_database_url_is_one_line_naming_the_variable(value: str, message: str) -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "QUOTEBOT_DATABASE_URL": value}
    with pytest.raises(SettingsError, match=message) as error:
        load_telegram_settings(env)
    assert "QUOTEBOT_DATABASE_URL" in str(error.value) and "pw" not in str(error.value)


def test_the_database_url_is_read_and_kept_out_of_repr() -> None:
    url = "postgresql://quotebot:s3cret@db:5432/quotebot"
    settings = load_telegram_settings(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "QUOTEBOT_DATABASE_URL": f" {url} "}
    )
    assert settings.database_url == url
    assert "s3cret" not in repr(settings)
    assert load_telegram_settings({"TELEGRAM_BOT_TOKEN": TOKEN}).database_url is None
    assert redact_url(url) == "postgresql://quotebot:***@db:5432/quotebot"
    assert "s3cret" not in repr(Database(url))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysql://bot:s3cret-pass@db/quotebot", "QUOTEBOT_DATABASE_URL must be a postgresql://"),
        (
            "postgresql://bot:s3cret-pass@127.0.0.1:1/quotebot",
            "cannot connect to the database postgresql://bot:***@127.0.0.1:1/quotebot",
        ),
    ],
    ids=["not-postgresql", "unreachable"],
)
def test_quotebot_run_with_a_bad_database_is_one_line_and_a_failure(
    capsys: pytest.CaptureFixture[str],
    isolated_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    url: str,
    expected: str,
) -> None:
    """Found before the index is opened (the corpus here is empty), never with the password."""
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("QUOTEBOT_CORPUS", str(tmp_path / "empty"))
    monkeypatch.setenv("QUOTEBOT_DATABASE_URL", url)
    code, _, err = run_main(capsys, "run")
    line = one_line_error(err)
    assert code != 0 and expected in line and "s3cret-pass" not in err


def test_replicas_need_one_shared_webhook_secret(
    capsys: pytest.CaptureFixture[str],
    isolated_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("QUOTEBOT_DATABASE_URL", "postgresql://bot@db/quotebot")
    monkeypatch.setenv("QUOTEBOT_WEBHOOK_URL", "https://bot.example/hook")
    code, _, err = run_main(capsys, "run")
    assert code != 0 and "QUOTEBOT_WEBHOOK_SECRET must be set" in one_line_error(err)


def test_an_update_the_database_cannot_record_is_refused_so_telegram_retries(
    database_url: str, fake_searcher: Searcher, tmp_path: Path
) -> None:
    """Not recorded means not confirmed: 503, and the next delivery (database back) is
    answered."""
    inbox = PgInbox.open(database_url)

    async def scenario() -> None:
        async with running_bot(fake_searcher, tmp_path) as bot:
            dispatcher = Dispatcher(bot.app, inbox, concurrency=2)
            server = WebhookServer(inbox, dispatcher, "hook", "s3cret")
            await server.start("127.0.0.1", 0)
            body = json.dumps(bot.updates.private(ALICE, CUSTODY)).encode()
            head = (
                f"POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n"
                "X-Telegram-Bot-Api-Secret-Token: s3cret\r\n\r\n"
            ).encode()

            async def deliver() -> int:
                reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
                writer.write(head + body)
                await writer.drain()
                status = await reader.readline()
                writer.close()
                return int(status.split()[1])

            try:
                with psycopg.connect(database_url, autocommit=True) as admin:
                    admin.execute("ALTER TABLE quotebot_updates RENAME TO quotebot_away")
                    assert await deliver() == 503
                    admin.execute("ALTER TABLE quotebot_away RENAME TO quotebot_updates")
                assert await deliver() == 200
                await bot.api.wait_until(lambda: bool(answers_to(bot, ALICE)))
                await dispatcher.drain(5.0)
            finally:
                await server.close()
            assert len(answers_to(bot, ALICE)) == 1

    run(scenario)
    inbox.close()
