"""Telegram handlers for commands, questions, inline queries and errors.

One handler per thing a user wants; each parses the update, calls a service and replies.
Retrieval is the searcher's job, markup ``render``'s and the pages of an answer ``pages``';
searching and database calls run in worker threads (``bot_data``), so that one question never
holds up another. What a pressed button does is in ``presses``, the admin commands in
``admin``.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import (
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import Conflict, Forbidden, NetworkError, TelegramError

from bot.telegram import messages, pages, render
from bot.telegram.addressing import command_argument, group_question, is_addressed_command
from bot.telegram.bot_data import (
    BotServices,
    Context,
    count,
    is_admin,
    remember,
    search,
    services_of,
)
from bot.telegram.buttons import (
    abstention_keyboard,
    answer_keyboard,
    examples_keyboard,
    sources_keyboard,
)
from bot.telegram.decoration import show_typing
from bot.telegram.pages import SourcesPage, page_of
from bot.telegram.small_talk import small_talk
from bot.telegram.store import ABSTENTIONS, ERRORS, INLINE_QUERIES, QUESTIONS
from embeddings import Answer, QuestionError

logger = logging.getLogger(__name__)

INLINE_CACHE_SECONDS = 60


# --- commands -------------------------------------------------------------------------------


async def start(update: Update, context: Context) -> None:
    """/start: what the bot knows, how to ask, and example questions as buttons.

    Deep links from inline mode (``/start help``, ``/start sources``) go straight there.
    """
    if context.args and context.args[0] == "sources":
        await show_sources(update, context)
        return
    if context.args and context.args[0] == "help":
        await show_help(update, context)
        return
    message = update.effective_message
    if message is None:
        return
    services = services_of(context)
    examples = services.telegram.examples
    await message.reply_text(
        render.render_start(services.searcher.documents, bool(examples)),
        reply_markup=examples_keyboard(examples),
    )


async def show_help(update: Update, context: Context) -> None:
    """/help: how to ask in private chats, in groups and inline (and, for admins, /add)."""
    message = update.effective_message
    if message is None:
        return
    services = services_of(context)
    examples = services.telegram.examples
    # Admin commands are listed to admins only, and only in a private chat with the bot.
    admin = is_admin(update, services) and message.chat.type == "private"
    await message.reply_text(
        render.render_help(context.bot.username, examples[0] if examples else None, admin)
    )


async def show_sources(update: Update, context: Context) -> None:
    """/sources: the articles in the index, newest first, a page at a time."""
    message = update.effective_message
    if message is None:
        return
    page = await sources_page(services_of(context), 0)
    assert page is not None  # there is always a first page
    await message.reply_text(
        render.render_sources_page(page), reply_markup=sources_keyboard(page.index, page.count)
    )


async def sources_page(services: BotServices, index: int) -> SourcesPage | None:
    """Page ``index`` of /sources from the live index, or None when it has no such page.

    In a worker thread: ordering a large index reads every article once.
    """
    documents = services.searcher.documents
    try:
        return await asyncio.to_thread(pages.sources_page, documents, index)
    except IndexError:
        return None


async def ask_command(update: Update, context: Context) -> None:
    """/ask question: the way to ask in a group without mentioning the bot."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    question = command_argument(message.text)
    if not question:
        await message.reply_text(messages.ASK_USAGE)
        return
    await ask(update, context, question, message, quote=True)


async def unknown_command(update: Update, context: Context) -> None:
    """A command the bot does not know: a pointer to /help, unless it was for another bot."""
    message = update.effective_message
    if message is None or not is_addressed_command(message, context.bot.username):
        return
    await message.reply_text(messages.UNKNOWN_COMMAND)


# --- questions ------------------------------------------------------------------------------


async def answer_private_question(update: Update, context: Context) -> None:
    """Any text in a private chat is a question, except a quote card the user posted from
    inline mode (it arrives "via" this bot, and is an answer already)."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    if message.via_bot is not None and message.via_bot.id == context.bot.id:
        return
    if await answered_small_talk(update, context, message.text):
        return
    await ask(update, context, message.text, message, quote=True)


async def answer_group_message(update: Update, context: Context) -> None:
    """Group text: answered when it mentions the bot or replies to it; otherwise silence."""
    message = update.effective_message
    if message is None:
        return
    question = group_question(message, context.bot.username, context.bot.id)
    if question is None:
        return
    if not question:
        await message.reply_text(messages.MENTION_USAGE)
        return
    if await answered_small_talk(update, context, question):
        return
    await ask(update, context, question, message, quote=True)


async def answered_small_talk(update: Update, context: Context, text: str) -> bool:
    """Reply to a greeting with /start, to "help" or "what can you do?" with /help, to
    thanks with a short line, and to "ok" or "?" with a request for a question (and the
    example buttons), instead of searching the articles for them; False for a question."""
    kind = small_talk(text)
    message = update.effective_message
    if kind == "greeting":
        await start(update, context)
    elif kind == "help":
        await show_help(update, context)
    elif kind == "thanks" and message is not None:
        await message.reply_text(messages.YOU_ARE_WELCOME)
    elif kind in ("acknowledgement", "empty") and message is not None:
        examples = services_of(context).telegram.examples
        await message.reply_text(
            messages.SEND_A_QUESTION_OR_EXAMPLE if examples else messages.SEND_A_QUESTION,
            reply_markup=examples_keyboard(examples),
        )
    return kind is not None


async def hint_non_text(update: Update, context: Context) -> None:
    """Stickers, photos, voice... in a private chat: say that only text works."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(messages.NON_TEXT_HINT)


async def ask(
    update: Update, context: Context, question: str, message: Message, quote: bool
) -> None:
    """Rate-limit, search off the event loop, remember the answer, reply with its first page,
    then count it.

    Remembering (the issued answer's row) comes before the reply: its buttons are checked
    against that row, by whichever replica a press reaches. Counting comes after: a counter
    table that is locked or slow must not delay the answer (``count_after_reply``)."""
    services = services_of(context)
    user = update.effective_user
    verdict = await services.question_limit.check_async(user.id if user else message.chat.id)
    if not verdict.allowed:
        if verdict.first_refusal:
            await message.reply_text(render.render_rate_limited(verdict.retry_after))
        return
    await show_typing(message, context)  # best effort: never costs the answer
    try:
        answer = await search(services, question, services.pool_size, services.page_size)
    except QuestionError as error:
        await message.reply_text(render.render_question_problem(str(error)), do_quote=quote)
        return
    token = await remember(services, answer, message.chat.id)
    text, keyboard = answer_page(services, answer, token, 0)
    await message.reply_text(text, reply_markup=keyboard, do_quote=quote)
    await count_after_reply(
        services, ABSTENTIONS if answer.abstained or not answer.quotes else QUESTIONS
    )


async def count_after_reply(services: BotServices, counter: str) -> None:
    """Count something the user has already been sent. A failure is a warning, not the
    update's error: the error handler would tell the user "something went wrong" after a
    good answer, and count an error for a lost counter."""
    try:
        await count(services, counter)
    except Exception as error:
        logger.warning("could not count %s: %s", counter, error)


def answer_page(
    services: BotServices, answer: Answer, token: str, index: int
) -> tuple[str, InlineKeyboardMarkup]:
    """The text and buttons of one page of an answer (a declined or unsupported-language
    answer has one page, no quotes; a related one shows its passages labelled as such).

    IndexError when the answer has no such page (a button from an older answer).
    """
    if not render.shows_quotes(answer):
        text = render.render_not_answered(answer, services.searcher.documents)
        return text, abstention_keyboard(token)
    page = page_of(answer, index, services.page_size)
    keyboard = answer_keyboard(token, page, services.document_numbers())
    return render.render_answer(answer, page), keyboard


# --- inline mode ----------------------------------------------------------------------------


async def answer_inline_query(update: Update, context: Context) -> None:
    """``@bot question`` in any chat: the best quotes as cards that post quote and citation."""
    query = update.inline_query
    if query is None:
        return
    services = services_of(context)
    question = query.query.strip()
    if not question:
        await query.answer(
            [], button=InlineQueryResultsButton("How to ask me", start_parameter="help")
        )
        return
    if not (await services.inline_limit.check_async(query.from_user.id)).allowed:
        await query.answer(
            [],
            cache_time=0,
            is_personal=True,
            button=InlineQueryResultsButton(
                "Too many questions: wait a moment", start_parameter="help"
            ),
        )
        return
    try:
        answer = await search(services, question, services.settings.top_k)
    except QuestionError:
        await query.answer([], cache_time=0)
        return
    if answer.abstained or not answer.quotes:
        await query.answer(
            [],
            cache_time=INLINE_CACHE_SECONDS,
            button=InlineQueryResultsButton(
                render.inline_no_answer(answer), start_parameter="sources"
            ),
        )
        await count_after_reply(services, INLINE_QUERIES)
        return
    results = [
        InlineQueryResultArticle(
            id=str(n),
            title=render.inline_title(quote),
            description=render.citation_plain(quote.document),
            input_message_content=InputTextMessageContent(
                render.render_inline_message(quote, answer.searched),
                parse_mode=ParseMode.HTML,
            ),
        )
        for n, quote in enumerate(answer.quotes)
    ]
    await query.answer(results, cache_time=INLINE_CACHE_SECONDS)
    await count_after_reply(services, INLINE_QUERIES)


# --- errors ---------------------------------------------------------------------------------


async def handle_error(update: object, context: Context) -> None:
    """Log every failure with its traceback, count it, and tell the user once.

    Nobody is told about a user who blocked the bot (403), nor about failures while fetching
    updates (no user is waiting for those; the updater retries on its own).
    """
    error = context.error
    if not isinstance(update, Update):
        if isinstance(error, NetworkError):
            logger.warning("fetching updates failed: %s", error)
        elif isinstance(error, Conflict):
            logger.error("another process is taking this bot's updates: %s", error)
        else:
            logger.error("error outside of an update", exc_info=error)
        return
    if isinstance(error, Forbidden):
        logger.info("update %d: the user blocked the bot or left the chat", update.update_id)
        return
    # The update itself is not logged: it holds the user's question.
    logger.error("update %d failed", update.update_id, exc_info=error)
    services = context.bot_data.get("services")
    if isinstance(services, BotServices):
        try:
            await count(services, ERRORS)
        except Exception:
            logger.exception("could not count the error")
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(messages.SOMETHING_WRONG, show_alert=True)
        elif update.effective_message is not None:
            await update.effective_message.reply_text(messages.SOMETHING_WRONG)
    except TelegramError as reply_error:
        logger.warning("update %d: could not tell the user: %s", update.update_id, reply_error)
