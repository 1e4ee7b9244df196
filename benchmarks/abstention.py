"""Abstention on both sides: reader questions about the default corpus must be answered,
SQuAD questions asked against it (a large off-topic set) must be declined.

    python benchmarks/abstention.py [--squad PATH] [--limit N]

Prints, for a sweep of thresholds, the share of in-domain questions answered and of
off-topic questions declined, and the threshold in use. Not a test: it takes minutes.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from embeddings.abstention import DEFAULT_ABSTAIN_BELOW  # noqa: E402
from embeddings.evaluation import load_cases  # noqa: E402
from embeddings.search import Searcher  # noqa: E402
from embeddings.service import open_searcher  # noqa: E402
from embeddings.squad import load_squad  # noqa: E402


def best_scores(searcher: Searcher, questions: list[str], chunk: int = 64) -> list[float]:
    scores: list[float] = []
    for start in range(0, len(questions), chunk):
        for answer in searcher.search_many(questions[start : start + chunk], top_k=1):
            scores.append(answer.relevance)
    return scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--squad", type=Path, default=REPO.parent / "shared/eval/squad-dev-v1.1.json"
    )
    parser.add_argument("--limit", type=int, default=None, help="SQuAD questions to use")
    parser.add_argument(
        "--questions", type=Path, default=REPO / "tests/data/default-corpus-questions.jsonl"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        os.environ.setdefault("QUOTEBOT_DATA_DIR", scratch)
        searcher = open_searcher(REPO / "corpus", Path(scratch) / "index", "all-MiniLM-L6-v2")
        cases = load_cases(args.questions)
        in_domain = best_scores(searcher, [c.question for c in cases if not c.abstain])
        off_topic_own = best_scores(searcher, [c.question for c in cases if c.abstain])
        squad = load_squad(args.squad, limit=args.limit)
        started = time.perf_counter()
        off_topic = best_scores(searcher, [q.question for q in squad.questions])
        seconds = time.perf_counter() - started
    print(
        f"in-domain questions: {len(in_domain)}; off-topic: {len(off_topic_own)} written, "
        f"{len(off_topic)} SQuAD ({len(off_topic) / seconds:.0f} questions/s)"
    )
    print()
    print("| threshold | in-domain answered | off-topic declined (ours) | SQuAD declined |")
    print("|---|---|---|---|")
    thresholds = sorted({0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, DEFAULT_ABSTAIN_BELOW})
    for threshold in thresholds:
        answered = sum(s >= threshold for s in in_domain) / len(in_domain)
        declined_own = sum(s < threshold for s in off_topic_own) / len(off_topic_own)
        declined = sum(s < threshold for s in off_topic) / len(off_topic)
        mark = " (default)" if threshold == DEFAULT_ABSTAIN_BELOW else ""
        print(f"| {threshold:.2f}{mark} | {answered:.1%} | {declined_own:.1%} | {declined:.1%} |")
    worst = sorted(off_topic, reverse=True)[:5]
    print()
    print("highest off-topic SQuAD scores:", ", ".join(f"{s:.2f}" for s in worst))
    print("lowest in-domain scores:", ", ".join(f"{s:.2f}" for s in sorted(in_domain)[:5]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
