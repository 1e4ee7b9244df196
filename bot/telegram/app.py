"""Wiring: the python-telegram-bot ``Application`` with its services, handlers and transport.

``build_application`` reads no environment and loads no model: the caller passes settings, an
open searcher and a store, and tests pass a fake transport. Handlers find the services in
``bot_data["services"]``; ``post_init`` registers the command menu and starts the heartbeat,
``post_shutdown`` stops it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from pathlib import Path

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseRateLimiter,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest

from bot.settings import Settings, SettingsError
from bot.telegram import admin, articles, handlers, presses
from bot.telegram.answers import AnswerCache
from bot.telegram.bot_data import BotServices
from bot.telegram.health import beat, heartbeat_path, remove_heartbeat
from bot.telegram.sending import RetryingRateLimiter
from bot.telegram.store import FeedbackStore
from bot.telegram.user_limits import Clock, LimiterFactory, in_memory_limiters
from embeddings import Searcher

logger = logging.getLogger(__name__)

# Updates handled at the same time; questions wait on the encoder, not on each other.
CONCURRENT_UPDATES = 32
# Inline queries arrive as the user types, so they get a larger allowance than questions.
INLINE_RATE_FACTOR = 3
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 20.0
WRITE_TIMEOUT = 20.0
POOL_TIMEOUT = 10.0
COMMANDS = [
    BotCommand("start", "What I know and how to ask"),
    BotCommand("help", "How to ask here, in groups and inline"),
    BotCommand("sources", "The articles I quote"),
    BotCommand("ask", "Ask a question (in groups)"),
]


def default_request() -> HTTPXRequest:
    """The transport for every call but getUpdates, sized for ``CONCURRENT_UPDATES``."""
    return HTTPXRequest(
        connection_pool_size=CONCURRENT_UPDATES + 8,
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        write_timeout=WRITE_TIMEOUT,
        pool_timeout=POOL_TIMEOUT,
    )


def default_get_updates_request() -> HTTPXRequest:
    """The long-polling transport; PTB adds the polling timeout to ``read_timeout``."""
    return HTTPXRequest(
        connection_pool_size=1,
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        write_timeout=WRITE_TIMEOUT,
        pool_timeout=POOL_TIMEOUT,
    )


def build_application(
    settings: Settings,
    searcher: Searcher,
    store: FeedbackStore,
    *,
    reload_searcher: Callable[[], Searcher] | None = None,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    rate_limiter: BaseRateLimiter[int] | None = None,
    clock: Clock = time.monotonic,
    heartbeat: Path | None = None,
    limiters: LimiterFactory | None = None,
) -> Application:
    """The bot, ready for ``run_polling``/``run_webhook`` (or ``process_update`` in tests).

    Args:
        settings: the shared settings with ``settings.telegram`` filled in (token, API base
            URL, rate limit, examples, admin ids); SettingsError without a token.
        searcher: the open searcher that answers questions.
        store: the feedback and counters database.
        reload_searcher: what /reload calls (in a thread) to get a fresh searcher; by default
            ``open_configured_searcher(settings)``.
        request, get_updates_request: transports; HTTPX with timeouts by default.
        rate_limiter: Telegram flood control; ``RetryingRateLimiter`` by default.
        clock: the time source of the per-user rate limits.
        heartbeat: the file the health check reads; by default ``<data dir>/heartbeat``.
        limiters: makes the per-user rate limits; in memory on ``clock`` by default, in
            PostgreSQL when replicas share them (``pg_limits``).
    """
    telegram = settings.telegram
    if telegram is None or not telegram.token:
        raise SettingsError("TELEGRAM_BOT_TOKEN is not set; get a token from @BotFather")
    polling_request = get_updates_request or default_get_updates_request()
    builder = (
        ApplicationBuilder()
        .token(telegram.token)
        .request(request or default_request())
        .get_updates_request(polling_request)
        .rate_limiter(rate_limiter or RetryingRateLimiter())
        .concurrent_updates(CONCURRENT_UPDATES)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                allow_sending_without_reply=True,
            )
        )
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if telegram.api_base_url:
        builder = builder.base_url(telegram.api_base_url)
    application = builder.build()
    make_limiter = limiters or in_memory_limiters(clock)
    application.bot_data["services"] = BotServices(
        settings=settings,
        searcher=searcher,
        store=store,
        reload_searcher=reload_searcher or (lambda: open_configured_searcher(settings)),
        answers=AnswerCache(),
        question_limit=make_limiter("questions", telegram.rate_limit_per_minute, 60.0),
        inline_limit=make_limiter(
            "inline", telegram.rate_limit_per_minute * INLINE_RATE_FACTOR, 60.0
        ),
        clock=clock,
        started_at=clock(),
    )
    application.bot_data["heartbeat"] = heartbeat or heartbeat_path(settings.data_dir)
    # The durable inbox's own polling loop fetches raw updates through this transport.
    application.bot_data["get_updates_request"] = polling_request
    add_handlers(application)
    articles.schedule_feed_polling(application)
    return application


def open_configured_searcher(settings: Settings) -> Searcher:
    """The searcher over the settings' corpus, index, model and thresholds: what
    ``quotebot run`` opens at start and ``/reload`` opens again (built or rebuilt if needed, in
    a child process: ``index_child``)."""
    from bot.telegram.index_child import build_in_child, needs_build
    from embeddings import open_searcher

    if needs_build(settings.corpus_dir, settings.index_location, settings.model):
        build_in_child(settings.corpus_dir, settings.index_location, settings.model)
    searcher = open_searcher(
        settings.corpus_dir,
        settings.index_location,
        settings.model,
        **settings.searcher_options(),
    )
    # A bot answers many questions: map the index's files in now, in the background, instead
    # of a page fault at a time as questions arrive (embeddings/resident.py).
    searcher.keep_resident()
    return searcher


def add_handlers(application: Application) -> None:
    """Register every handler; the order of the groups of message handlers matters."""
    new_message = filters.UpdateType.MESSAGE
    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    application.add_handlers(
        [
            CommandHandler("start", handlers.start, filters=new_message),
            CommandHandler("help", handlers.show_help, filters=new_message),
            CommandHandler("sources", handlers.show_sources, filters=new_message),
            CommandHandler("ask", handlers.ask_command, filters=new_message),
            CommandHandler("stats", admin.show_stats, filters=new_message),
            CommandHandler("reload", admin.reload_index, filters=new_message),
            CommandHandler("add", articles.add_article, filters=new_message),
            MessageHandler(new_message & filters.COMMAND, handlers.unknown_command),
            MessageHandler(new_message & private & filters.TEXT, handlers.answer_private_question),
            MessageHandler(new_message & groups & filters.TEXT, handlers.answer_group_message),
            MessageHandler(
                new_message & private & ~filters.TEXT & ~filters.StatusUpdate.ALL,
                handlers.hint_non_text,
            ),
            InlineQueryHandler(handlers.answer_inline_query),
            CallbackQueryHandler(presses.press_button),
        ]
    )
    application.add_error_handler(handlers.handle_error)


async def _post_init(application: Application) -> None:
    """Publish the command menu and start the heartbeat; the bot works even if the menu
    cannot be set."""
    try:
        await application.bot.set_my_commands(COMMANDS)
    except TelegramError as error:
        logger.warning("could not set the command menu: %s", error)
    path = application.bot_data.get("heartbeat")
    if isinstance(path, Path):
        application.bot_data["heartbeat_task"] = asyncio.create_task(
            beat(path, lambda: application.running), name="quotebot-heartbeat"
        )
    logger.info("quotebot is up as @%s", application.bot.username)


async def _post_shutdown(application: Application) -> None:
    task = application.bot_data.pop("heartbeat_task", None)
    if isinstance(task, asyncio.Task):
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    path = application.bot_data.get("heartbeat")
    if isinstance(path, Path):
        await asyncio.to_thread(remove_heartbeat, path)
