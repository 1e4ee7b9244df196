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
    # The learned ranking passes 31 of 40 (the old hand-tuned hybrid 35): a known regression
    # on this set, reported in docs/evaluation.md; the bar guards against falling further.
    assert report["answered"] / report["answerable"] >= 0.75
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
