"""The vector store: exact scan and HNSW with exact re-scoring, checked against brute force."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from embeddings.vector_store import (
    EXACT_BELOW,
    MAX_TOMBSTONE_FRACTION,
    AnnSettings,
    VectorStore,
    matching_rows,
    reuse_hnsw,
)


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


def test_settings_survive_the_manifest_and_bad_ones_are_refused() -> None:
    settings = AnnSettings("hnsw", ef_search=9)
    assert AnnSettings.from_dict(settings.to_dict()) == settings
    with pytest.raises(ValueError, match="unknown vector index"):
        AnnSettings("ivf")


def test_a_saved_store_is_memory_mapped_and_answers_the_same(tmp_path: Path) -> None:
    vectors = _clustered(3000)
    store = VectorStore(vectors, AnnSettings("hnsw", m=16, ef_construction=40))
    store.save(tmp_path, "vectors.npy", "ann.faiss", "nodes.npy")
    loaded = VectorStore.load(tmp_path, "vectors.npy", "ann.faiss", "nodes.npy", store.settings)
    assert not loaded.matrix.flags.owndata  # one copy, on disk, mapped and paged in on use
    queries = vectors[:3]
    assert np.array_equal(loaded.search(queries, 5)[1], store.search(queries, 5)[1])
    assert np.array_equal(loaded.reconstruct_n(10, 2), vectors[10:12])


GRAPH = AnnSettings("hnsw", m=32, ef_construction=80, ef_search=256)


def _recall(store: VectorStore, vectors: np.ndarray, queries: np.ndarray, k: int = 10) -> float:
    """Recall@k of the best k of 100 re-scored candidates, as the searcher asks for them."""
    _, ids = store.search(queries, 100)
    ids = ids[:, :k]
    expected = _exact_top(vectors, queries, k)
    return float(np.mean([len(set(a) & set(b)) / k for a, b in zip(ids, expected, strict=True)]))


def _queries(vectors: np.ndarray, count: int = 200, seed: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    noise = 0.1 * rng.normal(size=(count, vectors.shape[1]))
    queries = vectors[rng.integers(0, len(vectors), count)] + noise
    return (queries / np.linalg.norm(queries, axis=1, keepdims=True)).astype(np.float32)


def _edited(vectors: np.ndarray, removed: int, added: int, seed: int = 7) -> np.ndarray:
    """``vectors`` less ``removed`` rows, plus ``added`` new ones, in a new order (articles
    inserted and deleted in the middle of a corpus)."""
    rng = np.random.default_rng(seed)
    kept = np.delete(vectors, rng.choice(len(vectors), removed, replace=False), axis=0)
    new = _clustered(added, seed=seed + 1)
    combined = np.concatenate([kept, new])
    return combined[rng.permutation(len(combined))]


def test_a_reused_graph_keeps_recall_against_exact_search(tmp_path: Path) -> None:
    vectors = _clustered(5000)
    fresh = VectorStore(vectors, GRAPH)
    fresh.save(tmp_path, "vectors.npy", "ann.faiss", "nodes.npy")
    live = VectorStore.load(tmp_path, "vectors.npy", "ann.faiss", "nodes.npy", GRAPH)
    edited = _edited(vectors, removed=300, added=400)
    reused = reuse_hnsw(live, edited, GRAPH)
    assert reused is not None
    assert reused.describe()["graph_nodes"] == 5400 and reused.tombstones == 300
    queries = _queries(edited)
    assert _recall(reused, edited, queries) >= 0.99
    # Every answer is a row of the new matrix with its exact cosine, never a removed one.
    scores, ids = reused.search(queries, 10)
    assert ids.min() >= 0 and ids.max() < len(edited)
    assert np.allclose(scores, np.einsum("qkd,qd->qk", edited[ids], queries), atol=1e-5)
    # ... also after a save and a load, and a second reuse on top of the first.
    reused.save(tmp_path, "vectors.npy", "ann.faiss", "nodes.npy")
    again = VectorStore.load(tmp_path, "vectors.npy", "ann.faiss", "nodes.npy", GRAPH)
    assert np.array_equal(again.search(queries, 10)[1], ids)
    twice = reuse_hnsw(again, _edited(edited, removed=100, added=100, seed=9), GRAPH)
    assert twice is not None and twice.tombstones == 400
    assert _recall(twice, twice.matrix, _queries(twice.matrix)) >= 0.99


def test_the_new_rows_are_found_and_the_removed_ones_never_are() -> None:
    vectors = _clustered(3000)
    live = VectorStore(vectors, GRAPH)
    new = _clustered(50, seed=11)
    edited = np.concatenate([new, vectors[100:]])  # rows 0-99 removed, 50 added in front
    reused = reuse_hnsw(live, edited, GRAPH)
    assert reused is not None
    _, ids = reused.search(new, 1)
    assert ids[:, 0].tolist() == list(range(50))  # each new vector finds itself
    _, ids = reused.search(vectors[:100], 10)
    assert set(ids.ravel().tolist()) <= set(range(len(edited)))


def test_too_many_tombstones_or_other_parameters_build_the_graph_afresh() -> None:
    vectors = _clustered(2000)
    live = VectorStore(vectors, GRAPH)
    removed = int(MAX_TOMBSTONE_FRACTION * 2000) + 50
    assert reuse_hnsw(live, vectors[removed:], GRAPH) is None
    assert reuse_hnsw(live, vectors[10:], AnnSettings("hnsw", m=16)) is None
    assert reuse_hnsw(live, vectors[10:], AnnSettings("exact")) is None
    assert reuse_hnsw(VectorStore(vectors), vectors[10:], GRAPH) is None


def test_repeated_vectors_each_take_their_own_row() -> None:
    vectors = _clustered(10)
    old = np.concatenate([vectors, vectors[:3]])  # rows 0-2 twice
    new = np.concatenate([vectors[:3], vectors[:3], vectors[:3], vectors[5:]])
    new_rows, old_rows = matching_rows(new, old)
    assert len(set(old_rows.tolist())) == len(old_rows)
    assert np.array_equal(old[old_rows], new[new_rows])
    assert len(new_rows) == 6 + 5  # the third copy of rows 0-2 has no old row left
