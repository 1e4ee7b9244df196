"""The Markdown line markers an article file may keep at the start of a sentence.

A corpus file is Markdown, and a heading, list item or block quote line becomes a sentence of
its own with its marker (``## Who paid``, ``- Trams run``, ``> The budget``, ``3. A cafe``).
The marker is the file's markup, not the article's words: a web page shows no such character,
so a link to the text must not start with it, and a line that carries one is no sentence to
join with its neighbours.

A heading is not quoted at all: it names what the paragraph below it is about, often in the very
words of a question ("## Who paid for the park"), so it outranked the sentence that answers and
was shown as if it answered. Nor is a line of hashtags ("#harbour #tender").
"""

from __future__ import annotations

import re

MARKER = r"#{1,6}|[-*+>]|\d{1,3}[.)]"
"""One marker, without the space that follows it."""

_HEADING = re.compile(r"#{1,6}\s")
# A line of hashtags only ("#harbour #tender #corruption"): tags, not words of the article.
_HASHTAGS = re.compile(r"#[^\W_][\w-]*(?:[\s,]+#[^\W_][\w-]*)*[\s.]*")


def is_markup_line(text: str, document_text: str, start: int) -> bool:
    """Whether a sentence (its ``text``, starting at ``start`` in its article) is a line of
    markup, never a quote: a Markdown heading (a ``#`` marker at the start of a line; a hash
    mid-line is not one) or a line of hashtags only (NU18B-9)."""
    if _HASHTAGS.fullmatch(text):
        return True
    return bool(_HEADING.match(text)) and (start == 0 or document_text[start - 1] == "\n")
