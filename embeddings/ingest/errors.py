"""Errors of ingestion: each carries the address or file it is about and a short reason.

Front ends print ``skipped URL: reason`` from these, so the reason is written for the person
who gave the address, in a few words, without a traceback.
"""

from __future__ import annotations

from embeddings.errors import QuotebotError


class IngestError(QuotebotError):
    """An input could not become an article; ``source`` names it, ``reason`` says why."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class FetchError(IngestError):
    """A page or feed could not be downloaded (network, HTTP status, type, size, time).

    ``permanent`` is True when asking again will get the same answer (HTTP 404, 410 and the
    other client errors but 408 and 429, a type that is not wanted, a page over the size
    limit), so that a feed poll reports such an entry once instead of on every poll; a
    network failure, a timeout, a server error, 408 and 429 may pass and are retried.
    """

    def __init__(self, source: str, reason: str, *, permanent: bool = False) -> None:
        super().__init__(source, reason)
        self.permanent = permanent


class ExtractError(IngestError):
    """A page was downloaded but holds no article text (an index page, a paywall)."""


class FeedError(IngestError):
    """A feed could not be read (not a feed, broken beyond repair)."""
