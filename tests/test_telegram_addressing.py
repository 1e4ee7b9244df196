"""Which group messages are for the bot, and the question without the mention."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Message, Update

from bot.telegram.addressing import (
    command_argument,
    group_question,
    is_addressed_command,
    question_in,
    remove_spans,
)
from tests.fake_bot_api import BOT_ID, BOT_USER, BOT_USERNAME, Updates

GROUP = -100
ANN = 7


def message(update: dict[str, Any]) -> Message:
    parsed = Update.de_json(update, None).message
    assert parsed is not None
    return parsed


def group(text: str, reply_to: dict[str, Any] | None = None) -> Message:
    return message(Updates().group(GROUP, ANN, text, reply_to=reply_to))


@pytest.mark.parametrize(
    ("text", "question"),
    [
        (f"@{BOT_USERNAME} how many people?", "how many people?"),
        (f"@{BOT_USERNAME.upper()}, how many people?", "how many people?"),
        (f"how many people, @{BOT_USERNAME}?", "how many people, ?"),
        (f"👋🏽 @{BOT_USERNAME}: who is Umerov?", "👋🏽 who is Umerov?"),
        (f"@{BOT_USERNAME}", ""),
    ],
)
def test_a_mention_makes_a_question_without_the_mention(text: str, question: str) -> None:
    assert group_question(group(text), BOT_USERNAME, BOT_ID) == question


def test_a_reply_to_the_bot_is_a_question() -> None:
    ours = {
        "message_id": 1,
        "date": 0,
        "chat": {"id": GROUP, "type": "supergroup"},
        "from": BOT_USER,
        "text": "x",
    }
    assert (
        group_question(group("and in 2017?", reply_to=ours), BOT_USERNAME, BOT_ID)
        == "and in 2017?"
    )


@pytest.mark.parametrize(
    "text", ["how many people?", "@other_bot how many?", f"email me at x@{BOT_USERNAME}.org"]
)
def test_other_group_messages_are_not_for_the_bot(text: str) -> None:
    assert group_question(group(text), BOT_USERNAME, BOT_ID) is None


def test_a_reply_to_someone_else_is_not_for_the_bot() -> None:
    theirs = Updates().group(GROUP, ANN + 1, "hello")["message"]
    assert group_question(group("hi", reply_to=theirs), BOT_USERNAME, BOT_ID) is None


def test_command_arguments() -> None:
    assert command_argument("/ask  who is Umerov? ") == "who is Umerov?"
    assert command_argument(f"/ask@{BOT_USERNAME} who?") == "who?"
    assert command_argument("/ask") == ""
    assert command_argument("/asking") == ""  # the whole word is the command


def test_remove_spans_counts_utf16_units() -> None:
    text = "𝄞 @bot hi"  # the clef is two UTF-16 units
    assert remove_spans(text, [(3, 4)]) == "𝄞  hi"


def test_the_question_of_an_earlier_message_is_recovered() -> None:
    assert question_in(group(f"/ask@{BOT_USERNAME} who?"), BOT_USERNAME) == "who?"
    assert question_in(group(f"@{BOT_USERNAME} who?"), BOT_USERNAME) == "who?"
    assert question_in(message(Updates().private(ANN, "who?")), BOT_USERNAME) == "who?"


def test_commands_in_groups_are_for_the_bot_only_when_they_name_it() -> None:
    assert is_addressed_command(message(Updates().private(ANN, "/nope")), BOT_USERNAME)
    assert not is_addressed_command(group("/nope"), BOT_USERNAME)
    assert not is_addressed_command(group("/nope@other_bot"), BOT_USERNAME)
    assert is_addressed_command(group(f"/nope@{BOT_USERNAME}"), BOT_USERNAME)
