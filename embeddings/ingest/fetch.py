"""Downloading one page or feed, within limits a news archive can be trusted with.

A URL a user pastes can point anywhere: at a huge file, a server that never answers, a loop of
redirects, or a ``file://`` address. Every download here therefore has a total time limit, a
size limit counted on the decoded bytes, a bounded number of redirects (each one checked to
stay on http or https), and a user agent that names quotebot so that site owners can see who
fetched their page. Failures become :class:`FetchError` with a short reason.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from importlib import metadata
from urllib.parse import urljoin, urlsplit

import httpx

from embeddings.ingest.errors import FetchError

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 20.0
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_REDIRECTS = 5
HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
    "application/feed+json",
    "application/json",
)
_SCHEMES = ("http", "https")


def user_agent() -> str:
    """``quotebot/VERSION``, plus what it does, so a site's logs say who came by."""
    try:
        version = metadata.version("quotebot")
    except metadata.PackageNotFoundError:
        version = "dev"
    return f"quotebot/{version} (news quotation bot; fetches single articles on request)"


@dataclass(frozen=True)
class Fetched:
    """A downloaded response body; ``url`` is where it came from after redirects."""

    requested_url: str
    url: str
    media_type: str
    charset: str | None
    body: bytes


def check_web_address(url: str) -> str:
    """Return ``url`` if it is an http(s) address with a host, else raise :class:`FetchError`."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in _SCHEMES or not parts.hostname:
        raise FetchError(url, "not a web address (only http:// and https:// are fetched)")
    return url


def fetch(
    url: str,
    *,
    accept: tuple[str, ...] = HTML_TYPES,
    kind: str = "an HTML page",
    timeout_s: float = DEFAULT_TIMEOUT_S,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_redirects: int = DEFAULT_MAX_REDIRECTS,
    client: httpx.Client | None = None,
) -> Fetched:
    """Download ``url`` and return its body if its type is one of ``accept``.

    Args:
        url: An http or https address.
        accept: Media types that are wanted; any other type is refused before its body is
            read. An empty tuple accepts every type.
        kind: What is wanted, in words, for the message that refuses another type.
        timeout_s: Limit for the whole download, redirects included.
        max_bytes: Limit on the body after content decoding.
        max_redirects: How many redirects are followed.
        client: An ``httpx.Client`` to reuse (its redirect setting is ignored: redirects are
            followed here, one checked hop at a time). One is made and closed when omitted.

    Raises:
        FetchError: The address is not http(s), the host cannot be reached, the server
            answered with an error status, too many redirects, the type is not accepted, the
            body is too large, or the time ran out.
    """
    check_web_address(url)
    owned = client is None
    if client is None:
        client = httpx.Client(timeout=timeout_s, headers={"User-Agent": user_agent()})
    deadline = time.monotonic() + timeout_s
    try:
        return _fetch(client, url, accept, kind, deadline, timeout_s, max_bytes, max_redirects)
    except httpx.TimeoutException as exc:
        raise FetchError(url, f"timed out after {timeout_s:g} s") from exc
    except httpx.ConnectError as exc:
        raise FetchError(url, f"cannot connect to {urlsplit(url).hostname} ({exc})") from exc
    except httpx.HTTPError as exc:
        raise FetchError(url, f"network error ({type(exc).__name__}: {exc})") from exc
    finally:
        if owned:
            client.close()


def _fetch(
    client: httpx.Client,
    url: str,
    accept: tuple[str, ...],
    kind: str,
    deadline: float,
    timeout_s: float,
    max_bytes: int,
    max_redirects: int,
) -> Fetched:
    current = url
    headers = {"User-Agent": user_agent(), "Accept": ", ".join(accept) or "*/*"}
    for _hop in range(max_redirects + 1):
        with client.stream("GET", current, headers=headers, follow_redirects=False) as response:
            if response.is_redirect:
                location = response.headers.get("location")
                if not location:
                    raise FetchError(url, f"HTTP {response.status_code} redirect without a target")
                current = urljoin(current, location)
                try:
                    check_web_address(current)
                except FetchError:
                    raise FetchError(url, f"redirected to a non-web address: {current}") from None
                logger.debug("redirect %s -> %s", response.url, current)
                continue
            if response.status_code >= 400:
                phrase = f" {response.reason_phrase}" if response.reason_phrase else ""
                raise FetchError(
                    url,
                    f"HTTP error {response.status_code}{phrase}",
                    permanent=_is_permanent(response.status_code),
                )
            media_type, charset = _content_type(response.headers.get("content-type", ""))
            if accept and media_type not in accept:
                shown = media_type or "no content type"
                raise FetchError(url, f"not {kind} (the server says {shown})", permanent=True)
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                reason = f"too large ({int(declared):,} bytes; limit {max_bytes:,})"
                raise FetchError(url, reason, permanent=True)
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > max_bytes:
                    reason = f"too large (over the limit of {max_bytes:,} bytes)"
                    raise FetchError(url, reason, permanent=True)
                if time.monotonic() > deadline:
                    raise FetchError(url, f"timed out after {timeout_s:g} s")
            return Fetched(url, str(response.url), media_type, charset, bytes(body))
    raise FetchError(url, f"too many redirects (more than {max_redirects})")


def _is_permanent(status: int) -> bool:
    """A client error other than 408 (request timeout) and 429 (too many requests)."""
    return 400 <= status < 500 and status not in (408, 429)


def _content_type(header: str) -> tuple[str, str | None]:
    """``text/html; charset=UTF-8`` becomes ``("text/html", "utf-8")``."""
    media_type, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'").lower()
    return media_type.strip().lower(), charset
