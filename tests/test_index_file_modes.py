"""An index another user can read (issue 11 finding 10): replicas that run as another user
than the one that built the shared index must be able to read it. ``mkdtemp`` made each build
folder and the shared query encoder 0700 and ``mkstemp`` made ``CURRENT`` 0600; published,
they now get what the umask gives every other file of the index. The data directory that
``quotebot run`` makes 0700 keeps an index inside it private all the same."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from embeddings.index import SentenceIndex
from tests.conftest import CORPUS
from tests.index_builders import write_fake_built_index


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def unreadable_by_others(root: Path) -> list[str]:
    """Every path under root that a user outside the owner's group cannot read (or enter)."""
    wanted_dir = stat.S_IROTH | stat.S_IXOTH
    found = []
    for path in [root, *root.rglob("*")]:
        mode = path.stat().st_mode
        wanted = wanted_dir if path.is_dir() else stat.S_IROTH
        if mode & wanted != wanted:
            found.append(f"{path.relative_to(root)} {stat.filemode(mode)}")
    return found


@pytest.mark.usefixtures("umask_022")
def test_a_built_index_and_its_encoder_are_readable_by_other_users(
    tmp_path: Path, fake_index: SentenceIndex
) -> None:
    index = tmp_path / "shared-index"
    write_fake_built_index(index, CORPUS, fake_index)
    assert (index / "CURRENT").is_file()
    assert unreadable_by_others(index) == []


def test_a_private_umask_is_respected(tmp_path: Path, fake_index: SentenceIndex) -> None:
    previous = os.umask(0o077)
    try:
        index = tmp_path / "private-index"
        write_fake_built_index(index, CORPUS, fake_index)
    finally:
        os.umask(previous)
    for path in [index, *index.rglob("*")]:
        assert path.stat().st_mode & 0o077 == 0, path
