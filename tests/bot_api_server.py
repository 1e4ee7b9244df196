"""A tiny real HTTP Bot API server on 127.0.0.1, for end-to-end tests of ``quotebot run``.

The bot under test talks to it over real HTTP exactly as it would to api.telegram.org (point
``TELEGRAM_API_BASE_URL`` at ``server.base_url``): ``getMe``, long-polling ``getUpdates`` fed
by ``push_update``, and every sending method, recorded in ``calls``. Requests for any other
token get Telegram's 401, so a bad token can be tested too.

Faults for the fault-injection suite (``fail``): any method can answer the next N calls (or the
calls for one chat) with 429 (``retry_after`` seconds), 5xx, 400 (a parse error), 403, a hang
(no answer for ``hang`` seconds, then a closed connection), a reset (the connection closed with
no answer) or a body that is not JSON. A poison update is just a dict given to ``push_update``.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from tests.fake_bot_api import BOT_USER, ApiCall, Fault, chat_json, refusal_of

# Parameters that python-telegram-bot sends JSON-encoded (strings are sent as they are).
JSON_PARAMETERS = frozenset(
    {
        "reply_markup",
        "reply_parameters",
        "link_preview_options",
        "results",
        "button",
        "commands",
        "allowed_updates",
        "entities",
    }
)
MAX_LONG_POLL = 2.0  # seconds a getUpdates waits at most, so that shutdowns stay quick
HANG = "hang"
RESET = "reset"


@dataclass
class Rule:
    """Answer the next ``times`` calls of ``method`` (to ``chat_id`` if given) with ``fault``."""

    method: str
    fault: Fault
    times: int
    chat_id: int | None = None
    retry_after: int = 1
    status: int = 502
    description: str = "Bad Request: can't parse entities: unsupported start tag"
    hang: float = 5.0


@dataclass
class Reply:
    """What the HTTP handler does: send ``status``/``body``, or hang, or reset."""

    status: int = 200
    body: bytes = b""
    action: str | None = None  # HANG or RESET
    hang: float = 0.0


def _json_reply(status: int, payload: dict[str, Any]) -> Reply:
    return Reply(status, json.dumps(payload).encode("utf-8"))


class BotAPIServer:
    """Start with ``start()``, stop with ``stop()``; thread-safe."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[ApiCall] = []
        self._updates: list[dict[str, Any]] = []
        self._changed = threading.Condition()
        self._message_ids = iter(range(9000, 10**9))
        self._rules: list[Rule] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """What ``TELEGRAM_API_BASE_URL`` should be; the bot appends its token."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail(
        self,
        method: str,
        fault: Fault,
        times: int = 1,
        chat_id: int | None = None,
        **details: Any,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with ``fault`` (see ``Rule``)."""
        with self._changed:
            self._rules.append(Rule(method, fault, times, chat_id, **details))

    def _fault_for(self, method: str, params: dict[str, Any]) -> Rule | None:
        with self._changed:
            for rule in self._rules:
                if rule.method != method or rule.times <= 0:
                    continue
                if rule.chat_id is not None and str(params.get("chat_id")) != str(rule.chat_id):
                    continue
                rule.times -= 1
                return rule
        return None

    def succeeded(self, method: str, chat_id: int | None = None) -> list[ApiCall]:
        """Successful calls of ``method`` (to ``chat_id`` if given), in order."""
        with self._changed:
            return [
                call
                for call in self.calls
                if call.method == method
                and call.failed is None
                and (chat_id is None or str(call.params.get("chat_id")) == str(chat_id))
            ]

    def wait_until(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        """Return once ``condition()`` holds, re-checked after every call; TimeoutError after
        ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not condition():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"not {what} within {timeout} s")
                self._changed.wait(left)

    def push_update(self, update: dict[str, Any]) -> None:
        with self._changed:
            self._updates.append(update)
            self._changed.notify_all()

    def wait_for(
        self,
        predicate: Callable[[ApiCall], bool],
        timeout: float,
        what: str = "a call",
        after: int = 0,
    ) -> ApiCall:
        """The first call from number ``after`` on for which ``predicate`` holds, waiting up to
        ``timeout`` seconds for it."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for call in self.calls[after:]:
                    if predicate(call):
                        return call
                left = deadline - time.monotonic()
                if left <= 0:
                    methods = [call.method for call in self.calls]
                    raise TimeoutError(f"no {what} within {timeout} s; calls: {methods}")
                self._changed.wait(left)

    def _record(self, call: ApiCall) -> None:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset", 0) or 0)
        timeout = min(float(params.get("timeout", 0) or 0), MAX_LONG_POLL)
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                left = deadline - time.monotonic()
                if self._updates or left <= 0:
                    return list(self._updates)
                self._changed.wait(left)

    def _faulty_reply(self, call: ApiCall, rule: Rule) -> Reply:
        call.failed = rule.fault
        self._record(call)
        if rule.fault == "hang":
            return Reply(action=HANG, hang=rule.hang)
        if rule.fault == "reset":
            return Reply(action=RESET)
        if rule.fault == "not_json":
            return Reply(200, b"<html>502 Bad Gateway</html>")
        if rule.fault == "retry_after":
            return _json_reply(
                429,
                {
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {rule.retry_after}",
                    "parameters": {"retry_after": rule.retry_after},
                },
            )
        if rule.fault == "forbidden":
            description = "Forbidden: bot was blocked by the user"
            return _json_reply(403, {"ok": False, "error_code": 403, "description": description})
        if rule.fault == "bad_request":
            description = rule.description
            return _json_reply(400, {"ok": False, "error_code": 400, "description": description})
        return _json_reply(
            rule.status, {"ok": False, "error_code": rule.status, "description": "Bad Gateway"}
        )

    def handle(self, path: str, params: dict[str, Any]) -> Reply:
        prefix = f"/bot{self.token}/"
        if not path.startswith(prefix):
            return _json_reply(
                401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            )
        method = path[len(prefix) :]
        call = ApiCall(method, params)
        rule = self._fault_for(method, params)
        if rule is not None:
            return self._faulty_reply(call, rule)
        refusal = refusal_of(method, params)
        if refusal is not None:
            call.failed = "bad_request"
            self._record(call)
            description = f"Bad Request: {refusal}"
            return _json_reply(400, {"ok": False, "error_code": 400, "description": description})
        if method == "getUpdates":
            call.result = self._get_updates(params)
        elif method == "getMe":
            call.result = BOT_USER
        elif method in ("sendMessage", "editMessageText"):
            chat_id = int(params["chat_id"])
            call.result = {
                "message_id": int(params.get("message_id") or next(self._message_ids)),
                "date": int(time.time()),
                "chat": chat_json(chat_id),
                "from": BOT_USER,
                "text": str(params.get("text", "")),
            }
        else:
            call.result = True
        self._record(call)
        return _json_reply(200, {"ok": True, "result": call.result})

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length).decode("utf-8")
                params = _decode(body, self.headers.get("Content-Type", ""))
                reply = server.handle(self.path, params)
                if reply.action == HANG:
                    time.sleep(reply.hang)
                if reply.action is not None:
                    self.close_connection = True
                    with contextlib.suppress(OSError):
                        self.connection.shutdown(socket.SHUT_RDWR)
                    return
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the bot gave up on a long poll while stopping

            do_GET = do_POST  # noqa: N815 (the name http.server dispatches to)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the request line holds the token; keep test output clean

        return Handler


def _decode(body: str, content_type: str) -> dict[str, Any]:
    if "json" in content_type:
        decoded = json.loads(body or "{}")
        return decoded if isinstance(decoded, dict) else {}
    params: dict[str, Any] = {}
    for name, value in parse_qsl(body, keep_blank_values=True):
        params[name] = json.loads(value) if name in JSON_PARAMETERS else value
    return params
