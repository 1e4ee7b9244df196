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


class Recorder:
    """A Bot API call that records the data it was sent with, failing first with ``errors``."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.sent: list[dict[str, Any]] = []

    async def __call__(self, endpoint: str, data: dict[str, Any]) -> Any:
        self.sent.append(data)
        if self.errors:
            raise self.errors.pop(0)
        return {"ok": True}


def test_a_parse_error_is_sent_again_once_as_plain_text() -> None:
    call = Recorder(BadRequest("Can't parse entities: unsupported start tag"))
    data = {"chat_id": 1, "text": "<b>67 people</b> &amp; more", "parse_mode": "HTML"}
    result = asyncio.run(
        limiter().process_request(call, ("sendMessage", data), {}, "sendMessage", data, None)
    )
    assert result == {"ok": True}
    assert [sent["text"] for sent in call.sent] == [
        "<b>67 people</b> &amp; more",
        "67 people & more",
    ]
    assert call.sent[1]["parse_mode"] is None


def test_a_second_parse_error_is_not_retried_again() -> None:
    call = Recorder(BadRequest("can't parse entities"), BadRequest("can't parse entities"))
    data = {"chat_id": 1, "text": "<b>x</b>", "parse_mode": "HTML"}
    with pytest.raises(BadRequest):
        asyncio.run(
            limiter().process_request(call, ("sendMessage", data), {}, "sendMessage", data, None)
        )
    assert len(call.sent) == 2


def test_the_typing_action_gets_one_attempt_only() -> None:
    call = Flaky(NetworkError("Bad Gateway"))
    with pytest.raises(NetworkError):
        asyncio.run(
            limiter().process_request(call, (), {}, "sendChatAction", {"chat_id": 1}, None)
        )
    assert call.calls == 1


def test_transient_failures_are_retried_until_the_budget_is_spent() -> None:
    def patient() -> RetryingRateLimiter:
        return RetryingRateLimiter(retry_budget=0.05, backoff=0.001, max_backoff=0.004)

    call = Flaky(*[NetworkError("Bad Gateway")] * 5)
    assert send(patient(), call) == {"ok": True}  # 5 failures, well within the budget
    hopeless = Flaky(*[NetworkError("Bad Gateway")] * 10_000)
    with pytest.raises(NetworkError):
        send(patient(), hopeless)
    assert 5 < hopeless.calls < 10_000


def test_a_flood_wait_in_one_chat_does_not_hold_up_another(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    shared = limiter()
    order: list[int] = []

    async def scenario() -> None:
        async def request(chat: int, *errors: Exception) -> None:
            async def call() -> Any:
                if errors_left[chat]:
                    raise errors_left[chat].pop(0)
                order.append(chat)
                return {"ok": True}

            errors_left[chat] = list(errors)
            await shared.process_request(call, (), {}, "sendMessage", {"chat_id": chat}, None)

        errors_left: dict[int, list[Exception]] = {}
        slow = asyncio.create_task(request(1, RetryAfter(dtm.timedelta(seconds=0.5))))
        await asyncio.sleep(0.05)  # chat 1 is now waiting out its flood limit
        await request(2)
        assert order == [2]  # chat 2 answered while chat 1 still waits
        await slow

    asyncio.run(scenario())
    assert order == [2, 1]
