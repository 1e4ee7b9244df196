""" "Why did Timur Asanov pick Georgia?" of an interview with him: asked as the interview asks.

An interview writes its questions to the interviewee (``**Why did you choose Georgia?**``) and
its introduction names them ("Timur Asanov, 27, a programmer from Simferopol, left Crimea for
Georgia ..."). A reader's question names them too, so the introduction shares the name and
ranked first, the answer under the question line second or third (NU31-4, NU32-4). Asked again
in the second person ("Why did you pick Georgia?"), the question meets its question line, and
the answer under that line is what the reader asked for.
"""

from __future__ import annotations

import re

# The verb before the name agrees with "you": "Why was Elvira Seitova dismissed?" is asked
# as "Why were you dismissed?" (not with "your": "What is your plan?").
_AGREEMENT = {"was": "were", "is": "are", "has": "have", "does": "do"}
# After the name: "... before he left?" is "... before you left?".
_THIRD_PERSON = {"he": "you", "she": "you", "him": "you", "his": "your", "himself": "yourself"}
_THIRD_PERSON_WORD = re.compile(rf"\b(?:{'|'.join(_THIRD_PERSON)})\b", re.IGNORECASE)


def second_person(question: str, name: str) -> str | None:
    """The question with ``name`` (written in full, or its possessive) as "you"/"your", or None
    when the question does not write it."""
    written = re.compile(rf"\b{re.escape(name)}(?P<possessive>['’]s\b)?")
    match = written.search(question)
    if match is None:
        return None
    you = "your" if match["possessive"] else "you"
    before = question[: match.start()]
    verb = re.search(r"\b(\w+)\s+$", before)
    if verb is not None and verb.group(1).lower() in _AGREEMENT and you == "you":
        agreed = _AGREEMENT[verb.group(1).lower()]
        if verb.group(1)[:1].isupper():
            agreed = agreed.capitalize()
        before = before[: verb.start(1)] + agreed + before[verb.end(1) :]
    after = _THIRD_PERSON_WORD.sub(
        lambda word: _THIRD_PERSON[word.group().lower()], question[match.end() :]
    )
    return before + you + after
