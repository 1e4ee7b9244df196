"""Running the command line in tests: in-process (errors before any model) and as a real
process (``python -m bot``), as other tools drive it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import REPO


def run_main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        raise SystemExit(main(list(argv)))
    captured = capsys.readouterr()
    code = exit_info.value.code
    return int(code) if isinstance(code, int) else 1, captured.out, captured.err


def one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith("quotebot")
    return lines[0]


def quotebot(
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
