"""The webhook receiver: refuse early, record before answering 200.

Telegram considers a webhook update delivered when the bot answers 2xx, so the update is
written to the inbox first, then 200 is sent, then the handlers run (a duplicate delivery is
recorded once and answered once). And since anyone who finds the URL can post to it, the
cheap checks come before any body is read: the path, then the secret header (constant-time
comparison), then ``Content-Length`` (at most ``MAX_BODY`` bytes, 1 MB: far above any real
update). python-telegram-bot's tornado server reads the whole body before checking the secret,
so four 95 MB posts cost 400 MB (issue 9, row 5); this one reads at most 1 MB per request and
``MAX_HEADER`` bytes of headers.

A request gets ``READ_TIMEOUT`` seconds, recording included; a database slower than that gets
the request a 408 (Telegram delivers the update again), but the recording goes on, and an
update recorded late is answered by this replica as if the request had waited.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import socket
from collections.abc import Callable
from typing import Any

from bot.telegram.dispatch import Dispatcher
from bot.telegram.inbox import InboxError, UpdateInbox
from bot.telegram.state_threads import inbox_call

logger = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024
MAX_HEADER = 16 * 1024
READ_TIMEOUT = 10.0
SECRET_HEADER = "x-telegram-bot-api-secret-token"
_REASONS = {
    200: "OK",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    411: "Length Required",
    413: "Content Too Large",
    431: "Request Header Fields Too Large",
    503: "Service Unavailable",
}


def check_can_listen(host: str, port: int) -> str | None:
    """Why the webhook server could not listen on ``host:port`` (naming the variable to fix),
    or None when it can.

    Resolves the address and binds (then closes) a socket on each of its addresses, as
    ``asyncio.start_server`` will, so a bad ``QUOTEBOT_WEBHOOK_LISTEN`` or a port in use is
    found at start, before the index loads (minutes), not after it (issue 9, D3).
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (OSError, UnicodeError) as error:
        reason = getattr(error, "strerror", None) or error
        return f"QUOTEBOT_WEBHOOK_LISTEN {host!r} cannot be resolved: {reason}"
    for family, kind, proto, _, address in infos:
        try:
            with socket.socket(family, kind, proto) as probe:
                # As asyncio.start_server does on Unix: a port in TIME_WAIT is free.
                if hasattr(socket, "SO_REUSEADDR") and family != getattr(socket, "AF_UNIX", -1):
                    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if family == socket.AF_INET6 and hasattr(socket, "IPPROTO_IPV6"):
                    probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                probe.bind(address)
        except OSError as error:
            return (
                f"QUOTEBOT_WEBHOOK_LISTEN/QUOTEBOT_WEBHOOK_PORT: cannot listen on {address[0]} "
                f"port {port}: {error.strerror or error}"
            )
    return None


class WebhookServer:
    """Serves ``POST /<path>`` for Telegram; start with ``start``, stop with ``close``."""

    def __init__(
        self,
        inbox: UpdateInbox,
        dispatcher: Dispatcher,
        path: str,
        secret: str,
        on_update: Callable[[], None] | None = None,
    ) -> None:
        self.inbox = inbox
        self.dispatcher = dispatcher
        self.path = "/" + path.lstrip("/")
        self._secret = secret.encode("utf-8")
        self._on_update = on_update
        self._server: asyncio.Server | None = None
        self._recordings: set[asyncio.Future[bool]] = set()

    async def start(self, host: str, port: int) -> None:
        self._server = await asyncio.start_server(self._serve, host, port, limit=MAX_HEADER)

    @property
    def port(self) -> int:
        """The port it listens on (useful after ``start(host, 0)``)."""
        assert self._server is not None, "not started"
        return int(self._server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            status = await asyncio.wait_for(self._handle(reader), READ_TIMEOUT)
        except TimeoutError:
            status = 408
        except (asyncio.LimitOverrunError, ValueError):
            status = 431
        except (asyncio.IncompleteReadError, ConnectionError):
            status = 0  # the client went away
        try:
            if status:
                reason = _REASONS.get(status, "")
                writer.write(
                    f"HTTP/1.1 {status} {reason}\r\nContent-Length: 0\r\n"
                    "Connection: close\r\n\r\n".encode("ascii")
                )
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader) -> int:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3:
            return 400
        method, target, _ = parts
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, colon, value = line.partition(":")
            if colon:
                headers[name.strip().lower()] = value.strip()
        if target.split("?", 1)[0] != self.path:
            return 404
        if method != "POST":
            return 405
        given = headers.get(SECRET_HEADER, "").encode("utf-8")
        if not hmac.compare_digest(given, self._secret):
            logger.info("webhook: a request without the right secret was refused")
            return 403
        if "transfer-encoding" in headers:
            return 411  # Telegram sends Content-Length; chunked bodies are not read
        try:
            length = int(headers.get("content-length", ""))
        except ValueError:
            return 411
        if length < 0:
            return 400
        if length > MAX_BODY:
            logger.warning("webhook: a %d-byte body was refused (limit %d)", length, MAX_BODY)
            return 413
        body = await reader.readexactly(length)
        try:
            update = json.loads(body)
        except ValueError:
            logger.warning("webhook: a body that is not JSON was refused")
            return 400
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
            logger.warning("webhook: a body without an update id was refused")
            return 400
        recording = asyncio.ensure_future(self._record(update))
        self._recordings.add(recording)
        recording.add_done_callback(self._recordings.discard)
        # Shielded: a request that times out (a slow database) does not cancel the recording.
        recorded = await asyncio.shield(recording)
        # Not recorded, so not confirmed: Telegram delivers it again (perhaps elsewhere).
        return 200 if recorded else 503

    async def _record(self, update: dict[str, Any]) -> bool:
        """Record ``update`` and hand it to the dispatcher if it is new; whether it was
        recorded. A task of its own: when the database answers only after the request timed
        out (408), the update it recorded is answered all the same, here (Telegram's
        redelivery finds it recorded, so it is not answered twice, and not left pending by a
        live replica until a restart)."""
        try:
            new = await inbox_call(self.inbox.record, [update])
        except InboxError as error:
            logger.error("webhook: update %d not recorded: %s", update["update_id"], error)
            return False
        self.dispatcher.accept(new)  # starts tasks; the 200 goes out after the record
        if self._on_update is not None:
            self._on_update()
        return True
