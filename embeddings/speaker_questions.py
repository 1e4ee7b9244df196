"""Questions that ask what a named person said: "What did Dzhemilev say about the election?"

Journalists quote people, and they ask the bot for a person's words. The ranking alone reads
the name as one more word of the question: "What did Mustafa Dzhemilev say?" got a sentence
by Refat Chubarov first, and the answerability judged it unanswered, since no sentence carries
"say". The articles' attributions (embeddings/speakers.py) answer such a question exactly: the
sentences whose speaker is the person asked about. So a question that asks for a person's words
is ranked among that person's sentences (in a corpus that gives the person's words at least
a quarter as often as it names them: ``QUOTED_SHARE``), and whether they answer it depends only on
its *topic* ("the election"); a question without a topic ("What did Dzhemilev say?") is
answered by whatever the person said, as far as the attributions are right
(``SPEAKER_PRECISION``).

The person is taken from the question loosely (any words between "What did" and "say", an
honorific dropped) and then must be a speaker the corpus names (``Searcher.speakers_named``):
every word of the asked name is a word of the speaker's own name ("Dzhemilev" is "Mustafa
Dzhemilev"; "lawyer of fisherman Ivan Melnyk" is not Ivan Melnyk), or a title exactly one
speaker holds ("the Head of the Mejlis"), or a title before a name ("Mayor Koval").
"What did the activists say?" or "What did Putin say?" in a corpus that never gives Putin's
words is no such question and is ranked as any other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from embeddings.speakers import title_head

# How often a speaker that embeddings/speakers.py names is the right one on text it was not
# written for: 75 of 86 attributed sentences of SQuAD dev and SelQA dev, judged by hand
# (docs/speaker-precision.md; 46 of 46 on the bundled corpus). It is the probability that a
# sentence attributed to the person asked about is that person's words: the relevance of
# "What did X say?", and the ceiling of "What did X say about Y?".
SPEAKER_PRECISION = 0.87

# A person's attributed sentences answer "What did X say?" only where the corpus gives X's
# words at least this share of the times it names X: news (Dzhemilev: 31 attributed
# sentences, 3 that name him; a fisherman in a tester's court report: 2 and 5). An
# encyclopedia article about Martin Luther names him in 233 sentences and attributes one to
# him, since it reports his views in its own words ("Luther argued that..."); there the
# sentences that answer are among the many that are not attributed, and the question is
# ranked as any other. SQuAD's people asked about in this form are quoted at most 0.11 of the
# times they are named, but for two with one mention (Martin Brecht 0.33, Roland Bainton 1.0);
# 0.5 left the fisherman to the ordinary search (NU18B-6), 0.25 changes no SQuAD question
# (docs/evaluation.md).
QUOTED_SHARE = 0.25

_AUXILIARY = r"(?:did|does|do|has|have|had|would|will|can|could)"
_NAME = r"(?P<name>\S+(?:\s+\S+){0,11}?)"  # up to 12 words: "the Head of the Mejlis"
_SAY = (
    r"(?:say|said|tell|told|state|stated|think|thought|claim|claimed|declare|declared|write|"
    r"wrote|announce|announced|believe|comment|add|stress|warn|argue|feel|mean|call|report|"
    r"note|explain|predict|promise|demand)"
)
_PATTERNS = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        # What did Dzhemilev say (about the election)?
        rf"^what\s+{_AUXILIARY}\s+{_NAME}\s+(?P<verb>{_SAY})\b(?P<topic>.*)$",
        # What was said by Chubarov (about the banner)?
        r"^what\s+(?:is|was|were|are|has\s+been|have\s+been)\s+(?:said|stated|written|claimed)"
        rf"\s+by\s+{_NAME}(?:\s+(?:about|on|of|regarding|concerning)\b(?P<topic>.*))?$",
        # What Dzhemilev said about the election
        rf"^what\s+{_NAME}\s+(?P<verb>said|says|thinks|stated|states|claimed|claims|wrote|writes)\b"
        r"(?P<topic>.*)$",
        # What is Chubarov's opinion (of the MPs)?
        r"^what\s+(?:is|was|are|were)\s+"
        rf"{_NAME}(?:'s|’s|'|’)\s+(?P<verb>opinion|view|views|position|stance|statement|"
        r"statements|words|comment|comments|assessment|reaction|response|reply|message|take)\b"
        r"(?P<topic>.*)$",
        # How does Polozov describe his health?
        rf"^how\s+{_AUXILIARY}\s+{_NAME}\s+(?P<verb>describe|assess|see|view|characteri[sz]e|"
        r"explain|evaluate|comment\s+on|react(?:\s+to)?|respond(?:\s+to)?|reply(?:\s+to)?"
        r"|answer|feel\s+about)\b(?P<topic>.*)$",
        # How did the head of the ministry of culture react to the letter? (a longer title)
        rf"^how\s+{_AUXILIARY}\s+(?P<name>(?:the|a|an)\s+\S+(?:\s+\S+){{5,9}}?)\s+"
        r"(?P<verb>react(?:\s+to)?|respond(?:\s+to)?|reply(?:\s+to)?)\b(?P<topic>.*)$",
        # Quotes from Dzhemilev (on fines)
        r"^(?:quote|quotes\s+(?:from|by|of)|statements\s+(?:of|by)|words\s+of)\s+"
        rf"{_NAME}(?:\s+(?:about|on|regarding|concerning)\b(?P<topic>.*))?$",
    )
)
# Words between the verb and the topic that say nothing of the topic.
_LEAD = re.compile(
    r"^(?:\s|about|of|on|regarding|concerning|in\s+respect\s+of|with\s+regard\s+to|that|to|"
    r"the\s+subject\s+of|it|this)+\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")
# "What did Dzhemilev tell QHA (about fines)?": what follows "tell" is whom he told, and the
# topic only what follows "about".
_TOLD = re.compile(r"(?:tell|told)$", re.IGNORECASE)
# The verbs and nouns of a question that asks for words said (``SpeakerQuestion.literal``);
# not "claim", "write" or "add" ("What did Watt add to the steam engine?").
_SAID = re.compile(
    r"say|said|says|tell|told|state|stated|states|declare|declared|announce|announced|comment"
    r"|statement|statements|words|comments|message",
    re.IGNORECASE,
)
_REACTION = re.compile(r"react|respon|repl|answer", re.IGNORECASE)
_ABOUT = re.compile(r"\b(?:about|regarding|concerning|on\s+the\s+subject\s+of)\b", re.IGNORECASE)
# Honorifics are not part of the name the articles give: "Mr Dzhemilev" is Dzhemilev.
_HONORIFIC = re.compile(r"^(?:mr|mrs|ms|miss|mx|dr|prof|sir|dame)\.?\s+", re.IGNORECASE)
# A speaker phrase such as "lawyer of fisherman Ivan Melnyk" (embeddings/speakers.py names an
# unnamed person by the article's words) describes someone else than the name after "of".
_OTHERS = frozenset({"of", "for", "to", "by", "with", "from"})


@dataclass(frozen=True)
class SpeakerQuestion:
    """A question that asks for someone's words."""

    name: str  # the person as asked: "Dzhemilev", "Mustafa Dzhemilev"
    topic: str  # what the words should be about ("the election"); "" for anything
    # Whether it asks for words said ("What did X say/tell/state?", "X's statement"), not for
    # a view or an act that a sentence may give without a verb of saying ("What does X
    # think?", "What did Rutherford report?", "What does kata mean?").
    literal: bool = True
    # Whether it asks how the person reacted ("How did X respond to the petition?", "X's
    # reaction"): answered by the person's words or acts, not by a sentence that only names
    # them.
    reaction: bool = False


def asked_speaker(question: str) -> SpeakerQuestion | None:
    """The person and topic of a question that asks what someone said, else None.

    Loose on purpose: the name is only a candidate until ``matching_speakers`` finds it
    among the corpus's speakers.
    """
    text = " ".join(question.split()).rstrip("?!. ")
    for pattern in _PATTERNS:
        match = pattern.match(text)
        if match is None:
            continue
        name = _HONORIFIC.sub("", _POSSESSIVE.sub("", match.group("name").strip(" ,")))
        rest = match.group("topic") or ""
        if _TOLD.match(match.groupdict().get("verb") or ""):
            about = _ABOUT.search(rest)
            rest = rest[about.end() :] if about else ""
        topic = _LEAD.sub("", rest).strip(" ,")
        verb = match.groupdict().get("verb")
        if name:
            return SpeakerQuestion(
                name,
                topic,
                verb is None or bool(_SAID.fullmatch(verb)),
                bool(verb and _REACTION.match(verb)),
            )
    return None


# "Who is Refat Chubarov?", "Who was Dr Ortiz?", "Who's Zare?": the question is a name alone.
_WHO_IS = re.compile(
    r"\W*who(?:\s+(?:is|was)|['’]s)\s+(?P<name>[^?!.,;:]{1,80}?)\W*", re.IGNORECASE
)


def asked_person(question: str) -> str | None:
    """The person a "Who is X?" question asks about, when X is written as a name, else None:
    it asks what the articles say X is, not for a person's name ("Who is the head of the
    Mejlis?" asks for one, and is read as any other question)."""
    match = _WHO_IS.fullmatch(" ".join(question.split()))
    if match is None:
        return None
    name = _HONORIFIC.sub("", _POSSESSIVE.sub("", match.group("name").strip()))
    return name if looks_like_a_name(name) and len(name.split()) <= 4 else None


def looks_like_a_name(name: str) -> bool:
    """Whether the asked name is written as a person's name: every word capitalised ("Joe
    Biden"), not a phrase ("the activists", "some sources") or a question typed in lower case."""
    words = name.split()
    return bool(words) and all(word[:1].isupper() for word in words)


def person_named(name: str) -> str | None:
    """The person's name in an asked name, or None when it is no name: "Pavel Sorokin" of
    "investigator Pavel Sorokin", "Polozov" of "lawyer Polozov" (a title written in lower
    case before a name, as news writes it, NU27-2). Not "the head of the Mejlis" (a title
    alone), nor "early Greek" or "some Mongolians": no title before them."""
    if looks_like_a_name(name):
        return name
    words = name.split()
    lead = next((n for n, word in enumerate(words) if word[:1].isupper()), len(words))
    named = " ".join(words[lead:])
    title = " ".join(words[:lead])
    titled = (
        0 < lead < len(words)
        and title.islower()
        and not set(words[:lead]) & (_OTHERS | {"and"})  # "the head of Koryn Watch"
        and title_head(title) is not None
    )
    return named if titled and looks_like_a_name(named) else None


def head_word(name: str) -> str:
    """The word of a phrase that names the person: the last before any "of"/"for"/... ("the
    head of the ministry of culture": head; "the playwright": playwright)."""
    words = _own_words(name)
    return words[-1] if words else ""


def name_words(name: str) -> tuple[str, ...]:
    """The words of a name, lower case, without a possessive ending."""
    return tuple(_POSSESSIVE.sub("", word).casefold() for word in _WORD.findall(name))


def matching_speakers(name: str, speakers: Iterable[str]) -> list[str]:
    """The speakers that ``name`` may mean: every word of it is a word of theirs, before any
    "of"/"for"/... ("lawyer of fisherman Ivan Melnyk" is not Ivan Melnyk); or a speaker the
    articles describe by a role and a person that the name gives both of ("Savchuk's lawyer"
    is "lawyer of Viktor Savchuk")."""
    asked = set(name_words(name))
    if not asked:
        return []
    return [speaker for speaker in speakers if _means(asked, speaker)]


def _means(asked: set[str], speaker: str) -> bool:
    own = set(_own_words(speaker))
    if asked <= own:
        return True
    words = set(name_words(speaker))
    return own != words and bool(own) and own <= asked and asked <= words


def describes_by(speaker: str, name: str) -> bool:
    """Whether ``speaker`` is someone the article describes by ``name`` ("lawyer of Viktor
    Savchuk" by "Savchuk"): their words are never that person's."""
    asked = set(name_words(name))
    return bool(asked) and asked <= set(name_words(speaker)) and not _means(asked, speaker)


def _own_words(speaker: str) -> tuple[str, ...]:
    words = name_words(speaker)
    cut = next((n for n, word in enumerate(words) if word in _OTHERS), len(words))
    return words[:cut]
