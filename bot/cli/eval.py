"""``quotebot eval answers``, ``eval squad`` and ``eval questions``: quality numbers users can
reproduce.

Thin: the measuring is in the engine (``embeddings.evaluation``); this module loads, calls and
prints.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli.options import EXIT_FAILED_CASES, EXIT_OK, add_location_options, locations
from bot.settings import Settings

if TYPE_CHECKING:
    from embeddings import AnswerSetReport

MISSES_SHOWN = 20  # the text output lists this many failing questions; --json has them all


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    evaluate = commands.add_parser(
        "eval",
        help="measure answer quality",
        description="Measure answer quality on an answer set of your own (eval answers), on "
        "SQuAD, or on a regression set.",
    )
    actions = evaluate.add_subparsers(dest="eval_command", metavar="SET")
    actions.required = True
    squad = actions.add_parser(
        "squad",
        help="sentence retrieval on a SQuAD v1.1 file (P@1, MRR, R@5, R@10)",
        description="Index every paragraph of a SQuAD v1.1 file (each article is a document), "
        "ask every question, and score the ranking: a sentence is correct when it contains the "
        "start of a reference answer. Builds its own index in memory with the configured "
        "model; the 10,570 dev questions take several minutes on 2 cores.",
    )
    squad.add_argument("file", type=Path, metavar="FILE", help="SQuAD v1.1 JSON file")
    squad.add_argument(
        "--limit",
        type=int,
        metavar="N",
        help="ask only the first N questions (all articles are still indexed)",
    )
    squad.add_argument("--json", action="store_true", help="print one JSON object")
    squad.add_argument("--model", metavar="NAME", help="model name or path (default: settings)")
    questions = actions.add_parser(
        "questions",
        help="a JSONL regression set against your corpus",
        description="Ask each question of a JSONL file against the corpus and check the "
        'answers. Each line: {"question": "...", "expect": ["substring", ...], "top": 1} (one '
        "substring must be in one of the first `top` quotes) or "
        '{"question": "...", "abstain": true}. Prints the best-score spread of both kinds and '
        "a suggested abstention threshold. Exits 1 when a question fails.",
    )
    questions.add_argument("file", type=Path, metavar="FILE", help="JSONL regression set")
    questions.add_argument("--json", action="store_true", help="print one JSON object")
    add_location_options(questions)
    answers = actions.add_parser(
        "answers",
        help="an answer set (corpus folder + JSONL): P@1, MRR@10, R@10 and outcome shares",
        description="Ask every question of an answer set against a corpus folder and score "
        "the first 10 quotes and the outcome. Each JSONL line: "
        '{"question": "...", "answers": ["substring", ...]} (a quote is right when it holds '
        'one of them) or {"question": "...", "answerable": false}; optional "tag" (reported '
        'on its own) and "note". Prints P@1, MRR@10 and R@10 over the answerable questions, '
        "and the shares answered / related / declined for answerable and unanswerable "
        "questions apart, with the thresholds in use (QUOTEBOT_ABSTAIN_BELOW, "
        "QUOTEBOT_RELATED_BELOW), then the questions to look at: answerable ones whose first "
        f"quote is wrong or that were not answered, unanswerable ones that were answered (the "
        f'first {MISSES_SHOWN}; --json lists every question under "cases"). Warns on stderr '
        "about each question none of whose answers occurs in the corpus. The index of CORPUS "
        "is built on first use, like ask's.",
    )
    answers.add_argument("corpus", type=Path, metavar="CORPUS", help="folder of articles")
    answers.add_argument("file", type=Path, metavar="FILE", help="JSONL answer set")
    answers.add_argument("--json", action="store_true", help="print one JSON object")
    answers.add_argument(
        "--index",
        metavar="DIR",
        type=Path,
        help="where the index of CORPUS lives (default: a folder per corpus and model in the "
        "user data directory)",
    )
    answers.add_argument("--model", metavar="NAME", help="model name or path (default: settings)")


def command_eval_squad(args: argparse.Namespace, settings: Settings) -> int:
    from embeddings import (
        DEFAULT_ABSTAIN_BELOW,
        EvaluationError,
        SentenceTransformerEncoder,
        evaluate_squad,
        load_squad,
        resolve_model,
    )

    if args.limit is not None and args.limit < 1:
        raise EvaluationError("--limit must be at least 1")
    squad = load_squad(args.file, limit=args.limit)
    encoder = SentenceTransformerEncoder(resolve_model(args.model or settings.model))
    threshold = DEFAULT_ABSTAIN_BELOW if settings.abstain_below is None else settings.abstain_below
    report = evaluate_squad(squad, encoder, encoder.encode, threshold)
    if args.json:
        print(json.dumps({"file": str(args.file), **asdict(report)}))
        return EXIT_OK
    m = report.metrics
    throughput = report.sentences / max(report.build_seconds, 1e-9)
    rows = [
        ("file", str(args.file)),
        ("articles", str(report.documents)),
        ("sentences", str(report.sentences)),
        ("questions", str(m.questions)),
        ("P@1", f"{m.p_at_1:.3f}  (the first quote contains the answer)"),
        ("MRR", f"{m.mrr:.3f}  (mean of 1/rank of the first correct quote)"),
        ("R@5", f"{m.r_at_5:.3f}  (a correct quote among the first 5)"),
        ("R@10", f"{m.r_at_10:.3f}  (a correct quote among the first 10)"),
        ("abstained", f"{m.abstained:.3f}  (all are answerable: wrongly declined)"),
        ("index build", f"{report.build_seconds:.1f} s ({throughput:.0f} sentences/s)"),
        ("questions/s", f"{report.questions_per_second:.1f}"),
    ]
    for name, value in rows:
        print(f"{name + ':':<13}{value}")
    return EXIT_OK


def command_eval_questions(args: argparse.Namespace, settings: Settings) -> int:
    from embeddings import calibrate, load_cases, open_searcher, run_cases

    cases = load_cases(args.file)
    corpus, index, model = locations(args, settings)
    searcher = open_searcher(corpus, index, model, **settings.searcher_options())
    results = run_cases(searcher, cases)
    answerable = [r for r in results if not r.case.abstain]
    unanswerable = [r for r in results if r.case.abstain]
    calibration = calibrate(
        [r.best_score for r in answerable], [r.best_score for r in unanswerable]
    )
    failed = [r for r in results if not r.passed]
    if args.json:
        print(
            json.dumps(
                {
                    "answered": sum(r.passed for r in answerable),
                    "answerable": len(answerable),
                    "abstained": sum(r.passed for r in unanswerable),
                    "unanswerable": len(unanswerable),
                    "threshold": searcher.abstain_below,
                    "calibration": asdict(calibration),
                    "results": [asdict(r) for r in results],
                },
                ensure_ascii=False,
            )
        )
        return EXIT_FAILED_CASES if failed else EXIT_OK
    for result in results:
        mark = "pass" if result.passed else "FAIL"
        detail = ""
        if not result.passed:
            wanted = "abstention" if result.case.abstain else " or ".join(result.case.expect)
            detail = f"\n      expected {wanted}; first quote: {result.first_quote!r}"
            detail += " (abstained)" if result.abstained else ""
        print(f"{mark}  {result.best_score:5.2f}  {result.case.question}{detail}")

    def share(part: int, whole: int) -> str:
        return f"{part}/{whole} ({part / whole:.0%})" if whole else "0/0"

    print()
    print(f"answered correctly:  {share(sum(r.passed for r in answerable), len(answerable))}")
    print(f"abstained correctly: {share(sum(r.passed for r in unanswerable), len(unanswerable))}")
    low, mid, high = calibration.answerable
    print(f"best scores, answerable:   min {low:.2f}  median {mid:.2f}  max {high:.2f}")
    low, mid, high = calibration.unanswerable
    print(f"best scores, unanswerable: min {low:.2f}  median {mid:.2f}  max {high:.2f}")
    suggested = "n/a" if calibration.suggested is None else f"{calibration.suggested:.3f}"
    print(
        f"abstention threshold in use: {searcher.abstain_below:.3f}; "
        f"suggested by this set: {suggested} (set QUOTEBOT_ABSTAIN_BELOW)"
    )
    return EXIT_FAILED_CASES if failed else EXIT_OK


def command_eval_answers(args: argparse.Namespace, settings: Settings) -> int:
    from embeddings import evaluate_answer_set, load_answer_set, open_searcher, unfound_answers

    cases = load_answer_set(args.file)  # fail on a bad file before loading the model
    model = args.model or settings.model
    index = args.index or settings.index_for(args.corpus, model)
    searcher = open_searcher(args.corpus, index, model, **settings.searcher_options())
    for case in unfound_answers(cases, (document.text for document in searcher.index.documents)):
        print(f"{case.where}: none of the answers occurs in the corpus", file=sys.stderr)
    report = evaluate_answer_set(searcher, cases)
    thresholds = {
        "abstain_below": searcher.abstain_below,
        "related_below": searcher.related_below,
    }
    if args.json:
        record = {"corpus": str(args.corpus), "file": str(args.file), **thresholds}
        print(json.dumps({**record, **asdict(report)}, ensure_ascii=False))
        return EXIT_OK

    def shares(outcomes: dict[str, float]) -> str:
        return "  ".join(f"{name} {share:.3f}" for name, share in outcomes.items())

    rows = [
        ("corpus", str(args.corpus)),
        ("file", str(args.file)),
        ("questions", f"{report.answerable} answerable, {report.unanswerable} unanswerable"),
        ("P@1", f"{report.p_at_1:.3f}  (the first sentence holds an answer)"),
        (
            "first shown",
            f"{report.first_shown_right:.3f}  (the first quote as shown, neighbours joined, "
            "holds an answer)",
        ),
        ("MRR@10", f"{report.mrr:.3f}  (mean of 1/rank of the first right quote in 10)"),
        ("R@10", f"{report.r_at_10:.3f}  (a right quote among the first 10)"),
        ("answered right", f"{report.answered_right:.3f}  (answered, first sentence right)"),
        ("answerable", shares(report.outcomes_answerable)),
        ("unanswerable", shares(report.outcomes_unanswerable) if report.unanswerable else "none"),
    ]
    rows += [(f"tag {tag}", shares(outcomes)) for tag, outcomes in report.by_tag.items()]
    rows.append(
        (
            "thresholds",
            f"answered from {searcher.abstain_below:.3f} (QUOTEBOT_ABSTAIN_BELOW), related "
            f"from {searcher.related_below:.3f} (QUOTEBOT_RELATED_BELOW)",
        )
    )
    width = max(len(name) for name, _ in rows) + 2
    for name, value in rows:
        print(f"{name + ':':<{width}}{value}")
    print_misses(report)
    return EXIT_OK


def print_misses(report: AnswerSetReport) -> None:
    """One line per question to look at, the first MISSES_SHOWN of them, in file order."""
    misses = report.misses
    if not misses:
        print("\nquestions to look at: none")
        return
    print(
        f"\nquestions to look at: {len(misses)} (answerable: first quote wrong or not answered; "
        "unanswerable: answered)"
    )
    for miss in misses[:MISSES_SHOWN]:
        if not miss.answerable:
            rank = "unanswerable"
        elif miss.rank is None:
            rank = "no right quote in the first 10"
        else:
            rank = f"rank {miss.rank}"
            if miss.right_as_shown and miss.rank != 1:
                rank += ", right as shown: joined with its neighbour"
        print(f"  {miss.question}  ({rank}, {miss.outcome}, relevance {miss.relevance:.3f})")
    if len(misses) > MISSES_SHOWN:
        print(f"  ... and {len(misses) - MISSES_SHOWN} more (--json lists every question)")
