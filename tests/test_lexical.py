"""BM25 in numpy, checked against a direct implementation of the formula."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import numpy as np

from embeddings.lexical import K1, B, build_lexical_index, tokenize

TEXTS = [
    "Occupiers in the Crimea illegally keep in custody 67 people.",
    "They were arrested for not agreeing with the occupation.",
    "Political prisoners are supported by a campaign called Crimean Marathon.",
    "The prisoner was held in custody for a week.",
]


def _reference(texts: list[str], query: str) -> list[float]:
    docs = [Counter(tokenize(t)) for t in texts]
    lengths = [sum(d.values()) for d in docs]
    average = sum(lengths) / len(lengths)
    scores = []
    for doc, length in zip(docs, lengths, strict=True):
        score = 0.0
        for term in set(tokenize(query)):
            df = sum(term in d for d in docs)
            if df == 0 or term not in doc:
                continue
            idf = math.log(1 + (len(docs) - df + 0.5) / (df + 0.5))
            tf = doc[term]
            score += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average))
        scores.append(score)
    return scores


def test_tokenize_drops_stop_words_and_stems() -> None:
    assert tokenize("How many prisoners are held in custody?") == ["prison", "held", "custodi"]
    assert tokenize("Prisoner’s") == tokenize("prisoner's")


def test_scores_match_the_bm25_formula() -> None:
    index = build_lexical_index(TEXTS)
    for query in ["prisoners in custody", "Crimean Marathon campaign", "occupation", "zebra"]:
        assert np.allclose(index.scores(query), _reference(TEXTS, query), atol=1e-5)


def test_stemming_matches_word_forms() -> None:
    index = build_lexical_index(TEXTS)
    scores = index.scores("imprisoned prisoner")
    assert scores[2] > 0 and scores[3] > 0 and scores[0] == 0


def test_the_ceiling_bounds_every_score_and_counts_unknown_words() -> None:
    index = build_lexical_index(TEXTS)
    for query in ["prisoners held in custody", "custody", "Crimean Marathon"]:
        assert index.scores(query).max() < index.ceiling(query)
    assert index.ceiling("custody zebra") > index.ceiling("custody")
    assert index.ceiling("the and of") == 0.0


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    index = build_lexical_index(TEXTS)
    index.save(tmp_path / "lexical.npz")
    loaded = type(index).load(tmp_path / "lexical.npz")
    assert loaded.vocabulary == index.vocabulary
    assert np.array_equal(loaded.scores("prisoners custody"), index.scores("prisoners custody"))
    assert loaded.ceiling("prisoners") == index.ceiling("prisoners")
