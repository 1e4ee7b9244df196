"""The command line contract: exit codes, one-line errors, JSON shape, batch mode.

Errors that occur before any model is needed run in-process; answers use the real packaged
model through a real subprocess, as other tools drive it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import CORPUS, REPO


def _run_main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        raise SystemExit(main(list(argv)))
    captured = capsys.readouterr()
    code = exit_info.value.code
    return int(code) if isinstance(code, int) else 1, captured.out, captured.err


def _one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith("quotebot")
    return lines[0]


@pytest.mark.usefixtures("isolated_env")
@pytest.mark.parametrize(
    ("question", "reason"),
    [("", "empty"), ("   \t ", "empty"), ("x" * 1001, "1000")],
)
def test_unanswerable_questions_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], question: str, reason: str
) -> None:
    code, out, err = _run_main(capsys, "ask", question)
    assert code == 2
    assert out == ""
    assert reason in _one_line_error(err)


@pytest.mark.usefixtures("isolated_env")
def test_a_missing_corpus_is_named(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    code, _, err = _run_main(capsys, "ask", "anything?", "--corpus", str(missing))
    assert code == 2
    assert str(missing) in _one_line_error(err)


@pytest.mark.usefixtures("isolated_env")
def test_a_bad_corpus_file_is_named_with_its_reason(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text("A fine article. With two sentences.")
    (corpus / "broken.md").write_text("---\nsource: Somebody\n---\nText without a title.")
    code, _, err = _run_main(capsys, "ask", "anything?", "--corpus", str(corpus))
    assert code == 2
    line = _one_line_error(err)
    assert "broken.md" in line and "title" in line


@pytest.mark.usefixtures("isolated_env")
def test_an_empty_corpus_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = _run_main(capsys, "ask", "anything?", "--corpus", str(tmp_path))
    assert code == 2
    assert "no articles" in _one_line_error(err)


@pytest.mark.usefixtures("isolated_env")
def test_an_unreadable_index_is_reported(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = _run_main(capsys, "index", "info", "--index", str(tmp_path))
    assert code == 2
    assert "no index" in _one_line_error(err)


@pytest.mark.usefixtures("isolated_env")
def test_an_index_location_that_cannot_be_written_is_reported(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    code, _, err = _run_main(capsys, "index", "build", "--index", str(blocker / "index"))
    assert code == 2
    assert "cannot write the index" in _one_line_error(err)


@pytest.mark.parametrize(
    "argv", [["ask", "q", "--top-k", "0"], ["ask", "q", "--top-k", "x"], ["frobnicate"], []]
)
def test_bad_usage_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, _, err = _run_main(capsys, *argv)
    assert code == 2
    assert "--help" in _one_line_error(err)


@pytest.mark.parametrize(
    "argv", [[], ["ask"], ["index"], ["index", "build"], ["index", "info"], ["run"]]
)
def test_every_command_explains_itself(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, _ = _run_main(capsys, *argv, "--help")
    assert code == 0
    assert out.startswith("usage: quotebot")
    assert len(out.splitlines()) > 4


# --- the real model, through real processes -----------------------------------------------


def _quotebot(
    *argv: str, index: Path, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("QUOTEBOT_", "TELEGRAM_"))
    }
    environment.update({"QUOTEBOT_INDEX": str(index), **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "bot", *argv],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        env=environment,
        timeout=300,
        check=False,
    )


@pytest.mark.integration
def test_ask_quotes_the_custody_sentence_with_its_citation(real_index_dir: Path) -> None:
    result = _quotebot(
        "ask", "How many political prisoners are held in Crimea?", index=real_index_dir
    )
    assert result.returncode == 0, result.stderr
    first = result.stdout.split("\n\n")[1]
    assert "67 people" in first
    assert "QHA (Crimean News Agency)" in first
    assert "score" in first
    assert result.stderr == ""


@pytest.mark.integration
def test_json_output_follows_the_contract(real_index_dir: Path) -> None:
    result = _quotebot(
        "ask",
        "How many political prisoners are held in Crimea?",
        "--json",
        "--top-k",
        "4",
        index=real_index_dir,
    )
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    record = json.loads(line)
    assert record["question"] == "How many political prisoners are held in Crimea?"
    assert record["abstained"] is False
    assert len(record["quotes"]) == 4
    corpus_texts = {p.stem: p.read_text(encoding="utf-8") for p in CORPUS.glob("*.md")}
    for quote in record["quotes"]:
        assert set(quote) >= {
            "text",
            "score",
            "sentence",
            "context_before",
            "context_after",
            "document",
        }
        # cosine (-1..1) plus the lexical evidence (0..2): see embeddings/ranking.py
        assert isinstance(quote["score"], float) and -1.0 <= quote["score"] <= 3.0
        assert isinstance(quote["sentence"], int)
        document = quote["document"]
        assert set(document) == {"id", "title", "source", "author", "date", "url"}
        assert document["date"] is None and document["url"] is None  # the articles give none
        assert document["author"] is None and quote["url_to_quote"] is None
        assert quote["text"] in corpus_texts[document["id"]]
    assert "67 people" in record["quotes"][0]["text"]
    scores = [quote["score"] for quote in record["quotes"]]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.integration
def test_batch_mode_answers_each_line_in_order(real_index_dir: Path) -> None:
    questions = "Where was the banner hung?\n\nHow much is each child paid per month?\n"
    result = _quotebot("ask", "--json", "--top-k", "1", index=real_index_dir, stdin=questions)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["question"] for r in records] == [
        "Where was the banner hung?",
        "How much is each child paid per month?",
    ]
    assert "5000 rubles" in records[1]["quotes"][0]["text"]


@pytest.mark.integration
def test_batch_mode_reports_a_bad_line_and_answers_the_rest(real_index_dir: Path) -> None:
    result = _quotebot(
        "ask", "--json", index=real_index_dir, stdin="x" * 1200 + "\nWho is Refat Chubarov?\n"
    )
    assert result.returncode == 2
    assert len(result.stdout.splitlines()) == 1
    assert "1000" in _one_line_error(result.stderr)


@pytest.mark.integration
def test_quotebot_script_and_python_m_bot_agree(real_index_dir: Path) -> None:
    script = Path(sys.executable).with_name("quotebot")
    if not script.exists():
        pytest.skip("quotebot is not installed in this environment's bin directory")
    question = "Who hung the banner?"
    via_module = _quotebot("ask", question, "--json", index=real_index_dir)
    via_script = subprocess.run(
        [str(script), "ask", question, "--json"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
        check=False,
        env={**os.environ, "QUOTEBOT_INDEX": str(real_index_dir)},
    )
    assert via_script.returncode == via_module.returncode == 0
    assert via_script.stdout == via_module.stdout


@pytest.mark.integration
def test_index_info_describes_the_index(real_index_dir: Path) -> None:
    result = _quotebot("index", "info", index=real_index_dir)
    assert result.returncode == 0, result.stderr
    assert "all-MiniLM-L6-v2" in result.stdout
    assert "up to date" in result.stdout
    assert "articles:      2" in result.stdout


@pytest.mark.integration
def test_the_default_corpus_regression_set_holds(real_index_dir: Path) -> None:
    """Reader questions are answered, off-topic ones declined, and most quote the answer."""
    result = _quotebot(
        "eval",
        "questions",
        "tests/data/default-corpus-questions.jsonl",
        "--json",
        index=real_index_dir,
    )
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    answerable = [r for r in report["results"] if not r["case"]["abstain"]]
    assert all(not r["abstained"] for r in answerable)  # >= 95% required; we answer all
    assert report["abstained"] / report["unanswerable"] >= 0.95
    assert report["answered"] / report["answerable"] >= 0.80
    custody = next(r for r in answerable if r["case"]["question"].startswith("How many people"))
    assert "67 people" in custody["first_quote"]


@pytest.mark.integration
def test_eval_squad_prints_the_retrieval_metrics() -> None:
    result = _quotebot(
        "eval", "squad", "tests/data/squad-mini.json", "--json", index=REPO / "unused"
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    metrics = report["metrics"]
    assert metrics["questions"] > 0
    assert 0 <= metrics["p_at_1"] <= metrics["r_at_5"] <= metrics["r_at_10"] <= 1
    assert report["sentences"] > report["documents"] > 0


def test_eval_of_a_missing_file_is_a_one_line_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = _run_main(capsys, "eval", "questions", str(tmp_path / "none.jsonl"))
    assert code == 2
    assert "none.jsonl" in _one_line_error(err)
    code, _, err = _run_main(capsys, "eval", "squad", str(tmp_path / "none.json"))
    assert code == 2
    assert "none.json" in _one_line_error(err)


@pytest.mark.integration
def test_an_interrupted_build_leaves_the_previous_index_in_use(
    real_index_dir: Path, tmp_path: Path
) -> None:
    """Ctrl-C during `quotebot index build`: a one-line message, and the old index still live."""
    import shutil
    import signal
    import time

    from embeddings.index_store import current_build, load_index

    index = tmp_path / "index"
    shutil.copytree(real_index_dir, index)
    live = current_build(index)
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "extra.txt").write_text("A new article. " * 2000)  # a build of some seconds
    environment = {k: v for k, v in os.environ.items() if not k.startswith("QUOTEBOT_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "index", "build", "--corpus", str(corpus)],
        env={**environment, "QUOTEBOT_INDEX": str(index)},
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A shell's background jobs (CI runners among them) inherit SIGINT ignored; a user at
        # a terminal does not. Give the child the terminal user's disposition.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    time.sleep(4)  # importing torch alone takes longer; the build is surely under way
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    # 130, or death by SIGINT itself when the interrupt lands in torch's import machinery: a
    # shell reports both as 130. Either way the build must not have finished (2,000 more
    # sentences take far more than 4 s) and must have said why it stopped.
    assert process.returncode in (130, -signal.SIGINT), err
    assert err.strip().splitlines()[-1] == "quotebot: interrupted"
    assert "Traceback" not in err
    assert current_build(index) == live
    assert load_index(index).manifest.document_count == 2
