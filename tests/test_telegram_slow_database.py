"""A slow database delays only the update that waits for it, not every other chat.

With PostgreSQL, a per-user limit check and the marking of an answered update are round trips
to the server; made on the event loop, one that waits (a lock held by another session, a
server under load) would stop the whole bot. Here a real lock (``LOCK TABLE ... IN ACCESS
EXCLUSIVE MODE``, held by a second connection) makes one update wait in the database, and the
test checks the order of events: another chat is answered while it waits, and the waiting
update is answered (or marked done) once the lock is gone. Real PostgreSQL (``postgres_server``;
skipped, saying why, where it is not installed), the real application over the fake Bot API.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from unittest import mock

import psycopg
import pytest

from bot.settings import Settings, TelegramSettings
from bot.telegram.app import build_application
from bot.telegram.database_state import BotState, open_state
from bot.telegram.dispatch import Dispatcher
from bot.telegram.inbox import DONE, PENDING
from bot.telegram.render import FRAME
from embeddings.search import Searcher
from tests.bot_harness import ALICE, BOB, CUSTODY, EXAMPLES, run
from tests.conftest import CORPUS
from tests.fake_bot_api import TOKEN, FakeBotAPI, Updates

# Only a safety net: if the bot blocked its event loop on the lock (the bug under test), the
# lock is let go after this long so that the test fails instead of hanging.
SAFETY_RELEASE = 30.0


@asynccontextmanager
async def replica(
    database_url: str, searcher: Searcher, tmp_path: Path
) -> AsyncIterator[tuple[FakeBotAPI, BotState, Dispatcher]]:
    """One replica as ``quotebot run`` wires it: all its state in PostgreSQL."""
    telegram = TelegramSettings(token=TOKEN, admin_ids=frozenset(), examples=EXAMPLES)
    settings = Settings(corpus_dir=CORPUS, data_dir=tmp_path, model="hashing", telegram=telegram)
    state = open_state(tmp_path, database_url, store_questions=True)
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
    """Poll a blocking condition from a worker thread until it holds (at most 20 s)."""
    async with asyncio.timeout(20.0):
        while not await asyncio.to_thread(condition_in_thread, *args):
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
