"""Telegram's flood limits, and retries when a request fails on the way.

python-telegram-bot's ``AIORateLimiter`` keeps the bot under Telegram's limits (about 30
messages a second overall, 20 a minute per group) and, given ``max_retries``, waits and retries
when Telegram still answers 429 "retry after". It does not retry requests that failed on the
network (a timeout, a dropped connection, a 5xx from Telegram), and an answer lost that way is
an answer the user never gets. ``RetryingRateLimiter`` adds a few retries with exponential
backoff for exactly those. A timed-out ``sendMessage`` may in rare cases have been delivered
after all; a duplicate answer is the lesser evil than a missing one.

Requests that Telegram refused (400 bad request, 403 blocked, 401 bad token) are never retried:
they would fail again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter

logger = logging.getLogger(__name__)

DEFAULT_FLOOD_RETRIES = 3
DEFAULT_NETWORK_RETRIES = 2
DEFAULT_BACKOFF_SECONDS = 0.5

Result = bool | dict[str, Any] | list[dict[str, Any]]


class RetryingRateLimiter(AIORateLimiter):
    """``AIORateLimiter`` that also retries network failures ``network_retries`` times."""

    def __init__(
        self,
        max_retries: int = DEFAULT_FLOOD_RETRIES,
        network_retries: int = DEFAULT_NETWORK_RETRIES,
        backoff: float = DEFAULT_BACKOFF_SECONDS,
    ) -> None:
        super().__init__(max_retries=max_retries)
        self.network_retries = network_retries
        self.backoff = backoff

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        attempt = 0
        while True:
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except BadRequest:
                raise  # a subclass of NetworkError, but Telegram did answer: it would fail again
            except NetworkError as error:
                if attempt >= self.network_retries:
                    raise
                delay = self.backoff * 2**attempt
                attempt += 1
                # The endpoint only: the data holds user text, the URL holds the token.
                logger.warning(
                    "Telegram request %s failed (%s); retry %d of %d in %.1f s",
                    endpoint,
                    type(error).__name__,
                    attempt,
                    self.network_retries,
                    delay,
                )
                await asyncio.sleep(delay)
