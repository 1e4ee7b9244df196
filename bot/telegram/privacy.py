"""Private by default: the bot's databases hold user ids and question text.

The data directory is made 0700 and every database file 0600, whatever the umask, before SQLite
opens it. SQLite gives its ``-wal``/``-shm``/``-journal`` files the mode of the database file,
and ``private_database`` also tightens any that already exist (from an older, looser run).
The process umask is left alone: corpus files written next to the bot keep the usual mode.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

DIRECTORY_MODE = 0o700
FILE_MODE = 0o600
SIDE_FILES = ("-wal", "-shm", "-journal")


def private_directory(path: Path) -> None:
    """Create ``path`` (and parents) if needed and make it 0700."""
    path.mkdir(parents=True, exist_ok=True, mode=DIRECTORY_MODE)
    if stat.S_IMODE(path.stat().st_mode) != DIRECTORY_MODE:
        path.chmod(DIRECTORY_MODE)


def private_database(path: Path) -> None:
    """Make the database file at ``path`` (created empty if missing) and its side files 0600,
    inside a 0700 directory. OSError when that is not possible (e.g. a read-only folder)."""
    private_directory(path.parent)
    descriptor = os.open(path, os.O_CREAT | os.O_RDWR, FILE_MODE)
    os.close(descriptor)
    for suffix in ("", *SIDE_FILES):
        candidate = path.with_name(path.name + suffix)
        try:
            if stat.S_IMODE(candidate.stat().st_mode) != FILE_MODE:
                candidate.chmod(FILE_MODE)
        except FileNotFoundError:
            continue


def check_writable(path: Path) -> None:
    """OSError unless the bot can create files in the directory ``path`` (checked at start,
    before anything slow, so that a bad mount fails in a second, not after an index build)."""
    private_directory(path)
    probe = path / ".quotebot-write-check"
    descriptor = os.open(probe, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, FILE_MODE)
    os.close(descriptor)
    probe.unlink()
