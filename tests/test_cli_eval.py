"""``quotebot eval``: the regression set of the bundled corpus, SQuAD metrics, file errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_runner import one_line_error, quotebot, run_main
from tests.conftest import REPO


@pytest.mark.integration
def test_the_default_corpus_regression_set_holds(real_index_dir: Path) -> None:
    """Reader questions are answered, off-topic ones declined, and most quote the answer."""
    result = quotebot(
        "eval",
        "questions",
        "tests/data/default-corpus-questions.jsonl",
        "--json",
        index=real_index_dir,
    )
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    answerable = [r for r in report["results"] if not r["case"]["abstain"]]
    answered = sum(not r["abstained"] for r in answerable) / len(answerable)
    assert answered >= 0.95  # the target: reader questions stay answered (39 of 40 now)
    assert report["abstained"] / report["unanswerable"] >= 0.95
    assert report["answered"] / report["answerable"] >= 0.80
    custody = next(r for r in answerable if r["case"]["question"].startswith("How many people"))
    assert "67 people" in custody["first_quote"]


@pytest.mark.integration
def test_eval_squad_prints_the_retrieval_metrics() -> None:
    result = quotebot(
        "eval", "squad", "tests/data/squad-mini.json", "--json", index=REPO / "unused"
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    metrics = report["metrics"]
    assert metrics["questions"] > 0
    assert 0 <= metrics["p_at_1"] <= metrics["r_at_5"] <= metrics["r_at_10"] <= 1
    assert report["sentences"] > report["documents"] > 0


def test_eval_of_a_missing_file_is_aone_line_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run_main(capsys, "eval", "questions", str(tmp_path / "none.jsonl"))
    assert code == 2
    assert "none.jsonl" in one_line_error(err)
    code, _, err = run_main(capsys, "eval", "squad", str(tmp_path / "none.json"))
    assert code == 2
    assert "none.json" in one_line_error(err)


ANSWER_SET = (
    '{"question": "How much money does each child of a prisoner get per month?", '
    '"answers": ["5000 rubles"]}\n'
    '{"question": "Who is the president of France?", "answerable": false, "tag": "far"}\n'
)


@pytest.mark.integration
def test_eval_answers_scores_an_answer_set_and_follows_the_thresholds(
    real_index_dir: Path, tmp_path: Path
) -> None:
    answer_set = tmp_path / "mine.jsonl"
    answer_set.write_text(ANSWER_SET, encoding="utf-8")
    corpus = str(REPO / "corpus")
    result = quotebot("eval", "answers", corpus, str(answer_set), "--json", index=real_index_dir)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["answerable"], report["unanswerable"]) == (1, 1)
    assert report["p_at_1"] == report["mrr"] == report["r_at_10"] == 1.0
    assert report["outcomes_answerable"]["answered"] == 1.0
    assert report["outcomes_unanswerable"]["declined"] == 1.0
    assert report["by_tag"]["far"]["declined"] == 1.0
    # Thresholds that nothing reaches: the same quotes, but nothing counts as answered.
    strict = quotebot(
        "eval",
        "answers",
        corpus,
        str(answer_set),
        "--json",
        index=real_index_dir,
        env={"QUOTEBOT_ABSTAIN_BELOW": "1", "QUOTEBOT_RELATED_BELOW": "0"},
    )
    report = json.loads(strict.stdout)
    assert report["p_at_1"] == 1.0 and report["abstain_below"] == 1.0
    assert report["outcomes_answerable"]["related"] == 1.0
    assert report["outcomes_unanswerable"]["related"] == 1.0
    text = quotebot("eval", "answers", corpus, str(answer_set), index=real_index_dir)
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert any(line.startswith("P@1:") and "1.000" in line for line in lines)
    assert any(line.startswith("MRR@10:") for line in lines)
    assert any(line.startswith("unanswerable:") and "declined 1.000" in line for line in lines)


@pytest.mark.integration
def test_eval_answers_lists_the_questions_that_failed_and_warns_about_unfound_answers(
    real_index_dir: Path, tmp_path: Path
) -> None:
    answer_set = tmp_path / "mine.jsonl"
    answer_set.write_text(
        ANSWER_SET
        + '{"question": "How much money does each child get?", "answers": ["5000 rublez"]}\n',
        encoding="utf-8",
    )
    corpus = str(REPO / "corpus")
    result = quotebot("eval", "answers", corpus, str(answer_set), "--json", index=real_index_dir)
    assert result.returncode == 0, result.stderr
    warning = f"{answer_set}:3: none of the answers occurs in the corpus"
    assert warning in result.stderr.splitlines()
    cases = json.loads(result.stdout)["cases"]
    assert [(c["question"][:20], c["answerable"], c["rank"]) for c in cases] == [
        ("How much money does ", True, 1),
        ("Who is the president", False, None),
        ("How much money does ", True, None),
    ]
    assert cases[1]["tag"] == "far" and cases[1]["outcome"] == "declined"
    assert "5000 rubles" in cases[2]["first_quote"]
    assert set(cases[0]) == {
        "question",
        "tag",
        "answerable",
        "rank",
        "outcome",
        "relevance",
        "first_quote",
        "first_shown",
        "right_as_shown",
    }
    assert cases[0]["right_as_shown"] is True and cases[1]["right_as_shown"] is None
    text = quotebot("eval", "answers", corpus, str(answer_set), index=real_index_dir)
    lines = text.stdout.splitlines()
    listed = lines[lines.index(next(x for x in lines if x.startswith("questions to look at"))) :]
    assert listed[0].startswith("questions to look at: 1 ")
    assert listed[1].startswith("  How much money does each child get?  (no right quote")
    assert len(listed) == 2  # the right and the declined questions are not listed


def test_the_questions_to_look_at_are_capped_in_the_text_output(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.cli.eval import MISSES_SHOWN, print_misses
    from embeddings.answer_sets import AnswerCase, score_answers

    cases = [AnswerCase(f"Question {n}?", ("gold",)) for n in range(MISSES_SHOWN + 5)]
    report = score_answers(cases, [["wrong"]] * len(cases), ["answered"] * len(cases))
    print_misses(report)
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith(f"questions to look at: {MISSES_SHOWN + 5} ")
    assert lines[1] == "  Question 0?  (no right quote in the first 10, answered, relevance 0.000)"
    assert len(lines) == 1 + MISSES_SHOWN + 1
    assert lines[-1] == "  ... and 5 more (--json lists every question)"


def test_eval_answers_names_a_bad_line_of_the_answer_set(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    answer_set = tmp_path / "bad.jsonl"
    answer_set.write_text('{"question": "Who?", "answers": ["x"]}\nnot json\n', encoding="utf-8")
    code, out, err = run_main(capsys, "eval", "answers", str(tmp_path), str(answer_set))
    assert code == 2 and out == ""
    assert "bad.jsonl:2" in one_line_error(err)


def test_questions_to_look_at_say_when_the_quote_as_shown_holds_the_answer(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.cli.eval import print_misses
    from embeddings.answer_sets import AnswerCase, score_answers

    case = AnswerCase("Which journalists help?", ("Lily Budzhurova",))
    report = score_answers(
        [case],
        [["They help.", "Run by Lily Budzhurova."]],
        ["answered"],
        shown_first=["Run by Lily Budzhurova. They help."],
    )
    print_misses(report)
    out = capsys.readouterr().out
    assert "Which journalists help?  (rank 2, right as shown: joined with its neighbour," in out
