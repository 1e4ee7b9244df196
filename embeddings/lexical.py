"""A BM25 index over sentences, in plain numpy, stored as memory-mapped arrays.

Dense vectors miss exact names, numbers and rare words ("Shufrich", "67"); BM25 catches them.
It is written here in a few dozen lines instead of taken from a library because the query path
must start fast: the libraries we measured pull in scipy, which alone costs half a second of
every cold ``quotebot ask``. Words are lower-cased, English stop words dropped, and the rest
stemmed with the Snowball stemmer (PyStemmer), so "prisoners" matches "prisoner".

At a million sentences a question reads only the postings of its few terms: ``accumulate``
adds each term's postings into a scratch array of one float32 per sentence (a term's rows are
distinct, so a plain fancy-index add is exact), and the matches are its non-zero entries. That
replaced a sort of the concatenated postings (``np.unique`` with its inverse, then a
``union1d`` of the two indexes' matches), which took 80 ms of a 130 ms query at a million
sentences: the scratch array is 4 MB there, zero pages from the kernel, scanned once in about
half a millisecond, while the postings themselves are up to a million entries. A saved index
is a folder of ``.npy`` arrays that ``load`` memory-maps, terms included (sorted UTF-8 in one
blob, looked up by binary search), so opening it costs the same at ten thousand sentences and
at a million.

A sentence is stemmed in its article's language (front matter ``language``, default English):
PyStemmer has Russian, German, French and some thirty more, but no Ukrainian, so Ukrainian
words (and those of any language without a Snowball stemmer) are matched unstemmed. A question
is tokenised in one language of the index: its own when the index has it, else English (or,
without English, the index's first language); in all of them only when its language is not
given. Tokenising it in every language of the index (as before) let one Ukrainian article spoil
English questions: their unstemmed, not stop-worded "Ukrainian" tokens ("who", "is",
"prisoners") are unknown to the corpus, counted at full idf in the ceiling, and shrank every
English sentence's lexical share.
"""

from __future__ import annotations

import bisect
import json
import re
import threading
from array import array
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from pathlib import Path

import numpy as np
import numpy.typing as npt

from embeddings.language import normalise as normalise_language

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


IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]
_EMPTY_IDS: IntArray = np.zeros(0, dtype=np.int64)
_EMPTY_SCORES: FloatArray = np.zeros(0, dtype=np.float32)


class Vocabulary(Mapping[str, int]):
    """Sorted terms (UTF-8, one blob with offsets) -> term number, looked up by bisection.

    UTF-8 byte order is code point order, so the blob sorted by ``sorted(str)`` bisects on
    bytes. Nothing is parsed at load: the arrays may be memory-mapped.
    """

    def __init__(self, blob: npt.NDArray[np.uint8], bounds: IntArray) -> None:
        self._blob = blob
        self._bounds = bounds  # term n is blob[bounds[n]:bounds[n + 1]]

    @classmethod
    def from_terms(cls, terms: Sequence[str]) -> Vocabulary:
        encoded = [term.encode("utf-8") for term in terms]
        bounds = np.zeros(len(encoded) + 1, dtype=np.int64)
        bounds[1:] = np.cumsum([len(term) for term in encoded])
        blob = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        return cls(blob, bounds)

    def _term(self, n: int) -> bytes:
        return self._blob[self._bounds[n] : self._bounds[n + 1]].tobytes()

    def __len__(self) -> int:
        return len(self._bounds) - 1

    def __getitem__(self, term: str) -> int:
        key = term.encode("utf-8")
        n = bisect.bisect_left(_Terms(self), key)
        if n < len(self) and self._term(n) == key:
            return n
        raise KeyError(term)

    def __iter__(self) -> Iterator[str]:
        return (self._term(n).decode("utf-8") for n in range(len(self)))


class _Terms(Sequence[bytes]):
    """The vocabulary's terms as bytes, for ``bisect``."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self._vocabulary = vocabulary

    def __len__(self) -> int:
        return len(self._vocabulary)

    def __getitem__(self, n: int) -> bytes:  # type: ignore[override]
        return self._vocabulary._term(n)


@dataclass(frozen=True)
class LexicalIndex:
    """Term-major postings with precomputed BM25 weights: a query sums a few short arrays."""

    vocabulary: Mapping[str, int]  # term -> number, numbered in sorted order
    offsets: IntArray  # postings of term t: [offsets[t], offsets[t + 1])
    rows: npt.NDArray[np.int32]  # sentence ids, ascending within a term
    weights: FloatArray  # BM25 contribution of the term to that sentence
    idf: FloatArray  # per term
    size: int  # number of sentences
    k1: float = K1
    languages: tuple[str, ...] = (ENGLISH,)  # of the texts (see query_languages)

    def query_languages(self, language: str | None = None) -> tuple[str, ...]:
        """The languages a question in ``language`` is tokenised in over this index.

        Its own when the index has texts in it; otherwise English when the index has English
        texts, else the index's first language: one language, so that an English question over
        an English archive with one Ukrainian article is measured exactly as over the English
        articles alone. ``None`` (a caller that does not know the question's language) keeps
        every language of the index, matching each article in its own way.
        """
        if language is None:
            return self.languages
        code = normalise_language(language)
        if code in self.languages:
            return (code,)
        return (ENGLISH,) if ENGLISH in self.languages else self.languages[:1]

    def query_terms(self, query: str, language: str | None = None) -> set[str]:
        """The terms of ``query`` in each language the index holds it may be in."""
        languages = self.query_languages(language)
        return {term for language in languages for term in tokenize(query, language)}

    def ceiling(self, query: str, language: str | None = None) -> float:
        """The score a sentence matching every query term perfectly would approach.

        Dividing by it turns BM25 into "how much of the question's lexical evidence this
        sentence carries", a number comparable across questions: it is how the lexical side
        states its own confidence. Words absent from the corpus count with the highest idf,
        so a question about things the corpus never mentions gets little lexical confidence.
        ``language`` is the question's (``query_languages``).
        """
        unseen = float(np.log(1.0 + (self.size + 0.5) / 0.5))
        total = 0.0
        for term in self.query_terms(query, language):
            t = self.vocabulary.get(term)
            total += float(self.idf[t]) if t is not None else unseen
        return total * (self.k1 + 1.0)

    def containing(self, text: str, language: str | None = None) -> npt.NDArray[np.int32]:
        """The ids of the sentences that hold every term of ``text`` (none when it has none),
        ascending."""
        found: npt.NDArray[np.int32] | None = None
        for term in self.query_terms(text, language):
            t = self.vocabulary.get(term)
            if t is None:
                return np.zeros(0, dtype=np.int32)
            rows = self.rows[int(self.offsets[t]) : int(self.offsets[t + 1])]
            found = rows if found is None else np.intersect1d(found, rows, assume_unique=True)
        return np.zeros(0, dtype=np.int32) if found is None else found

    def _postings(
        self, query: str, language: str | None = None
    ) -> list[tuple[npt.NDArray[np.int32], FloatArray]]:
        """(rows, weights) of each query term the corpus has, in the query's term order."""
        postings = []
        for term in self.query_terms(query, language):
            t = self.vocabulary.get(term)
            if t is not None:
                start, end = int(self.offsets[t]), int(self.offsets[t + 1])
                postings.append((self.rows[start:end], self.weights[start:end]))
        return postings

    def accumulate(self, query: str) -> FloatArray | None:
        """BM25 of every sentence for the query in one corpus-sized float32 array, or None
        when no query term occurs in the corpus.

        Term by term, in the query's term order, each sentence's sum starting from 0: the
        very float32 additions that ``np.add.at`` over the concatenated postings made, so the
        scores are bit-identical to the earlier sort-based sum. A term's rows are distinct,
        which is what makes ``out[rows] += weights`` exact. Every weight is positive (idf
        is at least ln(1 + 0.5 / (N + 0.5)), tf at least 1), so a sentence matches exactly
        where its score is non-zero.
        """
        postings = self._postings(query)
        if not postings:
            return None
        scores = np.zeros(self.size, dtype=np.float32)
        for rows, weights in postings:
            scores[rows] += weights
        return scores

    def matches(self, query: str) -> tuple[IntArray, FloatArray]:
        """The sentences that match any query term (ascending ids) and their BM25 scores.

        Reads only the postings of the question's terms (see ``accumulate``).
        """
        postings = self._postings(query)
        if not postings:
            return _EMPTY_IDS, _EMPTY_SCORES
        if len(postings) == 1:
            rows, weights = postings[0]
            return rows.astype(np.int64), np.array(weights, dtype=np.float32)
        scores = self.accumulate(query)
        assert scores is not None
        ids = np.flatnonzero(scores)
        return ids.astype(np.int64), scores[ids]

    def scores(self, query: str) -> FloatArray:
        """BM25 score of every sentence for the query (zeros where no term matches).

        A corpus-sized array: for tests and small corpora; the search path uses ``matches``.
        """
        result = np.zeros(self.size, dtype=np.float32)
        ids, scores = self.matches(query)
        result[ids] = scores
        return result

    def save(self, path: Path) -> None:
        """Write the index as a folder of ``.npy`` arrays (and ``meta.json``) at ``path``."""
        path.mkdir()
        terms = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        vocabulary = Vocabulary.from_terms(terms)
        arrays: dict[str, npt.NDArray[np.generic]] = {
            "terms": vocabulary._blob,
            "term-bounds": vocabulary._bounds,
            "offsets": np.asarray(self.offsets, dtype=np.int64),
            "rows": np.asarray(self.rows, dtype=np.int32),
            "weights": np.asarray(self.weights, dtype=np.float32),
            "idf": np.asarray(self.idf, dtype=np.float32),
        }
        for name, values in arrays.items():
            np.save(path / f"{name}.npy", values, allow_pickle=False)
        meta = {"size": self.size, "k1": self.k1, "languages": list(self.languages)}
        (path / "meta.json").write_text(json.dumps(meta), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> LexicalIndex:
        """Open a saved index; the arrays are memory-mapped, nothing is parsed but meta.json."""
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))

        def array(name: str) -> npt.NDArray[np.generic]:
            # A plain ndarray over the mapping: np.memmap's indexing is slower per call.
            return np.asarray(np.load(path / f"{name}.npy", mmap_mode="r", allow_pickle=False))

        return cls(
            vocabulary=Vocabulary(array("terms"), array("term-bounds")),  # type: ignore[arg-type]
            offsets=array("offsets"),  # type: ignore[arg-type]
            rows=array("rows"),  # type: ignore[arg-type]
            weights=array("weights"),  # type: ignore[arg-type]
            idf=array("idf"),  # type: ignore[arg-type]
            size=int(meta["size"]),
            k1=float(meta["k1"]),
            languages=tuple(str(code) for code in meta["languages"]),
        )


@dataclass(frozen=True)
class LexicalEvidence:
    """A question's lexical evidence over the sentences that have any (ascending ids).

    Per sentence, the share of the question's BM25 ceiling matched by the sentence alone and by
    its window; sentences absent here have none.
    """

    ids: IntArray
    sentence: FloatArray
    window: FloatArray

    @property
    def total(self) -> FloatArray:
        return (self.sentence + self.window).astype(np.float32)

    def top(self, k: int) -> IntArray:
        """Ids of the (at most) ``k`` sentences with the most evidence, ascending.

        Ties at the k-th place go to the lower ids, so the candidates never depend on how a
        partition happened to order equal scores. Linear in the number of matches.
        """
        total = self.total
        if k >= len(total):
            return self.ids
        if k <= 0:
            return _EMPTY_IDS
        kth = np.partition(total, len(total) - k)[len(total) - k]
        above = np.flatnonzero(total > kth)
        ties = np.flatnonzero(total == kth)[: k - len(above)]
        return self.ids[np.sort(np.concatenate([above, ties]))]

    def at(self, ids: IntArray) -> tuple[FloatArray, FloatArray]:
        """The sentence and window shares of arbitrary sentences (0 where they have none)."""
        sentence = np.zeros(len(ids), dtype=np.float32)
        window = np.zeros(len(ids), dtype=np.float32)
        if len(self.ids):
            where = np.minimum(np.searchsorted(self.ids, ids), len(self.ids) - 1)
            found = self.ids[where] == ids
            sentence[found] = self.sentence[where[found]]
            window[found] = self.window[where[found]]
        return sentence, window


class _Scratch:
    """Corpus-sized work arrays for one question, all zero between questions.

    Allocating them per question (``np.zeros``, then ``sentence + window`` and a scan of the
    sum) wrote and read about 30 MB at a million sentences: 2.8 ms of a 5.2 ms BM25 (CPU p50,
    loaded machine). Reused, only the matched rows are written, read and reset.
    """

    def __init__(self, size: int) -> None:
        self.sentence = np.zeros(size, dtype=np.float32)
        self.window = np.zeros(size, dtype=np.float32)
        self.matched = np.zeros(size, dtype=np.bool_)

    def clear(self, ids: IntArray | None = None) -> None:
        """Back to all zeros: only ``ids`` (every row written) or, not knowing, everything."""
        if ids is None:
            self.sentence.fill(0)
            self.window.fill(0)
            self.matched.fill(False)
        else:
            self.sentence[ids] = 0
            self.window[ids] = 0
            self.matched[ids] = False


class _ScratchPool:
    """Free scratch arrays by corpus size: one per question being answered at once (a bot
    answers on several threads), kept for the next ones. Sizes other than the newest two
    (an index and the one replacing it) are dropped."""

    def __init__(self) -> None:
        self._free: dict[int, list[_Scratch]] = {}
        self._lock = threading.Lock()

    def take(self, size: int) -> _Scratch:
        with self._lock:
            free = self._free.pop(size, [])
            scratch = free.pop() if free else None
            self._free[size] = free  # newest size last
            while len(self._free) > 2:
                del self._free[next(iter(self._free))]
        return scratch if scratch is not None else _Scratch(size)

    def give(self, size: int, scratch: _Scratch) -> None:
        with self._lock:
            if size in self._free:
                self._free[size].append(scratch)


_SCRATCH = _ScratchPool()


def lexical_evidence(
    sentence_index: LexicalIndex,
    window_index: LexicalIndex,
    question: str,
    language: str | None = None,
) -> LexicalEvidence:
    """Each matching sentence's share of the BM25 ceiling, of the sentence and of its window.

    The same numbers as ``scores(question) / ceiling`` of each index, reading only the
    postings of the question's terms: each index's postings are added, term by term in the
    query's order, into a reused all-zero array (the float32 additions of ``accumulate``),
    the matched rows marked in a third, and only those rows read back and reset.
    ``language`` is the question's: its terms and ceiling are those of that language
    (``LexicalIndex.query_languages``).
    """
    sentence_postings = sentence_index._postings(question, language)
    window_postings = window_index._postings(question, language)
    if not sentence_postings and not window_postings:
        return LexicalEvidence(_EMPTY_IDS, _EMPTY_SCORES, _EMPTY_SCORES)
    size = sentence_index.size
    scratch = _SCRATCH.take(size)
    try:
        for postings, scores in (
            (sentence_postings, scratch.sentence),
            (window_postings, scratch.window),
        ):
            for rows, weights in postings:
                # np.add.at adds each weight in turn (a term's rows are distinct: the same
                # float32 additions as ``scores[rows] += weights``), 3 times faster; int32
                # rows converted once, not at every indexing.
                where = rows.astype(np.intp)
                np.add.at(scores, where, weights)
                scratch.matched[where] = True
        ids = np.flatnonzero(scratch.matched).astype(np.int64)
        sentence = scratch.sentence[ids]
        window = scratch.window[ids]
        scratch.clear(ids)
    except BaseException:
        scratch.clear()
        raise
    finally:
        _SCRATCH.give(size, scratch)
    return LexicalEvidence(
        ids,
        sentence / max(sentence_index.ceiling(question, language), 1e-6),
        window / max(window_index.ceiling(question, language), 1e-6),
    )


TFS_FILE = "tfs.npy"


@dataclass(frozen=True)
class BuiltLexicalIndex(LexicalIndex):
    """A freshly built index and each posting's term frequency.

    The frequencies are saved beside the weights (a query never reads them) so that the next
    build takes the terms of every sentence it already had from here (``KnownTokens``)
    instead of tokenising and stemming them all again: that was over half the CPU of adding
    one article to 100,000 sentences.
    """

    tfs: npt.NDArray[np.int32] = field(default_factory=lambda: np.zeros(0, dtype=np.int32))

    def save(self, path: Path) -> None:
        super().save(path)
        np.save(path / TFS_FILE, np.asarray(self.tfs, dtype=np.int32), allow_pickle=False)


@dataclass(frozen=True)
class KnownTokens:
    """The terms of the texts a previous build indexed, row by row, found by (text, language).

    Row ``r``'s terms are ``terms[term_ids[starts[r]:starts[r + 1]]]`` with frequencies
    ``tfs[starts[r]:starts[r + 1]]``: what ``Counter(tokenize(text, language))`` gave it.
    """

    terms: list[str]  # the previous vocabulary, sorted
    starts: IntArray
    term_ids: npt.NDArray[np.int32]
    tfs: npt.NDArray[np.int32]
    rows: dict[tuple[str, str], int]  # (text, language) -> row

    @classmethod
    def load(
        cls, path: Path, texts: Sequence[str], languages: Sequence[str]
    ) -> KnownTokens | None:
        """The tokens of the index saved at ``path`` over ``texts`` in ``languages``, or None
        when it has no term frequencies (saved before they were) or another size."""
        if not (path / TFS_FILE).is_file():
            return None
        index = LexicalIndex.load(path)
        size = index.size
        if size != len(texts) or len(languages) != size:
            return None
        rows = np.asarray(index.rows)
        offsets = np.asarray(index.offsets, dtype=np.int64)
        tfs = np.load(path / TFS_FILE, allow_pickle=False)
        if len(tfs) != len(rows):
            return None
        term_of = np.repeat(np.arange(len(offsets) - 1, dtype=np.int32), np.diff(offsets))
        order = np.argsort(rows, kind="stable")  # row-major, each row's terms ascending
        starts = np.zeros(size + 1, dtype=np.int64)
        starts[1:] = np.cumsum(np.bincount(rows, minlength=size))
        vocabulary = index.vocabulary
        if isinstance(vocabulary, Vocabulary):
            blob = vocabulary._blob.tobytes()
            bounds = vocabulary._bounds.tolist()
            terms = [blob[a:z].decode("utf-8") for a, z in pairwise(bounds)]
        else:
            terms = sorted(vocabulary, key=vocabulary.__getitem__)
        known: dict[tuple[str, str], int] = {}
        for row, key in enumerate(zip(texts, languages, strict=True)):
            known.setdefault(key, row)
        return cls(terms, starts, term_of[order], np.asarray(tfs[order], dtype=np.int32), known)


def build_lexical_index(
    texts: Sequence[str],
    k1: float = K1,
    b: float = B,
    languages: Sequence[str] | None = None,
    known: KnownTokens | None = None,
) -> BuiltLexicalIndex:
    """BM25 (Lucene's variant: idf = ln(1 + (N - df + 0.5) / (df + 0.5))) over texts.

    ``languages`` gives each text's ISO 639-1 code (default: all English). Tokenising is the
    only per-text Python work (a text seen twice is tokenised once, and a text ``known`` has,
    with its language, not at all: its terms are copied from there); the postings are sorted
    and weighted with numpy, so a million sentences index in about a minute. The same
    (row, term, frequency) triples give the same arrays whichever way they were found, so an
    index built with ``known`` is bit for bit the one built without.
    """
    if languages is not None and len(languages) != len(texts):
        raise ValueError(f"{len(languages)} languages for {len(texts)} texts")
    codes = list(languages) if languages is not None else [ENGLISH] * len(texts)
    # Term numbers in order of first sight, the known vocabulary's first.
    numbers: dict[str, int] = {}
    previous = np.full(len(texts), -1, dtype=np.int64)
    if known is not None:
        numbers = {term: n for n, term in enumerate(known.terms)}
        get = known.rows.get
        keys = zip(texts, codes, strict=True)
        previous = np.fromiter((get(key, -1) for key in keys), dtype=np.int64, count=len(texts))
    seen: dict[tuple[str, str], tuple[list[int], list[int]]] = {}
    row_list, term_list, tf_list = array("i"), array("i"), array("i")
    for row in np.flatnonzero(previous < 0).tolist():
        key = (texts[row], codes[row])
        entry = seen.get(key)
        if entry is None:
            counter = Counter(tokenize(*key))
            entry = (
                [numbers.setdefault(term, len(numbers)) for term in counter],
                list(counter.values()),
            )
            seen[key] = entry
        term_list.extend(entry[0])
        tf_list.extend(entry[1])
        row_list.extend([row] * len(entry[0]))
    del seen
    rows = np.frombuffer(row_list, dtype=np.int32) if len(row_list) else np.zeros(0, np.int32)
    term_of = np.frombuffer(term_list, dtype=np.int32) if len(term_list) else np.zeros(0, np.int32)
    tfs = np.frombuffer(tf_list, dtype=np.int32) if len(tf_list) else np.zeros(0, np.int32)
    if known is not None:
        reused = np.flatnonzero(previous >= 0)
        first = known.starts[previous[reused]]
        counts = known.starts[previous[reused] + 1] - first
        ends = np.cumsum(counts)
        where = np.repeat(first - (ends - counts), counts) + np.arange(
            int(ends[-1]) if len(ends) else 0
        )
        rows = np.concatenate([rows, np.repeat(reused, counts).astype(np.int32)])
        term_of = np.concatenate([term_of, known.term_ids[where]])
        tfs = np.concatenate([tfs, known.tfs[where]])
    # Each text's length in terms: exact small integers, so the same float32 as a running sum.
    lengths = np.bincount(rows, weights=tfs, minlength=len(texts)).astype(np.float32)
    # The vocabulary is the terms that occur (a known term may no longer), sorted.
    named = list(numbers)
    used = np.flatnonzero(np.bincount(term_of, minlength=len(named)))
    terms = sorted(named[n] for n in used.tolist())
    rank = np.full(len(named), -1, dtype=np.int64)  # first-seen number -> sorted number
    rank[[numbers[term] for term in terms]] = np.arange(len(terms), dtype=np.int64)
    sorted_of = rank[term_of] if len(term_of) else _EMPTY_IDS
    order = np.lexsort((rows, sorted_of))
    sorted_of, rows, tfs = sorted_of[order], rows[order], tfs[order]
    df = np.bincount(sorted_of, minlength=len(terms))
    offsets = np.zeros(len(terms) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(df)
    total = len(texts)
    idf = np.log(1.0 + (total - df + 0.5) / (df + 0.5))  # float64, as the reference computes
    average = float(lengths.mean()) if len(texts) and lengths.mean() > 0 else 1.0
    norm = k1 * (1.0 - b + b * lengths[rows].astype(np.float64) / average)
    tf = tfs.astype(np.float64)
    weights = idf[sorted_of] * tf * (k1 + 1.0) / (tf + norm)
    return BuiltLexicalIndex(
        {term: n for n, term in enumerate(terms)},
        offsets,
        rows.astype(np.int32),
        weights.astype(np.float32),
        idf.astype(np.float32),
        total,
        k1,
        tuple(sorted(set(codes))) or (ENGLISH,),
        tfs.astype(np.int32),
    )
