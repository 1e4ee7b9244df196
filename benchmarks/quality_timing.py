"""What judging answerability adds to a warm query, on SQuAD dev (about 10,000 sentences).

    python benchmarks/quality_timing.py [--questions N]

Times ``Searcher.rank`` (candidates of both retrievers, ranking features, the answerability
features and model: everything of a warm query but encoding the question) and ``ranking.judge``
alone, over every 10th SQuAD question, with vectors from the on-disk cache
(vector_cache.py). A measurement, not a test; benchmarks/bench.py measures whole queries.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

from quality_sets import load  # noqa: E402
from vector_cache import VectorCache  # noqa: E402

from embeddings.ranking import candidate_pool, judge, linear_scores  # noqa: E402
from embeddings.search import Searcher  # noqa: E402


class _Dimension:
    dimension = 384

    def encode(self, texts: Sequence[str]) -> np.ndarray:  # pragma: no cover - not called
        raise NotImplementedError


def _ms(values: list[float], q: float) -> str:
    return f"{float(np.percentile(values, q)) * 1000:.2f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=1000)
    args = parser.parse_args()
    evalset = load(["squad"], VectorCache())["squad"]
    searcher = Searcher(evalset.index, _Dimension(), multilingual=False)
    chosen = list(range(0, len(evalset.cases), 10))[: args.questions]
    for n in chosen[:20]:  # warm up
        searcher.rank(evalset.cases[n].question, evalset.questions[n])
    ranked, judged = [], []
    matrix = evalset.index.vectors.matrix
    traits = searcher._traits
    for n in chosen:
        question, vector = evalset.cases[n].question, evalset.questions[n]
        started = time.perf_counter()
        searcher.rank(question, vector)
        ranked.append(time.perf_counter() - started)
        pool = candidate_pool(evalset.index, matrix, question, vector, traits=traits)
        linear, x = linear_scores(question, pool, traits)
        started = time.perf_counter()
        judge(evalset.index, question, pool, x, linear, traits)
        judged.append(time.perf_counter() - started)
    print(f"{len(evalset.index.sentences)} sentences, {len(chosen)} questions")
    print(f"rank, everything but encoding: p50 {_ms(ranked, 50)}, p99 {_ms(ranked, 99)}")
    print(f"answerability (judge) alone:   p50 {_ms(judged, 50)}, p99 {_ms(judged, 99)}")
    print(f"(median {statistics.median(judged) / statistics.median(ranked):.0%} of rank)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
