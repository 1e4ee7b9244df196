"""Ranking and the three outcomes over a small real index (fake encoder, real BM25 and FAISS)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from embeddings.abstention import decide, should_abstain
from embeddings.index import build_index
from embeddings.ranking import (
    Ranking,
    fuse,
    lexical_evidence,
    lexical_weight,
    rank,
    rank_hybrid,
)
from embeddings.search import Searcher
from embeddings.types import Document
from tests.fakes import HashingEncoder, titled_searcher

DOCS = [
    Document(
        id="a",
        title="A",
        text="Nestor Shufrich was named by the Mejlis leader. The banner hung for a week.",
    ),
    Document(id="b", title="B", text="Cooking pasta takes ten minutes. Salt the water first."),
]


def test_fuse_adds_weighted_lexical_evidence_to_the_cosine() -> None:
    dense = np.array([0.5, 0.2], dtype=np.float32)
    lexical = np.array([0.0, 1.0], dtype=np.float32)
    assert np.allclose(fuse(dense, lexical, 1.0), [0.5, 1.2])
    assert np.allclose(fuse(dense, lexical, 0.0), dense)


def test_a_dense_answer_that_stands_out_silences_the_lexical_side() -> None:
    assert lexical_weight(0.0) == 1.0
    assert lexical_weight(0.06) == 1.0
    assert 0.0 < lexical_weight(0.07) < 1.0
    assert lexical_weight(0.085) == pytest.approx(0.0, abs=1e-6)
    assert lexical_weight(0.3) == 0.0


def test_a_rare_name_is_found_by_its_words() -> None:
    index = build_index(DOCS, HashingEncoder())
    evidence = lexical_evidence(index, "Who is Shufrich?")
    assert int(np.argmax(evidence)) == 0
    assert 0 < evidence[0] <= 2.0


def test_ranking_is_sorted_and_covers_both_retrievers() -> None:
    index = build_index(DOCS, HashingEncoder())
    matrix = index.vectors.reconstruct_n(0, index.vectors.ntotal)
    vector = HashingEncoder().encode(["How long did the banner hang?"])[0]
    ranking = rank(index, matrix, "How long did the banner hang?", vector)
    assert index.sentences[int(ranking.ids[0])].text == "The banner hung for a week."
    assert list(ranking.fused) == sorted(ranking.fused, reverse=True)
    assert sorted(ranking.ids.tolist()) == list(range(len(index.sentences)))
    # the score users see is a calibrated probability, and relevance is the first one's
    assert all(0.0 <= score <= 1.0 for score in ranking.fused)
    assert ranking.relevance == pytest.approx(float(ranking.fused[0]))


def test_the_old_hybrid_adds_gated_lexical_evidence_to_the_cosine() -> None:
    index = build_index(DOCS, HashingEncoder())
    matrix = index.vectors.reconstruct_n(0, index.vectors.ntotal)
    vector = HashingEncoder().encode(["How long did the banner hang?"])[0]
    ranking = rank_hybrid(index, matrix, "How long did the banner hang?", vector)
    assert index.sentences[int(ranking.ids[0])].text == "The banner hung for a week."
    assert np.allclose(ranking.fused, ranking.dense + ranking.lexical_weight * ranking.lexical)


def test_three_outcomes_from_the_best_candidates_relevance() -> None:
    ranking = Ranking(
        np.array([3, 1]),
        np.array([0.4, 0.2], dtype=np.float32),
        np.array([0.4, 0.2], dtype=np.float32),
        np.array([0.3, 0.0], dtype=np.float32),
    )
    assert ranking.relevance == pytest.approx(0.4)
    assert not should_abstain(ranking, 0.3)
    assert should_abstain(ranking, 0.5)
    assert decide(0.6, abstain_below=0.5, related_below=0.2) == "answered"
    assert decide(0.5, abstain_below=0.5, related_below=0.2) == "answered"
    assert decide(0.3, abstain_below=0.5, related_below=0.2) == "related"
    assert decide(0.1, abstain_below=0.5, related_below=0.2) == "declined"
    # a related threshold above the answered one leaves no related band
    assert decide(0.3, abstain_below=0.5, related_below=0.7) == "declined"
    nothing = np.array([], dtype=np.float32)
    empty = Ranking(np.array([], dtype=np.int64), nothing, nothing, nothing)
    assert should_abstain(empty, 0.1)


def test_the_searcher_declines_questions_the_corpus_cannot_answer() -> None:
    encoder = HashingEncoder()
    searcher = Searcher(build_index(DOCS, encoder), encoder, abstain_below=0.5)
    assert searcher.search("Who was named by the Mejlis leader?").abstained is False
    answer = searcher.search("What is the speed of light in vacuum?")
    assert answer.abstained is True
    assert answer.quotes  # candidates stay available to machines (--json), never as an answer


@pytest.mark.integration
def test_a_how_long_question_gets_the_sentence_with_the_duration_first(
    real_index_dir: Path,
) -> None:
    """ "for a week" has no digit; before durations counted as numbers, the sentence saying how
    long the banner hangs came second, after the one that describes the banner (issue 8)."""
    from embeddings.service import open_searcher
    from tests.conftest import CORPUS

    searcher = open_searcher(CORPUS, real_index_dir, "all-MiniLM-L6-v2")
    answer = searcher.search("How long will the banner stay up?")
    assert "for a week" in answer.quotes[0].text
    headline = searcher.search("How many political prisoners are held in Crimea?")
    assert "67 people" in headline.quotes[0].text


@pytest.mark.integration
@pytest.mark.parametrize(
    "question",
    [
        "Why are so many Crimean Tatars imprisoned?",
        "Why are Crimean Tatars most of the people detained?",
    ],
)
def test_a_why_question_shows_the_reason_that_follows_the_best_sentence(
    real_index_dir: Path, question: str
) -> None:
    """ "Why is that? Because the Crimean Tatars are resisting ..." answers the sentence before
    it and shares few of the question's words: it was the fourth quote (NU22-3, NU22B-3). It is
    now shown with the sentence it explains, as one quote."""
    from embeddings.service import open_searcher
    from tests.conftest import CORPUS

    searcher = open_searcher(CORPUS, real_index_dir, "all-MiniLM-L6-v2")
    first = searcher.search(question).quotes[0].text
    assert "Why is that? Because the Crimean Tatars are resisting" in first, first
    assert first.startswith("If Crimean Tatars make up 13%"), first


def test_a_reason_that_opens_the_next_sentence_is_shown_with_the_best_sentence() -> None:
    article = (
        "Dockers walked out of the port of Harwick on Monday. Why is that? Because the operator "
        "cut night pay by a fifth. Dockers at the port of Harwick load 900 ships a year. The "
        "port of Harwick is the largest port on the coast. Dockers walked out of the port once "
        "before, in 1998.\n"
    )
    searcher = titled_searcher(strike=("Strike", article))
    answer = searcher.search("Why did dockers walk out of the port of Harwick?", 3)
    first = answer.quotes[0].text
    assert first == (
        "Dockers walked out of the port of Harwick on Monday. Why is that? Because the operator "
        "cut night pay by a fifth."
    ), [quote.text for quote in answer.quotes]
    # Not for another kind of question: there the reason ranks where its words put it.
    plain = searcher.search("When did dockers walk out of the port of Harwick?", 3, join=False)
    assert not any("Because the operator" in quote.text for quote in plain.quotes)
