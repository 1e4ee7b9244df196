"""Evaluation: metric arithmetic, gold sentences, regression-set files and calibration."""

from __future__ import annotations

from pathlib import Path

import pytest

from embeddings.evaluation import (
    Case,
    EvaluationError,
    GoldSentences,
    calibrate,
    evaluate_squad,
    load_cases,
    run_cases,
    summarize,
)
from embeddings.index import build_index
from embeddings.search import Searcher
from embeddings.squad import load_squad
from embeddings.types import Document
from tests.conftest import REPO
from tests.fakes import HashingEncoder

DATA = REPO / "tests" / "data"


def test_summarize_computes_the_standard_metrics() -> None:
    metrics = summarize([1, 2, None, 7, 150], [False, False, True, False, False])
    assert metrics.questions == 5
    assert metrics.p_at_1 == pytest.approx(1 / 5)
    assert metrics.mrr == pytest.approx((1 + 1 / 2 + 1 / 7) / 5)  # rank 150 is past the cutoff
    assert metrics.r_at_5 == pytest.approx(2 / 5)
    assert metrics.r_at_10 == pytest.approx(3 / 5)
    assert metrics.abstained == pytest.approx(1 / 5)


def test_the_gold_sentence_is_the_one_containing_the_answer_start() -> None:
    text = "First sentence here. The answer is 42. Last one."
    index = build_index([Document(id="d", title="D", text=text)], HashingEncoder())
    gold = GoldSentences(index)
    assert gold(0, [text.index("42")]) == {1}
    assert gold(0, [0, text.index("Last")]) == {0, 2}
    assert gold(0, [text.index(" The")]) == set()  # whitespace between sentences: no sentence


def test_squad_evaluation_runs_end_to_end_on_a_small_file() -> None:
    squad = load_squad(DATA / "squad-mini.json")
    encoder = HashingEncoder()
    report = evaluate_squad(squad, encoder, encoder.encode, abstain_below=0.0)
    assert report.metrics.questions == len(squad.questions)
    assert report.documents == len(squad.documents)
    assert 0.0 < report.metrics.p_at_1 <= report.metrics.r_at_5 <= report.metrics.r_at_10 <= 1
    assert report.metrics.abstained == 0.0
    assert report.questions_per_second > 0


def test_the_shipped_regression_set_is_valid() -> None:
    cases = load_cases(DATA / "default-corpus-questions.jsonl")
    assert sum(not c.abstain for c in cases) >= 40
    assert sum(c.abstain for c in cases) >= 15
    corpus = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "corpus").glob("*.md"))
    for case in cases:
        for expected in case.expect:
            assert expected in corpus, expected  # an expectation the corpus cannot meet is a typo


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "not JSON"),
        ('{"expect": ["x"]}', '"question"'),
        ('{"question": "q?"}', "either"),
        ('{"question": "q?", "expect": ["x"], "abstain": true}', "either"),
        ('{"question": "q?", "expect": [""]}', "list of strings"),
        ('{"question": "q?", "expect": "x", "top": 0}', "top"),
        ('{"question": "q?", "answer": "x"}', "unknown key 'answer'$"),
        (
            '{"question": "q?", "answers": ["x"]}',
            r"unknown key 'answers' \(an answer set: use `quotebot eval answers CORPUS FILE`\)",
        ),
        ('{"question": "  ", "abstain": true}', "empty"),
    ],
)
def test_a_bad_regression_line_is_named(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text('{"question": "fine?", "abstain": true}\n' + line + "\n")
    with pytest.raises(EvaluationError, match=message) as error:
        load_cases(path)
    assert f"{path}:2" in str(error.value)


def test_an_empty_regression_set_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text("\n# only a comment\n")
    with pytest.raises(EvaluationError, match="no questions"):
        load_cases(path)


def test_cases_pass_on_the_expected_quote_or_abstention() -> None:
    documents = [Document(id="a", title="A", text="The banner hung for a week in Kyiv.")]
    encoder = HashingEncoder()
    # Relevance is the answerability probability: with a hashing encoder (low cosines) and a
    # one-sentence corpus the right answer scores about 0.01 and the off-topic question 0.001.
    searcher = Searcher(build_index(documents, encoder), encoder, abstain_below=0.005)
    results = run_cases(
        searcher,
        [
            Case("How long did the banner hang in Kyiv?", expect=("for a week",)),
            Case("How long did the banner hang in Kyiv?", expect=("two weeks",)),
            Case("What is the boiling point of water?", abstain=True),
        ],
    )
    assert [r.passed for r in results] == [True, False, True]


def test_calibration_suggests_a_threshold_between_the_two_sides() -> None:
    calibration = calibrate([0.9, 1.2, 0.7], [0.1, 0.3, 0.2])
    assert calibration.suggested is not None and 0.3 < calibration.suggested < 0.7
    assert calibration.answerable == (0.7, 0.9, 1.2)
    assert calibrate([0.9], []).suggested is None
