"""``quotebot ask`` and the settings it reads: each one changed, the answer changes with it.

In-process over a copy of the test session's real index (the real ONNX query encoder; no
index is built here).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli.render import ABSTAIN, RELATED
from tests.cli_runner import one_line_error, quotebot, run_main
from tests.conftest import CORPUS, REPO

QUESTION = "How many political prisoners are held in Crimea?"
pytestmark = pytest.mark.usefixtures("isolated_env")


@pytest.fixture
def index(real_index_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("QUOTEBOT_INDEX", str(real_index_copy))
    return real_index_copy


def ask(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["ask", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def quotes(out: str) -> int:
    return len(json.loads(out)["quotes"])


@pytest.mark.integration
@pytest.mark.usefixtures("index")
def test_quotebot_top_k_sets_the_number_of_quotes_and_the_option_wins(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert quotes(ask(capsys, QUESTION, "--json")[1]) == 3
    monkeypatch.setenv("QUOTEBOT_TOP_K", "5")
    assert quotes(ask(capsys, QUESTION, "--json")[1]) == 5
    assert quotes(ask(capsys, QUESTION, "--json", "--top-k", "2")[1]) == 2


@pytest.mark.integration
@pytest.mark.usefixtures("index")
def test_top_k_over_the_cap_of_50_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_main(capsys, "ask", QUESTION, "--top-k", "51")  # argparse exits
    assert code == 2 and out == ""
    assert "50" in err and len(err.strip().splitlines()) == 1


@pytest.mark.integration
@pytest.mark.usefixtures("index")
def test_quotebot_abstain_below_decides_what_counts_as_answered(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = ask(capsys, QUESTION, "--json")
    assert code == 0 and json.loads(out)["abstained"] is False
    assert json.loads(out)["outcome"] == "answered"
    monkeypatch.setenv("QUOTEBOT_ABSTAIN_BELOW", "1")  # no relevance reaches it
    monkeypatch.setenv("QUOTEBOT_RELATED_BELOW", "1")  # and no "related" band either
    code, out, _ = ask(capsys, QUESTION, "--json")
    assert code == 0 and json.loads(out)["abstained"] is True
    assert json.loads(out)["outcome"] == "declined"
    assert ask(capsys, QUESTION)[1].strip() == ABSTAIN
    monkeypatch.setenv("QUOTEBOT_ABSTAIN_BELOW", "0")  # everything counts as answered
    monkeypatch.setenv("QUOTEBOT_RELATED_BELOW", "0")
    code, out, _ = ask(capsys, "What is the capital of Peru?", "--json")
    assert code == 0 and json.loads(out)["abstained"] is False


@pytest.mark.integration
@pytest.mark.usefixtures("index")
def test_quotebot_related_below_separates_related_from_declined(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    far = "What is the speed of light?"
    code, out, _ = ask(capsys, far, "--json")
    assert code == 0 and json.loads(out)["outcome"] == "declined"
    assert ask(capsys, far)[1].strip() == ABSTAIN
    monkeypatch.setenv("QUOTEBOT_RELATED_BELOW", "0")  # anything not answered is "related"
    code, out, _ = ask(capsys, far, "--json")
    assert code == 0 and json.loads(out)["outcome"] == "related"
    text = ask(capsys, far)[1]
    assert text.startswith(RELATED) and "1. " in text


@pytest.mark.integration
@pytest.mark.usefixtures("index")
def test_the_abstention_threshold_moves_a_question_from_answered_to_related(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    record = json.loads(ask(capsys, QUESTION, "--json")[1])
    assert record["outcome"] == "answered"
    monkeypatch.setenv("QUOTEBOT_ABSTAIN_BELOW", "1")  # default related band stays below it
    record = json.loads(ask(capsys, QUESTION, "--json")[1])
    assert record["outcome"] == "related" and record["abstained"] is True
    assert record["quotes"]  # the closest passages are still there, as such


@pytest.mark.integration
@pytest.mark.usefixtures("index")
def test_quotebot_multilingual_searches_questions_in_other_languages(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    question = "Скільки людей утримують під вартою в Криму?"
    record = json.loads(ask(capsys, question, "--json")[1])
    assert (record["outcome"], record["language"]) == ("unsupported-language", "uk")
    monkeypatch.setenv("QUOTEBOT_MULTILINGUAL", "1")
    record = json.loads(ask(capsys, question, "--json")[1])
    assert record["outcome"] != "unsupported-language" and record["quotes"]


@pytest.mark.usefixtures("isolated_env")
def test_an_unsupported_language_is_refused_before_loading_the_model(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # No model and no index exist: only a refusal that loads neither can succeed.
    monkeypatch.setenv("QUOTEBOT_MODEL", "no-such-model")
    monkeypatch.setenv("QUOTEBOT_INDEX", str(tmp_path / "no-index"))
    code, out, err = run_main(capsys, "ask", "Хто захищає Умерова в суді?")
    assert code == 0 and err == ""
    assert out.startswith("Статті написані англійською")
    code, out, _ = run_main(capsys, "ask", "--json", "Кто защищает Умерова в суде?")
    record = json.loads(out)
    assert (record["outcome"], record["language"], record["quotes"]) == (
        "unsupported-language",
        "ru",
        [],
    )
    # The reply itself, as the text output gives it (issue 8, F10).
    assert record["message"].startswith("Статьи написаны на английском")
    assert not (tmp_path / "no-index").exists()


@pytest.mark.integration
@pytest.mark.usefixtures("index")
def test_a_bad_threshold_is_a_one_line_error_naming_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUOTEBOT_ABSTAIN_BELOW", "banana")
    code, out, err = ask(capsys, QUESTION)
    assert code == 2 and out == ""
    assert err.startswith("quotebot: error: QUOTEBOT_ABSTAIN_BELOW")
    assert len(err.strip().splitlines()) == 1


@pytest.mark.integration
@pytest.mark.usefixtures("index")
@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("QUOTEBOT_WEBHOOK_URL", "example.org"),
        ("QUOTEBOT_ADMIN_IDS", "abc"),
        ("QUOTEBOT_RATE_LIMIT", "none"),
        ("TELEGRAM_API_BASE_URL", "nowhere"),
    ],
)
def test_the_bots_variables_never_break_ask(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    code, out, err = ask(capsys, QUESTION)
    assert code == 0, err
    assert "67 people" in out


def test_quotebot_corpus_is_the_corpus_asked(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("QUOTEBOT_CORPUS", str(tmp_path / "my-articles"))
    code, _, err = ask(capsys, QUESTION)
    assert code == 2 and str(tmp_path / "my-articles") in err


def test_quotebot_model_is_the_model_used(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("QUOTEBOT_MODEL", str(tmp_path / "no-such-model"))
    code, _, err = ask(capsys, QUESTION)
    assert code == 2 and "no-such-model" in err and len(err.strip().splitlines()) == 1


@pytest.mark.integration
def test_ask_leaves_no_telemetry_behind(real_index_copy: Path, tmp_path: Path) -> None:
    """No onnxruntime device id or event queue (nor anything else) under the user's home."""
    home = tmp_path / "home"
    home.mkdir()
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("QUOTEBOT_", "TELEGRAM_", "ORT_", "HF_HUB_DISABLE", "DO_NOT"))
    }
    environment.update(
        {
            "HOME": str(home),
            "QUOTEBOT_INDEX": str(real_index_copy),
            "QUOTEBOT_DATA_DIR": str(tmp_path / "data"),
        }
    )
    environment.pop("XDG_CACHE_HOME", None)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", QUESTION],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=environment,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "67 people" in result.stdout
    assert [path for path in home.rglob("*") if path.is_file()] == []


# --- errors before any model, and answers through a real process -------------------------


@pytest.mark.usefixtures("isolated_env")
@pytest.mark.parametrize(
    ("question", "reason"),
    [("", "empty"), ("   \t ", "empty"), ("x" * 1001, "1000")],
)
def test_unanswerable_questions_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], question: str, reason: str
) -> None:
    code, out, err = run_main(capsys, "ask", question)
    assert code == 2
    assert out == ""
    assert reason in one_line_error(err)


@pytest.mark.usefixtures("isolated_env")
def test_a_missing_corpus_is_named(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    code, _, err = run_main(capsys, "ask", "anything?", "--corpus", str(missing))
    assert code == 2
    assert str(missing) in one_line_error(err)


@pytest.mark.usefixtures("isolated_env")
def test_a_bad_corpus_file_is_named_with_its_reason(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text("A fine article. With two sentences.")
    (corpus / "broken.md").write_text("---\nsource: Somebody\n---\nText without a title.")
    code, _, err = run_main(capsys, "ask", "anything?", "--corpus", str(corpus))
    assert code == 2
    line = one_line_error(err)
    assert "broken.md" in line and "title" in line


@pytest.mark.usefixtures("isolated_env")
def test_an_empty_corpus_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run_main(capsys, "ask", "anything?", "--corpus", str(tmp_path))
    assert code == 2
    assert "no articles" in one_line_error(err)


@pytest.mark.usefixtures("isolated_env")
def test_an_unreadable_index_is_reported(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run_main(capsys, "index", "info", "--index", str(tmp_path))
    assert code == 2
    assert "no index" in one_line_error(err)


@pytest.mark.usefixtures("isolated_env")
def test_an_index_location_that_cannot_be_written_is_reported(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    code, _, err = run_main(capsys, "index", "build", "--index", str(blocker / "index"))
    assert code == 2
    assert one_line_error(err) == f"quotebot: error: --index: {blocker} is not a directory"


@pytest.mark.integration
def test_ask_quotes_the_custody_sentence_with_its_citation(real_index_dir: Path) -> None:
    result = quotebot(
        "ask", "How many political prisoners are held in Crimea?", index=real_index_dir
    )
    assert result.returncode == 0, result.stderr
    first = result.stdout.split("\n\n")[1]
    assert "67 people" in first
    assert "QHA (Crimean News Agency)" in first
    assert "(relevance 0." in first
    assert result.stderr == ""


@pytest.mark.integration
def test_json_output_follows_the_contract(real_index_dir: Path) -> None:
    result = quotebot(
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
    assert (record["outcome"], record["language"]) == ("answered", "en")
    assert record["relevance"] == record["quotes"][0]["score"]
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
        # the calibrated relevance of this quote, 0..1: see embeddings/ranking.py
        assert isinstance(quote["score"], float) and 0.0 <= quote["score"] <= 1.0
        assert quote["speaker"] is None or isinstance(quote["speaker"], str)
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
    result = quotebot("ask", "--json", "--top-k", "1", index=real_index_dir, stdin=questions)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no prompt when standard input is not a terminal
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["question"] for r in records] == [
        "Where was the banner hung?",
        "How much is each child paid per month?",
    ]
    assert "5000 rubles" in records[1]["quotes"][0]["text"]


@pytest.mark.integration
def test_batch_mode_reports_a_bad_line_and_answers_the_rest(real_index_dir: Path) -> None:
    result = quotebot(
        "ask", "--json", index=real_index_dir, stdin="x" * 1200 + "\nWho is Refat Chubarov?\n"
    )
    assert result.returncode == 2
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first == {
        "question": "x" * 1200,
        "error": "the question is 1200 characters long; the limit is 1000",
        "line": 1,
    }
    assert second["question"] == "Who is Refat Chubarov?" and "quotes" in second
    assert "line 1: " in one_line_error(result.stderr) and "1000" in result.stderr


@pytest.mark.integration
def test_a_line_that_is_not_utf8_is_one_error_and_the_rest_are_answered(
    real_index_dir: Path,
) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("QUOTEBOT_")}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json"],
        input=b"Who is Refat Chubarov?\ncaf\xe9 in Crimea?\nWho is Ilmi Umerov?\n",
        capture_output=True,
        cwd=REPO,
        env={**environment, "QUOTEBOT_INDEX": str(real_index_dir)},
        timeout=300,
        check=False,
    )
    assert result.returncode == 2
    first, second, third = (json.loads(line) for line in result.stdout.decode().splitlines())
    assert "quotes" in first and "quotes" in third
    assert second == {
        "question": "caf\ufffd in Crimea?",
        "error": "the question is not valid UTF-8 text",
        "line": 2,
    }
    assert "Traceback" not in result.stderr.decode()


@pytest.mark.integration
def test_batch_output_stays_aligned_and_errors_name_their_line(real_index_dir: Path) -> None:
    """Blank lines get no output but count; a bad line gets its error object in its place."""
    stdin = "Who is Refat Chubarov?\n\n" + "x" * 1001 + "\nWhere was the banner hung?\n"
    result = quotebot("ask", "--json", "--top-k", "1", index=real_index_dir, stdin=stdin)
    assert result.returncode == 2
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["question"] for r in records] == [
        "Who is Refat Chubarov?",
        "x" * 1001,
        "Where was the banner hung?",
    ]
    assert records[1]["line"] == 3 and "1000" in records[1]["error"]
    assert "error" not in records[0] and "error" not in records[2]
    text = quotebot("ask", index=real_index_dir, stdin=stdin)
    assert text.returncode == 2
    assert one_line_error(text.stderr).startswith("quotebot: error: line 3: ")
    assert text.stdout.count("Q: ") == 2


def test_ask_on_a_terminal_says_what_it_expects(tmp_path: Path) -> None:
    """With no question and a terminal on stdin, ask prompts on stderr instead of waiting."""
    import pty

    env = {k: v for k, v in os.environ.items() if not k.startswith(("QUOTEBOT_", "TELEGRAM_"))}
    env["QUOTEBOT_DATA_DIR"] = str(tmp_path / "data")
    parent, child = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "ask"],
            stdin=child,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=REPO,
            env=env,
        )
        os.close(child)
        child = -1
        os.write(parent, b"\x04")  # Ctrl-D: no questions (the terminal holds it until read)
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0
        assert err.decode().strip() == "Type a question and press Enter; Ctrl-D to finish."
        assert out == b""
    finally:
        if child >= 0:
            os.close(child)
        os.close(parent)


@pytest.mark.usefixtures("isolated_env")
def test_a_top_k_over_the_cap_in_batch_mode_is_one_error_before_any_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("Who?\nWhy?\n"))
    code, out, err = run_main(capsys, "ask", "--top-k", "51")
    assert code == 2 and out == ""
    assert "50" in one_line_error(err) and "line" not in err
