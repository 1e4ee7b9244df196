"""Pages of an answer's quotes and of /sources: the one place that knows page size,
numbering, order and slicing.

A search fetches a pool of quotes once; the message shows one page of them, and "More ▸" /
"◂ Back" edit the message to another page without searching again. The text (``render``) and
the buttons (``buttons``) of a page both come from the same ``Page``, so the numbers on the
"Context N" buttons are always the numbers in the text.

/sources shows the articles newest first, a fixed number per page, so that the page count is
known without rendering every page and a button's page number means the same page each time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from embeddings import MAX_TOP_K, Answer, Document, Quote

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


# Articles per /sources message: with ten, each entry still has about 400 characters of
# Telegram's 4096, and 42 articles make 5 pages.
SOURCES_PER_PAGE = 10

# The order of the articles of each live index, computed once per index: reading every
# article's date and title from a large loaded index takes a while. Weak keys: an index that
# was swapped out is forgotten with it.
_orders: weakref.WeakKeyDictionary[Sequence[Document], tuple[int, ...]] = (
    weakref.WeakKeyDictionary()
)


def _timestamp(date: str) -> float | None:
    """Seconds since the epoch of an ISO 8601 date or date-time (UTC when no zone is given);
    None when it cannot be read."""
    try:
        moment = dt.datetime.fromisoformat(date)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


@runtime_checkable
class _TitlesAndDates(Protocol):
    """A loaded index's articles read title and date without decoding the body (a tenth of
    the time over 50,000 articles)."""

    def title_and_date(self, n: int) -> tuple[str, str | None]: ...


def _titles_and_dates(documents: Sequence[Document]) -> Iterator[tuple[str, str | None]]:
    if isinstance(documents, _TitlesAndDates):
        return (documents.title_and_date(n) for n in range(len(documents)))
    return ((document.title, document.date) for document in documents)


def _newest_first_key(item: tuple[int, tuple[str, str | None]]) -> tuple[bool, float, str, int]:
    n, (title, date) = item
    stamp = _timestamp(date) if date else None
    return (stamp is None, -(stamp or 0.0), title.casefold(), n)


def newest_first(documents: Sequence[Document]) -> tuple[int, ...]:
    """The numbers of ``documents`` by article date, newest first; undated articles last;
    the same date (or none) by title, then by number."""
    with contextlib.suppress(KeyError, TypeError):  # TypeError: a tuple is no weak key
        return _orders[documents]
    keyed = enumerate(_titles_and_dates(documents))
    order = tuple(n for n, _ in sorted(keyed, key=_newest_first_key))
    with contextlib.suppress(TypeError):
        _orders[documents] = order
    return order


@dataclass(frozen=True)
class SourcesPage:
    """Page ``index`` (0-based) of ``count`` of /sources: ``total`` articles in all."""

    index: int
    count: int
    documents: tuple[Document, ...]
    total: int


def sources_page_count(total: int) -> int:
    """How many /sources pages ``total`` articles fill (at least one, even when empty)."""
    return max(1, math.ceil(total / SOURCES_PER_PAGE))


def sources_page(documents: Sequence[Document], index: int) -> SourcesPage:
    """Page ``index`` of the articles, newest first; IndexError when there is no such page.

    Reads every article once per index (for the order): run it in a worker thread.
    """
    count = sources_page_count(len(documents))
    if not 0 <= index < count:
        raise IndexError(f"page {index} of {count} pages of sources")
    start = index * SOURCES_PER_PAGE
    numbers = newest_first(documents)[start : start + SOURCES_PER_PAGE]
    return SourcesPage(
        index=index,
        count=count,
        documents=tuple(documents[n] for n in numbers),
        total=len(documents),
    )
