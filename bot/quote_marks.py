"""Quotation marks that read as balanced, without touching the quoted words.

Both front ends (the command line and Telegram) frame a quote with these; the JSON ``text``
and the engine keep the exact article text. It lives in ``bot`` because only front ends show
quotes to people; the engine never rewrites a sentence.
"""

from __future__ import annotations

import re

# Opening mark -> the closing marks that end it. Single quotes are left alone: ’ is also the
# apostrophe, so counting it would "balance" every possessive.
_CLOSERS = {"“": "”", "«": "»", "„": "“”", '"': '"'}
_OPENERS = {"”": "“", "»": "«"}


def _opens_straight(text: str, index: int) -> bool:
    before = text[index - 1] if index else " "
    after = text[index + 1] if index + 1 < len(text) else " "
    return (before.isspace() or before in "([{—–-/") and not after.isspace()


def unbalanced_marks(text: str) -> tuple[str, str]:
    """The opening marks missing before ``text`` and the closing marks missing after it.

    A sentence cut out of a longer quotation often opens a quote that a later sentence closes
    (``“To date, 67 people are in custody.``), or closes one that began earlier; shown alone,
    it reads as a typo unless its marks are completed.
    """
    stack: list[str] = []
    missing_openers: list[str] = []
    for index, char in enumerate(text):
        if char == '"':
            # A straight mark has no direction of its own: it opens a quote at the start or
            # after a space or bracket, and closes one everywhere else (`as well," he said.`).
            if _opens_straight(text, index):
                stack.append(char)
            elif stack and stack[-1] == '"':
                stack.pop()
            elif not stack:
                missing_openers.append('"')
        elif char in _CLOSERS and not (stack and stack[-1] == "„" and char in _CLOSERS["„"]):
            stack.append(char)
        elif char in _OPENERS or (stack and stack[-1] == "„" and char in _CLOSERS["„"]):
            if stack and char in _CLOSERS[stack[-1]]:
                stack.pop()
            elif not stack:
                missing_openers.append(_OPENERS.get(char, "„"))
    before = "".join(reversed(missing_openers))
    after = "".join(_CLOSERS[opener][-1] for opener in reversed(stack))
    return before, after


# A blank line (spaces and a carriage return allowed) between two paragraphs of an article.
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a quote (a joined quote may span a paragraph break), each on one
    line: a line break inside a paragraph (a hard-wrapped article) reads as a space."""
    return [" ".join(part.split()) for part in _PARAGRAPH_BREAK.split(text.strip())]


def balanced_paragraphs(text: str) -> list[tuple[str, str, str]]:
    """Per paragraph: the marks to add before it, the paragraph, the marks to add after it.

    Balanced paragraph by paragraph: a quotation that runs on into the next paragraph leaves
    its paragraph open and the next one opens again (the news convention), so counting marks
    over the whole quote would close it after the attribution that follows.
    """
    shown = []
    for part in paragraphs(text):
        before, after = unbalanced_marks(part)
        shown.append((before, part, after))
    return shown


def edge_marks(text: str) -> tuple[str, str]:
    """The marks missing before an excerpt's first paragraph and after its last one.

    For a passage shown verbatim among its neighbours ("Context"): cut out of the article, it
    may start inside a quotation ('... a week. Anyone who ... is a traitor," said the Head')
    and show a closing mark with no opening one (NU21-13). Paragraphs in between stay as the
    article has them.
    """
    parts = paragraphs(text)
    return unbalanced_marks(parts[0])[0], unbalanced_marks(parts[-1])[1]


def display_quote(text: str) -> str:
    """``text`` framed in quotation marks that a reader sees as balanced, one paragraph a
    line."""
    lines = [f"{before}{part}{after}" for before, part, after in balanced_paragraphs(text)]
    shown = "\n".join(lines)
    if shown[:1] in _CLOSERS:
        return shown
    return f"“{shown}”"
