"""The ``--corpus``/``--index``/``--model`` options every command shares, and their defaults.

Options win over the environment; the index defaults to one folder per corpus and model in the
data directory, so switching corpora never rebuilds the other's index.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.settings import Settings


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
    from embeddings.service import default_index_dir

    corpus = args.corpus or settings.corpus_dir
    model = args.model or settings.model
    index = args.index or settings.index_dir or default_index_dir(settings.data_dir, corpus, model)
    return corpus, index, model
