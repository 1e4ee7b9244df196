"""Pages of an answer's quotes: the one place that knows page size, numbering and slicing.

A search fetches a pool of quotes once; the message shows one page of them, and "More ▸" /
"◂ Back" edit the message to another page without searching again. The text (``render``) and
the buttons (``buttons``) of a page both come from the same ``Page``, so the numbers on the
"Context N" buttons are always the numbers in the text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from embeddings import MAX_TOP_K, Answer, Quote

# More quotes than this never share one message: with five, each quote and its citation still
# has about 800 characters of Telegram's 4096.
MAX_QUOTES_PER_MESSAGE = 5
# How many pages of quotes one search fetches, for "More ▸".
ANSWER_PAGES = 3


def page_size(top_k: int) -> int:
    """Quotes per message for a ``top_k`` setting (at least 1, at most 5)."""
    return max(1, min(top_k, MAX_QUOTES_PER_MESSAGE))


def pool_size(top_k: int) -> int:
    """Quotes one search fetches: a few pages' worth, within the engine's cap."""
    return min(MAX_TOP_K, page_size(top_k) * ANSWER_PAGES)


def page_count(answer: Answer, size: int) -> int:
    """How many pages of ``size`` quotes the answer fills (at least one)."""
    return max(1, math.ceil(len(answer.quotes) / page_size(size)))


@dataclass(frozen=True)
class Page:
    """Page ``index`` (0-based) of ``count``: its quotes, numbered from ``first`` (1-based)."""

    index: int
    count: int
    quotes: tuple[Quote, ...]
    first: int
    total: int

    @property
    def last(self) -> int:
        return self.first + len(self.quotes) - 1

    @property
    def has_previous(self) -> bool:
        return self.index > 0

    @property
    def has_next(self) -> bool:
        return self.index + 1 < self.count

    def numbered(self) -> list[tuple[int, Quote]]:
        """The page's quotes with the numbers the user sees."""
        return [(self.first + n, quote) for n, quote in enumerate(self.quotes)]


def page_of(answer: Answer, index: int, size: int) -> Page:
    """Page ``index`` of ``answer``; IndexError when the answer has no such page."""
    size = page_size(size)
    count = page_count(answer, size)
    if not 0 <= index < count:
        raise IndexError(f"page {index} of an answer with {count} pages")
    start = index * size
    return Page(
        index=index,
        count=count,
        quotes=answer.quotes[start : start + size],
        first=start + 1,
        total=len(answer.quotes),
    )
