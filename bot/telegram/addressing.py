"""Which messages are questions for the bot, and what the question is.

In a private chat every text is a question. In a group the bot answers only when it is
mentioned (``@botname question``), when someone replies to one of its messages, or on
``/ask question``; everything else in a group is other people's conversation and gets silence.
Telegram gives entity offsets in UTF-16 code units, so mentions are cut out in those units.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from telegram import Message, MessageEntity

_COMMAND = re.compile(r"/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?(?=\s|$)")
# Punctuation people put after a mention: "@bot, how many ..." or "@bot: how many ...".
_AFTER_MENTION = ",:;"
_LEADING_PUNCTUATION = " \t\n,:;—–-"


def command_argument(text: str) -> str:
    """The text after a leading ``/command`` or ``/command@botname``, stripped."""
    match = _COMMAND.match(text)
    return text[match.end() :].strip() if match else text.strip()


def _index(text: str, utf16_offset: int) -> int:
    """The Python string index of a UTF-16 offset."""
    units = 0
    for index, character in enumerate(text):
        if units >= utf16_offset:
            return index
        units += 2 if ord(character) > 0xFFFF else 1
    return len(text)


def remove_spans(text: str, spans: Sequence[tuple[int, int]], then: str = "") -> str:
    """``text`` without the (offset, length) spans, counted in UTF-16 code units, and without
    any of the characters in ``then`` that directly follow a span."""
    kept: list[str] = []
    position = 0
    for offset, length in sorted(spans):
        start, end = _index(text, offset), _index(text, offset + length)
        kept.append(text[position:start])
        while end < len(text) and text[end] in then:
            end += 1
        position = max(position, end)
    kept.append(text[position:])
    return "".join(kept)


def tidy_question(text: str) -> str:
    """Collapse whitespace and drop punctuation left over from a removed mention."""
    return " ".join(text.split()).strip(_LEADING_PUNCTUATION)


def mention_spans(message: Message, bot_username: str | None) -> list[tuple[int, int]]:
    """Where ``message`` mentions this bot by @username (any case)."""
    if not bot_username:
        return []
    wanted = f"@{bot_username}".casefold()
    return [
        (entity.offset, entity.length)
        for entity, value in message.parse_entities([MessageEntity.MENTION]).items()
        if value.casefold() == wanted
    ]


def replies_to_bot(message: Message, bot_id: int) -> bool:
    replied = message.reply_to_message
    return replied is not None and replied.from_user is not None and replied.from_user.id == bot_id


def group_question(message: Message, bot_username: str | None, bot_id: int) -> str | None:
    """The question a group message puts to the bot ("" if it only mentions the bot), or None
    when the message is not for the bot at all."""
    spans = mention_spans(message, bot_username)
    if not spans and not replies_to_bot(message, bot_id):
        return None
    return tidy_question(remove_spans(message.text or "", spans, _AFTER_MENTION))


def question_in(message: Message, bot_username: str | None) -> str:
    """The question of a message the bot answered, to ask it again when its answer expired."""
    text = message.text or ""
    if text.startswith("/"):
        return command_argument(text)
    return tidy_question(remove_spans(text, mention_spans(message, bot_username), _AFTER_MENTION))


def is_addressed_command(message: Message, bot_username: str | None) -> bool:
    """Whether a /command is for this bot: any command in a private chat, and in groups only
    ``/command@thisbot`` (a bare ``/command`` there may be meant for another bot)."""
    if message.chat.type == "private":
        return True
    match = _COMMAND.match(message.text or "")
    if match is None or bot_username is None:
        return False
    return match.group().casefold().endswith(f"@{bot_username}".casefold())
