"""The progress bar of index builds: on a terminal only, so logs and pipes stay clean."""

from __future__ import annotations

import sys
from collections.abc import Callable


def progress_bar(total: int) -> Callable[[int], None]:
    """A progress bar on a terminal; nothing when stderr is a file or a pipe."""
    if not sys.stderr.isatty():
        return lambda done: None
    from tqdm import tqdm

    bar = tqdm(total=total, unit="sentence", desc="Encoding", file=sys.stderr, leave=False)

    def update(done: int) -> None:
        bar.update(done)
        if bar.n >= total:
            bar.close()

    return update
