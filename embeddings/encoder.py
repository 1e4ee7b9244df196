"""The one-method protocol every sentence encoder satisfies.

The index and the searcher depend on this protocol only, so tests can use a deterministic
hashing encoder and production can choose between torch (fast batches, for builds) and ONNX
(fast cold start, for queries) without the rest of the engine knowing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]


class Encoder(Protocol):
    """Maps texts to L2-normalised float32 vectors of a fixed dimension."""

    @property
    def dimension(self) -> int:
        """Length of every vector this encoder returns."""
        ...

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Encode texts into an array of shape (len(texts), dimension), rows of unit length."""
        ...


def normalize_rows(vectors: npt.NDArray[np.floating]) -> Vectors:
    """L2-normalise each row so that inner product equals cosine similarity.

    Zero rows stay zero instead of becoming NaN, which FAISS would propagate into every score.
    """
    array = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(array / norms, dtype=np.float32)
