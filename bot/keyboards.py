"""The inline keyboards under the bot's messages; pure functions from data to markup.

Every button's data is written by ``bot.callbacks.encode``, which refuses anything over
Telegram's 64 bytes, so no keyboard built here can be rejected for its callback data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import (
    AskExample,
    Callback,
    ShowContext,
    ShowPage,
    ShowSources,
    Vote,
    document_check,
)
from bot.callbacks import encode as encode_callback
from bot.render_html import button_text
from embeddings.types import Quote

MORE = "More ▸"
BACK = "◂ Back"
THUMBS_UP = "👍"
THUMBS_DOWN = "👎"


def _button(text: str, callback: Callback) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=encode_callback(callback))


def answer_keyboard(
    token: str,
    page: int,
    pages: int,
    quotes: Sequence[Quote],
    first_number: int,
    document_numbers: Mapping[str, int],
) -> InlineKeyboardMarkup:
    """Context per quote, then Back/More when there are other pages, then feedback.

    ``document_numbers`` maps document ids to their number in the live index; a quote whose
    document is no longer there (after a reload) gets no Context button.
    """
    context_row = [
        _button(
            f"Context {first_number + n}",
            ShowContext(
                token,
                page,
                document_numbers[quote.document.id],
                quote.position,
                document_check(quote.document.id),
            ),
        )
        for n, quote in enumerate(quotes)
        if quote.document.id in document_numbers
    ]
    paging_row = []
    if page > 0:
        paging_row.append(_button(BACK, ShowPage(token, page - 1)))
    if page + 1 < pages:
        paging_row.append(_button(MORE, ShowPage(token, page + 1)))
    rows = [row for row in (context_row, paging_row) if row]
    rows.append(feedback_row(token))
    return InlineKeyboardMarkup(rows)


def feedback_row(token: str) -> list[InlineKeyboardButton]:
    return [_button(THUMBS_UP, Vote(token, up=True)), _button(THUMBS_DOWN, Vote(token, up=False))]


def abstention_keyboard(token: str) -> InlineKeyboardMarkup:
    """Feedback only: a 👎 on "nothing found" is how a too-strict threshold shows up."""
    return InlineKeyboardMarkup([feedback_row(token)])


def context_keyboard(token: str, page: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(BACK, ShowPage(token, page))]])


def examples_keyboard(examples: Sequence[str]) -> InlineKeyboardMarkup | None:
    """One button per example question, one per row (they are sentences, not labels)."""
    if not examples:
        return None
    return InlineKeyboardMarkup(
        [[_button(button_text(example), AskExample(n))] for n, example in enumerate(examples)]
    )


def sources_keyboard(page: int, pages: int) -> InlineKeyboardMarkup | None:
    if pages <= 1:
        return None
    row = []
    if page > 0:
        row.append(_button(BACK, ShowSources(page - 1)))
    if page + 1 < pages:
        row.append(_button(MORE, ShowSources(page + 1)))
    return InlineKeyboardMarkup([row])
