"""File digests and UTC timestamps, written one way everywhere.

Manifests, the corpus's ``added`` front matter, the feed registry and the bot's database all
compare or sort these strings, so a second spelling of the format (or a second hashing helper
that reads a file differently) would make equal things look different.
"""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime
from pathlib import Path

# ISO 8601 in UTC to the second: sorts as text, and reads the same in every file we write.
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file, read in chunks (model weights are too large to read at once)."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def utc_timestamp(when: datetime | float | None = None) -> str:
    """``when`` (a datetime, a POSIX time, or now) as ``TIMESTAMP_FORMAT`` in UTC."""
    if when is None:
        when = datetime.now(UTC)
    if isinstance(when, datetime):
        return when.astimezone(UTC).strftime(TIMESTAMP_FORMAT)
    return time.strftime(TIMESTAMP_FORMAT, time.gmtime(when))
