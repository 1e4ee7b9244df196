"""Reading RSS and Atom feeds with feedparser: which articles a feed points at.

A feed only lists articles; each one is then fetched and extracted like any page. What a feed
entry itself says (its title, date and author) is kept as a fallback for a page that does not
say it, since it comes from the same publisher. feedparser is forgiving: a feed with a small
flaw (an HTML entity XML does not know, a wrong declared encoding) is still read; one that yields
no feed at all is an error. A feed that is not well-formed XML (cut off mid-item, a tag left
open) is read up to the error, but :attr:`Feed.broken` says so: the entry being read when the
XML broke off is incomplete (no link, a title cut short), and a user must be told that the
feed is broken rather than that an entry has no link.
"""

from __future__ import annotations

import logging
import time
import xml.sax
from dataclasses import dataclass
from typing import Any

import feedparser

from embeddings.ingest.errors import FeedError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed; ``link`` is None when the entry gives no web address."""

    key: str
    link: str | None
    title: str | None = None
    date: str | None = None
    author: str | None = None


@dataclass(frozen=True)
class Feed:
    """A parsed feed: its title (None when it gives none) and its entries in feed order.

    ``broken`` is the parser's reason when the feed is not well-formed XML (None otherwise);
    ``entries`` then holds what was read before the error, the last one possibly incomplete.
    """

    url: str
    title: str | None
    entries: tuple[FeedEntry, ...]
    broken: str | None = None


def parse_feed(raw: bytes, url: str) -> Feed:
    """Parse the bytes of an RSS or Atom feed downloaded from ``url``.

    Raises:
        FeedError: The bytes are not a feed, or are too broken to give any entry.
    """
    parsed: Any = feedparser.parse(raw, response_headers={"content-location": url})
    version = parsed.get("version") or ""
    if not parsed.entries and (parsed.bozo or not version):
        problem = parsed.get("bozo_exception")
        detail = f" ({' '.join(str(problem).split())})" if problem else ""
        raise FeedError(url, f"not a readable RSS or Atom feed{detail}")
    broken = _xml_error(parsed.get("bozo_exception")) if parsed.bozo else None
    if parsed.bozo and broken is None:
        logger.info("feed %s has flaws but was read: %s", url, parsed.get("bozo_exception"))
    entries = tuple(_entry(item) for item in parsed.entries)
    return Feed(url=url, title=_text(parsed.feed.get("title")), entries=entries, broken=broken)


def _xml_error(problem: object) -> str | None:
    """``not well-formed XML (line 12, column 4: unclosed token)``, or None for a mere flaw.

    An entity XML does not define (``&nbsp;``, common in feeds written by hand) makes the
    XML parser give up too, but feedparser's lenient parser then reads the whole feed: a flaw,
    not a broken feed.
    """
    if not isinstance(problem, xml.sax.SAXParseException):
        return None
    message = " ".join(str(problem.getMessage()).split())
    if message == "undefined entity":
        return None
    return (
        f"not well-formed XML (line {problem.getLineNumber()}, "
        f"column {problem.getColumnNumber()}: {message})"
    )


def _entry(item: Any) -> FeedEntry:
    link = _web_link(item)
    title = _text(item.get("title"))
    key = _text(item.get("id")) or link or title or ""
    return FeedEntry(
        key=key, link=link, title=title, date=_date(item), author=_text(item.get("author"))
    )


def _web_link(item: Any) -> str | None:
    candidates = [item.get("link")]
    candidates += [
        link.get("href")
        for link in item.get("links", [])
        if link.get("rel") in (None, "alternate")
    ]
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.startswith(("http://", "https://")):
            return candidate
    return None


def _date(item: Any) -> str | None:
    """The entry's publication date as ``YYYY-MM-DD`` in UTC; an update date is not one."""
    value = item.get("published_parsed")
    if isinstance(value, time.struct_time):
        return time.strftime("%Y-%m-%d", value)
    return None


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None
