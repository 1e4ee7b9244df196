"""Measuring answer quality: SQuAD sentence retrieval (ReQA-style) and regression sets.

Users judge quotebot by whether the first quote answers. SQuAD measures that on text nobody
here wrote: every paragraph of the file is indexed, every question asked, and a retrieved
sentence is correct when it contains the start of one of the question's reference answers (the
ReQA convention). A regression set (JSONL, see ``load_cases``) measures it on a corpus owner's
own articles, including questions that must be declined.
"""

from __future__ import annotations

import bisect
import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from embeddings.abstention import should_abstain
from embeddings.answer_sets import SHOWN
from embeddings.encoder import Encoder, Vectors
from embeddings.errors import QuotebotError
from embeddings.index import SentenceIndex, build_index
from embeddings.question_files import question_objects
from embeddings.quote_joining import first_quotes
from embeddings.search import Searcher, validate_question
from embeddings.squad import SquadSet

RANK_CUTOFF = 100  # MRR counts a gold sentence found within the first 100 candidates


class EvaluationError(QuotebotError):
    """An evaluation file cannot be used."""


@dataclass(frozen=True)
class RetrievalMetrics:
    """Sentence-retrieval quality over a set of questions."""

    questions: int
    p_at_1: float  # the first quote contains the answer
    mrr: float  # mean of 1/rank of the first correct sentence (0 beyond RANK_CUTOFF)
    r_at_5: float  # a correct sentence among the first 5
    r_at_10: float  # ... among the first 10
    abstained: float  # share of questions declined (all SQuAD questions are answerable)


def summarize(ranks: Sequence[int | None], abstained: Sequence[bool]) -> RetrievalMetrics:
    """Metrics from the 1-based rank of each question's first correct sentence (None: none)."""
    count = len(ranks)
    if count == 0:
        return RetrievalMetrics(0, 0.0, 0.0, 0.0, 0.0, 0.0)
    found = [r for r in ranks if r is not None and r <= RANK_CUTOFF]
    return RetrievalMetrics(
        questions=count,
        p_at_1=sum(r == 1 for r in found) / count,
        mrr=sum(1.0 / r for r in found) / count,
        r_at_5=sum(r <= 5 for r in found) / count,
        r_at_10=sum(r <= 10 for r in found) / count,
        abstained=sum(abstained) / count,
    )


class GoldSentences:
    """Finds the sentences that contain an answer's start, by bisection per document."""

    def __init__(self, index: SentenceIndex) -> None:
        self._index = index
        self._ids: dict[int, list[int]] = {}
        for n, sentence in enumerate(index.sentences):
            self._ids.setdefault(sentence.doc, []).append(n)
        self._starts = {
            doc: [index.sentences[n].start for n in ids] for doc, ids in self._ids.items()
        }

    def __call__(self, document: int, answer_starts: Sequence[int]) -> set[int]:
        ids, starts = self._ids.get(document, []), self._starts.get(document, [])
        gold = set()
        for answer in answer_starts:
            at = bisect.bisect_right(starts, answer) - 1
            if at >= 0 and answer < self._index.sentences[ids[at]].end:
                gold.add(ids[at])
        return gold


def first_correct_rank(ranked: Sequence[int], gold: set[int]) -> int | None:
    for position, sentence_id in enumerate(ranked, 1):
        if sentence_id in gold:
            return position
    return None


@dataclass(frozen=True)
class SquadReport:
    metrics: RetrievalMetrics
    documents: int
    sentences: int
    build_seconds: float
    questions_per_second: float


def evaluate_squad(
    squad: SquadSet,
    build_encoder: Encoder,
    encode_questions: Callable[[Sequence[str]], Vectors],
    abstain_below: float,
) -> SquadReport:
    """Index every article, ask every question, and score the rankings."""
    started = time.perf_counter()
    index = build_index(squad.documents, build_encoder)
    build_seconds = time.perf_counter() - started
    searcher = Searcher(index, build_encoder, abstain_below=abstain_below)
    started = time.perf_counter()
    vectors = encode_questions([q.question for q in squad.questions])
    ranks: list[int | None] = []
    abstained: list[bool] = []
    gold_sentences = GoldSentences(index)
    for question, vector in zip(squad.questions, vectors, strict=True):
        ranking = searcher.rank(question.question, np.asarray(vector, dtype=np.float32))
        gold = gold_sentences(question.document, question.answer_starts)
        ranks.append(first_correct_rank(ranking.ids[:RANK_CUTOFF].tolist(), gold))
        abstained.append(should_abstain(ranking, abstain_below))
    seconds = time.perf_counter() - started
    return SquadReport(
        summarize(ranks, abstained),
        len(index.documents),
        len(index.sentences),
        build_seconds,
        len(squad.questions) / seconds if seconds > 0 else 0.0,
    )


# --- regression sets ------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One line of a regression set.

    ``{"question": ..., "expect": ["substring", ...], "top": 1}``: answered, and one of the
    substrings appears in one of the first ``top`` quotes. ``{"question": ..., "abstain":
    true}``: the corpus does not answer it and quotebot must say so.
    """

    question: str
    expect: tuple[str, ...] = ()
    top: int = 1
    abstain: bool = False


def load_cases(path: Path) -> list[Case]:
    """Read a JSONL regression set; EvaluationError names the line and what is wrong."""
    cases = []
    keys = {"question", "expect", "top", "abstain"}
    answers = "an answer set: use `quotebot eval answers CORPUS FILE`"
    for where, item in question_objects(path, keys, EvaluationError, answers):
        expect = item.get("expect", [])
        if isinstance(expect, str):
            expect = [expect]
        abstain = item.get("abstain", False)
        top = item.get("top", 1)
        if not isinstance(abstain, bool) or not isinstance(top, int) or top < 1:
            raise EvaluationError(f'{where}: "abstain" must be true/false, "top" a number >= 1')
        if not isinstance(expect, list) or not all(isinstance(e, str) and e for e in expect):
            raise EvaluationError(f'{where}: "expect" must be a string or a list of strings')
        if bool(expect) == abstain:
            raise EvaluationError(f'{where}: give either "expect" or "abstain": true')
        try:
            validate_question(item["question"])
        except QuotebotError as error:
            raise EvaluationError(f"{where}: {error}") from None
        cases.append(Case(item["question"], tuple(expect), top, abstain))
    if not cases:
        raise EvaluationError(f"{path}: no questions")
    return cases


@dataclass(frozen=True)
class CaseResult:
    case: Case
    passed: bool
    abstained: bool
    best_score: float  # relevance of the best candidate: what the threshold is compared with
    first_quote: str | None


def run_cases(searcher: Searcher, cases: Sequence[Case]) -> list[CaseResult]:
    """Each case against its answer's quotes as a user sees them at ``quotebot ask``'s default
    (SHOWN quotes, consecutive sentences joined), or more when the case allows a later one."""
    answers = searcher.search_many([case.question for case in cases], top_k=10, join=False)
    results = []
    for case, answer in zip(cases, answers, strict=True):
        best = answer.relevance
        shown = first_quotes(answer.quotes, max(case.top, SHOWN))
        if case.abstain:
            passed = answer.abstained
        else:
            quotes = shown[: case.top]
            passed = not answer.abstained and any(e in q.text for q in quotes for e in case.expect)
        first = shown[0].text if shown else None
        results.append(CaseResult(case, passed, answer.abstained, best, first))
    return results


@dataclass(frozen=True)
class Calibration:
    """Where the answerable and the unanswerable questions' best scores lie."""

    answerable: tuple[float, float, float]  # min, median, max of best scores
    unanswerable: tuple[float, float, float]
    suggested: float | None  # threshold that separates the two best (None: one side empty)


def calibrate(answerable: Sequence[float], unanswerable: Sequence[float]) -> Calibration:
    """Suggest the threshold with the fewest errors on both sides, midway between scores."""

    def spread(values: Sequence[float]) -> tuple[float, float, float]:
        if not values:
            return (float("nan"), float("nan"), float("nan"))
        return (min(values), float(np.median(values)), max(values))

    if not answerable or not unanswerable:
        return Calibration(spread(answerable), spread(unanswerable), None)
    points = sorted(set(answerable) | set(unanswerable))
    candidates = [(a + b) / 2 for a, b in itertools.pairwise(points)] or points
    best = min(
        candidates,
        key=lambda t: (
            sum(s < t for s in answerable) / len(answerable)
            + sum(s >= t for s in unanswerable) / len(unanswerable)
        ),
    )
    return Calibration(spread(answerable), spread(unanswerable), round(best, 3))
