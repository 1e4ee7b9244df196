"""The durable inbox: every update Telegram delivers is on disk before its receipt is confirmed.

Telegram forgets an update once the bot confirms it (the offset of the next ``getUpdates``, or
a 200 to the webhook). If the process dies between that confirmation and the answer, the
question is lost for good, unless it was written down first. So the bot records each raw
update here (SQLite, in the data directory) before it confirms, marks it ``done`` when its
handlers have finished, and on start answers whatever is still ``pending``. The update id is the
primary key, so a duplicate delivery is recorded (and answered) once. An update that cannot be
read is marked ``rejected`` and kept, so that an operator can inspect it with ``sqlite3``.

With ``QUOTEBOT_STORE_QUESTIONS=0`` (``keep_bodies=False``) the raw update, question included,
is held only until it is answered: marking it ``done`` (or ``rejected``) replaces its body with
``{}`` in the same statement, with SQLite's ``secure_delete`` on (the old bytes are zeroed, not
left in free space), and checkpoints the write-ahead log into the database and truncates it, so
no copy of the text stays in ``inbox.sqlite3`` or its ``-wal`` file.

Delivery is at least once: a process killed after sending an answer but before marking it done
answers that question again on restart (a duplicate is the lesser evil than a loss). A
stop (SIGTERM) does not: the update is marked done as its answer's sendMessage returns
(``dispatch.answer_sent``).

``UpdateInbox`` is what the bot uses; ``Inbox`` (this SQLite file, one process) and
``pg_inbox.PgInbox`` (PostgreSQL, shared by webhook replicas: ``QUOTEBOT_DATABASE_URL``)
both provide it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from bot.telegram.privacy import private_database
from embeddings import QuotebotError

INBOX_FILE = "inbox.sqlite3"
PENDING = "pending"
DONE = "done"
REJECTED = "rejected"
# Answered updates are deleted after this; rejected ones (kept to inspect) after retention.
KEEP_DONE_SECONDS = 3600.0
KEEP_REJECTED_SECONDS = 7 * 24 * 3600.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS updates (
    update_id INTEGER PRIMARY KEY,
    body TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'rejected')),
    received_at REAL NOT NULL,
    finished_at REAL
);
CREATE INDEX IF NOT EXISTS updates_by_state ON updates (state, received_at);
"""


class InboxError(QuotebotError):
    """The inbox database cannot be opened or written."""


@dataclass(frozen=True)
class Received:
    """One recorded update: its id and the exact JSON Telegram sent."""

    update_id: int
    body: str


class UpdateInbox(Protocol):
    """The durable inbox the receivers and the dispatcher use, whatever keeps it."""

    keep_bodies: bool

    def record(
        self, updates: Iterable[Mapping[str, Any]], now: float | None = None
    ) -> list[Received]: ...

    def pending(self) -> list[Received]: ...

    def orphaned(self) -> list[Received]: ...

    def finish(self, update_id: int, state: str = DONE, now: float | None = None) -> None: ...

    def next_offset(self) -> int | None: ...

    def count(self, state: str) -> int: ...

    def oldest_pending_age(self, now: float | None = None) -> float | None: ...

    def prune(
        self,
        older_than: float = KEEP_REJECTED_SECONDS,
        done_after: float = KEEP_DONE_SECONDS,
        now: float | None = None,
    ) -> int: ...

    def close(self) -> None: ...


class Inbox:
    """One SQLite file; open it with ``Inbox.open``. Thread-safe; every call is short."""

    def __init__(
        self, connection: sqlite3.Connection, path: Path | None = None, keep_bodies: bool = True
    ) -> None:
        self._connection = connection
        self._lock = threading.Lock()
        self.path = path
        self.keep_bodies = keep_bodies

    @classmethod
    def open(cls, path: Path, keep_bodies: bool = True) -> Inbox:
        """Open (creating it, private to this user) the inbox at ``path``.

        ``keep_bodies=False`` (``QUOTEBOT_STORE_QUESTIONS=0``): an update's text is erased
        from the file as soon as it is finished (see the module docstring).
        """
        try:
            private_database(path)
            connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            if not keep_bodies:
                connection.execute("PRAGMA secure_delete=ON")
            connection.execute("PRAGMA journal_mode=WAL")
            # FULL: a recorded update survives a power cut too, not only a killed process.
            connection.execute("PRAGMA synchronous=FULL")
            connection.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as error:
            raise InboxError(f"cannot open the inbox database {path}: {error}") from None
        private_database(path)
        return cls(connection, path, keep_bodies)

    @classmethod
    def in_memory(cls) -> Inbox:
        connection = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        connection.executescript(_SCHEMA)
        return cls(connection)

    def record(
        self, updates: Iterable[Mapping[str, Any]], now: float | None = None
    ) -> list[Received]:
        """Write every update (one transaction) and return the ones not seen before.

        An item without an integer ``update_id`` cannot be confirmed or deduplicated; it is
        skipped (the caller logs it).
        """
        received_at = time.time() if now is None else now
        new: list[Received] = []
        with self._lock:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                for update in updates:
                    update_id = update.get("update_id")
                    if not isinstance(update_id, int) or isinstance(update_id, bool):
                        continue
                    body = json.dumps(update, ensure_ascii=False, separators=(",", ":"))
                    cursor = self._connection.execute(
                        "INSERT OR IGNORE INTO updates (update_id, body, state, received_at) "
                        "VALUES (?, ?, ?, ?)",
                        (update_id, body, PENDING, received_at),
                    )
                    if cursor.rowcount == 1:
                        new.append(Received(update_id, body))
                self._connection.execute("COMMIT")
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
        return new

    def pending(self) -> list[Received]:
        """Updates recorded but not yet answered, oldest first (what a restart answers)."""
        with self._lock:
            rows = self._connection.execute(
                "SELECT update_id, body FROM updates WHERE state = ? ORDER BY update_id",
                (PENDING,),
            ).fetchall()
        return [Received(int(update_id), str(body)) for update_id, body in rows]

    def orphaned(self) -> list[Received]:
        """Pending updates whose process is gone while this one runs: none, since one process
        owns the file (it answers what the last run left with ``pending`` at start)."""
        return []

    def finish(self, update_id: int, state: str = DONE, now: float | None = None) -> None:
        """Mark an update ``done`` (answered) or ``rejected`` (unreadable, kept to inspect);
        without ``keep_bodies``, its text is erased from the file and the log at the same time."""
        if state not in (DONE, REJECTED):
            raise ValueError(f"unknown final state {state!r}")
        finished_at = time.time() if now is None else now
        with self._lock:
            if self.keep_bodies:
                self._connection.execute(
                    "UPDATE updates SET state = ?, finished_at = ? WHERE update_id = ?",
                    (state, finished_at, update_id),
                )
                return
            self._connection.execute(
                "UPDATE updates SET state = ?, finished_at = ?, body = '{}' WHERE update_id = ?",
                (state, finished_at, update_id),
            )
            # The log still holds the frame that recorded the text: copy the log into the
            # database (where secure_delete zeroed it) and empty it. A reader (the health check)
            # can keep it from emptying now; the next finish tries again.
            self._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def next_offset(self) -> int | None:
        """The ``getUpdates`` offset that confirms everything recorded (None: nothing yet)."""
        with self._lock:
            (highest,) = self._connection.execute("SELECT MAX(update_id) FROM updates").fetchone()
        return None if highest is None else int(highest) + 1

    def count(self, state: str) -> int:
        with self._lock:
            (n,) = self._connection.execute(
                "SELECT COUNT(*) FROM updates WHERE state = ?", (state,)
            ).fetchone()
        return int(n)

    def oldest_pending_age(self, now: float | None = None) -> float | None:
        """Seconds the oldest unanswered update has waited (None when none waits)."""
        with self._lock:
            (oldest,) = self._connection.execute(
                "SELECT MIN(received_at) FROM updates WHERE state = ?", (PENDING,)
            ).fetchone()
        if oldest is None:
            return None
        return (time.time() if now is None else now) - float(oldest)

    def prune(
        self,
        older_than: float = KEEP_REJECTED_SECONDS,
        done_after: float = KEEP_DONE_SECONDS,
        now: float | None = None,
    ) -> int:
        """Delete answered updates after ``done_after`` seconds (they hold user text and are no
        longer needed) and rejected ones after ``older_than``; the newest row is always kept,
        since it carries the offset."""
        now = time.time() if now is None else now
        with self._lock:
            cursor = self._connection.execute(
                "DELETE FROM updates WHERE ((state = ? AND received_at < ?) "
                "OR (state = ? AND received_at < ?)) "
                "AND update_id < (SELECT MAX(update_id) FROM updates)",
                (DONE, now - done_after, REJECTED, now - older_than),
            )
        return int(cursor.rowcount)

    def close(self) -> None:
        with self._lock:
            self._connection.close()


def oldest_pending_age(path: Path, now: float | None = None) -> float | None:
    """What the health check reads: the age of the oldest pending update in the inbox at
    ``path``, opened read-only (None when the file or a pending update is missing)."""
    if not path.exists():
        return None
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        (oldest,) = connection.execute(
            "SELECT MIN(received_at) FROM updates WHERE state = ?", (PENDING,)
        ).fetchone()
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    if oldest is None:
        return None
    return (time.time() if now is None else now) - float(oldest)
