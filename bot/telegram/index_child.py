"""Index builds in a child process, so that the serving process stays small.

Building an index encodes every sentence of the corpus: the batch buffers, tokenizer caches and
allocator arenas that needs stay in a process's resident memory long after the build (0.75 to
1.15 GB instead of about 230 MB for a warm query, issue 9 row 13). So when the index is
missing, stale or damaged, ``quotebot run`` and ``/reload`` build it in a short-lived child
(``python -m bot.telegram.index_child``) and only load the finished index themselves. A domain
error in the child (a bad corpus, a missing model) comes back as the same error class with the
same one-line message.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import embeddings
from embeddings import QuotebotError

logger = logging.getLogger(__name__)


def needs_build(corpus_dir: Path, index_dir: Path, model: str) -> bool:
    """Whether ``open_searcher`` would build: no index, another format, damaged, or stale.

    A stale index whose folder cannot be written (replicas' read-only volume) is not rebuilt:
    ``open_searcher`` serves it as it is, with a warning.
    """
    try:
        stale = (
            embeddings.staleness(embeddings.read_manifest(index_dir), corpus_dir, model)
            is not None
        )
    except embeddings.IndexFormatError:
        return True
    return stale and embeddings.index_write_problem(index_dir) is None


def build_in_child(corpus_dir: Path, index_dir: Path, model: str) -> None:
    """Build the index in a child process; re-raises its domain error, QuotebotError if the
    child died some other way."""
    logger.info("building the index in %s in a child process", index_dir)
    result = subprocess.run(
        [sys.executable, "-m", "bot.telegram.index_child", str(corpus_dir), str(index_dir), model],
        stdout=subprocess.PIPE,
        check=False,
    )
    if result.returncode == 0:
        return
    try:
        failure = json.loads(result.stdout.decode("utf-8").strip().splitlines()[-1])
        name, message = str(failure["error"]), str(failure["message"])
    except (ValueError, KeyError, IndexError, TypeError):
        raise QuotebotError(
            f"building the index in {index_dir} failed (exit status {result.returncode})"
        ) from None
    error_class = getattr(embeddings, name, None)
    if isinstance(error_class, type) and issubclass(error_class, QuotebotError):
        raise error_class(message)
    raise QuotebotError(message)


def main(argv: list[str]) -> int:
    """Child side: build, and on a domain error print it as one JSON line and exit 2."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    corpus_dir, index_dir, model = Path(argv[0]), Path(argv[1]), argv[2]
    try:
        from bot.settings import load_settings  # QUOTEBOT_ANN, inherited from the bot

        embeddings.build(corpus_dir, index_dir, model, ann=load_settings().ann_settings())
    except QuotebotError as error:
        print(json.dumps({"error": type(error).__name__, "message": str(error)}), flush=True)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
