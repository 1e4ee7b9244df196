""" "Where does Seyran Kadyrov live now?": a place is an answer only when it is said of the person.

A person quoted about their family names places that are not theirs: "My mother lives in
Yevpatoria, and I have not seen her since," Kadyrov said, was the first quote (0.63) for where
he lives (NU31-2), though he is banned from Crimea and the articles never say where he lives.
The sentence holds the question's verb, but its subject is someone else. A sentence that does
not hold the verb is left to the other judges: "He moved to Kyiv in 2015" may answer it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# "Where does/did X live?", "Where was X born?": a name of two or more capitalised words, then
# the verb the place belongs to.
_WHERE = re.compile(
    r"^\W*(?i:where)\s+(?:does|did|do|is|was|has|had)\s+"
    r"(?P<person>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)+)\s+(?P<verb>[a-z]{3,})\b"
)
# Words between a subject and its verb: "My mother now lives", "he has always worked".
_BETWEEN = frozenset(
    "now still also currently already always never not only then has have had does did do is "
    "was were will would".split()
)
# A subject that may be the person asked about: their own "I", or "he"/"she"/"we".
_THEMSELVES = frozenset({"i", "he", "she", "we"})
_POSSESSIVES = frozenset({"my", "his", "her", "their", "our", "your"})
_POSSESSIVE = re.compile(r"['’]s$")
# Not "and": "He and his family live in Kyiv" is said of him.
_CLAUSE_END = re.compile(r"[,;:.!?()\"“”„«»]|\b(?:that|who|which|while|because|where)\b")
_WORD = re.compile(r"[A-Za-z'’]+")
_SUBJECT_WORDS = 4  # "My mother", "the family of his brother"


@dataclass(frozen=True)
class WhereQuestion:
    """Whose place is asked, and the verb it is the place of ("live")."""

    person: str
    verb: str


def asked_where(question: str) -> WhereQuestion | None:
    """The person and verb of "Where does X <verb>?", else None ("Where is X now?" has none,
    "Where was William Iron Arm's castle located?" asks of a thing)."""
    match = _WHERE.match(" ".join(question.split()))
    if match is None or match["verb"] in _BETWEEN or _POSSESSIVE.search(match["person"]):
        return None
    return WhereQuestion(match["person"], match["verb"])


def said_of_another(sentence: str, asked: WhereQuestion) -> bool:
    """Whether the sentence holds the asked verb only with a subject that is someone else's
    kin or belonging: "My mother lives in Yevpatoria", "Kadyrov's brother lives ..." for
    Seyran Kadyrov. Not when it never holds the verb, nor when a subject may be them ("I",
    "he", "she", "we", their name), nor when it is another noun ("the company moved", "When
    Yesün Temür died"): who that is, a rule of words cannot tell."""
    stem = asked.verb[:-1] if asked.verb.endswith("e") else asked.verb
    verb = re.compile(rf"\b{re.escape(stem)}(?:e|es|s|ed|d|ing)?\b", re.IGNORECASE)
    name = {word.casefold() for word in asked.person.split()}
    found = False
    for match in verb.finditer(sentence):
        clause = _CLAUSE_END.split(sentence[: match.start()])[-1]
        words = [word.casefold() for word in _WORD.findall(clause)]
        while words and words[-1] in _BETWEEN:
            words.pop()
        subject = words[-_SUBJECT_WORDS:]
        if any(word in _THEMSELVES or word in name for word in subject):
            return False
        if not any(word in _POSSESSIVES or _POSSESSIVE.search(word) for word in subject):
            return False
        found = True
    return found
