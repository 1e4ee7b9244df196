"""A bad corpus, model or index location is one error line that names who chose it (the option
or the environment variable), before any model loads or any index is touched."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_runner import one_line_error, run_main

pytestmark = pytest.mark.usefixtures("isolated_env")


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("QUOTEBOT_CORPUS", "/nonexistent", "corpus directory not found: /nonexistent"),
        ("QUOTEBOT_MODEL", "/nonexistent/model", "model directory not found: /nonexistent/model"),
        ("QUOTEBOT_INDEX", "/etc/passwd", "/etc/passwd is not a directory"),
        ("QUOTEBOT_DATA_DIR", "/etc/passwd", "/etc/passwd is not a directory"),
    ],
)
def test_a_bad_location_from_the_environment_names_the_variable(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str,
    expected: str,
) -> None:
    monkeypatch.setenv(variable, value)
    code, out, err = run_main(capsys, "ask", "Who?")
    assert code == 2 and out == ""
    assert one_line_error(err) == f"quotebot: error: {variable}: {expected}"
    assert "WARNING" not in err  # no "rebuilding the damaged index" on the way


def test_an_index_that_cannot_be_made_names_the_variable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("QUOTEBOT_INDEX", str(blocker / "index"))
    code, _, err = run_main(capsys, "ask", "Who?")
    assert code == 2
    assert one_line_error(err) == f"quotebot: error: QUOTEBOT_INDEX: {blocker} is not a directory"


def test_a_bad_location_from_an_option_names_the_option(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("QUOTEBOT_CORPUS", str(tmp_path))  # the option wins, and is named
    code, _, err = run_main(capsys, "ask", "--corpus", "/nonexistent", "Who?")
    assert code == 2
    assert one_line_error(err) == (
        "quotebot: error: --corpus: corpus directory not found: /nonexistent"
    )


def test_index_info_of_a_missing_corpus_says_so_not_build_an_index(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run_main(capsys, "index", "info", "--corpus", "/nonexistent")
    assert code == 2 and out == ""
    assert one_line_error(err) == (
        "quotebot: error: --corpus: corpus directory not found: /nonexistent"
    )
    assert "index build" not in err


@pytest.mark.parametrize("command", [("ask", "Who?"), ("index", "info")])
def test_a_corpus_that_is_a_file_says_so_not_that_it_is_missing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: tuple[str, ...]
) -> None:
    """`--corpus some/file.md` said "corpus directory not found" for a path that exists
    (NU21-12)."""
    article = tmp_path / "article.md"
    article.write_text("---\ntitle: T\n---\nText.\n")
    code, out, err = run_main(capsys, *command, "--corpus", str(article))
    assert code == 2 and out == ""
    assert one_line_error(err) == (
        f"quotebot: error: --corpus: {article} is a file, not a folder of articles"
    )
