"""Admin commands, for the user ids in ``QUOTEBOT_ADMIN_IDS`` only.

Anyone else gets the reply to an unknown command, so the commands do not advertise themselves.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update

from bot.telegram import messages, render
from bot.telegram.bot_data import BotServices, Context, services_of
from bot.telegram.handlers import unknown_command
from embeddings import QuotebotError

logger = logging.getLogger(__name__)


def _is_admin(update: Update, services: BotServices) -> bool:
    user = update.effective_user
    return user is not None and user.id in services.telegram.admin_ids


async def show_stats(update: Update, context: Context) -> None:
    """/stats for admins: questions, abstentions, feedback, uptime. Others: unknown command."""
    services = services_of(context)
    message = update.effective_message
    if not _is_admin(update, services) or message is None:
        await unknown_command(update, context)
        return
    stats = await asyncio.to_thread(services.store.stats)
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
    """/reload for admins: rebuild the index from the corpus in a thread and swap it in.

    Questions keep being answered by the old index until the new one is ready; if the rebuild
    fails, the old one stays.
    """
    services = services_of(context)
    message = update.effective_message
    if not _is_admin(update, services) or message is None:
        await unknown_command(update, context)
        return
    if services.reload_lock.locked():
        await message.reply_text(messages.RELOAD_BUSY)
        return
    async with services.reload_lock:
        await message.reply_text(messages.RELOADING)
        try:
            searcher = await asyncio.to_thread(services.reload_searcher)
        except (QuotebotError, OSError) as error:
            logger.warning("reload failed: %s", error)
            await message.reply_text(render.render_reload_failed(str(error)))
            return
        services.searcher = searcher
    logger.info(
        "reloaded: %d articles, %d sentences, model %s",
        len(searcher.documents),
        searcher.sentence_count,
        searcher.model_name,
    )
    await message.reply_text(
        render.render_reloaded(
            len(searcher.documents), searcher.sentence_count, searcher.model_name
        )
    )
