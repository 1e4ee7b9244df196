"""Links to the quoted sentence itself: URL Fragment Text Directives (``#:~:text=``).

A reader who clicks a citation should land on the sentence, highlighted, not at the top of a
long article. Browsers that support text fragments scroll to the first match of the words in
the directive; others ignore the directive and open the page as before, so the link is never
worse than the plain URL. The words are the sentence's own, percent-encoded as the
specification asks (``-``, ``,`` and ``&`` included, since they are the directive's syntax).
A long sentence is addressed by its first and last few words (``textStart,textEnd``), which
keeps the link short and still selects the whole sentence.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from embeddings.markdown import MARKER

DIRECTIVE = ":~:text="
MAX_WHOLE_WORDS = 8
"""Sentences of up to this many words are quoted whole in the link."""
EDGE_WORDS = 4
"""Words taken from each end of a longer sentence."""


def encode_text(text: str) -> str:
    """Percent-encode text for a text directive: everything but letters, digits and ``_.~``."""
    return quote(text, safe="").replace("-", "%2D")


# A Markdown heading, list item or block quote marker: the article file has it, the web page
# the link opens does not, so a directive that began with it would never match.
_MARKER = re.compile(MARKER)
# Bold words ("The **mayor** said"): the page shows the words without the marks (NU22-12).
# "__" inside a word ("snake__case") is no mark in Markdown; "**" is.
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|(?<!\w)__(?=\S)(.+?)(?<=\S)__(?!\w)")


def _unbolded(text: str) -> str:
    return _BOLD.sub(lambda match: match.group(1) or match.group(2), text)


def text_directive(sentence: str) -> str | None:
    """``text=...`` for a sentence, or None when it has no words."""
    words = _unbolded(sentence).split()
    while words and _MARKER.fullmatch(words[0]):
        words = words[1:]
    if not words:
        return None
    if len(words) <= MAX_WHOLE_WORDS:
        return "text=" + encode_text(" ".join(words))
    start = encode_text(" ".join(words[:EDGE_WORDS]))
    end = encode_text(" ".join(words[-EDGE_WORDS:]))
    return f"text={start},{end}"


def url_to_quote(url: str, sentence: str) -> str:
    """The article's URL with a text fragment that points at ``sentence``.

    An existing fragment is kept (the directive follows it, as the specification allows); an
    existing text directive is replaced. A sentence with no words gives the URL unchanged.
    """
    directive = text_directive(sentence)
    if directive is None:
        return url
    base, _, fragment = url.partition("#")
    fragment = fragment.partition(":~:")[0]
    return f"{base}#{fragment}:~:{directive}"
