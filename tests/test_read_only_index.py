"""A shared, read-only index whose corpus has changed (replicas' volume, issue 11 finding 5):
``quotebot ask`` and ``quotebot run`` serve it as it is, with one warning, and write or delete
nothing in it. A missing index in a read-only folder is one error line.

The folder is made read-only for real: permission bits for an ordinary user; for root (which
passes every permission check) the immutable attribute, which refuses even root with EPERM,
as a read-only mount refuses it with EROFS.
"""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.telegram.app import open_configured_searcher
from embeddings import DEFAULT_MODEL
from embeddings.index_store import current_build, read_manifest
from tests.cli_runner import one_line_error, quotebot
from tests.conftest import CORPUS
from tests.corpus_copies import copy_corpus

NEW_ARTICLE = """---
title: "A new article published after the index was built"
source: Test Desk
language: en
---
The harbour of Sevastopol was closed to fishing boats for three days in March.
"""


@contextmanager
def read_only(root: Path) -> Iterator[None]:
    """Nothing under ``root`` can be created, changed or deleted, for whoever runs the test."""
    paths = [root, *root.rglob("*")]
    if os.geteuid() == 0:
        made = subprocess.run(
            ["chattr", "-R", "+i", str(root)], capture_output=True, text=True, check=False
        )
        if made.returncode != 0:
            subprocess.run(["chattr", "-R", "-i", str(root)], capture_output=True, check=False)
            pytest.skip(f"running as root and chattr +i fails here: {made.stderr.strip()}")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-R", "-i", str(root)], check=True)
        return
    modes = {path: path.stat().st_mode for path in paths}
    for path in paths:
        path.chmod(modes[path] & 0o555)
    try:
        yield
    finally:
        for path in paths:
            path.chmod(modes[path])


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under root, with its size and modification time."""
    return {
        str(path.relative_to(root)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in root.rglob("*")
    }


@pytest.fixture
def grown_corpus(tmp_path: Path) -> Path:
    """The bundled corpus plus one article the index has never seen."""
    return copy_corpus(
        tmp_path / "corpus", {"sevastopol-harbour-closed.md": NEW_ARTICLE}, marker=False
    )


@pytest.mark.integration
def test_ask_serves_a_stale_read_only_index_with_one_warning(
    real_index_copy: Path, grown_corpus: Path
) -> None:
    before = snapshot(real_index_copy)
    with read_only(real_index_copy):
        result = quotebot(
            "ask",
            "How many political prisoners are held in Crimea?",
            index=real_index_copy,
            env={"QUOTEBOT_CORPUS": str(grown_corpus)},
        )
    assert result.returncode == 0, result.stderr
    assert "67 people" in result.stdout
    assert "Traceback" not in result.stderr
    warning = result.stderr.strip().splitlines()
    assert len(warning) == 1, result.stderr
    assert "the corpus changed" in warning[0]
    assert "cannot be written" in warning[0]
    assert "quotebot index build" in warning[0]
    assert snapshot(real_index_copy) == before  # nothing written, nothing deleted


@pytest.mark.integration
def test_the_bot_serves_a_stale_read_only_index_without_building(
    real_index_copy: Path, grown_corpus: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """`quotebot run` would start a build in a child process, which fails in a read-only
    folder and stops the replica (a crash loop under `restart: unless-stopped`)."""
    settings = Settings(
        corpus_dir=grown_corpus,
        data_dir=real_index_copy.parent,
        model=DEFAULT_MODEL,
        index_dir=real_index_copy,
    )
    before = snapshot(real_index_copy)
    with read_only(real_index_copy), caplog.at_level(logging.INFO):
        searcher = open_configured_searcher(settings)
        answer = searcher.search("How many political prisoners are held in Crimea?", 3)
    assert "67 people" in answer.quotes[0].text
    assert searcher.stale_reason is not None  # what /reload tells the admin
    assert "the corpus changed" in searcher.stale_reason
    warnings = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert "cannot be written" in warnings[0].getMessage()
    assert not any("child process" in record.getMessage() for record in caplog.records)
    assert snapshot(real_index_copy) == before


@pytest.mark.usefixtures("isolated_env")
def test_building_into_a_read_only_folder_is_one_error_line(tmp_path: Path) -> None:
    index = tmp_path / "index"
    index.mkdir()
    with read_only(index):
        result = quotebot("index", "build", index=index, env={"QUOTEBOT_CORPUS": str(CORPUS)})
    assert result.returncode == 2
    assert one_line_error(result.stderr).startswith("quotebot: error: cannot write the index in")
    assert list(index.iterdir()) == []


@pytest.mark.integration
def test_a_damaged_read_only_index_is_one_error_line(real_index_copy: Path) -> None:
    (current_build(real_index_copy) / "sentences.npy").write_bytes(b"truncated")
    before = snapshot(real_index_copy)
    with read_only(real_index_copy):
        result = quotebot(
            "ask", "Who?", index=real_index_copy, env={"QUOTEBOT_CORPUS": str(CORPUS)}
        )
    assert result.returncode == 2
    line = one_line_error(result.stderr)
    assert "is damaged" in line and "cannot be rebuilt here" in line
    assert snapshot(real_index_copy) == before


@pytest.mark.integration
def test_publishing_rebuilds_in_the_same_folder_and_a_read_only_replica_then_serves_it_fresh(
    real_index_copy: Path, grown_corpus: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """docs/replicas.md's publishing procedure: the ``index`` service rebuilds the shared index
    in place (it can write there), encoding only the new article (the live build's vectors are
    reused even without the vector cache, which a fresh container lacks); a replica that then
    opens the same folder read-only finds it up to date with the corpus and serves it with no
    warning and no stale reason."""
    from embeddings import build

    build(grown_corpus, real_index_copy, DEFAULT_MODEL)
    encoding = read_manifest(real_index_copy).build_encoding
    assert encoding["encoded"] <= 2 and encoding["reused"] >= 60, encoding
    settings = Settings(
        corpus_dir=grown_corpus,
        data_dir=real_index_copy.parent,
        model=DEFAULT_MODEL,
        index_dir=real_index_copy,
    )
    with read_only(real_index_copy), caplog.at_level(logging.WARNING):
        searcher = open_configured_searcher(settings)
        answer = searcher.search("How long was the harbour of Sevastopol closed?", 3)
    assert searcher.stale_reason is None
    assert "three days" in answer.quotes[0].text
    assert [record.getMessage() for record in caplog.records] == []
