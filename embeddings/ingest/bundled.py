"""Which corpus folders are quotebot's own bundled corpus, and so never written to.

The rule is a marker file shipped inside the bundled corpus, not the folder's path: the
installed program's copy and the git checkout's ``corpus/`` are both the bundled corpus, and
``quotebot add --corpus /path/to/checkout/corpus`` must not write into git-tracked files.
"""

from __future__ import annotations

from pathlib import Path

BUNDLED_MARKER = "_BUNDLED_CORPUS"
"""Its name starts with ``_``, so the corpus reader and folder adds skip it."""


def is_bundled_corpus(corpus_dir: Path) -> bool:
    """Whether ``corpus_dir`` holds the bundled-corpus marker (it is then read-only)."""
    return (corpus_dir / BUNDLED_MARKER).is_file()
