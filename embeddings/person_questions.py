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

import numpy as np

from embeddings.index import SentenceIndex
from embeddings.ranking import Ranking
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
    at = next(
        (
            n
            for n, sentence_id in enumerate(ranking.ids[:DESCRIPTIONS_READ].tolist())
            if describes(
                index.sentences[sentence_id].text,
                name,
                index.documents[index.sentences[sentence_id].doc].language,
            )
        ),
        None,
    )
    if at is None:
        return _others_described_last(index, ranking, name)
    order = np.r_[at, np.delete(np.arange(len(ranking.ids)), at)].astype(np.int64)
    fused = ranking.fused[order].copy()
    fused[0] = max(ranking.relevance, DESCRIBED)
    lexical, weight = ranking.lexical[order], ranking.lexical_weight
    return Ranking(ranking.ids[order], fused, ranking.dense[order], lexical, weight)


def _others_described_last(index: SentenceIndex, ranking: Ranking, name: str) -> Ranking:
    """The ranking with the sentences among its first ``DESCRIPTIONS_READ`` that name the
    person only in someone else's title ("Zare, the wife of Ilmi Umerov's brother", first at
    0.99 for "Who is Ilmi Umerov?", NU24-9) after the rest of them, each with its own score:
    they say who the other person is."""
    read = ranking.ids[:DESCRIPTIONS_READ].tolist()
    others = [
        n
        for n, sentence_id in enumerate(read)
        if names_in_anothers_title(
            index.sentences[sentence_id].text,
            name,
            index.documents[index.sentences[sentence_id].doc].language,
        )
    ]
    if not others or len(others) == len(read):
        return ranking
    first = [n for n in range(len(read)) if n not in others]
    order = np.r_[first, others, np.arange(len(read), len(ranking.ids))].astype(np.int64)
    lexical, weight = ranking.lexical[order], ranking.lexical_weight
    return Ranking(ranking.ids[order], ranking.fused[order], ranking.dense[order], lexical, weight)
