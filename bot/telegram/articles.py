"""Articles added while the bot serves: ``/add URL`` for admins, and feeds polled on a timer.

Both write into the corpus folder exactly as ``quotebot add`` and ``quotebot feeds poll`` do
(one Markdown file per article, under the corpus lock), then open the searcher again, which
rebuilds the index incrementally (only the new sentences are encoded) in a child process
(``index_child``: the serving process never imports torch nor grows by the model), and swap it
in ``bot_data``. ``/reload`` takes the same path (``swap_searcher``): questions keep being
answered by the old searcher until the new one is ready, and a failed rebuild leaves the old
one serving and is reported in one line.

The bot fetches only from public addresses (``embeddings.ingest.public_client``): a link
pasted into a chat must not make the server read its own private network. Loopback is allowed
only with ``QUOTEBOT_ALLOW_LOOPBACK_URLS`` (tests, whose pages are served on 127.0.0.1).
Feeds are those of ``QUOTEBOT_FEEDS`` plus those followed with ``quotebot feeds add``, polled
every ``QUOTEBOT_FEED_INTERVAL`` minutes by PTB's job queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import html
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from telegram import Update
from telegram.ext import Application, ContextTypes

from bot.settings import default_corpus_dir
from bot.telegram.bot_data import BotServices, Context, is_admin, services_of
from bot.telegram.handlers import unknown_command
from embeddings import QuotebotError, Searcher

if TYPE_CHECKING:
    from embeddings.ingest import Report

logger = logging.getLogger(__name__)

ADD_USAGE = "Usage: <code>/add URL</code>, the http(s) address of one article."
READ_ONLY = (
    "The bundled corpus is read-only: set QUOTEBOT_CORPUS to a folder of your own to add "
    "articles from the bot."
)
CHANGED = ("added", "updated")
FEED_JOB = "poll-feeds"


def _writable(corpus: Path) -> bool:
    """Not the bundled corpus: neither marked as it (a checkout's copy) nor the installed one."""
    from embeddings.ingest.bundled import is_bundled_corpus

    return not is_bundled_corpus(corpus) and corpus.resolve() != default_corpus_dir().resolve()


def fetch_article(corpus: Path, url: str, allow_loopback: bool) -> Report:
    """Add one page to the corpus (in a worker thread: it downloads and writes)."""
    from embeddings.ingest import Ingester, public_client

    with public_client(allow_loopback) as client, Ingester(corpus, client=client) as ingester:
        return ingester.add_url(url)


def poll_feeds_once(corpus: Path, feeds: tuple[str, ...], allow_loopback: bool) -> list[Report]:
    """Follow the configured feeds and add what is new in every followed one (a thread)."""
    from embeddings.ingest import FeedRegistry, Ingester, public_client

    with public_client(allow_loopback) as client, Ingester(corpus, client=client) as ingester:
        registry = FeedRegistry(corpus)  # read under the corpus lock the ingester holds
        for url in feeds:
            _, new = registry.follow(url)
            if new:
                registry.save()
        return list(ingester.poll(registry))


def reopen_searcher(services: BotServices) -> Searcher:
    """The searcher over the corpus as it is now (in a worker thread).

    ``reload_searcher`` encodes in a child process (``index_child``) and then loads the
    finished index; the corpus lock is held throughout, so that no article (a feed poll, a
    ``quotebot add``) lands between the child's build and the load, which would make the load
    find the index stale and encode here, in the serving process.

    No lock is taken where no writer can add articles: the bundled corpus (``quotebot add``
    refuses it, and its folder may be read-only), a corpus folder that does not exist (the
    lock would create it), and one on a read-only file system (a shared, read-only mount of
    replicas), where the lock file cannot be opened, nor by a writer.
    """
    with contextlib.ExitStack() as stack:
        corpus = services.settings.corpus_dir
        if _writable(corpus) and corpus.is_dir():
            from embeddings.ingest import corpus_lock

            try:
                stack.enter_context(corpus_lock(corpus))
            except OSError as error:
                if error.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
                    raise
                logger.info("corpus %s not locked, it cannot be written: %s", corpus, error)
        return services.reload_searcher()


def _one_line(error: BaseException) -> str:
    """The first line of an error's message (its class name when it has none): a chat reply
    says why in one line; the log keeps the whole message."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


async def swap_searcher(services: BotServices) -> str | None:
    """Bring the index up to date and swap the new searcher in, as /reload does.

    Waits for a /reload or another swap in progress. Returns None when the new searcher
    serves, else the one-line reason why not; the old searcher then keeps serving.
    """
    async with services.reload_lock:
        try:
            searcher = await asyncio.to_thread(reopen_searcher, services)
        except (QuotebotError, OSError) as error:
            logger.warning("the index could not be updated: %s", error)
            return _one_line(error)
        services.searcher = searcher
    logger.info(
        "index updated: %d articles, %d sentences",
        len(searcher.documents),
        searcher.sentence_count,
    )
    return None


async def add_article(update: Update, context: Context) -> None:
    """/add URL for admins: fetch the article, add it, update the index, say what happened."""
    services = services_of(context)
    message = update.effective_message
    if not is_admin(update, services) or message is None:
        await unknown_command(update, context)
        return
    args = context.args or []
    if len(args) != 1:
        await message.reply_text(ADD_USAGE)
        return
    corpus = services.settings.corpus_dir
    if not _writable(corpus):
        await message.reply_text(READ_ONLY)
        return
    allow_loopback = services.telegram.allow_loopback_urls
    try:
        report = await asyncio.to_thread(fetch_article, corpus, args[0], allow_loopback)
    except (QuotebotError, OSError) as error:
        await message.reply_text(html.escape(f"Not added: {error}"))
        return
    logger.info("/add: %s %s", report.status, report.id or report.source)
    if report.status not in CHANGED:
        await message.reply_text(html.escape(report.line()))
        return
    failure = await swap_searcher(services)
    if failure is not None:
        await message.reply_text(
            html.escape(
                f"{report.line()}. The index could not be updated: {failure}. Questions are "
                "still answered from the previous index; /reload tries again."
            )
        )
        return
    searcher = services.searcher
    await message.reply_text(
        html.escape(
            f"{report.line()}. The index now holds {len(searcher.documents)} articles, "
            f"{searcher.sentence_count} sentences."
        )
    )


async def poll_feeds(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The job: poll every feed, and update the index when an article was added."""
    services: BotServices = context.application.bot_data["services"]
    telegram = services.telegram
    corpus = services.settings.corpus_dir
    try:
        reports = await asyncio.to_thread(
            poll_feeds_once, corpus, telegram.feeds, telegram.allow_loopback_urls
        )
    except (QuotebotError, OSError) as error:
        logger.warning("feed poll failed: %s", error)
        return
    for report in reports:
        logger.info("feed poll: %s", report.line())
    if any(report.status in CHANGED for report in reports):
        await swap_searcher(services)  # a failure is logged; the old index keeps serving


def schedule_feed_polling(application: Application) -> None:
    """Poll feeds every ``QUOTEBOT_FEED_INTERVAL`` minutes when there are feeds to poll.

    Feeds followed with ``quotebot feeds add`` count too, so the job runs whenever the corpus
    is writable and either source names a feed; the first poll is right after start.
    """
    services: BotServices = application.bot_data["services"]
    corpus = services.settings.corpus_dir
    if not _writable(corpus):
        if services.telegram.feeds:
            logger.warning("QUOTEBOT_FEEDS ignored: the bundled corpus is read-only")
        return
    from embeddings.ingest import FeedRegistry

    if not services.telegram.feeds and not FeedRegistry(corpus).feeds:
        return
    if application.job_queue is None:
        logger.warning("feeds are not polled: python-telegram-bot[job-queue] is not installed")
        return
    interval = services.telegram.feed_interval_minutes * 60
    application.job_queue.run_repeating(poll_feeds, interval=interval, first=1, name=FEED_JOB)
    logger.info("polling feeds every %d minutes", services.telegram.feed_interval_minutes)
