"""The durable inbox: recorded before confirmed, answered once, leftovers kept for a restart."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.telegram.health import stuck_inbox
from bot.telegram.inbox import DONE, PENDING, REJECTED, Inbox, UpdateInbox, oldest_pending_age
from bot.telegram.pg_inbox import PgInbox


def update(update_id: int, text: str = "hello") -> dict[str, object]:
    return {"update_id": update_id, "message": {"text": text}}


@pytest.fixture(params=["sqlite", "postgresql"])
def open_inbox(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], UpdateInbox]:
    """Opens the same inbox again (a restart) on either backend; PostgreSQL starts a real
    server (or skips)."""
    if request.param == "sqlite":
        return lambda: Inbox.open(tmp_path / "inbox.sqlite3")
    url = request.getfixturevalue("database_url")
    return lambda: PgInbox.open(url)


def test_a_duplicate_update_is_recorded_once(open_inbox: Callable[[], UpdateInbox]) -> None:
    inbox = open_inbox()
    assert [r.update_id for r in inbox.record([update(1), update(2)])] == [1, 2]
    assert [r.update_id for r in inbox.record([update(2), update(3)])] == [3]
    assert inbox.next_offset() == 4
    inbox.close()


def test_unanswered_updates_survive_a_restart_and_answered_ones_do_not_come_back(
    open_inbox: Callable[[], UpdateInbox],
) -> None:
    inbox = open_inbox()
    inbox.record([update(1), update(2), update(3)])
    inbox.finish(1)
    inbox.finish(3, REJECTED)
    inbox.close()
    reopened = open_inbox()
    assert [r.update_id for r in reopened.pending()] == [2]
    assert (reopened.count(DONE), reopened.count(REJECTED), reopened.count(PENDING)) == (1, 1, 1)
    assert reopened.next_offset() == 4
    reopened.close()


def test_an_item_without_an_update_id_is_not_recorded(
    open_inbox: Callable[[], UpdateInbox],
) -> None:
    inbox = open_inbox()
    assert inbox.record([{"message": {}}, {"update_id": "7"}, update(8)])[0].update_id == 8
    assert inbox.next_offset() == 9


def test_pruning_keeps_pending_updates_and_the_offset(
    open_inbox: Callable[[], UpdateInbox],
) -> None:
    inbox = open_inbox()
    inbox.record([update(1), update(2), update(3)], now=0.0)
    inbox.finish(1)
    inbox.finish(3)
    assert inbox.prune(older_than=10.0, done_after=10.0, now=100.0) == 1  # only 1: 3 is newest
    assert [r.update_id for r in inbox.pending()] == [2]
    assert inbox.next_offset() == 4


def test_the_inbox_is_private(tmp_path: Path) -> None:
    inbox = Inbox.open(tmp_path / "data" / "inbox.sqlite3")
    inbox.record([update(1)])
    modes = {stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "data").iterdir()}
    assert modes == {0o600}
    inbox.close()


def test_a_stuck_inbox_fails_the_health_check(tmp_path: Path) -> None:
    path = tmp_path / "inbox.sqlite3"
    inbox = Inbox.open(path)
    assert stuck_inbox(tmp_path, max_age=60.0) is None  # nothing waits
    inbox.record([update(1)], now=1000.0)
    age = oldest_pending_age(path, now=1030.0)
    assert age is not None and 29.0 < age < 31.0
    assert stuck_inbox(tmp_path, max_age=60.0) is not None  # recorded "at 1000": long ago
    inbox.finish(1)
    assert stuck_inbox(tmp_path, max_age=60.0) is None
    inbox.close()


def _file_bytes(directory: Path) -> bytes:
    return b"".join(path.read_bytes() for path in sorted(directory.iterdir()) if path.is_file())


def test_without_stored_questions_an_answered_update_leaves_no_text_on_disk(
    tmp_path: Path,
) -> None:
    """QUOTEBOT_STORE_QUESTIONS=0: the raw update is held only until it is answered; then no
    file in the data directory (database, write-ahead log) holds its text, checkpoint or not."""
    secret, waiting = "Where is the ferry to Sinop", "Who was sentenced in Simferopol"
    inbox = Inbox.open(tmp_path / "inbox.sqlite3", keep_bodies=False)
    inbox.record([update(1, secret * 40), update(2, waiting)])
    assert secret.encode() in _file_bytes(tmp_path)  # held while unanswered
    inbox.finish(1)
    inbox.record([update(3, "ok")])
    assert secret.encode() not in _file_bytes(tmp_path)
    assert [r.update_id for r in inbox.pending()] == [2, 3]  # the others are still answerable
    assert inbox.next_offset() == 4
    inbox.close()  # the last connection checkpoints the log into the database
    assert secret.encode() not in _file_bytes(tmp_path)
    assert waiting.encode() in _file_bytes(tmp_path)


def test_stored_questions_keep_the_update_until_it_is_pruned(tmp_path: Path) -> None:
    inbox = Inbox.open(tmp_path / "inbox.sqlite3")
    inbox.record([update(1, "Where is the ferry to Sinop")])
    inbox.finish(1)
    inbox.close()
    assert b"ferry to Sinop" in _file_bytes(tmp_path)
