"""Deciding whether the quotes answer a question: answered, related, or declined.

Quoting the least unrelated sentence of the corpus as if it answered would be worse than
saying nothing: users would take it for an answer. The decision reads one number, the
question's *relevance*: the calibrated score of its best candidate (embeddings/ranking.py), a
0..1 estimate of the probability that this sentence answers the question, the same number each
quote shows as its score.

- ``relevance >= abstain_below``: **answered**, the quotes answer it;
- ``related_below <= relevance < abstain_below``: **related**, the corpus speaks of the
  subject but does not answer (the closest passages are shown as such);
- ``relevance < related_below``: **declined**, nothing in the corpus is relevant.

Both thresholds were calibrated on answerable questions and on near-subject questions the
corpus does not answer (SQuAD dev and SelQA dev with the question's own article hidden, and the
bundled corpus's reader set): see docs/evaluation.md, which also says how a corpus owner
recalibrates (``QUOTEBOT_ABSTAIN_BELOW``, ``QUOTEBOT_RELATED_BELOW``).
"""

from __future__ import annotations

from embeddings.ranking import Ranking
from embeddings.types import Outcome

DEFAULT_ABSTAIN_BELOW = 0.3
# Kept at 0.1 (sixth round). Tenth round: 0.05 (about twice the highest far-off-topic relevance
# in the reader and regression sets, 0.027) showed their passages for 3 of the 4 paraphrased
# answerable questions (of 80) that 0.1 declines, but a blind check found off-topic questions
# about the same world at 0.047-0.086 ("What are the conditions like in Guantanamo Bay prison?"
# 0.053), which 0.05 told that the sources "speak of this subject" (NU20-1; docs/evaluation.md,
# "Declined or related").
DEFAULT_RELATED_BELOW = 0.1


def decide(relevance: float, abstain_below: float, related_below: float) -> Outcome:
    """The outcome for a question whose best candidate has this relevance.

    A ``related_below`` above ``abstain_below`` means no "related" band: below
    ``abstain_below`` is then declined.
    """
    if relevance >= abstain_below:
        return "answered"
    if relevance >= min(related_below, abstain_below):
        return "related"
    return "declined"


def should_abstain(ranking: Ranking, abstain_below: float) -> bool:
    """True when even the best candidate's relevance is below the threshold (not answered)."""
    return ranking.relevance < abstain_below
