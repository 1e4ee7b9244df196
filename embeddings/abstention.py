"""Deciding that the corpus does not answer a question.

Quoting the least unrelated sentence of the corpus would be worse than saying nothing: users
would take it for an answer. The decision uses the fused score of the best candidate, which
combines the dense cosine with the lexical evidence (embeddings/ranking.py), so a question must
be both close in meaning and, failing exact words, very close in meaning to be answered. The
threshold was chosen on the default corpus (see docs/evaluation.md); a corpus owner
recalibrates it with ``quotebot eval questions`` and sets ``QUOTEBOT_ABSTAIN_BELOW``.
"""

from __future__ import annotations

from embeddings.ranking import Ranking

DEFAULT_ABSTAIN_BELOW = 0.5


def should_abstain(ranking: Ranking, abstain_below: float) -> bool:
    """True when even the best candidate's fused score is below the threshold."""
    fused, _, _ = ranking.best
    return fused < abstain_below
