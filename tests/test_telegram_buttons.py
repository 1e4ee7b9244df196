"""Button data: within Telegram's 64 bytes, and only the shapes the bot writes come back in."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.callbacks import (
    MAX_CALLBACK_BYTES,
    AskExample,
    Callback,
    InvalidCallbackError,
    ShowContext,
    ShowPage,
    ShowSources,
    Vote,
    document_check,
    encode,
    matches,
    parse,
)

TOKEN = "Ab3_-xYz"
LARGEST = [
    ShowPage(TOKEN, 99),
    ShowContext(TOKEN, 99, 999_999, 999_999, "abcd"),
    Vote(TOKEN, up=False),
    AskExample(9),
    ShowSources(99),
]


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


def test_handler_patterns_accept_one_kind_only() -> None:
    page = encode(ShowPage(TOKEN, 1))
    assert matches(ShowPage)(page)
    assert not matches(Vote)(page)
    assert not matches(ShowPage)("p:forged")
