"""Ingestion: turning web pages, saved pages and feeds into corpus files.

One job per module: ``fetch`` downloads within limits, ``extract`` finds the article in a page,
``feeds`` reads RSS/Atom, ``store`` writes articles into the corpus folder atomically,
``registry`` remembers feeds, ``addresses`` keeps the bot's downloads on public hosts, and
``pipeline`` ties them together into one report line per article. Nothing here imports
Telegram; front ends (the CLI, the bot) import from this package only. Names are resolved on
first use, as in ``embeddings``, because trafilatura and httpx are not free to import and most
commands never need them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from embeddings.ingest.addresses import public_client
    from embeddings.ingest.errors import ExtractError, FeedError, FetchError, IngestError
    from embeddings.ingest.pipeline import Ingester, Report
    from embeddings.ingest.registry import FeedRegistry, FollowedFeed
    from embeddings.ingest.store import CorpusWriter, corpus_lock

_EXPORTS: dict[str, str] = {
    "ExtractError": "embeddings.ingest.errors",
    "FeedError": "embeddings.ingest.errors",
    "FetchError": "embeddings.ingest.errors",
    "IngestError": "embeddings.ingest.errors",
    "Ingester": "embeddings.ingest.pipeline",
    "Report": "embeddings.ingest.pipeline",
    "FeedRegistry": "embeddings.ingest.registry",
    "FollowedFeed": "embeddings.ingest.registry",
    "CorpusWriter": "embeddings.ingest.store",
    "corpus_lock": "embeddings.ingest.store",
    "public_client": "embeddings.ingest.addresses",
}

__all__ = [
    "CorpusWriter",
    "ExtractError",
    "FeedError",
    "FeedRegistry",
    "FetchError",
    "FollowedFeed",
    "IngestError",
    "Ingester",
    "Report",
    "corpus_lock",
    "public_client",
]


def __getattr__(name: str) -> Any:
    """Import the defining module on first access (PEP 562) and cache the name here."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'embeddings.ingest' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
