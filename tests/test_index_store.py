"""The on-disk index: round trip, atomic replacement, and refusal of damaged indexes."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from embeddings.errors import IndexFormatError
from embeddings.index import SentenceIndex
from embeddings.index_store import (
    CURRENT_FILE,
    DOCUMENTS_FILE,
    MANIFEST_FILE,
    SENTENCES_FILE,
    VECTORS_FILE,
    IndexDamagedError,
    IndexMissingError,
    Manifest,
    current_build,
    last_use,
    load_index,
    read_manifest,
    record_use,
    verify_index_files,
    write_index,
)


def _manifest(index: SentenceIndex, **changes: object) -> Manifest:
    manifest = Manifest(
        model_name="hashing",
        model_path="/nowhere",
        weights_sha256="0" * 64,
        dimension=index.dimension,
        sentence_count=len(index.sentences),
        document_count=len(index.documents),
        corpus_dir="/corpus",
        corpus_fingerprint="f" * 64,
        query_encoder="onnx",
        built_at="2026-11-22T00:00:00Z",
    )
    return replace(manifest, **changes)  # type: ignore[arg-type]


def test_round_trip_keeps_documents_sentences_and_vectors(
    tmp_path: Path, fake_index: SentenceIndex
) -> None:
    write_index(fake_index, tmp_path, _manifest(fake_index, encoder_id="abc"))
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
    write_index(fake_index, index_dir, _manifest(fake_index, encoder_id="abc"))
    assert load_index(index_dir).encoder_dir == tmp_path / "data" / "encoders" / "abc"


def test_a_failed_build_leaves_the_previous_index_live(
    tmp_path: Path, fake_index: SentenceIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_index(fake_index, tmp_path, _manifest(fake_index, built_at="2026-01-01T00:00:00Z"))
    before = current_build(tmp_path)

    def explode(*args: object) -> None:
        raise KeyboardInterrupt  # as if the user pressed Ctrl-C mid-build

    monkeypatch.setattr(type(fake_index.lexical_window), "save", explode)
    with pytest.raises(KeyboardInterrupt):
        write_index(fake_index, tmp_path, _manifest(fake_index))
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
        write_index(fake_index, tmp_path / "index", _manifest(fake_index))
    assert not (tmp_path / "index").exists()


def test_a_new_build_replaces_the_old_one(tmp_path: Path, fake_index: SentenceIndex) -> None:
    write_index(fake_index, tmp_path, _manifest(fake_index, built_at="2026-01-01T00:00:00Z"))
    write_index(fake_index, tmp_path, _manifest(fake_index, built_at="2026-02-01T00:00:00Z"))
    assert read_manifest(tmp_path).built_at == "2026-02-01T00:00:00Z"
    assert len(list(current_build(tmp_path).parent.iterdir())) == 1


def test_missing_index_is_reported_with_the_way_out(tmp_path: Path) -> None:
    with pytest.raises(IndexFormatError, match="quotebot index build"):
        load_index(tmp_path)


@pytest.mark.parametrize("victim", [VECTORS_FILE, SENTENCES_FILE, DOCUMENTS_FILE])
def test_a_corrupted_file_is_detected(
    tmp_path: Path, fake_index: SentenceIndex, victim: str
) -> None:
    write_index(fake_index, tmp_path, _manifest(fake_index))
    path = current_build(tmp_path) / victim
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(IndexFormatError, match="corrupted"):
        load_index(tmp_path)


def test_a_missing_file_is_detected(tmp_path: Path, fake_index: SentenceIndex) -> None:
    write_index(fake_index, tmp_path, _manifest(fake_index))
    (current_build(tmp_path) / VECTORS_FILE).unlink()
    with pytest.raises(IndexFormatError, match="lacks"):
        load_index(tmp_path)


def test_a_manifest_that_disagrees_with_the_data_is_refused(
    tmp_path: Path, fake_index: SentenceIndex
) -> None:
    write_index(fake_index, tmp_path, _manifest(fake_index, sentence_count=3))
    with pytest.raises(IndexFormatError, match="inconsistent"):
        load_index(tmp_path)


@pytest.mark.parametrize(
    "content",
    ["not json", "[]", json.dumps({"format_version": 999}), json.dumps({"format_version": 1})],
)
def test_a_broken_manifest_is_refused(
    tmp_path: Path, fake_index: SentenceIndex, content: str
) -> None:
    write_index(fake_index, tmp_path, _manifest(fake_index))
    (current_build(tmp_path) / MANIFEST_FILE).write_text(content)
    with pytest.raises(IndexFormatError):
        read_manifest(tmp_path)


def test_a_corrupted_pointer_is_refused(tmp_path: Path, fake_index: SentenceIndex) -> None:
    write_index(fake_index, tmp_path, _manifest(fake_index))
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
    write_index(fake_index, tmp_path, _manifest(fake_index))
    names = {p.name for p in builds.iterdir()}
    assert ".building-old" not in names
    assert ".building-recent" in names
    assert current_build(tmp_path).name in names


def test_a_same_size_alteration_is_caught_by_hashing_not_by_opening(
    tmp_path: Path, fake_index: SentenceIndex
) -> None:
    write_index(fake_index, tmp_path, _manifest(fake_index))
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
    write_index(fake_index, tmp_path, _manifest(fake_index))
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
    write_index(fake_index, tmp_path, _manifest(fake_index))
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
