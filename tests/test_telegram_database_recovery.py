"""PostgreSQL restarts, locks held for good and secrets in the URL, as a replica meets them.

A replica keeps connections open between questions (the inbox, the feedback store, the per-user
limits). A restart of the server ends them all while they sit idle; the first question after
it must be answered as any other, not with "Sorry, something went wrong". A lock that nobody
releases must fail the calls that wait for it with an error, not hold the connection for good.
And a password may be given in the userinfo or as ``?password=``: neither may reach a log line
or an error. Real PostgreSQL (``postgres_server``, restarted here for real; skipped, saying
why, where it is not installed), the real application over the fake Bot API.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from functools import partial
from pathlib import Path

import psycopg
import pytest

from bot.settings import SettingsError, load_telegram_settings
from bot.telegram import database, messages
from bot.telegram.database import redact_url, scrub, url_secrets
from bot.telegram.inbox import DONE, PENDING
from bot.telegram.pg_limits import open_pg_limiters
from bot.telegram.pg_store import PgStore
from bot.telegram.state_threads import inbox_call
from bot.telegram.store import QUESTIONS, StoreError
from embeddings.search import Searcher
from tests.bot_harness import ALICE, BOB, CUSTODY, run
from tests.cli_runner import one_line_error, run_main
from tests.fake_bot_api import Updates
from tests.postgres_server import PostgresServer
from tests.test_telegram_replicas import TOKEN, all_at_once
from tests.test_telegram_slow_database import answers_to, replica, sent_to, table_locked


def sessions(database_url: str, application_name: str) -> int:
    """How many sessions named ``application_name`` the server has now."""
    with psycopg.connect(database_url, autocommit=True) as admin:
        row = admin.execute(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = %s",
            (application_name,),
        ).fetchone()
    return 0 if row is None else int(row[0])


def test_after_the_database_restarts_the_first_question_is_answered(
    postgres_server: PostgresServer,
    database_url: str,
    fake_searcher: Searcher,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Every part of the state (inbox, store, limits) held a connection the restart ended; the
    next question is recorded, checked, answered, counted and marked done, with no error."""
    updates = Updates()

    async def scenario() -> None:
        async with replica(database_url, fake_searcher, tmp_path) as (api, state, dispatch):
            alice = updates.private(ALICE, CUSTODY)
            dispatch.accept(await inbox_call(state.inbox.record, [alice]))
            await api.wait_until(lambda: bool(answers_to(api, ALICE)))
            assert await dispatch.drain(20.0) == 0
            await asyncio.to_thread(postgres_server.restart)
            dispatch.accept(await inbox_call(state.inbox.record, [updates.private(BOB, CUSTODY)]))
            await api.wait_until(lambda: bool(sent_to(api, BOB)))
            assert await dispatch.drain(20.0) == 0
            assert messages.SOMETHING_WRONG not in sent_to(api, BOB)
            assert len(answers_to(api, BOB)) == 1 == len(sent_to(api, BOB))
            stats = await asyncio.to_thread(state.store.stats)
            assert (stats.questions, stats.errors) == (2, 0)
            assert state.inbox.count(PENDING) == 0 and state.inbox.count(DONE) == 2

    with caplog.at_level(logging.WARNING):
        run(scenario)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


def test_after_a_database_restart_no_limit_check_fails_on_any_pooled_connection(
    database_url: str,
) -> None:
    make, limits = open_pg_limiters(database_url, connections=3)
    limiter = make("questions", 100, 60.0)
    for _ in range(50):  # checks at once until all three connections are open
        all_at_once([partial(limiter.check, n) for n in range(3)])
        if sessions(database_url, "quotebot-limits") == 3:
            break
    assert sessions(database_url, "quotebot-limits") == 3
    with psycopg.connect(database_url, autocommit=True) as admin:  # as a restart does
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = 'quotebot-limits'"
        )
    for _ in range(200):  # the server ends the backends asynchronously
        if sessions(database_url, "quotebot-limits") == 0:
            break
        threading.Event().wait(0.05)
    assert all(all_at_once([partial(limiter.check, n) for n in range(3)]))
    assert all(limiter.check(n).allowed for n in range(3))
    limits.close()


def test_a_lock_nobody_releases_fails_the_call_with_an_error_and_frees_the_connection(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a lock_timeout the call would wait as long as the other session holds the lock
    (for ever, for a forgotten transaction), and its connection with it."""
    monkeypatch.setattr(database, "LOCK_TIMEOUT", 0.5)
    store = PgStore.open(database_url)
    with table_locked(database_url, "quotebot_counters"):
        with pytest.raises(StoreError, match="lock timeout") as error:
            store.increment(QUESTIONS)
        assert "\n" not in str(error.value)
    store.increment(QUESTIONS)  # the same store, once the lock is gone
    assert store.stats().questions == 1
    store.close()


def test_a_timeout_the_database_or_role_sets_is_kept(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute(f"ALTER DATABASE \"{name}\" SET lock_timeout = '7s'")
    store = PgStore.open(database_url)
    with store._database.connection() as connection:
        row = connection.execute(
            "SELECT current_setting('lock_timeout'), current_setting('statement_timeout')"
        ).fetchone()
    assert row == ("7s", "1min")
    store.close()


SECRET = "s3cret-pass"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            f"postgresql://bot@127.0.0.1:1/quotebot?password={SECRET}",
            "postgresql://bot@127.0.0.1:1/quotebot?password=***",
        ),
        (
            f"postgresql:///quotebot?host=127.0.0.1&port=1&user=bot&password={SECRET}",
            "postgresql:///quotebot?host=127.0.0.1&port=1&user=bot&password=***",
        ),
        (
            f"postgres://bot:{SECRET}@127.0.0.1:1/quotebot?sslmode=disable&sslpassword={SECRET}",
            "postgres://bot:***@127.0.0.1:1/quotebot?sslmode=disable&sslpassword=***",
        ),
    ],
    ids=["password-parameter", "all-parameters", "postgres-scheme-and-sslpassword"],
)
def test_a_password_given_anywhere_in_the_url_never_reaches_a_log_or_an_error(
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    isolated_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    url: str,
    shown: str,
) -> None:
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("QUOTEBOT_CORPUS", str(tmp_path / "empty"))
    monkeypatch.setenv("QUOTEBOT_DATABASE_URL", url)
    with caplog.at_level(logging.DEBUG):
        code, out, err = run_main(capsys, "run")
    line = one_line_error(err)
    assert code != 0 and f"cannot connect to the database {shown}" in line, line
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert f"bot state in PostgreSQL at {shown}" in logged, logged
    assert SECRET not in out + err + logged + caplog.text


@pytest.mark.parametrize(
    "password", ["pa@ss-word", "pa/ss-word", "pa#ss-word", "pa?ss-word"], ids=["@", "/", "#", "?"]
)
def test_an_unencoded_special_character_in_the_password_is_named_and_never_echoed(
    password: str,
) -> None:
    url = f"postgresql://quotebot:{password}@127.0.0.1:5432/quotebot"
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "QUOTEBOT_DATABASE_URL": url}
    with pytest.raises(SettingsError) as error:
        load_telegram_settings(env)
    message = str(error.value)
    assert "percent-encoded" in message and "%40" in message, message
    assert "bad port" not in message
    for piece in ("pa", "ss-word", "quotebot:"):
        assert piece not in message.replace("password", "").replace("percent", ""), message
    assert "ss-word" not in redact_url(url) and redact_url(url).startswith("postgresql://***@")


def test_a_percent_encoded_password_is_accepted_and_redacted() -> None:
    url = "postgresql://quotebot:pa%40ss%2Fw%23rd@127.0.0.1:5432/quotebot"
    settings = load_telegram_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "QUOTEBOT_DATABASE_URL": url})
    assert settings.database_url == url
    assert redact_url(url) == "postgresql://quotebot:***@127.0.0.1:5432/quotebot"
    assert "pa@ss/w#rd" in url_secrets(url)  # decoded too, as libpq would quote it


def test_the_drivers_error_never_quotes_a_piece_of_the_password() -> None:
    """libpq ends the userinfo at the first '@': the rest of such a password reads as a host,
    and its error quotes it (``failed to resolve host 'ss-word@127.0.0.1'``)."""
    url = "postgresql://quotebot:pa@ss-word@127.0.0.1:5432/quotebot"
    with pytest.raises(psycopg.OperationalError) as error:
        psycopg.connect(url, connect_timeout=2)
    assert "ss-word" in str(error.value)  # what the driver says
    assert "ss-word" not in scrub(str(error.value), url)


def test_postgres_scheme_is_accepted_and_other_schemes_name_both() -> None:
    url = "postgres://quotebot@db:5432/quotebot"
    settings = load_telegram_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "QUOTEBOT_DATABASE_URL": url})
    assert settings.database_url == url
    with pytest.raises(SettingsError, match="postgres:// works too"):
        load_telegram_settings(
            {"TELEGRAM_BOT_TOKEN": TOKEN, "QUOTEBOT_DATABASE_URL": "mysql://db/quotebot"}
        )


def test_a_locked_counter_table_does_not_delay_the_answer(
    database_url: str, fake_searcher: Searcher, tmp_path: Path
) -> None:
    """The answer's own row (its buttons are checked against it) is written before the reply;
    the count waits for the lock after the user has the answer, and is not lost."""
    updates = Updates()

    async def scenario() -> None:
        async with replica(database_url, fake_searcher, tmp_path) as (api, state, dispatch):
            with table_locked(database_url, "quotebot_counters"):
                dispatch.accept(
                    await inbox_call(state.inbox.record, [updates.private(ALICE, CUSTODY)])
                )
                await api.wait_until(lambda: bool(answers_to(api, ALICE)))
                assert state.inbox.count(PENDING) == 1  # the count still waits
            assert await dispatch.drain(20.0) == 0
            assert (await asyncio.to_thread(state.store.stats)).questions == 1
            assert state.inbox.count(DONE) == 1

    run(scenario)
