"""A slow database delays only the update that waits for it, not every other chat.

With PostgreSQL, a per-user limit check, the recording of an update and the marking of an
answered one are round trips to the server; made on the event loop, one that waits (a lock held
by another session, a server under load) would stop the whole bot, and made in asyncio's shared
thread pool, a few that wait would leave no thread to search in. Here a real lock (``LOCK TABLE
... IN ACCESS EXCLUSIVE MODE``, or one user's advisory lock, held by a second connection) makes
one update wait in the database, and the test checks the order of events: another chat is
answered while it waits, and the waiting update is answered (or marked done) once the lock is
gone. A mark that fails is tried again before the update is left pending. Real PostgreSQL
(``postgres_server``; skipped, saying why, where it is not installed), the real application over
the fake Bot API.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import psycopg
import pytest

from bot.cli.render import FRAME
from bot.settings import Settings, TelegramSettings
from bot.telegram import webhook
from bot.telegram.app import build_application
from bot.telegram.database_state import BotState, open_state
from bot.telegram.dispatch import Dispatcher
from bot.telegram.inbox import DONE, PENDING, InboxError
from bot.telegram.pg_inbox import PgInbox
from bot.telegram.state_threads import inbox_call
from bot.telegram.webhook import WebhookServer
from embeddings.search import Searcher
from tests.bot_harness import ALICE, BOB, CUSTODY, EXAMPLES, run
from tests.conftest import CORPUS
from tests.fake_bot_api import TOKEN, FakeBotAPI, Updates

# Only a safety net: if the bot blocked its event loop on the lock (the bug under test), the
# lock is let go after this long so that the test fails instead of hanging.
SAFETY_RELEASE = 30.0
# The test's own probes of the server run here, never in the pool under test.
_PROBES = ThreadPoolExecutor(1, thread_name_prefix="test-probe")


@asynccontextmanager
async def replica(
    database_url: str, searcher: Searcher, tmp_path: Path, state: BotState | None = None
) -> AsyncIterator[tuple[FakeBotAPI, BotState, Dispatcher]]:
    """One replica as ``quotebot run`` wires it: all its state in PostgreSQL (``state``, or
    opened here)."""
    telegram = TelegramSettings(token=TOKEN, admin_ids=frozenset(), examples=EXAMPLES)
    settings = Settings(corpus_dir=CORPUS, data_dir=tmp_path, model="hashing", telegram=telegram)
    state = state or open_state(tmp_path, database_url, store_questions=True)
    api = FakeBotAPI()
    environment = mock.patch.dict(os.environ, {"PTB_TIMEDELTA": "1"})
    environment.start()
    app = build_application(
        settings,
        searcher,
        state.store,
        request=api,
        get_updates_request=api,
        limiters=state.limiters,
    )
    await app.initialize()
    dispatcher = Dispatcher(app, state.inbox, concurrency=4)
    try:
        yield api, state, dispatcher
    finally:
        await dispatcher.drain(5.0)
        await app.shutdown()
        state.close()
        environment.stop()


@contextmanager
def table_locked(database_url: str, table: str) -> Iterator[threading.Event]:
    """``table`` locked by another session until the block ends (or the safety net)."""
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        with psycopg.connect(database_url) as connection, connection.transaction():
            connection.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
            locked.set()
            release.wait(SAFETY_RELEASE)

    holder = threading.Thread(target=hold)
    holder.start()
    assert locked.wait(SAFETY_RELEASE)
    try:
        yield release
    finally:
        release.set()
        holder.join()


def waiting_on_a_lock(database_url: str, application_name: str) -> bool:
    """Whether a session named ``application_name`` (a LIKE pattern) waits on a lock now."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE application_name LIKE %s AND wait_event_type = 'Lock'",
            (application_name,),
        ).fetchone()
    return row is not None and int(str(row[0])) > 0


async def until(condition_in_thread: Callable[..., bool], *args: object) -> None:
    """Poll a blocking condition from a worker thread of the test's own until it holds (at
    most 20 s)."""
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(20.0):
        while not await loop.run_in_executor(_PROBES, condition_in_thread, *args):
            await asyncio.sleep(0.02)


def sent_to(api: FakeBotAPI, chat_id: int) -> list[str]:
    """The texts of the messages sent to ``chat_id``."""
    return [call.text for call in api.calls_to("sendMessage") if call.params["chat_id"] == chat_id]


def answers_to(api: FakeBotAPI, chat_id: int) -> list[str]:
    """The answers (quotes or a decline, not a usage hint) sent to ``chat_id``."""
    return [text for text in sent_to(api, chat_id) if text.startswith(FRAME)]


def test_a_limit_check_waiting_on_the_database_does_not_hold_up_another_chat(
    database_url: str, fake_searcher: Searcher, tmp_path: Path
) -> None:
    updates = Updates()

    async def scenario() -> None:
        async with replica(database_url, fake_searcher, tmp_path) as (api, state, dispatch):
            question, help_ = updates.private(ALICE, CUSTODY), updates.private(BOB, "/help")
            with table_locked(database_url, "quotebot_rate_hits") as release:
                dispatch.accept(await asyncio.to_thread(state.inbox.record, [question]))
                await until(waiting_on_a_lock, database_url, "quotebot-limits")
                # Alice's check waits in the database; Bob's /help needs no check.
                dispatch.accept(await asyncio.to_thread(state.inbox.record, [help_]))
                await api.wait_until(lambda: bool(sent_to(api, BOB)))
                assert answers_to(api, ALICE) == []
                assert await asyncio.to_thread(waiting_on_a_lock, database_url, "quotebot-limits")
                release.set()
            await api.wait_until(lambda: bool(answers_to(api, ALICE)))
            await dispatch.drain(5.0)
            assert len(answers_to(api, ALICE)) == 1 and len(sent_to(api, BOB)) == 1
            assert state.inbox.count(PENDING) == 0 and state.inbox.count(DONE) == 2

    run(scenario)


def test_a_limit_check_waiting_on_one_users_lock_does_not_hold_up_another_users_question(
    database_url: str, fake_searcher: Searcher, tmp_path: Path
) -> None:
    """Checks share a few connections, not one: Bob's check goes on over another connection
    while Alice's waits for her user's lock (held here by another session, as a replica in the
    middle of checking her would)."""
    updates = Updates()

    async def scenario() -> None:
        async with replica(database_url, fake_searcher, tmp_path) as (api, state, dispatch):
            alice, bob = updates.private(ALICE, CUSTODY), updates.private(BOB, CUSTODY)
            with psycopg.connect(database_url, autocommit=True) as other_session:
                other_session.execute(
                    "SELECT pg_advisory_lock(hashtextextended(%s, 0))",
                    (f"quotebot-rate:questions:{ALICE}",),
                )
                dispatch.accept(await asyncio.to_thread(state.inbox.record, [alice]))
                await until(waiting_on_a_lock, database_url, "quotebot-limits")
                dispatch.accept(await asyncio.to_thread(state.inbox.record, [bob]))
                await api.wait_until(lambda: bool(answers_to(api, BOB)))
                assert answers_to(api, ALICE) == []
                assert await asyncio.to_thread(waiting_on_a_lock, database_url, "quotebot-limits")
            # The other session ended: its lock is gone, and Alice's check goes on.
            await api.wait_until(lambda: bool(answers_to(api, ALICE)))
            await dispatch.drain(5.0)
            assert len(answers_to(api, ALICE)) == 1 and len(answers_to(api, BOB)) == 1
            assert state.inbox.count(PENDING) == 0 and state.inbox.count(DONE) == 2

    run(scenario)


async def deliver(port: int, update: dict[str, Any]) -> int:
    """POST ``update`` to the webhook on ``port``; the HTTP status."""
    body = json.dumps(update).encode()
    head = (
        f"POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n"
        "X-Telegram-Bot-Api-Secret-Token: s3cret\r\n\r\n"
    ).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head + body)
    await writer.drain()
    status = await reader.readline()
    writer.close()
    return int(status.split()[1])


def test_a_delivery_waiting_to_be_recorded_leaves_the_search_threads_free(
    database_url: str, fake_searcher: Searcher, tmp_path: Path
) -> None:
    """The inbox's calls wait in threads of their own: with asyncio's shared pool cut to one
    thread (the search's), a webhook delivery blocked on a locked inbox table does not keep a
    question already recorded from being searched and answered."""
    updates = Updates()

    async def scenario() -> None:
        asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(1))
        async with replica(database_url, fake_searcher, tmp_path) as (api, state, dispatch):
            recorded = await inbox_call(state.inbox.record, [updates.private(ALICE, CUSTODY)])
            server = WebhookServer(state.inbox, dispatch, "hook", "s3cret")
            await server.start("127.0.0.1", 0)
            try:
                with table_locked(database_url, "quotebot_updates") as release:
                    bob = asyncio.create_task(deliver(server.port, updates.private(BOB, CUSTODY)))
                    await until(waiting_on_a_lock, database_url, "quotebot-inbox:%")
                    dispatch.accept(recorded)
                    await api.wait_until(lambda: bool(answers_to(api, ALICE)))
                    assert not bob.done()  # still waiting to be recorded
                    release.set()
                assert await bob == 200
                await api.wait_until(lambda: bool(answers_to(api, BOB)))
                assert await dispatch.drain(20.0) == 0
            finally:
                await server.close()
            assert len(answers_to(api, ALICE)) == 1 and len(answers_to(api, BOB)) == 1
            assert state.inbox.count(PENDING) == 0 and state.inbox.count(DONE) == 2

    run(scenario)


def test_a_delivery_recorded_after_its_request_timed_out_is_answered_once(
    database_url: str, fake_searcher: Searcher, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database answers after the webhook request gave up (408): the update it recorded is
    answered all the same, and Telegram's redelivery, a duplicate, is not answered again."""
    monkeypatch.setattr(webhook, "READ_TIMEOUT", 1.0)  # instead of waiting 10 s
    updates = Updates()

    async def scenario() -> None:
        async with replica(database_url, fake_searcher, tmp_path) as (api, state, dispatch):
            server = WebhookServer(state.inbox, dispatch, "hook", "s3cret")
            await server.start("127.0.0.1", 0)
            question = updates.private(ALICE, CUSTODY)
            try:
                with table_locked(database_url, "quotebot_updates") as release:
                    assert await deliver(server.port, question) == 408
                    release.set()
                await api.wait_until(lambda: bool(answers_to(api, ALICE)))
                assert await deliver(server.port, question) == 200  # Telegram's retry
                assert await dispatch.drain(20.0) == 0
            finally:
                await server.close()
            assert len(answers_to(api, ALICE)) == 1
            assert state.inbox.count(PENDING) == 0 and state.inbox.count(DONE) == 1

    run(scenario)


class BlinkingInbox(PgInbox):
    """The real PostgreSQL inbox, except that its first ``failures`` marks fail, as they do
    while a database restarts or fails over (the injected failure)."""

    failures = 0

    def finish(self, update_id: int, state: str = DONE, now: float | None = None) -> None:
        if self.failures:
            self.failures -= 1
            raise InboxError("finishing an update failed: the connection was lost (injected)")
        super().finish(update_id, state, now)


def test_a_mark_that_fails_twice_is_tried_again_and_the_update_is_done(
    database_url: str,
    fake_searcher: Searcher,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Without the retry the update would stay pending and be answered again after a restart
    (or by the replica that takes it over)."""
    updates = Updates()
    state = open_state(tmp_path, database_url, store_questions=True)
    state.inbox.close()
    state.inbox = inbox = BlinkingInbox.open(database_url)
    inbox.failures = 2

    async def scenario() -> None:
        async with replica(database_url, fake_searcher, tmp_path, state) as (api, _, dispatch):
            recorded = await inbox_call(inbox.record, [updates.private(ALICE, "/help")])
            dispatch.accept(recorded)
            await api.wait_until(lambda: bool(sent_to(api, ALICE)))
            assert await dispatch.drain(20.0) == 0
            assert inbox.failures == 0
            assert inbox.count(PENDING) == 0 and inbox.count(DONE) == 1

    with caplog.at_level(logging.INFO, logger="bot.telegram.dispatch"):
        run(scenario)
    inbox.close()
    messages = [r.getMessage() for r in caplog.records if r.name == "bot.telegram.dispatch"]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], messages
    assert sum("trying again" in message for message in messages) == 2, messages


def test_an_answered_update_waiting_to_be_marked_done_does_not_hold_up_another_chat(
    database_url: str, fake_searcher: Searcher, tmp_path: Path
) -> None:
    updates = Updates()

    async def scenario() -> None:
        async with replica(database_url, fake_searcher, tmp_path) as (api, state, dispatch):
            first, second = updates.private(ALICE, "/help"), updates.private(BOB, "/help")
            recorded = await asyncio.to_thread(state.inbox.record, [first, second])
            with table_locked(database_url, "quotebot_updates") as release:
                dispatch.accept(recorded[:1])
                # Alice is answered; marking her update done waits in the database.
                await until(waiting_on_a_lock, database_url, "quotebot-inbox:%")
                assert len(sent_to(api, ALICE)) == 1
                dispatch.accept(recorded[1:])
                await api.wait_until(lambda: bool(sent_to(api, BOB)))
                assert await asyncio.to_thread(waiting_on_a_lock, database_url, "quotebot-inbox:%")
                release.set()
            assert await dispatch.drain(20.0) == 0
            assert state.inbox.count(PENDING) == 0 and state.inbox.count(DONE) == 2

    run(scenario)


def test_an_answered_update_the_database_cannot_mark_done_stays_pending_with_one_warning(
    database_url: str,
    fake_searcher: Searcher,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The answer went out; the failed write costs at most a second answer after a restart,
    never the bot (and never an exception nobody reads)."""
    updates = Updates()

    async def scenario() -> None:
        async with replica(database_url, fake_searcher, tmp_path) as (api, state, dispatch):
            recorded = await asyncio.to_thread(
                state.inbox.record, [updates.private(ALICE, "/help")]
            )
            with psycopg.connect(database_url, autocommit=True) as admin:
                admin.execute("ALTER TABLE quotebot_updates RENAME TO quotebot_away")
                dispatch.accept(recorded)
                await api.wait_until(lambda: bool(sent_to(api, ALICE)))
                assert await dispatch.drain(20.0) == 0
                admin.execute("ALTER TABLE quotebot_away RENAME TO quotebot_updates")
            assert state.inbox.count(PENDING) == 1 and len(sent_to(api, ALICE)) == 1

    with caplog.at_level(logging.WARNING, logger="bot.telegram.dispatch"):
        run(scenario)
    warnings = [r.getMessage() for r in caplog.records if r.name == "bot.telegram.dispatch"]
    assert len(warnings) == 1 and "could not be marked done" in warnings[0], warnings
    assert "stays pending" in warnings[0]
