"""Reading a JSONL file of questions, one object a line, with errors that name the line.

Regression sets (``quotebot eval questions``) and answer sets (``quotebot eval answers``) are
both hand-written by corpus owners, so a mistake must point at the file and line that hold it.
The two formats differ only in their keys; this is the part they share.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from embeddings.errors import QuotebotError

# The keys of the two question formats (eval questions; eval answers).
_OTHER_FORMAT_KEYS = frozenset(
    {"expect", "top", "abstain", "answers", "answerable", "tag", "note"}
)


def question_objects(
    path: Path, keys: set[str], error: type[QuotebotError], other_format: str = ""
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ``("FILE:LINE", object)`` for each object with a ``question`` string.

    Blank lines and lines starting with ``#`` are skipped; an unreadable file, a line that is
    not a JSON object with a ``question`` string, or a key outside ``keys`` raises ``error``.
    ``other_format`` is added to that error when the key belongs to the other question format
    (``answers``/``answerable``/``tag``/``note`` against ``expect``/``top``/``abstain``): the
    file was given to the wrong ``quotebot eval`` command.
    """
    try:
        # utf-8-sig: Windows editors start a file with a byte order mark; corpus files accept
        # one too.
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as failure:
        raise error(f"{path}: cannot read ({failure.strerror})") from None
    except UnicodeDecodeError:
        raise error(f"{path}: not valid UTF-8") from None
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = f"{path}:{number}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as failure:
            raise error(f"{where}: not JSON ({failure.msg})") from None
        if not isinstance(item, dict) or not isinstance(item.get("question"), str):
            raise error(f'{where}: expected an object with a "question" string')
        unknown = set(item) - keys
        if unknown:
            key = sorted(unknown)[0]
            hint = f" ({other_format})" if other_format and key in _OTHER_FORMAT_KEYS else ""
            raise error(f"{where}: unknown key {key!r}{hint}")
        yield where, item
