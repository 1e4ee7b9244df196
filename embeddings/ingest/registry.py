"""The feeds a corpus follows, and which of their entries were already handled.

Kept as ``_feeds.json`` in the corpus folder (the reader skips ``_`` names), so that the feeds
travel with the articles they produced and a person can read or edit the list. An entry is
remembered once it reached a final state (stored, unchanged, a duplicate, or a page with no
article); an entry that failed for a reason that may pass (a timeout, a server error) is not,
so the next poll tries it again. An entry whose article failed for good (HTTP 404 or 410, not a
web page, no article text) is remembered as handled and counted in ``failed``: reported once,
then never fetched again, so that one dead link does not make every poll fail. A poll that
could not read the feed itself (HTTP 404, a broken feed) is kept as ``last_failure`` so that
``quotebot feeds list`` can say why a feed brings nothing new.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from embeddings.ingest.errors import IngestError
from embeddings.ingest.fetch import check_web_address
from embeddings.ingest.store import write_atomically
from embeddings.stamps import utc_timestamp

logger = logging.getLogger(__name__)

REGISTRY_NAME = "_feeds.json"
FORMAT_VERSION = 1


@dataclass
class FollowedFeed:
    """A feed and what quotebot knows of it; ``seen`` holds entry keys already handled,
    ``failed`` those of them whose article failed for good (HTTP 404, no article text)."""

    url: str
    added: str
    title: str | None = None
    polled: str | None = None
    seen: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    last_failure: str | None = None
    """Why the latest poll could not read the feed (``HTTP error 404 ...``), with its time."""


class FeedRegistry:
    """The followed feeds of one corpus folder, loaded on creation and saved atomically."""

    def __init__(self, corpus_dir: Path) -> None:
        """Raises IngestError when the file exists but cannot be read as a feed list."""
        self.path = corpus_dir / REGISTRY_NAME
        self.feeds: list[FollowedFeed] = []
        if self.path.exists():
            self.feeds = _load(self.path)

    def find(self, url: str) -> FollowedFeed | None:
        return next((feed for feed in self.feeds if feed.url == url), None)

    def follow(self, url: str) -> tuple[FollowedFeed, bool]:
        """Remember a feed; returns it and whether it was new."""
        check_web_address(url)
        known = self.find(url)
        if known is not None:
            return known, False
        feed = FollowedFeed(url=url, added=_now())
        self.feeds.append(feed)
        return feed, True

    def unfollow(self, url: str) -> bool:
        """Stop following a feed; returns whether it was followed. Its articles stay."""
        known = self.find(url)
        if known is None:
            return False
        self.feeds.remove(known)
        return True

    def mark_failed(self, feed: FollowedFeed, reason: str) -> None:
        """Record a poll that could not read the feed (what it added before stays)."""
        feed.last_failure = f"{reason} (at {_now()})"

    def mark_polled(
        self, feed: FollowedFeed, title: str | None, seen: list[str], failed: Sequence[str] = ()
    ) -> None:
        """Record a poll: ``seen`` entries are not tried again, ``failed`` ones among them
        failed for good (they are counted, and never fetched again)."""
        feed.polled = _now()
        feed.title = title or feed.title
        feed.seen += [key for key in seen if key not in feed.seen]
        feed.failed += [key for key in failed if key not in feed.failed]
        feed.last_failure = None

    def save(self) -> None:
        data = {
            "version": FORMAT_VERSION,
            "feeds": [
                {
                    "url": feed.url,
                    "title": feed.title,
                    "added": feed.added,
                    "polled": feed.polled,
                    "seen": feed.seen,
                    "failed": feed.failed,
                    "last_failure": feed.last_failure,
                }
                for feed in self.feeds
            ],
        }
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        write_atomically(self.path, text.encode("utf-8"))


def _load(path: Path) -> list[FollowedFeed]:
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        return [
            FollowedFeed(
                url=str(item["url"]),
                added=str(item["added"]),
                title=item.get("title"),
                polled=item.get("polled"),
                seen=[str(key) for key in item.get("seen", [])],
                failed=[str(key) for key in item.get("failed", [])],
                last_failure=item.get("last_failure"),
            )
            for item in data["feeds"]
        ]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IngestError(str(path), f"cannot read the list of feeds ({exc})") from exc


def _now() -> str:
    return utc_timestamp()
