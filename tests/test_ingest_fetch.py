"""Downloads within limits, against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from embeddings.ingest.errors import FetchError
from embeddings.ingest.fetch import FEED_TYPES, fetch
from tests.page_server import PageServer, serve_pages


@pytest.fixture(scope="module")
def server() -> Iterator[PageServer]:
    with serve_pages() as pages:
        yield pages


def _reason(url: str, **limits: object) -> str:
    with pytest.raises(FetchError) as caught:
        fetch(url, **limits)  # type: ignore[arg-type]
    assert caught.value.source == url
    return caught.value.reason


def test_a_page_is_fetched_with_a_user_agent_naming_quotebot(server: PageServer) -> None:
    url = server.url("/pages/ferry-opengraph.html")
    fetched = fetch(url)
    assert b"Bellmouth ferry returns" in fetched.body
    assert fetched.media_type == "text/html"
    assert fetched.charset == "utf-8"
    assert fetched.url == url
    agent = dict(server.requests)["/pages/ferry-opengraph.html"]
    assert agent.startswith("quotebot/")


def test_redirects_are_followed_and_the_final_address_kept(server: PageServer) -> None:
    fetched = fetch(server.url("/redirect/3/pages/market-plain.html"))
    assert fetched.url == server.url("/pages/market-plain.html")
    assert b"tram depot" in fetched.body


def test_too_many_redirects_and_loops_are_refused(server: PageServer) -> None:
    assert "too many redirects" in _reason(server.url("/redirect/3/pages/x.html"), max_redirects=2)
    assert "too many redirects" in _reason(server.url("/loop"))


def test_a_redirect_to_a_local_file_is_refused(server: PageServer) -> None:
    assert "non-web address: file:///etc/passwd" in _reason(server.url("/to-file"))


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/a", "example.org/a"])
def test_only_http_and_https_addresses_are_fetched(url: str) -> None:
    assert "only http:// and https://" in _reason(url)


@pytest.mark.parametrize(("status", "words"), [(404, "HTTP error 404"), (503, "HTTP error 503")])
def test_http_errors_name_the_status(server: PageServer, status: int, words: str) -> None:
    assert words in _reason(server.url(f"/status/{status}"))


def test_a_slow_server_times_out(server: PageServer) -> None:
    assert "timed out" in _reason(server.url("/slow"), timeout_s=0.3)


def test_an_unreachable_host_is_reported() -> None:
    # Port 9 on the loopback address: nothing listens there, the connection is refused.
    assert "cannot connect to 127.0.0.1" in _reason("http://127.0.0.1:9/article")


def test_other_content_types_are_refused_before_the_body(server: PageServer) -> None:
    assert "not an HTML page (the server says application/pdf)" in _reason(
        server.url("/document.pdf")
    )


def test_feeds_are_accepted_when_asked_for(server: PageServer) -> None:
    fetched = fetch(server.url("/pages/rss.xml"), accept=FEED_TYPES, kind="a feed")
    assert fetched.media_type == "application/rss+xml"
    assert "not a feed" in _reason(
        server.url("/pages/paywall.html"), accept=FEED_TYPES, kind="a feed"
    )


def test_oversize_pages_are_refused_by_declared_and_by_counted_size(server: PageServer) -> None:
    assert "too large" in _reason(server.url("/huge.html"), max_bytes=100_000)
    assert "too large" in _reason(server.url("/huge-chunked.html"), max_bytes=100_000)
