"""``quotebot run``: check everything cheap, open the index, then serve until SIGINT or SIGTERM.

The order matters. The token's format is checked and redaction installed before anything can
log; the data directory, the feedback database and the inbox are opened (and migrated) next,
because they take a second and a bad one should not be found after minutes of index building;
then the index is opened (built on first use) before the bot takes any update, so that no user
waits on a half-loaded index. Updates, by long polling (``polling``) or webhook (``webhook``),
go through the durable inbox (``dispatch``): updates left unanswered by the last run are
answered first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import secrets
import signal
import threading
from collections.abc import Callable, Coroutine, Iterator, Sequence
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import Application

from bot.cli.options import EXIT_INTERRUPTED
from bot.settings import DEFAULT_RETENTION_DAYS, Settings, SettingsError, TelegramSettings
from bot.telegram.database import redact_url, url_secrets
from bot.telegram.database_state import BotState, open_state
from bot.telegram.dispatch import Dispatcher
from bot.telegram.inbox import UpdateInbox
from bot.telegram.polling import PollingOptions, poll
from bot.telegram.privacy import check_writable
from bot.telegram.redaction import install_token_redaction
from bot.telegram.sending import RetryingRateLimiter
from bot.telegram.state_threads import inbox_call, store_call
from bot.telegram.webhook import WebhookServer, check_can_listen
from embeddings import QuotebotError

logger = logging.getLogger(__name__)

# Retries of getMe/deleteWebhook at startup; a bad network at boot should not loop forever.
BOOTSTRAP_RETRIES = 5
PRUNE_INTERVAL = 6 * 3600.0
# How often a replica looks for updates left pending by a replica that died (PostgreSQL only).
ORPHAN_INTERVAL = 30.0
# What Telegram issues: the bot's id, a colon, 35 characters of a URL-safe alphabet. Checked
# before any request, so that a token with a newline or a path in it never reaches a URL.
TOKEN_PATTERN = re.compile(r"[0-9]{1,20}:[A-Za-z0-9_-]{35}")


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM as Ctrl-C (KeyboardInterrupt: exit 130) while the index and model load.

    In a container the bot is process 1, which the kernel spares the default action of
    SIGTERM: without a handler ``docker stop`` would wait its 10 s and kill. Once the bot
    serves, ``serve`` handles both signals itself (a clean stop, exit 0); an index build in
    progress is a child process, killed with the interrupted ``subprocess.run``.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set in the main thread
        return
    previous = signal.getsignal(signal.SIGTERM)

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def check_token(token: str) -> None:
    """SettingsError naming ``TELEGRAM_BOT_TOKEN`` unless it looks like a token (the message
    never repeats the value)."""
    if TOKEN_PATTERN.fullmatch(token) is None:
        raise SettingsError(
            "TELEGRAM_BOT_TOKEN is not a bot token (expected digits, a colon and 35 letters, "
            "digits, '_' or '-', as @BotFather gives it)"
        )


def run_bot(settings: Settings) -> int:
    """Run the bot until it is stopped; 0 after a clean stop, 1 after a failure (including
    giving up on reaching Telegram at start), 130 when a signal stops it while it still tries
    to reach Telegram; SIGTERM before that (index, model) raises KeyboardInterrupt, as Ctrl-C
    does, which the CLI reports as 130 too.

    Raises SettingsError when there is no token, it is malformed or Telegram rejects it; the
    store's errors when the data directory or a database is unusable; the domain errors of
    ``open_searcher`` (bad corpus, missing model) before the bot starts; the CLI prints those as
    one line. Every other failure is logged (token redacted) and returns 1.
    """
    telegram = settings.telegram
    if telegram is None or not telegram.token:
        raise SettingsError(
            "TELEGRAM_BOT_TOKEN is not set; get a token from @BotFather and put it in the "
            "environment"
        )
    with _sigterm_interrupts():
        return _run_checked(settings, telegram)


def _run_checked(settings: Settings, telegram: TelegramSettings) -> int:
    webhook_secret = telegram.webhook_secret
    if telegram.webhook_url and not webhook_secret:
        webhook_secret = secrets.token_urlsafe(32)
    database_secrets = url_secrets(telegram.database_url) if telegram.database_url else []
    install_token_redaction(telegram.token, webhook_secret, *database_secrets)
    check_token(telegram.token)
    if telegram.database_url and telegram.webhook_url and not telegram.webhook_secret:
        # Every replica registers the webhook with its secret: a random one per replica would
        # make Telegram's deliveries to all but the last one started fail with 403.
        raise SettingsError(
            "QUOTEBOT_WEBHOOK_SECRET must be set when QUOTEBOT_DATABASE_URL is (every replica "
            "registers the webhook, and all must share one secret)"
        )
    # PTB 22 warns on every 429 unless told to use timedeltas, which this code is ready for.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    if telegram.webhook_url:
        # Before the index loads (minutes): a bad address or a port in use is a one-line error.
        problem = check_can_listen(telegram.webhook_listen, telegram.webhook_port)
        if problem:
            raise SettingsError(problem)

    try:
        check_writable(settings.data_dir)
    except OSError as error:
        raise SettingsError(
            f"QUOTEBOT_DATA_DIR {settings.data_dir} is not a writable directory: "
            f"{error.strerror or error}"
        ) from None
    if telegram.database_url:
        logger.info("bot state in PostgreSQL at %s", redact_url(telegram.database_url))
    state = open_state(settings.data_dir, telegram.database_url, telegram.store_questions)
    try:
        return _serve(settings, state, webhook_secret)
    finally:
        state.close()


def _serve(settings: Settings, state: BotState, webhook_secret: str | None) -> int:
    telegram = settings.telegram
    assert telegram is not None
    from bot.telegram.app import (
        ALLOWED_UPDATES,
        CONCURRENT_UPDATES,
        build_application,
        open_configured_searcher,
    )

    logger.info("opening the index in %s (built on first use)", settings.index_location)
    searcher = open_configured_searcher(settings)
    logger.info(
        "corpus %s: %d articles, %d sentences; model %s",
        settings.corpus_dir,
        len(searcher.documents),
        searcher.sentence_count,
        searcher.model_name,
    )
    try:
        limiter = RetryingRateLimiter(
            retry_budget=telegram.send_retry_budget, backoff=telegram.send_backoff
        )
        application = build_application(
            settings, searcher, state.store, rate_limiter=limiter, limiters=state.limiters
        )
        receiver: Receiver
        if telegram.webhook_url:
            assert webhook_secret is not None
            logger.info(
                "receiving updates by webhook on %s:%d%s",
                telegram.webhook_listen,
                telegram.webhook_port,
                urlsplit(telegram.webhook_url).path,
            )
            receiver = webhook_receiver(
                application,
                telegram.webhook_url,
                telegram.webhook_listen,
                telegram.webhook_port,
                webhook_secret,
                ALLOWED_UPDATES,
            )
        else:
            logger.info("receiving updates by long polling")
            if telegram.database_url:
                # One polling process with PostgreSQL state is fine; a second would take
                # getUpdates away from the first (Telegram allows one poller per bot).
                logger.warning(
                    "QUOTEBOT_DATABASE_URL is set but QUOTEBOT_WEBHOOK_URL is not: this bot "
                    "polls, which is fine for one process; several replicas need webhook mode "
                    "(docs/replicas.md)"
                )
            options = PollingOptions(
                timeout=telegram.poll_timeout,
                hang_grace=telegram.poll_hang_grace,
                allowed_updates=tuple(ALLOWED_UPDATES),
            )
            receiver = polling_receiver(application, options)
        up = asyncio.run(
            serve(
                application,
                state.inbox,
                receiver,
                CONCURRENT_UPDATES,
                telegram.shutdown_grace,
                retention_days=telegram.retention_days,
            )
        )
        if not up:
            return EXIT_INTERRUPTED
    except InvalidToken:
        # PTB's message quotes the token; this one does not.
        raise SettingsError(
            "Telegram rejected TELEGRAM_BOT_TOKEN (wrong or revoked); check it with @BotFather"
        ) from None
    except QuotebotError:
        raise
    except TelegramError as error:
        logger.error("the bot stopped: Telegram could not be reached: %s", error)
        return 1
    except Exception:
        logger.exception("the bot stopped on an unexpected error")
        return 1
    logger.info("quotebot stopped")
    return 0


# Receives updates into the inbox and hands them to the dispatcher until the event is set.
Receiver = Callable[[UpdateInbox, Dispatcher, asyncio.Event], Coroutine[Any, Any, None]]


def polling_receiver(application: Application, options: PollingOptions) -> Receiver:
    """Long polling through the inbox (``polling.poll``)."""

    async def receive(inbox: UpdateInbox, dispatcher: Dispatcher, stop: asyncio.Event) -> None:
        # A webhook left by an earlier run would make getUpdates fail with 409.
        await application.bot.delete_webhook()
        request = application.bot_data["get_updates_request"]
        await poll(application, request, inbox, dispatcher, options, stop)

    return receive


def webhook_receiver(
    application: Application,
    url: str,
    listen: str,
    port: int,
    secret: str,
    allowed_updates: Sequence[str],
) -> Receiver:
    """The webhook server (``webhook.WebhookServer``), registered with Telegram once it
    listens; the webhook stays set at shutdown, so Telegram keeps updates until the next start."""

    async def receive(inbox: UpdateInbox, dispatcher: Dispatcher, stop: asyncio.Event) -> None:
        server = WebhookServer(inbox, dispatcher, urlsplit(url).path, secret)
        await server.start(listen, port)
        try:
            await application.bot.set_webhook(
                url, secret_token=secret, allowed_updates=list(allowed_updates)
            )
            await stop.wait()
        finally:
            await server.close()

    return receive


async def serve(
    application: Application,
    inbox: UpdateInbox,
    receiver: Receiver,
    concurrency: int,
    shutdown_grace: float,
    retention_days: float = DEFAULT_RETENTION_DAYS,
) -> bool:
    """Answer what the last run left, then receive updates until SIGINT/SIGTERM; on a signal,
    stop receiving, give the answers in progress ``shutdown_grace`` seconds, and leave the
    rest pending in the inbox for the next start.

    False when a signal came before the bot was up (Telegram still being tried): nothing was
    received, so there is nothing to finish.
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    dispatcher = Dispatcher(application, inbox, concurrency)
    application.bot_data["dispatcher"] = dispatcher
    try:
        # getMe (retried for a minute while Telegram cannot be reached) and the command menu:
        # a signal meanwhile must stop the bot now, not after the retries (Docker kills at 10 s).
        if not await _unless_stopped(_start_up(application), stop):
            logger.warning("stopped by a signal before the bot was up")
            return False
        await application.start()
        left_over = await inbox_call(inbox.pending)
        if left_over:
            logger.info("answering %s left unanswered by the last run", _updates(len(left_over)))
            dispatcher.accept(left_over)
        receiving = asyncio.create_task(receiver(inbox, dispatcher, stop))
        pruner = asyncio.create_task(prune_forever(application, inbox, retention_days, stop))
        taker = asyncio.create_task(take_over_forever(inbox, dispatcher, stop))
        stopper = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({receiving, stopper}, return_when=asyncio.FIRST_COMPLETED)
        stop.set()
        for task in (receiving, stopper, pruner, taker):
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await receiving
        if receiving in done:
            receiving.result()  # InvalidToken, a port in use, or a bug: re-raised
        logger.info(
            "stopping: finishing %s in progress",
            _plural(dispatcher.backlog, "answer", "answers"),
        )
        left = await dispatcher.drain(shutdown_grace)
        if left:
            logger.warning("%s left pending; they are answered on the next start", _updates(left))
        return True
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        if application.running:
            await application.stop()
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


async def take_over_forever(
    inbox: UpdateInbox, dispatcher: Dispatcher, stop: asyncio.Event
) -> None:
    """Every ``ORPHAN_INTERVAL`` seconds, answer the updates a replica that died left pending
    (``UpdateInbox.orphaned``: always none with SQLite, where one process owns the inbox)."""
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=ORPHAN_INTERVAL)
        if stop.is_set():
            return
        try:
            orphans = await inbox_call(inbox.orphaned)
        except QuotebotError as error:
            logger.warning("could not look for updates left by a stopped replica: %s", error)
            continue
        if orphans:
            logger.info("answering %s left pending by a stopped replica", _updates(len(orphans)))
            dispatcher.accept(orphans)


async def prune_forever(
    application: Application, inbox: UpdateInbox, retention_days: float, stop: asyncio.Event
) -> None:
    """Delete what is past retention now and every ``PRUNE_INTERVAL`` seconds until ``stop``."""
    from bot.telegram.bot_data import BotServices

    services = application.bot_data.get("services")
    while not stop.is_set():
        try:
            if isinstance(services, BotServices):
                deleted = await store_call(services.store.delete_older_than, retention_days)
                if deleted:
                    logger.info(
                        "deleted %d feedback rows older than %g days", deleted, retention_days
                    )
            await inbox_call(inbox.prune, retention_days * 86400.0)
        except QuotebotError as error:
            logger.warning("could not delete old rows: %s", error)
        except Exception:
            logger.exception("could not delete old rows")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=PRUNE_INTERVAL)


async def _unless_stopped(work: Coroutine[Any, Any, None], stop: asyncio.Event) -> bool:
    """Run ``work`` until it ends or ``stop`` is set (then cancel it); whether it ended.

    Its errors are raised. Startup retries sleep and wait on the network for a minute; this is
    what lets a signal end them."""
    task = asyncio.create_task(work)
    stopper = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    if task.cancelled():
        return False
    task.result()
    return True


async def _start_up(application: Application) -> None:
    """getMe (``_initialize``), then ``post_init`` (command menu, heartbeat)."""
    await _initialize(application)
    if application.post_init is not None:
        await application.post_init(application)


async def _initialize(application: Application) -> None:
    """``application.initialize()`` (getMe), retried a few times on network errors."""
    delay = 1.0
    for attempt in range(BOOTSTRAP_RETRIES + 1):
        try:
            await application.initialize()
            return
        except InvalidToken:
            raise
        except NetworkError as error:
            if attempt == BOOTSTRAP_RETRIES:
                raise
            logger.warning("Telegram could not be reached (%s); retrying in %.0f s", error, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)


def _plural(count: int, one: str, many: str) -> str:
    """``1 update``, ``2 updates`` (log lines a person reads)."""
    return f"{count} {one if count == 1 else many}"


def _updates(count: int) -> str:
    return _plural(count, "update", "updates")
