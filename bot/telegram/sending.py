"""Telegram's flood limits, and retries that match the ways a request fails.

python-telegram-bot's ``AIORateLimiter`` keeps the bot under Telegram's limits (about 30
messages a second overall, 20 a minute per group). ``RetryingRateLimiter`` keeps that and
changes what happens when a request fails anyway, failure by failure:

- **429 "retry after N"**: only the chat it was for waits N seconds (its later requests wait
  too); other chats go on. A 429 for a request that names no chat stops the whole bot for N.
  ``AIORateLimiter`` would stop every chat (issue 9, row 9).
- **Network errors, timeouts, 5xx and non-JSON answers**: retried with exponential backoff
  (``backoff``, doubling, at most ``max_backoff``) for up to ``retry_budget`` seconds (a
  minute by default), since Telegram's outages are usually short (row 6). A timed-out
  ``sendMessage`` may in rare cases have been delivered; a duplicate answer is the lesser evil.
- **400 "can't parse entities"** on a message with a parse mode: sent once more as plain text
  (the tags stripped, the entities unescaped), so the user gets the words if not the formatting.
- **Other 400s, 403 (blocked), 401**: never retried; they would fail again.

Decoration is never retried: ``sendChatAction`` ("typing…") gets one attempt, so a failing
typing action costs no time (row 2). Log lines name the method only: the data holds user text.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import html
import logging
import re
import time
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter

from bot.telegram.dispatch import answer_sent

logger = logging.getLogger(__name__)

DEFAULT_FLOOD_RETRIES = 5
DEFAULT_RETRY_BUDGET = 60.0
DEFAULT_BACKOFF_SECONDS = 0.5
DEFAULT_MAX_BACKOFF = 15.0
# One attempt only: decoration must never delay or cost an answer.
BEST_EFFORT = frozenset({"sendChatAction"})
TEXT_METHODS = frozenset({"sendMessage", "editMessageText"})
# A reply to an update: once one returns, the update is answered (``dispatch.answer_sent``).
ANSWER_METHODS = frozenset({"sendMessage"})
_TAG = re.compile(r"<[^>]*>")

Result = bool | dict[str, Any] | list[dict[str, Any]]
Callback = Callable[..., Coroutine[Any, Any, Result]]


def plain_text(text: str) -> str:
    """HTML message text as plain text: tags dropped, entities unescaped."""
    return html.unescape(_TAG.sub("", text))


def is_parse_error(error: BadRequest) -> bool:
    return "can't parse entities" in error.message.lower()


def is_transient(error: TelegramError) -> bool:
    """A failure on the way (network, timeout, 5xx, garbage answer), not a refusal."""
    if isinstance(error, BadRequest):
        return False  # a subclass of NetworkError, but Telegram did answer
    if isinstance(error, NetworkError):
        return True
    return error.message == "Invalid server response"  # a proxy's HTML page instead of JSON


def _group_of(chat: object) -> int | str | bool:
    """What ``AIORateLimiter`` keys its per-group limit on (as in its own ``process_request``)."""
    if isinstance(chat, str):
        try:
            chat = int(chat)
        except ValueError:
            return chat  # @channelusername
    if isinstance(chat, int) and chat < 0:
        return chat
    return False


def _seconds(delay: float | dtm.timedelta) -> float:
    return delay.total_seconds() if isinstance(delay, dtm.timedelta) else float(delay)


class RetryingRateLimiter(AIORateLimiter):
    """``AIORateLimiter`` with per-chat 429s, a retry budget for transient failures and a
    plain-text fallback for parse errors."""

    def __init__(
        self,
        max_retries: int = DEFAULT_FLOOD_RETRIES,
        retry_budget: float = DEFAULT_RETRY_BUDGET,
        backoff: float = DEFAULT_BACKOFF_SECONDS,
        max_backoff: float = DEFAULT_MAX_BACKOFF,
        network_retries: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(max_retries=max_retries)
        self.flood_retries = max_retries
        self.retry_budget = retry_budget
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.network_retries = network_retries
        self._clock = clock
        self._chat_blocked_until: dict[object, float] = {}
        self._bot_blocked_until = 0.0

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        chat_id = data.get("chat_id")
        chat = None if chat_id is None else str(chat_id)
        started = self._clock()
        transient_failures = 0
        floods = 0
        fell_back = False
        while True:
            await self._wait_out_flood(chat)
            try:
                request = asyncio.ensure_future(
                    self._run_request(
                        chat=chat is not None,
                        group=_group_of(chat_id),
                        allow_paid_broadcast=bool(data.get("allow_paid_broadcast", False)),
                        callback=callback,
                        args=args,
                        kwargs=kwargs,
                    )
                )
                try:
                    result = await asyncio.shield(request)
                except asyncio.CancelledError:
                    # A shutdown: a reply that arrived in the same instant still counts.
                    if request.done() and not request.cancelled() and not request.exception():
                        if endpoint in ANSWER_METHODS:
                            answer_sent()
                    else:
                        request.cancel()
                    raise
                if endpoint in ANSWER_METHODS:
                    answer_sent()  # before any other await: see dispatch.answer_sent
                return result
            except RetryAfter as error:
                floods += 1
                if floods > (rate_limit_args or self.flood_retries):
                    raise
                self._block(chat, _seconds(error.retry_after), endpoint)
            except BadRequest as error:
                if fell_back or endpoint not in TEXT_METHODS or not is_parse_error(error):
                    raise
                if not data.get("parse_mode") or "text" not in data:
                    raise
                logger.warning(
                    "%s: Telegram could not parse the HTML; sending plain text", endpoint
                )
                fell_back = True
                data = {**data, "text": plain_text(str(data["text"])), "parse_mode": None}
                data.pop("entities", None)
                args = (args[0], data, *args[2:]) if args else args
            except TelegramError as error:
                if endpoint in BEST_EFFORT or not is_transient(error):
                    raise
                transient_failures += 1
                spent = self._clock() - started
                delay = min(
                    self.backoff * 2 ** (transient_failures - 1),
                    self.max_backoff,
                    max(self.retry_budget - spent, 0.0),
                )
                over_count = (
                    self.network_retries is not None and transient_failures > self.network_retries
                )
                if over_count or spent >= self.retry_budget:
                    logger.warning(
                        "Telegram request %s failed %d times in %.0f s (%s); giving up",
                        endpoint,
                        transient_failures,
                        spent,
                        type(error).__name__,
                    )
                    raise
                logger.warning(
                    "Telegram request %s failed (%s); retry %d in %.1f s",
                    endpoint,
                    type(error).__name__,
                    transient_failures,
                    delay,
                )
                await asyncio.sleep(delay)

    def _block(self, chat: object, seconds: float, endpoint: str) -> None:
        until = self._clock() + seconds + 0.1
        if chat is None:
            logger.warning("Telegram asks the bot to wait %.0f s (%s)", seconds, endpoint)
            self._bot_blocked_until = max(self._bot_blocked_until, until)
        else:
            logger.info("Telegram asks one chat to wait %.0f s (%s)", seconds, endpoint)
            self._chat_blocked_until[chat] = max(self._chat_blocked_until.get(chat, 0.0), until)

    async def _wait_out_flood(self, chat: object) -> None:
        """Sleep while the bot, or this request's chat, is told to wait."""
        while True:
            now = self._clock()
            until = self._bot_blocked_until
            if chat is not None:
                chat_until = self._chat_blocked_until.get(chat, 0.0)
                if chat_until <= now:
                    self._chat_blocked_until.pop(chat, None)
                until = max(until, chat_until)
            if until <= now:
                return
            await asyncio.sleep(until - now)
