"""Admin commands, for the user ids in ``QUOTEBOT_ADMIN_IDS`` only.

Anyone else gets the reply to an unknown command, so the commands do not advertise themselves.
"""

from __future__ import annotations

import logging

from telegram import Update

from bot.telegram import articles, messages, render
from bot.telegram.bot_data import Context, is_admin, services_of
from bot.telegram.handlers import unknown_command
from bot.telegram.state_threads import store_call

logger = logging.getLogger(__name__)


async def show_stats(update: Update, context: Context) -> None:
    """/stats for admins: questions, abstentions, feedback, uptime. Others: unknown command."""
    services = services_of(context)
    message = update.effective_message
    if not is_admin(update, services) or message is None:
        await unknown_command(update, context)
        return
    stats = await store_call(services.store.stats)
    searcher = services.searcher
    await message.reply_text(
        render.render_stats(
            stats,
            services.uptime(),
            len(searcher.documents),
            searcher.sentence_count,
            searcher.model_name,
        )
    )


async def reload_index(update: Update, context: Context) -> None:
    """/reload for admins: bring the index up to date with the corpus and swap it in.

    The same path as ``/add`` and the feed polls (``articles.swap_searcher``): the index is
    built in a child process under the corpus lock, then loaded, so the serving process never
    encodes and no article lands between the build and the load. Questions keep being
    answered by the old index until the new one is ready; if the update fails, the admin gets
    the one-line reason and the old index stays.
    """
    services = services_of(context)
    message = update.effective_message
    if not is_admin(update, services) or message is None:
        await unknown_command(update, context)
        return
    if services.reload_lock.locked():
        await message.reply_text(messages.RELOAD_BUSY)
        return
    await message.reply_text(messages.RELOADING)
    failure = await articles.swap_searcher(services)
    if failure is not None:
        await message.reply_text(render.render_reload_failed(failure))
        return
    searcher = services.searcher
    if searcher.stale_reason is not None:  # a replica's read-only index: nothing was rebuilt
        await message.reply_text(
            render.render_reload_stale(
                len(searcher.documents), searcher.sentence_count, searcher.stale_reason
            )
        )
        return
    await message.reply_text(
        render.render_reloaded(
            len(searcher.documents), searcher.sentence_count, searcher.model_name
        )
    )
