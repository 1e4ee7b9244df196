"""Measure what users feel: index build speed, query latency, cold start and memory.

Run from anywhere (it finds the repository from its own path)::

    python benchmarks/bench.py [--squad PATH] [--skip-squad] [--runs N] [--queries N]

It prints a Markdown table (stdout) for two corpora, the bundled QHA articles and the SQuAD v1.1
dev paragraphs written out as a corpus (about 10,000 sentences), with the machine it ran on.
Progress goes to stderr. Every process runs with ``QUOTEBOT_DATA_DIR`` and its indexes in a
temporary directory, so nothing of the user's own data is read or changed.

What each number means is in ``benchmarks/README.md``. It is a measurement, never a test: it
asserts nothing about speed, it only reports.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BUNDLED_CORPUS = REPO / "corpus"
DEFAULT_SQUAD = REPO.parent / "shared" / "eval" / "squad-dev-v1.1.json"
MODEL = "all-MiniLM-L6-v2"
TOP_K = 3  # what `quotebot ask` shows by default
WARMUP_QUERIES = 10
BUILD_TIMEOUT_S = 3600.0
# A cold ask takes seconds; one that runs for minutes is rebuilding the index.
ASK_TIMEOUT_S = 120.0
TARGET_WARM_P50_MS = 20.0
TARGET_COLD_START_S = 3.0

# The engine is imported from this checkout, not from whatever quotebot is installed.
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

# Questions a reader of the bundled articles might ask, in their own words; cycled for timing.
BUNDLED_QUESTIONS = (
    "How many political prisoners are held in Crimea?",
    "How many people are held in custody in Crimea?",
    "Why were these people arrested?",
    "What share of the detainees are Crimean Tatars?",
    "What percentage of Crimea's population are Crimean Tatars?",
    "Why are Crimean Tatars arrested more than others?",
    "How are the children of prisoners helped?",
    "How much money does each child get every month?",
    "How many children have fathers in prison?",
    "Who runs the aid organisation in Crimea?",
    "Who is Mustafa Dzhemilev?",
    "Which agency interviewed Dzhemilev?",
    "Why was Ilmi Umerov sent to a psychiatric clinic?",
    "Who is Ilmi Umerov?",
    "What did the banner in Kyiv say?",
    "Where was the solidarity banner displayed?",
    "How do people help pay the fines?",
    "How large are the fines imposed on Crimean Tatars?",
    "What happens to people who protest the occupation?",
    "Who considers the children of prisoners their own?",
)


class BenchError(Exception):
    """A step could not be measured; the message says which and why."""


@dataclass(frozen=True)
class ProcessRun:
    """One finished child process: exit status, wall time and its own peak memory."""

    returncode: int
    wall_s: float
    peak_rss_mib: float
    stdout: str
    stderr: str


@dataclass(frozen=True)
class CorpusResult:
    name: str
    sentences: int
    build_s: float
    build_peak_mib: float
    warm_p50_ms: float
    warm_p99_ms: float
    encode_p50_ms: float
    queries: int
    cold_median_s: float
    cold_max_s: float
    cold_runs: int
    ask_peak_mib: float

    @property
    def throughput(self) -> float:
        return self.sentences / self.build_s if self.build_s > 0 else float("nan")


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def child_env(data_dir: Path) -> dict[str, str]:
    """The environment of every quotebot child: isolated data, offline, this checkout."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("QUOTEBOT_", "TELEGRAM_"))
    }
    env["QUOTEBOT_DATA_DIR"] = str(data_dir)
    env["HF_HUB_OFFLINE"] = "1"
    env["TRANSFORMERS_OFFLINE"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def _maxrss_mib(maxrss: int) -> float:
    # ru_maxrss is in KiB on Linux and in bytes on macOS.
    scale = 1 if sys.platform == "darwin" else 1024
    return maxrss * scale / (1024 * 1024)


# Linux gives an exec'd child the peak RSS of the process it was forked from (exec keeps the
# larger of the two high-water marks), so a child forked straight from a benchmark that holds
# a gigabyte reports a gigabyte whatever it used. This launcher is a fresh small interpreter:
# the command is forked from it, and it reports that grandchild's own usage on fd 3.
_LAUNCHER = """
import os, sys, time
report = int(sys.argv[1])
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.close(report)
    try:
        os.execvpe(sys.argv[2], sys.argv[2:], os.environ)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - started
os.write(report, f"{wall} {usage.ru_maxrss}".encode())
sys.exit(os.waitstatus_to_exitcode(status) % 256)
"""


def run_process(args: Sequence[str], env: dict[str, str], timeout_s: float) -> ProcessRun:
    """Run a child and measure it alone: wall time and its own peak memory.

    A small launcher forks the command and reports ``os.wait4``'s usage of exactly that
    process (see ``_LAUNCHER`` for why the benchmark cannot fork it itself), unlike
    ``getrusage(RUSAGE_CHILDREN)``, which keeps the maximum over every child ever waited for.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        read_end, write_end = os.pipe()
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-S", "-c", _LAUNCHER, str(write_end), *args],
            stdout=out,
            stderr=err,
            env=env,
            cwd=REPO,
            pass_fds=(write_end,),
            start_new_session=True,  # a timeout stops the launcher and the command alike
        )
        os.close(write_end)
        killer = threading.Timer(timeout_s, os.killpg, (process.pid, signal.SIGKILL))
        killer.start()
        try:
            with os.fdopen(read_end, "rb") as report:
                measured = report.read().decode("ascii").strip()
            returncode = process.wait()
        finally:
            killer.cancel()
        wall = time.perf_counter() - started
        peak_kib = 0
        if measured:  # the launcher was killed (timeout) before it could report
            wall_text, peak_text = measured.split()
            wall, peak_kib = float(wall_text), int(peak_text)
        out.seek(0)
        err.seek(0)
        return ProcessRun(
            returncode=returncode,
            wall_s=wall,
            peak_rss_mib=_maxrss_mib(peak_kib),
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
        )


def quotebot(*args: str) -> list[str]:
    """``quotebot ARGS`` as this checkout runs it (``python -m bot`` is the same entry point)."""
    return [sys.executable, "-m", "bot", *args]


def _check(run: ProcessRun, what: str, timeout_s: float) -> ProcessRun:
    if run.wall_s >= timeout_s:
        raise BenchError(f"{what} ran past {timeout_s:.0f} s and was stopped")
    if run.returncode != 0:
        tail = " | ".join(run.stderr.strip().splitlines()[-3:]) or "no output"
        raise BenchError(f"{what} exited with {run.returncode}: {tail}")
    return run


def live_build(index: Path) -> str:
    """The name of the index's live build: it changes only when the index is rebuilt."""
    from embeddings.index_store import current_build

    return current_build(index).name


def _ensure_not_rebuilt(index: Path, built: str, what: str) -> None:
    """Refuse numbers measured on a rebuild instead of a query.

    ``quotebot ask`` rebuilds a stale index on its own; when the engine's code changes while
    the benchmark runs (a new index format, a new splitter), a "cold start" would silently
    time a whole build.
    """
    if live_build(index) != built:
        raise BenchError(
            f"{what} rebuilt the index: the engine or the corpus changed while the benchmark "
            "ran; run it again"
        )


def percentile(samples: Sequence[float], fraction: float) -> float:
    """Linear-interpolated percentile (numpy's default), without needing numpy here."""
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def warm_latencies(
    corpus: Path, index: Path, questions: Sequence[str]
) -> tuple[list[float], list[float]]:
    """Seconds per ``Searcher.search`` on a loaded searcher, after a warm-up, and seconds per
    encoding of the question alone (the part of a search that does not grow with the corpus).
    """
    from embeddings.errors import QuestionError
    from embeddings.service import open_searcher

    searcher = open_searcher(corpus, index, MODEL)
    for question in questions[:WARMUP_QUERIES]:
        searcher.search(question, TOP_K)
    timings: list[float] = []
    for question in questions:
        started = time.perf_counter()
        try:
            searcher.search(question, TOP_K)
        except QuestionError:
            continue  # a question the service refuses is not a search; leave it out
        timings.append(time.perf_counter() - started)
    if not timings:
        raise BenchError("no question could be searched")
    encodings: list[float] = []
    encoder = getattr(searcher, "encoder", None)
    if encoder is not None:
        for question in questions:
            started = time.perf_counter()
            encoder.encode([question])
            encodings.append(time.perf_counter() - started)
    return timings, encodings


def measure(
    name: str,
    corpus: Path,
    questions: Sequence[str],
    work: Path,
    runs: int,
) -> CorpusResult:
    """Build an index of ``corpus`` from scratch and time everything a user waits for."""
    from embeddings.index_store import read_manifest

    index = work / "index"
    env = child_env(work / "data")
    log(f"{name}: building the index (quotebot index build)...")
    build = _check(
        run_process(
            quotebot("index", "build", "--corpus", str(corpus), "--index", str(index)),
            env,
            BUILD_TIMEOUT_S,
        ),
        "quotebot index build",
        BUILD_TIMEOUT_S,
    )
    sentences = read_manifest(index).sentence_count
    built = live_build(index)
    log(f"{name}: {sentences} sentences in {build.wall_s:.1f} s")

    log(f"{name}: timing {len(questions)} warm queries in process...")
    timings, encodings = warm_latencies(corpus, index, questions)
    _ensure_not_rebuilt(index, built, "opening the searcher")

    cold: list[ProcessRun] = []
    for run in range(runs):
        log(f"{name}: cold start {run + 1}/{runs} (quotebot ask)...")
        ask = _check(
            run_process(
                quotebot("ask", questions[0], "--corpus", str(corpus), "--index", str(index)),
                env,
                ASK_TIMEOUT_S,
            ),
            "quotebot ask",
            ASK_TIMEOUT_S,
        )
        _ensure_not_rebuilt(index, built, "quotebot ask")
        if not ask.stdout.strip():
            raise BenchError("quotebot ask printed no answer")
        cold.append(ask)
    walls = [ask.wall_s for ask in cold]
    return CorpusResult(
        name=name,
        sentences=sentences,
        build_s=build.wall_s,
        build_peak_mib=build.peak_rss_mib,
        warm_p50_ms=percentile(timings, 0.50) * 1000,
        warm_p99_ms=percentile(timings, 0.99) * 1000,
        encode_p50_ms=percentile(encodings, 0.50) * 1000,
        queries=len(timings),
        cold_median_s=statistics.median(walls),
        cold_max_s=max(walls),
        cold_runs=len(walls),
        ask_peak_mib=max(ask.peak_rss_mib for ask in cold),
    )


def squad_corpus(path: Path, directory: Path, count: int) -> tuple[Path, list[str]]:
    """Write the SQuAD articles as a corpus; pick ``count`` questions spread over the file."""
    from embeddings.squad import load_squad, write_corpus

    squad = load_squad(path)
    write_corpus(squad.documents, directory)
    step = max(1, len(squad.questions) // max(count, 1))
    questions = [question.question for question in squad.questions[::step]][:count]
    return directory, questions


def cycled(questions: Sequence[str], count: int) -> list[str]:
    return [questions[n % len(questions)] for n in range(count)]


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine() or "unknown"


def _memory_gib() -> str:
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / (1024 * 1024):.1f} GiB"
    return "unknown"


def _load_average() -> str:
    try:
        return " / ".join(f"{value:.2f}" for value in os.getloadavg()) + " (1 / 5 / 15 min)"
    except OSError:
        return "unknown"


def machine_lines() -> list[str]:
    """The machine, so that numbers from different machines are never compared blindly."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    cores = f"{os.cpu_count()}" + (f" ({usable} usable)" if usable != os.cpu_count() else "")
    return [
        f"- CPU: {_cpu_model()}, {cores} logical cores",
        f"- RAM: {_memory_gib()}",
        f"- OS: {platform.platform()}",
        f"- Python {platform.python_version()}, torch {_version('torch')}, "
        f"onnxruntime {_version('onnxruntime')}, faiss-cpu {_version('faiss-cpu')}, "
        f"sentence-transformers {_version('sentence-transformers')}",
        f"- Load average when the table was printed (other work competes for the CPU): "
        f"{_load_average()}",
    ]


def render(results: Sequence[CorpusResult], failures: dict[str, str], runs: int) -> str:
    header = (
        "| corpus | sentences | index build | build throughput | build peak RSS "
        "| warm query p50 | warm query p99 | cold start `ask` (median / max) | `ask` peak RSS |"
    )
    lines = [
        "Machine:",
        *machine_lines(),
        "",
        header,
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        lines.append(
            f"| {result.name} | {result.sentences:,} | {result.build_s:.1f} s "
            f"| {result.throughput:.0f} sentences/s | {result.build_peak_mib:.0f} MiB "
            f"| {result.warm_p50_ms:.1f} ms | {result.warm_p99_ms:.1f} ms "
            f"| {result.cold_median_s:.2f} s / {result.cold_max_s:.2f} s "
            f"| {result.ask_peak_mib:.0f} MiB |"
        )
    for name, reason in failures.items():
        lines.append(f"| {name} | failed: {reason} |" + " |" * 7)
    queries = ", ".join(
        f"{result.name}: {result.queries}, of which encoding the question p50 "
        f"{result.encode_p50_ms:.1f} ms"
        for result in results
    )
    lines += [
        "",
        f"Warm queries timed: {queries or 'none'} (top-{TOP_K}, after {WARMUP_QUERIES} "
        f"warm-up queries). Cold start: {runs} runs of `quotebot ask QUESTION` once the index "
        "exists. Build time and throughput include process start and model loading"
        f"{_marginal_throughput(results)}.",
        f"Targets: warm p50 < {TARGET_WARM_P50_MS:.0f} ms on ~10,000 sentences; "
        f"cold start < {TARGET_COLD_START_S:.0f} s.",
    ]
    return "\n".join(lines)


def _marginal_throughput(results: Sequence[CorpusResult]) -> str:
    """Encoding speed without the fixed costs of a build, from the two corpora's difference."""
    if len(results) < 2:
        return ""
    small, large = sorted(results, key=lambda result: result.sentences)[:: len(results) - 1]
    extra_s = large.build_s - small.build_s
    if large.sentences <= small.sentences or extra_s <= 0:
        return ""
    fixed_s = small.build_s - small.sentences * extra_s / (large.sentences - small.sentences)
    rate = (large.sentences - small.sentences) / extra_s
    return (
        f"; without them (from the difference between the two builds) encoding runs at "
        f"{rate:.0f} sentences/s after about {max(fixed_s, 0):.0f} s of fixed costs"
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Measure quotebot's index build, query latency, cold start and memory; "
        "print a Markdown table."
    )
    parser.add_argument(
        "--squad",
        type=Path,
        default=DEFAULT_SQUAD,
        metavar="PATH",
        help=f"SQuAD v1.1 JSON whose paragraphs form the large corpus (default: {DEFAULT_SQUAD})",
    )
    parser.add_argument(
        "--skip-squad", action="store_true", help="measure the bundled corpus only"
    )
    parser.add_argument(
        "--runs", type=int, default=5, metavar="N", help="cold-start runs (default 5)"
    )
    parser.add_argument(
        "--queries", type=int, default=200, metavar="N", help="warm queries timed (default 200)"
    )
    args = parser.parse_args(argv)
    if args.runs < 1 or args.queries < 1:
        parser.error("--runs and --queries must be at least 1")
    if not args.skip_squad and not args.squad.is_file():
        parser.error(f"no SQuAD file at {args.squad} (give --squad PATH or --skip-squad)")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    results: list[CorpusResult] = []
    failures: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="quotebot-bench-") as temporary:
        work = Path(temporary)
        plans: list[tuple[str, Path | None, list[str]]] = [
            ("bundled (QHA)", BUNDLED_CORPUS, cycled(BUNDLED_QUESTIONS, args.queries))
        ]
        if not args.skip_squad:
            plans.append(("SQuAD v1.1 dev", None, []))
        for number, (name, corpus, questions) in enumerate(plans):
            run_dir = work / f"run-{number}"
            run_dir.mkdir()
            try:
                if corpus is None:
                    corpus, questions = squad_corpus(args.squad, run_dir / "corpus", args.queries)
                results.append(measure(name, corpus, questions, run_dir, args.runs))
            except Exception as error:  # report the step that failed, measure the rest
                reason = " ".join(str(error).split()) or type(error).__name__
                log(f"{name}: FAILED: {reason}")
                failures[name] = reason
    print(render(results, failures, args.runs))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
