"""The sentence vectors: one float32 matrix, and an approximate FAISS index when it is large.

There is one copy of the vectors: a ``(sentences, dimension)`` float32 matrix (memory-mapped
from ``vectors.npy`` once saved). Below ``EXACT_BELOW`` sentences a question is compared with
every row (``faiss.knn`` over the matrix: exact, no training, reproducible). Above it a scan
costs too much (a million rows is 1.5 GB read per question), so an HNSW graph over 8-bit
scalar-quantised codes (a quarter of the matrix's size) proposes candidates and each is
re-scored exactly from the matrix, so the fusion always sees true cosines. The settings are
recorded in the manifest; ``ef_search`` can be raised at load time for more recall.

The graph outlives a build. Building it is most of a large build's time (90 s of CPU at 100,000
sentences), so a build that differs from the live index by a few articles copies the live graph
and adds only the new sentences' vectors (``reuse_hnsw``). Graph nodes therefore have their own
numbering: ``node_ids`` maps each node to its sentence (the matrix row), and a node whose
sentence is gone holds -1, a tombstone that searches skip (a FAISS ``IDSelectorBitmap``). When
tombstones would pass ``MAX_TOMBSTONE_FRACTION`` of the nodes, the graph is built afresh
(compaction). The matrix itself is always written in sentence order, so exact search and the
exact re-scoring never see the graph's numbering.

Why HNSW with 8-bit codes: measured in benchmarks/scale.py (see benchmarks/README.md), it keeps
recall@10 against exact search above 0.99 at a fraction of the flat scan's time, and its codes
and graph take about 0.6 GB at a million sentences, where HNSW over float32 would add 1.5 GB.
"""

from __future__ import annotations

import logging
import mmap
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt

from embeddings.vector_rows import RowFile

logger = logging.getLogger(__name__)

Matrix = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]

# Sentences. Measured on the 2-core machine under load (benchmarks/README.md): an exact scan
# for 100 candidates took 20 ms (p50) at 50,000 vectors and 40 ms at 100,000, HNSW 0.4 ms at
# 100,000; below 25,000 the scan stays within a few milliseconds and is exact.
EXACT_BELOW = 25_000
# Past this share of dead nodes a build rebuilds the graph instead of extending it: dead nodes
# cost memory and search time (they are still walked through), and a fifth keeps both small.
MAX_TOMBSTONE_FRACTION = 0.2
# Set by QUOTEBOT_ANN and QUOTEBOT_ANN_EF_SEARCH (read in bot/settings.py, not here).
ANN_KINDS = ("auto", "exact", "hnsw")


@dataclass(frozen=True)
class AnnSettings:
    """How the vectors are searched: ``kind`` "exact" or "hnsw" (and "auto" before a build)."""

    kind: str = "auto"
    m: int = 32  # graph degree
    ef_construction: int = 80
    # Candidates explored per question. Measured (benchmarks/README.md): recall@10 of the best
    # 10 of 100 at a million near-duplicate-heavy sentences 0.90 at 128, 0.976 at 512, 0.988 at
    # 1024 (a few ms); 1.000 at 100,000 from 512.
    ef_search: int = 1024

    def __post_init__(self) -> None:
        if self.kind not in ANN_KINDS:
            raise ValueError(f"unknown vector index {self.kind!r}; use one of {ANN_KINDS}")
        if min(self.m, self.ef_construction, self.ef_search) < 1:
            raise ValueError("HNSW parameters must be positive")

    def resolved(self, count: int) -> AnnSettings:
        """ "auto" made concrete for ``count`` sentences."""
        if self.kind != "auto":
            return self
        kind = "exact" if count < EXACT_BELOW else "hnsw"
        return AnnSettings(kind, self.m, self.ef_construction, self.ef_search)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AnnSettings:
        return cls(
            str(data.get("kind", "exact")),
            int(data.get("m", 32)),
            int(data.get("ef_construction", 80)),
            int(data.get("ef_search", 1024)),
        )


class VectorStore:
    """Exact cosines from the matrix; top-k by exact scan or by HNSW plus exact re-scoring.

    Safe to share between threads (searches only read). ``d``, ``ntotal`` and
    ``reconstruct_n`` mirror FAISS's names so that callers written for a flat index work.
    ``node_ids`` maps HNSW node -> sentence (-1: a tombstone); None means node n is sentence n
    (a graph built afresh).
    """

    def __init__(
        self,
        matrix: Matrix,
        settings: AnnSettings | None = None,
        ann: Any = None,
        node_ids: IntArray | None = None,
    ) -> None:
        if matrix.ndim != 2 or matrix.dtype != np.float32:
            raise ValueError(f"vectors must be a 2-d float32 matrix, not {matrix.dtype}")
        self.matrix = matrix
        # Where a question's rows are read: the matrix, or (loaded HNSW) its file by pread
        # (embeddings/vector_rows.py: mapped rows stayed resident, 785 MiB at a million).
        self.rows: Any = matrix
        # The build folder a loaded store was read from (None: built in memory).
        self.directory: Path | None = None
        self.settings = (settings or AnnSettings("exact")).resolved(len(matrix))
        if self.settings.kind == "hnsw" and ann is None:
            ann, node_ids = build_hnsw(matrix, self.settings), None
        self.ann = ann if self.settings.kind == "hnsw" else None
        self.node_ids: IntArray | None = None
        self._params: Any = None
        if self.ann is not None:
            self.node_ids = _checked_nodes(node_ids, int(self.ann.ntotal), len(matrix))
            self.ann.hnsw.efSearch = self.settings.ef_search
            self._params = _search_parameters(self.node_ids, self.settings.ef_search)

    @property
    def d(self) -> int:
        return int(self.matrix.shape[1])

    @property
    def ntotal(self) -> int:
        return int(self.matrix.shape[0])

    @property
    def tombstones(self) -> int:
        """Graph nodes whose sentence is gone (skipped by every search)."""
        return 0 if self.node_ids is None else int(np.count_nonzero(self.node_ids < 0))

    @property
    def rows_file(self) -> Path | None:
        """The file whose rows are read with ``pread`` (so never through the mapping)."""
        return self.rows.path if isinstance(self.rows, RowFile) else None

    def describe(self) -> dict[str, Any]:
        """The settings and, for HNSW, the graph's size: what the manifest records."""
        described = self.settings.to_dict()
        if self.ann is not None:
            described.update(
                graph_nodes=int(self.ann.ntotal),
                tombstones=self.tombstones,
                codes="SQ8",  # build_hnsw: the graph holds 8-bit scalar-quantised rows
            )
        return described

    def reconstruct_n(self, start: int, count: int) -> Matrix:
        return np.array(self.matrix[start : start + count], dtype=np.float32)

    def cosines(self, ids: IntArray, vector: Matrix) -> Matrix:
        """Exact cosine of each sentence ``ids[i]`` with the (normalised) query vector."""
        if not len(ids):
            return np.zeros(0, dtype=np.float32)
        return (np.asarray(self.rows[np.asarray(ids)]) @ vector).astype(np.float32)

    def search(self, queries: Matrix, k: int) -> tuple[Matrix, IntArray]:
        """FAISS's ``search``: (scores, ids) of the top ``k`` rows per query, best first.

        Scores are exact cosines either way; rows beyond the index size are padded with -1.
        """
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        if self.ann is None:
            scores, ids = faiss.knn(queries, self.matrix, k, metric=faiss.METRIC_INNER_PRODUCT)
            return scores.astype(np.float32), ids.astype(np.int64)
        _, found = self.ann.search(queries, k, params=self._params)
        if self.node_ids is not None:
            found = np.where(found >= 0, self.node_ids[np.maximum(found, 0)], -1)
        scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
        ids = np.full((len(queries), k), -1, dtype=np.int64)
        for row, (query, candidates) in enumerate(zip(queries, found, strict=True)):
            valid = candidates[candidates >= 0].astype(np.int64)
            exact = self.cosines(valid, query)
            order = np.argsort(-exact, kind="stable")
            scores[row, : len(valid)] = exact[order]
            ids[row, : len(valid)] = valid[order]
        return scores, ids

    def save(self, directory: Path, vectors_file: str, ann_file: str, nodes_file: str) -> None:
        """The matrix in sentence order; for HNSW the graph and its node -> sentence map."""
        np.save(directory / vectors_file, np.ascontiguousarray(self.matrix), allow_pickle=False)
        if self.ann is not None:
            faiss.write_index(self.ann, str(directory / ann_file))
            nodes = self.node_ids
            if nodes is None:
                nodes = np.arange(self.ann.ntotal, dtype=np.int64)
            np.save(directory / nodes_file, nodes, allow_pickle=False)

    @classmethod
    def load(
        cls,
        directory: Path,
        vectors_file: str,
        ann_file: str,
        nodes_file: str,
        settings: AnnSettings,
    ) -> VectorStore:
        """The matrix memory-mapped, the HNSW index (when there is one) with its codes mapped."""
        mapped = np.load(directory / vectors_file, mmap_mode="r", allow_pickle=False)
        # Rows are read at random (a question's candidates): without this, the kernel reads
        # ahead around every row and the whole matrix ends up resident (2.4 GB at a million).
        raw = getattr(mapped, "_mmap", None)
        if raw is not None and hasattr(mmap, "MADV_RANDOM"):
            raw.madvise(mmap.MADV_RANDOM)
        matrix = np.asarray(mapped)
        ann = nodes = None
        if settings.kind == "hnsw":
            ann = faiss.read_index(str(directory / ann_file), faiss.IO_FLAG_MMAP_IFC)
            nodes = np.load(directory / nodes_file, allow_pickle=False)
        store = cls(matrix, settings, ann, nodes)
        store.directory = directory
        reader = RowFile.of(mapped) if store.ann is not None else None
        if reader is not None:
            store.rows = reader
        return store


def _checked_nodes(nodes: IntArray | None, graph_size: int, rows: int) -> IntArray | None:
    """``nodes`` (None for the identity) once it maps the graph onto every row exactly once."""
    if nodes is None:
        if graph_size != rows:
            raise ValueError(f"the HNSW index holds {graph_size} of {rows} rows")
        return None
    nodes = np.asarray(nodes, dtype=np.int64)
    if nodes.shape != (graph_size,):
        raise ValueError(f"{nodes.shape} node ids for an HNSW index of {graph_size} nodes")
    live = nodes[nodes >= 0]
    if len(live) != rows or (len(nodes) and nodes.min() < -1) or (rows and live.max() >= rows):
        raise ValueError(f"the HNSW index maps {len(live)} nodes onto {rows} rows")
    if rows and not np.all(np.bincount(live, minlength=rows) == 1):
        raise ValueError("the HNSW index maps two nodes onto one row")
    if len(live) == graph_size and np.array_equal(live, np.arange(rows)):
        return None  # the identity: no mapping to apply per search
    return nodes


def _search_parameters(nodes: IntArray | None, ef_search: int) -> Any:
    """Search parameters that skip tombstones (None when there are none)."""
    if nodes is None or not np.any(nodes < 0):
        return None
    bitmap = np.packbits(nodes >= 0, bitorder="little")  # IDSelectorBitmap's bit order
    selector = faiss.IDSelectorBitmap(len(nodes), faiss.swig_ptr(bitmap))
    params = faiss.SearchParametersHNSW(sel=selector, efSearch=ef_search)  # type: ignore[attr-defined]
    params.referenced_objects = [bitmap, selector]  # FAISS holds raw pointers to both
    return params


def reuse_hnsw(previous: VectorStore, matrix: Matrix, settings: AnnSettings) -> VectorStore | None:
    """A store over ``matrix`` whose graph is ``previous``'s graph plus the new rows, or None
    when the graph must be built afresh (no graph, other parameters, or too many tombstones).

    A row of ``matrix`` equal (bit for bit) to a row of ``previous.matrix`` takes over that
    row's node; the other rows are added to a copy of the graph; nodes left without a row become
    tombstones. ``previous`` is not modified: its graph may be the live index's, memory-mapped.
    """
    settings = settings.resolved(len(matrix))
    old = previous.settings
    if (
        settings.kind != "hnsw"
        or previous.ann is None
        or previous.d != matrix.shape[1]
        or (old.m, old.ef_construction) != (settings.m, settings.ef_construction)
    ):
        return None
    graph_size = int(previous.ann.ntotal)
    old_nodes = (
        np.arange(graph_size, dtype=np.int64) if previous.node_ids is None else previous.node_ids
    )
    node_of_row = np.full(previous.ntotal, -1, dtype=np.int64)
    live = old_nodes >= 0
    node_of_row[old_nodes[live]] = np.flatnonzero(live)
    new_rows, old_rows = matching_rows(matrix, previous.matrix)
    fresh = np.setdiff1d(np.arange(len(matrix), dtype=np.int64), new_rows, assume_unique=True)
    size = graph_size + len(fresh)
    tombstones = size - len(matrix)
    if tombstones > MAX_TOMBSTONE_FRACTION * size:
        logger.info("HNSW graph rebuilt: %d of %d nodes would be tombstones", tombstones, size)
        return None
    ann: Any = faiss.deserialize_index(faiss.serialize_index(previous.ann))  # writable copy
    nodes = np.full(size, -1, dtype=np.int64)
    nodes[node_of_row[old_rows]] = new_rows
    if len(fresh):
        ann.hnsw.efConstruction = settings.ef_construction
        ann.add(np.ascontiguousarray(matrix[fresh], dtype=np.float32))
        nodes[graph_size:] = fresh
    logger.info(
        "HNSW graph reused: %d nodes kept, %d added, %d tombstones",
        len(new_rows),
        len(fresh),
        tombstones,
    )
    return VectorStore(matrix, settings, ann, nodes)


_HASH_CHUNK = 65_536  # rows compared at a time: bounded temporary memory at any size


def _row_hashes(matrix: Matrix) -> npt.NDArray[np.uint64]:
    """A 64-bit hash of each row's bytes (Python's own: 0.1 s per 100,000 rows of 384
    floats). Equal rows have equal hashes; ``matching_rows`` compares rows that collide."""
    return np.fromiter(
        (hash(row.tobytes()) for row in matrix), dtype=np.int64, count=len(matrix)
    ).view(np.uint64)


def _with_occurrence(hashes: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """Hashes made distinct for repeated rows: the n-th equal row gets its own key, so that
    two sentences with one vector (a repeated line) take two different old rows."""
    order = np.argsort(hashes, kind="stable")
    ordered = hashes[order]
    positions = np.arange(len(hashes), dtype=np.int64)
    starts = np.ones(len(hashes), dtype=bool)
    starts[1:] = ordered[1:] != ordered[:-1]
    first = np.maximum.accumulate(np.where(starts, positions, 0))
    occurrence = np.empty(len(hashes), dtype=np.uint64)
    occurrence[order] = (positions - first).astype(np.uint64)
    with np.errstate(over="ignore"):
        keyed: npt.NDArray[np.uint64] = hashes + occurrence * np.uint64(0xC2B2AE3D27D4EB4F)
    return keyed


def matching_rows(new: Matrix, old: Matrix) -> tuple[IntArray, IntArray]:
    """Pairs (new row, old row) of bit-identical rows, each old row used at most once, in
    ascending order of new row."""
    if not len(new) or not len(old):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    old_keys = _with_occurrence(_row_hashes(old))
    new_keys = _with_occurrence(_row_hashes(new))
    order = np.argsort(old_keys, kind="stable")
    sorted_keys = old_keys[order]
    at = np.minimum(np.searchsorted(sorted_keys, new_keys), len(order) - 1)
    hit = sorted_keys[at] == new_keys
    new_rows = np.flatnonzero(hit).astype(np.int64)
    old_rows = order[at[hit]].astype(np.int64)
    _, first = np.unique(old_rows, return_index=True)  # a hash collision: one row once
    keep = np.sort(first)
    new_rows, old_rows = new_rows[keep], old_rows[keep]
    same = np.ones(len(new_rows), dtype=bool)
    for start in range(0, len(new_rows), _HASH_CHUNK):
        part = slice(start, start + _HASH_CHUNK)
        same[part] = np.all(
            np.asarray(old[old_rows[part]]) == np.asarray(new[new_rows[part]]), axis=1
        )
    return new_rows[same], old_rows[same]


def build_hnsw(matrix: Matrix, settings: AnnSettings) -> Any:
    """An HNSW graph over 8-bit scalar-quantised copies of the rows (inner product)."""
    index = faiss.IndexHNSWSQ(
        int(matrix.shape[1]),
        faiss.ScalarQuantizer.QT_8bit,  # type: ignore[arg-type]
        settings.m,
        faiss.METRIC_INNER_PRODUCT,
    )
    index.hnsw.efConstruction = settings.ef_construction
    data = np.ascontiguousarray(matrix, dtype=np.float32)
    index.train(data)
    index.add(data)
    logger.info("HNSW graph over %d vectors (M=%d)", len(matrix), settings.m)
    return index
