"""An in-process stand-in for Telegram's Bot API, plugged in as python-telegram-bot's transport.

``FakeBotAPI`` is a real ``telegram.request.BaseRequest``: the real ``Application`` and ``Bot``
serialise every call as they would for Telegram, and the fake records it and answers like the
Bot API does, including its refusals: HTML that Telegram could not parse, text over 4096
characters and callback data over 64 bytes get the same 400 errors, so every test checks them.
It can also be told to fail the next calls of a method the ways Telegram fails (429 with
retry_after, 400, 403, 5xx, a timeout). ``Updates`` builds update JSON the way Telegram sends
it, with entity offsets in UTF-16 code units.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import re
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, Literal

from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

BOT_ID = 777000111
BOT_USERNAME = "quote_test_bot"
TOKEN = "123456789:AAFakeTokenForTestsOnly-abcdefghijk"
BOT_USER = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "Quote Bot",
    "username": BOT_USERNAME,
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}

Fault = Literal[
    "retry_after",
    "bad_request",
    "forbidden",
    "server_error",
    "timeout",
    # Only the HTTP stand-in (tests.bot_api_server) can do these: they need a real socket.
    "hang",
    "reset",
    "not_json",
]
_FAULTS: dict[str, tuple[int, dict[str, Any]]] = {
    "retry_after": (
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 1",
            "parameters": {"retry_after": 1},
        },
    ),
    "bad_request": (
        400,
        {
            "ok": False,
            "error_code": 400,
            "description": "Bad Request: can't parse entities: unsupported start tag",
        },
    ),
    "forbidden": (
        403,
        {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
    ),
    "server_error": (
        502,
        {"ok": False, "error_code": 502, "description": "Bad Gateway"},
    ),
}


@dataclass
class ApiCall:
    """One request the bot made: the Bot API method and its parameters (JSON-ready values)."""

    method: str
    params: dict[str, Any]
    failed: Fault | None = None
    result: Any = None

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))


@dataclass
class FakeBotAPI(BaseRequest):
    """Answers Bot API calls in memory and records them in ``calls``."""

    calls: list[ApiCall] = field(default_factory=list)
    updates: deque[dict[str, Any]] = field(default_factory=deque)
    _faults: dict[str, deque[Fault]] = field(default_factory=lambda: defaultdict(deque))
    _message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(5000))
    # Set (and replaced) whenever a call is recorded or an update pushed: waiting on it is how
    # tests and the long poll wait for the bot, without sleeping.
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    def _notify(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates; a waiting long poll returns with it."""
        self.updates.append(update)
        self._notify()

    async def _changed_by_update(self) -> None:
        while True:
            changed = self._changed
            if self.updates:
                return
            await changed.wait()

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 20.0) -> None:
        """Return once ``condition()`` holds, re-checking after every call the bot makes."""
        async with asyncio.timeout(timeout):
            while True:
                changed = self._changed
                if condition():
                    return
                await changed.wait()

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    def fail_next(self, method: str, fault: Fault, times: int = 1) -> None:
        """Make the next ``times`` calls of ``method`` fail with ``fault``."""
        self._faults[method].extend([fault] * times)

    def calls_to(self, method: str, succeeded: bool = True) -> list[ApiCall]:
        return [
            call
            for call in self.calls
            if call.method == method and (call.failed is None or not succeeded)
        ]

    def sent_texts(self) -> list[str]:
        """Texts of successful sendMessage calls, in order."""
        return [call.text for call in self.calls_to("sendMessage")]

    def clear(self) -> None:
        self.calls.clear()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        faults = self._faults.get(endpoint)
        fault = faults.popleft() if faults else None
        call = ApiCall(endpoint, params, fault)
        self.calls.append(call)
        self._notify()
        if fault == "timeout":
            raise TimedOut("fake timeout")
        if fault is not None:
            status, body = _FAULTS[fault]
            return status, json.dumps(body).encode()
        refusal = refusal_of(endpoint, params)
        if refusal is not None:
            call.failed = "bad_request"
            body = {"ok": False, "error_code": 400, "description": f"Bad Request: {refusal}"}
            return 400, json.dumps(body).encode()
        if endpoint == "getUpdates":
            call.result = await self._get_updates(params)
        else:
            call.result = self._result(endpoint, params)
        return 200, json.dumps({"ok": True, "result": call.result}).encode()

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        while self.updates and self.updates[0]["update_id"] < offset:
            self.updates.popleft()
        timeout = float(params.get("timeout") or 0)
        if not self.updates and timeout > 0:  # a long poll, as Telegram's: until an update
            with contextlib.suppress(TimeoutError):  # comes or the timeout passes
                async with asyncio.timeout(timeout):
                    await self._changed_by_update()
        return [update for update in self.updates if update["update_id"] >= offset]

    def _result(self, endpoint: str, params: dict[str, Any]) -> Any:
        if endpoint == "getMe":
            return BOT_USER
        if endpoint in ("sendMessage", "editMessageText"):
            chat_id = int(params["chat_id"])
            message_id = (
                int(params["message_id"]) if "message_id" in params else next(self._message_ids)
            )
            return {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": chat_json(chat_id),
                "from": BOT_USER,
                "text": re.sub(r"<[^>]+>", "", str(params.get("text", ""))),
            }
        return True


def chat_json(chat_id: int) -> dict[str, Any]:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": "Ann"}
    return {"id": chat_id, "type": "supergroup", "title": "Readers"}


def user_json(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}


def _utf16_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


def entities_of(text: str) -> list[dict[str, Any]]:
    """The entities Telegram would find: a leading /command and @mentions."""
    entities = []
    command = re.match(r"/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text)
    if command:
        entities.append({"type": "bot_command", "offset": 0, "length": command.end()})
    for match in re.finditer(r"(?<![\w@])@[A-Za-z0-9_]{5,32}", text):
        start = _utf16_offset(text, match.start())
        length = _utf16_offset(text, match.end()) - start
        entities.append({"type": "mention", "offset": start, "length": length})
    return entities


@dataclass
class Updates:
    """Builds update dictionaries with increasing ids, as Telegram would send them."""

    _update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def next_id(self) -> int:
        """A fresh update id, for hand-made (e.g. malformed) updates."""
        return next(self._update_ids)

    def message(
        self,
        chat_id: int,
        user_id: int,
        text: str | None = None,
        reply_to: dict[str, Any] | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat_json(chat_id),
            "from": user_json(user_id),
            **extra,
        }
        if text is not None:
            message["text"] = text
            entities = entities_of(text)
            if entities:
                message["entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        return {"update_id": next(self._update_ids), "message": message}

    def private(self, user_id: int, text: str, **extra: Any) -> dict[str, Any]:
        return self.message(user_id, user_id, text, **extra)

    def group(
        self, chat_id: int, user_id: int, text: str, reply_to: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        return self.message(chat_id, user_id, text, reply_to=reply_to)

    def sticker(self, chat_id: int, user_id: int) -> dict[str, Any]:
        sticker = {
            "file_id": "CAACAgIAAxkBAAE",
            "file_unique_id": "AgADBAADsticker",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
        return self.message(chat_id, user_id, None, sticker=sticker)

    def callback(self, user_id: int, data: str, message: dict[str, Any] | None) -> dict[str, Any]:
        query: dict[str, Any] = {
            "id": f"cb{next(self._message_ids)}",
            "from": user_json(user_id),
            "chat_instance": "42",
            "data": data,
        }
        if message is not None:
            query["message"] = message
        return {"update_id": next(self._update_ids), "callback_query": query}

    def inline(self, user_id: int, query: str) -> dict[str, Any]:
        return {
            "update_id": next(self._update_ids),
            "inline_query": {
                "id": f"iq{next(self._message_ids)}",
                "from": user_json(user_id),
                "query": query,
                "offset": "",
            },
        }


def bot_message(call: ApiCall, reply_to: dict[str, Any] | None = None) -> dict[str, Any]:
    """The message a sendMessage call created, as a later callback query carries it."""
    chat_id = int(call.params["chat_id"])
    message: dict[str, Any] = {
        "message_id": call.result["message_id"],
        "date": int(time.time()),
        "chat": chat_json(chat_id),
        "from": BOT_USER,
        "text": re.sub(r"<[^>]+>", "", call.text),
    }
    if "reply_markup" in call.params:
        message["reply_markup"] = call.params["reply_markup"]
    if reply_to is not None:
        message["reply_to_message"] = reply_to
    return message


# Telegram's HTML subset: tag -> attributes it may carry.
ALLOWED_TAGS: dict[str, frozenset[str]] = {
    **{tag: frozenset() for tag in ("b", "strong", "i", "em", "u", "ins", "s", "strike", "del")},
    "a": frozenset({"href"}),
    "code": frozenset({"class"}),
    "pre": frozenset(),
    "blockquote": frozenset({"expandable"}),
    "tg-spoiler": frozenset(),
    "span": frozenset({"class"}),
    "tg-emoji": frozenset({"emoji-id"}),
}
MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64


class _TelegramHTML(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []
        self.problems: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"unsupported tag <{tag}>")
        for name, _ in attrs:
            if name not in ALLOWED_TAGS.get(tag, frozenset()):
                self.problems.append(f"unsupported attribute {name} on <{tag}>")
        if tag == "blockquote" and "blockquote" in self.open:
            self.problems.append("nested blockquote")
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"unexpected </{tag}>")
        else:
            self.open.pop()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.problems.append(f"self-closing <{tag}/>")

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in ("lt", "gt", "amp", "quot"):
            self.problems.append(f"unsupported entity &{name};")
        self.text.append(html.unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        self.text.append(html.unescape(f"&#{name};"))

    def handle_comment(self, data: str) -> None:
        self.problems.append("comment")

    def handle_decl(self, decl: str) -> None:
        self.problems.append("declaration")


def telegram_html_problems(text: str) -> list[str]:
    """Why Telegram would refuse ``text`` in HTML parse mode (empty when it would not)."""
    problems = [
        f"stray '<' at {match.start()}" for match in re.finditer(r"<(?!/?[a-z][a-z-]*[\s>])", text)
    ]
    problems += [
        f"stray '&' at {match.start()}"
        for match in re.finditer(r"&(?!(?:lt|gt|amp|quot|#[0-9]+|#x[0-9a-fA-F]+);)", text)
    ]
    parser = _TelegramHTML()
    parser.feed(text)
    parser.close()
    problems += parser.problems
    problems += [f"unclosed <{tag}>" for tag in parser.open]
    visible = "".join(parser.text)
    if not visible.strip():
        problems.append("message text is empty")
    if len(visible.encode("utf-16-le")) // 2 > MAX_TEXT:
        problems.append("message is too long")
    return problems


def _callback_data(markup: Any) -> list[str]:
    if not isinstance(markup, dict):
        return []
    return [
        str(button.get("callback_data", ""))
        for row in markup.get("inline_keyboard", [])
        for button in row
        if "callback_data" in button
    ]


def refusal_of(endpoint: str, params: dict[str, Any]) -> str | None:
    """The 400 description Telegram would answer a malformed call with, or None."""
    texts: list[tuple[str, Any]] = []
    if endpoint in ("sendMessage", "editMessageText"):
        texts.append((str(params.get("text", "")), params.get("parse_mode")))
    if endpoint == "answerInlineQuery":
        for result in params.get("results", []):
            content = result.get("input_message_content", {})
            texts.append((str(content.get("message_text", "")), content.get("parse_mode")))
    for text, parse_mode in texts:
        if parse_mode == "HTML":
            problems = telegram_html_problems(text)
            if problems:
                return f"can't parse entities: {problems[0]}"
        elif len(text) > MAX_TEXT or not text:
            return "message text is empty or too long"
    for data in _callback_data(params.get("reply_markup")):
        if not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA:
            return "BUTTON_DATA_INVALID"
    return None
