"""``quotebot ask``: one question from the command line, or one per line of standard input."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from typing import Any, TextIO

from bot.cli.options import EXIT_OK, EXIT_USAGE, add_location_options, locations, positive
from bot.cli.progress import progress_bar
from bot.settings import Settings
from embeddings import QuestionError


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    ask = commands.add_parser(
        "ask",
        help="answer a question with quotes from the corpus",
        description="Print the sentences of the corpus that best answer QUESTION, verbatim, "
        "with their citations and scores. Without QUESTION, read questions from standard "
        "input, one per line, and answer each in order (the model is loaded once). The index "
        "is built on first use and rebuilt when the corpus or the model changes.",
    )
    ask.add_argument("question", nargs="?", metavar="QUESTION", help="the question to answer")
    ask.add_argument(
        "--top-k",
        type=positive,
        default=None,
        metavar="N",
        help="number of quotes (default $QUOTEBOT_TOP_K or 3, at most 50)",
    )
    ask.add_argument(
        "--json", action="store_true", help="print one JSON object per question, one per line"
    )
    add_location_options(ask)


def _questions(args: argparse.Namespace, stdin: TextIO) -> Iterator[str]:
    if args.question is not None:
        yield args.question
        return
    for line in stdin:
        if line.strip():
            yield line.rstrip("\n")


def command_ask(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli.render import render_json, render_text
    from embeddings import open_searcher, validate_question

    if args.question is not None:
        validate_question(args.question)  # fail fast, before loading anything
    corpus, index, model = locations(args, settings)
    searcher = open_searcher(
        corpus, index, model, progress=progress_bar, abstain_below=settings.abstain_below
    )
    top_k = args.top_k or settings.top_k
    status = EXIT_OK
    first = True
    for question in _questions(args, sys.stdin):
        try:
            answer = searcher.search(question, top_k)
        except QuestionError as error:
            print(f"quotebot: error: {error}", file=sys.stderr)
            status = EXIT_USAGE
            continue
        if args.json:
            print(render_json(answer), flush=True)
        else:
            if args.question is None:
                print(("" if first else "\n") + f"Q: {answer.question}")
            print(render_text(answer), flush=True)
        first = False
    return status
