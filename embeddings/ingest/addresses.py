"""Public addresses only: what a bot may fetch when strangers' links reach it.

``quotebot add URL`` runs on the user's own machine, for the user. ``/add URL`` in the bot
runs on a server, and a URL that names ``127.0.0.1``, ``10.0.0.5``, ``169.254.169.254`` (the
cloud metadata service) or a host name that resolves to one of them would make the server
fetch from its own private network. So the bot fetches through a client whose every connection
(each redirect hop included) is checked: the host is resolved and refused when any of its
addresses is private, loopback, link-local, multicast, reserved or unspecified. Tests, whose
pages are served on 127.0.0.1, allow loopback explicitly; nothing else is ever allowed.

The check and the connection use the same answer. Checking a name and then letting the HTTP
library resolve it again would let a name server answer "public" to the check and "private" a
moment later (DNS rebinding). So the client's network layer resolves each host once, vets the
addresses and connects to those very addresses; the URL, and so the ``Host`` header, the TLS
server name (SNI) and the certificate check, keep the host name. Proxies from the environment
are not used: a proxy would resolve the name itself.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import ssl
from collections.abc import Callable, Iterable

import httpcore
import httpx

from embeddings.ingest.errors import FetchError
from embeddings.ingest.fetch import DEFAULT_TIMEOUT_S, user_agent

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str], list[IPAddress]]
SocketOption = (
    tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
)


def resolve_host(host: str) -> list[IPAddress]:
    """The addresses of ``host`` (an address literal stands for itself); FetchError when the
    name cannot be resolved."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError as error:
        raise FetchError(host, f"cannot resolve {host} ({error})") from None
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def refusal(address: IPAddress, allow_loopback: bool) -> str | None:
    """Why an address must not be fetched from, or None when it is a public one."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return None if allow_loopback else "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast or address.is_unspecified or address.is_reserved:
        return "not a public address"
    if address.is_private or not address.is_global:
        return "a private address"
    return None


def vetted_addresses(
    url: str, host: str, allow_loopback: bool = False, resolver: Resolver = resolve_host
) -> list[IPAddress]:
    """The addresses of ``host``, resolved once; FetchError unless every one is public (or
    allowed loopback). Connect to these, never to a new answer for the same name."""
    addresses = resolver(host)
    if not addresses:
        raise FetchError(url, f"cannot resolve {host} (no address)")
    for address in addresses:
        reason = refusal(address, allow_loopback)
        if reason is not None:
            raise FetchError(url, f"refused: {host} is {reason} ({address})")
    return addresses


def check_public_host(url: str, host: str, allow_loopback: bool = False) -> None:
    """Raise FetchError unless every address of ``host`` is public (or allowed loopback)."""
    vetted_addresses(url, host, allow_loopback)


class _RefusedError(Exception):
    """A host refused at connection time; the transport turns it into FetchError with the URL
    (the network layer only knows the host)."""

    def __init__(self, error: FetchError) -> None:
        super().__init__(error.reason)
        self.reason = error.reason


class PinnedNetwork(httpcore.NetworkBackend):
    """httpcore's network layer, connecting only to addresses vetted for the host asked for.

    ``network`` makes the connections (httpcore's own sockets by default; a test passes one
    that records where it is asked to connect). TLS is started by httpcore on the stream this
    returns, with the URL's host name as server name, so the certificate is checked against
    the name, not the address.
    """

    def __init__(
        self,
        allow_loopback: bool = False,
        resolver: Resolver = resolve_host,
        network: httpcore.NetworkBackend | None = None,
    ) -> None:
        self._allow_loopback = allow_loopback
        self._resolver = resolver
        self._network = network or httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = vetted_addresses(host, host, self._allow_loopback, self._resolver)
        except FetchError as error:
            raise _RefusedError(error) from None
        failure: httpcore.ConnectError | None = None
        for address in addresses:
            try:
                return self._network.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as error:
                failure = error
        assert failure is not None  # vetted_addresses never returns an empty list
        raise failure

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("a Unix socket is not a public address")

    def sleep(self, seconds: float) -> None:
        self._network.sleep(seconds)


class PinnedTransport(httpx.HTTPTransport):
    """httpx's own transport (request and error mapping unchanged) over a ``PinnedNetwork``.

    httpx takes no network layer as an argument, so the connection pool it made is replaced
    by one that uses ours, with the same TLS context and limits; the tests of this module
    fail if a new httpx stops using it.
    """

    def __init__(self, network: PinnedNetwork, ssl_context: ssl.SSLContext | None = None) -> None:
        super().__init__(trust_env=False)
        limits = httpx.Limits()
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context or httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=network,
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return super().handle_request(request)
        except _RefusedError as refused:
            raise FetchError(str(request.url), refused.reason) from None


def public_client(
    allow_loopback: bool = False,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    resolver: Resolver = resolve_host,
    network: httpcore.NetworkBackend | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> httpx.Client:
    """An ``httpx.Client`` (for ``Ingester(client=...)``) that fetches from public hosts only.

    Every connection, so every redirect hop, resolves its host once with ``resolver``, is
    refused unless all its addresses are public, and goes to one of those addresses.
    ``network`` replaces the sockets and ``ssl_context`` the trusted certificates (tests).
    """
    transport = PinnedTransport(PinnedNetwork(allow_loopback, resolver, network), ssl_context)
    return httpx.Client(
        timeout=timeout_s,
        headers={"User-Agent": user_agent()},
        transport=transport,
        trust_env=False,
    )
