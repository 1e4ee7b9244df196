"""Inline buttons: their data (compact to fit Telegram's 64 bytes, strict when it comes back)
and the keyboards made of them.

Telegram returns ``callback_data`` exactly as the bot sent it, but any client can send any
string in its place, so parsing accepts only the shapes this module writes, with bounded
numbers, and raises ``InvalidCallbackError`` for everything else. The handlers then check the
values against the live index (a document number and a checksum of its id, a sentence position).

Formats (``T`` is an answer token of 8 URL-safe characters):

- ``p:T:PAGE``: show page PAGE of an answer ("More ▸" and "◂ Back").
- ``c:T:PAGE:DOC:POS:CHECK`` and ``c:T:PAGE:DOC:POS:CHECK:N``: show the context of sentence
  POS of document number DOC (of the N sentences from POS on, 2 or 3, when the quote joined
  consecutive sentences); CHECK is 4 hex digits of the document id's hash, so that a button
  made before ``/reload`` cannot open a different article that now has the same number.
- ``v:T:u`` and ``v:T:d``: feedback (👍/👎) on an answer.
- ``e:N``: ask example question N of the /start message.
- ``s:PAGE``: show page PAGE of /sources (a large corpus has thousands; "« Newest" is ``s:0``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit

from bot.telegram.pages import Page
from bot.telegram.render import button_text
from embeddings import MAX_QUOTE_SENTENCES

MAX_CALLBACK_BYTES = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA  # 64
TOKEN_PATTERN = r"[A-Za-z0-9_-]{8}"
_NUMBER = r"(0|[1-9][0-9]{0,5})"  # no leading zeros, no signs, at most 999999
_SMALL = r"(0|[1-9][0-9]?)"  # at most 99
_CHECK = r"[0-9a-f]{4}"


class InvalidCallbackError(ValueError):
    """The callback data is not one that this bot could have sent."""


@dataclass(frozen=True)
class ShowPage:
    token: str
    page: int


@dataclass(frozen=True)
class ShowContext:
    token: str
    page: int
    doc: int
    position: int
    check: str
    sentences: int = 1  # a joined quote's run: 1 to MAX_QUOTE_SENTENCES (embeddings/quote_joining)


@dataclass(frozen=True)
class Vote:
    token: str
    up: bool


@dataclass(frozen=True)
class AskExample:
    index: int


@dataclass(frozen=True)
class ShowSources:
    page: int


Callback = ShowPage | ShowContext | Vote | AskExample | ShowSources

# prefix -> (the whole shape, how its groups become a callback)
_SHAPES: dict[str, tuple[re.Pattern[str], Callable[[tuple[str, ...]], Callback]]] = {
    "p:": (re.compile(rf"p:({TOKEN_PATTERN}):{_SMALL}"), lambda g: ShowPage(g[0], int(g[1]))),
    "c:": (
        re.compile(
            rf"c:({TOKEN_PATTERN}):{_SMALL}:{_NUMBER}:{_NUMBER}:({_CHECK})(?::([2-{MAX_QUOTE_SENTENCES}]))?"
        ),
        lambda g: ShowContext(g[0], int(g[1]), int(g[2]), int(g[3]), g[4], int(g[5] or 1)),
    ),
    "v:": (re.compile(rf"v:({TOKEN_PATTERN}):([ud])"), lambda g: Vote(g[0], g[1] == "u")),
    "e:": (re.compile(r"e:([0-9])"), lambda g: AskExample(int(g[0]))),
    "s:": (re.compile(rf"s:{_NUMBER}"), lambda g: ShowSources(int(g[0]))),
}


def document_check(document_id: str) -> str:
    """Four hex digits that tell documents apart when their numbers shift after a reload."""
    return hashlib.sha256(document_id.encode("utf-8")).hexdigest()[:4]


def encode(callback: Callback) -> str:
    """The callback_data string for a button; ValueError if it would not round-trip."""
    match callback:
        case ShowPage(token, page):
            data = f"p:{token}:{page}"
        case ShowContext(token, page, doc, position, check, sentences):
            data = f"c:{token}:{page}:{doc}:{position}:{check}"
            if sentences != 1:
                data += f":{sentences}"
        case Vote(token, up):
            data = f"v:{token}:{'u' if up else 'd'}"
        case AskExample(index):
            data = f"e:{index}"
        case ShowSources(page):
            data = f"s:{page}"
    if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES or parse_or_none(data) != callback:
        raise ValueError(f"cannot encode {callback!r} as callback data")
    return data


def parse(data: object) -> Callback:
    """The callback a button's data stands for; InvalidCallbackError for anything else."""
    if not isinstance(data, str) or len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
        raise InvalidCallbackError("callback data is not a short string")
    shape = _SHAPES.get(data[:2])
    match = shape[0].fullmatch(data) if shape else None
    if shape is None or match is None:
        raise InvalidCallbackError("callback data has an unknown shape")
    return shape[1](match.groups())


def parse_or_none(data: object) -> Callback | None:
    try:
        return parse(data)
    except InvalidCallbackError:
        return None


# --- keyboards ----------------------------------------------------------------------------

MORE = "More ▸"
BACK = "◂ Back"
NEWEST = "« Newest"
THUMBS_UP = "👍"
THUMBS_DOWN = "👎"


def _button(text: str, callback: Callback) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=encode(callback))


def answer_keyboard(
    token: str, page: Page, document_numbers: Mapping[str, int]
) -> InlineKeyboardMarkup:
    """Context per quote, then Back/More when there are other pages, then feedback.

    ``document_numbers`` maps document ids to their number in the live index; a quote whose
    document is no longer there (after a reload) gets no Context button.
    """
    context_row = [
        _button(
            f"Context {number}",
            ShowContext(
                token,
                page.index,
                document_numbers[quote.document.id],
                quote.position,
                document_check(quote.document.id),
                quote.sentences,
            ),
        )
        for number, quote in page.numbered()
        if quote.document.id in document_numbers
    ]
    paging_row = []
    if page.has_previous:
        paging_row.append(_button(BACK, ShowPage(token, page.index - 1)))
    if page.has_next:
        paging_row.append(_button(MORE, ShowPage(token, page.index + 1)))
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
    """Back/More between /sources pages, and from the third page on "« Newest" back to the
    first, so that a reader deep in a large corpus need not press Back page by page."""
    if pages <= 1:
        return None
    row = []
    if page > 1:
        row.append(_button(NEWEST, ShowSources(0)))
    if page > 0:
        row.append(_button(BACK, ShowSources(page - 1)))
    if page + 1 < pages:
        row.append(_button(MORE, ShowSources(page + 1)))
    return InlineKeyboardMarkup([row])
