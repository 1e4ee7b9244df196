"""Which whole messages are greetings, thanks or a request for help rather than questions."""

from __future__ import annotations

import pytest

from bot.telegram.small_talk import small_talk


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("hi", "greeting"),
        ("Hello bot!!", "greeting"),
        ("  Good   evening ", "greeting"),
        ("привіт", "greeting"),
        ("thank you very much!", "thanks"),
        ("ok, thanks", "thanks"),
        ("дякую", "thanks"),
        ("Help?", "help"),
        ("what can I ask you?", "help"),
        ("Who are you?", "help"),
    ],
)
def test_small_talk_is_recognised_whatever_the_case_and_punctuation(text: str, kind: str) -> None:
    assert small_talk(text) == kind


@pytest.mark.parametrize(
    "text",
    [
        "Who helps the children of political prisoners?",
        "Hi, how many political prisoners are held in Crimea?",
        "help children",
        "Thanks to whom was the fine paid?",
        "Crimea",
        "tell me a joke",
        "hi " * 30,
        "",
    ],
)
def test_questions_are_not_small_talk(text: str) -> None:
    assert small_talk(text) is None
