"""From a recorded update to its handlers, and from the handlers back to the inbox.

``Dispatcher.accept`` takes updates already written to the inbox, parses each one with
python-telegram-bot and runs the application's handlers in a task of its own (at most
``concurrency`` at a time), then marks the update ``done``. An update that cannot be parsed, or
that carries nothing this bot knows, is logged once at WARNING (its id and the reason, never the
user's text), marked ``rejected`` and skipped: the next user is answered as usual.

An update is marked ``done`` the moment its answer's ``sendMessage`` returns (``answer_sent``,
called by the sending layer, synchronously: a shutdown that cancels the handler cannot cancel
the marking), so a SIGTERM, even with ``QUOTEBOT_SHUTDOWN_GRACE=0``, never makes the next start
send an answer that was delivered. What a shutdown can still repeat: an answer whose
``sendMessage`` was in flight (sent, no reply yet) when the grace ran out; whether Telegram
received it cannot be known, and it is sent again rather than lost.

The marking itself is a write to the inbox (an fsync with SQLite, a round trip to the server
with PostgreSQL, as long as a lock is held or the server is slow): it is handed, in order, to
the dispatcher's own writer thread, so the event loop never waits for it and other chats are
answered meanwhile. ``answer_sent`` only starts the write, which nothing cancels; ``drain``
waits for the writes started (up to ``WRITE_WAIT`` seconds) before the inbox is closed. A write
that fails (the database restarting or failing over, a lock timeout, a full disk) is tried
again after each of ``FINISH_RETRY_DELAYS``, since an update left pending is answered a second
time after the next restart or take-over; only when every try failed is it left pending, with
one warning. The tries hold up the marks queued behind them, never an answer.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar

from telegram import Update
from telegram.ext import Application

from bot.telegram.inbox import DONE, REJECTED, InboxError, Received, UpdateInbox

logger = logging.getLogger(__name__)

# How long a stop waits for the inbox writes already started (one per answered update; each
# is milliseconds unless the database is down, when it fails within its connect timeout). An
# update not marked done in time stays pending and is answered again at the next start.
WRITE_WAIT = 15.0
# Seconds between the tries of marking an update finished, after the first failed (growing,
# so that a database coming back has time to; their sum stays well under WRITE_WAIT, so that
# a stop still waits for the last try of a database that fails fast).
FINISH_RETRY_DELAYS = (0.5, 1.5, 4.0)

# The fields of an update that this bot has handlers for (see app.ALLOWED_UPDATES).
KNOWN_CONTENT = ("message", "edited_message", "callback_query", "inline_query")

# Marks the update whose handlers run in this task done (once); None outside of one.
_mark_done: ContextVar[Callable[[], None] | None] = ContextVar("quotebot_mark_done", default=None)


def answer_sent() -> None:
    """The sending layer calls this right after a ``sendMessage`` returned: the update being
    answered is marked done now, before anything else can be awaited (or cancelled)."""
    mark = _mark_done.get()
    if mark is not None:
        mark()


class Dispatcher:
    """Runs recorded updates through ``application`` and keeps the inbox up to date."""

    def __init__(self, application: Application, inbox: UpdateInbox, concurrency: int) -> None:
        self.application = application
        self.inbox = inbox
        self._slots = asyncio.Semaphore(concurrency)
        self._tasks: set[asyncio.Task[None]] = set()
        # One thread: the writes are short and ordered, and the inbox serialises them anyway.
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="quotebot-inbox-writer")
        self._writes: set[asyncio.Future[None]] = set()

    @property
    def backlog(self) -> int:
        """Updates accepted and not yet finished (running or waiting for a slot)."""
        return len(self._tasks)

    def accept(self, received: Iterable[Received]) -> None:
        """Start answering each update (returns at once; the work runs in tasks)."""
        for item in received:
            update = self._parse(item)
            if update is None:
                continue
            task = asyncio.create_task(self._answer(item.update_id, update))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _parse(self, item: Received) -> Update | None:
        try:
            data = json.loads(item.body)
            update = Update.de_json(data, self.application.bot)
        except Exception as error:  # any failure of a parser that has never seen this shape
            self._reject(item, f"{type(error).__name__} while parsing")
            return None
        if update is None or not any(data.get(name) is not None for name in KNOWN_CONTENT):
            kinds = sorted(name for name in data if name != "update_id")
            self._reject(item, f"no content this bot handles (fields: {kinds})")
            return None
        return update

    def _reject(self, item: Received, reason: str) -> None:
        logger.warning(
            "update %d cannot be answered (%s); kept in the inbox as rejected and skipped",
            item.update_id,
            reason,
        )
        logger.debug("rejected update %d: %s", item.update_id, item.body)
        self._finish(item.update_id, REJECTED)

    def _finish(self, update_id: int, state: str = DONE) -> None:
        """Start marking ``update_id`` finished in the writer thread and return at once (see
        the module docstring); the write goes ahead even if the caller is cancelled next."""
        write = asyncio.get_running_loop().run_in_executor(
            self._writer, self._write_finish, update_id, state
        )
        self._writes.add(write)
        write.add_done_callback(self._writes.discard)

    def _write_finish(self, update_id: int, state: str) -> None:
        """In the writer thread: the inbox write, tried again after each of
        ``FINISH_RETRY_DELAYS`` while it fails; a final failure is logged, never raised (the
        answer went out; the worst outcome is that a restart sends it again)."""
        tries = len(FINISH_RETRY_DELAYS) + 1
        for attempt in range(tries):
            try:
                self.inbox.finish(update_id, state)
            except InboxError as error:
                if attempt + 1 == tries:
                    logger.warning(
                        "update %d could not be marked %s in %d tries (%s); it stays pending "
                        "and may be answered again after a restart",
                        update_id,
                        state,
                        tries,
                        error,
                    )
                    return
                delay = FINISH_RETRY_DELAYS[attempt]
                logger.info(
                    "update %d could not be marked %s (%s); trying again in %g s",
                    update_id,
                    state,
                    error,
                    delay,
                )
                time.sleep(delay)
            except Exception:
                logger.exception("update %d could not be marked %s", update_id, state)
                return
            else:
                if attempt:
                    logger.info("update %d marked %s at try %d", update_id, state, attempt + 1)
                return

    async def _answer(self, update_id: int, update: Update) -> None:
        finished = False

        def mark_done() -> None:
            # Synchronous: the write is started before anything can be awaited or cancelled.
            nonlocal finished
            if not finished:
                finished = True
                self._finish(update_id)

        async with self._slots:
            token = _mark_done.set(mark_done)
            try:
                await self.application.process_update(update)
            except Exception:
                # process_update hands handler errors to the error handler; this is a failure
                # outside of it. The update is finished either way: retrying it would fail again.
                logger.exception("update %d failed outside its handlers", update_id)
            finally:
                _mark_done.reset(token)
        # Not reached when cancelled at shutdown: an update whose answer was not sent yet stays
        # pending for the next start (one whose answer was sent is done already).
        mark_done()

    async def drain(self, timeout: float) -> int:
        """Wait up to ``timeout`` seconds for the running updates, cancel the rest (they stay
        pending and are answered on the next start), then wait up to ``WRITE_WAIT`` seconds
        for the inbox writes of those answered; returns how many updates were left."""
        if self._tasks:
            _, left = await asyncio.wait(set(self._tasks), timeout=timeout)
        else:
            left = set()
        for task in left:
            task.cancel()
        if left:
            await asyncio.gather(*left, return_exceptions=True)
        await self._written(WRITE_WAIT)
        return len(left)

    async def _written(self, timeout: float) -> int:
        """Wait up to ``timeout`` seconds for the inbox writes started so far; how many were
        still unfinished then (never cancelled: they may yet complete)."""
        if not self._writes:
            return 0
        _, late = await asyncio.wait(set(self._writes), timeout=timeout)
        if late:
            logger.warning(
                "%d answered updates were not marked done within %g s; they may be answered "
                "again at the next start",
                len(late),
                timeout,
            )
        return len(late)
