"""The index at scale: 100,000 and 1,000,000 sentences (issue 11). A measurement, not a test.

    python benchmarks/scale.py                        # 100k and 1M, indexes kept in /tmp
    python benchmarks/scale.py --sizes 100000 --queries 300 --runs 5

What the corpora are (say so wherever a number from here is quoted):

- the text is real: the articles of SQuAD v1.1 dev and SelQA dev (18,598 sentences), written
  out as corpus files, **repeated** (copy ``c`` of an article gets the id ``ID--cC``, same title
  and text) until the corpus holds the requested number of sentences;
- the vectors are real for copy 0 (the all-MiniLM-L6-v2 vectors of benchmarks/vector_cache.py)
  and **perturbed** for every other copy: ``normalise(v + noise)`` with Gaussian noise scaled so
  that a copy's cosine to its original is about 0.95, because encoding a million sentences
  takes hours on two cores. Repeated sentences make exact and approximate search harder to tell
  apart (near-duplicates crowd every top-10), so recall here is if anything pessimistic.

Each index is written once under ``--root`` (default /tmp/quotebot-scale) as ``quotebot index
build`` would leave it (manifest naming the real model, corpus fingerprint, shared ONNX query
encoder) and reused by later runs. Measured, each in its own process where it matters:

- load: ``load_index`` + ``searcher_for`` in a fresh process (imports excluded);
- warm query p50/p99: ``Searcher.search(question, 3)`` on real SQuAD dev questions, in that
  process, once it has mapped the index in as ``quotebot run`` does (``keep_resident``; its
  time and the MiB made resident are reported) and after 10 warm-up queries, wall time and
  CPU time (``time.process_time``, which other work on a shared machine inflates less);
  with the share of the lexical side (``lexical_evidence``) and of the encoder; the page
  faults per question (minor / major, ``getrusage``); RSS: that process's peak resident
  memory (what a bot replica holds); the 1-minute load average of the machine while it ran;
- ``--results DIR`` writes those questions' top-10 ids and scores, ``--compare-results DIR``
  says whether they are identical to an earlier run's (a performance change must not move
  them);
- cold ``ask``: ``python -m bot ask Q --corpus C --index I`` from process start to exit
  (median and max over ``--runs``), and its peak RSS;
- recall@10: the dense top-10 the fusion receives (the best 10 of its 100 candidates, re-scored
  exactly) against an exact scan of the same vectors, averaged over the questions;
- P@1: the first quote's sentence holds a gold answer (SQuAD dev and SelQA dev questions, real
  question vectors), ranked over the approximate index and over the exact scan.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from bench import child_env, machine_lines, percentile, quotebot, run_process

REPO = Path(__file__).resolve().parent.parent
EVAL = REPO.parent / "shared" / "eval"
DEFAULT_ROOT = Path("/tmp/quotebot-scale")
INDEX_NAME = "scale"
COPY_COSINE = 0.95  # cosine of a perturbed copy's vector to its original
WARMUP = 10
Matrix = npt.NDArray[np.float32]


def log(message: str) -> None:
    print(f"[scale] {message}", file=sys.stderr, flush=True)


# --- building --------------------------------------------------------------------------------


def _base_documents() -> list[Any]:
    from embeddings.answer_sets import selqa_answer_set
    from embeddings.squad import load_squad

    squad = load_squad(EVAL / "squad-dev-v1.1.json")
    selqa, _ = selqa_answer_set(EVAL / "selqa-ass-dev.json")
    return [*squad.documents, *selqa]


def _perturbed(vectors: Matrix, seed: int) -> Matrix:
    """Copies whose cosine to the originals is about COPY_COSINE (unit noise of norm eps)."""
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal(vectors.shape).astype(np.float32)
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    eps = math.tan(math.acos(COPY_COSINE))  # v + eps*u with u orthogonal-ish: cos = 1/sqrt(1+e^2)
    out = vectors + eps * noise
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out.astype(np.float32)


def prepare(size: int, root: Path, rebuild: bool = False) -> tuple[Path, Path, Path]:
    """The corpus, data folder and index of ``size`` sentences, built unless already there.

    A cached index this code cannot read (another format) is rebuilt only with ``rebuild``:
    the million-sentence build takes about 20 minutes and 6 GB.
    """
    from embeddings.corpus import read_corpus
    from embeddings.index import build_index, split_documents
    from embeddings.index_store import CURRENT_FILE, read_manifest
    from embeddings.squad import write_corpus

    home = root / str(size)
    corpus, data = home / "corpus", home / "data"
    index = data / "indexes" / INDEX_NAME
    if (index / CURRENT_FILE).exists():
        upgrade_speakers(index, corpus)
        try:
            manifest = read_manifest(index)
            log(f"reusing {index} ({manifest.sentence_count:,} sentences)")
            return corpus, data, index
        except Exception as error:  # another format: build again, when asked to
            if not rebuild:
                raise SystemExit(
                    f"[scale] {index} cannot be read ({error}); pass --rebuild to delete and "
                    "rebuild it, or --root for another folder"
                ) from None
            log(f"rebuilding {index}: {error}")
    shutil.rmtree(home, ignore_errors=True)
    started = time.perf_counter()
    base = _base_documents()
    base_sentences = split_documents(base)
    per_copy = len(base_sentences)
    copies = math.ceil(size / per_copy)
    # Whole articles until the size is reached.
    counts = np.bincount([s.doc for s in base_sentences], minlength=len(base))
    documents, total = [], 0
    for copy in range(copies):
        for n, document in enumerate(base):
            if total >= size:
                break
            documents.append(
                replace(document, id=document.id if copy == 0 else f"{document.id}--c{copy}")
            )
            total += int(counts[n])
    write_corpus(documents, corpus)
    log(f"wrote {len(documents):,} articles ({total:,} sentences) in {corpus}")
    read = read_corpus(corpus)
    spans: dict[tuple[str, str | None], list[tuple[int, int, int]]] = {}
    for s in base_sentences:
        spans.setdefault((base[s.doc].text, base[s.doc].language), []).append(
            (s.position, s.start, s.end)
        )
    from embeddings.types import Sentence

    def split(docs: Sequence[Any]) -> tuple[Sentence, ...]:
        out = []
        for number, document in enumerate(docs):
            known = spans.get((document.text, document.language))
            if known is None:  # not one of the base texts (never expected): split it
                known = [(s.position, s.start, s.end) for s in split_documents([document])]
            for position, start, end in known:
                out.append(Sentence(number, position, start, end, document.text[start:end]))
        return tuple(out)

    sys.path.insert(0, str(REPO / "benchmarks"))
    from vector_cache import VectorCache

    cache = VectorCache()
    copy_of = [0 if "--c" not in d.id else int(d.id.rsplit("--c", 1)[1]) for d in read]

    sentences = split(read)
    copy_rows = np.array([copy_of[s.doc] for s in sentences], dtype=np.int64)
    vectors = cache.encode([s.text for s in sentences])
    for copy in range(1, int(copy_rows.max(initial=0)) + 1):
        rows = copy_rows == copy
        vectors[rows] = _perturbed(vectors[rows], seed=copy)

    class Precomputed:
        """The vectors above, handed to ``build_index`` as an encoder would."""

        dimension = 384

        def encode(self, texts: Sequence[str]) -> Matrix:
            if len(texts) != len(vectors):
                raise ValueError("texts and vectors disagree")
            return vectors

    encoder = Precomputed()
    log("building the index (HNSW above the threshold; minutes at a million)")
    built = build_index(read, encoder, split=lambda _: sentences)
    log(f"index built in memory in {time.perf_counter() - started:.0f} s; writing")
    _write(built, index, corpus)
    log(f"index ready in {time.perf_counter() - started:.0f} s")
    return corpus, data, index


def upgrade_speakers(index: Path, corpus: Path) -> None:
    """A cached format-6 index given format 7's speaker tables in place: the speakers are
    computed from its own tables (as a build computes them) and the manifest rewritten (a new
    file: a hard-linked older copy keeps its own); vectors, graph and BM25 are unchanged, so
    nothing is re-encoded. Logs what computing the speakers cost."""
    from embeddings.index_store import CURRENT_FILE, FORMAT_VERSION
    from embeddings.index_tables import (
        DOCUMENT_OFFSETS_FILE,
        DOCUMENTS_FILE,
        SENTENCES_FILE,
        TEXT_OFFSETS_FILE,
        TEXTS_FILE,
        DocumentTable,
    )
    from embeddings.service import corpus_fingerprint
    from embeddings.speaker_table import (
        SPEAKER_KEYS_FILE,
        SPEAKER_NAME_OFFSETS_FILE,
        SPEAKER_NAMES_FILE,
        SPEAKERS_FILE,
        save_speakers,
    )
    from embeddings.stamps import sha256_file

    build = index / "builds" / (index / CURRENT_FILE).read_text(encoding="utf-8").strip()
    manifest_path = build / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("format_version") != 6 or FORMAT_VERSION != 7:
        return

    def mapped(name: str) -> Any:
        return np.asarray(np.memmap(build / name, dtype=np.uint8, mode="r"))

    documents = DocumentTable(
        mapped(TEXTS_FILE),
        np.load(build / TEXT_OFFSETS_FILE),
        mapped(DOCUMENTS_FILE),
        np.load(build / DOCUMENT_OFFSETS_FILE),
    )
    spans = np.load(build / SENTENCES_FILE)
    started, cpu = time.perf_counter(), time.process_time()
    read = save_speakers(build, documents, spans)
    log(
        f"speakers of {len(documents):,} articles ({read:,} distinct read) in "
        f"{time.perf_counter() - started:.1f} s ({time.process_time() - cpu:.1f} s CPU)"
    )
    for name in (SPEAKERS_FILE, SPEAKER_NAMES_FILE, SPEAKER_NAME_OFFSETS_FILE, SPEAKER_KEYS_FILE):
        stat = (build / name).stat()
        manifest["files"][name] = sha256_file(build / name)
        manifest["sizes"][name] = stat.st_size
        manifest["mtimes"][name] = stat.st_mtime_ns
    manifest["format_version"] = FORMAT_VERSION
    manifest["corpus_fingerprint"] = corpus_fingerprint(corpus)  # its code names the format
    staging = build / "manifest.json.new"
    staging.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    staging.replace(manifest_path)
    log(f"{index}: format 6 upgraded to {FORMAT_VERSION} (speaker tables added)")


def _write(built: Any, index: Path, corpus: Path) -> None:
    """As ``quotebot index build`` leaves it: the real model named, an ONNX query encoder."""

    from embeddings.encoder_store import encoder_store_dir, store_encoder
    from embeddings.index_store import write_index
    from embeddings.model import DEFAULT_MODEL, SentenceTransformerEncoder, resolve_model
    from embeddings.onnx_encoder import export_onnx
    from embeddings.service import corpus_fingerprint, manifest_for

    spec = resolve_model(DEFAULT_MODEL)
    store = encoder_store_dir(index)
    model = SentenceTransformerEncoder(spec).model
    encoder_dir = store_encoder(
        store, spec.weights_sha256, lambda staging: export_onnx(model, staging)
    )
    manifest = manifest_for(spec, built, corpus, corpus_fingerprint(corpus), encoder_dir)
    write_index(built, index, manifest)


# --- measuring -------------------------------------------------------------------------------


def _questions(limit: int) -> list[str]:
    from embeddings.squad import load_squad

    questions = [q.question for q in load_squad(EVAL / "squad-dev-v1.1.json").questions]
    step = max(1, len(questions) // limit)
    return questions[::step][:limit]


def serve(
    index: Path, queries: int, exact: bool, ef_search: int | None, results: Path | None = None
) -> dict[str, float]:
    """In this (fresh) process: load, then time warm queries; RSS at the end.

    Wall time per query and CPU time (``time.process_time``: this process only, so it suffers
    less from other work on a shared machine). With ``results``, the top 10 ids and scores of
    every timed question are written there as JSON (``--compare-results`` reads them).
    """
    from embeddings.index_store import load_index
    from embeddings.lexical import lexical_evidence
    from embeddings.service import searcher_for
    from embeddings.vector_store import VectorStore

    questions = _questions(queries + WARMUP)
    started = time.perf_counter()
    stored = load_index(index, ef_search=ef_search)
    if exact:
        stored = replace(
            stored, index=replace(stored.index, vectors=VectorStore(stored.index.vectors.matrix))
        )
    searcher = searcher_for(stored)
    load_s = time.perf_counter() - started
    # As `quotebot run` does: the index's files mapped in once, in the background; a bot
    # answers meanwhile, but the warm queries below are timed once it is done.
    warming = searcher.keep_resident()
    if warming is not None:
        warming.wait()
    for question in questions[:WARMUP]:
        searcher.search(question, 3)
    timings, cpu, lexical, encoding = [], [], [], []
    minor, major = [], []
    for question in questions[WARMUP:]:
        before = resource.getrusage(resource.RUSAGE_SELF)
        t0, c0 = time.perf_counter(), time.process_time()
        searcher.search(question, 3)
        timings.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        after = resource.getrusage(resource.RUSAGE_SELF)
        minor.append(after.ru_minflt - before.ru_minflt)
        major.append(after.ru_majflt - before.ru_majflt)
        t0 = time.perf_counter()
        lexical_evidence(stored.index.lexical, stored.index.lexical_window, question)
        lexical.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        searcher.encoder.encode([question])
        encoding.append(time.perf_counter() - t0)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rss_now = _current_rss_mib()
    checked = differ = 0
    if results is not None:
        top = []
        for question in questions[WARMUP:]:
            ranking = searcher.rank(question, searcher.encoder.encode([question])[0])
            quotes = searcher.search(question, 3).quotes
            read = _speakers_read(stored.index, ranking, 3)
            checked += len(quotes)
            differ += sum(q.speaker != r for q, r in zip(quotes, read, strict=True))
            differ += abs(len(quotes) - len(read))
            top.append(
                {
                    "question": question,
                    "ids": ranking.ids[:10].tolist(),
                    "scores": [float(score) for score in ranking.fused[:10]],
                    "speakers": [quote.speaker for quote in quotes],
                }
            )
        results.write_text(json.dumps(top), encoding="utf-8")
    return {
        "load_s": load_s,
        "p50_ms": 1000 * percentile(timings, 0.5),
        "p99_ms": 1000 * percentile(timings, 0.99),
        "cpu_p50_ms": 1000 * percentile(cpu, 0.5),
        "cpu_p99_ms": 1000 * percentile(cpu, 0.99),
        "lexical_p50_ms": 1000 * percentile(lexical, 0.5),
        "encode_p50_ms": 1000 * percentile(encoding, 0.5),
        "rss_mib": rss,
        "rss_now_mib": rss_now,
        "warm_s": warming.seconds if warming is not None else 0.0,
        "warm_mib": (warming.resident_bytes >> 20) if warming is not None else 0.0,
        "minor_faults": float(np.mean(minor)),
        "major_faults": float(np.mean(major)),
        "kind": 0.0 if exact or stored.index.vectors.ann is None else 1.0,
        "speakers_checked": float(checked),
        "speakers_differ": float(differ),
    }


def _current_rss_mib() -> float:
    """This process's resident memory now (VmRSS), MiB: the peak can be a load-time spike."""
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _speakers_read(index: Any, ranking: Any, top_k: int) -> list[str | None]:
    """The speakers of a ranking's first ``top_k`` quotes as the searcher found them before
    speakers were stored: each quoted article read by ``speakers.speakers`` (the stored
    column must give the very same)."""
    from embeddings.search import same_text_key
    from embeddings.speakers import speakers

    seen: set[str] = set()
    found: list[str | None] = []
    for sentence_id in ranking.ids.tolist():
        key = same_text_key(index.sentences[sentence_id].text)
        if key in seen:
            continue
        seen.add(key)
        doc = int(index.doc_of[sentence_id])
        first = index.first_sentence(doc)
        document = index.documents[doc]
        spans = [
            (s.start, s.end) for s in index.sentences[first : first + index.sentence_count_of(doc)]
        ]
        found.append(speakers(document.text, spans, document.language)[sentence_id - first])
        if len(found) == top_k:
            break
    return found


def compare_results(saved: Path, current: Path) -> str:
    """How many questions' top 10 (ids and scores, bit for bit) equal a saved run's."""
    before = {row["question"]: row for row in json.loads(saved.read_text(encoding="utf-8"))}
    after = json.loads(current.read_text(encoding="utf-8"))
    shared = [row for row in after if row["question"] in before]
    same_ids = sum(row["ids"] == before[row["question"]]["ids"] for row in shared)
    same = sum(
        (row["ids"], row["scores"])
        == (before[row["question"]]["ids"], before[row["question"]]["scores"])
        for row in shared
    )
    return (
        f"top-10 ids identical for {same_ids} of {len(shared)} questions, "
        f"ids and scores bit for bit for {same} (against {saved})"
    )


def quality(index: Path, limit: int, ef_search: int | None) -> dict[str, float]:
    """recall@10 of the dense side and P@1 of the whole ranking, approximate vs exact."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    from vector_cache import VectorCache

    from embeddings.answer_sets import is_right, selqa_answer_set, squad_answer_set
    from embeddings.index_store import load_index
    from embeddings.ranking import CANDIDATES, index_traits, rank
    from embeddings.squad import load_squad
    from embeddings.vector_store import VectorStore

    cases = squad_answer_set(load_squad(EVAL / "squad-dev-v1.1.json"))
    step = max(1, len(cases) // limit)
    cases = cases[::step][:limit]
    _, selqa = selqa_answer_set(EVAL / "selqa-ass-dev.json")
    cases += selqa[: max(1, limit // 3)]
    vectors = VectorCache().encode([case.question for case in cases])
    stored = load_index(index, ef_search=ef_search)
    approximate = stored.index
    exact = replace(approximate, vectors=VectorStore(approximate.vectors.matrix))
    traits = index_traits(approximate)
    matrix = approximate.vectors.matrix
    recalls, right_approximate, right_exact = [], 0, 0
    for case, vector in zip(cases, vectors, strict=True):
        # The dense top-10 as the fusion sees it: the best 10 of the CANDIDATES it asks for.
        found = {i for i, _ in approximate.search_vectors(vector[None, :], CANDIDATES)[0][:10]}
        truth = {i for i, _ in exact.search_vectors(vector[None, :], CANDIDATES)[0][:10]}
        recalls.append(len(found & truth) / max(len(truth), 1))
        for which, idx in (("a", approximate), ("e", exact)):
            ranking = rank(idx, matrix, case.question, vector, traits)
            top = idx.sentences[int(ranking.ids[0])].text if len(ranking.ids) else ""
            if is_right(top, case.answers):
                if which == "a":
                    right_approximate += 1
                else:
                    right_exact += 1
    return {
        "questions": float(len(cases)),
        "recall10": float(np.mean(recalls)),
        "p1_approximate": 100 * right_approximate / len(cases),
        "p1_exact": 100 * right_exact / len(cases),
    }


def cold_asks(corpus: Path, data: Path, index: Path, runs: int) -> tuple[list[float], float]:
    question = _questions(1)[0]
    walls, rss = [], 0.0
    for _ in range(runs):
        run = run_process(
            quotebot("ask", question, "--corpus", str(corpus), "--index", str(index)),
            child_env(data),
            timeout_s=300,
        )
        if run.returncode != 0:
            raise RuntimeError(f"quotebot ask failed: {run.stderr.strip()[-500:]}")
        if "building the index" in run.stderr.lower():
            raise RuntimeError("quotebot ask rebuilt the index: not a cold start")
        walls.append(run.wall_s)
        rss = max(rss, run.peak_rss_mib)
    return walls, rss


def _child(mode: str, *args: str) -> dict[str, float]:
    env = child_env(DEFAULT_ROOT)
    # A question's BM25 terms are a set: a fixed hash seed fixes their order, so float32 sums
    # (and --compare-results) are reproducible bit for bit from run to run.
    env["PYTHONHASHSEED"] = "0"
    run = run_process([sys.executable, __file__, "--child", mode, *args], env, timeout_s=1800)
    if run.returncode != 0:
        raise RuntimeError(f"{mode} failed: {run.stderr.strip()[-800:]}")
    result: dict[str, float] = json.loads(run.stdout.strip().splitlines()[-1])
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--queries", type=int, default=200, help="warm queries timed")
    parser.add_argument("--quality", type=int, default=600, help="SQuAD questions for P@1")
    parser.add_argument("--runs", type=int, default=3, help="cold `quotebot ask` runs")
    parser.add_argument("--exact-too", action="store_true", help="also time an exact scan")
    parser.add_argument("--ef-search", type=int, help="override the manifest's HNSW efSearch")
    parser.add_argument(
        "--results",
        type=Path,
        help="folder to write each size's top-10 ids and scores to (SIZE.json)",
    )
    parser.add_argument(
        "--compare-results",
        type=Path,
        help="folder of an earlier --results run: say whether the top 10s are identical",
    )
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="rebuild a cached index that this code cannot read (deletes it: ~20 min at 1M)",
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        mode, index, number = args.child[0], Path(args.child[1]), int(args.child[2])
        ef = int(args.child[3]) if len(args.child) > 3 and args.child[3] != "-" else None
        if mode == "quality":
            print(json.dumps(quality(index, number, ef)))
        else:
            out = Path(args.child[4]) if len(args.child) > 4 and args.child[4] else None
            print(json.dumps(serve(index, number, mode == "serve-exact", ef, out)))
        return 0
    rows = []
    comparisons: list[str] = []
    for size in args.sizes:
        corpus, data, index = prepare(size, args.root, args.rebuild)
        from embeddings.index_store import read_manifest

        manifest = read_manifest(index)
        log(f"{size:,}: warm queries")
        override = [str(args.ef_search)] if args.ef_search else []
        results = args.results / f"{size}.json" if args.results else None
        if results is not None:
            results.parent.mkdir(parents=True, exist_ok=True)
        load_before = os.getloadavg()[0]
        served = _child(
            "serve", str(index), str(args.queries), *(override or ["-"]), str(results or "")
        )
        served["load_1min"] = max(load_before, os.getloadavg()[0])
        if results is not None:
            comparisons.append(
                f"{size:,}: stored speakers of the top-3 quotes differ from the articles read "
                f"at query time for {served['speakers_differ']:.0f} of "
                f"{served['speakers_checked']:.0f} quotes"
            )
        if results is not None and args.compare_results is not None:
            comparisons.append(
                f"{size:,}: " + compare_results(args.compare_results / f"{size}.json", results)
            )
        exact = (
            _child("serve-exact", str(index), str(args.queries), *override)
            if args.exact_too
            else None
        )
        log(f"{size:,}: cold asks")
        walls, ask_rss = cold_asks(corpus, data, index, args.runs)
        log(f"{size:,}: recall and P@1")
        scores = _child("quality", str(index), str(args.quality), *override)
        if args.ef_search:
            manifest = replace(manifest, ann={**manifest.ann, "ef_search": args.ef_search})
        rows.append((manifest, served, exact, walls, ask_rss, scores))
    print("\n".join(machine_lines()))
    print()
    print(
        "| sentences | vector index | load | warm p50 / p99 | CPU p50 / p99 | lexical p50 "
        "| encode p50 | cold `ask` median (max) | RSS ask / serving | recall@10 "
        "| P@1 approx / exact (n) | load avg | warm-up (resident) | faults/q minor / major |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for manifest, served, exact, walls, ask_rss, scores in rows:
        ann = manifest.ann
        kind = ann.get("kind", "exact")
        if kind == "hnsw":
            kind = f"HNSW-SQ8 M={ann['m']} efC={ann['ef_construction']} efS={ann['ef_search']}"
        print(
            f"| {manifest.sentence_count:,} | {kind} | {served['load_s']:.2f} s "
            f"| {served['p50_ms']:.1f} / {served['p99_ms']:.1f} ms "
            f"| {served['cpu_p50_ms']:.1f} / {served['cpu_p99_ms']:.1f} ms "
            f"| {served['lexical_p50_ms']:.1f} ms | {served['encode_p50_ms']:.1f} ms "
            f"| {np.median(walls):.2f} s ({max(walls):.2f} s) "
            f"| {ask_rss:.0f} / {served['rss_mib']:.0f} MiB | {scores['recall10']:.3f} "
            f"| {scores['p1_approximate']:.1f} / {scores['p1_exact']:.1f} "
            f"({int(scores['questions'])}) | {served['load_1min']:.1f} "
            f"| {served['warm_s']:.1f} s ({served['warm_mib']:.0f} MiB) "
            f"| {served['minor_faults']:.0f} / {served['major_faults']:.1f} |"
        )
        if exact is not None:
            print(
                f"| (same, exact scan) | exact | {exact['load_s']:.2f} s "
                f"| {exact['p50_ms']:.1f} / {exact['p99_ms']:.1f} ms "
                f"| {exact['cpu_p50_ms']:.1f} / {exact['cpu_p99_ms']:.1f} ms | | | | "
                f"— / {exact['rss_mib']:.0f} MiB | 1 | | | | |"
            )
    for line in comparisons:
        print(f"\n{line}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    sys.exit(main())
