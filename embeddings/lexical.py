"""A BM25 index over sentences, in plain numpy.

Dense vectors miss exact names, numbers and rare words ("Shufrich", "67"); BM25 catches them.
It is written here in a few dozen lines instead of taken from a library because the query path
must start fast: the libraries we measured pull in scipy, which alone costs half a second of
every cold ``quotebot ask``. Words are lower-cased, English stop words dropped, and the rest
stemmed with the Snowball stemmer (PyStemmer), so "prisoners" matches "prisoner".

A sentence is stemmed in its article's language (front matter ``language``, default English):
PyStemmer has Russian, German, French and some thirty more, but no Ukrainian, so Ukrainian
words (and those of any language without a Snowball stemmer) are matched unstemmed. A question
is tokenised once per language of the index, so it matches each article in that article's way.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
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
LEXICAL_VERSION = f"3;k1={K1};b={B};window=title+1;stem=doc-language"
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


ENGLISH = "en"
# ISO 639-1 code -> PyStemmer (Snowball) algorithm. Ukrainian has none.
SNOWBALL = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "cs": "czech",
    "da": "danish", "nl": "dutch", "en": "english", "eo": "esperanto", "et": "estonian",
    "fi": "finnish", "fr": "french", "de": "german", "el": "greek", "hi": "hindi",
    "hu": "hungarian", "id": "indonesian", "ga": "irish", "it": "italian", "lt": "lithuanian",
    "ne": "nepali", "no": "norwegian", "nb": "norwegian", "fa": "persian", "pl": "polish",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian", "st": "sesotho",
    "es": "spanish", "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}  # fmt: skip


@cache
def _stemmer(language: str = ENGLISH) -> object | None:
    """The Snowball stemmer of a language, None when PyStemmer has none (Ukrainian)."""
    import Stemmer

    algorithm = SNOWBALL.get(language)
    if algorithm is None or algorithm not in Stemmer.algorithms():
        return None
    return Stemmer.Stemmer(algorithm)


def tokenize(text: str, language: str = ENGLISH) -> list[str]:
    """Lower-cased, stop words removed (English only), stemmed in ``language`` when it can
    be: the terms BM25 matches on."""
    words = _WORD.findall(text.lower().replace("’", "'"))
    if language == ENGLISH:
        words = [w for w in words if w not in STOP_WORDS]
    stemmer = _stemmer(language)
    if stemmer is None:
        return words
    stems: list[str] = stemmer.stemWords(words)  # type: ignore[attr-defined]
    return stems


def term_spans(text: str, language: str = ENGLISH) -> list[tuple[int, int, str]]:
    """``(start, end, term)`` of each word of ``text`` that ``tokenize`` keeps: where a front
    end shows which words matched (stop words have no span)."""
    spans = []
    for match in _WORD.finditer(text):
        terms = tokenize(match.group(), language)
        if terms:
            spans.append((match.start(), match.end(), terms[0]))
    return spans


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
    languages: tuple[str, ...] = (ENGLISH,)  # of the texts; a query is tokenised in each

    def _query_terms(self, query: str) -> set[str]:
        return {term for language in self.languages for term in tokenize(query, language)}

    def ceiling(self, query: str) -> float:
        """The score a sentence matching every query term perfectly would approach.

        Dividing by it turns BM25 into "how much of the question's lexical evidence this
        sentence carries", a number comparable across questions: it is how the lexical side
        states its own confidence. Words absent from the corpus count with the highest idf,
        so a question about things the corpus never mentions gets little lexical confidence.
        """
        unseen = float(np.log(1.0 + (self.size + 0.5) / 0.5))
        total = 0.0
        for term in self._query_terms(query):
            t = self.vocabulary.get(term)
            total += float(self.idf[t]) if t is not None else unseen
        return total * (self.k1 + 1.0)

    def scores(self, query: str) -> npt.NDArray[np.float32]:
        """BM25 score of every sentence for the query (zeros where no term matches)."""
        result = np.zeros(self.size, dtype=np.float32)
        for term in self._query_terms(query):
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
                languages=np.array(self.languages, dtype=str),
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
                languages=(
                    tuple(str(code) for code in data["languages"])
                    if "languages" in data.files
                    else (ENGLISH,)
                ),
            )


def build_lexical_index(
    texts: Sequence[str],
    k1: float = K1,
    b: float = B,
    languages: Sequence[str] | None = None,
) -> LexicalIndex:
    """BM25 (Lucene's variant: idf = ln(1 + (N - df + 0.5) / (df + 0.5))) over texts.

    ``languages`` gives each text's ISO 639-1 code (default: all English).
    """
    if languages is not None and len(languages) != len(texts):
        raise ValueError(f"{len(languages)} languages for {len(texts)} texts")
    codes = list(languages) if languages is not None else [ENGLISH] * len(texts)
    counts = [Counter(tokenize(text, code)) for text, code in zip(texts, codes, strict=True)]
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
        tuple(sorted(set(codes))) or (ENGLISH,),
    )
