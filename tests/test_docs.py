"""The front door: the README's two commands, CI running the test one, the LICENSE, the
documented exit codes and limits."""

from __future__ import annotations

import re
import subprocess

from bot.cli.options import EXIT_FAILED_CASES, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from embeddings import MAX_QUESTION_CHARS, MAX_TOP_K
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
CPU_TORCH = re.compile(
    r"pip install --no-deps --index-url https://download\.pytorch\.org/whl/cpu torch==([\d.]+)"
)


def _command_after(heading: str) -> str:
    lines = README[README.index(heading) :].splitlines()
    return next(line for line in lines if line.startswith("python3 -m venv"))


def test_both_commands_take_the_cpu_build_of_torch_first() -> None:
    ask = _command_after("Install and ask")
    tests = _command_after("Install and run the tests:")
    for command in (ask, tests):
        match = CPU_TORCH.search(command)
        assert match is not None, command
        second = command.index("pip install .") if "pip install ." in command else None
        second = second or command.index("pip install '.[test]'")
        assert command.index(match.group()) < second
    assert ask.endswith('quotebot ask "How many political prisoners are held in Crimea?"')
    assert tests.endswith("pip install '.[test]' && pytest")


def test_the_torch_pin_is_within_pyproject() -> None:
    match = CPU_TORCH.search(README)
    assert match is not None
    pinned = tuple(int(part) for part in match.group(1).split("."))
    declared = re.search(r'"torch>=([\d.]+),<([\d.]+)"', (REPO / "pyproject.toml").read_text())
    assert declared is not None
    low, high = (tuple(int(p) for p in v.split(".")) for v in declared.groups())
    assert low <= pinned < high
    assert f"torch=={match.group(1)}" in (REPO / "Dockerfile").read_text()


def test_ci_runs_the_readmes_test_command_exactly() -> None:
    script = REPO / ".ci" / "run"
    extract = re.search(r"test_command=\$\((.*)\)\n", script.read_text())
    assert extract is not None and 'eval "$test_command"' in script.read_text()
    result = subprocess.run(
        ["bash", "-c", extract.group(1)], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == _command_after("Install and run the tests:")


def test_the_license_is_mit_as_pyproject_says() -> None:
    license_text = (REPO / "LICENSE").read_text()
    assert license_text.startswith("MIT License")
    assert "Copyright (c) 2026 the quotebot authors" in license_text
    assert 'license = "MIT"' in (REPO / "pyproject.toml").read_text()


def test_every_exit_code_and_limit_is_documented() -> None:
    for code in (EXIT_OK, EXIT_FAILED_CASES, EXIT_USAGE, EXIT_INTERRUPTED):
        assert f"| {code} |" in README
    assert f"at\n  most {MAX_TOP_K}" in README or f"at most {MAX_TOP_K}" in README
    assert f"{MAX_QUESTION_CHARS:,} characters" in README
