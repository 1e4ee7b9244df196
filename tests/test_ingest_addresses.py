"""The bot fetches from public addresses only (loopback only where a test allows it)."""

from __future__ import annotations

import ipaddress
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpcore
import pytest

from embeddings.ingest.addresses import IPAddress, check_public_host, public_client, refusal
from embeddings.ingest.errors import FetchError
from embeddings.ingest.fetch import fetch
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


# --- the connection goes to the address that was checked (DNS rebinding) -------------------

PUBLIC = ipaddress.ip_address("93.184.216.34")
LOOPBACK = ipaddress.ip_address("127.0.0.1")


class Names:
    """A name server stub: each name's answers in turn (the last one repeats), and who asked."""

    def __init__(self, **answers: list[list[IPAddress]]) -> None:
        self.answers = {name.replace("_", "."): list(turns) for name, turns in answers.items()}
        self.asked: list[str] = []

    def __call__(self, host: str) -> list[IPAddress]:
        self.asked.append(host)
        turns = self.answers[host]
        return turns.pop(0) if len(turns) > 1 else turns[0]


class LoopbackOnly(httpcore.NetworkBackend):
    """Sockets that record every address they are asked for and connect each one to 127.0.0.1
    (to ``routes[address]`` there when given), so that nothing ever leaves the machine."""

    def __init__(self, routes: dict[str, str] | None = None) -> None:
        self.asked: list[str] = []
        self.routes = routes or {}
        self.sockets = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        self.asked.append(host)
        return self.sockets.connect_tcp(self.routes.get(host, "127.0.0.1"), port, timeout)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise AssertionError("no Unix sockets")

    def sleep(self, seconds: float) -> None:
        raise AssertionError("no sleeping")


class Recorder(BaseHTTPRequestHandler):
    """Answers every GET with a small page (or a redirect under /to/HOST/...) and records the
    Host header and path of each request."""

    seen: list[tuple[str, str]]

    def do_GET(self) -> None:
        self.seen.append((self.headers.get("Host", ""), self.path))
        if self.path.startswith("/to/"):
            _, _, host, rest = self.path.split("/", 3)
            self.send_response(302)
            self.send_header("Location", f"http://{host}/{rest}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"<html><body><p>served by the checked address</p></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def recording_server(
    address: str, port: int = 0, tls: ssl.SSLContext | None = None
) -> Iterator[tuple[int, list[tuple[str, str]]]]:
    """A server on ``address`` (a loopback address), HTTPS with ``tls``; yields its port and
    the requests seen."""
    seen: list[tuple[str, str]] = []
    handler = type("Handler", (Recorder,), {"seen": seen})
    httpd = ThreadingHTTPServer((address, port), handler)
    if tls is not None:
        httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1], seen
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_name_is_resolved_once_and_the_checked_address_is_the_one_connected_to() -> None:
    # The name answers 127.0.0.1 to the first question and 127.0.0.2 to any later one; a
    # client that resolved again to connect would reach the server on 127.0.0.2.
    with (
        recording_server("127.0.0.1") as (port, checked),
        recording_server("127.0.0.2", port) as (_, other),
    ):
        names = Names(news_example=[[LOOPBACK], [ipaddress.ip_address("127.0.0.2")]])
        with public_client(allow_loopback=True, resolver=names) as client:
            fetched = fetch(f"http://news.example:{port}/article", client=client)
    assert b"served by the checked address" in fetched.body
    assert fetched.url == f"http://news.example:{port}/article"
    assert checked == [(f"news.example:{port}", "/article")] and other == []
    assert names.asked == ["news.example"]


def test_a_name_that_rebinds_to_loopback_after_the_check_never_reaches_loopback() -> None:
    # Public to the check, 127.0.0.1 a moment later: only the public answer is connected to
    # (the stub sockets carry it to the test server, so nothing leaves the machine).
    names = Names(news_example=[[PUBLIC], [LOOPBACK]])
    sockets = LoopbackOnly()
    with (
        recording_server("127.0.0.1") as (port, seen),
        public_client(resolver=names, network=sockets) as client,
    ):
        fetch(f"http://news.example:{port}/article", client=client)
    assert sockets.asked == [str(PUBLIC)]
    assert names.asked == ["news.example"]
    assert seen == [(f"news.example:{port}", "/article")]


def test_a_redirect_to_a_private_name_is_refused_before_connecting() -> None:
    names = Names(news_example=[[PUBLIC]], intranet_example=[[ipaddress.ip_address("10.0.0.5")]])
    sockets = LoopbackOnly()
    with recording_server("127.0.0.1") as (port, seen):
        url = f"http://news.example:{port}/to/intranet.example:{port}/secrets"
        with (
            public_client(resolver=names, network=sockets) as client,
            pytest.raises(FetchError) as refused,
        ):
            fetch(url, client=client)
    assert str(refused.value) == (
        f"http://intranet.example:{port}/secrets: refused: intranet.example is a private "
        "address (10.0.0.5)"
    )
    assert sockets.asked == [str(PUBLIC)] and len(seen) == 1


def test_one_private_address_among_public_ones_refuses_the_host() -> None:
    names = Names(news_example=[[PUBLIC, LOOPBACK]])
    sockets = LoopbackOnly()
    with (
        public_client(resolver=names, network=sockets) as client,
        pytest.raises(FetchError, match=r"news\.example is a loopback address"),
    ):
        fetch("http://news.example/article", client=client)
    assert sockets.asked == []


def test_proxies_from_the_environment_are_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    # A proxy would resolve the name itself, past the check.
    names = Names(news_example=[[PUBLIC]])
    sockets = LoopbackOnly()
    with (
        recording_server("127.0.0.3") as (proxy_port, proxied),
        recording_server("127.0.0.1") as (port, seen),
    ):
        for variable in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
            monkeypatch.setenv(variable, f"http://127.0.0.3:{proxy_port}")
        with public_client(resolver=names, network=sockets) as client:
            fetch(f"http://news.example:{port}/article", client=client)
    assert sockets.asked == [str(PUBLIC)] and len(seen) == 1 and proxied == []


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for news.example only (made with the openssl command)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("the TLS test needs the openssl command to make its certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=news.example"),
            *("-addext", "subjectAltName=DNS:news.example"),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_tls_names_and_checks_the_host_name_not_the_address(
    certificate: tuple[Path, Path],
) -> None:
    cert, key = certificate
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    server_names: list[str | None] = []
    server_context.sni_callback = lambda _socket, name, _context: server_names.append(name)
    trusted = ssl.create_default_context(cafile=str(cert))
    names = Names(news_example=[[PUBLIC]], other_example=[[PUBLIC]])
    sockets = LoopbackOnly()
    with (
        recording_server("127.0.0.1", tls=server_context) as (port, seen),
        public_client(resolver=names, network=sockets, ssl_context=trusted) as client,
    ):
        fetched = fetch(f"https://news.example:{port}/article", client=client)
        # The same address under another name: its certificate does not name it.
        with pytest.raises(FetchError, match=r"cannot connect to other\.example"):
            fetch(f"https://other.example:{port}/article", client=client)
    assert b"served by the checked address" in fetched.body
    assert seen == [(f"news.example:{port}", "/article")]
    assert server_names[0] == "news.example"
    assert sockets.asked == [str(PUBLIC), str(PUBLIC)]
