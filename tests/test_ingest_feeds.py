"""RSS and Atom through real feedparser: links, fallback metadata, broken feeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from embeddings.ingest.errors import FeedError
from embeddings.ingest.feeds import parse_feed

PAGES = Path(__file__).resolve().parent / "data" / "pages"
BASE = "https://news.example"


def _feed(name: str) -> bytes:
    return (PAGES / name).read_bytes().replace(b"{base}", BASE.encode())


def test_rss_entries_with_links_dates_and_authors() -> None:
    feed = parse_feed(_feed("rss.xml"), f"{BASE}/rss.xml")
    assert feed.title == "The Bellmouth Courier"
    first, second, third = feed.entries
    assert first.link == f"{BASE}/pages/ferry-opengraph.html"
    assert first.key == f"{BASE}/news/2024/03/ferry-returns"  # the guid
    assert first.date == "2024-03-14"
    assert first.author == "Olena Marsh"
    assert second.author is None
    assert third.link is None
    assert third.title == "A story with no link"


def test_atom_entries_use_the_published_date_only() -> None:
    feed = parse_feed(_feed("atom.xml"), f"{BASE}/atom.xml")
    library, index = feed.entries
    assert library.link == f"{BASE}/pages/library-jsonld.html"
    assert library.key == "tag:northshire.example,2023:library"
    assert library.date == "2023-11-02"
    assert library.author == "Tomas Wren"
    assert index.date is None  # only an update date: not a publication date


@pytest.mark.parametrize(
    "raw", [_feed("broken-feed.xml")[:20], b"<html><body>Not a feed</body></html>", b""]
)
def test_what_is_not_a_feed_is_refused(raw: bytes) -> None:
    with pytest.raises(FeedError, match="not a readable RSS or Atom feed"):
        parse_feed(raw, "https://news.example/feed")
