"""Vector rows read from the saved matrix with pread: the mapped rows, bit for bit."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from embeddings.vector_rows import RowFile
from embeddings.vector_store import AnnSettings, VectorStore


def _vectors(count: int, dimension: int = 24, seed: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(count, dimension)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_rows_read_from_the_file_are_the_mapped_rows(tmp_path: Path) -> None:
    vectors = _vectors(500)
    np.save(tmp_path / "vectors.npy", vectors)
    mapped = np.load(tmp_path / "vectors.npy", mmap_mode="r")
    reader = RowFile.of(mapped)
    assert reader is not None and reader.shape == (500, 24) and len(reader) == 500
    ids = np.array([499, 0, 17, 17, 250, -1], dtype=np.int64)
    rows = reader[ids]
    assert rows.dtype == np.float32 and rows.flags.c_contiguous
    assert np.array_equal(rows, np.asarray(mapped)[ids])  # bit for bit, repeats and -1
    assert reader[np.zeros(0, dtype=np.int64)].shape == (0, 24)
    with pytest.raises(IndexError):
        reader[np.array([500])]
    reader.close()


def test_a_loaded_hnsw_store_rescores_from_the_file_with_the_same_cosines(
    tmp_path: Path,
) -> None:
    vectors = _vectors(2000)
    store = VectorStore(vectors, AnnSettings("hnsw", m=16, ef_construction=40))
    store.save(tmp_path, "vectors.npy", "ann.faiss", "nodes.npy")
    loaded = VectorStore.load(tmp_path, "vectors.npy", "ann.faiss", "nodes.npy", store.settings)
    assert isinstance(loaded.rows, RowFile)
    query = vectors[7]
    ids = np.arange(0, 2000, 37, dtype=np.int64)
    assert np.array_equal(loaded.cosines(ids, query), store.cosines(ids, query))
    scores, found = loaded.search(vectors[:4], 10)
    expected_scores, expected = store.search(vectors[:4], 10)
    assert np.array_equal(found, expected) and np.array_equal(scores, expected_scores)


def test_an_exact_store_reads_its_rows_from_the_matrix(tmp_path: Path) -> None:
    vectors = _vectors(300)
    VectorStore(vectors).save(tmp_path, "vectors.npy", "ann.faiss", "nodes.npy")
    loaded = VectorStore.load(
        tmp_path, "vectors.npy", "ann.faiss", "nodes.npy", AnnSettings("exact")
    )
    assert loaded.rows is loaded.matrix  # a scan pages it all in anyway


def test_rows_out_of_the_page_cache_are_read_the_same(tmp_path: Path) -> None:
    """Rows the page cache dropped are fetched (asked for all at once, then waited for)
    and are bit for bit the rows still cached."""
    vectors = _vectors(3000, dimension=384)
    np.save(tmp_path / "vectors.npy", vectors)
    mapped = np.load(tmp_path / "vectors.npy", mmap_mode="r")
    reader = RowFile.of(mapped)
    assert reader is not None
    ids = np.array([2999, 5, 1500, 5, 700, 0], dtype=np.int64)
    cached = reader[ids]
    fd = os.open(tmp_path / "vectors.npy", os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)  # drop it from the page cache
    finally:
        os.close(fd)
    assert np.array_equal(reader[ids], cached)
    assert np.array_equal(cached, vectors[ids])
    reader.close()
