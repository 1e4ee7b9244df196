"""Hybrid ranking: dense cosine and BM25, each weighed by its own confidence.

Neither retriever is enough alone. Dense vectors understand paraphrase ("held" ~ "in
custody") but blur names and numbers; BM25 is exact on rare words but blind to synonyms. The
fused score of a sentence is

    cosine + g * (bm25(sentence) / ceiling + bm25(title + sentence with neighbours) / ceiling')

Each retriever states its confidence:

- the lexical side through ``ceiling``, the score a sentence containing every word of the
  question would approach: the quotient is the share of the question's lexical evidence the
  sentence carries, near 0 when the question's words are absent from the corpus;
- the dense side through its margin, how far its best sentence stands above the runner-up:
  ``g`` is 1 while the margin is under 0.06 and falls to 0 at 0.085, so a dense answer that
  clearly stands out is not overturned by a sentence that merely repeats the question's words
  (a question asked in other words than the article is exactly where BM25 misleads).

Rank-based fusion (RRF) cannot express either confidence. The measurements behind these
numbers are in docs/evaluation.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from embeddings.index import SentenceIndex

CANDIDATES = 100  # from each retriever; the union is re-scored exactly
DENSE_SURE_FROM = 0.06  # dense margin (best minus runner-up cosine) where trust starts to shift
DENSE_SURE_SLOPE = 40.0  # ... and how fast: no lexical weight at 0.06 + 1/40 = 0.085

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Ranking:
    """Candidates of one question, best first, with the evidence of each retriever."""

    ids: IntArray
    fused: FloatArray
    dense: FloatArray
    lexical: FloatArray  # share of the question's lexical evidence, sentence and window summed
    lexical_weight: float = 1.0  # g above: how much the lexical side counted for this question

    @property
    def relevance(self) -> float:
        """Evidence from both retrievers for the top candidate: cosine plus lexical share.

        Abstention compares this with its threshold. It is not gated by the dense margin, so
        a question's relevance does not depend on how its candidates compare to each other.
        """
        if not len(self.ids):
            return 0.0
        return float(self.dense[0] + self.lexical[0])


def lexical_weight(dense_margin: float) -> float:
    """1 while the dense side is unsure, 0 once its best answer clearly stands out."""
    return float(np.clip(1.0 - DENSE_SURE_SLOPE * (dense_margin - DENSE_SURE_FROM), 0.0, 1.0))


def fuse(dense: FloatArray, lexical: FloatArray, weight: float) -> FloatArray:
    return (dense + weight * lexical).astype(np.float32)


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
    top_two = [score for _, score in dense_hits[:2]]
    margin = top_two[0] - top_two[1] if len(top_two) == 2 else 1.0
    weight = lexical_weight(margin)
    fused = fuse(dense, lexical[ids], weight)
    order = np.argsort(-fused, kind="stable")
    return Ranking(ids[order], fused[order], dense[order], lexical[ids][order], weight)
