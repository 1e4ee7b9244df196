"""Greetings, thanks, "what can you do?" and "ok": messages that are not questions about the news.

Searched like questions, "hi" was declined ("The sources do not answer this question.") and
"help" got a quote about helping prisoners' children (NU20-3, NU20-4): honest, but a new user
learns nothing about how to ask. "Thank you so much, that helped a lot", "hello there, how are
you?", "ok", "?" and "🙂👍" got the same decline, with feedback buttons (NU21-9).

A message is small talk only when the whole of it is made of known phrases ("great" +
"thanks", "hello there" + "how are you"), so "Hi, how many political prisoners are there?",
"Thanks! And who is Polozov?" and "Who helps the children?" are still questions: one word
that is not in a phrase makes the message a question. A message with no letter or digit at all
("?", "🙂👍", "...") is "empty". Pure: the handlers decide what to send.
"""

from __future__ import annotations

import re
from typing import Literal

SmallTalk = Literal["greeting", "thanks", "help", "acknowledgement", "empty"]

# Among the phrases of one message, the kind that asks most of the bot wins: "hi, what can you
# do?" is a request for help, "ok, thanks" thanks, "hi, how are you" a greeting.
_PRIORITY: tuple[SmallTalk, ...] = ("help", "thanks", "greeting", "acknowledgement")

_PHRASES: dict[str, SmallTalk] = {}
for _line in """
greeting: hi | hello | hey | hiya | howdy | yo | greetings | hi there | hello there | hey there
greeting: good morning | good afternoon | good evening | good day | how are you | how are you today
greeting: how are you doing | how are you doing today | how's it going | how is it going
greeting: how do you do | what's up | nice to meet you | hi again | hello again
greeting: привет | привіт | здравствуйте | добрый день | добрий день | вітаю
greeting: салам | selam | salam | merhaba
thanks: thanks | thank you | thank you very much | thanks a lot | many thanks | thx | ty
thanks: thank you so much | thanks so much | thanks very much | thank you a lot | thanks a bunch
thanks: thank u | thanx | tysm | thanks again | thank you again | much appreciated
thanks: appreciate it | i appreciate it | that helped | that helped a lot | that helps
thanks: that helps a lot | that was helpful | that was very helpful | that's helpful
thanks: very helpful | so helpful | really helpful | helpful
thanks: спасибо | дякую | teşekkürler | sağol
help: help | help me | menu | start | what can you do | what do you do | what are you | who are you
help: how does this work | how do i use this | how do i use you | how to use | what is this
help: are you a bot | are you a robot | are you human | are you an ai | what can i ask
help: what can i ask you | what should i ask | commands | помощь | допомога
acknowledgement: ok | okay | k | kk | cool | great | nice | good | got it | i see | understood
acknowledgement: alright | all right | sure | perfect | awesome | excellent | wow | noted
acknowledgement: bye | goodbye | see you | ok bye
""".strip().splitlines():
    _kind, _text = _line.split(":", 1)
    for _phrase in _text.split("|"):
        _PHRASES[_phrase.strip()] = _kind.strip()  # type: ignore[assignment]

# Words that change nothing: "hello bot", "thanks quotebot", "help please".
_NEUTRAL = {"bot", "quotebot", "please", "pls"}
_LONGEST_PHRASE = max(len(phrase.split()) for phrase in _PHRASES)

# Punctuation, emoji and repeated spaces do not change what a greeting is ("Hi!!", "thanks 🙏").
_NOT_WORDS = re.compile(r"[^\w\s']+")
_SPACES = re.compile(r"\s+")


def small_talk(text: str) -> SmallTalk | None:
    """What kind of small talk the whole message is, or None for anything else (a question).

    Longer messages are questions: 60 characters hold "Thank you so much, that helped a lot"
    and "good morning, how are you today?", and a long message made only of these phrases is
    rare enough to be searched."""
    if len(text) > 60 or not text.strip():
        return None
    if not any(char.isalnum() for char in text):
        return "thanks" if "🙏" in text else "empty"
    words = _SPACES.sub(" ", _NOT_WORDS.sub(" ", text.casefold().replace("’", "'"))).split()
    kinds = _kinds(words)
    if kinds is None:
        return None
    return next((kind for kind in _PRIORITY if kind in kinds), "acknowledgement")


def _kinds(words: list[str]) -> set[SmallTalk] | None:
    """The kinds of the phrases that make up all of ``words`` (longest phrases tried first),
    or None when some word belongs to no phrase."""
    # ends[i]: the kinds of a split of words[i:] into phrases, None where there is none;
    # filled from the end, so every message takes at most words x phrase lengths look-ups.
    ends: list[set[SmallTalk] | None] = [None] * len(words) + [set()]
    for start in range(len(words) - 1, -1, -1):
        if words[start] in _NEUTRAL:
            ends[start] = ends[start + 1]
            continue
        for length in range(min(_LONGEST_PHRASE, len(words) - start), 0, -1):
            kind = _PHRASES.get(" ".join(words[start : start + length]))
            rest = ends[start + length]
            if kind is not None and rest is not None:
                ends[start] = rest | {kind}
                break
    return ends[0]
