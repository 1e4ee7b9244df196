"""The on-disk index: round trip, atomic replacement, and refusal of damaged indexes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from bot.settings import load_settings
from embeddings.errors import IndexFormatError
from embeddings.index import SentenceIndex, build_index
from embeddings.index_store import (
    CURRENT_FILE,
    DOCUMENTS_FILE,
    MANIFEST_FILE,
    NODES_FILE,
    SENTENCES_FILE,
    VECTORS_FILE,
    IndexDamagedError,
    IndexMissingError,
    StoredIndex,
    current_build,
    last_use,
    load_index,
    load_live_vectors,
    read_manifest,
    record_use,
    verify_index_files,
    write_index,
)
from embeddings.search import Searcher
from embeddings.types import Document
from embeddings.vector_store import AnnSettings
from tests.fakes import HashingEncoder, fake_manifest


def test_round_trip_keeps_documents_sentences_and_vectors(
    tmp_path: Path, fake_index: SentenceIndex
) -> None:
    write_index(fake_index, tmp_path, fake_manifest(fake_index, encoder_id="abc"))
    stored = load_index(tmp_path)
    assert tuple(stored.index.documents) == tuple(fake_index.documents)
    assert tuple(stored.index.sentences) == tuple(fake_index.sentences)
    assert stored.index.vectors.ntotal == len(fake_index.sentences)
    assert (
        stored.manifest.files.keys()
        == stored.manifest.sizes.keys()
        >= {
            VECTORS_FILE,
            SENTENCES_FILE,
        }
    )
    assert stored.encoder_dir == tmp_path / "encoders" / "abc"  # not inside the build


def test_indexes_in_a_data_directory_share_one_encoder_store(
    tmp_path: Path, fake_index: SentenceIndex
) -> None:
    index_dir = tmp_path / "data" / "indexes" / "corpus-123"
    write_index(fake_index, index_dir, fake_manifest(fake_index, encoder_id="abc"))
    assert load_index(index_dir).encoder_dir == tmp_path / "data" / "encoders" / "abc"


def test_a_failed_build_leaves_the_previous_index_live(
    tmp_path: Path, fake_index: SentenceIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_index(fake_index, tmp_path, fake_manifest(fake_index, built_at="2026-01-01T00:00:00Z"))
    before = current_build(tmp_path)

    def explode(*args: object) -> None:
        raise KeyboardInterrupt  # as if the user pressed Ctrl-C mid-build

    monkeypatch.setattr(type(fake_index.lexical_window), "save", explode)
    with pytest.raises(KeyboardInterrupt):
        write_index(fake_index, tmp_path, fake_manifest(fake_index))
    assert current_build(tmp_path) == before
    assert load_index(tmp_path).manifest.built_at == "2026-01-01T00:00:00Z"
    assert [p.name for p in before.parent.iterdir()] == [before.name]  # no half-built leftovers


def test_a_failed_first_build_leaves_no_empty_folder(
    tmp_path: Path, fake_index: SentenceIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(type(fake_index.lexical_window), "save", explode)
    with pytest.raises(OSError, match="No space"):
        write_index(fake_index, tmp_path / "index", fake_manifest(fake_index))
    assert not (tmp_path / "index").exists()


def test_a_new_build_replaces_the_old_one(tmp_path: Path, fake_index: SentenceIndex) -> None:
    write_index(fake_index, tmp_path, fake_manifest(fake_index, built_at="2026-01-01T00:00:00Z"))
    write_index(fake_index, tmp_path, fake_manifest(fake_index, built_at="2026-02-01T00:00:00Z"))
    assert read_manifest(tmp_path).built_at == "2026-02-01T00:00:00Z"
    assert len(list(current_build(tmp_path).parent.iterdir())) == 1


def test_missing_index_is_reported_with_the_way_out(tmp_path: Path) -> None:
    with pytest.raises(IndexFormatError, match="quotebot index build"):
        load_index(tmp_path)


@pytest.mark.parametrize("victim", [VECTORS_FILE, SENTENCES_FILE, DOCUMENTS_FILE])
def test_a_corrupted_file_is_detected(
    tmp_path: Path, fake_index: SentenceIndex, victim: str
) -> None:
    write_index(fake_index, tmp_path, fake_manifest(fake_index))
    path = current_build(tmp_path) / victim
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(IndexFormatError, match="corrupted"):
        load_index(tmp_path)


def test_a_missing_file_is_detected(tmp_path: Path, fake_index: SentenceIndex) -> None:
    write_index(fake_index, tmp_path, fake_manifest(fake_index))
    (current_build(tmp_path) / VECTORS_FILE).unlink()
    with pytest.raises(IndexFormatError, match="lacks"):
        load_index(tmp_path)


def test_a_manifest_that_disagrees_with_the_data_is_refused(
    tmp_path: Path, fake_index: SentenceIndex
) -> None:
    write_index(fake_index, tmp_path, fake_manifest(fake_index, sentence_count=3))
    with pytest.raises(IndexFormatError, match="inconsistent"):
        load_index(tmp_path)


@pytest.mark.parametrize(
    "content",
    ["not json", "[]", json.dumps({"format_version": 999}), json.dumps({"format_version": 1})],
)
def test_a_broken_manifest_is_refused(
    tmp_path: Path, fake_index: SentenceIndex, content: str
) -> None:
    write_index(fake_index, tmp_path, fake_manifest(fake_index))
    (current_build(tmp_path) / MANIFEST_FILE).write_text(content)
    with pytest.raises(IndexFormatError):
        read_manifest(tmp_path)


def test_a_corrupted_pointer_is_refused(tmp_path: Path, fake_index: SentenceIndex) -> None:
    write_index(fake_index, tmp_path, fake_manifest(fake_index))
    (tmp_path / CURRENT_FILE).write_text("../../etc\n")
    with pytest.raises(IndexFormatError, match="corrupted"):
        load_index(tmp_path)


def test_a_killed_builds_leftovers_are_cleared_once_stale(
    tmp_path: Path, fake_index: SentenceIndex
) -> None:
    import os
    import time

    builds = tmp_path / "builds"
    builds.mkdir()
    old, recent = builds / ".building-old", builds / ".building-recent"
    old.mkdir()
    recent.mkdir()  # perhaps another process building right now
    day_ago = time.time() - 2 * 24 * 3600
    os.utime(old, (day_ago, day_ago))
    write_index(fake_index, tmp_path, fake_manifest(fake_index))
    names = {p.name for p in builds.iterdir()}
    assert ".building-old" not in names
    assert ".building-recent" in names
    assert current_build(tmp_path).name in names


def test_a_same_size_alteration_is_caught_by_hashing_not_by_opening(
    tmp_path: Path, fake_index: SentenceIndex
) -> None:
    write_index(fake_index, tmp_path, fake_manifest(fake_index))
    path = current_build(tmp_path) / SENTENCES_FILE
    stat = path.stat()
    data = bytearray(path.read_bytes())
    data[-1] ^= 1  # same size, different bytes, and the time put back
    path.write_bytes(bytes(data))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert verify_index_files(tmp_path, hashes=False) is None  # the cheap check on every query
    problem = verify_index_files(tmp_path)
    assert problem is not None and SENTENCES_FILE in problem and "hash mismatch" in problem


def test_a_file_written_after_the_build_is_hashed_on_opening(
    tmp_path: Path, fake_index: SentenceIndex
) -> None:
    write_index(fake_index, tmp_path, fake_manifest(fake_index))
    path = current_build(tmp_path) / SENTENCES_FILE
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    path.write_bytes(bytes(data))  # a new modification time: opening hashes this file
    with pytest.raises(IndexDamagedError, match="hash mismatch"):
        load_index(tmp_path)


def test_missing_and_damaged_indexes_are_told_apart(
    tmp_path: Path, fake_index: SentenceIndex
) -> None:
    with pytest.raises(IndexMissingError):
        load_index(tmp_path)
    write_index(fake_index, tmp_path, fake_manifest(fake_index))
    vectors = current_build(tmp_path) / VECTORS_FILE
    vectors.write_bytes(vectors.read_bytes()[:100])
    with pytest.raises(IndexDamagedError, match=r"vectors\.npy"):
        load_index(tmp_path)


def test_use_is_recorded_at_most_once_an_hour(tmp_path: Path) -> None:
    assert last_use(tmp_path / "nothing") is None
    record_use(tmp_path, now=1_000_000.0)
    assert last_use(tmp_path) == 1_000_000.0
    record_use(tmp_path, now=1_000_000.0 + 600)  # ten minutes later: not worth a write
    assert last_use(tmp_path) == 1_000_000.0
    record_use(tmp_path, now=1_000_000.0 + 7200)
    assert last_use(tmp_path) == 1_000_000.0 + 7200


def _documents(count: int, seed: int, prefix: str = "doc") -> list[Document]:
    """Articles of 20 sentences of random words (a vocabulary of 2,000)."""
    rng = np.random.default_rng(seed)
    words = [f"w{n}" for n in range(2000)]
    return [
        Document(
            id=f"{prefix}-{seed}-{n}",
            title=f"Article {prefix} {n}",
            text=" ".join(" ".join(rng.choice(words, 8)).capitalize() + "." for _ in range(20)),
        )
        for n in range(count)
    ]


def _recall_at_10(stored: StoredIndex, queries: np.ndarray) -> float:
    """Share of the found 10 that score at least the exact 10th (ties count either way)."""
    vectors = stored.index.vectors
    scores, _ = vectors.search(queries, 10)
    exact = np.sort(queries @ np.asarray(vectors.matrix).T, axis=1)[:, -10]
    return float(np.mean(scores >= exact[:, None] - 1e-6))


def test_quotebot_ann_ef_search_sets_the_breadth_of_every_loaded_searcher(
    tmp_path: Path,
) -> None:
    encoder = HashingEncoder(32)
    index = build_index(_documents(150, seed=1), encoder, ann=AnnSettings("hnsw"))
    write_index(index, tmp_path, fake_manifest(index))
    manifest = read_manifest(tmp_path)
    assert manifest.ann["kind"] == "hnsw" and manifest.ann["graph_nodes"] == 3000
    assert NODES_FILE in manifest.files
    queries = np.asarray(index.vectors.matrix[::30]) + 0.3 / np.sqrt(32)
    queries = (queries / np.linalg.norm(queries, axis=1, keepdims=True)).astype(np.float32)
    narrow = load_settings({"QUOTEBOT_ANN_EF_SEARCH": "1"}).ann_ef_search
    wide = load_settings({}).ann_ef_search  # unset: the manifest's (1024)
    narrow_index = load_index(tmp_path, ef_search=narrow)
    wide_index = load_index(tmp_path, ef_search=wide)
    assert narrow_index.index.vectors.settings.ef_search == 1
    assert wide_index.index.vectors.settings.ef_search == 1024
    assert _recall_at_10(wide_index, queries) >= 0.99
    assert _recall_at_10(narrow_index, queries) < 0.9


def test_a_build_that_reuses_the_live_graph_answers_as_a_fresh_build(
    tmp_path: Path, corpus_documents: list[Document]
) -> None:
    encoder = HashingEncoder()
    graph = AnnSettings("hnsw")
    before = [*corpus_documents, *_documents(3, seed=2)]
    live = build_index(before, encoder, ann=graph)
    write_index(live, tmp_path, fake_manifest(live))
    previous = load_live_vectors(tmp_path, read_manifest(tmp_path))
    assert previous is not None and previous.ann is not None
    after = [*corpus_documents[:1], *_documents(3, seed=2), *_documents(1, seed=3, prefix="new")]
    reused = build_index(after, encoder, ann=graph, previous=previous)
    fresh = build_index(after, encoder, ann=graph)
    removed = len(live.sentences) - len(reused.sentences) + 20  # 20 sentences are new
    assert reused.vectors.describe()["tombstones"] == removed
    assert reused.vectors.describe()["graph_nodes"] == len(live.sentences) + 20
    write_index(reused, tmp_path, fake_manifest(reused))
    loaded = load_index(tmp_path)
    assert read_manifest(tmp_path).ann["tombstones"] == removed
    # The same quotes as a fresh graph. Scores agree closely, not to the bit: the calibration
    # looks at the whole pool of 100 candidates, whose margin two approximate graphs may draw
    # differently.
    for question in ("How many people are held in custody?", "Who defends Umerov in court?"):
        ours = Searcher(loaded.index, encoder, model_name="hashing").search(question)
        theirs = Searcher(fresh, encoder, model_name="hashing").search(question)
        assert [q.text for q in ours.quotes] == [q.text for q in theirs.quotes]
        assert [q.score for q in ours.quotes] == pytest.approx(
            [q.score for q in theirs.quotes], rel=0.01
        )
    # An exact index never takes a graph over: identical to a fresh build, to the bit.
    exact = build_index(after, encoder, ann=AnnSettings("exact"), previous=previous)
    assert exact.vectors.ann is None
    fresh_exact = build_index(after, encoder, ann=AnnSettings("exact"))
    for question in ("How many people are held in custody?", "w5 w17 w300"):
        ours = Searcher(exact, encoder, model_name="hashing").search(question)
        theirs = Searcher(fresh_exact, encoder, model_name="hashing").search(question)
        assert ours == theirs
