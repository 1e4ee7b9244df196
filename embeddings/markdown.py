"""The Markdown line markers an article file may keep at the start of a sentence.

A corpus file is Markdown, and a heading, list item or block quote line becomes a sentence of
its own with its marker (``## Who paid``, ``- Trams run``, ``> The budget``, ``3. A cafe``).
The marker is the file's markup, not the article's words: a web page shows no such character,
so a link to the text must not start with it, and a line that carries one is no sentence to
join with its neighbours.

A heading is not quoted at all: it names what the paragraph below it is about, often in the very
words of a question ("## Who paid for the park"), so it outranked the sentence that answers and
was shown as if it answered.
"""

from __future__ import annotations

import re

MARKER = r"#{1,6}|[-*+>]|\d{1,3}[.)]"
"""One marker, without the space that follows it."""

_HEADING = re.compile(r"#{1,6}\s")


def is_heading(text: str, document_text: str, start: int) -> bool:
    """Whether a sentence (its ``text``, starting at ``start`` in its article) is a Markdown
    heading line: a ``#`` marker at the start of a line (a hashtag mid-line is not)."""
    return bool(_HEADING.match(text)) and (start == 0 or document_text[start - 1] == "\n")
