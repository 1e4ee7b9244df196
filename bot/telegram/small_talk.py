"""Greetings, thanks and "what can you do?": messages that are not questions about the news.

Searched like questions, "hi" was declined ("The sources do not answer this question.") and
"help" got a quote about helping prisoners' children (NU20-3, NU20-4): honest, but a new user
learns nothing about how to ask. Only a whole message that is one of these phrases counts, so
"Hi, how many political prisoners are there?" and "Who helps the children?" are still
questions. Pure: the handlers decide what to send.
"""

from __future__ import annotations

import re
from typing import Literal

SmallTalk = Literal["greeting", "thanks", "help"]

_PHRASES: dict[str, SmallTalk] = {}
for _line in """
greeting: hi | hello | hey | hiya | howdy | yo | greetings | hi there | hello there | hey there
greeting: good morning | good afternoon | good evening | good day | how are you | how are you today
greeting: good morning how are you | good morning how are you today
greeting: hi how are you | hello how are you
greeting: привет | привіт | здравствуйте | добрый день | добрий день | вітаю
greeting: салам | selam | salam | merhaba
thanks: thanks | thank you | thank you very much | thanks a lot | many thanks | thx | ty
thanks: cheers | great thanks
thanks: ok thanks | okay thanks | спасибо | дякую | teşekkürler | sağol
help: help | help me | menu | start | what can you do | what do you do | what are you | who are you
help: how does this work | how do i use this | how do i use you | how to use | what is this
help: are you a bot | are you a robot | are you human | are you an ai | what can i ask
help: what can i ask you | what should i ask | commands | помощь | допомога
""".strip().splitlines():
    _kind, _text = _line.split(":", 1)
    for _phrase in _text.split("|"):
        _PHRASES[_phrase.strip()] = _kind.strip()  # type: ignore[assignment]

# Punctuation, emoji and repeated spaces do not change what a greeting is ("Hi!!", "thanks 🙏").
_NOT_WORDS = re.compile(r"[^\w\s']+")
_SPACES = re.compile(r"\s+")
_ADDRESSED = re.compile(r" (?:bot|quotebot)$")


def small_talk(text: str) -> SmallTalk | None:
    """What kind of small talk the whole message is, or None for anything else (a question)."""
    if len(text) > 60:
        return None
    words = _SPACES.sub(" ", _NOT_WORDS.sub(" ", text.casefold())).strip()
    # "hello bot", "thanks quotebot": the bot addressed by name.
    return _PHRASES.get(_ADDRESSED.sub("", words))
