"""Retries: Telegram's "retry after" and network failures are retried; refusals are not."""

from __future__ import annotations

import asyncio
import datetime as dtm
from typing import Any

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.telegram.sending import RetryingRateLimiter


class Flaky:
    """A Bot API call that fails with the given errors, then succeeds."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> Any:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return {"ok": True}


def send(limiter: RetryingRateLimiter, call: Flaky) -> Any:
    return asyncio.run(limiter.process_request(call, (), {}, "sendMessage", {"chat_id": 1}, None))


def limiter() -> RetryingRateLimiter:
    return RetryingRateLimiter(max_retries=2, network_retries=2, backoff=0.001)


def test_network_failures_are_retried_until_they_succeed() -> None:
    call = Flaky(TimedOut(), NetworkError("Bad Gateway"))
    assert send(limiter(), call) == {"ok": True}
    assert call.calls == 3


def test_network_failures_give_up_after_the_retries() -> None:
    call = Flaky(TimedOut(), TimedOut(), TimedOut())
    with pytest.raises(TimedOut):
        send(limiter(), call)
    assert call.calls == 3


def test_flood_limits_are_waited_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    call = Flaky(RetryAfter(dtm.timedelta(seconds=0.01)))
    assert send(limiter(), call) == {"ok": True}
    assert call.calls == 2


@pytest.mark.parametrize("error", [BadRequest("can't parse entities"), Forbidden("blocked")])
def test_refusals_are_not_retried(error: Exception) -> None:
    call = Flaky(error)
    with pytest.raises(type(error)):
        send(limiter(), call)
    assert call.calls == 1
