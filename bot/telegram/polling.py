"""Long polling that confirms an update to Telegram only after it is in the inbox.

python-telegram-bot's ``Updater`` parses a whole ``getUpdates`` batch before anything else: one
update it cannot parse fails the batch, the offset never moves, and the bot fetches the same
batch forever (issue 9, row 1); and it confirms a batch (the offset of the next call) before the
handlers have answered, so a killed process loses those questions (row 7). This loop asks
``getUpdates`` for raw JSON through the application's own ``get_updates`` transport, writes the
batch to the inbox, and only then moves the offset; parsing happens per update, in the
dispatcher. A long poll that hangs past ``timeout + hang_grace`` seconds is cut by the read
timeout and logged at WARNING, and polling goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

# Not re-exported by telegram.request, but the only way to build a RequestData for the raw
# call that lets one unparseable update be skipped instead of failing its whole batch.
from telegram.request._requestparameter import RequestParameter

from bot.telegram.dispatch import Dispatcher
from bot.telegram.inbox import UpdateInbox
from bot.telegram.state_threads import inbox_call

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PollingOptions:
    """How long one poll waits, when a poll counts as hung, and how failures back off."""

    timeout: int = 10
    hang_grace: float = 5.0
    allowed_updates: Sequence[str] = ()
    max_backoff: float = 30.0
    first_backoff: float = 0.5


async def fetch(
    request: BaseRequest, base_url: str, offset: int | None, options: PollingOptions
) -> list[dict[str, Any]]:
    """One ``getUpdates`` call, its result as raw JSON objects (unparsed)."""
    parameters = {"timeout": options.timeout}
    if offset is not None:
        parameters["offset"] = offset
    data = RequestData(
        [RequestParameter.from_input(name, value) for name, value in parameters.items()]
        + [RequestParameter.from_input("allowed_updates", list(options.allowed_updates))]
    )
    result = await request.post(
        f"{base_url}/getUpdates", data, read_timeout=options.timeout + options.hang_grace
    )
    if not isinstance(result, list):
        raise TelegramError("getUpdates returned something other than a list")
    return [item for item in result if isinstance(item, dict)]


async def poll(
    application: Application,
    request: BaseRequest,
    inbox: UpdateInbox,
    dispatcher: Dispatcher,
    options: PollingOptions,
    stop: asyncio.Event,
) -> None:
    """Fetch, record, confirm, dispatch, until ``stop`` is set. InvalidToken propagates."""
    offset = await inbox_call(inbox.next_offset)
    backoff = options.first_backoff
    base_url = application.bot.base_url
    while not stop.is_set():
        try:
            batch = await fetch(request, base_url, offset, options)
        except InvalidToken:
            raise
        except TimedOut:
            logger.warning(
                "getUpdates gave no answer within %.0f s (a hung long poll); polling again",
                options.timeout + options.hang_grace,
            )
            continue
        except RetryAfter as error:
            delay = error.retry_after
            seconds = delay if isinstance(delay, int | float) else delay.total_seconds()
            logger.warning("getUpdates: Telegram asks to wait %.0f s", seconds)
            await _sleep_or_stop(stop, seconds)
            continue
        except Conflict as error:
            logger.error("another process is taking this bot's updates: %s", error)
            await _sleep_or_stop(stop, backoff)
            backoff = min(backoff * 2, options.max_backoff)
            continue
        except TelegramError as error:
            logger.warning("getUpdates failed (%s); retrying in %.1f s", error, backoff)
            await _sleep_or_stop(stop, backoff)
            backoff = min(backoff * 2, options.max_backoff)
            continue
        backoff = options.first_backoff
        if not batch:
            continue
        ids = [item["update_id"] for item in batch if isinstance(item.get("update_id"), int)]
        if len(ids) < len(batch):
            missing = len(batch) - len(ids)
            logger.warning(
                "getUpdates returned %d %s without an update id",
                missing,
                "item" if missing == 1 else "items",
            )
        new = await inbox_call(inbox.record, batch)
        if ids:
            # Recorded: the next call may confirm them to Telegram.
            offset = max(ids) + 1
        dispatcher.accept(new)


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
