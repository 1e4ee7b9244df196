"""Build progress off a terminal (issue 11 finding 8): a 31k-sentence build printed nothing for
almost 8 minutes into a log. Lines now come every tenth of the work or every 30 s. The clock is
a counter the test advances, not the wall clock."""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli.progress import progress_bar, progress_lines
from tests.cli_runner import run_main

LINE = re.compile(r"encoding: ([\d,]+) of ([\d,]+) sentences \((\d+)%\), (\d+) s")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def run(total: int, batch: int, seconds_per_batch: float) -> list[tuple[int, int, int, int]]:
    clock, stream = Clock(), io.StringIO()
    update: Callable[[int], None] = progress_lines(total, stream, clock=clock)
    done = 0
    while done < total:
        step = min(batch, total - done)
        clock.now += seconds_per_batch
        update(step)
        done += step
    lines = stream.getvalue().splitlines()
    parsed = [LINE.fullmatch(line) for line in lines]
    assert all(parsed), lines
    return [
        (int(m[1].replace(",", "")), int(m[2].replace(",", "")), int(m[3]), int(m[4]))
        for m in parsed
        if m
    ]


def test_a_long_build_prints_a_line_every_tenth_of_the_work() -> None:
    lines = run(total=31_242, batch=32, seconds_per_batch=0.1)  # 98 s: a tenth every 10 s
    assert [percent for _, _, percent, _ in lines] == [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    assert lines[-1][:2] == (31_242, 31_242)
    assert all(total == 31_242 for _, total, _, _ in lines)


def test_a_slow_build_prints_at_least_every_30_seconds() -> None:
    lines = run(total=1_000, batch=1, seconds_per_batch=3)  # 3000 s, a tenth every 300 s
    seconds = [elapsed for *_, elapsed in lines]
    assert seconds[:3] == [30, 60, 90]
    assert all(b - a == 30 for a, b in itertools.pairwise(seconds))
    assert lines[-1][:3] == (1_000, 1_000, 100)


def test_a_small_fast_build_prints_nothing() -> None:
    assert run(total=60, batch=32, seconds_per_batch=0.5) == []


def test_off_a_terminal_the_build_progress_goes_to_stderr_as_lines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    update = progress_bar(10)  # stderr is captured: not a terminal
    update(10)
    assert capsys.readouterr().err == ""  # done at once: nothing to say, and no bar codes


@pytest.mark.integration
@pytest.mark.usefixtures("isolated_env")
def test_a_first_large_build_says_it_measures_the_encoders_before_its_progress_lines(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """nu11b #5: the measurement of the build encoders (about 50 s) printed nothing before the
    first progress line when stderr is a log. It now says so when it starts, and the choice."""
    import embeddings.build_encoder

    monkeypatch.setattr(embeddings.build_encoder, "SAMPLE_SIZE", 16)  # the same path, faster
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for article in range(6):
        body = " ".join(
            f"Harbour report {article}-{n} counted {n * 7 + article} boats near pier {n}."
            for n in range(100)
        )
        (corpus / f"report-{article}.md").write_text(
            f'---\ntitle: "Report {article}"\nsource: Test Desk\nlanguage: en\n---\n{body}\n',
            encoding="utf-8",
        )
    code, out, err = run_main(
        capsys, "index", "build", "--corpus", str(corpus), "--index", str(tmp_path / "index")
    )
    assert code == 0, err
    assert out.startswith("indexed 600 sentences")
    lines = err.splitlines()
    assert lines[0] == "measuring the build encoders on this machine (once)..."
    assert lines[1].startswith("build encoder: ")
    # Measured once: the next large build takes the recorded choice and says nothing of it.
    for path in corpus.iterdir():
        path.write_text(path.read_text(encoding="utf-8").replace("boats", "ships"), "utf-8")
    code, _, err = run_main(
        capsys, "index", "build", "--corpus", str(corpus), "--index", str(tmp_path / "index")
    )
    assert code == 0, err
    assert "measuring" not in err
