"""How fast saved pages become corpus articles: extraction alone, and extraction plus writing.

Measures this checkout on the saved pages of ``tests/data/pages`` (or a folder given with
``--pages``), each page extracted ``--rounds`` times, and prints a Markdown table. Nothing is
fetched: the network is not part of the number. A measurement, not a test.

    python benchmarks/ingest.py [--pages DIR] [--rounds N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from embeddings.ingest.errors import ExtractError
from embeddings.ingest.extract import extract_article
from embeddings.ingest.pipeline import Ingester

PAGES = Path(__file__).resolve().parent.parent / "tests" / "data" / "pages"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, default=PAGES)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    raw_pages = [(path, path.read_bytes()) for path in sorted(args.pages.glob("*.htm*"))]
    pages = [(path, raw.replace(b"{base}", b"https://news.example")) for path, raw in raw_pages]
    extract_article(pages[0][1], where="warm-up")
    extracted = refused = 0
    start = time.perf_counter()
    for _ in range(args.rounds):
        for path, page in pages:
            try:
                extract_article(page, where=str(path))
                extracted += 1
            except ExtractError:
                refused += 1
    extract_s = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "pages"
        folder.mkdir()
        count = 0
        for round_number in range(args.rounds):
            for path, raw in raw_pages:
                # A distinct address and text per copy: a new article each, not a duplicate.
                base = f"https://news{round_number}.example".encode()
                marker = f"</h1><p>Copy {round_number} of this story.</p>".encode()
                page = raw.replace(b"{base}", base).replace(b"</h1>", marker, 1)
                (folder / f"{round_number}-{path.name}").write_bytes(page)
                count += 1
        start = time.perf_counter()
        with Ingester(Path(scratch) / "corpus") as ingester:
            reports = list(ingester.add([str(folder)]))
        add_s = time.perf_counter() - start
    added = sum(report.status == "added" for report in reports)
    print("| step | pages | articles | seconds | pages/s |")
    print("|---|---|---|---|---|")
    print(
        f"| extract (trafilatura) | {extracted + refused} | {extracted} | {extract_s:.2f} |"
        f" {(extracted + refused) / extract_s:.0f} |"
    )
    print(
        f"| `quotebot add DIR` (extract + write) | {count} | {added} | {add_s:.2f} |"
        f" {count / add_s:.0f} |"
    )


if __name__ == "__main__":
    main()
