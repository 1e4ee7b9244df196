"""The durable inbox in PostgreSQL, shared by webhook replicas (``QUOTEBOT_DATABASE_URL``).

The same contract as the SQLite ``inbox.Inbox`` (see its docstring): an update is written
before its receipt is confirmed, answered, then marked ``done``. With several replicas behind
a load balancer, Telegram may deliver an update to one replica and, after a timeout, deliver
it again to another; and a replica that dies leaves its updates pending. So:

* ``record`` inserts with ``ON CONFLICT (update_id) DO NOTHING RETURNING``: of two replicas
  recording the same update at once, exactly one is told it is new, and only that one answers
  it. The row is claimed by the replica that recorded it (``claimed_by``).
* Each replica has a random id, carried in its connection's ``application_name``; a claim
  whose replica has no connection any more (``pg_stat_activity``) is orphaned. ``pending`` (at
  start) and ``orphaned`` (every ``ORPHAN_INTERVAL`` seconds while running) claim the unclaimed
  and orphaned pending rows with ``FOR UPDATE SKIP LOCKED``, so two replicas taking over at
  the same moment split the rows instead of both answering them. A claim records when it was
  made (``claimed_at``).
* The health check of a replica (``oldest_pending_age`` with ``replica``) looks only at the
  updates that replica has claimed and not finished, timed from their claim: a stuck update
  fails the replica that holds it, which a load balancer then takes out (and an orchestrator
  restarts, handing the update to the others), not every replica. An update nobody claims,
  or whose replica is gone, fails no check: within ``ORPHAN_INTERVAL`` a live replica takes it
  over, and its clock starts again there.

Delivery stays at least once, as with SQLite: a replica killed after sending an answer but
before marking it done has that update answered again by another. All replicas must connect
as the same database role (``pg_stat_activity`` shows other roles' sessions without names).
With ``QUOTEBOT_STORE_QUESTIONS=0`` a finished update's body is replaced by ``{}`` in the
same statement; PostgreSQL keeps the old row version until ``VACUUM`` reclaims it (autovacuum
does, within minutes on a busy table), unlike SQLite's ``secure_delete``.
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from typing import Any, Self

from bot.telegram.database import Database, translated
from bot.telegram.inbox import (
    DONE,
    KEEP_DONE_SECONDS,
    KEEP_REJECTED_SECONDS,
    PENDING,
    REJECTED,
    InboxError,
    Received,
)

COMPONENT = "inbox"
# 2: claimed_at (when the current claim was made), for the per-replica health check.
SCHEMA_VERSION = 2
APPLICATION_PREFIX = "quotebot-inbox:"
# The health check's limit, in seconds, on connecting and on its one query: a container health
# check has a timeout of its own, and a database that does not answer within this is reported.
HEALTH_TIMEOUT = 3

_SCHEMA = (
    """
    CREATE TABLE IF NOT EXISTS quotebot_updates (
        update_id BIGINT PRIMARY KEY,
        body TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'rejected')),
        received_at DOUBLE PRECISION NOT NULL,
        finished_at DOUBLE PRECISION,
        claimed_by TEXT,
        claimed_at DOUBLE PRECISION
    )
    """,
    "ALTER TABLE quotebot_updates ADD COLUMN IF NOT EXISTS claimed_at DOUBLE PRECISION",
    """
    CREATE INDEX IF NOT EXISTS quotebot_updates_by_state
    ON quotebot_updates (state, received_at)
    """,
)

# Pending rows nobody alive is answering (and, with %(own)s, this replica's own), claimed for
# this replica (%(me)s) at %(now)s; rows another replica is claiming at this moment are
# skipped, not waited for.
_CLAIM = """
UPDATE quotebot_updates SET claimed_by = %(me)s, claimed_at = %(now)s
WHERE update_id IN (
    SELECT update_id FROM quotebot_updates
    WHERE state = 'pending'
      AND (claimed_by IS NULL OR (%(own)s AND claimed_by = %(me)s) OR claimed_by NOT IN (
          SELECT substr(application_name, %(skip)s) FROM pg_stat_activity
          WHERE application_name LIKE %(pattern)s
      ))
    ORDER BY update_id
    FOR UPDATE SKIP LOCKED
)
RETURNING update_id, body
"""


class PgInbox:
    """The ``UpdateInbox`` in PostgreSQL; open it with ``PgInbox.open``. Thread-safe."""

    def __init__(self, database: Database, replica: str, keep_bodies: bool = True) -> None:
        self._database = database
        self.replica = replica
        self.keep_bodies = keep_bodies

    @classmethod
    def open(cls, url: str, keep_bodies: bool = True, replica: str | None = None) -> Self:
        """Connect to ``url`` as a new replica (a random id unless ``replica`` is given) and
        create (or check) the table; InboxError when that fails."""
        replica = replica or uuid.uuid4().hex[:16]
        database = Database(url, APPLICATION_PREFIX + replica)
        with translated(url, InboxError, "creating the inbox table"):
            database.migrate(COMPONENT, SCHEMA_VERSION, _SCHEMA)
        return cls(database, replica, keep_bodies)

    def _errors(self, what: str) -> AbstractContextManager[None]:
        return translated(self._database.url, InboxError, what)

    def record(
        self, updates: Iterable[Mapping[str, Any]], now: float | None = None
    ) -> list[Received]:
        """Write every update (one transaction) and return the ones no replica saw before."""
        received_at = time.time() if now is None else now
        new: list[Received] = []
        with self._errors("recording updates"), self._database.transaction() as connection:
            for update in updates:
                update_id = update.get("update_id")
                if not isinstance(update_id, int) or isinstance(update_id, bool):
                    continue
                body = json.dumps(update, ensure_ascii=False, separators=(",", ":"))
                row = connection.execute(
                    "INSERT INTO quotebot_updates "
                    "(update_id, body, state, received_at, claimed_by, claimed_at) "
                    "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (update_id) DO NOTHING "
                    "RETURNING update_id",
                    (update_id, body, PENDING, received_at, self.replica, received_at),
                ).fetchone()
                if row is not None:
                    new.append(Received(update_id, body))
        return new

    def _claim(self, own: bool) -> list[Received]:
        with self._errors("claiming pending updates"), self._database.connection() as connection:
            rows = connection.execute(
                _CLAIM,
                {
                    "me": self.replica,
                    "now": time.time(),
                    "own": own,
                    "skip": len(APPLICATION_PREFIX) + 1,
                    "pattern": APPLICATION_PREFIX + "%",
                },
            ).fetchall()
        claimed = [Received(int(str(update_id)), str(body)) for update_id, body in rows]
        return sorted(claimed, key=lambda item: item.update_id)

    def pending(self) -> list[Received]:
        """At start: the pending updates no other running replica is answering, now claimed
        by this one, oldest first (as ``Inbox.pending``, this replica's own included)."""
        return self._claim(own=True)

    def orphaned(self) -> list[Received]:
        """While running: pending updates whose replica has gone, now claimed by this one
        (never its own, which its dispatcher is answering)."""
        return self._claim(own=False)

    def finish(self, update_id: int, state: str = DONE, now: float | None = None) -> None:
        if state not in (DONE, REJECTED):
            raise ValueError(f"unknown final state {state!r}")
        finished_at = time.time() if now is None else now
        with self._errors("finishing an update"), self._database.connection() as connection:
            if self.keep_bodies:
                connection.execute(
                    "UPDATE quotebot_updates SET state = %s, finished_at = %s "
                    "WHERE update_id = %s",
                    (state, finished_at, update_id),
                )
            else:
                connection.execute(
                    "UPDATE quotebot_updates SET state = %s, finished_at = %s, body = '{}' "
                    "WHERE update_id = %s",
                    (state, finished_at, update_id),
                )

    def next_offset(self) -> int | None:
        with self._errors("reading the offset"), self._database.connection() as connection:
            row = connection.execute("SELECT MAX(update_id) FROM quotebot_updates").fetchone()
        return None if row is None or row[0] is None else int(str(row[0])) + 1

    def count(self, state: str) -> int:
        with self._errors("counting updates"), self._database.connection() as connection:
            row = connection.execute(
                "SELECT COUNT(*) FROM quotebot_updates WHERE state = %s", (state,)
            ).fetchone()
        return 0 if row is None else int(str(row[0]))

    def oldest_pending_age(self, now: float | None = None) -> float | None:
        with self._errors("reading the inbox"), self._database.connection() as connection:
            row = connection.execute(
                "SELECT MIN(received_at) FROM quotebot_updates WHERE state = %s", (PENDING,)
            ).fetchone()
        if row is None or row[0] is None:
            return None
        return (time.time() if now is None else now) - float(str(row[0]))

    def prune(
        self,
        older_than: float = KEEP_REJECTED_SECONDS,
        done_after: float = KEEP_DONE_SECONDS,
        now: float | None = None,
    ) -> int:
        """As ``Inbox.prune``: answered updates after ``done_after`` seconds, rejected ones
        after ``older_than``, never the newest row (it carries the offset)."""
        now = time.time() if now is None else now
        with self._errors("pruning the inbox"), self._database.connection() as connection:
            cursor = connection.execute(
                "DELETE FROM quotebot_updates WHERE ((state = %s AND received_at < %s) "
                "OR (state = %s AND received_at < %s)) "
                "AND update_id < (SELECT MAX(update_id) FROM quotebot_updates)",
                (DONE, now - done_after, REJECTED, now - older_than),
            )
        return int(cursor.rowcount)

    def close(self) -> None:
        """Stop, handing this replica's unanswered updates back to the others (a replica
        that dies without closing has them taken over as orphans instead)."""
        with (
            contextlib.suppress(InboxError),
            self._errors("releasing updates"),
            self._database.connection() as connection,
        ):
            connection.execute(
                "UPDATE quotebot_updates SET claimed_by = NULL "
                "WHERE claimed_by = %s AND state = %s",
                (self.replica, PENDING),
            )
        self._database.close()


def oldest_pending_age(
    url: str, now: float | None = None, timeout: int = HEALTH_TIMEOUT, replica: str | None = None
) -> float | None:
    """What the health check reads with PostgreSQL: seconds the oldest unanswered update claimed
    by ``replica`` has waited since its claim (see the module docstring), or, without
    ``replica``, since it arrived, over every replica; None when none waits or no replica has
    created the table yet. InboxError, one line with the password redacted, when the database
    cannot be reached or does not answer within ``timeout`` seconds (a lock, an overloaded
    server): the replicas cannot record or answer updates either then."""
    database = Database(url, "quotebot-health", connect_timeout=timeout)
    try:
        with translated(url, InboxError, "reading the inbox"), database.connection() as connection:
            connection.execute(
                "SELECT set_config('statement_timeout', %s, false)", (f"{timeout}s",)
            )
            exists = connection.execute("SELECT to_regclass('quotebot_updates')").fetchone()
            if exists is None or exists[0] is None:
                return None
            if replica is None:
                row = connection.execute(
                    "SELECT MIN(received_at) FROM quotebot_updates WHERE state = %s", (PENDING,)
                ).fetchone()
            else:
                row = connection.execute(
                    "SELECT MIN(COALESCE(claimed_at, received_at)) FROM quotebot_updates "
                    "WHERE state = %s AND claimed_by = %s",
                    (PENDING, replica),
                ).fetchone()
    finally:
        database.close()
    if row is None or row[0] is None:
        return None
    return (time.time() if now is None else now) - float(str(row[0]))
