"""Telegram handlers for the inline buttons: pages, context, feedback, examples, sources.

Callback data comes back from any client and may be forged, so each handler accepts only a
valid callback of its own kind (``bot.callbacks``) and checks the values against the live
index; anything else gets "this button no longer works".
"""

from __future__ import annotations

import asyncio
import logging
from typing import TypeVar

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot import render_html as render
from bot.addressing import question_in
from bot.callbacks import (
    AskExample,
    InvalidCallbackError,
    ShowContext,
    ShowPage,
    ShowSources,
    Vote,
    document_check,
    parse,
)
from bot.handlers import answer_page, ask
from bot.keyboards import context_keyboard, sources_keyboard
from bot.services import BotServices, Context, search, services_of
from embeddings.errors import QuestionError
from embeddings.types import Answer

logger = logging.getLogger(__name__)

C = TypeVar("C")


async def _callback(update: Update, kind: type[C]) -> tuple[CallbackQuery, C] | None:
    """The query and its parsed data when the data is a valid callback of ``kind``; otherwise
    the query is answered with "this button no longer works" and None returned.

    (python-telegram-bot passes queries without data to every pattern handler.)
    """
    query = update.callback_query
    if query is None:
        return None
    try:
        callback = parse(query.data)
    except InvalidCallbackError:
        callback = None
    if isinstance(callback, kind):
        return query, callback
    await reject_button(update, None)
    return None


async def _edit(query: CallbackQuery, text: str, keyboard: InlineKeyboardMarkup | None) -> None:
    """Edit the button's message; tapping the same button twice is not an error."""
    try:
        await query.edit_message_text(text, reply_markup=keyboard)
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise


async def _recall(
    services: BotServices, query: CallbackQuery, token: str, context: Context
) -> Answer | None:
    """The answer behind a button: from memory, or searched again from the question the
    answer replied to (after a restart, or when it fell out of the cache)."""
    answer = services.answers.get(token)
    if answer is not None:
        return answer
    message = query.message
    question_message = message.reply_to_message if isinstance(message, Message) else None
    if question_message is None:
        return None
    question = question_in(question_message, context.bot.username)
    if not question:
        return None
    try:
        answer = await search(services, question, services.pool_size)
    except QuestionError:
        return None
    services.answers.put(answer, token)
    return answer


async def show_answer_page(update: Update, context: Context) -> None:
    """Show another page of the answer in the same message ("More ▸" and "◂ Back")."""
    parsed = await _callback(update, ShowPage)
    if parsed is None:
        return
    query, callback = parsed
    services = services_of(context)
    answer = await _recall(services, query, callback.token, context)
    if answer is None:
        await query.answer(render.EXPIRED_ANSWER, show_alert=True)
        return
    if callback.page >= render.page_count(answer, services.page_size):
        await query.answer(render.STALE_BUTTON)
        return
    text, keyboard = answer_page(services, answer, callback.token, callback.page)
    await _edit(query, text, keyboard)
    await query.answer()


async def show_context(update: Update, context: Context) -> None:
    """Show a quote among the sentences around it ("Context"), with a way back to the answer."""
    parsed = await _callback(update, ShowContext)
    if parsed is None:
        return
    query, callback = parsed
    searcher = services_of(context).searcher
    documents = searcher.documents
    if (
        callback.doc >= len(documents)
        or document_check(documents[callback.doc].id) != callback.check
    ):
        await query.answer(render.STALE_BUTTON)
        return
    try:
        passage = searcher.passage(documents[callback.doc].id, callback.position)
    except LookupError:
        await query.answer(render.STALE_BUTTON)
        return
    await _edit(
        query, render.render_passage(passage), context_keyboard(callback.token, callback.page)
    )
    await query.answer()


async def record_feedback(update: Update, context: Context) -> None:
    """👍/👎: one vote per user and answer, stored; thanks in a toast."""
    parsed = await _callback(update, Vote)
    if parsed is None:
        return
    query, callback = parsed
    services = services_of(context)
    answer = services.answers.get(callback.token)
    quotes = [f"{quote.document.id}#{quote.position}" for quote in answer.quotes] if answer else []
    changed = await asyncio.to_thread(
        services.store.record_vote,
        query.from_user.id,
        callback.token,
        callback.up,
        answer.question if answer else None,
        quotes,
    )
    await query.answer(render.FEEDBACK_THANKS if changed else render.FEEDBACK_SAME)


async def ask_example(update: Update, context: Context) -> None:
    """An example question button under /start: ask it as if the user had typed it."""
    parsed = await _callback(update, AskExample)
    if parsed is None:
        return
    query, callback = parsed
    examples = services_of(context).settings.examples
    if callback.index >= len(examples) or not isinstance(query.message, Message):
        await query.answer(render.STALE_BUTTON)
        return
    await query.answer()
    await ask(update, context, examples[callback.index], query.message, quote=False)


async def show_sources_page(update: Update, context: Context) -> None:
    """Paging through /sources."""
    parsed = await _callback(update, ShowSources)
    if parsed is None:
        return
    query, callback = parsed
    pages = render.render_source_pages(services_of(context).searcher.documents)
    if callback.page >= len(pages):
        await query.answer(render.STALE_BUTTON)
        return
    await _edit(query, pages[callback.page], sources_keyboard(callback.page, len(pages)))
    await query.answer()


async def reject_button(update: Update, context: Context | None) -> None:
    """Callback data this bot never sent (forged, or from an older version): a polite no."""
    query = update.callback_query
    if query is not None:
        logger.debug("rejected callback data from user %s", query.from_user.id)
        await query.answer(render.STALE_BUTTON)
