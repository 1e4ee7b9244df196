"""The bot under test: the real ``Application`` wired to the in-process fake Bot API.

Shared by the handler tests (``test_handlers``, ``test_buttons``, ``test_admin``): every update
goes through python-telegram-bot's own parsing, handler dispatch, rate limiter and error
handling; only the network is replaced (``tests.fake_bot_api``).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

from telegram import Update
from telegram.ext import Application

from bot.cli.render import FRAME
from bot.settings import Settings, TelegramSettings, load_telegram_settings
from bot.telegram.app import build_application
from bot.telegram.bot_data import BotServices
from bot.telegram.store import Store
from embeddings.index import build_index
from embeddings.search import Searcher
from embeddings.types import Document
from tests.conftest import CORPUS
from tests.fake_bot_api import (
    TOKEN,
    ApiCall,
    FakeBotAPI,
    Updates,
    bot_message,
    telegram_html_problems,
)
from tests.fakes import HashingEncoder

ADMIN = 1
ALICE = 2
BOB = 3
GROUP = -100123
CUSTODY = "How many people are held in custody in Crimea?"
EXAMPLES = (CUSTODY, "Who is Ilmi Umerov?")


class FakeClock:
    """Time that moves only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Bot:
    """The application under test, its fake Bot API, and helpers to talk to it."""

    app: Application
    api: FakeBotAPI
    clock: FakeClock
    updates: Updates = field(default_factory=Updates)

    @property
    def services(self) -> BotServices:
        services = self.app.bot_data["services"]
        assert isinstance(services, BotServices)
        return services

    async def send(self, update: dict[str, Any]) -> None:
        await self.app.process_update(Update.de_json(update, self.app.bot))

    async def say(self, user: int, text: str) -> list[ApiCall]:
        """A private message; returns the calls it caused."""
        return await self.calls_for(self.updates.private(user, text))

    async def calls_for(self, update: dict[str, Any]) -> list[ApiCall]:
        before = len(self.api.calls)
        await self.send(update)
        return self.api.calls[before:]

    async def press(
        self, user: int, call: ApiCall, text: str, reply_to: dict[str, Any] | None = None
    ) -> list[ApiCall]:
        """Press the button labelled ``text`` under the message ``call`` sent."""
        return await self.calls_for(
            self.updates.callback(user, button(call, text), bot_message(call, reply_to))
        )


def button(call: ApiCall, text: str) -> str:
    for row in call.params["reply_markup"]["inline_keyboard"]:
        for key in row:
            if key["text"] == text:
                return str(key["callback_data"])
    raise AssertionError(f"no button {text!r} under {call.text[:60]!r}")


def buttons(call: ApiCall) -> list[str]:
    markup = call.params.get("reply_markup") or {"inline_keyboard": []}
    return [key["text"] for row in markup["inline_keyboard"] for key in row]


def only(calls: list[ApiCall], method: str) -> ApiCall:
    matching = [call for call in calls if call.method == method and call.failed is None]
    assert len(matching) == 1, [(call.method, call.text[:50]) for call in calls]
    return matching[0]


def searcher_over(documents: list[Document]) -> Searcher:
    return Searcher(build_index(documents, HashingEncoder()), HashingEncoder(), "hashing")


@asynccontextmanager
async def running_bot(
    searcher: Searcher,
    tmp_path: Path,
    reload: Callable[[], Searcher] | None = None,
    env: Mapping[str, str] | None = None,
    corpus_dir: Path = CORPUS,
    **overrides: Any,
) -> AsyncIterator[Bot]:
    """The bot over a fake Bot API; its Telegram settings read from ``env`` when given (as
    ``quotebot run`` reads them), else the test defaults with ``overrides``."""
    if env is not None:
        telegram = load_telegram_settings({"TELEGRAM_BOT_TOKEN": TOKEN, **env})
    else:
        telegram = TelegramSettings(
            token=TOKEN, admin_ids=frozenset({ADMIN}), examples=EXAMPLES, **overrides
        )
    settings = Settings(
        corpus_dir=corpus_dir, data_dir=tmp_path, model="hashing", telegram=telegram
    )
    api = FakeBotAPI()
    clock = FakeClock()
    # As run_bot does: PTB's RetryAfter as a timedelta, without a deprecation warning.
    environment = mock.patch.dict(os.environ, {"PTB_TIMEDELTA": "1"})
    environment.start()
    store = Store.open(tmp_path / "store.sqlite3")
    app = build_application(
        settings,
        searcher,
        store,
        reload_searcher=reload or (lambda: searcher),
        request=api,
        get_updates_request=api,
        clock=clock,
    )
    await app.initialize()
    try:
        yield Bot(app, api, clock)
    finally:
        await app.shutdown()
        store.close()
        environment.stop()


def run(scenario: Callable[[], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(scenario())


def assert_answer(call: ApiCall, *fragments: str) -> None:
    assert call.params["parse_mode"] == "HTML"
    assert telegram_html_problems(call.text) == []
    assert call.text.startswith(FRAME), call.text
    assert call.text.count("<blockquote>") >= 1
    for fragment in fragments:
        assert fragment in call.text, call.text


def answers_to(bot: Bot, chat_id: int) -> list[ApiCall]:
    return [
        call
        for call in bot.api.calls_to("sendMessage")
        if call.params["chat_id"] == chat_id and call.text.startswith(FRAME)
    ]
