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
# About twice the relevance of the highest far-off-topic question seen: 0.027 ("What is a good
# recipe for banana bread?"), of the 46 in the reader sets and the regression set. Every such
# question is declined with a margin, and a question the corpus does answer in other words than
# its own, which the refitted answerability model (ninth round) scores at 0.05-0.1 more often
# than its predecessor did, shows its closest passages as "related" rather than nothing. Tenth
# round; 0.1 before (docs/evaluation.md, "Declined or related").
DEFAULT_RELATED_BELOW = 0.05


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
