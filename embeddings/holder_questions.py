""" "Who heads Koryn Watch?": the sentence that names the holder of an organisation's office,
first.

News names the head of a group once, often as "the group" ('"...," said the head of the group,
Ann Roe'; "Roe, who heads the group, told QHA"), in a sentence that shares few words with the
question: "Who heads Koryn Watch?" was only related (0.21) with that sentence first (NU26-10),
and "Who runs the Tarvan Human Rights Group?" answered (0.90) with sentences that name nobody,
the three that say who heads it not shown (NU27-7). The answer is a sentence that gives a
person the office asked for, read as the attributions read titles (``speakers.describes``), of
the organisation asked for: named in the sentence, or, when the sentence says "the group" (or
the party, the committee ...), in its article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from embeddings.index import SentenceIndex
from embeddings.lexical import tokenize
from embeddings.person_questions import DESCRIPTIONS_READ
from embeddings.ranking import Ranking
from embeddings.speakers import describes_someone

# The office a question asks about, and the words that give it in a sentence.
_OFFICES = {
    office: re.compile(rf"(?<![\w-])(?:{words})(?![\w-])", re.IGNORECASE)
    for office, words in {
        "head": r"head|heads|headed|chief|leader",
        "leader": r"leader|leaders|head|heads|headed",
        "runs": r"head|heads|headed|runs|director|directs|chief|leader|coordinator",
        "chair": r"chair|chairs|chaired|chairman|chairwoman|chairperson",
        "director": r"director|directs|directed|head|heads",
        "founder": r"founder|founders|founded|co-founder|co-founded",
        "president": r"president",
        "coordinator": r"coordinator|coordinates|coordinated",
        # "represents" or "defence" alone is no lawyer: "represented Britain", "defence minister"
        "lawyer": r"lawyers?|attorneys?|counsel|advocates?",
    }.items()
}
_ASKED_OFFICE = {
    "heads": "head", "headed": "head", "head": "head",
    "leader": "leader",
    "runs": "runs", "ran": "runs",
    "chairs": "chair", "chaired": "chair", "chair": "chair", "chairman": "chair",
    "chairwoman": "chair", "chairperson": "chair",
    "directs": "director", "directed": "director", "director": "director",
    "founded": "founder", "founder": "founder",
    "president": "president",
    "coordinates": "coordinator", "coordinator": "coordinator",
    "lawyer": "lawyer", "attorney": "lawyer", "counsel": "lawyer", "advocate": "lawyer",
    "defender": "lawyer", "represents": "lawyer", "represented": "lawyer",
    "representing": "lawyer", "defends": "lawyer", "defended": "lawyer", "defending": "lawyer",
}  # fmt: skip
_OFFICE_WORDS = (
    r"head|leader|chair|chairman|chairwoman|chairperson|director|founder|president|coordinator"
    r"|(?:defen[cs]e\s+)?(?:lawyer|attorney|counsel)|advocate|defender"
)
_HOLDER_QUESTION = re.compile(
    rf"^\W*who\s+(?:(?:is|was)\s+(?:the\s+)?(?P<office>{_OFFICE_WORDS})\s+(?:of|for)"
    r"|(?:is\s+|was\s+)?(?P<verb>heads|headed|runs|ran|chairs|chaired|directs|directed|founded"
    r"|coordinates|represents|represented|representing|defends|defended|defending))"
    r"\s+(?P<organisation>[^?!.]{2,80}?)\W*$",
    re.IGNORECASE,
)
# "Who is Umerov's lawyer?": the office after the organisation or person.
_POSSESSIVE_QUESTION = re.compile(
    rf"^\W*who\s+(?:is|was)\s+(?P<organisation>[^?!.]{{2,60}}?)['’]s?\s+(?P<office>{_OFFICE_WORDS})"
    r"\W*$",
    re.IGNORECASE,
)
# "Who defends Umerov in court?": the court is where, not whom.
_WHERE = re.compile(
    r"\s+(?:in|at|before)\s+(?:the\s+)?(?:court|trial|appeal|hearing|case)s?\b.*$", re.IGNORECASE
)
# How an article refers again to an organisation it has named: "the head of the group".
_THE_BODY = re.compile(
    r"\bthe\s+(?:group|organi[sz]ation|party|company|movement|community|union|committee"
    r"|council|association|foundation|fund|network|cent(?:re|er)|campaign|initiative|mission"
    r"|agency|office|ngo|charity|society|team|club|board|institute|project)\b",
    re.IGNORECASE,
)
# How an article refers again to a person it has named, whose lawyer it names: "Nikolai
# Polozov, the defendant's lawyer", "his lawyer, Emil Kurbedinov".
_THE_CLIENT = re.compile(
    r"\b(?:(?:the\s+)?(?:defendant|accused|detainee|prisoner|suspect|journalist|activist"
    r"|blogger)['’]s?|his|her|their|client|clients)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class HolderQuestion:
    """A question for the person who holds an office of an organisation."""

    office: str  # a key of _OFFICES
    organisation: str  # as asked: "Koryn Watch", "the Tarvan Human Rights Group"
    # Only a sentence that gives the office answers: "Who is X's lawyer?", "Who represents X
    # in court?"; not "Who represents the Scottish Parliament abroad?" or "Who founded X?",
    # whose answer may give no title ("Zhu Yuanzhang founded the Ming dynasty").
    needs_title: bool = False


def asked_holder(question: str) -> HolderQuestion | None:
    """The office and organisation of "Who heads X?" / "Who is the head of X?" / "Who is
    X's lawyer?", else None."""
    question = " ".join(question.split())
    match = _HOLDER_QUESTION.match(question) or _POSSESSIVE_QUESTION.match(question)
    if match is None:
        return None
    groups = match.groupdict()
    asked = (groups["office"] or groups.get("verb") or "").lower().split()[-1]
    office = _ASKED_OFFICE[asked]
    organisation, in_court = _WHERE.subn("", match.group("organisation"))
    if not organisation.strip():
        return None
    needs_title = office == "lawyer" and (groups["office"] is not None or bool(in_court))
    return HolderQuestion(office, organisation.strip(), needs_title)


def holder_at(index: SentenceIndex, ranking: Ranking, asked: HolderQuestion) -> int | None:
    """Where in the ranking's first ``DESCRIPTIONS_READ`` sentences the first that gives a
    person the office of the organisation asked about is; None when none does."""
    office = _OFFICES[asked.office]
    wanted = set(tokenize(asked.organisation))
    if not wanted:
        return None
    # "Kemalov's lawyer Emil Kurbedinov" in an article that writes "Ayder Kemalov" in full:
    # news names a person in full once, then by surname (NU31-3: "Who is Ayder Kemalov's
    # lawyer?" was related, "Who is Kemalov's lawyer?" answered).
    surname = _surname(asked.organisation) if asked.office == "lawyer" else set()
    names: dict[int, bool] = {}  # whether each article read names the organisation
    for at, sentence_id in enumerate(ranking.ids[:DESCRIPTIONS_READ].tolist()):
        sentence = index.sentences[sentence_id]
        document = index.documents[sentence.doc]
        text = sentence.text
        if office.search(text) is None or not describes_someone(text, document.language):
            continue
        terms = set(tokenize(text))
        if not wanted <= terms:
            again = _THE_CLIENT if asked.office == "lawyer" else _THE_BODY
            if again.search(text) is None and not (surname and surname <= terms):
                continue
            if sentence.doc not in names:
                names[sentence.doc] = wanted <= set(tokenize(f"{document.title}\n{document.text}"))
            if not names[sentence.doc]:
                continue
        return at
    return None


def _surname(organisation: str) -> set[str]:
    """The terms of the last word of a person's full name ("Ayder Kemalov"), else empty."""
    words = organisation.split()
    if len(words) < 2 or not all(word[:1].isupper() for word in words):
        return set()
    return set(tokenize(words[-1]))
