"""Greetings and polite openings that are not part of what a question asks.

"Hi, who defends Umerov in court?" put the prosecution sentence first and Polozov second,
while "Who defends Umerov in court?" has Polozov first (NU21-7): the question's kind (who ->
a person) is read from its first words, and "hi" also pulls the dense vector towards small
talk. People write to a bot as they write to a person, so an opening greeting ("Hi,", "Good
morning!", "Hey bot,"), a "please" or "thanks,", a request that frames the question ("Can
you tell me who ...", "Do you know when ...") and an "and" or "so" before its wh-word ("Thanks!
And who is Polozov?") are dropped before the question is searched.
The answer keeps the question as it was typed.
"""

from __future__ import annotations

import re

# Openings, each followed by a separator (a comma, "!", ".", ":", a dash) or by the question's
# wh-word. An addressee may follow a greeting ("hi there", "hello bot", "hey quotebot").
_GREETING = (
    r"(?:hi|hello|hey|hiya|howdy|greetings|good (?:morning|afternoon|evening|day)|"
    r"please|thanks|thank you|ok|okay|excuse me|sorry|dear)"
    r"(?: (?:there|bot|quotebot|everyone|all|again|so much|very much))?"
)
_WH = r"(?:who|whom|whose|what|when|where|which|why|how|if|whether)\b"
_REQUEST = (
    r"(?:(?:can|could|would|will) you (?:please )?tell me|do you know|"
    r"i(?:'d| would) like to know|i want to know|i wonder|tell me|please tell me)"
)
_OPENING = re.compile(
    rf"^\s*(?:{_GREETING}(?:\s*[,!.:;—–-]+\s*|\s+(?=(?:(?:and|so|also)\s+)?{_WH}))"
    rf"|{_REQUEST}\s*,?\s+(?={_WH})|(?:and|so|also)\s+(?={_WH}))",
    re.IGNORECASE,
)

_ASKED_AGAIN = re.compile(
    r"(?<=[?!.])\s*(?:(?:who|what)\s+(?:is|was|does)\s+(?:he|she|this|that|it)(?:\s+do)?"
    r"|(?:хто|кто|що|что)\s+(?:він|вона|он|она|це|это)(?:\s+(?:такий|така|такой|такая))?)"
    r"\s*\?*\s*$",
    re.IGNORECASE,
)


def without_courtesy(question: str) -> str:
    """``question`` without the greetings and polite openings it starts with; unchanged when
    nothing of two words or more would be left ("Hi!" stays "Hi!")."""
    rest = _ASKED_AGAIN.sub("", question)
    while (match := _OPENING.match(rest)) is not None and match.end() > 0:
        rest = rest[match.end() :]
    if rest == question or len(rest.split()) < 2:
        return question
    return rest[:1].upper() + rest[1:] if rest[:1].islower() else rest
