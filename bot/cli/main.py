"""The ``quotebot`` command line: a thin shell over the search service.

Other tools drive ``quotebot ask --json``, so its output and exit codes are a contract: 0 on
success, 2 on bad usage or bad input with one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import NoReturn, TextIO

from bot.eval_commands import add_eval_parser, command_eval_questions, command_eval_squad
from bot.locations import add_location_options, locations
from bot.settings import Settings, load_settings
from embeddings.errors import QuestionError, QuotebotError

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_USAGE = 2
# Imported lazily by the commands that need them: `quotebot --help` must stay instant.
Command = Callable[[argparse.Namespace, Settings], int]


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors, like every other error quotebot reports."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="quotebot",
        description="Answer questions about a corpus of news articles by quoting its sentences "
        "verbatim, with citations. Works offline.",
        epilog='Examples:\n  quotebot ask "How many political prisoners are held in Crimea?"\n'
        "  quotebot ask --json < questions.txt\n  quotebot index info\n"
        "  TELEGRAM_BOT_TOKEN=... quotebot run",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="log more (-v info, -vv debug)"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

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
        "--top-k", type=_positive, default=None, metavar="N", help="number of quotes (default 3)"
    )
    ask.add_argument(
        "--json", action="store_true", help="print one JSON object per question, one per line"
    )
    add_location_options(ask)

    index = commands.add_parser(
        "index", help="build or inspect the index", description="Build or inspect the index."
    )
    index_commands = index.add_subparsers(dest="index_command", metavar="ACTION")
    index_commands.required = True
    build = index_commands.add_parser(
        "build",
        help="(re)build the index from the corpus",
        description="Encode every sentence of the corpus and store the index atomically: "
        "if the build fails or is interrupted, the previous index stays in place.",
    )
    add_location_options(build)
    info = index_commands.add_parser(
        "info",
        help="show what an index holds",
        description="Show the model, corpus, counts and freshness of an index.",
    )
    info.add_argument("--json", action="store_true", help="print the manifest as JSON")
    add_location_options(info)

    add_eval_parser(commands)

    commands.add_parser(
        "run",
        help="start the Telegram bot (needs TELEGRAM_BOT_TOKEN)",
        description="Start the Telegram bot. Configuration comes from the environment; see "
        "the README for every setting and its default.",
    )
    return parser


def _progress(total: int) -> Callable[[int], None]:
    """A progress bar on a terminal; nothing when stderr is a file or a pipe."""
    if not sys.stderr.isatty():
        return lambda done: None
    from tqdm import tqdm

    bar = tqdm(total=total, unit="sentence", desc="Encoding", file=sys.stderr, leave=False)

    def update(done: int) -> None:
        bar.update(done)
        if bar.n >= total:
            bar.close()

    return update


def _questions(args: argparse.Namespace, stdin: TextIO) -> Iterator[str]:
    if args.question is not None:
        yield args.question
        return
    for line in stdin:
        if line.strip():
            yield line.rstrip("\n")


def command_ask(args: argparse.Namespace, settings: Settings) -> int:
    from bot.render_text import render_json, render_text
    from embeddings.search import validate_question
    from embeddings.service import open_searcher

    if args.question is not None:
        validate_question(args.question)  # fail fast, before loading anything
    corpus, index, model = locations(args, settings)
    searcher = open_searcher(
        corpus, index, model, progress=_progress, abstain_below=settings.abstain_below
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


def command_index_build(args: argparse.Namespace, settings: Settings) -> int:
    from embeddings.service import build

    corpus, index, model = locations(args, settings)
    manifest = build(corpus, index, model, progress=_progress)
    print(
        f"indexed {manifest.sentence_count} sentences of {manifest.document_count} articles "
        f"with {manifest.model_name} into {index}"
    )
    return EXIT_OK


def command_index_info(args: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import asdict

    from embeddings.index_store import read_manifest
    from embeddings.service import staleness

    corpus, index, model = locations(args, settings)
    manifest = read_manifest(index)
    try:
        freshness = staleness(manifest, corpus, model) or "up to date"
    except QuotebotError as error:
        freshness = f"cannot compare: {error}"
    if args.json:
        print(json.dumps({**asdict(manifest), "index": str(index), "status": freshness}))
        return EXIT_OK
    rows = [
        ("index", str(index)),
        ("status", freshness if freshness == "up to date" else f"stale: {freshness}"),
        ("model", f"{manifest.model_name} (weights sha256 {manifest.weights_sha256[:16]})"),
        ("query encoder", manifest.query_encoder),
        ("corpus", manifest.corpus_dir),
        ("articles", str(manifest.document_count)),
        ("sentences", str(manifest.sentence_count)),
        ("dimension", str(manifest.dimension)),
        ("built", manifest.built_at),
        ("format", str(manifest.format_version)),
    ]
    for name, value in rows:
        print(f"{name + ':':<15}{value}")
    return EXIT_OK


def command_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.runner import run_bot

    return run_bot(settings)


COMMANDS: dict[str, Command] = {
    "ask": command_ask,
    "index build": command_index_build,
    "index info": command_index_info,
    "run": command_run,
    "eval squad": command_eval_squad,
    "eval questions": command_eval_questions,
}


def configure_logging(verbosity: int, stream: TextIO | None = None) -> None:
    """Warnings only by default: the terminal is for answers, and queries are private."""
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(verbosity, 2)]
    logging.basicConfig(
        level=level,
        stream=stream or sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # faiss announces its CPU features at INFO on import: noise in every bot start-up log.
    logging.getLogger("faiss").setLevel(max(level, logging.WARNING))


def _command_name(args: argparse.Namespace) -> str:
    parts = (
        args.command,
        getattr(args, "index_command", None),
        getattr(args, "eval_command", None),
    )
    return " ".join(name for name in parts if name)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.verbose + (1 if args.command == "run" else 0))
    try:
        settings = load_settings()
        return COMMANDS[_command_name(args)](args, settings)
    except QuotebotError as error:
        print(f"quotebot: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("quotebot: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
