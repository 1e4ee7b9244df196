"""Quotation marks that read as balanced, without touching the quoted words.

Both front ends (the command line and Telegram) frame a quote with these; the JSON ``text``
and the engine keep the exact article text. It lives in ``bot`` because only front ends show
quotes to people; the engine never rewrites a sentence.
"""

from __future__ import annotations

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


def display_quote(text: str) -> str:
    """``text`` framed in quotation marks that a reader sees as balanced."""
    before, after = unbalanced_marks(text)
    shown = f"{before}{text}{after}"
    if shown[:1] in _CLOSERS:
        return shown
    return f"“{shown}”"
