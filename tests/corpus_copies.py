"""Copies of the bundled corpus for tests that change a corpus, add an article to it or need it
at another path: one way to make them, so the tests differ only in what they add.

Kept apart from ``conftest.py`` so that test modules can import it like any helper; conftest
takes ``REPO`` and ``CORPUS`` from here.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

from embeddings.ingest.bundled import BUNDLED_MARKER

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"


def copy_corpus(
    folder: Path, extra: Mapping[str, str] | None = None, *, marker: bool = True
) -> Path:
    """Copy the bundled corpus into ``folder`` (which must not exist; parents are made) and
    write each of ``extra``'s texts (UTF-8) under its file name there; return ``folder``.

    ``marker=False`` leaves out the bundled corpus's read-only marker: the copy is then a
    folder of one's own, which ``quotebot add``/``remove`` and the bot's /add may write into.
    With it (the default) the copy is the bundled corpus at another path, as a checkout's is.
    """
    ignore = None if marker else shutil.ignore_patterns(BUNDLED_MARKER)
    shutil.copytree(CORPUS, folder, ignore=ignore)
    for name, text in (extra or {}).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def article(title: str, body: str, **front: str) -> str:
    """The text of an article file: a front matter block (``title``, then ``front``'s fields in
    the order given, each written as given: quote a value yourself where YAML needs it), then
    ``body`` as it is."""
    fields = "".join(f"{key}: {value}\n" for key, value in {"title": title, **front}.items())
    return f"---\n{fields}---\n{body}"
