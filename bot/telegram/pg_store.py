"""Feedback and counters in PostgreSQL, shared by every replica of one bot.

The same rows as the SQLite ``store.Store`` (see its docstring for what is kept and why), in
tables prefixed ``quotebot_`` so that they can share a database with others. Every write is one
statement that is correct when two replicas make it at once: counters are upserts that add
(``ON CONFLICT ... value + excluded.value``), and a vote is an upsert that changes the row only
when the vote differs, so "did anything change" comes from the same statement. Times are the
database's own clock (``now()``), so replicas with skewed clocks agree on retention.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import AbstractContextManager

from bot.telegram.database import Database, translated
from bot.telegram.store import (
    ABSTENTIONS,
    COUNTERS,
    ERRORS,
    INLINE_QUERIES,
    QUESTIONS,
    Issued,
    Stats,
    StoreError,
)

COMPONENT = "store"
SCHEMA_VERSION = 1

_SCHEMA = (
    """
    CREATE TABLE IF NOT EXISTS quotebot_counters (
        name TEXT PRIMARY KEY,
        value BIGINT NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS quotebot_feedback (
        user_id BIGINT NOT NULL,
        answer TEXT NOT NULL,
        vote SMALLINT NOT NULL CHECK (vote IN (-1, 1)),
        question TEXT,
        quotes TEXT NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (user_id, answer)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS quotebot_issued_answers (
        token TEXT PRIMARY KEY,
        chat_id BIGINT NOT NULL,
        question TEXT,
        created_at TIMESTAMPTZ NOT NULL
    )
    """,
)


class PgStore:
    """The ``FeedbackStore`` in PostgreSQL; create it with ``PgStore.open``."""

    def __init__(self, database: Database, store_questions: bool = True) -> None:
        self._database = database
        self.store_questions = store_questions

    @classmethod
    def open(cls, url: str, store_questions: bool = True) -> PgStore:
        """Connect to ``url`` and create (or check) the tables; StoreError when the database
        cannot be reached or was written by a newer quotebot."""
        database = Database(url, "quotebot-store")
        with translated(url, StoreError, "creating the feedback tables"):
            database.migrate(COMPONENT, SCHEMA_VERSION, _SCHEMA)
        return cls(database, store_questions)

    def _errors(self, what: str) -> AbstractContextManager[None]:
        return translated(self._database.url, StoreError, what)

    def issue_answer(self, token: str, chat_id: int, question: str) -> None:
        kept = question if self.store_questions else None
        with self._errors("remembering an answer"), self._database.connection() as connection:
            connection.execute(
                "INSERT INTO quotebot_issued_answers (token, chat_id, question, created_at) "
                "VALUES (%s, %s, %s, now()) ON CONFLICT (token) DO UPDATE SET "
                "chat_id = excluded.chat_id, question = excluded.question, "
                "created_at = excluded.created_at",
                (token, chat_id, kept),
            )

    def issued_answer(self, token: str) -> Issued | None:
        with self._errors("reading an answer"), self._database.connection() as connection:
            row = connection.execute(
                "SELECT chat_id, question FROM quotebot_issued_answers WHERE token = %s",
                (token,),
            ).fetchone()
        if row is None:
            return None
        chat_id, question = row
        return Issued(token, int(str(chat_id)), None if question is None else str(question))

    def delete_older_than(self, days: float) -> int:
        with self._errors("deleting old feedback"), self._database.transaction() as connection:
            cutoff = "now() - make_interval(secs => %s)"
            deleted = connection.execute(
                "DELETE FROM quotebot_feedback WHERE updated_at < " + cutoff, (days * 86400.0,)
            ).rowcount
            deleted += connection.execute(
                "DELETE FROM quotebot_issued_answers WHERE created_at < " + cutoff,
                (days * 86400.0,),
            ).rowcount
        return int(deleted)

    def increment(self, name: str, by: int = 1) -> None:
        if name not in COUNTERS:
            raise ValueError(f"unknown counter {name!r}")
        with self._errors("counting"), self._database.connection() as connection:
            connection.execute(
                "INSERT INTO quotebot_counters (name, value) VALUES (%s, %s) "
                "ON CONFLICT (name) DO UPDATE "
                "SET value = quotebot_counters.value + excluded.value",
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
        """One vote per user and answer, as ``Store.record_vote``; the ``WHERE`` of the upsert
        leaves a repeated vote untouched, and ``RETURNING`` says whether a row was written."""
        vote = 1 if up else -1
        if not self.store_questions:
            question = None
        with self._errors("recording a vote"), self._database.connection() as connection:
            row = connection.execute(
                "INSERT INTO quotebot_feedback "
                "(user_id, answer, vote, question, quotes, updated_at) "
                "VALUES (%s, %s, %s, %s, %s, now()) "
                "ON CONFLICT (user_id, answer) DO UPDATE SET vote = excluded.vote, "
                "question = COALESCE(excluded.question, quotebot_feedback.question), "
                "quotes = CASE WHEN excluded.quotes = '[]' THEN quotebot_feedback.quotes "
                "ELSE excluded.quotes END, updated_at = excluded.updated_at "
                "WHERE quotebot_feedback.vote <> excluded.vote "
                "RETURNING 1",
                (user_id, answer, vote, question, json.dumps(list(quotes))),
            ).fetchone()
        return row is not None

    def stats(self) -> Stats:
        with self._errors("reading statistics"), self._database.connection() as connection:
            counters = {
                str(name): int(str(value))
                for name, value in connection.execute(
                    "SELECT name, value FROM quotebot_counters"
                ).fetchall()
            }
            row = connection.execute(
                "SELECT COUNT(*) FILTER (WHERE vote = 1), COUNT(*) FILTER (WHERE vote = -1) "
                "FROM quotebot_feedback"
            ).fetchone()
        up, down = row if row is not None else (0, 0)
        return Stats(
            questions=counters.get(QUESTIONS, 0),
            abstentions=counters.get(ABSTENTIONS, 0),
            inline_queries=counters.get(INLINE_QUERIES, 0),
            errors=counters.get(ERRORS, 0),
            thumbs_up=int(str(up)),
            thumbs_down=int(str(down)),
        )

    def close(self) -> None:
        self._database.close()
