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
from bot.cli.render import ABSTAIN
from tests.conftest import REPO

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
    code, out, err = ask(capsys, QUESTION, "--top-k", "51")
    assert code == 2 and out == ""
    assert "50" in err and len(err.strip().splitlines()) == 1


@pytest.mark.integration
@pytest.mark.usefixtures("index")
def test_quotebot_abstain_below_decides_what_counts_as_answered(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = ask(capsys, QUESTION, "--json")
    assert code == 0 and json.loads(out)["abstained"] is False
    monkeypatch.setenv("QUOTEBOT_ABSTAIN_BELOW", "100")  # no relevance reaches it
    code, out, _ = ask(capsys, QUESTION, "--json")
    assert code == 0 and json.loads(out)["abstained"] is True
    assert ask(capsys, QUESTION)[1].strip() == ABSTAIN
    monkeypatch.setenv("QUOTEBOT_ABSTAIN_BELOW", "0")  # everything counts as answered
    code, out, _ = ask(capsys, "What is the capital of Peru?", "--json")
    assert code == 0 and json.loads(out)["abstained"] is False


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
