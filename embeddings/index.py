"""The sentence index: documents, their sentences, their vectors and two BM25 indexes.

Vectors are L2-normalised and compared by inner product, so scores are cosine similarities.
They live in a ``VectorStore`` (embeddings/vector_store.py): one float32 matrix, scanned exactly
while the corpus is small, searched through an HNSW graph and re-scored exactly when it is
large. A freshly built index holds tuples of documents and sentences; a loaded one holds lazy
sequences over memory-mapped arrays (embeddings/index_tables.py), so opening a million
sentences parses nothing per sentence.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import numpy.typing as npt

from embeddings.encoder import Encoder, Vectors
from embeddings.features import SentenceTraits, sentence_traits
from embeddings.language import normalise as normalise_language
from embeddings.lazy_traits import neighbours_of
from embeddings.lexical import KnownTokens, LexicalIndex, build_lexical_index
from embeddings.sentences import split_sentences
from embeddings.types import Document, Sentence
from embeddings.vector_store import AnnSettings, VectorStore, reuse_hnsw

logger = logging.getLogger(__name__)

Progress = Callable[[int], None]


@dataclass(frozen=True)
class SentenceIndex:
    """Everything a searcher needs, with ``vectors.ntotal == len(sentences)``.

    Two lexical indexes: one over each sentence alone, and one over the sentence with its
    neighbours and its article's title, because a question often names the subject in one
    sentence and asks about a fact stated in the next ("He said ..."). The quote is still the
    single sentence.
    """

    documents: Sequence[Document]
    sentences: Sequence[Sentence]
    vectors: VectorStore
    lexical: LexicalIndex
    lexical_window: LexicalIndex
    # What each sentence holds, for the ranking: computed at build, stored with the index.
    traits: SentenceTraits | None = None

    @property
    def dimension(self) -> int:
        return int(self.vectors.d)

    @cached_property
    def doc_of(self) -> npt.NDArray[np.int64]:
        """The document number of every sentence (ascending), without making Sentences."""
        column = getattr(self.sentences, "doc_of", None)
        if column is not None:
            return np.asarray(column, dtype=np.int64)
        return np.array([sentence.doc for sentence in self.sentences], dtype=np.int64)

    def first_sentence(self, doc: int) -> int:
        """Id of the first sentence of document ``doc`` (len(sentences) when it has none)."""
        return int(np.searchsorted(self.doc_of, doc, side="left"))

    def sentence_count_of(self, doc: int) -> int:
        return int(np.searchsorted(self.doc_of, doc, side="right")) - self.first_sentence(doc)

    def neighbours(self, sentence_id: int) -> tuple[Sentence | None, Sentence | None]:
        """The sentences just before and after, within the same document only."""
        sentence = self.sentences[sentence_id]
        before = self.sentences[sentence_id - 1] if sentence_id > 0 else None
        after = self.sentences[sentence_id + 1] if sentence_id + 1 < len(self.sentences) else None
        return (
            before if before is not None and before.doc == sentence.doc else None,
            after if after is not None and after.doc == sentence.doc else None,
        )

    def search_vectors(self, queries: Vectors, k: int) -> list[list[tuple[int, float]]]:
        """Top-k (sentence id, cosine) per query, best first, without FAISS's -1 padding."""
        k = min(k, len(self.sentences))
        if k <= 0:
            return [[] for _ in range(len(queries))]
        scores, ids = self.vectors.search(np.asarray(queries, dtype=np.float32), k)
        return [
            [(int(i), float(s)) for i, s in zip(row_ids, row_scores, strict=True) if i >= 0]
            for row_ids, row_scores in zip(ids, scores, strict=True)
        ]


def split_documents(documents: Sequence[Document]) -> tuple[Sentence, ...]:
    """All sentences of all documents, in document order, with offsets into each body."""
    sentences: list[Sentence] = []
    for doc_number, document in enumerate(documents):
        spans = split_sentences(document.text, normalise_language(document.language))
        for position, (start, end) in enumerate(spans):
            sentences.append(Sentence(doc_number, position, start, end, document.text[start:end]))
    return tuple(sentences)


def window_texts(sentences: Sequence[Sentence], documents: Sequence[Document]) -> list[str]:
    """Each sentence with its neighbours in the same document, after the document's title.

    The title names what the whole article is about, which its sentences often leave implicit.
    """
    texts = []
    for n, sentence in enumerate(sentences):
        parts = [documents[sentence.doc].title, sentence.text]
        if n > 0 and sentences[n - 1].doc == sentence.doc:
            parts.insert(1, sentences[n - 1].text)
        if n + 1 < len(sentences) and sentences[n + 1].doc == sentence.doc:
            parts.append(sentences[n + 1].text)
        texts.append(" ".join(parts))
    return texts


def vectors_index(
    vectors: Vectors, ann: AnnSettings | None = None, previous: VectorStore | None = None
) -> VectorStore:
    """The vector store of already normalised vectors: exact, or as ``ann`` says ("auto"
    chooses by size). With ``previous`` (the live index's store), its HNSW graph is extended
    rather than rebuilt when it can be (see ``reuse_hnsw``)."""
    matrix = np.ascontiguousarray(vectors, dtype=np.float32)
    settings = ann or AnnSettings("auto")
    reused = reuse_hnsw(previous, matrix, settings) if previous is not None else None
    return reused if reused is not None else VectorStore(matrix, settings)


def build_index(
    documents: Sequence[Document],
    encoder: Encoder,
    encode: Callable[[Sequence[str]], Vectors] | None = None,
    split: Callable[[Sequence[Document]], tuple[Sentence, ...]] = split_documents,
    ann: AnnSettings | None = None,
    previous: VectorStore | None = None,
    traits: Callable[[Sequence[str], Sequence[int]], SentenceTraits] | None = None,
    known_tokens: tuple[KnownTokens | None, KnownTokens | None] = (None, None),
) -> SentenceIndex:
    """Split and encode documents; ``encode`` may wrap the encoder (progress, a vector cache)
    and ``split`` the splitter (a span cache); ``ann`` chooses the vector search (default:
    exact below ``EXACT_BELOW`` sentences, HNSW above); ``previous`` is the live index's
    vector store, whose HNSW graph is reused when the corpus changed little; ``traits``
    replaces ``traits_of`` (with one that copies the live index's); ``known_tokens`` are the
    live index's terms of its sentences and windows, so that only new ones are tokenised."""
    sentences = split(documents)
    texts = [sentence.text for sentence in sentences]
    vectors = (encode or encoder.encode)(texts)
    if vectors.shape != (len(texts), encoder.dimension):
        raise ValueError(
            f"encoder returned shape {vectors.shape}, expected {(len(texts), encoder.dimension)}"
        )
    logger.info("encoded %d sentences of %d documents", len(sentences), len(documents))
    # Each sentence is stemmed in its article's language.
    languages = [normalise_language(documents[sentence.doc].language) for sentence in sentences]
    return SentenceIndex(
        tuple(documents),
        sentences,
        vectors_index(vectors, ann or AnnSettings("auto"), previous),
        build_lexical_index(texts, languages=languages, known=known_tokens[0]),
        build_lexical_index(
            window_texts(sentences, documents), languages=languages, known=known_tokens[1]
        ),
        (traits or traits_of)(texts, [sentence.doc for sentence in sentences]),
    )


def traits_of(texts: Sequence[str], docs: Sequence[int]) -> SentenceTraits:
    """``sentence_traits``, running the regular expressions once per distinct text (a
    syndicated sentence, a repeated boilerplate line)."""
    distinct = list(dict.fromkeys(texts))
    if len(distinct) == len(texts):
        return sentence_traits(texts, docs)
    row = {text: n for n, text in enumerate(distinct)}
    rows = np.array([row[text] for text in texts], dtype=np.int64)
    once = sentence_traits(distinct, [0] * len(distinct))
    whole = sentence_traits([], [])
    previous, following = neighbours_of(np.asarray(docs, dtype=np.int64))
    return replace(
        whole,
        has_date=once.has_date[rows],
        has_number=once.has_number[rows],
        has_reason=once.has_reason[rows],
        has_span=once.has_span[rows],
        names=tuple(once.names[n] for n in rows.tolist()),
        full_names=tuple(once.full_names[n] for n in rows.tolist()),
        leans=once.leans[rows],
        doc=np.asarray(docs, dtype=np.int64),
        previous=previous,
        following=following,
    )
