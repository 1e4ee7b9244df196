"""The Markdown line markers an article file may keep at the start of a sentence.

A corpus file is Markdown, and a heading, list item or block quote line becomes a sentence of
its own with its marker (``## Who paid``, ``- Trams run``, ``> The budget``, ``3. A cafe``).
The marker is the file's markup, not the article's words: a web page shows no such character,
so a link to the text must not start with it, and a line that carries one is no sentence to
join with its neighbours.

A heading is not quoted at all: it names what the paragraph below it is about, often in the very
words of a question ("## Who paid for the park"), so it outranked the sentence that answers and
was shown as if it answered. Nor is a line of hashtags ("#harbour #tender"), nor a line that
is bold as a whole ("**Could the flood have been predicted?**"): an interview writes its
questions so, and a web layout its subheads and pull quotes, and like a heading such a line
carried the question's words and was quoted first, ``**`` and all (NU22-9). Bold words inside
a sentence ("The **mayor** said ...") are the article's emphasis: that sentence is a sentence.
"""

from __future__ import annotations

import re

MARKER = r"#{1,6}|[-*+>]|\d{1,3}[.)]"
"""One marker, without the space that follows it."""

_HEADING = re.compile(r"#{1,6}\s")
# A line of hashtags only ("#harbour #tender #corruption"): tags, not words of the article.
_HASHTAGS = re.compile(r"#[^\W_][\w-]*(?:[\s,]+#[^\W_][\w-]*)*[\s.]*")


# Bold as a whole: "**...**" or "__...__", the marks touching the words inside (CommonMark's
# flanking rule: "** x **" is no bold). A line may hold several hard-wrapped lines.
_BOLD = re.compile(r"(\*\*|__)(\S(?:.*\S)?)\1", re.DOTALL)
# Inside such a line, a mark that closes one bold run and one that opens another: "**Q1?** and
# **Q2?**" is two bold phrases with plain words between, not a bold line.
_INNER_MARK = {
    mark: re.compile(rf"\S{re.escape(mark)}\s|\s{re.escape(mark)}\S") for mark in ("**", "__")
}

MARKUP_STARTS = ("#", "**", "__")
"""How every markup line starts: a test that needs no article text, for before
``is_markup_line``."""


def may_be_markup_line(text: str) -> bool:
    """Whether a sentence's text could be a markup line (``is_markup_line`` decides), without
    reading its article: False for almost every sentence, cheaply."""
    return text.startswith(MARKUP_STARTS)


def is_bold_line(text: str) -> bool:
    """Whether ``text`` (a line, or a sentence, without its surrounding whitespace) is bold as
    a whole: ``**Could the flood have been predicted?**``, ``__Who paid__``."""
    match = _BOLD.fullmatch(text.strip())
    if match is None:
        return False
    mark, inside = match.groups()
    return not _INNER_MARK[mark].search(inside)


def is_heading_or_bold_line(line: str) -> bool:
    """Whether a whole line (without its surrounding whitespace) is a Markdown heading or bold
    as a whole: the lines an interview or a FAQ writes its questions as."""
    return bool(_HEADING.match(line)) or is_bold_line(line)


def asks(markup_line: str) -> bool:
    """Whether a markup line is a question: its words, without the marks, end in "?"."""
    return markup_line.rstrip().rstrip("*_#").rstrip().endswith("?")


def is_markup_line(text: str, document_text: str, start: int) -> bool:
    """Whether a sentence (its ``text``, starting at ``start`` in its article) is a line of
    markup, never a quote: a Markdown heading (a ``#`` marker at the start of a line; a hash
    mid-line is not one), a line of hashtags only (NU18B-9), or a line that is bold as a whole
    and alone on its line (NU22-9; bold words inside a sentence, or a bold sentence that
    shares its line with others, are the article's)."""
    if _HASHTAGS.fullmatch(text):
        return True
    if not _opens_line(document_text, start):
        return False
    if _HEADING.match(text):
        return True
    return is_bold_line(text) and _closes_line(document_text, start + len(text))


def _opens_line(document_text: str, start: int) -> bool:
    """Whether only spaces or tabs lie between the line's start and ``start``."""
    line_start = document_text.rfind("\n", 0, start) + 1
    return not document_text[line_start:start].strip(" \t")


def _closes_line(document_text: str, end: int) -> bool:
    """Whether only whitespace lies between ``end`` and the end of its line."""
    line_end = document_text.find("\n", end)
    return not document_text[end : len(document_text) if line_end < 0 else line_end].strip()
