"""What every command shares: the ``--corpus``/``--index``/``--model`` options, their
defaults, and the exit codes.

Options win over the environment; the index defaults to one folder per corpus and model in the
data directory, so switching corpora never rebuilds the other's index.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.settings import Settings

# The exit codes are a contract (documented in the README): scripts branch on them.
EXIT_OK = 0
EXIT_FAILED_CASES = 1  # `eval questions`: at least one question failed
EXIT_USAGE = 2  # bad usage or bad input, with one line on stderr
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT


def positive(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def add_location_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--corpus",
        metavar="DIR",
        type=Path,
        help="folder of articles (.md with front matter, or .txt); "
        "default: $QUOTEBOT_CORPUS or the bundled QHA articles",
    )
    parser.add_argument(
        "--index",
        metavar="DIR",
        type=Path,
        help="where the index lives; default: $QUOTEBOT_INDEX or a folder per corpus "
        "in the user data directory",
    )
    parser.add_argument(
        "--model",
        metavar="NAME",
        help="sentence-transformers model name or path (default: $QUOTEBOT_MODEL or "
        "all-MiniLM-L6-v2, packaged)",
    )


def locations(args: argparse.Namespace, settings: Settings) -> tuple[Path, Path, str]:
    corpus = args.corpus or settings.corpus_dir
    model = args.model or settings.model
    index = args.index or settings.index_for(corpus, model)
    return corpus, index, model
