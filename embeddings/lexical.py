"""A BM25 index over sentences, in plain numpy.

Dense vectors miss exact names, numbers and rare words ("Shufrich", "67"); BM25 catches them.
It is written here in a few dozen lines instead of taken from a library because the query path
must start fast: the libraries we measured pull in scipy, which alone costs half a second of
every cold ``quotebot ask``. Words are lower-cased, English stop words dropped, and the rest
stemmed with the Snowball stemmer (PyStemmer), so "prisoners" matches "prisoner".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

# Sentences are short: a term seldom repeats (weak saturation, low k1) and length says little
# about relevance (weak normalisation, low b). Lucene's 1.2/0.75 lose 3-4 points of P@1 on
# SQuAD; see docs/evaluation.md for the sweep.
K1 = 0.7
B = 0.3
# Goes into the corpus fingerprint: change it whenever tokenising, weighting or the window
# text changes, so that existing indexes are rebuilt instead of silently disagreeing.
LEXICAL_VERSION = f"2;k1={K1};b={B};window=title+1"
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)

# A standard English stop-word list (the one of Lucene/Elasticsearch, extended with the
# question words and auxiliaries that every question has and no answer needs).
STOP_WORDS = frozenset(
    """a an and are as at be but by for if in into is it no not of on or such that the their
    then there these they this to was will with what which who whom whose when where why how
    does do did done has have had having been being am were i me my we our you your he him his
    she her its them those from about than so can could would should shall may might must also
    just very any all some each other more most much many own same only both few nor too
    s t don doesn didn isn wasn aren weren won wouldn shouldn couldn hasn haven hadn""".split()
)


@lru_cache(maxsize=1)
def _stemmer() -> object:
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(text: str) -> list[str]:
    """Lower-cased, stop words removed, stemmed: the terms BM25 matches on."""
    words = [w for w in _WORD.findall(text.lower().replace("’", "'")) if w not in STOP_WORDS]
    stems: list[str] = _stemmer().stemWords(words)  # type: ignore[attr-defined]
    return stems


@dataclass(frozen=True)
class LexicalIndex:
    """Term-major postings with precomputed BM25 weights: a query sums a few short arrays."""

    vocabulary: dict[str, int]
    offsets: npt.NDArray[np.int64]  # postings of term t: [offsets[t], offsets[t + 1])
    rows: npt.NDArray[np.int32]  # sentence ids
    weights: npt.NDArray[np.float32]  # BM25 contribution of the term to that sentence
    idf: npt.NDArray[np.float32]  # per term
    size: int  # number of sentences
    k1: float = K1

    def ceiling(self, query: str) -> float:
        """The score a sentence matching every query term perfectly would approach.

        Dividing by it turns BM25 into "how much of the question's lexical evidence this
        sentence carries", a number comparable across questions: it is how the lexical side
        states its own confidence. Words absent from the corpus count with the highest idf,
        so a question about things the corpus never mentions gets little lexical confidence.
        """
        unseen = float(np.log(1.0 + (self.size + 0.5) / 0.5))
        total = 0.0
        for term in set(tokenize(query)):
            t = self.vocabulary.get(term)
            total += float(self.idf[t]) if t is not None else unseen
        return total * (self.k1 + 1.0)

    def scores(self, query: str) -> npt.NDArray[np.float32]:
        """BM25 score of every sentence for the query (zeros where no term matches)."""
        result = np.zeros(self.size, dtype=np.float32)
        for term in set(tokenize(query)):
            t = self.vocabulary.get(term)
            if t is not None:
                start, end = self.offsets[t], self.offsets[t + 1]
                result[self.rows[start:end]] += self.weights[start:end]
        return result

    def save(self, path: Path) -> None:
        terms = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        with path.open("wb") as handle:
            np.savez(
                handle,
                terms=np.array(terms, dtype=object).astype(str),
                offsets=self.offsets,
                rows=self.rows,
                weights=self.weights,
                idf=self.idf,
                size=np.array([self.size]),
                k1=np.array([self.k1]),
            )

    @classmethod
    def load(cls, path: Path) -> LexicalIndex:
        with np.load(path, allow_pickle=False) as data:
            terms = [str(term) for term in data["terms"]]
            return cls(
                vocabulary={term: n for n, term in enumerate(terms)},
                offsets=data["offsets"].astype(np.int64),
                rows=data["rows"].astype(np.int32),
                weights=data["weights"].astype(np.float32),
                idf=data["idf"].astype(np.float32),
                size=int(data["size"][0]),
                k1=float(data["k1"][0]),
            )


def build_lexical_index(texts: Sequence[str], k1: float = K1, b: float = B) -> LexicalIndex:
    """BM25 (Lucene's variant: idf = ln(1 + (N - df + 0.5) / (df + 0.5))) over texts."""
    counts = [Counter(tokenize(text)) for text in texts]
    lengths = np.array([sum(c.values()) for c in counts], dtype=np.float32)
    average = float(lengths.mean()) if len(texts) and lengths.mean() > 0 else 1.0
    postings: dict[str, list[tuple[int, int]]] = {}
    for row, counter in enumerate(counts):
        for term, tf in counter.items():
            postings.setdefault(term, []).append((row, tf))
    vocabulary = {term: n for n, term in enumerate(sorted(postings))}
    offsets = np.zeros(len(vocabulary) + 1, dtype=np.int64)
    rows: list[int] = []
    weights: list[float] = []
    idfs = np.zeros(len(vocabulary), dtype=np.float32)
    total = len(texts)
    for term in sorted(postings):
        entries = postings[term]
        idf = float(np.log(1.0 + (total - len(entries) + 0.5) / (len(entries) + 0.5)))
        idfs[vocabulary[term]] = idf
        for row, tf in entries:
            norm = k1 * (1.0 - b + b * float(lengths[row]) / average)
            rows.append(row)
            weights.append(idf * tf * (k1 + 1.0) / (tf + norm))
        offsets[vocabulary[term] + 1] = len(rows)
    return LexicalIndex(
        vocabulary,
        offsets,
        np.array(rows, dtype=np.int32),
        np.array(weights, dtype=np.float32),
        idfs,
        total,
        k1,
    )
