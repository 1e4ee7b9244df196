"""Where indexes live, and verifying, listing and pruning them (fake encoder, real folders)."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from embeddings.encoder_store import encoder_store_dir
from embeddings.index import SentenceIndex
from embeddings.index_lifecycle import (
    default_index_dir,
    describe_index,
    is_bundled_corpus,
    list_encoders,
    list_indexes,
    prune_indexes,
    verify_index,
)
from embeddings.index_store import SENTENCES_FILE, VECTORS_FILE, current_build
from embeddings.model import DEFAULT_MODEL
from tests.conftest import REPO
from tests.corpus_copies import copy_corpus
from tests.index_builders import write_fake_built_index

DAY = 24 * 3600.0


def orphaned_index(index: Path, tmp_path: Path, fake_index: SentenceIndex) -> tuple[Path, Path]:
    """An index at ``index`` whose corpus (a copy of the bundled one) was deleted after it was
    built; returns the index and the corpus folder that is gone."""
    gone = copy_corpus(tmp_path / "other")
    orphan = write_fake_built_index(index, gone, fake_index)
    shutil.rmtree(gone)
    return orphan, gone


def test_a_checkout_and_an_installed_quotebot_share_the_bundled_corpus_index(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    from_checkout = default_index_dir(data, REPO / "corpus", DEFAULT_MODEL)
    installed = default_index_dir(data, REPO / "bot" / "default_corpus", DEFAULT_MODEL)
    assert from_checkout == installed
    assert from_checkout.parent == data / "indexes"
    assert from_checkout.name.startswith("bundled-")
    assert is_bundled_corpus(REPO / "corpus")


def test_other_corpora_are_keyed_by_path_and_model(tmp_path: Path, corpus_copy: Path) -> None:
    data = tmp_path / "data"
    one = default_index_dir(data, corpus_copy, DEFAULT_MODEL)
    assert not is_bundled_corpus(corpus_copy)  # same articles, another folder
    assert one != default_index_dir(data, REPO / "corpus", DEFAULT_MODEL)
    assert one != default_index_dir(data, tmp_path / "b", DEFAULT_MODEL)
    assert one != default_index_dir(data, corpus_copy, "other-model")
    assert one == default_index_dir(data, corpus_copy, DEFAULT_MODEL)


def test_a_fresh_index_is_ok_and_verifies(
    tmp_path: Path, corpus_copy: Path, fake_index: SentenceIndex
) -> None:
    index = write_fake_built_index(tmp_path / "data" / "indexes" / "a", corpus_copy, fake_index)
    assert verify_index(index) is None
    summary = describe_index(index)
    assert (summary.status, summary.detail) == ("ok", "")
    assert summary.corpus_dir == str(corpus_copy.resolve())
    assert summary.model == DEFAULT_MODEL
    assert summary.sentence_count == len(fake_index.sentences)
    assert summary.size_bytes > 0
    assert summary.last_used is not None


def test_a_damaged_index_says_which_file(
    tmp_path: Path, corpus_copy: Path, fake_index: SentenceIndex
) -> None:
    index = write_fake_built_index(tmp_path / "index", corpus_copy, fake_index)
    path = current_build(index) / SENTENCES_FILE
    path.write_bytes(path.read_bytes()[:-1] + b"\x01")  # same size, other bytes
    problem = verify_index(index)
    assert problem is not None and SENTENCES_FILE in problem
    assert describe_index(index).status == "damaged"


def test_a_damaged_shared_encoder_makes_the_index_damaged(
    tmp_path: Path, corpus_copy: Path, fake_index: SentenceIndex
) -> None:
    index = write_fake_built_index(tmp_path / "data" / "indexes" / "a", corpus_copy, fake_index)
    (encoder,) = (encoder_store_dir(index)).iterdir()
    (encoder / "model.onnx").write_bytes(b"onnX")
    problem = verify_index(index)
    assert problem is not None and "query encoder" in problem and "model.onnx" in problem


def test_list_shows_stale_damaged_and_orphaned_indexes(
    tmp_path: Path, corpus_copy: Path, fake_index: SentenceIndex
) -> None:
    data = tmp_path / "data"
    fresh = write_fake_built_index(data / "indexes" / "fresh", corpus_copy, fake_index)
    orphan, _ = orphaned_index(data / "indexes" / "orphan", tmp_path, fake_index)
    damaged = write_fake_built_index(data / "indexes" / "damaged", corpus_copy, fake_index)
    stale = write_fake_built_index(data / "indexes" / "stale", corpus_copy, fake_index)
    vectors = current_build(damaged) / VECTORS_FILE
    vectors.write_bytes(vectors.read_bytes()[:-4])
    (corpus_copy / "new.txt").write_text("A new article.")  # every index of it is now stale
    statuses = {s.path: s.status for s in list_indexes(data)}
    assert statuses == {
        fresh: "stale",
        orphan: "corpus missing",
        damaged: "damaged",
        stale: "stale",
    }
    (encoder,) = list_encoders(data, list_indexes(data))
    assert len(encoder.used_by) == 4  # one encoder shared by every index of the model
    assert encoder.size_bytes > 0


def test_prune_removes_what_has_no_corpus_and_keeps_the_current_index(
    tmp_path: Path, corpus_copy: Path, fake_index: SentenceIndex
) -> None:
    data = tmp_path / "data"
    current = write_fake_built_index(data / "indexes" / "current", corpus_copy, fake_index)
    orphan, other = orphaned_index(data / "indexes" / "orphan", tmp_path, fake_index)

    dry = prune_indexes(data, keep=[current], dry_run=True)
    assert [(s.path, reason) for s, reason in dry.indexes] == [
        (orphan, f"the corpus {other.resolve()} is gone")
    ]
    assert orphan.is_dir()  # a dry run removes nothing

    result = prune_indexes(data, keep=[current])
    assert [s.path for s, _ in result.indexes] == [orphan]
    assert result.freed_bytes > 0
    assert not orphan.exists()
    assert current.is_dir()
    assert result.encoders == ()  # the current index still uses the shared encoder


def test_prune_by_age_spares_the_current_index_unless_asked(
    tmp_path: Path, corpus_copy: Path, fake_index: SentenceIndex
) -> None:
    data = tmp_path / "data"
    current = write_fake_built_index(data / "indexes" / "current", corpus_copy, fake_index)
    old = write_fake_built_index(data / "indexes" / "old", corpus_copy, fake_index)
    later = time.time() + 40 * DAY
    (current / "LAST_USED").touch()
    os.utime(current / "LAST_USED", (later, later))  # used recently, seen from `later`

    result = prune_indexes(data, keep=[], unused_days=30, now=later)
    assert [s.path for s, _ in result.indexes] == [old]
    assert result.indexes[0][1] == "unused for more than 30 days"
    assert current.is_dir()

    result = prune_indexes(data, keep=[current], unused_days=0, now=later + DAY)
    assert result.indexes == ()
    assert result.kept_current == (current,)

    result = prune_indexes(data, keep=[], unused_days=0, now=later + DAY)
    assert [s.path for s, _ in result.indexes] == [current]
    # The last index is gone, so its encoder is no longer used by anything.
    assert [e.path.parent for e in result.encoders] == [data / "encoders"]
    assert list((data / "encoders").iterdir()) == []


def test_prune_clears_folders_that_failed_builds_left_behind(tmp_path: Path) -> None:
    data = tmp_path / "data"
    leftover = data / "indexes" / "corpus-123"
    (leftover / "builds").mkdir(parents=True)
    recent = data / "indexes" / "corpus-456"
    recent.mkdir()  # perhaps a first build running right now
    day_ago = time.time() - 2 * DAY
    for path in (leftover / "builds", leftover):
        os.utime(path, (day_ago, day_ago))
    result = prune_indexes(data)
    assert [s.path for s, _ in result.indexes] == [leftover]
    assert not leftover.exists()
    assert recent.is_dir()


def test_an_index_of_an_older_format_is_listed_as_stale_and_pruned_by_age(
    tmp_path: Path, corpus_copy: Path, fake_index: SentenceIndex
) -> None:
    import json

    data = tmp_path / "data"
    old = write_fake_built_index(data / "indexes" / "old", corpus_copy, fake_index)
    manifest = current_build(old) / "manifest.json"
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "format_version": 2}))
    (summary,) = list_indexes(data)
    assert summary.status == "stale" and "format 2" in summary.detail
    assert summary.corpus_dir == str(corpus_copy.resolve())
    assert prune_indexes(data).indexes == ()  # its corpus is still there
    later = time.time() + 2 * DAY
    assert [s.path for s, _ in prune_indexes(data, unused_days=1, now=later).indexes] == [old]
