"""A heartbeat file that says the bot is alive, and the health check that reads it.

With long polling the bot opens no port that a container health check could probe, so while
the application runs it touches ``<data dir>/heartbeat`` every ``HEARTBEAT_INTERVAL`` seconds,
and ``python -m bot.telegram.health`` (the Docker ``HEALTHCHECK``) exits 0 only while that file is
recent. A wedged event loop stops the heartbeat, so it fails the check too.

A live loop is not enough: a bot that takes updates and never answers them is down for its
users. So the check also reads the durable inbox and fails while an unanswered update has
waited more than ``MAX_PENDING_AGE`` seconds (``QUOTEBOT_STUCK_AFTER`` changes it).

With ``QUOTEBOT_DATABASE_URL`` the inbox is the PostgreSQL table that every replica shares, and
the check must judge this replica alone: a load balancer takes out every replica whose check
fails, so one stuck update failing them all would take the whole bot down. A replica writes
its id (what its inbox rows carry in ``claimed_by``) to ``<data dir>/replica`` when it opens
its state; the check reads it, connects (with a short timeout) and fails only while an update
this replica claimed has waited past the limit since its claim. An update nobody claims, or
whose replica died, fails no check: the live replicas take it over within half a minute
(``pg_inbox``), and its clock starts again at the replica that took it. The check also fails,
with one line, when the database cannot be reached, since this replica can record or answer
no update then. Without the id file (a replica started by an older quotebot) the check falls
back to the oldest pending update of the whole bot.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.settings import DEFAULT_STUCK_AFTER

logger = logging.getLogger(__name__)

HEARTBEAT_FILE = "heartbeat"
# This replica's inbox id (PostgreSQL only), written at start for the health check.
REPLICA_FILE = "replica"
HEARTBEAT_INTERVAL = 30.0
MAX_HEARTBEAT_AGE = 120.0
# QUOTEBOT_STUCK_AFTER's default (read through bot.settings, like every setting).
MAX_PENDING_AGE = DEFAULT_STUCK_AFTER


def heartbeat_path(data_dir: Path) -> Path:
    return data_dir / HEARTBEAT_FILE


def write_heartbeat(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    os.utime(path)


async def beat(
    path: Path,
    is_alive: Callable[[], bool],
    interval: float = HEARTBEAT_INTERVAL,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Touch ``path`` every ``interval`` seconds while ``is_alive()``; runs until cancelled.

    ``sleep`` is how it waits (tests pass one they control, instead of waiting for real).
    """
    warned = False
    while True:
        if not is_alive():  # not started yet, or stopping: look again soon
            await sleep(min(interval, 1.0))
            continue
        try:
            await asyncio.to_thread(write_heartbeat, path)
            warned = False
        except OSError as error:
            if not warned:
                logger.warning("cannot write the heartbeat file %s: %s", path, error)
                warned = True
        await sleep(interval)


def write_replica_id(data_dir: Path, replica: str) -> None:
    """Record which inbox claims are this process's (``REPLICA_FILE``); an unwritable data
    directory costs only the per-replica health check (a warning, then the whole-bot check)."""
    path = data_dir / REPLICA_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{REPLICA_FILE}.tmp")
        temporary.write_text(replica + "\n", encoding="ascii")
        temporary.replace(path)
    except OSError as error:
        logger.warning(
            "cannot write %s (%s): the health check will judge every replica's updates",
            path,
            error.strerror or error,
        )


def read_replica_id(data_dir: Path) -> str | None:
    """The id ``write_replica_id`` recorded in ``data_dir``, or None."""
    try:
        text = (data_dir / REPLICA_FILE).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text or None


def remove_heartbeat(path: Path) -> None:
    path.unlink(missing_ok=True)


def is_healthy(path: Path, max_age: float = MAX_HEARTBEAT_AGE, now: float | None = None) -> bool:
    """Whether the heartbeat file exists and was touched within ``max_age`` seconds."""
    try:
        modified = path.stat().st_mtime
    except OSError:
        return False
    return (time.time() if now is None else now) - modified <= max_age


def stuck_inbox(
    data_dir: Path, max_age: float = MAX_PENDING_AGE, database_url: str | None = None
) -> float | None:
    """The age of the oldest unanswered update when it is over ``max_age`` seconds, else None;
    read from the SQLite inbox in ``data_dir``, or from PostgreSQL when ``database_url`` is
    given: then only the updates this replica (``read_replica_id``) claimed, timed from their
    claim (InboxError when that database cannot be read)."""
    if database_url is None:
        from bot.telegram.inbox import INBOX_FILE, oldest_pending_age

        age = oldest_pending_age(data_dir / INBOX_FILE)
    else:
        from bot.telegram import pg_inbox

        replica = read_replica_id(data_dir)
        age = pg_inbox.oldest_pending_age(database_url, replica=replica)
    return age if age is not None and age > max_age else None


def main() -> int:
    """Exit status for a container health check: 0 healthy, 1 not (with the reason)."""
    from bot.settings import SettingsError, load_data_dir, load_database_url, load_stuck_after
    from bot.telegram.inbox import InboxError

    data_dir = load_data_dir()
    path = heartbeat_path(data_dir)
    if not is_healthy(path):
        print(f"quotebot: unhealthy: no recent heartbeat in {path}", file=sys.stderr)
        return 1
    try:
        max_age = load_stuck_after()
        age = stuck_inbox(data_dir, max_age, load_database_url())
    except (SettingsError, InboxError) as error:
        print(f"quotebot: unhealthy: {error}", file=sys.stderr)
        return 1
    if age is not None:
        print(
            f"quotebot: unhealthy: an update has waited {age:.0f} s for an answer "
            f"(more than {max_age:.0f} s)",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
