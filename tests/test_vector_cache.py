"""The caches that make builds incremental: vectors and sentence spans, on real SQLite."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from embeddings.corpus import read_corpus
from embeddings.encoder import Vectors
from embeddings.index import split_documents
from embeddings.sentences import SPLITTER_VERSION, split_sentences
from embeddings.service import split_cached
from embeddings.vector_cache import USE_RESOLUTION_NS, SpanCache, VectorCache, vector_cache_dir
from tests.conftest import CORPUS

DIM = 8


class CountingEncoder:
    """A deterministic encoder that remembers which texts it was asked to encode."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, texts: Sequence[str]) -> Vectors:
        self.seen.extend(texts)
        rows = [np.random.default_rng(sum(map(ord, t))).standard_normal(DIM) for t in texts]
        return np.array(rows, dtype=np.float32).reshape(len(texts), DIM)


def cache(tmp_path: Path, max_entries: int = 1000) -> VectorCache:
    return VectorCache(tmp_path / "vectors", "ab" * 32, DIM, max_entries=max_entries)


def test_only_texts_never_seen_are_encoded_and_vectors_come_back_equal(tmp_path: Path) -> None:
    encoder = CountingEncoder()
    with cache(tmp_path) as first:
        vectors, encoded = first.encode(["one", "two", "one"], encoder)
    assert encoded == 2 and sorted(encoder.seen) == ["one", "two"]
    with cache(tmp_path) as again:  # a new process: the cache is on disk
        more, encoded = again.encode(["two", "three", "one"], encoder)
    assert encoded == 1 and encoder.seen[-1] == "three"
    np.testing.assert_array_equal(more[0], vectors[1])
    np.testing.assert_array_equal(more[2], vectors[0])


def test_another_model_does_not_share_vectors(tmp_path: Path) -> None:
    encoder = CountingEncoder()
    with cache(tmp_path) as first:
        first.encode(["one"], encoder)
    with VectorCache(tmp_path / "vectors", "cd" * 32, DIM) as other:
        _, encoded = other.encode(["one"], encoder)
    assert encoded == 1


@pytest.mark.parametrize("precision", ["int8", "bf16"])
def test_vectors_of_another_precision_never_come_back_for_fp32_ones(
    tmp_path: Path, precision: str
) -> None:
    fp32, int8 = CountingEncoder(), CountingEncoder()

    def from_int8(texts: Sequence[str]) -> Vectors:
        return int8(texts) * -1  # other vectors than fp32's for the same texts

    with cache(tmp_path) as first:
        fp32_vectors, _ = first.encode(["one", "two"], fp32)
    with VectorCache(tmp_path / "vectors", "ab" * 32, DIM, precision=precision) as second:
        int8_vectors, encoded = second.encode(["one", "two"], from_int8)
    assert encoded == 2 and int8.seen == ["one", "two"]
    np.testing.assert_array_equal(int8_vectors, -fp32_vectors)
    with cache(tmp_path) as third:  # fp32 again: its own vectors, nothing encoded
        again, encoded = third.encode(["two", "one"], fp32)
    assert encoded == 0
    np.testing.assert_array_equal(again, fp32_vectors[::-1])

    # A build that starts as fp32 and then chooses int8 (its first measurement) looks again
    # among the int8 vectors: "one" and "two" come from there, only "three" is encoded.
    with cache(tmp_path) as switching:
        vectors, encoded = switching.encode(
            ["one", "two", "three"], from_int8, before_encoding=lambda texts: precision
        )
    assert encoded == 1 and int8.seen[-1] == "three"
    np.testing.assert_array_equal(vectors[:2], int8_vectors)
    assert switching.precision == precision
    assert switching.path.name.endswith(f"-{precision}.sqlite")


def test_an_interrupted_encoding_keeps_the_chunks_already_done(tmp_path: Path) -> None:
    calls = []

    def failing(texts: Sequence[str]) -> Vectors:
        calls.append(list(texts))
        if len(calls) == 2:
            raise KeyboardInterrupt
        return CountingEncoder()(texts)

    with cache(tmp_path) as first, pytest.raises(KeyboardInterrupt):
        first.encode(["a", "b", "c", "d"], failing, chunk=2)
    encoder = CountingEncoder()
    with cache(tmp_path) as again:
        _, encoded = again.encode(["a", "b", "c", "d"], encoder)
    assert encoded == 2 and encoder.seen == ["c", "d"]


def test_an_unreadable_cache_file_is_started_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with cache(tmp_path) as first:
        first.encode(["one"], CountingEncoder())
        path = first.path
    path.write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    encoder = CountingEncoder()
    with caplog.at_level(logging.WARNING), cache(tmp_path) as again:
        _, encoded = again.encode(["one"], encoder)
    assert encoded == 1
    assert "starting the cache" in caplog.text


def test_the_cache_is_bounded_and_keeps_what_the_latest_build_used(tmp_path: Path) -> None:
    with cache(tmp_path, max_entries=3) as first:
        first.encode(["old 1", "old 2"], CountingEncoder())
    with cache(tmp_path, max_entries=3) as second:
        second.encode(["new 1", "new 2"], CountingEncoder())
        assert len(second) == 3
    encoder = CountingEncoder()
    with cache(tmp_path, max_entries=3) as third:
        _, encoded = third.encode(["new 1", "new 2"], encoder)
    assert encoded == 0


def test_spans_are_split_once_per_text_and_language(tmp_path: Path) -> None:
    calls: list[str] = []

    def split(text: str, language: str) -> list[tuple[int, int]]:
        calls.append(language)
        return split_sentences(text, language)

    items = [("First one. Second one.", "en"), ("First one. Second one.", "uk")]
    with SpanCache(tmp_path, SPLITTER_VERSION) as spans:
        first = spans.split_all(items, split)
    with SpanCache(tmp_path, SPLITTER_VERSION) as spans:
        again = spans.split_all(items, split)
    assert calls == ["en", "uk"] and first == again == [[(0, 10), (11, 22)]] * 2
    with SpanCache(tmp_path, "another splitter") as spans:
        spans.split_all(items[:1], split)
    assert calls == ["en", "uk", "en"]


def test_cached_splitting_gives_exactly_the_sentences_of_the_splitter(tmp_path: Path) -> None:
    documents = read_corpus(CORPUS)
    with SpanCache(tmp_path, SPLITTER_VERSION) as spans:
        split_cached(documents, spans)  # fills the cache
        assert split_cached(documents, spans) == split_documents(documents)


def test_caches_live_beside_the_shared_encoders(tmp_path: Path) -> None:
    assert vector_cache_dir(tmp_path / "data" / "indexes" / "x") == tmp_path / "data" / "vectors"
    assert vector_cache_dir(tmp_path / "mine") == tmp_path / "mine" / "vectors"


def test_an_entry_used_again_after_an_hour_is_kept_over_one_unused(tmp_path: Path) -> None:
    """Use marks are rewritten only when an hour old, and then they are, so eviction still
    keeps what the latest build needed."""
    import sqlite3

    with cache(tmp_path, max_entries=3) as first:
        first.encode(["kept", "dropped"], CountingEncoder())
        path = first.path
    with sqlite3.connect(path) as db:  # both marks two hours old
        db.execute("UPDATE entries SET used = used - ?", (2 * USE_RESOLUTION_NS,))
    with cache(tmp_path, max_entries=3) as second:
        second.encode(["kept"], CountingEncoder())
        second.encode(["new 1", "new 2"], CountingEncoder())
    encoder = CountingEncoder()
    with cache(tmp_path, max_entries=3) as third:
        _, encoded = third.encode(["kept", "new 1", "new 2"], encoder)
    assert encoded == 0
