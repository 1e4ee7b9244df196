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
from embeddings.person_questions import DESCRIPTIONS_READ, described_first
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
}  # fmt: skip
_HOLDER_QUESTION = re.compile(
    r"^\W*who\s+(?:(?:is|was)\s+(?:the\s+)?(?P<office>head|leader|chair|chairman|chairwoman"
    r"|chairperson|director|founder|president|coordinator)\s+of|(?P<verb>heads|headed|runs"
    r"|ran|chairs|chaired|directs|directed|founded|coordinates))"
    r"\s+(?P<organisation>[^?!.]{2,80}?)\W*$",
    re.IGNORECASE,
)
# How an article refers again to an organisation it has named: "the head of the group".
_THE_BODY = re.compile(
    r"\bthe\s+(?:group|organi[sz]ation|party|company|movement|community|union|committee"
    r"|council|association|foundation|fund|network|cent(?:re|er)|campaign|initiative|mission"
    r"|agency|office|ngo|charity|society|team|club|board|institute|project)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class HolderQuestion:
    """A question for the person who holds an office of an organisation."""

    office: str  # a key of _OFFICES
    organisation: str  # as asked: "Koryn Watch", "the Tarvan Human Rights Group"


def asked_holder(question: str) -> HolderQuestion | None:
    """The office and organisation of "Who heads X?" / "Who is the head of X?", else None."""
    match = _HOLDER_QUESTION.match(" ".join(question.split()))
    if match is None:
        return None
    asked = (match.group("office") or match.group("verb")).lower()
    return HolderQuestion(_ASKED_OFFICE[asked], match.group("organisation").strip())


def holder_first(index: SentenceIndex, ranking: Ranking, asked: HolderQuestion) -> Ranking:
    """The ranking with the best of its first ``DESCRIPTIONS_READ`` sentences that gives a
    person the office of the organisation asked about moved first, its relevance at least
    ``DESCRIBED``; the ranking as it is when none does."""
    office = _OFFICES[asked.office]
    wanted = set(tokenize(asked.organisation))
    if not wanted:
        return ranking
    names: dict[int, bool] = {}  # whether each article read names the organisation
    for at, sentence_id in enumerate(ranking.ids[:DESCRIPTIONS_READ].tolist()):
        sentence = index.sentences[sentence_id]
        document = index.documents[sentence.doc]
        text = sentence.text
        if office.search(text) is None or not describes_someone(text, document.language):
            continue
        if not wanted <= set(tokenize(text)):
            if _THE_BODY.search(text) is None:
                continue
            if sentence.doc not in names:
                terms = set(tokenize(f"{document.title}\n{document.text}"))
                names[sentence.doc] = wanted <= terms
            if not names[sentence.doc]:
                continue
        return described_first(ranking, at)
    return ranking

