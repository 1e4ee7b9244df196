"""The vector store: exact scan and HNSW with exact re-scoring, checked against brute force."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from embeddings.vector_store import EXACT_BELOW, AnnSettings, VectorStore


def _clustered(count: int, dimension: int = 32, seed: int = 3) -> np.ndarray:
    """Vectors in clusters, as sentence embeddings are (uniform noise is HNSW's worst case)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(count // 50 + 1, dimension))
    vectors = centres[rng.integers(0, len(centres), count)] + 0.4 * rng.normal(
        size=(count, dimension)
    )
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors.astype(np.float32)


def _exact_top(vectors: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    return np.argsort(-(queries @ vectors.T), axis=1, kind="stable")[:, :k]


def test_the_exact_store_finds_the_brute_force_top_k() -> None:
    vectors = _clustered(500)
    store = VectorStore(vectors)
    queries = (vectors[:5] + 0.05).astype(np.float32)
    scores, ids = store.search(queries, 10)
    assert ids.tolist() == _exact_top(vectors, queries, 10).tolist()
    assert np.allclose(scores, np.take_along_axis(queries @ vectors.T, ids, axis=1), atol=1e-5)


def test_hnsw_finds_nearly_every_exact_neighbour_with_exact_scores() -> None:
    vectors = _clustered(4000)
    store = VectorStore(vectors, AnnSettings("hnsw", m=16, ef_construction=40, ef_search=64))
    assert store.ann is not None
    rng = np.random.default_rng(5)
    queries = vectors[rng.integers(0, len(vectors), 50)] + 0.1 * rng.normal(size=(50, 32))
    queries = (queries / np.linalg.norm(queries, axis=1, keepdims=True)).astype(np.float32)
    scores, ids = store.search(queries, 10)
    expected = _exact_top(vectors, queries, 10)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(ids, expected, strict=True)])
    assert recall >= 0.95
    for row, query in zip(range(len(ids)), queries, strict=True):
        assert np.allclose(scores[row], vectors[ids[row]] @ query, atol=1e-5)  # re-scored
        assert np.all(np.diff(scores[row]) <= 0)  # best first


def test_auto_is_exact_below_the_threshold_and_hnsw_above() -> None:
    assert AnnSettings("auto").resolved(EXACT_BELOW - 1).kind == "exact"
    assert AnnSettings("auto").resolved(EXACT_BELOW).kind == "hnsw"
    assert AnnSettings("exact").resolved(10 * EXACT_BELOW).kind == "exact"


def test_settings_come_from_the_environment_and_bad_ones_are_refused() -> None:
    settings = AnnSettings.from_environment(
        {"QUOTEBOT_ANN": "HNSW", "QUOTEBOT_ANN_EF_SEARCH": "9"}
    )
    assert (settings.kind, settings.ef_search) == ("hnsw", 9)
    assert AnnSettings.from_environment({}).kind == "auto"
    with pytest.raises(ValueError, match="unknown vector index"):
        AnnSettings.from_environment({"QUOTEBOT_ANN": "ivf"})
    assert AnnSettings.from_dict(settings.to_dict()) == settings


def test_a_saved_store_is_memory_mapped_and_answers_the_same(tmp_path: Path) -> None:
    vectors = _clustered(3000)
    store = VectorStore(vectors, AnnSettings("hnsw", m=16, ef_construction=40))
    store.save(tmp_path, "vectors.npy", "ann.faiss")
    loaded = VectorStore.load(tmp_path, "vectors.npy", "ann.faiss", store.settings)
    assert not loaded.matrix.flags.owndata  # one copy, on disk, mapped and paged in on use
    queries = vectors[:3]
    assert np.array_equal(loaded.search(queries, 5)[1], store.search(queries, 5)[1])
    assert np.array_equal(loaded.reconstruct_n(10, 2), vectors[10:12])
