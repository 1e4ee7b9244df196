"""The ``quotebot`` command line: the parser, logging and the exit-code contract.

Other tools drive ``quotebot ask --json``, so its output and exit codes are a contract: 0 on
success, 1 when ``eval questions`` has failing questions or ``add``/``remove``/``feeds``
skipped an input, 2 on bad usage or bad input with one line on stderr (never a traceback;
in batch mode: some line could not be asked), 130 on Ctrl-C. Each command group lives in its
own module and imports what it needs lazily: ``quotebot --help`` must stay instant.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn, TextIO

from bot.cli import articles, ask, eval, index, run
from bot.cli.options import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from bot.settings import Settings, load_settings
from bot.telemetry import turn_off_telemetry
from embeddings import QuotebotError

Command = Callable[[argparse.Namespace, Settings], int]


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors, like every other error quotebot reports."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="quotebot",
        description="Answer questions about a corpus of news articles by quoting its sentences "
        "verbatim, with citations. Works offline.",
        epilog='Examples:\n  quotebot ask "How many political prisoners are held in Crimea?"\n'
        "  quotebot ask --json < questions.txt\n  quotebot index info\n"
        "  TELEGRAM_BOT_TOKEN=... quotebot run\n\n"
        "Exit codes: 0 success (declining to answer is an answer), 1 failing `eval "
        "questions` cases or inputs `add`/`remove`/`feeds` skipped, or `run` stopped on a "
        "failure or gave up reaching Telegram at start, 2 bad usage or input (in batch mode: "
        "at least one line could not be asked; the others were answered), 130 interrupted "
        "(`run`: a signal before the bot is up).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="log more (-v info, -vv debug)"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    ask.add_parser(commands)
    index.add_parser(commands)
    eval.add_parser(commands)
    run.add_parser(commands)
    articles.add_parser(commands)
    return parser


COMMANDS: dict[str, Command] = {
    "ask": ask.command_ask,
    **index.COMMANDS,
    "run": run.command_run,
    "eval squad": eval.command_eval_squad,
    "eval questions": eval.command_eval_questions,
    "eval answers": eval.command_eval_answers,
    **articles.COMMANDS,
}


# Libraries whose warnings are about one input that quotebot already reports in its own words.
QUIET_LIBRARIES = ("trafilatura", "htmldate", "courlan", "charset_normalizer", "justext")


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
    # The extraction libraries warn about pages they give up on (trafilatura's "discarding
    # data: None" for an empty page): `add` already says so in its own `skipped` line, and a
    # second, third-party line would break "one line per article". -v shows them again.
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.ERROR if verbosity == 0 else level)


def _command_name(args: argparse.Namespace) -> str:
    parts = (
        args.command,
        getattr(args, "index_command", None),
        getattr(args, "eval_command", None),
        getattr(args, "feeds_command", None),
    )
    return " ".join(name for name in parts if name)


def _command_parser(
    parser: argparse.ArgumentParser, args: argparse.Namespace
) -> argparse.ArgumentParser:
    """The (sub)parser of the command that ``args`` selected, e.g. ``quotebot index info``."""
    for name in _command_name(args).split():
        actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not actions or name not in actions[0].choices:
            break
        parser = actions[0].choices[name]
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    turn_off_telemetry()  # before any dependency loads
    parser = build_parser()
    args, extras = parser.parse_known_args(argv)
    if extras:  # named by the command's own parser, so the hint is `quotebot ask --help`
        _command_parser(parser, args).error(f"unrecognized arguments: {' '.join(extras)}")
    configure_logging(args.verbose + (1 if args.command == "run" else 0))
    try:
        settings = load_settings()
        return COMMANDS[_command_name(args)](args, settings)
    except QuotebotError as error:
        print(f"quotebot: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("quotebot: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
