"""An on-disk cache of sentence vectors, keyed by the model's weight hash and the text.

Encoding SQuAD dev (10k sentences, 10k questions) takes minutes on a small CPU; ranking
experiments should take seconds. Vectors live under ``/tmp/quotebot-vectors/<model hash>/`` in
shards (``.npz`` with the SHA-256 of each text and its vector); a later run encodes only the
texts no shard holds yet. Never used at query time: benchmarks only.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from embeddings.model import SentenceTransformerEncoder, resolve_model

logger = logging.getLogger(__name__)

DEFAULT_CACHE = Path("/tmp/quotebot-vectors")
Matrix = npt.NDArray[np.float32]


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class VectorCache:
    """``encode(texts)`` with every vector computed at most once per model."""

    def __init__(self, model: str = "all-MiniLM-L6-v2", root: Path = DEFAULT_CACHE) -> None:
        self.spec = resolve_model(model)
        self.directory = root / self.spec.weights_sha256[:16]
        self.directory.mkdir(parents=True, exist_ok=True)
        self._encoder: SentenceTransformerEncoder | None = None
        self._rows: dict[str, Matrix] = {}
        for shard in sorted(self.directory.glob("*.npz")):
            with np.load(shard, allow_pickle=False) as data:
                for key, vector in zip(data["keys"], data["vectors"], strict=True):
                    self._rows[str(key)] = vector

    def encode(self, texts: Sequence[str]) -> Matrix:
        keys = [text_key(text) for text in texts]
        by_key = dict(zip(keys, texts, strict=True))
        missing = sorted(k for k in by_key if k not in self._rows)
        if missing:
            if self._encoder is None:
                self._encoder = SentenceTransformerEncoder(self.spec)
            started = time.perf_counter()
            vectors = self._encoder.encode([by_key[k] for k in missing])
            logger.info("encoded %d texts in %.0f s", len(missing), time.perf_counter() - started)
            shard = self.directory / f"{time.time_ns()}.npz"
            np.savez(shard, keys=np.array(missing), vectors=vectors)
            for key, vector in zip(missing, vectors, strict=True):
                self._rows[key] = vector
        if not keys:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([self._rows[k] for k in keys]).astype(np.float32)
