"""A per-user sliding-window rate limit for questions.

Every question costs an encoder call, so one user sending hundreds of messages could hold up
everybody else. A sliding window (at most ``limit`` questions in any ``window`` seconds) is
fair to bursts of a few questions and strict with floods. The limiter tells the caller when a
refusal is the first of a run, so that the bot warns once instead of answering a flood with a
flood of warnings.

``UserLimiter`` is what the bot uses. ``SlidingWindowLimiter`` keeps the window in this
process's memory (one process); ``pg_limits.PgSlidingWindowLimiter`` keeps it in PostgreSQL, so
that a user who used the quota on one replica is limited on all of them
(``QUOTEBOT_DATABASE_URL``). ``LimiterFactory`` makes one per kind of request.

The bot awaits ``check_async``, never ``check``: with PostgreSQL a check is a database round
trip (a few milliseconds, much more while the server is slow or a lock is held), and made on the
event loop it would hold up every other chat for that long. In memory, a check is a few
microseconds with nothing to wait for, so ``check_async`` simply runs it.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Protocol

Clock = Callable[[], float]


@dataclass(frozen=True)
class Verdict:
    """Whether one request may go ahead.

    ``retry_after`` is how many seconds until the next request would be allowed (0 when this
    one is); ``first_refusal`` is true only for the first refusal after an allowed request.
    """

    allowed: bool
    retry_after: float = 0.0
    first_refusal: bool = False


class UserLimiter(Protocol):
    """At most ``limit`` requests per key in any ``window`` seconds."""

    limit: int
    window: float

    def check(self, key: Hashable) -> Verdict:
        """Count a request for ``key`` if it is allowed, and say whether it is."""
        ...

    async def check_async(self, key: Hashable) -> Verdict:
        """``check``, without blocking the event loop while it waits (what the bot calls)."""
        ...


class LimiterFactory(Protocol):
    """Makes the limiter named ``name`` (one per kind of request: questions, inline)."""

    def __call__(self, name: str, limit: int, window: float) -> UserLimiter: ...


def in_memory_limiters(clock: Clock = time.monotonic) -> LimiterFactory:
    """Limiters in this process's memory, on ``clock`` (the default, one process)."""

    def make(name: str, limit: int, window: float) -> UserLimiter:
        return SlidingWindowLimiter(limit, window, clock)

    return make


class SlidingWindowLimiter:
    """At most ``limit`` requests per key in any ``window`` seconds; not thread-safe.

    Meant for one asyncio event loop. Keys that have been quiet for a whole window are
    forgotten, so memory stays bounded by the number of recently active users.
    """

    def __init__(self, limit: int, window: float = 60.0, clock: Clock = time.monotonic) -> None:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        if window <= 0:
            raise ValueError(f"window must be positive, not {window}")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._hits: dict[Hashable, deque[float]] = {}
        self._warned: set[Hashable] = set()
        self._last_sweep = clock()

    def check(self, key: Hashable) -> Verdict:
        """Count a request for ``key`` if it is allowed, and say whether it is."""
        now = self._clock()
        self._sweep(now)
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) < self.limit:
            hits.append(now)
            self._warned.discard(key)
            return Verdict(allowed=True)
        first = key not in self._warned
        self._warned.add(key)
        return Verdict(
            allowed=False, retry_after=max(hits[0] + self.window - now, 0.0), first_refusal=first
        )

    async def check_async(self, key: Hashable) -> Verdict:
        """``check`` itself: it waits for nothing, and the loop is its only user (this
        limiter is not thread-safe, so it must not move to a thread)."""
        return self.check(key)

    def __len__(self) -> int:
        """How many keys the limiter currently remembers."""
        return len(self._hits)

    def _sweep(self, now: float) -> None:
        """Forget keys whose newest request left the window (at most once per window)."""
        if now - self._last_sweep < self.window:
            return
        self._last_sweep = now
        for key in [
            key for key, hits in self._hits.items() if not hits or hits[-1] <= now - self.window
        ]:
            del self._hits[key]
            self._warned.discard(key)
