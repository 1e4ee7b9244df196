"""A generic answer-sentence evaluation format, and converters into it.

Any corpus owner can measure quotebot on their own articles with two things: a corpus folder
and a JSONL file, one question a line::

    {"question": "Who is Umerov's lawyer?", "answers": ["Nikolai Polozov"]}
    {"question": "Who is the president of Ukraine?", "answerable": false}

A quote is right when it, or the speaker its citation names ("who said ...?" is answered by
the citation: ``scored_text``), contains one of ``answers`` (or, for a long gold sentence that
the splitter cut in two, when it is at least half of one). An answerable question is scored by
the rank of its first right quote (P@1, MRR@10, R@10); every question by its outcome
(answered / related / declined), answerable and unanswerable separately, because a system
that answers everything and one that declines everything must not look alike. Optional keys:
``tag`` (a group reported on its own, e.g. "near" or "far" for unanswerable questions) and
``note``.

Besides the aggregates, the report keeps one ``CaseResult`` per question (rank of the first
right quote, outcome, relevance, first quote), because a corpus owner who sees P@1 0.7 needs to
know *which* questions failed; and ``unfound_answers`` finds the answerable questions none of
whose answers occurs in any article (a typo in the gold makes a question a silent miss).

SQuAD dev and SelQA dev are converted into this format (``squad_answer_set``,
``selqa_answer_set``) so that one scorer measures every set.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from embeddings.errors import QuotebotError
from embeddings.index import split_documents
from embeddings.question_files import question_objects
from embeddings.quote_joining import first_quotes
from embeddings.search import validate_question
from embeddings.squad import SquadSet, slugify
from embeddings.types import OUTCOMES, Document, Outcome, Quote

logger = logging.getLogger(__name__)

CUTOFF = 10  # MRR@10 and R@10: a user reads at most about ten quotes
SHOWN = 3  # the quotes `quotebot ask` and the bot show by default (DEFAULT_TOP_K)
SELQA_SOURCE = "SelQA dev"


class AnswerSetError(QuotebotError):
    """An answer-set file cannot be used."""


@dataclass(frozen=True)
class AnswerCase:
    """One question; ``answers`` empty exactly when the corpus does not answer it."""

    question: str
    answers: tuple[str, ...] = ()
    tag: str | None = None
    # "FILE:LINE" when read from a file, so a warning can point at the line; not part of the
    # case's identity (a case written and read back is the same case).
    where: str | None = field(default=None, compare=False)

    @property
    def answerable(self) -> bool:
        return bool(self.answers)

    def to_json(self) -> dict[str, Any]:
        item: dict[str, Any] = {"question": self.question}
        if self.answers:
            item["answers"] = list(self.answers)
        else:
            item["answerable"] = False
        if self.tag is not None:
            item["tag"] = self.tag
        return item


def load_answer_set(path: Path) -> list[AnswerCase]:
    """Read a JSONL answer set; AnswerSetError names the line and what is wrong."""
    cases = []
    keys = {"question", "answers", "answerable", "tag", "note"}
    questions = "a regression set: use `quotebot eval questions FILE`"
    for where, item in question_objects(path, keys, AnswerSetError, questions):
        try:
            validate_question(item["question"])  # empty, not UTF-8, too long: as ask says
        except QuotebotError as error:
            raise AnswerSetError(f"{where}: {error}") from None
        answers = item.get("answers", [])
        if not isinstance(answers, list) or not all(isinstance(a, str) and a for a in answers):
            raise AnswerSetError(f'{where}: "answers" must be a list of non-empty strings')
        answerable = item.get("answerable", True)
        if not isinstance(answerable, bool):
            raise AnswerSetError(f'{where}: "answerable" must be true or false')
        if answerable != bool(answers):
            raise AnswerSetError(f'{where}: give either "answers" or "answerable": false')
        tag = item.get("tag")
        if tag is not None and not isinstance(tag, str):
            raise AnswerSetError(f'{where}: "tag" must be a string')
        cases.append(AnswerCase(item["question"], tuple(answers), tag, where))
    if not cases:
        raise AnswerSetError(f"{path}: no questions")
    return cases


def write_answer_set(cases: Iterable[AnswerCase], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for case in cases:
            handle.write(json.dumps(case.to_json(), ensure_ascii=False) + "\n")


def is_right(quote: str, answers: Sequence[str]) -> bool:
    """The quote holds an answer, or is at least half of a gold sentence cut in two."""
    for answer in answers:
        if answer.strip() in quote:  # a gold sentence with a space before it, inside a passage
            return True
        if len(quote) * 2 >= len(answer) and quote.strip() and quote.strip() in answer:
            return True
    return False


def first_right_rank(quotes: Sequence[str], answers: Sequence[str]) -> int | None:
    for position, quote in enumerate(quotes, 1):
        if is_right(quote, answers):
            return position
    return None


def unfound_answers(cases: Sequence[AnswerCase], texts: Iterable[str]) -> list[AnswerCase]:
    """The answerable cases none of whose answers occurs in any of ``texts`` (article bodies).

    Such a question can never be scored right, whatever the ranking: usually a typo in the
    gold, or an answer that spans a line break the article has and the gold has not.
    """
    corpus = "\x00".join(texts)  # NUL: no answer matches across two articles
    return [
        case
        for case in cases
        if case.answerable and not any(answer in corpus for answer in case.answers)
    ]


@dataclass(frozen=True)
class CaseResult:
    """How one question fared: what a corpus owner reads to find the failing ones."""

    question: str
    tag: str | None
    answerable: bool
    rank: int | None  # of the first right quote among the first CUTOFF; None: none (or n/a)
    outcome: str
    relevance: float
    first_quote: str | None  # the first sentence (and the speaker its citation names)
    # the first quote as a user sees it (consecutive sentences joined), and whether it holds
    # an answer (None for an unanswerable question)
    first_shown: str | None = None
    right_as_shown: bool | None = None

    @property
    def missed(self) -> bool:
        """Answerable with a wrong first quote or not answered; unanswerable and answered."""
        if self.answerable:
            return self.rank != 1 or self.outcome != "answered"
        return self.outcome == "answered"


@dataclass(frozen=True)
class AnswerSetReport:
    """Quality over one answer set. Shares are of the questions in their group."""

    answerable: int
    unanswerable: int
    p_at_1: float
    mrr: float  # MRR@10
    r_at_10: float
    outcomes_answerable: dict[str, float] = field(default_factory=dict)
    outcomes_unanswerable: dict[str, float] = field(default_factory=dict)
    # answerable and answered with a right first quote: what a user counts as "it answered"
    answered_right: float = 0.0
    # answerable, and the first of the SHOWN quotes as a user sees it (consecutive sentences
    # joined, embeddings/quote_joining.py) holds the answer; p_at_1 scores sentences alone
    first_shown_right: float = 0.0
    by_tag: dict[str, dict[str, float]] = field(default_factory=dict)
    cases: list[CaseResult] = field(default_factory=list)  # one per question, in file order

    @property
    def misses(self) -> list[CaseResult]:
        return [case for case in self.cases if case.missed]


def _shares(outcomes: Sequence[str]) -> dict[str, float]:
    counts = Counter(outcomes)
    total = max(len(outcomes), 1)
    return {o: counts.get(o, 0) / total for o in OUTCOMES[:3]}


def score_answers(
    cases: Sequence[AnswerCase],
    quotes: Sequence[Sequence[str]],
    outcomes: Sequence[Outcome | str],
    relevances: Sequence[float] | None = None,
    shown_first: Sequence[str | None] | None = None,
) -> AnswerSetReport:
    """Score ranked quote texts (best first, at least CUTOFF where there are) and outcomes.

    ``relevances`` (each answer's relevance) only fill in the per-question results;
    ``shown_first`` is each answer's first quote as a user sees it (None: the first sentence).
    """
    ranks: list[int | None] = []
    answered_right = 0
    first_shown_right = 0
    tagged: dict[str, list[str]] = {}
    results = []
    relevance_of = [0.0] * len(cases) if relevances is None else relevances
    shown_of = [None] * len(cases) if shown_first is None else shown_first
    for case, texts, outcome, relevance, shown in zip(
        cases, quotes, outcomes, relevance_of, shown_of, strict=True
    ):
        if case.tag is not None:
            tagged.setdefault(case.tag, []).append(outcome)
        rank = first_right_rank(texts[:CUTOFF], case.answers) if case.answerable else None
        first = texts[0] if texts else None
        right_as_shown = None
        if case.answerable:
            right_as_shown = rank == 1 if shown is None else is_right(shown, case.answers)
        results.append(
            CaseResult(
                case.question,
                case.tag,
                case.answerable,
                rank,
                outcome,
                relevance,
                first,
                shown if shown is not None else first,
                right_as_shown,
            )
        )
        if not case.answerable:
            continue
        ranks.append(rank)
        answered_right += rank == 1 and outcome == "answered"
        first_shown_right += bool(right_as_shown)
    count = max(len(ranks), 1)
    answerable_outcomes = [o for c, o in zip(cases, outcomes, strict=True) if c.answerable]
    other_outcomes = [o for c, o in zip(cases, outcomes, strict=True) if not c.answerable]
    return AnswerSetReport(
        answerable=len(ranks),
        unanswerable=len(other_outcomes),
        p_at_1=sum(r == 1 for r in ranks) / count,
        mrr=sum(1.0 / r for r in ranks if r is not None) / count,
        r_at_10=sum(r is not None for r in ranks) / count,
        outcomes_answerable=_shares(answerable_outcomes),
        outcomes_unanswerable=_shares(other_outcomes),
        answered_right=answered_right / count,
        first_shown_right=first_shown_right / count,
        by_tag={tag: _shares(values) for tag, values in sorted(tagged.items())},
        cases=results,
    )


# "Who said that ...?", "Who called Shufrich a traitor?": answered by the citation's speaker.
_WHO_SAID = re.compile(
    r"\bwho(m)?\b.*\b(said|says|say|stated|told|wrote|called|calls|declared|noted|added"
    r"|claimed|claims|warned|described|accused|promised|announced)\b",
    re.IGNORECASE,
)


def scored_text(quote: Quote, question: str) -> str:
    """What a user reads of a quote as an answer to ``question``: its text, and for a "who
    said ...?" question the speaker its citation names (for any other question a quote is not
    right because of who spoke it: "Who is Umerov's lawyer?" is not answered by any sentence
    Polozov said)."""
    if quote.speaker and _WHO_SAID.search(question):
        return f"{quote.text}\n— {quote.speaker}"
    return quote.text


def evaluate_answer_set(searcher: Any, cases: Sequence[AnswerCase]) -> AnswerSetReport:
    """Ask every question through a Searcher (top CUTOFF sentences) and score the answers.

    The ranking is scored sentence by sentence; ``first_shown_right`` reads the first of the
    SHOWN quotes as a user sees them (consecutive sentences joined).
    """
    answers = searcher.search_many([case.question for case in cases], top_k=CUTOFF, join=False)
    shown = [first_quotes(answer.quotes, SHOWN) for answer in answers]
    return score_answers(
        cases,
        [[scored_text(quote, answer.question) for quote in answer.quotes] for answer in answers],
        [answer.outcome for answer in answers],
        [answer.relevance for answer in answers],
        [
            scored_text(quotes[0], answer.question) if quotes else None
            for quotes, answer in zip(shown, answers, strict=True)
        ],
    )


# --- converters ------------------------------------------------------------------------------


def squad_answer_set(squad: SquadSet) -> list[AnswerCase]:
    """SQuAD questions whose gold is the sentence holding the answer's start (ReQA).

    The gold is the whole sentence, not the answer span: a span such as "1990" is in many
    sentences, and ReQA counts only the one the question was written about.
    """
    sentences = split_documents(squad.documents)
    by_doc: dict[int, list[tuple[int, int, str]]] = {}
    for sentence in sentences:
        by_doc.setdefault(sentence.doc, []).append((sentence.start, sentence.end, sentence.text))
    cases = []
    for question in squad.questions:
        gold = []
        for start in question.answer_starts:
            for first, last, text in by_doc[question.document]:
                if first <= start < last and text not in gold:
                    gold.append(text)
        if gold:
            cases.append(AnswerCase(question.question, tuple(gold)))
    return cases


def selqa_answer_set(path: Path) -> tuple[list[Document], list[AnswerCase]]:
    """SelQA as an open pool: one document per (article, section), all asked against all.

    The section's candidate sentences are joined by blank lines, so the splitter keeps them
    apart (it still cuts a few long ones; ``is_right`` accepts half of a gold sentence).
    """
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise AnswerSetError(f"{path}: cannot read SelQA ({error})") from None
    documents: dict[tuple[str, str], Document] = {}
    used: set[str] = set()
    cases = []
    for item in items:
        key = (item["article"], item["section"])
        if key not in documents:
            base = slugify(f"{key[0]} {key[1]}") or "section"
            slug, n = base, 2
            while slug in used or slug == "readme":
                slug, n = f"{base}-{n}", n + 1
            used.add(slug)
            documents[key] = Document(
                id=slug,
                title=f"{key[0]}: {key[1]}",
                text="\n\n".join(item["candidates"]),
                source=SELQA_SOURCE,
            )
        gold = tuple(item["candidates"][i] for i in item["answers"])
        if gold:
            cases.append(AnswerCase(item["question"], gold, tag=item.get("topic")))
    return list(documents.values()), cases
