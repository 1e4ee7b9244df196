"""Deciding that the corpus does not answer a question.

Quoting the least unrelated sentence of the corpus would be worse than saying nothing: users
would take it for an answer. The decision uses the best candidate's relevance, its cosine plus its
share of the question's lexical evidence (embeddings/ranking.py), so both retrievers vote: an
off-topic question has neither a close meaning nor the corpus's rare words. The
threshold was chosen on the default corpus (see docs/evaluation.md); a corpus owner
recalibrates it with ``quotebot eval questions`` and sets ``QUOTEBOT_ABSTAIN_BELOW``.
"""

from __future__ import annotations

from embeddings.ranking import Ranking

DEFAULT_ABSTAIN_BELOW = 0.5


def should_abstain(ranking: Ranking, abstain_below: float) -> bool:
    """True when even the best candidate's relevance is below the threshold."""
    return ranking.relevance < abstain_below
