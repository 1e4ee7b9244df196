"""Decoration that must never cost an answer: the "typing…" action.

Telegram shows "typing…" for a few seconds after ``sendChatAction``; it is a courtesy while the
search runs. So it gets one attempt (``sending.BEST_EFFORT``), any failure is logged at DEBUG
and forgotten, and it is skipped while the bot is backlogged: then the flood budget (about 30
requests a second) is better spent on answers than on typing actions.
"""

from __future__ import annotations

import logging

from telegram import Message
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import ContextTypes

logger = logging.getLogger(__name__)

# Updates in progress above which typing actions are skipped.
BACKLOG_LIMIT = 8


def backlog_of(context: ContextTypes.DEFAULT_TYPE) -> int:
    """Updates accepted and not yet answered (0 when no dispatcher runs, as in tests)."""
    dispatcher = context.bot_data.get("dispatcher")
    backlog = getattr(dispatcher, "backlog", 0)
    return backlog if isinstance(backlog, int) else 0


async def show_typing(message: Message, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send "typing…" to the message's chat, unless backlogged; never raises TelegramError."""
    if backlog_of(context) > BACKLOG_LIMIT:
        return
    try:
        await message.reply_chat_action(ChatAction.TYPING)
    except TelegramError as error:
        logger.debug("no typing action in chat %d: %s", message.chat.id, error)
