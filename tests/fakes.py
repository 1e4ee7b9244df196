"""Deterministic stand-ins for the expensive parts (the neural encoder, Telegram's servers).

The hashing encoder is a real bag-of-words encoder, not a mock: sentences that share words get
similar vectors, so retrieval over it behaves like retrieval, only without a model.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from embeddings.encoder import Vectors, normalize_rows
from embeddings.index import SentenceIndex, build_index
from embeddings.index_store import Manifest
from embeddings.search import Searcher
from embeddings.types import Document

_WORD = re.compile(r"\w+")


class HashingEncoder:
    """Feature-hashing bag of lower-cased words; fast, deterministic, no model."""

    def __init__(self, dimension: int = 256) -> None:
        self._dimension = dimension
        self.calls = 0

    @property
    def dimension(self) -> int:
        return self._dimension

    def encode(self, texts: Sequence[str]) -> Vectors:
        self.calls += 1
        vectors = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                bucket = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest())
                vectors[row, bucket % self._dimension] += 1.0
        return normalize_rows(vectors)


class TranslatingEncoder(HashingEncoder):
    """A fake multilingual encoder: words found in a small dictionary are replaced by their
    English translation before hashing, so a question and its translation get the same vector
    (what a multilingual sentence model does, deterministically and for a few words only)."""

    def __init__(self, dictionary: dict[str, str], dimension: int = 256) -> None:
        super().__init__(dimension)
        self._dictionary = dictionary

    def encode(self, texts: Sequence[str]) -> Vectors:
        translated = [
            " ".join(self._dictionary.get(word, word) for word in _WORD.findall(text.lower()))
            for text in texts
        ]
        return super().encode(translated)


def fake_manifest(index: SentenceIndex, **changes: object) -> Manifest:
    """A manifest for an index built with ``HashingEncoder`` (no model files behind it)."""
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


def titled_searcher(**articles: tuple[str, str]) -> Searcher:
    """A searcher with the hashing encoder over articles given as id=(title, text)."""
    documents = [Document(id=n, title=title, text=text) for n, (title, text) in articles.items()]
    return Searcher(build_index(documents, HashingEncoder()), HashingEncoder(), "hashing")


def low_threshold_searcher(text: str, title: str = "Article") -> Searcher:
    """A searcher over one article whose thresholds (answered from 0.01, related from 0.005)
    are low enough that the hashing encoder's ordinary judgement answers the closest
    passages: a test that the question is still not answered tests the rule that caps it."""
    return low_threshold_articles(a=(title, text))


def low_threshold_articles(**articles: tuple[str, str]) -> Searcher:
    """``low_threshold_searcher`` over articles given as id=(title, text)."""
    documents = [Document(id=n, title=title, text=text) for n, (title, text) in articles.items()]
    index = build_index(documents, HashingEncoder())
    return Searcher(index, HashingEncoder(), "hashing", abstain_below=0.01, related_below=0.005)
