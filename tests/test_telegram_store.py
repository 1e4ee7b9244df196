"""Feedback and counters in SQLite: one vote per user and answer, and they survive restarts."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.telegram.pg_store import PgStore
from bot.telegram.store import (
    ABSTENTIONS,
    ERRORS,
    QUESTIONS,
    FeedbackStore,
    Issued,
    Store,
    StoreError,
)


def test_counters_and_votes_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "store.sqlite3"
    store = Store.open(path)
    store.increment(QUESTIONS)
    store.increment(QUESTIONS)
    store.increment(ABSTENTIONS)
    store.record_vote(1, "answer01", up=True, question="Why?", quotes=["doc#3"])
    store.close()

    reopened = Store.open(path)
    stats = reopened.stats()
    assert (stats.questions, stats.abstentions, stats.errors) == (2, 1, 0)
    assert (stats.thumbs_up, stats.thumbs_down) == (1, 0)
    reopened.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request: pytest.FixtureRequest) -> Iterator[FeedbackStore]:
    """The same contract from both backends; PostgreSQL starts a real server (or skips)."""
    store: FeedbackStore
    if request.param == "sqlite":
        store = Store.in_memory()
    else:
        store = PgStore.open(request.getfixturevalue("database_url"))
    yield store
    store.close()


def test_one_vote_per_user_and_answer_the_last_one_counts(any_store: FeedbackStore) -> None:
    store = any_store
    assert store.record_vote(1, "answer01", up=True, question="Why?", quotes=["doc#3"])
    assert not store.record_vote(1, "answer01", up=True)  # the same tap again
    assert store.record_vote(1, "answer01", up=False)  # a change of mind
    assert store.record_vote(2, "answer01", up=False)
    assert store.record_vote(1, "answer02", up=True)
    stats = store.stats()
    assert (stats.thumbs_up, stats.thumbs_down) == (1, 2)


def test_a_vote_without_the_answer_in_memory_keeps_what_was_known(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    store = Store.open(path)
    store.record_vote(1, "answer01", up=True, question="Why?", quotes=["doc#3"])
    store.record_vote(1, "answer01", up=False)  # after a restart: no question, no quotes
    store.close()
    row = sqlite3.connect(path).execute("SELECT vote, question, quotes FROM feedback").fetchone()
    assert row[0] == -1 and row[1] == "Why?" and json.loads(row[2]) == ["doc#3"]


def test_unknown_counters_are_a_programming_error(any_store: FeedbackStore) -> None:
    with pytest.raises(ValueError, match="unknown counter"):
        any_store.increment("questionz")
    any_store.increment(ERRORS)
    assert any_store.stats().errors == 1


def test_a_button_press_is_checked_against_the_answers_issued(any_store: FeedbackStore) -> None:
    any_store.issue_answer("tok12345", 7, "Why?")
    assert any_store.issued_answer("tok12345") == Issued("tok12345", 7, "Why?")
    assert any_store.issued_answer("never123") is None


def test_a_file_that_is_not_a_database_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    path.write_text("this is not sqlite " * 100)
    with pytest.raises(StoreError, match="cannot be used"):
        Store.open(path)


def test_a_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA user_version = 99")
    connection.close()
    with pytest.raises(StoreError, match="newer quotebot"):
        Store.open(path)


def test_an_unwritable_location_gives_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StoreError, match="cannot open"):
        Store.open(blocker / "store.sqlite3")


def test_the_database_and_its_folder_are_private_whatever_the_umask(tmp_path: Path) -> None:
    """Issue 9, row 12: user ids and question text readable by this user only."""
    old = os.umask(0o022)
    try:
        store = Store.open(tmp_path / "data" / "quotebot.sqlite3")
        store.record_vote(1, "answer", up=True, question="q", quotes=["a"])
        files = sorted((tmp_path / "data").iterdir())
        assert {f.name for f in files} >= {"quotebot.sqlite3", "quotebot.sqlite3-wal"}
        assert {stat.S_IMODE(f.stat().st_mode) for f in files} == {0o600}
        assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
        store.close()
    finally:
        os.umask(old)


def test_with_questions_off_no_question_text_is_written(tmp_path: Path) -> None:
    path = tmp_path / "quotebot.sqlite3"
    store = Store.open(path, store_questions=False)
    store.issue_answer("tok12345", 7, "my private question")
    store.record_vote(7, "tok12345", up=True, question="my private question", quotes=["d#1"])
    assert store.issued_answer("tok12345") == Issued("tok12345", 7, None)
    store.close()
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(FULL)")
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"my private question" not in raw


def test_retention_deletes_old_feedback_and_issued_answers(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "quotebot.sqlite3")
    store.issue_answer("tok12345", 7, "q")
    store.record_vote(7, "tok12345", up=True, question="q")
    assert store.delete_older_than(1) == 0  # both are new
    with store._lock:  # age them by hand: a test cannot wait a day
        store._connection.execute("UPDATE feedback SET updated_at = '2000-01-01T00:00:00Z'")
        store._connection.execute("UPDATE issued_answers SET created_at = '2000-01-01T00:00:00Z'")
    assert store.delete_older_than(1) == 2
    assert store.issued_answer("tok12345") is None
    assert store.stats().thumbs_up == 0
    store.close()
