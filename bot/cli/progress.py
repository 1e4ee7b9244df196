"""The progress of index builds: a bar on a terminal, plain lines elsewhere.

An archive build encodes for many minutes; with stderr in a log (``docker compose logs
index``, a pipe, a file) a bar's carriage returns would be noise, but silence for minutes looks
like a hang. So off a terminal one line is printed every tenth of the work or every 30 seconds,
whichever comes first, none in the first 5 seconds and never two within 5 seconds (a small
corpus encodes in a second or two and prints nothing), and a last line at the end when any was
printed.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

LINE_EVERY_SECONDS = 30.0
LINE_EVERY_TENTHS = 1  # of the work
QUIET_SECONDS = 5.0


def progress_bar(total: int) -> Callable[[int], None]:
    """A progress bar on a terminal; progress lines when stderr is a file or a pipe."""
    if not sys.stderr.isatty():
        return progress_lines(total, sys.stderr)
    from tqdm import tqdm

    bar = tqdm(total=total, unit="sentence", desc="Encoding", file=sys.stderr, leave=False)

    def update(done: int) -> None:
        bar.update(done)
        if bar.n >= total:
            bar.close()

    return update


def progress_lines(
    total: int, stream: TextIO, clock: Callable[[], float] = time.monotonic
) -> Callable[[int], None]:
    """``update(done)`` (sentences just encoded) that prints ``encoding: N of TOTAL sentences
    (P%), S s`` every tenth of ``total`` or every 30 s, and at the end if it printed before."""
    started = clock()
    state = {"done": 0, "printed_at": started, "next_tenth": LINE_EVERY_TENTHS, "lines": 0}

    def update(done: int) -> None:
        state["done"] += done
        now = clock()
        count = int(state["done"])
        finished = count >= total
        share = count / total if total else 1.0
        quiet = now - state["printed_at"] < QUIET_SECONDS
        tenths = count * 10 // total if total else 10  # whole tenths done, no float drift
        due = tenths >= state["next_tenth"] or now - state["printed_at"] >= LINE_EVERY_SECONDS
        if not ((finished and state["lines"]) or (due and not quiet)):
            return
        print(
            f"encoding: {count:,} of {total:,} sentences ({share:.0%}), {now - started:.0f} s",
            file=stream,
            flush=True,
        )
        state["printed_at"] = now
        state["lines"] += 1
        while state["next_tenth"] <= tenths:
            state["next_tenth"] += LINE_EVERY_TENTHS

    return update
