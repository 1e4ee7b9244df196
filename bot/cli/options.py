"""What every command shares: the ``--corpus``/``--index``/``--model`` options, their
defaults, and the exit codes.

Options win over the environment; the index defaults to one folder per corpus and model in the
data directory, so switching corpora never rebuilds the other's index.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from bot.settings import Settings, SettingsError

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


def top_k(text: str) -> int:
    """An argparse type: a number of quotes, 1 to the engine's cap, so that every bad value
    reads the same (``argument --top-k: must be between 1 and 50, not 51``)."""
    from embeddings import MAX_TOP_K

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 1 <= value <= MAX_TOP_K:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_TOP_K}, not {value}")
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


def locations(
    args: argparse.Namespace, settings: Settings, *, check: bool = True
) -> tuple[Path, Path, str]:
    """The corpus, index and model a command uses; with ``check``, a missing corpus, a model
    path that does not exist or an index that cannot be a folder is one error line that names
    where the value came from (the option or the variable), before any work starts."""
    corpus = args.corpus or settings.corpus_dir
    model = args.model or settings.model
    index = args.index or settings.index_for(corpus, model)
    if check:
        _check_corpus(corpus, _source(args.corpus, "--corpus", "QUOTEBOT_CORPUS"))
        _check_model(model, _source(args.model, "--model", "QUOTEBOT_MODEL"))
        index_source = _source(args.index, "--index", "QUOTEBOT_INDEX")
        if not index_source and not settings.index_dir:
            index_source = _source(None, "", "QUOTEBOT_DATA_DIR")
        _check_index(index, index_source)
    return corpus, index, model


def _source(option_value: object, option: str, variable: str) -> str:
    """Who chose a location: the option, the environment variable, or nobody (default)."""
    if option_value:
        return option
    return variable if os.environ.get(variable, "").strip() else ""


def _fail(source: str, message: str) -> SettingsError:
    return SettingsError(f"{source}: {message}" if source else message)


def _check_corpus(corpus: Path, source: str) -> None:
    # "not found" for a path that exists misled a user who gave one article (NU21-12).
    if corpus.is_dir():
        return
    if corpus.exists():
        raise _fail(source, f"{corpus} is a file, not a folder of articles")
    raise _fail(source, f"corpus directory not found: {corpus}")


def _check_model(model: str, source: str) -> None:
    # A Hugging Face name ("org/name") is looked up in the cache later; a path is checked now.
    if model.startswith(("/", "./", "../", "~")) and not Path(model).expanduser().is_dir():
        raise _fail(source, f"model directory not found: {model}")


def _check_index(index: Path, source: str) -> None:
    """The index folder, or the nearest folder above it that exists, must be a writable
    folder: a file there would otherwise read as a damaged index and fail its rebuild."""
    existing = index
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if not existing.is_dir():
        raise _fail(source, f"{existing} is not a directory")
    if existing != index:
        try:  # os.access says yes to root even where nothing can be made (/proc)
            Path(tempfile.mkdtemp(prefix=".quotebot-probe-", dir=existing)).rmdir()
        except OSError as error:
            reason = error.strerror or str(error)
            raise _fail(source, f"cannot create {index} in {existing}: {reason}") from None
