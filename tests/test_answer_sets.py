"""The answer-sentence evaluation format: files, the scorer, and the SQuAD/SelQA converters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from embeddings.answer_sets import (
    AnswerCase,
    AnswerSetError,
    evaluate_answer_set,
    first_right_rank,
    is_right,
    load_answer_set,
    score_answers,
    scored_text,
    selqa_answer_set,
    squad_answer_set,
    unfound_answers,
    write_answer_set,
)
from embeddings.corpus import read_corpus
from embeddings.index import build_index
from embeddings.search import Searcher
from embeddings.squad import load_squad
from embeddings.types import Document, Quote
from tests.conftest import REPO
from tests.fakes import HashingEncoder

DATA = REPO / "tests" / "data"


def _write(path: Path, *items: object) -> Path:
    path.write_text("\n".join(json.dumps(item) for item in items) + "\n", encoding="utf-8")
    return path


def test_a_file_round_trips_with_answerable_and_unanswerable_questions(tmp_path: Path) -> None:
    cases = [
        AnswerCase("Who is Umerov's lawyer?", ("Nikolai Polozov",)),
        AnswerCase("Who is the president of Ukraine?", tag="near"),
    ]
    write_answer_set(cases, tmp_path / "set.jsonl")
    assert load_answer_set(tmp_path / "set.jsonl") == cases
    assert [c.answerable for c in cases] == [True, False]


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"question": "Q?"}, '"answers" or "answerable": false'),
        ({"question": "Q?", "answers": ["a"], "answerable": False}, "either"),
        ({"question": "Q?", "answers": "a"}, "list of non-empty strings"),
        (
            {"question": "Q?", "answers": ["a"], "expect": ["a"]},
            r"unknown key 'expect' \(a regression set: use `quotebot eval questions FILE`\)",
        ),
        ({"question": "  ", "answerable": False}, "empty"),
        ({"question": "Q" * 1001, "answerable": False}, "1001 characters long; the limit is 1000"),
    ],
)
def test_a_bad_line_is_named_with_what_is_wrong(
    tmp_path: Path, item: dict[str, object], message: str
) -> None:
    path = _write(tmp_path / "bad.jsonl", {"question": "Fine?", "answerable": False}, item)
    with pytest.raises(AnswerSetError, match=message) as error:
        load_answer_set(path)
    assert ":2:" in str(error.value)


def test_a_file_written_by_a_windows_editor_with_a_byte_order_mark_is_read(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bom.jsonl"
    lines = [
        '{"question": "Who?", "answers": ["Polozov"]}',
        '{"question": "Why?", "answerable": false}',
    ]
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n")
    cases = load_answer_set(path)
    assert [c.question for c in cases] == ["Who?", "Why?"]
    assert cases[0].where == f"{path}:1"


def test_a_quote_is_right_when_it_holds_an_answer_or_half_a_cut_gold_sentence() -> None:
    gold = "The museum opened in 1965. It houses the scrolls."
    assert is_right("We know: The museum opened in 1965. It houses the scrolls. Yes.", [gold])
    assert is_right("The museum opened in 1965. It houses the scrolls", [gold])
    assert not is_right("It houses", [gold])  # a fragment is not the answer
    assert first_right_rank(["no", "still no", "67 people here"], ["67 people"]) == 3
    assert first_right_rank(["no"], ["67 people"]) is None


def test_the_scorer_separates_answerable_and_unanswerable_questions() -> None:
    cases = [
        AnswerCase("a?", ("A",)),
        AnswerCase("b?", ("B",)),
        AnswerCase("c?", tag="near"),
        AnswerCase("d?", tag="far"),
    ]
    quotes = [["A1", "x"], ["x", "B2"], ["x"], ["y"]]
    report = score_answers(cases, quotes, ["answered", "related", "answered", "declined"])
    assert (report.answerable, report.unanswerable) == (2, 2)
    assert report.p_at_1 == pytest.approx(0.5)
    assert report.mrr == pytest.approx(0.75)
    assert report.r_at_10 == 1.0
    assert report.outcomes_answerable == {"answered": 0.5, "related": 0.5, "declined": 0.0}
    assert report.outcomes_unanswerable == {"answered": 0.5, "related": 0.0, "declined": 0.5}
    assert report.answered_right == pytest.approx(0.5)
    assert report.by_tag["near"]["answered"] == 1.0


def test_the_report_says_how_each_question_fared_and_which_to_look_at() -> None:
    cases = [
        AnswerCase("right?", ("A",)),
        AnswerCase("second?", ("B",)),
        AnswerCase("unanswered?", ("C",)),
        AnswerCase("declined well?", tag="far"),
        AnswerCase("answered wrongly?", tag="near"),
    ]
    quotes = [["A1", "x"], ["x", "B2"], ["C!"], [], ["y"]]
    outcomes = ["answered", "answered", "related", "declined", "answered"]
    report = score_answers(cases, quotes, outcomes, [0.9, 0.8, 0.2, 0.01, 0.4])
    assert [(c.question, c.rank, c.outcome) for c in report.cases] == [
        ("right?", 1, "answered"),
        ("second?", 2, "answered"),
        ("unanswered?", 1, "related"),
        ("declined well?", None, "declined"),
        ("answered wrongly?", None, "answered"),
    ]
    assert report.cases[1].first_quote == "x" and report.cases[3].first_quote is None
    assert report.cases[4].tag == "near" and report.cases[4].relevance == 0.4
    assert [c.question for c in report.misses] == [
        "second?",
        "unanswered?",
        "answered wrongly?",
    ]


def test_a_question_whose_answers_are_in_no_article_is_named_by_its_line(
    tmp_path: Path,
) -> None:
    path = _write(
        tmp_path / "set.jsonl",
        {"question": "How many ships?", "answers": ["twelve more ships"]},
        {"question": "A typo?", "answers": ["twelve more shipz", "thirteen"]},
        {"question": "Unanswerable?", "answerable": False},
    )
    articles = ["The harbour expects twelve more ships.", "Nothing else."]
    unfound = unfound_answers(load_answer_set(path), articles)
    assert [case.where for case in unfound] == [f"{path}:2"]
    # An answer is looked for in one article at a time, not across the end of one and the next.
    assert unfound_answers([AnswerCase("Q?", ("ships. Nothing",))], articles) != []


def test_squad_questions_become_their_gold_sentences() -> None:
    squad = load_squad(DATA / "squad-mini.json")
    cases = squad_answer_set(squad)
    assert len(cases) == len(squad.questions)
    for case, question in zip(cases, squad.questions, strict=True):
        assert any(answer in " ".join(case.answers) for answer in question.answers)
        text = squad.documents[question.document].text
        assert all(gold in text for gold in case.answers)


def test_selqa_becomes_one_open_pool_with_one_document_per_section(tmp_path: Path) -> None:
    item = {
        "article": "Israel",
        "section": "Museums",
        "question": "Where is the Rockefeller Museum?",
        "candidates": ["The Israel Museum is big.", "The Rockefeller Museum is in Jerusalem."],
        "answers": [1],
        "topic": "COUNTRY",
    }
    other = {**item, "section": "Food", "question": "What is eaten?", "answers": [0]}
    other["candidates"] = ["Hummus is eaten.", "Falafel too."]
    path = tmp_path / "selqa.json"
    path.write_text(json.dumps([item, other]), encoding="utf-8")
    documents, cases = selqa_answer_set(path)
    assert [d.title for d in documents] == ["Israel: Museums", "Israel: Food"]
    assert cases[0].answers == ("The Rockefeller Museum is in Jerusalem.",)
    index = build_index(documents, HashingEncoder())
    assert [s.text for s in index.sentences][:2] == item["candidates"]


def test_the_shipped_reader_sets_are_valid_and_their_answers_are_in_the_corpus() -> None:
    corpus = " ".join(d.text for d in read_corpus(REPO / "corpus"))
    for name in ("reader-tune", "reader-holdout"):
        cases = load_answer_set(DATA / f"{name}.jsonl")
        answerable = [c for c in cases if c.answerable]
        assert all(any(a in corpus for a in c.answers) for c in answerable), name
    every = load_answer_set(DATA / "reader-tune.jsonl") + load_answer_set(
        DATA / "reader-holdout.jsonl"
    )
    assert sum(c.answerable for c in every) >= 60
    assert sum(c.tag == "near" for c in every) >= 20


def test_a_searcher_is_scored_end_to_end() -> None:
    documents = read_corpus(REPO / "corpus")
    encoder = HashingEncoder()
    searcher = Searcher(build_index(documents, encoder), encoder, multilingual=False)
    cases = [AnswerCase("Who is Umerov's lawyer?", ("Nikolai Polozov",))]
    report = evaluate_answer_set(searcher, cases)
    assert report.answerable == 1
    assert 0.0 <= report.mrr <= 1.0


def test_who_said_is_answered_by_the_speaker_the_citation_names() -> None:
    # "Who said ...?" gets the quote; the answer is the name its citation shows.
    case = AnswerCase("Who said their crime is disagreeing?", ("Mustafa Dzhemilev",))
    article = Document(id="a", title="A", text="unused")
    said = Quote(
        "Their crime is that they disagree.", 0.9, article, 3, speaker="Mustafa Dzhemilev"
    )
    unattributed = Quote("Their crime is that they disagree.", 0.9, article, 3)
    question = case.question
    assert score_answers([case], [[scored_text(said, question)]], ["answered"]).p_at_1 == 1.0
    assert score_answers([case], [[scored_text(unattributed, question)]], ["answered"]).p_at_1 == 0
    # Any other question is not answered by who spoke: "Who is the Mejlis leader?" is not
    # answered by a sentence Dzhemilev said about something else.
    other = AnswerCase("Who is the Mejlis leader?", ("Mustafa Dzhemilev",))
    assert score_answers([other], [[scored_text(said, other.question)]], ["answered"]).p_at_1 == 0


def test_a_question_right_only_as_shown_is_told_apart_from_a_wrong_one() -> None:
    # The answer is the second sentence; shown, it is joined with the first into one quote.
    case = AnswerCase("Which journalists help?", ("Lily Budzhurova",))
    sentences = ["They continue to help.", "It is run by Lily Budzhurova."]
    report = score_answers(
        [case], [sentences], ["answered"], shown_first=[" ".join(reversed(sentences))]
    )
    (result,) = report.cases
    assert (report.p_at_1, report.first_shown_right) == (0.0, 1.0)
    assert (result.rank, result.right_as_shown, result.missed) == (2, True, True)
    assert result.first_shown == "It is run by Lily Budzhurova. They continue to help."
