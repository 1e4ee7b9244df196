"""The search service: validation, ranking, de-duplication, context and passages."""

from __future__ import annotations

from pathlib import Path

import pytest

from embeddings.errors import QuestionError
from embeddings.index import build_index
from embeddings.search import MAX_QUESTION_CHARS, Searcher, validate_question
from embeddings.types import Document
from tests.corpus_copies import article, copy_corpus
from tests.fakes import HashingEncoder


def _searcher(*documents: Document) -> Searcher:
    encoder = HashingEncoder()
    return Searcher(build_index(documents, encoder), encoder)


@pytest.mark.parametrize("question", ["", "   ", "\n\t", "\u200b", "\x00", " \u00a0\u200b "])
def test_empty_questions_are_refused(question: str) -> None:
    with pytest.raises(QuestionError, match="empty"):
        validate_question(question)


def test_bytes_that_were_not_utf8_are_refused_not_sent_to_the_tokenizer() -> None:
    question = b"caf\xe9 in Crimea?".decode("utf-8", "surrogateescape")
    with pytest.raises(QuestionError, match="not valid UTF-8"):
        validate_question(question)


def test_overlong_questions_are_refused_with_the_limit() -> None:
    with pytest.raises(QuestionError, match=str(MAX_QUESTION_CHARS)):
        validate_question("why " * 300)
    assert validate_question("  x" * 333) == ("  x" * 333).strip()


def test_the_custody_sentence_comes_first_for_a_custody_question(
    fake_searcher: Searcher,
) -> None:
    answer = fake_searcher.search("how many people are in custody to date", top_k=3)
    assert answer.question == "how many people are in custody to date"
    assert "67 people are in custody" in answer.quotes[0].text
    assert len(answer.quotes) == 3
    assert [q.score for q in answer.quotes] == sorted(
        (q.score for q in answer.quotes), reverse=True
    )
    assert not answer.abstained


def test_quotes_are_verbatim_and_carry_their_neighbours(fake_searcher: Searcher) -> None:
    # A quote may be consecutive sentences (embeddings/quote_joining.py): still the article's
    # text between two offsets, paragraph breaks and all.
    quotes = fake_searcher.search("fined for an unauthorized rally", top_k=10).quotes
    assert any(quote.sentences > 1 for quote in quotes)
    for quote in quotes:
        text = quote.document.text
        assert quote.start is not None and text[quote.start : quote.end] == quote.text
        if quote.context_before is not None:
            assert text.index(quote.context_before) < text.index(quote.text)
        if quote.context_after is not None:
            assert text.index(quote.context_after) > text.index(quote.text)
    alone = fake_searcher.search("fined for an unauthorized rally", top_k=10, join=False).quotes
    assert len(alone) == 10 and all(quote.sentences == 1 for quote in alone)


def test_the_first_sentence_has_no_context_before() -> None:
    searcher = _searcher(Document(id="a", title="A", text="Alpha beta gamma. Delta epsilon."))
    quote = searcher.search("alpha beta gamma", top_k=1, join=False).quotes[0]
    assert quote.text == "Alpha beta gamma."
    assert quote.context_before is None
    assert quote.context_after == "Delta epsilon."


def test_a_sentence_shared_by_two_articles_is_shown_once_with_both_sources() -> None:
    shared = "The banner will hang for a week."
    searcher = _searcher(
        Document(id="a", title="First", text=f"{shared} Something else entirely."),
        Document(id="b", title="Second", text=f"Unrelated opening words. {shared}"),
        Document(id="c", title="Third", text="How long will the banner hang? Nobody knows."),
    )
    answer = searcher.search("how long will the banner hang", top_k=3)
    texts = [quote.text for quote in answer.quotes]
    assert texts.count(shared) == 1
    quote = answer.quotes[texts.index(shared)]
    assert {quote.document.id, *(d.id for d in quote.also_in)} == {"a", "b"}
    assert len(answer.quotes) == 3


def test_top_k_is_bounded(fake_searcher: Searcher) -> None:
    with pytest.raises(QuestionError):
        fake_searcher.search("custody", top_k=0)
    with pytest.raises(QuestionError):
        fake_searcher.search("custody", top_k=51)


def test_batch_search_answers_in_order(fake_searcher: Searcher) -> None:
    answers = fake_searcher.search_many(["custody", "banner in Kyiv"], top_k=1)
    assert [a.question for a in answers] == ["custody", "banner in Kyiv"]


def test_passage_returns_the_sentence_with_its_surroundings(fake_searcher: Searcher) -> None:
    document = fake_searcher.documents[1]
    passage = fake_searcher.passage(document.id, 3, radius=2)
    assert passage.document == document
    assert [s.position for s in passage.sentences] == [1, 2, 3, 4, 5]
    assert passage.focus == 3
    edge = fake_searcher.passage(document.id, 0, radius=2)
    assert [s.position for s in edge.sentences] == [0, 1, 2]


@pytest.mark.parametrize(("doc_id", "position"), [("nope", 0), (None, 0), ("", 1)])
def test_passage_rejects_unknown_documents(
    fake_searcher: Searcher, doc_id: str | None, position: int
) -> None:
    with pytest.raises(LookupError):
        fake_searcher.passage(str(doc_id), position)


def test_the_passage_of_a_joined_quote_surrounds_its_whole_run(fake_searcher: Searcher) -> None:
    document = fake_searcher.documents[1]
    passage = fake_searcher.passage(document.id, 3, radius=1, span=2)
    assert [s.position for s in passage.sentences] == [2, 3, 4, 5]
    assert (passage.focus, passage.span) == (3, 2)
    count = sum(1 for s in fake_searcher.index.sentences if s.doc == 1)
    for position, span in ((count - 1, 2), (0, 4), (0, 0)):  # past the end; forged spans
        with pytest.raises(LookupError):
            fake_searcher.passage(document.id, position, span=span)


def test_passage_rejects_positions_outside_the_document(fake_searcher: Searcher) -> None:
    first = fake_searcher.documents[0]
    count = sum(1 for s in fake_searcher.index.sentences if s.doc == 0)
    with pytest.raises(LookupError):
        fake_searcher.passage(first.id, count)
    with pytest.raises(LookupError):
        fake_searcher.passage(first.id, -1)


MIXED_CORPUS_QUESTIONS = [
    "Who is Umerov's lawyer?",
    "Who defends Umerov in court?",
    "How many political prisoners are held in Crimea?",
    "What was written on the banner?",
]


@pytest.mark.integration
@pytest.mark.parametrize(
    "festival",
    [
        article("Тест", "У суботу в Києві відбувся фестиваль.\n", language="uk"),
        article("Test", "A festival took place in Kyiv on Saturday.\n", language="uk"),
    ],
    ids=["ukrainian", "english-tagged-uk"],
)
def test_an_article_in_another_language_does_not_change_english_answers(
    real_index_dir: Path, tmp_path: Path, festival: str
) -> None:
    """Adding one Ukrainian-tagged article to the English ones once turned "Who is Umerov's
    lawyer?" from Polozov, answered, into the prosecution's sentence (issue 8, F1)."""
    from embeddings.service import open_searcher
    from tests.conftest import CORPUS

    corpus = copy_corpus(tmp_path / "corpus", {"festival.md": festival})
    english = open_searcher(CORPUS, real_index_dir, "all-MiniLM-L6-v2")
    mixed = open_searcher(corpus, tmp_path / "index", "all-MiniLM-L6-v2")
    for alone, beside in zip(
        english.search_many(MIXED_CORPUS_QUESTIONS),
        mixed.search_many(MIXED_CORPUS_QUESTIONS),
        strict=True,
    ):
        assert beside.quotes[0].text == alone.quotes[0].text, alone.question
        assert beside.outcome == alone.outcome, alone.question
        assert beside.relevance == pytest.approx(alone.relevance, abs=0.05), alone.question
    assert "Polozov" in mixed.search("Who is Umerov's lawyer?").quotes[0].text
