"""Features of a (question, candidate sentence) pair for the learned ranking.

Each feature is evidence a reader would use to judge whether a sentence answers a question:

- how close the meanings are (dense cosine), and whether it is the dense side's first choice;
- how much of the question's words the sentence and its window carry (BM25 shares, see
  embeddings/lexical.py), and whether it is the lexical side's first choice;
- whether the sentence holds the kind of thing asked for (``answer_type``: a name for
  who/which/where, a date for when, a number for how many/much), in itself or only in a
  neighbour;
- whether the sentence leans on its neighbour (starts with a pronoun, "he said"), so that the
  window's evidence is its own;
- how close the question is to a sentence that leans on its neighbour read together with the
  sentence before it (``context_cosine``: the normalised sum of both vectors), since "He said
  ..." or "His lawyer, ..." means what it means only after the sentence that names him;
- the previous hand-tuned fusion's score (``hybrid``: cosine plus the lexical share, the latter
  only while the dense side's winner does not clearly stand out). A linear model cannot build
  this gate from the other features, and it is what kept reader questions in other words than
  the article ("held" for "in custody") on the right sentence.

They are computed in numpy over a few hundred candidates, per question, in well under a
millisecond; the per-sentence parts (``SentenceTraits``) once per index.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

FEATURES = (
    "cosine",
    "dense_best",  # 1 for the candidate the dense side ranks first
    "lexical_sentence",
    "lexical_window",
    "lexical_best",  # 1 for the candidate with the most lexical evidence
    "type_in_sentence",  # the asked-for kind of answer is in the sentence
    "type_in_window",  # ... only in a neighbour
    "leans_on_neighbour_x_window",  # pronoun start / "he said", times the window share
    "document_cosine",  # the best cosine among the candidates of the same document
    # the question asks for a number / a date / a person and the sentence has none
    "number_missing",
    "date_missing",
    "person_missing",
    "hybrid",  # cosine + lexical_weight(dense margin) * (lexical_sentence + lexical_window)
    # for a sentence that leans on its neighbour: the cosine with the sum of its own and the
    # previous sentence's vectors; for the rest, its own cosine
    "context_cosine",
)

DENSE_SURE_FROM = 0.06  # dense margin (best minus runner-up cosine) where trust starts to shift
DENSE_SURE_SLOPE = 40.0  # ... and how fast: no lexical weight at 0.06 + 1/40 = 0.085


def lexical_weight(dense_margin: float) -> float:
    """1 while the dense side is unsure, 0 once its best answer clearly stands out."""
    return float(np.clip(1.0 - DENSE_SURE_SLOPE * (dense_margin - DENSE_SURE_FROM), 0.0, 1.0))


_MONTHS = (
    "january february march april may june july august september october november december"
).split()
# A time of day answers "what time" / "when" as a date does: "We will close at eleven sharp",
# "at 5 pm", "at 19:30", "by midnight" (NU21B-4: the clock time in words had no kind at all).
# A pattern source of alternatives: answerability's sense of "when" reads it too.
_HOURS = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
CLOCK_TIME = (
    r"\b\d{1,2}:\d\d\b|\b\d{1,2}(\.\d\d)?\s*(a\.m\.|p\.m\.|am\b|pm\b)"
    r"|\bo['’]clock\b|\b(noon|midnight)\b"
    rf"|\b(at|by|until|till|before|after|from|around)\s+({_HOURS})"
    r"(?=\s+(sharp|thirty|fifteen|forty-five|in the (morning|afternoon|evening)|at night"
    r"|tonight)\b|\s*[.,;!?]|\s+(and|to)\s)"
)
_DATE = re.compile(
    r"\b(1[5-9]\d\d|20\d\d)s?\b|\b(" + "|".join(_MONTHS) + r")\b|\b\d{1,2}(st|nd|rd|th)\b"
    r"|\b(century|decade|yesterday|today|monday|tuesday|wednesday|thursday|friday|saturday"
    r"|sunday|ago|year|years)\b|" + CLOCK_TIME,
    re.IGNORECASE,
)
# A duration or a frequency ("for a week", "every month", "until", "twice") is the number a
# "how long" / "how often" question asks for, though it has no digit: "This banner will hang
# here for a week." (issue 8, sixth round; docs/evaluation.md "Answer kinds").
_DURATION = (
    r"\b(for|within|during|over|per|every|each|a|an|one|several|few|many)\s+(\w+\s+)?"
    r"(seconds?|minutes?|hours?|days?|nights?|weeks?|months?|years?|decades?|centur(y|ies))\b"
    r"|\b(until|till|daily|weekly|monthly|annually|yearly|forever|permanently|temporarily"
    r"|overnight|always|never|twice|once)\b"
)
_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty"
    r"|forty|fifty|hundred|hundreds|thousand|thousands|million|millions|billion|dozen|half"
    r"|quarter|quarters|percent)\b|" + _DURATION,
    re.IGNORECASE,
)
# A span, what "how long" asks for: a length of time ("ten days of administrative arrest",
# "for a week", "since 2019", "from 1990 to 1995", "for life") or of distance ("4,000 km").
# Not a bare number: "How long was the pensioner locked up?" was declined (0.08) because "About
# 60% of the residents are pensioners" held a number as much as the sentence giving the ten
# days did, and came first (NU29-4). Not an age ("64-year-old") and not a date ("two years
# ago"), though "how long ago" asks for that (a DATE question). A running time ("4:17") is one.
# "since" or "until" a time or "the" (age, end, war), not someone's own event: "It was his
# second hunger strike since his arrest" says nothing of how long the strike lasted (NU30-9).
# A count is a whole word: "media day" and "the N7 night bus" are no spans.
_COUNT = (
    r"\d[\d,.]*|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen"
    r"|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty"
    r"|seventy|eighty|ninety|hundred|hundreds|thousand|thousands|dozen|dozens|half|several"
    r"|few|many|couple of"
)
_SPAN = re.compile(
    rf"\b({_COUNT})"
    r"(\s+(more|full|long|straight|whole|consecutive|additional|further|extra|hours?|days?))?"
    r"[\s-]+(seconds?|minutes?|hours?|days?|nights?|weeks?|months?|years?|decades?"
    r"|centur(y|ies)|millenni(um|a))\b(?![\s-]+(old|ago)\b)"
    rf"|\b({_COUNT})[\s-]*(km|kilomet(re|er)s?|miles?|met(re|er)s?|feet"
    r"|foot|ft|yards?|inches|cm|centimet(re|er)s?|mm|millimet(re|er)s?|light[\s-]years?)\b"
    r"|\b(since|until|till)\s+(at least\s+|after\s+)?(\d|the\b|early\b|late\b|mid\b|last\b"
    r"|then\b|childhood\b|birth\b|" + "|".join(_MONTHS) + r")"
    r"|\bfrom\s+(\w+\s+)?\d{3,4}\s+(to|until|till)\s+(\w+\s+)?\d{2,4}\b"
    r"|\bbetween\s+(\w+\s+)?\d{3,4}\s+and\s+(\w+\s+)?\d{2,4}\b|\b\d{4}\s*[–-]\s*\d{2,4}\b"
    r"|\b\d{1,3}:\d\d\b|\b(for life|life (sentence|imprisonment|term)|lifelong|overnight"
    r"|permanently|forever|indefinitely|temporarily|(year|month|week|day|hour|decade|century)-long)\b",
    re.IGNORECASE,
)
_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][\w'’-]*)")
# Two or more capitalised words in a row: a person's (or an organisation's) name.
_FULL_NAME = re.compile(r"\b[A-Z][\w'’-]+(?:\s+(?:[A-Z]\.\s*)?[A-Z][\w'’-]+)+")
_NOT_NAMES = frozenset(
    "the a an of in on and at to for this that these those it he she they monday tuesday "
    "wednesday thursday friday saturday sunday".split()
    + _MONTHS
)
_LEANS = re.compile(
    r"^\W*(he|she|they|it|his|her|their|its|this|these|those|the latter|the former)\b"
    r"|\b(he|she|they) (said|says|added|noted|stated)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[\w'’]+")
# A sentence that gives a reason, what a "why" question asks for: "Because the Crimean Tatars
# are resisting the invaders most of all." (NU21-10, NU22-3: the reason came second, after the
# sentences that only restate what the question asks about).
_REASON = re.compile(
    r"\b(because|due to|owing to|as a result|in order to|so that|so as to|the reasons?\b"
    r"|caused by|thanks to|therefore|that is why|this is why|for this reason|in protest"
    r"|in response to|on the grounds|since (?=\w+ (is|was|are|were|had|has|have|did)\b)"
    # "refused food on 14 March to protest against the refusal ..." (NU30-8)
    r"|to protest\b|to demand\b)",
    re.IGNORECASE,
)

# The kind of answer a question asks for, from its wording.
NAME, DATE, NUMBER, PERSON, REASON, SPAN = 1, 2, 3, 4, 5, 6
_QUESTION_TYPES = (
    (
        re.compile(
            r"^\W*why\b|\bwhy (did|do|does|is|are|was|were|has|have|had|would|should|could|can"
            r"|will)\b|\b(what|which) (was|is|were|are) the (main )?reasons?\b|\bfor what reason\b"
            r"|\bhow come\b",
            re.I,
        ),
        REASON,
    ),
    (re.compile(r"\bhow long ago\b", re.I), DATE),
    (re.compile(r"\bhow long (has|have|had) .+ been alive\b", re.I), NUMBER),  # an age
    (re.compile(r"\bhow long\b", re.I), SPAN),
    (re.compile(r"\bhow (many|much|old|big|large|heavy|far|often)\b", re.I), NUMBER),
    (re.compile(r"\bwhat (percentage|share|proportion|number|amount|age)\b", re.I), NUMBER),
    (
        re.compile(r"\bwhen\b|\bwhat (year|date|day|month|time)\b|\bwhich (year|month)\b", re.I),
        DATE,
    ),
    (re.compile(r"\b(who|whom|whose)\b", re.I), PERSON),
    (re.compile(r"\bwhere\b", re.I), NAME),
    (re.compile(r"\b(which|what) [a-z]+ (is|was|are|were|did|does|do)\b", re.I), NAME),
    (re.compile(r"^\s*(which|in which|from which|to which|at which)\b", re.I), NAME),
)


def answer_type(question: str) -> int:
    """PERSON, NAME, DATE, NUMBER, SPAN, REASON, or 0 when the question's wording does not say.

    Words inside quotation marks are what someone said, not the question's: 'Who said "I'll
    believe it when I taste it"?' asks for a person, not a date (NU23-4: it was declined,
    the quoted sentence and its speaker first).
    """
    asked = without_quotations(question)
    if _OPENS_WITH_WHO.match(asked):  # "Who said I'll believe it when I taste it?"
        return PERSON
    for pattern, kind in _QUESTION_TYPES:
        if pattern.search(asked):
            return kind
    return 0


_OPENS_WITH_WHO = re.compile(r"\W*(?:who|whom|whose)\b", re.IGNORECASE)
# A quotation inside a question: straight or curly double quotes, or guillemets.
_QUOTED = re.compile(r'"[^"]*"|“[^”]*”|«[^»]*»')


def without_quotations(question: str) -> str:
    """The question's own words: what it quotes (in double quotes or guillemets) left out."""
    return _QUOTED.sub(" ", question)


@dataclass(frozen=True)
class SentenceTraits:
    """What each sentence holds, computed once per index."""

    has_date: BoolArray
    has_number: BoolArray
    has_span: BoolArray  # a length of time or of distance: what "how long" asks for
    has_reason: BoolArray  # gives a reason ("because", "due to"): what "why" asks for
    names: tuple[frozenset[str], ...]  # lower-cased capitalised words after the first
    full_names: tuple[frozenset[str], ...]  # lower-cased words of multi-word names
    leans: BoolArray  # starts with a pronoun or says "he said": it needs its neighbour
    doc: IntArray  # document of each sentence
    previous: IntArray  # id of the sentence before in the same document, or -1
    following: IntArray  # ... after, or -1


def sentence_traits(texts: Sequence[str], docs: Sequence[int]) -> SentenceTraits:
    count = len(texts)
    previous = np.full(count, -1, dtype=np.int64)
    following = np.full(count, -1, dtype=np.int64)
    for n in range(1, count):
        if docs[n] == docs[n - 1]:
            previous[n] = n - 1
            following[n - 1] = n
    return SentenceTraits(
        has_date=np.array([bool(_DATE.search(t)) for t in texts], dtype=np.bool_),
        has_number=np.array([bool(_NUMBER.search(t)) for t in texts], dtype=np.bool_),
        has_span=np.array([bool(_SPAN.search(t)) for t in texts], dtype=np.bool_),
        has_reason=np.array([bool(_REASON.search(t)) for t in texts], dtype=np.bool_),
        names=tuple(frozenset(w.lower() for w in _CAPITALISED.findall(t)) for t in texts),
        full_names=tuple(_full_names(t) for t in texts),
        leans=np.array([bool(_LEANS.search(t)) for t in texts], dtype=np.bool_),
        doc=np.asarray(docs, dtype=np.int64),
        previous=previous,
        following=following,
    )


@dataclass(frozen=True)
class Pool:
    """The candidates of one question with the raw evidence of each retriever."""

    ids: IntArray
    cosine: FloatArray
    lexical_sentence: FloatArray
    lexical_window: FloatArray
    coverage: float  # share of the question's terms that occur in the corpus
    # cosine of the question with the normalised sum of the vectors of the sentence and of
    # the one before it in its document (``context_cosine``); None: the sentence alone
    context_cosine: FloatArray | None = None


def context_cosine(
    matrix: FloatArray, vector: FloatArray, ids: IntArray, previous: IntArray
) -> FloatArray:
    """Per candidate, the cosine of ``vector`` with the normalised sum of the candidate's
    vector and its previous sentence's (``previous[i]``, -1 for none: the sentence alone).

    Reads two rows of ``matrix`` per candidate (it may be memory-mapped).
    """
    own = np.asarray(matrix[ids], dtype=np.float32)
    has = previous >= 0
    summed = own.copy()
    if has.any():
        summed[has] += np.asarray(matrix[previous[has]], dtype=np.float32)
    norms = np.linalg.norm(summed, axis=1)
    return ((summed @ vector) / np.maximum(norms, 1e-12)).astype(np.float32)


def _full_names(text: str) -> frozenset[str]:
    return frozenset(
        word.lower()
        for name in _FULL_NAME.findall(text)
        for word in name.split()
        if word.lower() not in _NOT_NAMES
    )


def _leaning_context(
    traits: SentenceTraits, ids: IntArray, cosine: FloatArray, context: FloatArray | None
) -> FloatArray:
    """The context cosine for sentences that lean on the one before them, their own cosine
    for the rest: read together with its neighbour, every sentence would look a little like
    the sentence before it, and answers would compete with their neighbours."""
    if context is None:
        return cosine
    return np.where(traits.leans[ids], context, cosine).astype(np.float32)


def _type_matches(traits: SentenceTraits, ids: IntArray, kind: int, asked: set[str]) -> BoolArray:
    if kind == DATE:
        return traits.has_date[ids]
    if kind == NUMBER:
        return traits.has_number[ids]
    if kind == SPAN:
        return traits.has_span[ids]
    if kind == REASON:
        return traits.has_reason[ids]
    if kind == NAME:
        return np.array([bool(traits.names[i] - asked) for i in ids.tolist()], dtype=np.bool_)
    if kind == PERSON:
        names = traits.full_names
        return np.array([bool(names[i] - asked) for i in ids.tolist()], dtype=np.bool_)
    return np.zeros(len(ids), dtype=np.bool_)


def features(question: str, traits: SentenceTraits, pool: Pool) -> FloatArray:
    """The FEATURES of each candidate ``pool.ids[i]``, one row per candidate."""
    ids, cosine = pool.ids, pool.cosine
    lexical_sentence, lexical_window = pool.lexical_sentence, pool.lexical_window
    if not len(ids):
        return np.zeros((0, len(FEATURES)), dtype=np.float32)
    kind = answer_type(question)
    asked = {w.lower() for w in _WORD.findall(question)}
    in_sentence = _type_matches(traits, ids, kind, asked)
    neighbours = np.zeros(len(ids), dtype=np.bool_)
    for side in (traits.previous[ids], traits.following[ids]):
        valid = side >= 0
        if valid.any():
            neighbours[valid] |= _type_matches(traits, side[valid], kind, asked)
    lexical = lexical_sentence + lexical_window
    top_two = np.sort(cosine)[::-1][:2]
    margin = float(top_two[0] - top_two[1]) if len(top_two) == 2 else 1.0
    docs = traits.doc[ids]
    missing = (~in_sentence).astype(np.float32)
    dense_best = (cosine >= cosine.max()).astype(np.float32)
    document_best = np.full(int(docs.max()) + 1, -1.0, dtype=np.float32)
    np.maximum.at(document_best, docs, cosine)
    return np.stack(
        [
            cosine,
            dense_best,
            lexical_sentence,
            lexical_window,
            (lexical >= lexical.max()).astype(np.float32) * (lexical.max() > 0),
            in_sentence.astype(np.float32),
            (neighbours & ~in_sentence).astype(np.float32),
            traits.leans[ids].astype(np.float32) * lexical_window,
            document_best[docs],
            missing * (kind in (NUMBER, SPAN)),
            missing * (kind == DATE),
            missing * (kind == PERSON),
            cosine + lexical_weight(margin) * lexical,
            _leaning_context(traits, ids, cosine, pool.context_cosine),
        ],
        axis=1,
    ).astype(np.float32)
