"""Where ``quotebot run`` keeps its state: SQLite files in the data directory (one process, the
default) or one PostgreSQL database shared by replicas (``QUOTEBOT_DATABASE_URL``).

``open_state`` opens all three stores the same way for either backend, so that ``run`` and the
bot code never ask which one they have; with PostgreSQL nothing of the bot's state is written
to the data directory (only the index, the heartbeat and the replica's id for its health check
are, and the index is read-only there).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.telegram.health import write_replica_id
from bot.telegram.inbox import INBOX_FILE, Inbox, UpdateInbox
from bot.telegram.store import FeedbackStore, Store
from bot.telegram.user_limits import LimiterFactory

STORE_FILE = "quotebot.sqlite3"


@dataclass
class BotState:
    """The feedback store, the inbox and the limiter factory of one process."""

    store: FeedbackStore
    inbox: UpdateInbox
    limiters: LimiterFactory | None  # None: in memory (one process)
    _closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        for close in reversed(self._closers):
            with contextlib.suppress(Exception):
                close()


def open_state(data_dir: Path, database_url: str | None, store_questions: bool) -> BotState:
    """Open (and create or migrate) the bot's stores; StoreError, InboxError when one cannot
    be used (an unreachable database, a newer schema), having closed what it opened."""
    if database_url is None:
        store = Store.open(data_dir / STORE_FILE, store_questions=store_questions)
        try:
            inbox = Inbox.open(data_dir / INBOX_FILE, keep_bodies=store_questions)
        except Exception:
            store.close()
            raise
        return BotState(store, inbox, None, [store.close, inbox.close])

    from bot.telegram.pg_inbox import PgInbox
    from bot.telegram.pg_limits import open_pg_limiters
    from bot.telegram.pg_store import PgStore

    closers: list[Callable[[], None]] = []
    try:
        pg_store = PgStore.open(database_url, store_questions=store_questions)
        closers.append(pg_store.close)
        pg_inbox = PgInbox.open(database_url, keep_bodies=store_questions)
        closers.append(pg_inbox.close)
        write_replica_id(data_dir, pg_inbox.replica)  # what this replica's health check reads
        limiters, limits_database = open_pg_limiters(database_url)
        closers.append(limits_database.close)
    except Exception:
        for close in reversed(closers):
            with contextlib.suppress(Exception):
                close()
        raise
    return BotState(pg_store, pg_inbox, limiters, closers)
