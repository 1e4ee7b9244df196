"""The sentence vectors: one float32 matrix, and an approximate FAISS index when it is large.

There is one copy of the vectors: a ``(sentences, dimension)`` float32 matrix (memory-mapped
from ``vectors.npy`` once saved). Below ``EXACT_BELOW`` sentences a question is compared with
every row (``faiss.knn`` over the matrix: exact, no training, reproducible). Above it a scan
costs too much (a million rows is 1.5 GB read per question), so an HNSW graph over 8-bit
scalar-quantised codes (a quarter of the matrix's size) proposes candidates and each is
re-scored exactly from the matrix, so the fusion always sees true cosines. The settings are
recorded in the manifest; ``ef_search`` can be raised at load time for more recall.

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

logger = logging.getLogger(__name__)

Matrix = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]

# Sentences. Measured on the 2-core machine under load (benchmarks/README.md): an exact scan
# for 100 candidates took 20 ms (p50) at 50,000 vectors and 40 ms at 100,000, HNSW 0.4 ms at
# 100,000; below 25,000 the scan stays within a few milliseconds and is exact.
EXACT_BELOW = 25_000
ANN_KINDS = ("auto", "exact", "hnsw")
ANN_ENVIRONMENT = "QUOTEBOT_ANN"  # auto | exact | hnsw, read by entry points only
EF_SEARCH_ENVIRONMENT = "QUOTEBOT_ANN_EF_SEARCH"


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

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> AnnSettings:
        """``QUOTEBOT_ANN`` and ``QUOTEBOT_ANN_EF_SEARCH``; ValueError when malformed."""
        kind = environ.get(ANN_ENVIRONMENT, "auto").strip().lower() or "auto"
        ef_search = environ.get(EF_SEARCH_ENVIRONMENT, "").strip()
        return cls(kind, ef_search=int(ef_search) if ef_search else cls.ef_search)


class VectorStore:
    """Exact cosines from the matrix; top-k by exact scan or by HNSW plus exact re-scoring.

    Safe to share between threads (searches only read). ``d``, ``ntotal`` and
    ``reconstruct_n`` mirror FAISS's names so that callers written for a flat index work.
    """

    def __init__(
        self, matrix: Matrix, settings: AnnSettings | None = None, ann: Any = None
    ) -> None:
        if matrix.ndim != 2 or matrix.dtype != np.float32:
            raise ValueError(f"vectors must be a 2-d float32 matrix, not {matrix.dtype}")
        self.matrix = matrix
        self.settings = (settings or AnnSettings("exact")).resolved(len(matrix))
        if self.settings.kind == "hnsw" and ann is None:
            ann = build_hnsw(matrix, self.settings)
        self.ann = ann if self.settings.kind == "hnsw" else None
        if self.ann is not None:
            if int(self.ann.ntotal) != len(matrix):
                raise ValueError(f"the HNSW index holds {self.ann.ntotal} of {len(matrix)} rows")
            self.ann.hnsw.efSearch = self.settings.ef_search

    @property
    def d(self) -> int:
        return int(self.matrix.shape[1])

    @property
    def ntotal(self) -> int:
        return int(self.matrix.shape[0])

    def reconstruct_n(self, start: int, count: int) -> Matrix:
        return np.array(self.matrix[start : start + count], dtype=np.float32)

    def cosines(self, ids: IntArray, vector: Matrix) -> Matrix:
        """Exact cosine of each sentence ``ids[i]`` with the (normalised) query vector."""
        if not len(ids):
            return np.zeros(0, dtype=np.float32)
        return (np.asarray(self.matrix[np.asarray(ids)]) @ vector).astype(np.float32)

    def search(self, queries: Matrix, k: int) -> tuple[Matrix, IntArray]:
        """FAISS's ``search``: (scores, ids) of the top ``k`` rows per query, best first.

        Scores are exact cosines either way; rows beyond the index size are padded with -1.
        """
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        if self.ann is None:
            scores, ids = faiss.knn(queries, self.matrix, k, metric=faiss.METRIC_INNER_PRODUCT)
            return scores.astype(np.float32), ids.astype(np.int64)
        _, found = self.ann.search(queries, k)
        scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
        ids = np.full((len(queries), k), -1, dtype=np.int64)
        for row, (query, candidates) in enumerate(zip(queries, found, strict=True)):
            valid = candidates[candidates >= 0].astype(np.int64)
            exact = self.cosines(valid, query)
            order = np.argsort(-exact, kind="stable")
            scores[row, : len(valid)] = exact[order]
            ids[row, : len(valid)] = valid[order]
        return scores, ids

    def save(self, directory: Path, vectors_file: str, ann_file: str) -> None:
        np.save(directory / vectors_file, np.ascontiguousarray(self.matrix), allow_pickle=False)
        if self.ann is not None:
            faiss.write_index(self.ann, str(directory / ann_file))

    @classmethod
    def load(
        cls, directory: Path, vectors_file: str, ann_file: str, settings: AnnSettings
    ) -> VectorStore:
        """The matrix memory-mapped, the HNSW index (when there is one) with its codes mapped."""
        mapped = np.load(directory / vectors_file, mmap_mode="r", allow_pickle=False)
        # Rows are read at random (a question's candidates): without this, the kernel reads
        # ahead around every row and the whole matrix ends up resident (2.4 GB at a million).
        raw = getattr(mapped, "_mmap", None)
        if raw is not None and hasattr(mmap, "MADV_RANDOM"):
            raw.madvise(mmap.MADV_RANDOM)
        matrix = np.asarray(mapped)
        ann = None
        if settings.kind == "hnsw":
            ann = faiss.read_index(str(directory / ann_file), faiss.IO_FLAG_MMAP_IFC)
        return cls(matrix, settings, ann)


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
