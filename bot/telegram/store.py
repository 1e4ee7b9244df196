"""Feedback and usage counters in SQLite, in the data directory, so they survive restarts.

What is stored, and nothing else: counters (questions answered, abstentions, inline queries,
errors); one row per answer sent with buttons (its token, the chat it went to, the question,
the time), so that a button press can be checked against what the bot really issued; and one
row per user and rated answer with the vote, the question and the quotes that were rated (so
that answer quality can be studied from real feedback). With ``store_questions=False``
(``QUOTEBOT_STORE_QUESTIONS=0``) no question text is written at all. ``delete_older_than``
removes rows past the retention period (``QUOTEBOT_RETENTION_DAYS``). Every method is
short and synchronous; the bot calls them through ``state_threads.store_call``, in the store's
own small thread pool (not asyncio's shared one, where searches run), so that a slow disk or a
locked table never blocks the event loop or the searches, and one lock makes the single
connection safe to share between threads.

``FeedbackStore`` is what the bot uses; ``Store`` (SQLite, one process) and ``pg_store.PgStore``
(PostgreSQL, shared by replicas: ``QUOTEBOT_DATABASE_URL``) both provide it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from bot.telegram.privacy import private_database
from embeddings import QuotebotError, utc_timestamp

SCHEMA_VERSION = 2
QUESTIONS = "questions"
ABSTENTIONS = "abstentions"
INLINE_QUERIES = "inline_queries"
ERRORS = "errors"
COUNTERS = (QUESTIONS, ABSTENTIONS, INLINE_QUERIES, ERRORS)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback (
    user_id INTEGER NOT NULL,
    answer TEXT NOT NULL,
    vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    question TEXT,
    quotes TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (user_id, answer)
);
CREATE TABLE IF NOT EXISTS issued_answers (
    token TEXT PRIMARY KEY,
    chat_id INTEGER NOT NULL,
    question TEXT,
    created_at TEXT NOT NULL
);
"""


def _now() -> str:
    return utc_timestamp()


class StoreError(QuotebotError):
    """The feedback database cannot be opened or has an unknown layout."""


@dataclass(frozen=True)
class Issued:
    """An answer the bot sent with buttons: where it went and what was asked (None when
    questions are not stored)."""

    token: str
    chat_id: int
    question: str | None


@dataclass(frozen=True)
class Stats:
    """Everything /stats shows that outlives a restart."""

    questions: int
    abstentions: int
    inline_queries: int
    errors: int
    thumbs_up: int
    thumbs_down: int


class FeedbackStore(Protocol):
    """The feedback and counters store the bot uses, whatever keeps it (see the module
    docstring for what each call stores)."""

    store_questions: bool

    def issue_answer(self, token: str, chat_id: int, question: str) -> None: ...

    def issued_answer(self, token: str) -> Issued | None: ...

    def delete_older_than(self, days: float) -> int: ...

    def increment(self, name: str, by: int = 1) -> None: ...

    def record_vote(
        self,
        user_id: int,
        answer: str,
        up: bool,
        question: str | None = None,
        quotes: Sequence[str] = (),
    ) -> bool: ...

    def stats(self) -> Stats: ...

    def close(self) -> None: ...


class Store:
    """One SQLite database file; create it with ``Store.open``."""

    def __init__(
        self,
        connection: sqlite3.Connection,
        path: Path | None = None,
        store_questions: bool = True,
    ) -> None:
        self._connection = connection
        self._lock = threading.Lock()
        self.path = path
        self.store_questions = store_questions

    @classmethod
    def open(cls, path: Path, store_questions: bool = True) -> Store:
        """Open (creating it and its folder if needed) the database at ``path``, readable by
        this user only (``privacy``: it holds user ids and question text)."""
        try:
            private_database(path)
            connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        except (OSError, sqlite3.Error) as error:
            raise StoreError(f"cannot open the feedback database {path}: {error}") from None
        store = cls(connection, path, store_questions)
        try:
            store._migrate()
            private_database(path)  # the WAL files it just created
        except StoreError:
            connection.close()
            raise
        return store

    @classmethod
    def in_memory(cls) -> Store:
        """A store that lives only as long as the process (tests, dry runs)."""
        store = cls(sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None))
        store._migrate()
        return store

    def _migrate(self) -> None:
        with self._lock:
            try:
                (version,) = self._connection.execute("PRAGMA user_version").fetchone()
                if version > SCHEMA_VERSION:
                    raise StoreError(
                        f"the feedback database {self.path} was written by a newer quotebot "
                        f"(schema {version}; this one knows {SCHEMA_VERSION})"
                    )
                self._connection.execute("PRAGMA journal_mode=WAL")
                self._connection.executescript(_SCHEMA)
                self._connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            except sqlite3.DatabaseError as error:
                raise StoreError(
                    f"the feedback database {self.path} cannot be used: {error}"
                ) from None

    def issue_answer(self, token: str, chat_id: int, question: str) -> None:
        """Remember that the answer ``token`` was sent to ``chat_id`` (its buttons are valid
        there and nowhere else)."""
        kept = question if self.store_questions else None
        with self._lock:
            self._connection.execute(
                "INSERT OR REPLACE INTO issued_answers (token, chat_id, question, created_at) "
                "VALUES (?, ?, ?, ?)",
                (token, chat_id, kept, _now()),
            )

    def issued_answer(self, token: str) -> Issued | None:
        """The answer behind a button's token, or None for a token this bot never issued."""
        with self._lock:
            row = self._connection.execute(
                "SELECT chat_id, question FROM issued_answers WHERE token = ?", (token,)
            ).fetchone()
        return None if row is None else Issued(token, int(row[0]), row[1])

    def delete_older_than(self, days: float) -> int:
        """Delete feedback and issued answers older than ``days`` days; returns rows deleted."""
        cutoff = utc_timestamp(datetime.now(UTC) - timedelta(days=days))
        with self._lock:
            deleted = self._connection.execute(
                "DELETE FROM feedback WHERE updated_at < ?", (cutoff,)
            ).rowcount
            deleted += self._connection.execute(
                "DELETE FROM issued_answers WHERE created_at < ?", (cutoff,)
            ).rowcount
        return int(deleted)

    def increment(self, name: str, by: int = 1) -> None:
        """Add ``by`` to counter ``name`` (one of ``COUNTERS``)."""
        if name not in COUNTERS:
            raise ValueError(f"unknown counter {name!r}")
        with self._lock:
            self._connection.execute(
                "INSERT INTO counters (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
                (name, by),
            )

    def record_vote(
        self,
        user_id: int,
        answer: str,
        up: bool,
        question: str | None = None,
        quotes: Sequence[str] = (),
    ) -> bool:
        """Keep one vote per user and answer (a new vote replaces the old one).

        Returns whether anything changed, so the bot can tell a repeated tap from a new vote.
        ``question`` may be None when the answer is no longer in memory; an earlier row's
        question is then kept.
        """
        vote = 1 if up else -1
        now = _now()
        if not self.store_questions:
            question = None
        with self._lock:
            row = self._connection.execute(
                "SELECT vote FROM feedback WHERE user_id = ? AND answer = ?", (user_id, answer)
            ).fetchone()
            if row is not None and row[0] == vote:
                return False
            self._connection.execute(
                "INSERT INTO feedback (user_id, answer, vote, question, quotes, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (user_id, answer) DO UPDATE SET vote = excluded.vote, "
                "question = COALESCE(excluded.question, question), "
                "quotes = CASE WHEN excluded.quotes = '[]' THEN quotes ELSE excluded.quotes END, "
                "updated_at = excluded.updated_at",
                (user_id, answer, vote, question, json.dumps(list(quotes)), now),
            )
            return True

    def stats(self) -> Stats:
        with self._lock:
            counters = dict(self._connection.execute("SELECT name, value FROM counters"))
            up, down = self._connection.execute(
                "SELECT COALESCE(SUM(vote = 1), 0), COALESCE(SUM(vote = -1), 0) FROM feedback"
            ).fetchone()
        return Stats(
            questions=counters.get(QUESTIONS, 0),
            abstentions=counters.get(ABSTENTIONS, 0),
            inline_queries=counters.get(INLINE_QUERIES, 0),
            errors=counters.get(ERRORS, 0),
            thumbs_up=int(up),
            thumbs_down=int(down),
        )

    def close(self) -> None:
        with self._lock:
            self._connection.close()
