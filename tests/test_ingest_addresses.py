"""The bot fetches from public addresses only (loopback only where a test allows it)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from pathlib import Path

import pytest

from embeddings.ingest.addresses import check_public_host, public_client, refusal
from embeddings.ingest.errors import FetchError
from embeddings.ingest.pipeline import Ingester
from tests.page_server import PageServer, serve_pages


@pytest.fixture(scope="module")
def server() -> Iterator[PageServer]:
    with serve_pages() as pages:
        yield pages


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "a loopback address"),
        ("::1", "a loopback address"),
        ("10.1.2.3", "a private address"),
        ("192.168.0.10", "a private address"),
        ("172.16.5.4", "a private address"),
        ("169.254.169.254", "a link-local address"),
        ("fe80::1", "a link-local address"),
        ("fd00::1", "a private address"),
        ("::ffff:10.0.0.1", "a private address"),
        ("0.0.0.0", "not a public address"),
        ("224.0.0.1", "not a public address"),
        ("100.64.0.1", "a private address"),
    ],
)
def test_addresses_of_private_networks_are_refused(address: str, reason: str) -> None:
    assert refusal(ipaddress.ip_address(address), allow_loopback=False) == reason


def test_public_addresses_pass_and_loopback_only_when_allowed() -> None:
    assert refusal(ipaddress.ip_address("93.184.216.34"), allow_loopback=False) is None
    assert refusal(ipaddress.ip_address("2606:4700::1111"), allow_loopback=False) is None
    assert refusal(ipaddress.ip_address("127.0.0.1"), allow_loopback=True) is None
    assert refusal(ipaddress.ip_address("10.0.0.1"), allow_loopback=True) == "a private address"


def test_a_host_name_is_judged_by_what_it_resolves_to() -> None:
    with pytest.raises(FetchError, match="localhost is a loopback address"):
        check_public_host("http://localhost/x", "localhost")


def test_the_bot_client_refuses_a_loopback_page_before_any_request(
    server: PageServer, tmp_path: Path
) -> None:
    url = server.url("/pages/ferry-opengraph.html")
    before = len(server.requests)
    with public_client() as client, Ingester(tmp_path / "corpus", client=client) as ingester:
        (report,) = ingester.add([url])
    assert report.status == "skipped"
    assert report.reason is not None and "loopback address" in report.reason
    assert len(server.requests) == before
    assert not list((tmp_path / "corpus").glob("*.md"))


def test_with_loopback_allowed_the_page_is_added_through_redirects(
    server: PageServer, tmp_path: Path
) -> None:
    url = server.url("/redirect/2/pages/ferry-opengraph.html")
    with (
        public_client(allow_loopback=True) as client,
        Ingester(tmp_path / "corpus", client=client) as ingester,
    ):
        (report,) = ingester.add([url])
    assert report.status == "added", report.line()
