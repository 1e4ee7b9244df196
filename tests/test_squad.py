"""SQuAD loading: articles become documents, answer offsets land on the answers, and bad
files stop with one line that names the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from embeddings.corpus import read_corpus
from embeddings.errors import CorpusError
from embeddings.index import split_documents
from embeddings.squad import SquadSet, load_squad, slugify, write_corpus
from embeddings.types import Document

DATA = Path(__file__).resolve().parent / "data"
MINI = DATA / "squad-mini.json"
SQUAD_DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "squad-dev-v1.1.json"


def _assert_answers_at_offsets(squad: SquadSet) -> None:
    for question in squad.questions:
        text = squad.documents[question.document].text
        assert question.answers
        for start, answer in zip(question.answer_starts, question.answers, strict=True):
            assert text[start : start + len(answer)] == answer, question.id


def _write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _squad(*, answer_start: Any = 4, context: Any = "The cat sat.", **question: Any) -> Any:
    qa: dict[str, Any] = {
        "id": "x1",
        "question": "Who sat?",
        "answers": [{"text": "cat", "answer_start": answer_start}],
    }
    qa.update(question)
    return {"data": [{"title": "Cats", "paragraphs": [{"context": context, "qas": [qa]}]}]}


def test_articles_become_documents_with_their_paragraphs_joined() -> None:
    squad = load_squad(MINI)

    assert [document.id for document in squad.documents] == [
        "lighthouse-island-point",
        "fresno-cheese-market",
    ]
    first, second = squad.documents
    assert first.title == "Lighthouse (Island Point)"
    assert first.source == "SQuAD v1.1"
    assert (first.date, first.url, first.language) == (None, None, None)
    assert first.text.startswith("The lighthouse at Island Point was built in 1874")
    assert first.text.count("\n\n") == 1
    assert second.text.endswith(
        "The hall still stands.\n\nLocal farmers supplied most of the milk."
    )


def test_every_answer_offset_points_at_its_answer_in_the_article() -> None:
    squad = load_squad(MINI)

    assert len(squad.questions) == 7
    _assert_answers_at_offsets(squad)
    by_id = {question.id: question for question in squad.questions}
    assert by_id["q1"].answers == ("1874", "in 1874")
    assert by_id["q4"].document == 0 and by_id["q4"].answers == ("5-6 knots",)
    assert by_id["q7"].document == 1 and by_id["q7"].question == "Who supplied most of the milk?"
    # q7's paragraph is the article's third: its offset must include both earlier paragraphs.
    assert by_id["q7"].answer_starts[0] > len("The market opened on Saturdays")


def test_a_paragraph_break_ends_a_sentence() -> None:
    squad = load_squad(MINI)

    sentences = split_documents(squad.documents)

    assert not any("\n\n" in sentence.text for sentence in sentences)
    assert "Local farmers supplied most of the milk." in [s.text for s in sentences]


def test_limit_keeps_the_first_questions_but_every_article() -> None:
    squad = load_squad(MINI, limit=3)

    assert [question.id for question in squad.questions] == ["q1", "q2", "q3"]
    assert len(squad.documents) == 2
    assert load_squad(MINI, limit=0).questions == ()
    assert len(load_squad(MINI, limit=100).questions) == 7


def test_negative_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="limit"):
        load_squad(MINI, limit=-1)


def test_missing_file_is_a_corpus_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    with pytest.raises(CorpusError, match="not found") as caught:
        load_squad(missing)
    assert str(missing) in str(caught.value)


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"data": [\n  {"title": }\n]}', encoding="utf-8")

    with pytest.raises(CorpusError, match=r"not valid JSON \(line 2") as caught:
        load_squad(path)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "the file must be an object"),
        ({"version": "1.1"}, "the file has no 'data'"),
        ({"data": {}}, "data must be a list"),
        ({"data": [{"paragraphs": []}]}, r"data\[0\] has no 'title'"),
        ({"data": [{"title": "A", "paragraphs": [{"qas": []}]}]}, "has no 'context'"),
        (_squad(context=["The cat sat."]), r"context must be a string"),
        (_squad(answer_start="4"), "answer_start must be an integer"),
        (_squad(answer_start=True), "answer_start must be an integer"),
        (_squad(answer_start=5), "'cat' is not at offset 5"),
        (_squad(answers=[]), "no answers"),
        (_squad(question=None), "question must be a string"),
        ({"data": []}, "no articles"),
    ],
)
def test_wrong_structure_is_one_line_naming_the_file(
    tmp_path: Path, data: Any, message: str
) -> None:
    path = _write_json(tmp_path / "bad.json", data)

    with pytest.raises(CorpusError, match=message) as caught:
        load_squad(path)
    assert str(caught.value).startswith(str(path))
    assert "\n" not in str(caught.value)


def test_titles_that_slug_alike_get_distinct_ids(tmp_path: Path) -> None:
    article = _squad()["data"][0]
    data = {"data": [{**article, "title": "New_York"}, {**article, "title": "New York"}]}

    squad = load_squad(_write_json(tmp_path / "twins.json", data))

    assert [document.id for document in squad.documents] == ["new-york", "new-york-2"]


def test_slugify_makes_file_names() -> None:
    assert slugify("Sky (United Kingdom)") == "sky-united-kingdom"
    assert slugify("Fresno, California") == "fresno-california"
    assert slugify("Frédéric Chopin") == "frederic-chopin"


def test_written_corpus_reads_back_to_identical_documents(tmp_path: Path) -> None:
    squad = load_squad(MINI)

    write_corpus(squad.documents, tmp_path / "corpus")
    read = {document.id: document for document in read_corpus(tmp_path / "corpus")}

    assert set(read) == {document.id for document in squad.documents}
    for document in squad.documents:
        again = read[document.id]
        assert (again.text, again.title, again.source) == (
            document.text,
            document.title,
            document.source,
        )


@pytest.mark.parametrize(
    "title",
    ["Yes", "1973", "2016-09-03", "a: b # c", "'quoted'", "“Curly” — dash", "null", "- item"],
)
def test_titles_that_yaml_would_misread_survive_the_round_trip(tmp_path: Path, title: str) -> None:
    text = "\n---\nA body that starts with a blank line,\r\nhas CRLF and ends without one."
    document = Document(id="doc", title=title, text=text, source="Src: v1", date="2016-09-03")

    write_corpus([document], tmp_path)
    (again,) = read_corpus(tmp_path)

    assert (again.title, again.text, again.source, again.date) == (
        title,
        text,
        "Src: v1",
        "2016-09-03",
    )


@pytest.mark.parametrize("bad_id", ["", "../x", "_hidden", ".dot", "README", "a/b"])
def test_ids_that_cannot_be_corpus_files_are_refused(tmp_path: Path, bad_id: str) -> None:
    with pytest.raises(CorpusError, match="cannot be the name"):
        write_corpus([Document(id=bad_id, title="T", text="Text.")], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    twins = [Document(id="a", title="T", text="One."), Document(id="a", title="U", text="Two.")]
    with pytest.raises(CorpusError, match="two documents have the id 'a'"):
        write_corpus(twins, tmp_path)


@pytest.mark.skipif(not SQUAD_DEV.is_file(), reason=f"SQuAD dev file not at {SQUAD_DEV}")
def test_the_real_squad_dev_file_loads_with_every_offset_right() -> None:
    squad = load_squad(SQUAD_DEV)

    assert len(squad.documents) == 48
    assert len(squad.questions) == 10_570
    assert squad.documents[0].title == "Super Bowl 50"
    assert len({document.id for document in squad.documents}) == 48
    _assert_answers_at_offsets(squad)
