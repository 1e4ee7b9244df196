"""Public addresses only: what a bot may fetch when strangers' links reach it.

``quotebot add URL`` runs on the user's own machine, for the user. ``/add URL`` in the bot
runs on a server, and a URL that names ``127.0.0.1``, ``10.0.0.5``, ``169.254.169.254`` (the
cloud metadata service) or a host name that resolves to one of them would make the server
fetch from its own private network. So the bot fetches through a client whose every request
(each redirect hop included) is checked: the host is resolved and refused when any of its
addresses is private, loopback, link-local, multicast, reserved or unspecified. Tests, whose
pages are served on 127.0.0.1, allow loopback explicitly; nothing else is ever allowed.
"""

from __future__ import annotations

import ipaddress
import logging
import socket

import httpx

from embeddings.ingest.errors import FetchError
from embeddings.ingest.fetch import DEFAULT_TIMEOUT_S, user_agent

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _addresses(host: str) -> list[IPAddress]:
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


def check_public_host(url: str, host: str, allow_loopback: bool = False) -> None:
    """Raise FetchError unless every address of ``host`` is public (or allowed loopback)."""
    for address in _addresses(host):
        reason = refusal(address, allow_loopback)
        if reason is not None:
            raise FetchError(url, f"refused: {host} is {reason} ({address})")


def public_client(
    allow_loopback: bool = False, timeout_s: float = DEFAULT_TIMEOUT_S
) -> httpx.Client:
    """An ``httpx.Client`` (for ``Ingester(client=...)``) that fetches from public hosts only.

    The check runs before every request, so a public page that redirects to a private
    address is refused at that hop.
    """

    def guard(request: httpx.Request) -> None:
        check_public_host(str(request.url), request.url.host, allow_loopback)

    return httpx.Client(
        timeout=timeout_s,
        headers={"User-Agent": user_agent()},
        event_hooks={"request": [guard]},
    )
