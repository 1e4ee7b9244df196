"""The buttons under answers, contexts, /start and /sources."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.callbacks import ShowContext, ShowPage, ShowSources, Vote, document_check, parse
from bot.keyboards import (
    abstention_keyboard,
    answer_keyboard,
    context_keyboard,
    examples_keyboard,
    sources_keyboard,
)
from embeddings.types import Document, Quote

TOKEN = "Ab3_-xYz"
DOC = Document("doc-a", "Title", "Text.")
GONE = Document("doc-gone", "Removed", "Text.")


def labels(markup: InlineKeyboardMarkup) -> list[list[str]]:
    return [[button.text for button in row] for row in markup.inline_keyboard]


def data(markup: InlineKeyboardMarkup) -> list[object]:
    return [parse(button.callback_data) for row in markup.inline_keyboard for button in row]


def test_first_page_has_context_per_quote_more_and_feedback() -> None:
    quotes = [Quote("A.", 0.9, DOC, 4), Quote("B.", 0.8, DOC, 7)]
    markup = answer_keyboard(TOKEN, 0, 3, quotes, 1, {"doc-a": 12})
    assert labels(markup) == [["Context 1", "Context 2"], ["More ▸"], ["👍", "👎"]]
    check = document_check("doc-a")
    assert data(markup) == [
        ShowContext(TOKEN, 0, 12, 4, check),
        ShowContext(TOKEN, 0, 12, 7, check),
        ShowPage(TOKEN, 1),
        Vote(TOKEN, up=True),
        Vote(TOKEN, up=False),
    ]


def test_last_page_has_back_but_no_more() -> None:
    markup = answer_keyboard(TOKEN, 2, 3, [Quote("C.", 0.5, DOC, 1)], 7, {"doc-a": 0})
    assert labels(markup) == [["Context 7"], ["◂ Back"], ["👍", "👎"]]


def test_quotes_from_documents_no_longer_indexed_get_no_context_button() -> None:
    quotes = [Quote("A.", 0.9, GONE, 4), Quote("B.", 0.8, DOC, 7)]
    markup = answer_keyboard(TOKEN, 0, 1, quotes, 1, {"doc-a": 0})
    assert labels(markup) == [["Context 2"], ["👍", "👎"]]


def test_abstentions_and_contexts() -> None:
    assert labels(abstention_keyboard(TOKEN)) == [["👍", "👎"]]
    assert data(context_keyboard(TOKEN, 2)) == [ShowPage(TOKEN, 2)]


def test_example_buttons_are_shortened_questions() -> None:
    assert examples_keyboard([]) is None
    markup = examples_keyboard(["Short?", "A very long question " * 5])
    assert markup is not None
    texts = [row[0].text for row in markup.inline_keyboard]
    assert texts[0] == "Short?" and texts[1].endswith("…") and len(texts[1]) <= 60
    assert [row[0].callback_data for row in markup.inline_keyboard] == ["e:0", "e:1"]


def test_sources_paging() -> None:
    assert sources_keyboard(0, 1) is None
    middle = sources_keyboard(1, 3)
    assert middle is not None
    assert data(middle) == [ShowSources(0), ShowSources(2)]
