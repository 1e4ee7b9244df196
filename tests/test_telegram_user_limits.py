"""The per-user sliding window: bursts within the limit pass, floods are refused, warned once."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.telegram.pg_limits import PgSlidingWindowLimiter, open_pg_limiters
from bot.telegram.user_limits import SlidingWindowLimiter

Limiter = SlidingWindowLimiter | PgSlidingWindowLimiter
MakeLimiter = Callable[..., Limiter]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "postgresql"])
def make_limiter(request: pytest.FixtureRequest) -> MakeLimiter:
    """The same behaviour from the in-memory window (one process) and the PostgreSQL one
    (replicas); the PostgreSQL case starts a real server (and skips where there is none)."""
    if request.param == "memory":
        return SlidingWindowLimiter
    url = request.getfixturevalue("database_url")

    def make(limit: int, window: float = 60.0, clock: Clock | None = None) -> Limiter:
        factory, database = open_pg_limiters(url, clock or Clock())
        request.addfinalizer(database.close)
        limiter = factory("questions", limit, window)
        assert isinstance(limiter, PgSlidingWindowLimiter)
        return limiter

    return make


def test_allows_the_limit_then_refuses_until_the_oldest_request_leaves_the_window(
    make_limiter: MakeLimiter,
) -> None:
    clock = Clock()
    limiter = make_limiter(3, window=60, clock=clock)
    for second in (0, 10, 20):
        clock.now = second
        assert limiter.check("ann").allowed
    clock.now = 30
    refused = limiter.check("ann")
    assert not refused.allowed
    assert refused.retry_after == pytest.approx(30)  # the request at 0 leaves at 60
    clock.now = 60
    assert limiter.check("ann").allowed
    clock.now = 61
    assert not limiter.check("ann").allowed  # 10, 20 and 60 are still in the window


def test_users_have_separate_windows(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter(1, clock=Clock())
    assert limiter.check(1).allowed
    assert not limiter.check(1).allowed
    assert limiter.check(2).allowed


def test_only_the_first_refusal_of_a_run_asks_for_a_warning(make_limiter: MakeLimiter) -> None:
    clock = Clock()
    limiter = make_limiter(1, window=60, clock=clock)
    limiter.check("ann")
    assert [limiter.check("ann").first_refusal for _ in range(3)] == [True, False, False]
    clock.now = 61
    assert limiter.check("ann").allowed
    assert limiter.check("ann").first_refusal  # a new run of refusals warns again


def test_refused_requests_do_not_extend_the_wait(make_limiter: MakeLimiter) -> None:
    clock = Clock()
    limiter = make_limiter(1, window=60, clock=clock)
    limiter.check("ann")
    for second in range(1, 60):
        clock.now = second
        limiter.check("ann")
    clock.now = 60
    assert limiter.check("ann").allowed


def test_quiet_users_are_forgotten(make_limiter: MakeLimiter) -> None:
    clock = Clock()
    limiter = make_limiter(5, window=60, clock=clock)
    for user in range(100):
        limiter.check(user)
    clock.now = 200
    limiter.check("new")
    assert len(limiter) == 1


def test_nonsense_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="limit"):
        SlidingWindowLimiter(0)
    with pytest.raises(ValueError, match="window"):
        SlidingWindowLimiter(1, window=0)
