"""Which whole messages are greetings, thanks, a request for help, an acknowledgement or empty
rather than questions."""

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
        # NU21-9: thanks in more words, greetings with courtesy, "ok" and messages without words.
        ("Thank you so much, that helped a lot", "thanks"),
        ("thank you so much", "thanks"),
        ("thanks, that helped a lot", "thanks"),
        ("great, thanks!", "thanks"),
        ("ok thank you", "thanks"),
        ("thanks bot, much appreciated", "thanks"),
        ("🙏", "thanks"),
        ("hello there, how are you?", "greeting"),
        ("hi, how are you doing?", "greeting"),
        ("hey there!", "greeting"),
        ("How’s it going?", "greeting"),
        ("hi, what can you do?", "help"),
        ("ok", "acknowledgement"),
        ("Okay.", "acknowledgement"),
        ("cool", "acknowledgement"),
        ("great", "acknowledgement"),
        ("nice!", "acknowledgement"),
        ("got it", "acknowledgement"),
        ("good", "acknowledgement"),
        ("?", "empty"),
        ("🙂👍", "empty"),
        ("...", "empty"),
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
        "   ",
        # NU21-9: a greeting, thanks or "ok" around a real question leaves it a question.
        "Hi, who defends Umerov in court?",
        "Thanks! And who is Polozov?",
        "ok so how many prisoners are there?",
        "Who helps the children?",
        "help for prisoners' children",
        "great fines",
        "fine",
        "67",
        "Who are you, Polozov?",
        "thank you so much, that helped a lot, now tell me about the fines",
    ],
)
def test_questions_are_not_small_talk(text: str) -> None:
    assert small_talk(text) is None
