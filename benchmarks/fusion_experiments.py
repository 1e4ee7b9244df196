"""Reproduce the retrieval experiments of docs/evaluation.md on SQuAD and the regression set.

    python benchmarks/fusion_experiments.py [--squad PATH] [--cache DIR]

Encodes the SQuAD dev sentences and questions once (cached as .npy in --cache), then scores
every variant with the same gold sentences as ``quotebot eval squad``: dense alone, BM25 alone
(Lucene's and Anserini's parameters), with and without the neighbour window, reciprocal-rank
fusion, and the confidence-weighted fusion quotebot uses at several weights. Each variant is
also run on the default corpus's regression set, whose questions are phrased in other words
than the articles, so that SQuAD's word overlap cannot pick the weights alone.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from embeddings.evaluation import GoldSentences, load_cases  # noqa: E402
from embeddings.index import SentenceIndex, split_documents, window_texts  # noqa: E402
from embeddings.lexical import build_lexical_index  # noqa: E402
from embeddings.model import SentenceTransformerEncoder, resolve_model  # noqa: E402
from embeddings.ranking import lexical_weight  # noqa: E402
from embeddings.squad import load_squad  # noqa: E402
from embeddings.types import Document  # noqa: E402

Matrix = npt.NDArray[np.float32]
Variant = Callable[[Matrix, Matrix, Matrix], Matrix]  # dense, lexical share, window share


def lexical_matrices(
    texts: list[str], windows: list[str], questions: list[str], k1: float, b: float
) -> tuple[Matrix, Matrix, Matrix]:
    sentence = build_lexical_index(texts, k1=k1, b=b)
    window = build_lexical_index(windows, k1=k1, b=b)
    raw = np.stack([sentence.scores(q) for q in questions])
    share = raw / np.array([[max(sentence.ceiling(q), 1e-6)] for q in questions])
    window_share = np.stack([window.scores(q) / max(window.ceiling(q), 1e-6) for q in questions])
    return raw.astype(np.float32), share.astype(np.float32), window_share.astype(np.float32)


def rrf(*matrices: Matrix, k: int = 60) -> Matrix:
    total = np.zeros_like(matrices[0])
    for matrix in matrices:
        ranks = np.argsort(np.argsort(-matrix, axis=1), axis=1) + 1
        total += 1.0 / (k + ranks)
    return total


def squad_metrics(scores: Matrix, gold: list[list[int]]) -> tuple[float, float, float, float]:
    ranks = np.array(
        [(row > row[g].max()).sum() + 1 for row, g in zip(scores, gold, strict=True)], float
    )
    mrr = float(np.mean(np.where(ranks <= 100, 1.0 / ranks, 0.0)))
    return float(np.mean(ranks == 1)), mrr, float(np.mean(ranks <= 5)), float(np.mean(ranks <= 10))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--squad", type=Path, default=REPO.parent / "shared/eval/squad-dev-v1.1.json"
    )
    parser.add_argument("--cache", type=Path, default=Path("/tmp/quotebot-experiments"))
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    squad = load_squad(args.squad)
    sentences = split_documents(squad.documents)
    texts = [s.text for s in sentences]
    questions = [q.question for q in squad.questions]
    encoder = SentenceTransformerEncoder(resolve_model("all-MiniLM-L6-v2"))
    vectors = {}
    for name, items in (("sentences", texts), ("questions", questions)):
        path = args.cache / f"{name}-{len(items)}.npy"
        if not path.exists():
            np.save(path, encoder.encode(items))
        vectors[name] = np.load(path)
    dense = (vectors["questions"] @ vectors["sentences"].T).astype(np.float32)
    from embeddings.index import vectors_index

    lexical = build_lexical_index(texts)
    index = SentenceIndex(
        squad.documents, sentences, vectors_index(vectors["sentences"]), lexical, lexical
    )
    find_gold = GoldSentences(index)
    gold = [sorted(find_gold(q.document, q.answer_starts)) for q in squad.questions]
    windows = window_texts(sentences, squad.documents)

    # The regression set of the default corpus, scored the same way.
    from embeddings.corpus import read_corpus

    documents: list[Document] = read_corpus(REPO / "corpus")
    own_sentences = split_documents(documents)
    cases = load_cases(REPO / "tests/data/default-corpus-questions.jsonl")
    answerable = [c for c in cases if not c.abstain]
    own_texts = [s.text for s in own_sentences]
    own_dense = encoder.encode([c.question for c in answerable]) @ encoder.encode(own_texts).T

    def regression(variant: Variant, k1: float, b: float) -> str:
        _, share, window = lexical_matrices(
            own_texts,
            window_texts(own_sentences, documents),
            [c.question for c in answerable],
            k1,
            b,
        )
        scores = variant(own_dense.astype(np.float32), share, window)
        passed = 0
        for case, row in zip(answerable, scores, strict=True):
            seen: list[str] = []
            for n in np.argsort(-row):
                if own_texts[n] not in seen:
                    seen.append(own_texts[n])
                if len(seen) == case.top:
                    break
            passed += any(e in text for text in seen for e in case.expect)
        return f"{passed}/{len(answerable)}"

    def weighted(weight: float, window_weight: float) -> Variant:
        def variant(d: Matrix, s: Matrix, w: Matrix) -> Matrix:
            return (d + weight * (s + window_weight * w)).astype(np.float32)

        return variant

    def gated(d: Matrix, s: Matrix, w: Matrix) -> Matrix:
        """quotebot's fusion: the lexical weight falls as the dense margin grows."""
        top = -np.sort(-d, axis=1)[:, :2]
        weights = np.array([lexical_weight(float(m)) for m in top[:, 0] - top[:, 1]])
        return (d + weights[:, None] * (s + w)).astype(np.float32)

    def dense_only(d: Matrix, s: Matrix, w: Matrix) -> Matrix:
        return d

    def lexical_only(d: Matrix, s: Matrix, w: Matrix) -> Matrix:
        return s

    variants: list[tuple[str, float, float, Variant, Callable[[Matrix, Matrix], Matrix]]] = [
        ("dense (all-MiniLM-L6-v2)", 1.2, 0.75, dense_only, lambda raw, d: d),
        ("BM25 k1=1.2 b=0.75 (Lucene)", 1.2, 0.75, lexical_only, lambda raw, d: raw),
        ("BM25 k1=0.9 b=0.4 (Anserini)", 0.9, 0.4, lexical_only, lambda raw, d: raw),
        ("BM25 k1=0.7 b=0.3", 0.7, 0.3, lexical_only, lambda raw, d: raw),
        ("RRF(dense, BM25 0.7/0.3)", 0.7, 0.3, dense_only, lambda raw, d: rrf(d, raw)),
    ]
    for weight in (0.2, 0.5, 1.0):
        for window_weight, label in ((0.0, "sentence"), (1.0, "sentence + window")):
            name = f"dense + {weight} x BM25 share ({label})"
            variants.append((name, 0.7, 0.3, weighted(weight, window_weight), lambda r, d: d))
    variants.append(
        (
            "dense + margin-gated BM25 share (sentence + window): quotebot",
            0.7,
            0.3,
            gated,
            lambda r, d: d,
        )
    )
    print("| system | P@1 | MRR | R@5 | R@10 | regression set (expected quote in top) |")
    print("|---|---|---|---|---|---|")
    cache: dict[tuple[float, float], tuple[Matrix, Matrix, Matrix]] = {}
    for name, k1, b, variant, squad_scores in variants:
        if (k1, b) not in cache:
            cache[(k1, b)] = lexical_matrices(texts, windows, questions, k1, b)
        raw, share, window = cache[(k1, b)]
        if name.startswith(("RRF", "BM25", "dense (")):
            scores = squad_scores(raw, dense)
        else:
            scores = variant(dense, share, window)
        p1, mrr, r5, r10 = squad_metrics(scores, gold)
        own = regression(variant, k1, b) if not name.startswith("RRF") else "-"
        print(f"| {name} | {p1:.3f} | {mrr:.3f} | {r5:.3f} | {r10:.3f} | {own} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
