"""Hybrid ranking: dense cosine and BM25, each weighed by its own confidence.

Neither retriever is enough alone. Dense vectors understand paraphrase ("held" ~ "in
custody") but blur names and numbers; BM25 is exact on rare words but blind to synonyms. The
fused score is

    cosine(question, sentence) + W * (bm25(sentence) + bm25(sentence with neighbours)) / ceiling

where ``ceiling`` is the BM25 score a sentence containing every word of the question would
approach. The lexical part is therefore the share of the question's lexical evidence that the
sentence carries: near 0 when the question's words are absent from the corpus (the dense side
then decides alone), near 1 when they are all there. Rank-based fusion (RRF) cannot express
that confidence: it gives the first lexical hit the same weight whether it matched one common
word or the whole question. The measurements behind W are in docs/evaluation.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from embeddings.index import SentenceIndex

LEXICAL_WEIGHT = 1.0
CANDIDATES = 100  # from each retriever; the union is re-scored exactly

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Ranking:
    """Candidates of one question, best first, with the evidence of each retriever."""

    ids: IntArray
    fused: FloatArray
    dense: FloatArray
    lexical: FloatArray  # share of the question's lexical evidence, sentence and window summed

    @property
    def best(self) -> tuple[float, float, float]:
        """(fused, dense, lexical) of the top candidate, or zeros when there is none."""
        if not len(self.ids):
            return (0.0, 0.0, 0.0)
        return (float(self.fused[0]), float(self.dense[0]), float(self.lexical[0]))


def fuse(dense: FloatArray, lexical: FloatArray) -> FloatArray:
    return (dense + LEXICAL_WEIGHT * lexical).astype(np.float32)


def lexical_evidence(index: SentenceIndex, question: str) -> FloatArray:
    """Per sentence, the share of the question's BM25 ceiling matched (sentence + window)."""
    sentence = index.lexical.scores(question) / max(index.lexical.ceiling(question), 1e-6)
    window = index.lexical_window.scores(question) / max(
        index.lexical_window.ceiling(question), 1e-6
    )
    return (sentence + window).astype(np.float32)


def _top(scores: FloatArray, k: int) -> IntArray:
    if k >= len(scores):
        return np.arange(len(scores), dtype=np.int64)
    return np.argpartition(-scores, k)[:k].astype(np.int64)


def rank(
    index: SentenceIndex,
    matrix: FloatArray,
    question: str,
    vector: FloatArray,
    candidates: int = CANDIDATES,
) -> Ranking:
    """Rank the union of both retrievers' candidates by the fused score.

    ``matrix`` holds the sentence vectors (rows of the FAISS index) so that sentences found
    only by BM25 get their exact cosine too.
    """
    (dense_hits,) = index.search_vectors(vector[None, :], candidates)
    lexical = lexical_evidence(index, question)
    lexical_hits = _top(lexical, candidates)
    lexical_hits = lexical_hits[lexical[lexical_hits] > 0]
    ids = np.unique(
        np.concatenate([np.array([i for i, _ in dense_hits], dtype=np.int64), lexical_hits])
    )
    dense = (matrix[ids] @ vector).astype(np.float32)
    fused = fuse(dense, lexical[ids])
    order = np.argsort(-fused, kind="stable")
    return Ranking(ids[order], fused[order], dense[order], lexical[ids][order])
