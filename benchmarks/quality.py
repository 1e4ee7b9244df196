"""Answer quality on every set, every system, through one scorer (embeddings/answer_sets.py).

    python benchmarks/quality.py [--sets squad,selqa,reader-tune,reader-holdout]
                                 [--abstain-below P] [--related-below P]

Sets: SQuAD dev (ReQA: gold = the sentence holding the answer), SelQA dev (open pool: all
sections' sentences in one corpus), and the bundled corpus's reader questions (tune and
held-out halves, tests/data/reader-*.jsonl). Systems: dense only (MiniLM cosine), BM25 only
(sentence index, k1 0.7, b 0.3), the old hybrid (dense + margin-gated lexical share, relevance
threshold 0.5) and quotebot (the learned ranking and the three outcomes, through the real
Searcher; "first quote as shown": the first of the 3 quotes a user sees, consecutive
sentences joined, embeddings/quote_joining.py). For SQuAD and SelQA every question is asked a
second time with its own article hidden ("hidden"): a near-subject question the corpus does
not answer, which must not be answered. Vectors come from the on-disk cache
(benchmarks/vector_cache.py); the first run encodes them (minutes), later runs take about a
minute.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

from quality_sets import EvalSet, judged, load  # noqa: E402
from vector_cache import VectorCache  # noqa: E402

from embeddings.abstention import DEFAULT_ABSTAIN_BELOW, DEFAULT_RELATED_BELOW, decide  # noqa: E402
from embeddings.answer_sets import (  # noqa: E402
    CUTOFF,
    SHOWN,
    AnswerSetReport,
    score_answers,
    scored_text,
)
from embeddings.answerability import probability  # noqa: E402
from embeddings.quote_joining import first_quotes  # noqa: E402
from embeddings.ranking import rank_hybrid  # noqa: E402
from embeddings.search import Searcher, same_text_key  # noqa: E402

OLD_ABSTAIN_BELOW = 0.5


def _top_texts(evalset: EvalSet, ids: Sequence[int]) -> list[str]:
    seen: set[str] = set()
    texts = []
    for i in ids:
        text = evalset.index.sentences[i].text
        key = same_text_key(text)
        if key not in seen:
            seen.add(key)
            texts.append(text)
            if len(texts) == CUTOFF:
                break
    return texts


def run_dense(evalset: EvalSet) -> AnswerSetReport:
    quotes = []
    for vector in evalset.questions:
        cosine = evalset.matrix @ vector
        quotes.append(_top_texts(evalset, np.argsort(-cosine)[: CUTOFF * 2].tolist()))
    return score_answers(evalset.cases, quotes, ["answered"] * len(quotes))


def run_bm25(evalset: EvalSet) -> AnswerSetReport:
    quotes = []
    for case in evalset.cases:
        scores = evalset.index.lexical.scores(case.question)
        quotes.append(
            _top_texts(evalset, np.argsort(-scores, kind="stable")[: CUTOFF * 2].tolist())
        )
    return score_answers(evalset.cases, quotes, ["answered"] * len(quotes))


def run_old(evalset: EvalSet) -> AnswerSetReport:
    quotes, outcomes = [], []
    for case, vector in zip(evalset.cases, evalset.questions, strict=True):
        ranking = rank_hybrid(evalset.index, evalset.matrix, case.question, vector)
        quotes.append(_top_texts(evalset, ranking.ids[: CUTOFF * 2].tolist()))
        relevance = float(ranking.dense[0] + ranking.lexical[0]) if len(ranking.ids) else 0.0
        outcomes.append("answered" if relevance >= OLD_ABSTAIN_BELOW else "declined")
    return score_answers(evalset.cases, quotes, outcomes)


def run_quotebot(evalset: EvalSet, abstain: float, related: float) -> AnswerSetReport:
    searcher = Searcher(
        evalset.index,
        _Dimension(),
        abstain_below=abstain,
        related_below=related,
        multilingual=False,
    )
    quotes, outcomes, shown = [], [], []
    for case, vector in zip(evalset.cases, evalset.questions, strict=True):
        ranking = searcher.rank(case.question, vector)
        # as `quotebot eval` scores them: the text and the speaker the citation names
        ranked = searcher.quotes(ranking, CUTOFF, join=False)
        quotes.append([scored_text(q, case.question) for q in ranked])
        outcomes.append(decide(ranking.relevance, abstain, related))
        first = first_quotes(ranked, SHOWN)  # as shown: the same sentences, joined
        shown.append(scored_text(first[0], case.question) if first else None)
    return score_answers(evalset.cases, quotes, outcomes, shown_first=shown)


def hidden_outcomes(evalset: EvalSet, abstain: float, related: float) -> dict[str, float]:
    """Each question asked with its own article hidden: shares of the three outcomes."""
    assert evalset.home is not None
    counts = {"answered": 0, "related": 0, "declined": 0}
    for n in range(len(evalset.cases)):
        best = probability(judged(evalset, n, hide=evalset.home[n])[2])
        counts[decide(best, abstain, related)] += 1
    return {k: v / len(evalset.cases) for k, v in counts.items()}


class _Dimension:
    dimension = 384

    def encode(self, texts: Sequence[str]) -> np.ndarray:  # pragma: no cover - not called
        raise NotImplementedError


def _row(name: str, report: AnswerSetReport, outcomes: bool, shown: bool = False) -> str:
    cells = [name, f"{report.p_at_1:.3f}", f"{report.mrr:.3f}", f"{report.r_at_10:.3f}"]
    cells.append(f"{report.first_shown_right:.3f}" if shown else "-")
    if outcomes:
        cells.append(f"{report.outcomes_answerable['answered']:.2f}")
        cells.append(f"{report.answered_right:.2f}")
        if report.unanswerable:
            u = report.outcomes_unanswerable
            cells.append(f"{u['answered']:.2f}/{u['related']:.2f}/{u['declined']:.2f}")
            near = report.by_tag.get("near")
            cells.append(f"{1 - near['answered']:.2f}" if near else "-")
        else:
            cells += ["-", "-"]
    else:
        cells += ["-", "-", "-", "-"]
    return "| " + " | ".join(cells) + " |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sets", default="squad,selqa,reader-tune,reader-holdout")
    parser.add_argument("--abstain-below", type=float, default=DEFAULT_ABSTAIN_BELOW)
    parser.add_argument("--related-below", type=float, default=DEFAULT_RELATED_BELOW)
    parser.add_argument("--no-hidden", action="store_true", help="skip the hidden-article runs")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    sets = load(args.sets.split(","), VectorCache())
    print(
        "| set / system | P@1 | MRR@10 | R@10 | first quote as shown | answerable answered "
        "| answered, first sentence right "
        "| unanswerable answered/related/declined | near-subject not answered |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for evalset in sets.values():
        n_ans = sum(c.answerable for c in evalset.cases)
        title = f"**{evalset.name}** ({n_ans} answerable, {len(evalset.cases) - n_ans} not)"
        print(f"| {title} | | | | | | | | |")
        print(_row("dense only", run_dense(evalset), False))
        print(_row("BM25 only", run_bm25(evalset), False))
        print(_row("old hybrid (abstain < 0.5)", run_old(evalset), True))
        print(
            _row(
                "quotebot",
                run_quotebot(evalset, args.abstain_below, args.related_below),
                True,
                shown=True,
            )
        )
        if evalset.home is not None and not args.no_hidden:
            shares = hidden_outcomes(evalset, args.abstain_below, args.related_below)
            print(
                f"| quotebot, own article hidden | | | | | | | "
                f"{shares['answered']:.2f}/{shares['related']:.2f}/{shares['declined']:.2f} "
                f"| {1 - shares['answered']:.2f} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
