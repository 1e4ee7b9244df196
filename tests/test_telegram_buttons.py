"""Button data (within Telegram's 64 bytes; only the shapes the bot writes come back in) and
the keyboards under answers, contexts, /start and /sources."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import InlineKeyboardMarkup

from bot.telegram.buttons import (
    BACK,
    MAX_CALLBACK_BYTES,
    MORE,
    NEWEST,
    AskExample,
    Callback,
    InvalidCallbackError,
    ShowContext,
    ShowPage,
    ShowSources,
    Vote,
    abstention_keyboard,
    answer_keyboard,
    context_keyboard,
    document_check,
    encode,
    examples_keyboard,
    parse,
    sources_keyboard,
)
from bot.telegram.pages import Page
from embeddings import Document, Quote

TOKEN = "Ab3_-xYz"
LARGEST = [
    ShowPage(TOKEN, 99),
    ShowContext(TOKEN, 99, 999_999, 999_999, "abcd"),
    ShowContext(TOKEN, 99, 999_999, 999_999, "abcd", sentences=3),  # a joined quote's run
    Vote(TOKEN, up=False),
    AskExample(9),
    ShowSources(999_999),
]


def test_a_context_button_made_before_quotes_were_joined_still_opens_one_sentence() -> None:
    assert parse(f"c:{TOKEN}:0:1:2:abcd") == ShowContext(TOKEN, 0, 1, 2, "abcd", sentences=1)
    assert encode(ShowContext(TOKEN, 0, 1, 2, "abcd")) == f"c:{TOKEN}:0:1:2:abcd"


@pytest.mark.parametrize("callback", LARGEST)
def test_the_largest_callbacks_fit_and_round_trip(callback: Callback) -> None:
    data = encode(callback)
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    assert parse(data) == callback


@pytest.mark.parametrize(
    "callback",
    [
        ShowPage(TOKEN, 100),
        ShowPage("short", 0),
        ShowContext(TOKEN, 0, -1, 0, "abcd"),
        ShowContext(TOKEN, 0, 0, 10**6, "abcd"),
        AskExample(10),
        ShowContext(TOKEN, 0, 0, 0, "ABCD"),
        ShowContext(TOKEN, 0, 0, 0, "abcd", sentences=4),
        ShowContext(TOKEN, 0, 0, 0, "abcd", sentences=0),
    ],
)
def test_values_that_could_not_come_back_are_refused_when_encoding(callback: Callback) -> None:
    with pytest.raises(ValueError, match="cannot encode"):
        encode(callback)


@pytest.mark.parametrize(
    "data",
    [
        "",
        "p:",
        f"p:{TOKEN}",
        f"p:{TOKEN}:01",  # leading zero
        f"p:{TOKEN}:-1",
        f"p:{TOKEN}:1:",
        f"p:{TOKEN}:1\n",
        f"p:{TOKEN}x:1",
        f"P:{TOKEN}:1",
        f"c:{TOKEN}:0:0:0",
        f"c:{TOKEN}:0:0:0:abcg",
        f"c:{TOKEN}:0:1234567:0:abcd",
        f"c:{TOKEN}:0:0:0:abcd:1",  # one sentence is written without the count
        f"c:{TOKEN}:0:0:0:abcd:4",
        f"c:{TOKEN}:0:0:0:abcd:",
        f"v:{TOKEN}:x",
        "e:a",
        "s:1.0",
        "s:١",  # a digit, but not an ASCII one
        "x" * 65,
    ],
)
def test_forged_data_is_refused(data: str) -> None:
    with pytest.raises(InvalidCallbackError):
        parse(data)


def test_non_strings_are_refused() -> None:
    with pytest.raises(InvalidCallbackError):
        parse(None)
    with pytest.raises(InvalidCallbackError):
        parse(b"p:Ab3_-xYz:1")


@given(st.text(max_size=80))
def test_parsing_never_fails_with_anything_but_invalid_callback(data: str) -> None:
    try:
        callback = parse(data)
    except InvalidCallbackError:
        return
    assert encode(callback) == data  # whatever parses is exactly what the bot would send


def test_document_check_tells_documents_apart() -> None:
    assert document_check("a") == document_check("a")
    assert document_check("a") != document_check("b")
    assert len(document_check("a")) == 4


# --- keyboards

DOC = Document("doc-a", "Title", "Text.")
GONE = Document("doc-gone", "Removed", "Text.")


def labels(markup: InlineKeyboardMarkup) -> list[list[str]]:
    return [[button.text for button in row] for row in markup.inline_keyboard]


def data(markup: InlineKeyboardMarkup) -> list[object]:
    return [parse(button.callback_data) for row in markup.inline_keyboard for button in row]


def test_first_page_has_context_per_quote_more_and_feedback() -> None:
    quotes = [Quote("A.", 0.9, DOC, 4), Quote("B.", 0.8, DOC, 7)]
    markup = answer_keyboard(TOKEN, Page(0, 3, tuple(quotes), 1, 7), {"doc-a": 12})
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
    markup = answer_keyboard(TOKEN, Page(2, 3, (Quote("C.", 0.5, DOC, 1),), 7, 7), {"doc-a": 0})
    assert labels(markup) == [["Context 7"], ["◂ Back"], ["👍", "👎"]]


def test_quotes_from_documents_no_longer_indexed_get_no_context_button() -> None:
    quotes = [Quote("A.", 0.9, GONE, 4), Quote("B.", 0.8, DOC, 7)]
    markup = answer_keyboard(TOKEN, Page(0, 1, tuple(quotes), 1, 2), {"doc-a": 0})
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
    assert [button.text for row in middle.inline_keyboard for button in row] == [BACK, MORE]


def test_sources_pages_after_the_second_lead_back_to_the_newest_in_one_press() -> None:
    third = sources_keyboard(2, 5)
    assert third is not None
    assert [button.text for row in third.inline_keyboard for button in row] == [NEWEST, BACK, MORE]
    assert data(third) == [ShowSources(0), ShowSources(1), ShowSources(3)]
    last = sources_keyboard(999_999, 1_000_000)  # the largest page a button can name
    assert last is not None
    assert data(last) == [ShowSources(0), ShowSources(999_998)]
    for row in last.inline_keyboard:
        for button in row:
            assert len(str(button.callback_data).encode("utf-8")) <= MAX_CALLBACK_BYTES
