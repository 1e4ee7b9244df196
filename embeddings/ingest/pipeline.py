"""From what a user gives (links, saved pages, article files, feeds) to corpus files.

One :class:`Report` per article says what happened: added, updated, unchanged, or skipped
with the reason. A bad input never stops the others and never leaves anything half-written
(the store writes atomically), so a batch of a hundred links with three dead ones adds the
ninety-seven and names the three.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Literal

import httpx

from embeddings.errors import CorpusError
from embeddings.ingest.errors import FeedError, FetchError, IngestError
from embeddings.ingest.extract import extract_article
from embeddings.ingest.feeds import Feed, FeedEntry, parse_feed
from embeddings.ingest.fetch import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_REDIRECTS,
    DEFAULT_TIMEOUT_S,
    FEED_TYPES,
    HTML_TYPES,
    Fetched,
    fetch,
    user_agent,
)
from embeddings.ingest.registry import FeedRegistry
from embeddings.ingest.store import CorpusWriter, WriteResult, corpus_lock

logger = logging.getLogger(__name__)

PAGE_SUFFIXES = (".html", ".htm", ".xhtml")
ARTICLE_FILE_SUFFIXES = (".md", ".txt")
ReportStatus = Literal["added", "updated", "unchanged", "skipped"]


@dataclass(frozen=True)
class Report:
    """The outcome for one article or input.

    ``final`` is False when trying again later may succeed (the network failed), so that a
    feed poll does not mark such an entry as handled.
    """

    status: ReportStatus
    source: str
    id: str | None = None
    title: str | None = None
    date: str | None = None
    reason: str | None = None
    final: bool = True

    @property
    def failed_for_good(self) -> bool:
        """Skipped for a reason that trying again will not change (not a duplicate)."""
        return self.status == "skipped" and self.final and self.id is None

    def line(self) -> str:
        """One line for a terminal: ``added ID: "Title" (date)`` or ``skipped URL: reason``."""
        if self.status == "skipped":
            return f"skipped {self.source}: {self.reason}"
        date = f" ({self.date})" if self.date else ""
        return f'{self.status} {self.id}: "{self.title}"{date}'


class Ingester:
    """Adds articles to one corpus folder; use as a context manager to close its connections.

    Args:
        corpus_dir: The corpus folder (created if missing).
        client: An ``httpx.Client`` to fetch with; one is made (and closed) when omitted.
        timeout_s, max_bytes, max_redirects: Limits for each download.
    """

    def __init__(
        self,
        corpus_dir: Path,
        *,
        client: httpx.Client | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
    ) -> None:
        self.corpus_dir = corpus_dir
        # Held until close(): the writer's view of the folder must stay true while it writes.
        self._lock = ExitStack()
        self._lock.enter_context(corpus_lock(corpus_dir))
        try:
            self.writer = CorpusWriter(corpus_dir)
        except BaseException:
            self._lock.close()
            raise
        self._owns_client = client is None
        self._client = client or httpx.Client(
            timeout=timeout_s, headers={"User-Agent": user_agent()}
        )
        self._timeout_s = timeout_s
        self._max_bytes = max_bytes
        self._max_redirects = max_redirects

    def __enter__(self) -> Ingester:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._owns_client:
            self._client.close()
        self._lock.close()

    def add(self, inputs: Iterable[str]) -> Iterator[Report]:
        """Add each input: an http(s) URL, a saved page, an article file, or a folder."""
        for item in inputs:
            if "://" in item:  # a web address, or one of a scheme that fetch refuses
                yield self.add_url(item)
            else:
                yield from self.add_path(Path(item))

    def add_url(self, url: str, entry: FeedEntry | None = None) -> Report:
        """Fetch a page, extract its article and store it."""
        try:
            fetched = self._fetch(url)
            article = extract_article(_page_text(fetched), where=url, url=fetched.url)
            if entry is not None:  # what the publisher's feed says, where the page is silent
                article = dataclasses.replace(
                    article,
                    date=article.date or entry.date,
                    author=article.author or entry.author,
                )
            result = self.writer.write_article(article, fetched.body, ".html")
        except FetchError as error:
            return Report("skipped", url, reason=error.reason, final=error.permanent)
        except IngestError as error:
            return Report("skipped", url, reason=error.reason)
        return _report(url, result)

    def add_path(self, path: Path) -> list[Report]:
        """Add a saved page or article file, or every one in a folder (recursively)."""
        if path.is_dir():
            files = sorted(
                file
                for file in path.rglob("*")
                if file.is_file()
                and file.suffix.lower() in PAGE_SUFFIXES + ARTICLE_FILE_SUFFIXES
                and not any(part.startswith((".", "_")) for part in file.relative_to(path).parts)
                and file.stem.lower() != "readme"
            )
            if not files:
                return [Report("skipped", str(path), reason="no .html, .md or .txt files in it")]
            return [self._add_file(file) for file in files]
        if not path.exists():
            return [Report("skipped", str(path), reason="no such file or folder")]
        return [self._add_file(path)]

    def _add_file(self, path: Path) -> Report:
        suffix = path.suffix.lower()
        try:
            size = path.stat().st_size
            if size > self._max_bytes:
                reason = f"too large ({size:,} bytes; limit {self._max_bytes:,})"
                return Report("skipped", str(path), reason=reason)
            if suffix in PAGE_SUFFIXES:
                page = path.read_bytes()
                article = extract_article(page, where=str(path))
                result = self.writer.write_article(article, page, suffix)
            elif suffix in ARTICLE_FILE_SUFFIXES:
                result = self.writer.write_file(path)
            else:
                reason = "not a saved page (.html) or an article (.md, .txt)"
                return Report("skipped", str(path), reason=reason)
        except IngestError as error:
            return Report("skipped", str(path), reason=error.reason)
        except CorpusError as error:
            return Report("skipped", str(path), reason=_without_prefix(str(error), str(path)))
        except OSError as error:
            return Report("skipped", str(path), reason=f"cannot read ({error.strerror})")
        return _report(str(path), result)

    def read_feed(self, url: str) -> Feed:
        """Fetch and parse a feed: a web address, or the path of a feed file on this machine
        (its entries' links are still fetched). Raises IngestError (FetchError, FeedError)."""
        if "://" not in url:
            return parse_feed(self._read_feed_file(Path(url)), url)
        fetched = self._fetch(url, accept=(*FEED_TYPES, "text/plain"), kind="a feed")
        return parse_feed(fetched.body, fetched.url)

    def _read_feed_file(self, path: Path) -> bytes:
        try:
            if not path.is_file():
                reason = "no such file" if not path.exists() else "not a file"
                raise FeedError(str(path), f"{reason} (a feed is a web address or a file)")
            size = path.stat().st_size
            if size > self._max_bytes:
                reason = f"too large ({size:,} bytes; limit {self._max_bytes:,})"
                raise FeedError(str(path), reason)
            return path.read_bytes()
        except OSError as error:
            raise FeedError(str(path), f"cannot read ({error.strerror})") from error

    def _fetch(
        self, url: str, accept: tuple[str, ...] = HTML_TYPES, kind: str = "an HTML page"
    ) -> Fetched:
        return fetch(
            url,
            accept=accept,
            kind=kind,
            timeout_s=self._timeout_s,
            max_bytes=self._max_bytes,
            max_redirects=self._max_redirects,
            client=self._client,
        )

    def add_feed(self, url: str, seen: Iterable[str] = ()) -> tuple[Feed | None, list[Report]]:
        """Add every article of a feed whose entry key is not in ``seen``."""
        try:
            feed = self.read_feed(url)
        except IngestError as error:
            return None, [Report("skipped", url, reason=error.reason, final=False)]
        skip = set(seen)
        reports: list[Report] = []
        # The entry the XML broke off in (the last one, with no link yet) is incomplete, not
        # linkless: it is neither counted nor reported.
        incomplete = feed.broken is not None and bool(feed.entries) and not feed.entries[-1].link
        complete = feed.entries[:-1] if incomplete else feed.entries
        if feed.broken is not None:
            # Said first and never final: the rest of the feed was not read.
            count = _plural(len(complete), "entry", "entries")
            reason = f"the feed is broken: {feed.broken}; {count} read before the error"
            reports.append(Report("skipped", url, reason=reason, final=False))
        for entry in complete:
            if entry.key in skip:
                continue
            if entry.link is None:
                what = f"{url} (entry {entry.title or entry.key or 'without a title'!r})"
                reports.append(Report("skipped", what, reason="feed entry without a link"))
            else:
                reports.append(self.add_url(entry.link, entry))
        return feed, reports

    def poll(self, registry: FeedRegistry) -> Iterator[Report]:
        """Fetch what is new in every followed feed, remembering what was handled."""
        for followed in registry.feeds:
            feed, reports = self.add_feed(followed.url, followed.seen)
            yield from reports
            if feed is None:
                registry.mark_failed(followed, reports[0].reason or "cannot read the feed")
                registry.save()
                continue
            handled = {report.source for report in reports if report.final}
            # A failure that will not pass (HTTP 404, not a page, no article text) is handled
            # too: reported once, counted in the registry, and not fetched on every poll.
            failed_links = {report.source for report in reports if report.failed_for_good}
            new = [entry for entry in feed.entries if entry.key not in followed.seen]
            cut_off = feed.broken is not None and bool(new) and new[-1] is feed.entries[-1]
            if cut_off and not new[-1].link:
                new = new[:-1]  # the entry the XML broke off in is read again next time
            keys = [e.key for e in new if e.link is None or e.link in handled]
            failed = [e.key for e in new if e.link is not None and e.link in failed_links]
            registry.mark_polled(followed, feed.title, keys, failed)
            if feed.broken is not None:
                registry.mark_failed(followed, f"the feed is broken: {feed.broken}")
            registry.save()


def _page_text(fetched: Fetched) -> bytes | str:
    """The page decoded with the charset its server declared; bytes (for trafilatura to
    detect the encoding) when it declared none, or one Python does not know or that does not
    fit the bytes. The HTTP header wins over a ``<meta charset>``, as in browsers."""
    if fetched.charset is None:
        return fetched.body
    try:
        return fetched.body.decode(fetched.charset)
    except (LookupError, UnicodeDecodeError):
        logger.info("%s: declared charset %s does not decode it", fetched.url, fetched.charset)
        return fetched.body


def _report(source: str, result: WriteResult) -> Report:
    if result.status == "duplicate":
        return Report(
            "skipped", source, id=result.id, reason=f'duplicate of {result.id} ("{result.title}")'
        )
    return Report(result.status, source, result.id, result.title, result.date)


def _plural(count: int, one: str, many: str) -> str:
    """``1 entry``, ``2 entries``: the count with the word that fits it."""
    return f"{count} {one if count == 1 else many}"


def _without_prefix(message: str, path: str) -> str:
    return message.removeprefix(f"{path}: ")
