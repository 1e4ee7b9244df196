"""The per-user sliding window in PostgreSQL, so that every replica counts the same requests.

``user_limits.SlidingWindowLimiter`` keeps each user's recent request times in memory; behind
a load balancer a user's messages land on different replicas, each of which would allow the
whole quota. Here the times are rows of ``quotebot_rate_hits`` (limiter, key, time). A check
is one transaction under an advisory lock on (limiter, key): drop that key's rows that left
the window, count the rest, insert one if allowed. Two replicas checking the same user at once
are serialised by the lock, so the quota is never exceeded; different users never wait for
each other. ``quotebot_rate_warned`` remembers who has been told, so that only the first
refusal of a run warns, on whichever replica. Rows of users who went quiet are pruned once a
window by whichever replica checks first.

The bot calls ``check_async``: the transaction runs in one of the limits database's own worker
threads (``Database.run``), so a slow or locked table delays the update being checked, not the
event loop and every other chat. That database holds ``CONNECTIONS`` connections, one per
worker thread: while one user's check waits on the server (their advisory lock held by another
replica, a slow disk), the checks of other users go on over the others, and only when all of
them wait does the next check queue.

Times come from ``clock`` (wall-clock seconds by default: replicas on several machines must
share it, which the monotonic clock of the in-memory limiter is not).
"""

from __future__ import annotations

import time
from collections.abc import Hashable

from bot.telegram.database import Database, translated
from bot.telegram.store import StoreError
from bot.telegram.user_limits import Clock, LimiterFactory, UserLimiter, Verdict

COMPONENT = "limits"
SCHEMA_VERSION = 1
# Connections (and worker threads) for the limit checks of one replica: enough that a check
# waiting on a lock leaves room for other users' checks, few enough for PostgreSQL's
# max_connections (100 by default) to serve many replicas.
CONNECTIONS = 4

_SCHEMA = (
    """
    CREATE TABLE IF NOT EXISTS quotebot_rate_hits (
        limiter TEXT NOT NULL,
        key TEXT NOT NULL,
        at DOUBLE PRECISION NOT NULL
    )
    """,
    """
    CREATE INDEX IF NOT EXISTS quotebot_rate_hits_by_key
    ON quotebot_rate_hits (limiter, key, at)
    """,
    """
    CREATE INDEX IF NOT EXISTS quotebot_rate_hits_by_time ON quotebot_rate_hits (limiter, at)
    """,
    """
    CREATE TABLE IF NOT EXISTS quotebot_rate_warned (
        limiter TEXT NOT NULL,
        key TEXT NOT NULL,
        PRIMARY KEY (limiter, key)
    )
    """,
)


class PgSlidingWindowLimiter:
    """At most ``limit`` requests per key in any ``window`` seconds, across replicas."""

    def __init__(
        self,
        database: Database,
        name: str,
        limit: int,
        window: float = 60.0,
        clock: Clock = time.time,
    ) -> None:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        if window <= 0:
            raise ValueError(f"window must be positive, not {window}")
        self._database = database
        self.name = name
        self.limit = limit
        self.window = window
        self._clock = clock
        self._last_sweep = clock()

    def check(self, key: Hashable) -> Verdict:
        """Count a request for ``key`` if it is allowed, and say whether it is."""
        now = self._clock()
        self._sweep(now)
        text_key = str(key)
        with (
            translated(self._database.url, StoreError, "checking a rate limit"),
            self._database.transaction() as connection,
        ):
            connection.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                (f"quotebot-rate:{self.name}:{text_key}",),
            )
            connection.execute(
                "DELETE FROM quotebot_rate_hits WHERE limiter = %s AND key = %s AND at <= %s",
                (self.name, text_key, now - self.window),
            )
            row = connection.execute(
                "SELECT COUNT(*), MIN(at) FROM quotebot_rate_hits WHERE limiter = %s AND key = %s",
                (self.name, text_key),
            ).fetchone()
            assert row is not None
            hits, oldest = int(str(row[0])), row[1]
            if hits < self.limit:
                connection.execute(
                    "INSERT INTO quotebot_rate_hits (limiter, key, at) VALUES (%s, %s, %s)",
                    (self.name, text_key, now),
                )
                connection.execute(
                    "DELETE FROM quotebot_rate_warned WHERE limiter = %s AND key = %s",
                    (self.name, text_key),
                )
                return Verdict(allowed=True)
            first = connection.execute(
                "INSERT INTO quotebot_rate_warned (limiter, key) VALUES (%s, %s) "
                "ON CONFLICT DO NOTHING RETURNING 1",
                (self.name, text_key),
            ).fetchone()
        retry_after = max(float(str(oldest)) + self.window - now, 0.0)
        return Verdict(allowed=False, retry_after=retry_after, first_refusal=first is not None)

    async def check_async(self, key: Hashable) -> Verdict:
        """``check`` in one of the database's worker threads, awaited (see the module
        docstring)."""
        return await self._database.run(self.check, key)

    def _sweep(self, now: float) -> None:
        """Forget keys whose newest request left the window (at most once per window here;
        any replica's sweep serves all)."""
        if now - self._last_sweep < self.window:
            return
        self._last_sweep = now
        with (
            translated(self._database.url, StoreError, "pruning rate limits"),
            self._database.transaction() as connection,
        ):
            connection.execute(
                "DELETE FROM quotebot_rate_hits WHERE limiter = %s AND at <= %s",
                (self.name, now - self.window),
            )
            connection.execute(
                "DELETE FROM quotebot_rate_warned AS w WHERE limiter = %s AND NOT EXISTS "
                "(SELECT 1 FROM quotebot_rate_hits AS h "
                "WHERE h.limiter = w.limiter AND h.key = w.key)",
                (self.name,),
            )

    def __len__(self) -> int:
        """How many keys have requests in the table (for every replica)."""
        with (
            translated(self._database.url, StoreError, "counting rate limits"),
            self._database.connection() as connection,
        ):
            row = connection.execute(
                "SELECT COUNT(DISTINCT key) FROM quotebot_rate_hits WHERE limiter = %s",
                (self.name,),
            ).fetchone()
        return 0 if row is None else int(str(row[0]))


def open_pg_limiters(
    url: str, clock: Clock = time.time, connections: int = CONNECTIONS
) -> tuple[LimiterFactory, Database]:
    """A ``LimiterFactory`` whose limiters share ``connections`` connections to ``url`` (tables
    created or checked now), and their ``Database``, for the caller to close; StoreError when
    it fails."""
    database = Database(url, "quotebot-limits", size=connections)
    with translated(url, StoreError, "creating the rate limit tables"):
        database.migrate(COMPONENT, SCHEMA_VERSION, _SCHEMA)

    def make(name: str, limit: int, window: float) -> UserLimiter:
        return PgSlidingWindowLimiter(database, name, limit, window, clock)

    return make, database
