"""``quotebot ask``: one question from the command line, or one per line of standard input.

Batch mode is a contract that other tools drive: every input line that holds a question gets
exactly one output, in order (an answer, or for ``--json`` an error object naming the line), so
output N always belongs to question N; blank lines hold no question and get none, but they
count in the line numbers. A question the model cannot search (another language) is refused
before the model is loaded.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from bot.cli.options import EXIT_OK, EXIT_USAGE, add_location_options, locations, top_k
from bot.cli.progress import progress_bar
from bot.settings import Settings
from embeddings import QuestionError

if TYPE_CHECKING:
    from embeddings import Answer, Document, Searcher

# What a person sees when `quotebot ask` waits for questions on a terminal.
TERMINAL_PROMPT = "Type a question and press Enter; Ctrl-D to finish."


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    ask = commands.add_parser(
        "ask",
        help="answer a question with quotes from the corpus",
        description="Print the sentences of the corpus that best answer QUESTION, verbatim, "
        "with their citations and relevance (0..1, the number the thresholds compare). "
        "Without QUESTION, read questions from standard input, one per line, and answer each "
        "in order (the model is loaded once): each line that holds a question gets exactly one "
        "output, an answer or, for a line that cannot be asked, 'quotebot: error: line N: ...' "
        "on standard error (with --json, "
        '{"question": ..., "error": ..., "line": N} on standard output); blank lines are '
        "skipped but counted. "
        "The index is built on first use and rebuilt when the corpus or the model changes.",
        epilog="Exit codes: 0 every question was answered (an answer may be 'the sources do "
        "not answer this'), 2 bad usage or input (in batch mode: at least one line could not "
        "be asked; the others were still answered), 130 interrupted.",
    )
    ask.add_argument("question", nargs="?", metavar="QUESTION", help="the question to answer")
    ask.add_argument(
        "--top-k",
        type=top_k,
        default=None,
        metavar="N",
        help="number of quotes (default $QUOTEBOT_TOP_K or 3, at most 50)",
    )
    ask.add_argument(
        "--json", action="store_true", help="print one JSON object per question, one per line"
    )
    add_location_options(ask)


def _questions(args: argparse.Namespace, stdin: TextIO) -> Iterator[tuple[int | None, str]]:
    """(line number, question): None for the command line's own question."""
    if args.question is not None:
        yield None, args.question
        return
    if stdin.isatty():
        print(TERMINAL_PROMPT, file=sys.stderr, flush=True)
    for number, line in enumerate(stdin, 1):
        if line.strip():
            yield number, line.rstrip("\r\n")


class _Asker:
    """Answers questions, loading the model only for the first question it must search."""

    def __init__(self, args: argparse.Namespace, settings: Settings) -> None:
        from embeddings import is_multilingual_model

        self.corpus, self.index, self.model = locations(args, settings)
        self.settings = settings
        self.multilingual = (
            is_multilingual_model(self.model)
            if settings.multilingual is None
            else settings.multilingual
        )
        self.searcher: Searcher | None = None
        self._documents: list[Document] | None = None

    def answer(self, question: str, top_k: int) -> Answer:
        from embeddings import unsupported_language_answer, validate_question

        refusal = unsupported_language_answer(validate_question(question), self.multilingual)
        if refusal is not None:
            return refusal
        return self.open().search(question, top_k)

    def open(self) -> Searcher:
        from embeddings import open_searcher

        if self.searcher is None:
            self.searcher = open_searcher(
                self.corpus,
                self.index,
                self.model,
                progress=progress_bar,
                **self.settings.searcher_options(),
            )
        return self.searcher

    def documents(self) -> Sequence[Document]:
        """The articles, for the unsupported-language reply (read, not indexed, if need be)."""
        from embeddings import read_corpus

        if self.searcher is not None:
            return self.searcher.documents
        if self._documents is None:
            self._documents = read_corpus(self.corpus)
        return self._documents


def command_ask(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli.render import render_error_json, render_json, render_text

    # Both are checked against the cap before any question (argparse, settings).
    quotes = args.top_k or settings.top_k
    asker = _Asker(args, settings)
    status = EXIT_OK
    first = True
    for line, question in _questions(args, sys.stdin):
        try:
            answer = asker.answer(question, quotes)
        except QuestionError as error:
            if line is None:
                raise  # one question: one error line, exit 2 (bot.cli.main)
            status = EXIT_USAGE
            print(f"quotebot: error: line {line}: {error}", file=sys.stderr, flush=True)
            if args.json:
                print(render_error_json(question, str(error), line), flush=True)
            continue
        documents = asker.documents() if answer.outcome == "unsupported-language" else ()
        if args.json:
            print(render_json(answer, documents), flush=True)
            continue
        if args.question is None:
            print(("" if first else "\n") + f"Q: {answer.question}")
        print(render_text(answer, documents), flush=True)
        first = False
    return status
