"""Telegram handlers for the inline buttons: pages, context, feedback, examples, sources.

Callback data comes back from any client and may be forged: ``press_button`` parses it once
(``bot.telegram.buttons``, strict) and hands the parsed callback to the handler of its kind,
which checks the values against the live index; anything else gets "this button no longer
works". A button that names an answer must carry a token the bot issued (kept in the store,
so it outlives a restart) and be pressed in the chat that answer was sent to; anything else is
refused before the answer cache or the searcher is touched. "More" and "Context" count toward
the user's question limit, like a question.
"""

from __future__ import annotations

import logging
import math

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.telegram import messages, render
from bot.telegram.addressing import question_in
from bot.telegram.bot_data import BotServices, Context, search, services_of
from bot.telegram.buttons import (
    AskExample,
    InvalidCallbackError,
    ShowContext,
    ShowPage,
    ShowSources,
    Vote,
    context_keyboard,
    document_check,
    parse,
    sources_keyboard,
)
from bot.telegram.handlers import answer_page, ask, sources_page
from bot.telegram.state_threads import store_call
from bot.telegram.store import Issued
from embeddings import Answer, QuestionError

logger = logging.getLogger(__name__)

RATE_LIMITED_TOAST = "Too many questions at once: try again in {seconds} s."


async def press_button(update: Update, context: Context) -> None:
    """Every button press: its data parsed once, then the handler for what it asks for.

    (Telegram returns the data a button was made with, but any client can send any string.)
    """
    query = update.callback_query
    if query is None:
        return
    try:
        callback = parse(query.data)
    except InvalidCallbackError:
        await reject_button(query)
        return
    if isinstance(callback, ShowPage | ShowContext | Vote):
        issued = await issued_here(query, callback.token, context)
        if issued is None:
            await reject_button(query)
            return
        if not isinstance(callback, Vote) and not await within_limit(query, context):
            return
    match callback:
        case ShowPage():
            await show_answer_page(query, callback, context)
        case ShowContext():
            await show_context(query, callback, context)
        case Vote():
            assert issued is not None
            await record_feedback(query, callback, issued, context)
        case AskExample():
            await ask_example(update, query, callback, context)
        case ShowSources():
            await show_sources_page(query, callback, context)


async def issued_here(query: CallbackQuery, token: str, context: Context) -> Issued | None:
    """The issued answer behind ``token`` if it was sent to the chat the button is in."""
    message = query.message
    if message is None:
        return None
    issued = await store_call(services_of(context).store.issued_answer, token)
    if issued is None or issued.chat_id != message.chat.id:
        return None
    return issued


async def within_limit(query: CallbackQuery, context: Context) -> bool:
    """Check the user's question limit; a toast says when to come back if it is spent."""
    verdict = await services_of(context).question_limit.check_async(query.from_user.id)
    if not verdict.allowed:
        seconds = max(1, math.ceil(verdict.retry_after))
        await query.answer(RATE_LIMITED_TOAST.format(seconds=seconds))
    return verdict.allowed


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
        answer = await search(services, question, services.pool_size, services.page_size)
    except QuestionError:
        return None
    services.answers.put(answer, token)
    return answer


async def show_answer_page(query: CallbackQuery, callback: ShowPage, context: Context) -> None:
    """Show another page of the answer in the same message ("More ▸" and "◂ Back")."""
    services = services_of(context)
    answer = await _recall(services, query, callback.token, context)
    if answer is None:
        await query.answer(messages.EXPIRED_ANSWER, show_alert=True)
        return
    try:
        text, keyboard = answer_page(services, answer, callback.token, callback.page)
    except IndexError:
        await query.answer(messages.STALE_BUTTON)
        return
    await _edit(query, text, keyboard)
    await query.answer()


async def show_context(query: CallbackQuery, callback: ShowContext, context: Context) -> None:
    """Show a quote among the sentences around it ("Context"), with a way back to the answer."""
    searcher = services_of(context).searcher
    documents = searcher.documents
    if (
        callback.doc >= len(documents)
        or document_check(documents[callback.doc].id) != callback.check
    ):
        await query.answer(messages.STALE_BUTTON)
        return
    try:
        passage = searcher.passage(
            documents[callback.doc].id, callback.position, span=callback.sentences
        )
    except LookupError:
        await query.answer(messages.STALE_BUTTON)
        return
    await _edit(
        query, render.render_passage(passage), context_keyboard(callback.token, callback.page)
    )
    await query.answer()


async def record_feedback(
    query: CallbackQuery, callback: Vote, issued: Issued, context: Context
) -> None:
    """👍/👎: one vote per user and answer (a new one replaces it), stored with the question
    that answer was for (from the store, never from the voter); thanks in a toast."""
    services = services_of(context)
    answer = services.answers.get(callback.token)
    quotes = [f"{quote.document.id}#{quote.position}" for quote in answer.quotes] if answer else []
    changed = await store_call(
        services.store.record_vote,
        query.from_user.id,
        callback.token,
        callback.up,
        issued.question,
        quotes,
    )
    await query.answer(messages.FEEDBACK_THANKS if changed else messages.FEEDBACK_SAME)


async def ask_example(
    update: Update, query: CallbackQuery, callback: AskExample, context: Context
) -> None:
    """An example question button under /start: ask it as if the user had typed it."""
    examples = services_of(context).telegram.examples
    if callback.index >= len(examples) or not isinstance(query.message, Message):
        await query.answer(messages.STALE_BUTTON)
        return
    await query.answer()
    await ask(update, context, examples[callback.index], query.message, quote=False)


async def show_sources_page(query: CallbackQuery, callback: ShowSources, context: Context) -> None:
    """Paging through /sources; a page the index no longer has (it shrank) is a stale button."""
    page = await sources_page(services_of(context), callback.page)
    if page is None:
        await query.answer(messages.STALE_BUTTON)
        return
    await _edit(query, render.render_sources_page(page), sources_keyboard(page.index, page.count))
    await query.answer()


async def reject_button(query: CallbackQuery) -> None:
    """Callback data this bot never sent (forged, or from an older version): a polite no."""
    logger.debug("rejected callback data from user %s", query.from_user.id)
    await query.answer(messages.STALE_BUTTON)
