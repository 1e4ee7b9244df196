"""The modes a folder or file made with ``tempfile`` gets once it is published.

``tempfile.mkdtemp`` makes folders 0700 and ``mkstemp`` files 0600, whatever the umask: right
while a build is staged, wrong once it is live, because an index is shared (replicas that run
as another user read one index on a shared volume). Published, they get what ``mkdir`` and
``open`` would have given them under the process's umask, like every other file of the index.
Privacy is the data directory's job: ``quotebot run`` makes it 0700 (bot/telegram/privacy.py),
which keeps an index inside it private all the same.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

_UMASK = re.compile(r"^Umask:\s*([0-7]+)$", re.MULTILINE)


def current_umask() -> int:
    """The process's umask, read without changing it where /proc allows (threads build too)."""
    try:
        found = _UMASK.search(Path("/proc/self/status").read_text(encoding="ascii"))
    except OSError:
        found = None
    if found:
        return int(found.group(1), 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def publish_dir(path: Path) -> None:
    """Give a ``mkdtemp`` folder the mode ``mkdir`` would have given it."""
    path.chmod(0o777 & ~current_umask())


def publish_file(path: Path) -> None:
    """Give a ``mkstemp`` file the mode ``open`` would have given it."""
    path.chmod(0o666 & ~current_umask())
