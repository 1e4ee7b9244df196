"""The services the Telegram handlers share, kept in ``application.bot_data["services"]``.

One object, built by ``app.build_application``, so that every handler finds the same
searcher, store, answer cache and rate limits, and ``/reload`` can swap the searcher for all of
them at once. The helpers here run the blocking calls (search, SQLite) in worker threads.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from telegram import Update
from telegram.ext import ContextTypes

from bot.settings import Settings, TelegramSettings
from bot.telegram import pages
from bot.telegram.answers import AnswerCache
from bot.telegram.state_threads import store_call
from bot.telegram.store import FeedbackStore
from bot.telegram.user_limits import Clock, UserLimiter
from embeddings import Answer, Searcher, paged_quotes

Context = ContextTypes.DEFAULT_TYPE


@dataclass
class BotServices:
    """What the handlers need, shared through ``bot_data``; ``searcher`` is swapped on reload."""

    settings: Settings
    searcher: Searcher
    store: FeedbackStore
    reload_searcher: Callable[[], Searcher]
    answers: AnswerCache
    question_limit: UserLimiter
    inline_limit: UserLimiter
    clock: Clock = time.monotonic
    started_at: float = field(default_factory=time.monotonic)
    reload_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _numbers: tuple[Searcher, dict[str, int]] | None = None

    @property
    def telegram(self) -> TelegramSettings:
        """The bot's own settings (``build_application`` refuses settings without them)."""
        assert self.settings.telegram is not None
        return self.settings.telegram

    @property
    def page_size(self) -> int:
        """Quotes per message (``pages`` decides, from the top-k setting)."""
        return pages.page_size(self.settings.top_k)

    @property
    def pool_size(self) -> int:
        """Quotes one search fetches, for "More ▸"."""
        return pages.pool_size(self.settings.top_k)

    def uptime(self) -> float:
        """Seconds since the bot started (``started_at`` on ``clock``)."""
        return self.clock() - self.started_at

    def document_numbers(self) -> Mapping[str, int]:
        """Document id -> number in the live index (what Context buttons carry)."""
        if self._numbers is None or self._numbers[0] is not self.searcher:
            numbers = {document.id: n for n, document in enumerate(self.searcher.documents)}
            self._numbers = (self.searcher, numbers)
        return self._numbers[1]


def services_of(context: Context) -> BotServices:
    services = context.bot_data["services"]
    assert isinstance(services, BotServices)
    return services


def is_admin(update: Update, services: BotServices) -> bool:
    """Whether the update comes from one of ``QUOTEBOT_ADMIN_IDS`` (admin commands check it)."""
    user = update.effective_user
    return user is not None and user.id in services.telegram.admin_ids


async def count(services: BotServices, counter: str) -> None:
    """Add one to a persistent counter, off the event loop."""
    await store_call(services.store.increment, counter)


async def remember(services: BotServices, answer: Answer, chat_id: int) -> str:
    """Keep ``answer`` for its buttons and return their token: in memory (no new search for
    "More"), and in the store as issued to ``chat_id``, the only chat whose presses count."""
    token = services.answers.put(answer)
    await store_call(services.store.issue_answer, token, chat_id, answer.question)
    return token


async def search(
    services: BotServices, question: str, top_k: int, per_page: int | None = None
) -> Answer:
    """Search in a worker thread; one searcher for the whole search, even during a reload.

    With ``per_page``, the ``top_k`` sentences are fetched once for several pages, and joined
    page by page (``paged_quotes``), so that the first page is what ``quotebot ask`` shows.
    """
    searcher = services.searcher
    if per_page is None:
        return await asyncio.to_thread(searcher.search, question, top_k)
    answer = await asyncio.to_thread(searcher.search, question, top_k, False)
    return replace(answer, quotes=paged_quotes(answer.quotes, per_page))
