"""How long adding articles to a large index takes, against a full rebuild.

For each size (10,000 and 100,000 sentences by default) the script writes a corpus of SQuAD v1.1
dev paragraphs, four to an article (about 20 sentences each, the size of a news article); past
the 10,414 sentences of SQuAD dev it adds copies in which words are separated by two, three, ...
spaces, so that every sentence text is new to the vector cache while splitting and BM25 see the
same words. Then it times ``quotebot index build`` as a child process (``python -m bot``, from
process start to exit, as a user waits for it):

- *full rebuild*: empty caches, every sentence encoded (for sizes up to ``--full-max``; above
  that, an estimate from the measured encoding rate, marked as such);
- *first build, vectors cached* (sizes above ``--full-max``): nothing encoded, but no live
  index yet, so the HNSW graph (indexes of 25,000 sentences and more) is built from scratch:
  what every build cost before builds reused the live graph;
- *no change*: every vector and span cached, the live graph reused;
- *add 1* and *add 100*: new articles (SQuAD paragraphs with yet another spacing, so their
  vectors are really computed) written into the corpus, then the build;
- *remove 101*: those articles deleted again.

Each build reuses what the live index holds (vectors, traits, the HNSW graph: see
``embeddings/index_reuse.py``); its vector search (graph nodes, tombstones) goes to stderr.

To reach 100,000 sentences without hours of encoding, the copies' vectors are put into the
cache beforehand: each copy sentence gets the vector of the same words in single-spaced SQuAD
(measured at the 10,000 size); the builds then do everything a real one does except encoding
them. Each child gets ``QUOTEBOT_DATA_DIR`` in a temporary folder removed at the end.

    python benchmarks/incremental.py [--sizes 10000 100000] [--full-max 10500]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from embeddings.corpus import read_corpus
from embeddings.encoder import normalize_rows
from embeddings.index_store import read_manifest
from embeddings.model import resolve_model
from embeddings.squad import PARAGRAPH_SEPARATOR, load_squad, write_corpus
from embeddings.types import Document
from embeddings.vector_cache import VectorCache, vector_cache_dir

REPO = Path(__file__).resolve().parent.parent
SQUAD = REPO.parent / "shared" / "eval" / "squad-dev-v1.1.json"
PARAGRAPHS_PER_ARTICLE = 4


def articles(squad: Path, copy: int, prefix: str) -> list[Document]:
    """SQuAD dev in articles of four paragraphs; ``copy`` n separates words by n+1 spaces."""
    result = []
    for document in load_squad(squad).documents:
        paragraphs = document.text.split(PARAGRAPH_SEPARATOR)
        for start in range(0, len(paragraphs), PARAGRAPHS_PER_ARTICLE):
            text = PARAGRAPH_SEPARATOR.join(paragraphs[start : start + PARAGRAPHS_PER_ARTICLE])
            if copy:
                text = "\n".join(
                    (" " * (copy + 1)).join(line.split(" ")) for line in text.split("\n")
                )
            result.append(
                replace(
                    document,
                    id=f"{prefix}{document.id}-{copy}-{start}",
                    title=f"{document.title} ({copy}, {start})",
                    text=text,
                )
            )
    return result


Timing = tuple[float, float, float]  # wall seconds, CPU seconds, load average at the start


def timed_build(corpus: Path, index: Path, env: dict[str, str]) -> Timing:
    """Wall time and CPU time (user + system, the child alone) of one ``index build``, and
    the 1-minute load average when it started.

    On a shared machine the wall time includes waiting for a core; the CPU time does not.
    """
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "index",
            "build",
            "--corpus",
            str(corpus),
            "--index",
            str(index),
        ],
        check=True,
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    ann = read_manifest(index).ann
    print(
        f"  built: {wall:.1f} s, {cpu:.1f} s CPU, load {load:.1f}; vector search {ann}",
        file=sys.stderr,
    )
    return wall, cpu, load


def shown(timing: Timing) -> str:
    return f"{timing[0]:.1f} s ({timing[1]:.1f} s CPU, load {timing[2]:.1f})"


def seed_copies(corpus: Path, index: Path, copies: int) -> None:
    """Give every copy sentence the cached vector of the same words single-spaced."""
    from embeddings.index import split_documents

    spec = resolve_model("all-MiniLM-L6-v2")
    documents = read_corpus(corpus)
    texts = [sentence.text for sentence in split_documents(documents)]
    originals = {" ".join(text.split()): text for text in texts}
    rng = np.random.default_rng(0)  # sentences SQuAD lacks (none when the 10k size ran)
    with VectorCache(vector_cache_dir(index), spec.weights_sha256, 384) as cache:

        def lookup(batch: list[str]) -> np.ndarray:
            known, _ = cache.encode(
                [originals.get(" ".join(t.split()), t) for t in batch],
                lambda missing: normalize_rows(rng.standard_normal((len(missing), 384))),
            )
            return known

        cache.encode(texts, lookup)
    print(f"seeded vectors for {len(texts)} sentences ({copies} copies)", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--squad", type=Path, default=SQUAD)
    parser.add_argument("--full-max", type=int, default=10_500)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="quotebot-incremental-"))
    env = dict(os.environ, QUOTEBOT_DATA_DIR=str(root / "data"))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    rows = []
    rate: float | None = None
    try:
        base = root / "cache"  # one cache for every size: the 10k vectors seed the copies
        for size in sorted(args.sizes):
            copies = max(1, round(size / 10_414))
            corpus = root / f"corpus-{size}"
            write_corpus([a for c in range(copies) for a in articles(args.squad, c, "")], corpus)
            index = base / f"index-{size}"
            vectors_dir = vector_cache_dir(index)
            vectors_dir.mkdir(parents=True, exist_ok=True)
            for other in base.glob("index-*/vectors"):
                if other != vectors_dir:
                    for item in other.iterdir():
                        shutil.copy2(item, vectors_dir / item.name)
            full: str
            cached = "—"  # the full rebuild above is the first build
            if size <= args.full_max:
                shutil.rmtree(vectors_dir)
                timing = timed_build(corpus, index, env)
                sentences = read_manifest(index).sentence_count
                rate = sentences / timing[1]
                full = shown(timing)
            else:
                seed_copies(corpus, index, copies)
                cached = shown(timed_build(corpus, index, env))  # the graph built from scratch
                sentences = read_manifest(index).sentence_count
                full = f"~{sentences / rate:.0f} s CPU (estimate)" if rate else "not measured"
            unchanged = timed_build(corpus, index, env)
            new = articles(args.squad, copies + 7, "new-")
            write_corpus(new[:1], corpus)
            add_one = timed_build(corpus, index, env)
            write_corpus(new[1:101], corpus)
            add_hundred = timed_build(corpus, index, env)
            encoding = read_manifest(index).build_encoding
            for document in new[:101]:
                (corpus / f"{document.id}.md").unlink()
            remove = timed_build(corpus, index, env)
            rows.append(
                f"| {sentences:,} | {full} | {cached} | {shown(unchanged)} | {shown(add_one)} "
                f"| {shown(add_hundred)} | {shown(remove)} |"
            )
            print(rows[-1], file=sys.stderr)
            print(f"add 100: {encoding}", file=sys.stderr)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"{platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print(
        "| sentences | full rebuild | first build, vectors cached | no change | add 1 article "
        "| add 100 articles | remove 101 |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
