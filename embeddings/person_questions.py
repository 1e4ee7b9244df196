""" "Who is Refat Chubarov?": the sentence that says who a named person is, first.

Such a question shares one or two words, the name, with every sentence that names the person,
so the ranking put first whichever of them read closest ("Refat Chubarov also expressed his
indignation at some Ukrainian MPs ...") and the sentence that gives the title ("... the Head
of the Crimean Tatar Mejlis, Refat Chubarov, take part in the action.") second; "Who is Daniel
Hughes?" found "Daniel Hughes, 34, a bus driver from the Grange estate, said ..." first but
judged it "related" (0.14, NU23-12): a "who" question was read as asking for a person's name,
and the sentence names no one else. The answer is the article's description of the person,
read as the speaker attributions read titles (``speakers.describes``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import partial

import numpy as np

from embeddings.features import without_quotations
from embeddings.index import SentenceIndex
from embeddings.ranking import Ranking, moved_first, reordered
from embeddings.speaker_questions import SPEAKER_PRECISION
from embeddings.speakers import describes, names_in_anothers_title

DESCRIPTIONS_READ = 20
"""The best candidates read for a sentence that describes the asked person: a sentence that
names them and no other word of the question ranks high, but not always in the first few."""

DESCRIBED = SPEAKER_PRECISION
"""The relevance, at least, of a question answered by a description: the description is read
as the attributions read titles, whose precision this is (embeddings/speaker_questions.py)."""


def description_first(index: SentenceIndex, ranking: Ranking, name: str) -> Ranking:
    """The ranking with the best of its first ``DESCRIPTIONS_READ`` sentences that says who
    ``name`` is moved first, its relevance at least ``DESCRIBED``. When none does (the
    articles name the person without saying who they are, or never name them), the question
    is judged as any other, and only the sentences that describe someone else by the name
    go after the rest."""
    # A title or a description before an age alone: "the mother of the jailed blogger, Zera
    # Asanova" says more of who she is than "Zera Asanova, 67, said" (NU26-11).
    at = next(_holding(index, ranking, name, partial(describes, by_age=False)), None)
    if at is None:
        at = next(_holding(index, ranking, name, describes), None)
    if at is None:
        return _others_described_last(index, ranking, name)
    return described_first(ranking, at)


def described_first(ranking: Ranking, at: int) -> Ranking:
    """The ranking with its candidate at position ``at``, a sentence that says who someone is,
    moved first, its relevance at least ``DESCRIBED``."""
    return moved_first(ranking, at, max(ranking.relevance, DESCRIBED))


def _others_described_last(index: SentenceIndex, ranking: Ranking, name: str) -> Ranking:
    """The ranking with the sentences among its first ``DESCRIPTIONS_READ`` that name the
    person only in someone else's title ("Zare, the wife of Ilmi Umerov's brother", first at
    0.99 for "Who is Ilmi Umerov?", NU24-9) after the rest of them, each with its own score:
    they say who the other person is."""
    others = list(_holding(index, ranking, name, names_in_anothers_title))
    read = min(DESCRIPTIONS_READ, len(ranking.ids))
    if not others or len(others) == read:
        return ranking
    first = [n for n in range(read) if n not in others]
    return reordered(ranking, np.r_[first, others, np.arange(read, len(ranking.ids))])


def _holding(
    index: SentenceIndex,
    ranking: Ranking,
    name: str,
    test: Callable[[str, str, str | None], bool],
) -> Iterator[int]:
    """The positions among the first ``DESCRIPTIONS_READ`` whose sentence passes ``test``
    (text, name, the article's language), best first."""
    for n, sentence_id in enumerate(ranking.ids[:DESCRIPTIONS_READ].tolist()):
        sentence = index.sentences[sentence_id]
        if test(sentence.text, name, index.documents[sentence.doc].language):
            yield n


# Two or more capitalised words in a row, the possessive cut: "Rustem Abdullaev" of "How long
# is Rustem Abdullaev's prison sentence?".
_PERSON_RUN = re.compile(r"\b[A-Z][\w-]+(?:['’]s\b)?(?:\s+[A-Z][\w-]+(?:['’]s\b)?)+")
_POSSESSIVE = re.compile(r"['’]s$")
# Capitalised words that open a title, not a name: "The Kid with a Bike".
_NOT_NAMES = frozenset({"The", "A", "An", "Of", "In", "On", "At", "For", "And"})


def people_asked(question: str) -> list[str]:
    """The names a question writes in full ("Rustem Abdullaev"), its own first word aside
    ("When Rustem ..." is no name) and what it quotes aside."""
    asked = without_quotations(question).strip()
    words = asked.split(maxsplit=1)
    if len(words) < 2:
        return []
    names = []
    for run in _PERSON_RUN.findall(words[1]):
        kept = [_POSSESSIVE.sub("", word) for word in run.split() if word not in _NOT_NAMES]
        if len(kept) > 1:
            names.append(" ".join(kept))
    return names
