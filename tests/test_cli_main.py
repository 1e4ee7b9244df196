"""The command line as a whole: usage errors, help for every command, and `python -m bot`
being the same program as the installed `quotebot`. Each command group has its own module
(test_cli_ask, test_cli_index, test_cli_eval, test_cli_run)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_runner import one_line_error, quotebot, run_main
from tests.conftest import REPO


@pytest.mark.parametrize(
    "argv", [["ask", "q", "--top-k", "0"], ["ask", "q", "--top-k", "x"], ["frobnicate"], []]
)
def test_bad_usage_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, _, err = run_main(capsys, *argv)
    assert code == 2
    assert "--help" in one_line_error(err)


@pytest.mark.parametrize(
    "argv", [[], ["ask"], ["index"], ["index", "build"], ["index", "info"], ["run"]]
)
def test_every_command_explains_itself(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, _ = run_main(capsys, *argv, "--help")
    assert code == 0
    assert out.startswith("usage: quotebot")
    assert len(out.splitlines()) > 4


@pytest.mark.integration
def test_quotebot_script_and_python_m_bot_agree(real_index_dir: Path) -> None:
    script = Path(sys.executable).with_name("quotebot")
    if not script.exists():
        pytest.skip("quotebot is not installed in this environment's bin directory")
    question = "Who hung the banner?"
    via_module = quotebot("ask", question, "--json", index=real_index_dir)
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


@pytest.mark.parametrize("value", ["0", "51"])
def test_every_bad_top_k_reads_the_same(capsys: pytest.CaptureFixture[str], value: str) -> None:
    code, out, err = run_main(capsys, "ask", "q", "--top-k", value)
    assert code == 2 and out == ""
    assert one_line_error(err) == (
        f"quotebot ask: error: argument --top-k: must be between 1 and 50, not {value} "
        "(see quotebot ask --help)"
    )


@pytest.mark.parametrize(
    ("argv", "command"),
    [(["ask", "--bogus", "x"], "ask"), (["index", "info", "-z"], "index info")],
)
def test_an_unknown_option_points_at_the_commands_own_help(
    capsys: pytest.CaptureFixture[str], argv: list[str], command: str
) -> None:
    code, _, err = run_main(capsys, *argv)
    assert code == 2
    line = one_line_error(err)
    assert line.startswith(f"quotebot {command}: error: unrecognized arguments: ")
    assert line.endswith(f"(see quotebot {command} --help)")
