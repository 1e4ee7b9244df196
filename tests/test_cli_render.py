"""Plain-text and JSON rendering for the command line: pure functions over an Answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli.render import (
    ABSTAIN,
    FRAME,
    RELATED,
    answer_record,
    citation,
    render_error_json,
    render_json,
    render_text,
    shown_relevance,
)
from embeddings.search import Searcher
from embeddings.types import Answer, Document, Quote

FULL = Document(
    id="full",
    title="Budget approved",
    text="...",
    source="Example Daily",
    date="2024-12-18",
    url="https://example.org/budget",
)
BARE = Document(id="bare", title="Notes", text="...")


def _quote(text: str, document: Document = FULL, **kw: object) -> Quote:
    return Quote(text=text, score=0.712345, document=document, position=4, **kw)  # type: ignore[arg-type]


def test_a_citation_gives_only_what_the_article_gives() -> None:
    assert (
        citation(FULL) == "Budget approved, Example Daily, 2024-12-18 <https://example.org/budget>"
    )
    assert citation(BARE) == "Notes"
    signed = Document("s", "Ferry returns", "...", "Courier", "2024-03-14", author="O. Marsh")
    assert citation(signed) == "Ferry returns, Courier, O. Marsh, 2024-03-14"


def test_quotes_are_framed_and_numbered_with_citation_and_relevance() -> None:
    text = render_text(
        Answer("q", (_quote("The council approved it."), _quote("“Yes,” he said.", BARE)))
    )
    lines = text.splitlines()
    assert lines[0] == FRAME
    assert "1. “The council approved it.”" in lines
    assert "2. “Yes,” he said." in lines  # its own opening quote mark: no second pair added
    assert (
        "   — “Budget approved”, Example Daily, 2024-12-18 <https://example.org/budget> "
        "(relevance 0.71)" in lines
    )
    assert "   — “Notes” (relevance 0.71)" in lines


def test_quote_marks_read_as_balanced_while_json_keeps_the_exact_text() -> None:
    answer = Answer("q", (_quote("“To date, 67 people are in custody."),))
    assert "1. “To date, 67 people are in custody.”" in render_text(answer).splitlines()
    record = json.loads(render_json(answer))
    assert record["quotes"][0]["text"] == "“To date, 67 people are in custody."


def test_the_speaker_is_named_in_the_citation_and_the_json() -> None:
    said = _quote("We will not give up.", speaker="Mustafa Dzhemilev")
    text = render_text(Answer("q", (said,)))
    assert (
        "   — Mustafa Dzhemilev, in “Budget approved”, Example Daily, 2024-12-18 "
        "<https://example.org/budget> (relevance 0.71)" in text.splitlines()
    )
    record = json.loads(render_json(Answer("q", (said, _quote("Unsaid.")))))
    assert [q["speaker"] for q in record["quotes"]] == ["Mustafa Dzhemilev", None]


def test_the_articles_account_of_what_someone_said_is_marked_as_reported_speech() -> None:
    # NU21-1: cited as "— Refat Chubarov" the journalist's sentence read as his own words.
    told = _quote(
        "Refat Chubarov also expressed his indignation at some MPs.",
        speaker="Refat Chubarov",
        reported_speech=True,
    )
    lines = render_text(Answer("q", (told,))).splitlines()
    assert (
        "   — Refat Chubarov (reported speech), in “Budget approved”, Example Daily, 2024-12-18 "
        "<https://example.org/budget> (relevance 0.71)" in lines
    )
    said = _quote("We stay.", speaker="Refat Chubarov")
    record = json.loads(render_json(Answer("q", (told, said, _quote("Unsaid.")))))
    assert [(q["speaker"], q["reported_speech"]) for q in record["quotes"]] == [
        ("Refat Chubarov", True),
        ("Refat Chubarov", False),
        (None, False),
    ]


def test_a_title_that_begins_with_a_name_does_not_read_as_the_speaker() -> None:
    named = Document("d", "Mustafa Dzhemilev: 67 people held in custody", "...", "QHA")
    unsaid = _quote("Occupiers keep 67 people.", named)
    said = _quote("We stay.", named, speaker="Refat Chubarov")
    lines = render_text(Answer("q", (unsaid, said))).splitlines()
    assert "   — “Mustafa Dzhemilev: 67 people held in custody”, QHA (relevance 0.71)" in lines
    assert (
        "   — Refat Chubarov, in “Mustafa Dzhemilev: 67 people held in custody”, QHA "
        "(relevance 0.71)" in lines
    )


def test_a_sentence_found_in_several_articles_lists_every_source() -> None:
    text = render_text(Answer("q", (_quote("Shared sentence.", also_in=(BARE,)),)))
    assert "   — also in: Notes (relevance 0.71)" in text.splitlines()


def test_a_declined_question_shows_no_quotes() -> None:
    answer = Answer("q", (_quote("Unrelated."),), outcome="declined", relevance=0.2)
    assert render_text(answer) == ABSTAIN
    assert render_text(Answer("q")) == ABSTAIN


def test_a_related_answer_says_it_is_not_an_answer_then_shows_the_closest_passages() -> None:
    answer = Answer("q", (_quote("Near the subject."),), outcome="related", relevance=0.2)
    lines = render_text(answer).splitlines()
    assert lines[0] == RELATED and "do not answer" in RELATED and "not an answer" in RELATED
    assert FRAME not in lines
    assert "1. “Near the subject.”" in lines


def test_an_unsupported_language_gets_the_reply_in_its_language_and_no_quotes() -> None:
    english = Document("e", "T", "...", language="en")
    answer = Answer("Хто захищає Умерова?", outcome="unsupported-language", language="uk")
    text = render_text(answer, [english])
    assert text.startswith("Статті написані англійською") and "“" not in text
    record = json.loads(render_json(answer))
    assert (record["outcome"], record["language"], record["abstained"]) == (
        "unsupported-language",
        "uk",
        True,
    )
    assert record["quotes"] == []
    assert record["message"] == text
    mixed = [english, Document("u", "У", "...", language="uk")]
    assert json.loads(render_json(answer, mixed))["message"] == render_text(answer, mixed)
    assert "message" not in json.loads(render_json(Answer("q", outcome="declined")))
    russian = render_text(Answer("Кто?", outcome="unsupported-language", language="ru"))
    assert russian.startswith("Статьи написаны")


def test_an_error_record_names_the_question_and_its_line() -> None:
    assert json.loads(render_error_json("q", "too long", 3)) == {
        "question": "q",
        "error": "too long",
        "line": 3,
    }


def test_the_json_record_follows_the_contract() -> None:
    answer = Answer(
        "q?",
        (_quote("It passed.", context_before="Before.", context_after=None, also_in=(BARE,)),),
        relevance=0.9,
    )
    record = json.loads(render_json(answer))
    assert record == answer_record(answer)
    assert record["question"] == "q?" and record["abstained"] is False
    assert record["outcome"] == "answered" and record["language"] is None
    quote = record["quotes"][0]
    assert quote["text"] == "It passed."
    assert quote["score"] == 0.712345 and quote["sentence"] == 4
    assert (quote["context_before"], quote["context_after"]) == ("Before.", None)
    assert quote["document"] == {
        "id": "full",
        "title": "Budget approved",
        "source": "Example Daily",
        "author": None,
        "date": "2024-12-18",
        "url": "https://example.org/budget",
    }
    assert quote["url_to_quote"] == "https://example.org/budget#:~:text=It%20passed."
    assert quote["also_in"][0]["id"] == "bare"


def test_a_ukrainian_or_russian_answer_is_framed_in_its_language_with_verbatim_quotes() -> None:
    """With a multilingual model a Ukrainian question is answered: the frame is Ukrainian, the
    quote and its citation are the article's own (issue 8, F11)."""
    quote = _quote("The council approved it.")
    answered = render_text(Answer("Що ухвалили?", (quote,), language="uk"))
    assert answered.startswith("Ось що кажуть джерела:\n\n1. “The council approved it.”")
    english = render_text(Answer("What was approved?", (quote,)))
    assert answered.split("\n\n", 1)[1] == english.split("\n\n", 1)[1]
    related = render_text(Answer("Что?", (quote,), outcome="related", language="ru"))
    assert related.startswith("Источники говорят об этой теме, но не отвечают на вопрос.")
    assert render_text(Answer("Що?", outcome="declined", language="uk")) == (
        "Джерела не відповідають на це запитання."
    )
    german = render_text(Answer("Was?", (quote,), language="de"))
    assert german.startswith(FRAME)


def test_json_offsets_find_every_quote_in_its_article_file(fake_searcher: Searcher) -> None:
    from embeddings.corpus import decode_article

    question = "Which journalists help the children of political prisoners?"
    for quote in fake_searcher.search(question, 10).quotes:
        record = answer_record(Answer(question, (quote,)))["quotes"][0]
        path = Path(quote.document.path)
        file_text = decode_article(path, path.read_bytes())
        assert file_text[record["start"] : record["end"]] == record["text"]


def test_a_quote_without_offsets_has_null_ones_in_the_json() -> None:
    record = answer_record(Answer("q", (_quote("It passed."),)))["quotes"][0]
    assert (record["start"], record["end"]) == (None, None)


@pytest.mark.parametrize(
    ("score", "shown"),
    [(0.2996, "0.29"), (0.3, "0.30"), (0.29, "0.29"), (1.0, "1.00"), (0.0, "0.00")],
)
def test_a_relevance_just_below_the_answered_line_never_reads_as_on_it(
    score: float, shown: str
) -> None:
    """NU23-13: 0.2996 ("related") was printed 0.30, the default "answered" line."""
    assert shown_relevance(score) == shown
