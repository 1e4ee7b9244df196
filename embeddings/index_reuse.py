"""What a build takes over from the live index instead of computing it again.

Adding one article to an index of 100,000 sentences must take seconds. Encoding is avoided by
the vector cache already, but reading 100,000 vectors back from SQLite, running the traits'
regular expressions over 100,000 sentences, tokenising and stemming every sentence and window
for BM25, and building the HNSW graph anew each cost seconds to minutes. The live index holds
all of them for every sentence it has, so a build looks each sentence up there by its text
(what decides both its vector and its traits: the vector cache is keyed by text too; BM25
terms by text and language) and computes only what is new. The graph is extended in
``vector_store.reuse_hnsw``.

Only an index built with the same model weights is used, and only after the checks every
``ask`` makes (sizes, and hashes of changed files); anything wrong with it just means computing
everything, as a first build does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from pathlib import Path

import numpy as np
import numpy.typing as npt

from embeddings.encoder import Vectors
from embeddings.errors import IndexFormatError
from embeddings.features import SentenceTraits
from embeddings.index import traits_of, window_texts
from embeddings.index_store import (
    LEXICAL_FILE,
    LEXICAL_WINDOW_FILE,
    VECTORS_FILE,
    load_index,
    read_manifest,
)
from embeddings.language import normalise as normalise_language
from embeddings.lazy_traits import FLAG_NAMES, NAME_OFFSETS_FILE, NAMES_FILE, neighbours_of
from embeddings.lexical import KnownTokens
from embeddings.vector_store import VectorStore

logger = logging.getLogger(__name__)

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class LiveIndex:
    """The live index's vectors and traits, and the row of each sentence text in them; the
    BM25 terms of its sentences and windows (None for an index saved without them)."""

    vectors: VectorStore
    traits: SentenceTraits
    rows: dict[str, int]
    sentence_tokens: KnownTokens | None = None
    window_tokens: KnownTokens | None = None

    @property
    def known_tokens(self) -> tuple[KnownTokens | None, KnownTokens | None]:
        """For ``build_index``: the terms of the sentences and windows the live index has."""
        return self.sentence_tokens, self.window_tokens

    def rows_of(self, texts: Sequence[str]) -> IntArray:
        """The live row of each text, -1 where the live index does not have it."""
        get = self.rows.get
        return np.fromiter((get(text, -1) for text in texts), dtype=np.int64, count=len(texts))

    def encode(self, texts: Sequence[str], encode: Callable[[Sequence[str]], Vectors]) -> Vectors:
        """Vectors of ``texts``: the live index's where it has the text, ``encode`` (the
        cache, then the encoder) for the rest, called once, only when something is new."""
        rows = self.rows_of(texts)
        known = rows >= 0
        # One gather from the matrix (read whole into memory), the new rows overwritten after:
        # a zeroed result, a sort and a second copy cost 1 s of adding an article at 100,000.
        if len(texts) and len(self.vectors.matrix):
            result = np.asarray(self.vectors.matrix[np.where(known, rows, 0)], dtype=np.float32)
        else:
            result = np.zeros((len(texts), self.vectors.d), dtype=np.float32)
        missing = np.flatnonzero(~known)
        logger.info("live index: %d of %d sentence vectors reused", known.sum(), len(texts))
        if len(missing):
            result[missing] = encode([texts[n] for n in missing.tolist()])
        return result


def reused_traits(live: LiveIndex, texts: Sequence[str], docs: Sequence[int]) -> SentenceTraits:
    """``index.traits_of``, computed only for the texts the live index lacks."""
    rows = live.rows_of(texts)
    known = np.flatnonzero(rows >= 0)
    new = np.flatnonzero(rows < 0)
    fresh = traits_of([texts[n] for n in new.tolist()], [0] * len(new))
    old = live.traits
    count = len(texts)
    flags = {}
    for name in FLAG_NAMES:
        values = np.zeros(count, dtype=np.bool_)
        values[known] = np.asarray(getattr(old, name))[rows[known]]
        values[new] = np.asarray(getattr(fresh, name), dtype=np.bool_)
        flags[name] = values
    sets: dict[str, list[frozenset[str]]] = {}
    for name in ("names", "full_names"):
        column: list[frozenset[str]] = [frozenset()] * count
        stored = getattr(old, name)
        for n, row in zip(known.tolist(), rows[known].tolist(), strict=True):
            column[n] = stored[row]
        for n, value in zip(new.tolist(), getattr(fresh, name), strict=True):
            column[n] = value
        sets[name] = column
    doc = np.asarray(docs, dtype=np.int64)
    previous, following = neighbours_of(doc)
    return SentenceTraits(
        has_date=flags["has_date"],
        has_number=flags["has_number"],
        has_reason=flags["has_reason"],
        has_span=flags["has_span"],
        names=tuple(sets["names"]),
        full_names=tuple(sets["full_names"]),
        leans=flags["leans"],
        doc=doc,
        previous=previous,
        following=following,
    )


def open_live_index(index_dir: Path, weights_sha256: str) -> LiveIndex | None:
    """The live index when it was built with these weights and can be trusted, else None."""
    try:
        manifest = read_manifest(index_dir)
        if manifest.weights_sha256 != weights_sha256:
            return None
        stored = load_index(index_dir)
    except IndexFormatError as error:
        logger.info("nothing reused from the live index: %s", error)
        return None
    index = stored.index
    if index.traits is None:
        return None
    # Each stored sentence and article made once: the tables make a row on every access, and
    # window texts read each sentence three times (4.6 s at 100,000 sentences).
    sentences = tuple(index.sentences)
    documents = tuple(index.documents)
    rows: dict[str, int] = {}
    texts = [sentence.text for sentence in sentences]
    for n, text in enumerate(texts):
        rows.setdefault(text, n)
    language_of = [normalise_language(document.language) for document in documents]
    languages = [language_of[sentence.doc] for sentence in sentences]
    path = stored.path
    sentence_tokens = KnownTokens.load(path / LEXICAL_FILE, texts, languages)
    window_tokens = KnownTokens.load(
        path / LEXICAL_WINDOW_FILE, window_texts(sentences, documents), languages
    )
    # Read the matrix whole, not through the searcher's mapping: that one is advised for
    # random access, and a build reads nearly every row (3 s for 100,000 rows, page by page).
    live = index.vectors
    matrix = np.load(stored.path / VECTORS_FILE, allow_pickle=False)
    vectors = VectorStore(matrix, live.settings, live.ann, live.node_ids)
    traits = _names_parsed(index.traits, path)
    return LiveIndex(vectors, traits, rows, sentence_tokens, window_tokens)


def _names_parsed(traits: SentenceTraits, directory: Path) -> SentenceTraits:
    """``traits`` with every sentence's name sets parsed at once from the stored lines.

    The stored traits parse a sentence's line on each access, 8 microseconds, which for the
    two sets of 100,000 sentences was 1.6 s of adding one article; most lines are alike (no
    names), so each distinct line is parsed once. Unchanged when the files disagree.
    """
    try:
        blob = (directory / NAMES_FILE).read_bytes()
        offsets = np.load(directory / NAME_OFFSETS_FILE, allow_pickle=False).tolist()
    except (OSError, ValueError):
        return traits
    if len(offsets) != len(traits.names) + 1 or (offsets and offsets[-1] != len(blob)):
        return traits
    parsed: dict[bytes, tuple[frozenset[str], frozenset[str]]] = {}
    names: list[frozenset[str]] = []
    full_names: list[frozenset[str]] = []
    for start, end in pairwise(offsets):
        line = blob[start:end]
        sets = parsed.get(line)
        if sets is None:
            parts = line.decode("utf-8").split("\t")
            sets = parsed[line] = (frozenset(parts[0].split()), frozenset(parts[1].split()))
        names.append(sets[0])
        full_names.append(sets[1])
    return replace(traits, names=tuple(names), full_names=tuple(full_names))
