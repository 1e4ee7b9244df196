"""Does token-level matching with the same model help the ranking? (issue 8, fifth round)

    python benchmarks/maxsim_experiment.py quality [--reader-weight W]
    python benchmarks/maxsim_experiment.py cost [--questions 200] [--ks 5,10,20]

all-MiniLM-L6-v2's contextual token embeddings (before mean pooling) give a late-interaction
score, ColBERT's MaxSim: for each question token the best cosine with any of the candidate's
tokens, averaged over the question's tokens (``maxsim``), or weighted by each token's idf over
the set's sentences (``maxsim_idf``). [CLS], [SEP], punctuation and the lexical index's stop
words are skipped on both sides. It is a soft word alignment ("held" ~ "custody"), neither the
pooled cosine nor BM25, so it might carry what the 14 features of embeddings/features.py miss.

``quality`` encodes every sentence and question of SQuAD dev, SelQA dev and the bundled-corpus
reader sets token by token with the packaged model (torch; cached under /tmp/quotebot-maxsim/,
fp16, unit-length rows), adds each variant as a 15th feature to the candidates of the cached
pools (benchmarks/quality_sets.py) and refits the listwise ranking with fit_ranking.py's loss
and metrics, printing the same cross-set lines with and without it.

``cost`` exports the model's token output to ONNX (/tmp/quotebot-maxsim/onnx/) and times what a
query would add: encoding the question and its top-K candidates' tokens in one batch and the
MaxSim itself (p50 / p90 over SQuAD questions, this machine), and the storage per sentence if the
token vectors were stored at build instead (fp16, int8 with one fp16 scale per token).

A scratch measurement, not a test; docs/evaluation.md ("Token-level matching") has the numbers.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize  # type: ignore[import-untyped]

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

from fit_ranking import Data, collect, listwise_loss, metrics  # noqa: E402
from quality_sets import EvalSet, load, pool  # noqa: E402
from vector_cache import VectorCache  # noqa: E402

from embeddings.features import FEATURES, features  # noqa: E402
from embeddings.lexical import STOP_WORDS  # noqa: E402
from embeddings.model import resolve_model  # noqa: E402
from embeddings.onnx_encoder import OnnxEncoder  # noqa: E402
from embeddings.ranking import WEIGHTS  # noqa: E402

logger = logging.getLogger(__name__)

ROOT = Path("/tmp/quotebot-maxsim")
MAX_TOKENS = 256  # the model's max_seq_length
DIM = 384
POOLED_HASH = "53aa51172d142c89"  # the packaged model's weight hash, as the encoder store names it
Matrix = npt.NDArray[np.float64]
Tokens = tuple[npt.NDArray[np.int32], npt.NDArray[np.float16]]


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class TokenCache:
    """Per text: the word-piece ids and the unit-length fp16 token vectors, [CLS] and [SEP]
    included; computed at most once (shards under ``ROOT/tokens``)."""

    def __init__(self, root: Path = ROOT) -> None:
        self.spec = resolve_model("all-MiniLM-L6-v2")
        self.directory = root / "tokens" / self.spec.weights_sha256[:16]
        self.directory.mkdir(parents=True, exist_ok=True)
        self.rows: dict[str, Tokens] = {}
        self._model: Any = None
        for shard in sorted(self.directory.glob("*.npz")):
            with np.load(shard, allow_pickle=False) as data:
                bounds = np.r_[0, np.cumsum(data["lengths"])]
                ids, vectors = data["ids"], data["vectors"]
                for n, key in enumerate(data["keys"]):
                    a, b = bounds[n], bounds[n + 1]
                    self.rows[str(key)] = (ids[a:b], vectors[a:b])

    def get(self, text: str) -> Tokens:
        return self.rows[_key(text)]

    def fill(self, texts: Sequence[str], batch: int = 64) -> None:
        by_key = {_key(t): t for t in texts}
        missing = [k for k in by_key if k not in self.rows]
        if not missing:
            return
        import torch
        from transformers import AutoModel, AutoTokenizer

        torch.set_num_threads(2)
        if self._model is None:
            tokenizer = AutoTokenizer.from_pretrained(str(self.spec.path))
            model = AutoModel.from_pretrained(str(self.spec.path)).eval()
            self._model = (tokenizer, model)
        tokenizer, model = self._model
        missing.sort(key=lambda k: len(by_key[k]))
        started = time.perf_counter()
        keys, lengths, all_ids, all_vectors = [], [], [], []
        for start in range(0, len(missing), batch):
            chunk = missing[start : start + batch]
            encoded = tokenizer(
                [by_key[k] for k in chunk],
                padding=True,
                truncation=True,
                max_length=MAX_TOKENS,
                return_tensors="pt",
            )
            with torch.inference_mode():
                hidden = model(**encoded).last_hidden_state.float().numpy()
            mask = encoded["attention_mask"].numpy().astype(bool)
            ids = encoded["input_ids"].numpy()
            for row, key in enumerate(chunk):
                vectors = hidden[row][mask[row]]
                vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
                row_ids = ids[row][mask[row]].astype(np.int32)
                self.rows[key] = (row_ids, vectors.astype(np.float16))
                keys.append(key)
                lengths.append(len(row_ids))
                all_ids.append(row_ids)
                all_vectors.append(vectors.astype(np.float16))
            if start // batch % 20 == 0:
                logger.warning("tokens: %d of %d texts", start + len(chunk), len(missing))
        np.savez(
            self.directory / f"{time.time_ns()}.npz",
            keys=np.array(keys),
            lengths=np.array(lengths, dtype=np.int64),
            ids=np.concatenate(all_ids),
            vectors=np.concatenate(all_vectors),
        )
        logger.warning(
            "encoded the tokens of %d texts in %.0f s", len(missing), time.perf_counter() - started
        )


def content_mask(vocabulary: dict[str, int]) -> npt.NDArray[np.bool_]:
    """Per word-piece id: kept for MaxSim (not [CLS]/[SEP]/[PAD], punctuation or a stop word;
    continuation pieces ``##x`` are kept)."""
    keep = np.ones(max(vocabulary.values()) + 1, dtype=np.bool_)
    for piece, n in vocabulary.items():
        special = piece.startswith("[") and piece.endswith("]")
        punctuation = not any(ch.isalnum() for ch in piece.removeprefix("##"))
        stop = not piece.startswith("##") and piece in STOP_WORDS
        keep[n] = not (special or punctuation or stop)
    return keep


def _vocabulary(path: Path) -> dict[str, int]:
    from tokenizers import Tokenizer

    vocabulary: dict[str, int] = Tokenizer.from_file(str(path / "tokenizer.json")).get_vocab()
    return vocabulary


@dataclass
class Scorer:
    """MaxSim of a question against candidates, plain and idf-weighted."""

    keep: npt.NDArray[np.bool_]
    idf: npt.NDArray[np.float32]

    def kept(self, tokens: Tokens) -> npt.NDArray[np.float32]:
        ids, vectors = tokens
        mask = self.keep[ids]
        if not mask.any():  # a text of stop words and punctuation only: use all its pieces
            mask = np.ones(len(ids), dtype=np.bool_)
        return vectors[mask].astype(np.float32)

    def scores(
        self, question: Tokens, candidates: Sequence[Tokens]
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        ids = question[0]
        mask = self.keep[ids]
        if not mask.any():
            mask = np.ones(len(ids), dtype=np.bool_)
        q = question[1][mask].astype(np.float32)
        weights = self.idf[ids[mask]]
        kept = [self.kept(c) for c in candidates]
        starts = np.r_[0, np.cumsum([len(k) for k in kept])[:-1]]
        similarity = q @ np.concatenate(kept).T  # question tokens x all candidate tokens
        best = np.maximum.reduceat(similarity, starts, axis=1)  # question tokens x candidates
        plain = best.mean(axis=0)
        weighted = (weights[:, None] * best).sum(axis=0) / max(float(weights.sum()), 1e-9)
        return plain.astype(np.float32), weighted.astype(np.float32)


def idf_of(texts: Sequence[str], cache: TokenCache, size: int) -> npt.NDArray[np.float32]:
    """BM25's idf of every word piece over ``texts`` (pieces never seen: the highest)."""
    df = np.zeros(size, dtype=np.int64)
    for text in texts:
        df[np.unique(cache.get(text)[0])] += 1
    n = len(texts)
    return np.log(1.0 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)


def maxsim_columns(
    evalset: EvalSet, cache: TokenCache, keep: npt.NDArray[np.bool_]
) -> tuple[Matrix, Matrix]:
    """Per candidate of every question's pool (fit_ranking.collect's order): both MaxSims."""
    texts = evalset.texts
    scorer = Scorer(keep, idf_of(texts, cache, len(keep)))
    plain, weighted = [], []
    for n, case in enumerate(evalset.cases):
        ids = pool(evalset, n).ids
        if not len(ids):
            continue
        a, b = scorer.scores(cache.get(case.question), [cache.get(texts[i]) for i in ids])
        plain.append(a)
        weighted.append(b)
    return np.concatenate(plain).astype(np.float64), np.concatenate(weighted).astype(np.float64)


def fit(sets: list[tuple[Data, float]]) -> Matrix:
    """fit_ranking.fit_weights for any number of features (same start, loss and optimiser)."""
    width = sets[0][0].x.shape[1]
    w0 = np.zeros(width)
    w0[0] = 10.0
    result = minimize(listwise_loss, w0, args=(sets,), jac=True, method="L-BFGS-B")
    return np.asarray(result.x)


def with_column(data: Data, column: Matrix | None) -> Data:
    if column is None:
        return data
    return Data(
        np.column_stack([data.x, column]),
        data.y,
        data.group,
        data.coverage,
        data.answerable,
        data.questions,
    )


def quality(reader_weight: float) -> int:
    sets = load(["squad", "selqa", "reader-tune", "reader-holdout"], VectorCache())
    cache = TokenCache()
    texts: list[str] = []
    for evalset in sets.values():
        texts += evalset.texts + [c.question for c in evalset.cases]
    cache.fill(sorted(set(texts)))
    keep = content_mask(_vocabulary(cache.spec.path))
    base = {name: collect(evalset) for name, evalset in sets.items()}
    columns = {name: maxsim_columns(evalset, cache, keep) for name, evalset in sets.items()}
    for name, d in base.items():
        assert len(columns[name][0]) == len(d.x), name
    print("features:", FEATURES, "+ one of maxsim, maxsim_idf")

    def show(label: str, data: dict[str, Data], w: Matrix) -> None:
        cells = [f"{n} {metrics(d, w)[0]:.3f}/{metrics(d, w)[1]:.3f}" for n, d in data.items()]
        print(f"  {label}: P@1/MRR@10 " + ", ".join(cells))

    alone = np.zeros(len(FEATURES) + 1)
    alone[-1] = 1.0
    for variant, column in (("maxsim", 0), ("maxsim_idf", 1)):
        data = {n: with_column(d, columns[n][column]) for n, d in base.items()}
        show(f"{variant} alone", data, alone)
    current = np.asarray(WEIGHTS, dtype=np.float64)
    show("current WEIGHTS (14)", base, current)
    variants: tuple[tuple[str, int | None], ...] = (
        ("without (14 features)", None),
        ("+ maxsim", 0),
        ("+ maxsim_idf", 1),
    )
    for variant, which in variants:
        data = {
            n: with_column(d, None if which is None else columns[n][which])
            for n, d in base.items()
        }
        print(variant)
        squad, selqa, tune = data["squad"], data["selqa"], data["reader-tune"]
        show("fit on SQuAD", data, fit([(squad, 1.0)]))
        show("fit on SelQA", data, fit([(selqa, 1.0)]))
        show("fit on both", data, fit([(squad, 1.0), (selqa, 1.0)]))
        w = fit([(squad, 1.0), (selqa, 1.0), (tune, reader_weight)])
        show(f"final: both + reader-tune x{reader_weight}", data, w)
        print("     weights", tuple(round(float(v), 3) for v in w))
    return 0


# --- cost --------------------------------------------------------------------------------


def export_token_onnx(directory: Path) -> None:
    """The packaged model's token output (last_hidden_state) as ONNX, with its tokenizer."""
    if (directory / "model.onnx").exists():
        return
    import torch
    from transformers import AutoModel, AutoTokenizer

    spec = resolve_model("all-MiniLM-L6-v2")
    tokenizer = AutoTokenizer.from_pretrained(str(spec.path))
    model = AutoModel.from_pretrained(str(spec.path)).eval()
    directory.mkdir(parents=True, exist_ok=True)
    sample = tokenizer(["How many political prisoners are held?"], return_tensors="pt")
    names = ["input_ids", "attention_mask", "token_type_ids"]

    class _Tokens(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
            hidden: torch.Tensor = self.model(**dict(zip(names, inputs, strict=True)))[0]
            return hidden

    with torch.no_grad():
        torch.onnx.export(
            _Tokens().eval(),
            tuple(sample[n] for n in names),
            str(directory / "model.onnx"),
            input_names=names,
            output_names=["tokens"],
            dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in names}, "tokens": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
    (directory / "tokenizer.json").write_bytes((spec.path / "tokenizer.json").read_bytes())


class TokenEncoder:
    """onnxruntime over the token export, as OnnxEncoder (same session options)."""

    def __init__(self, directory: Path) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = onnxruntime.InferenceSession(
            str(directory / "model.onnx"), options, providers=["CPUExecutionProvider"]
        )
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()

    def encode(self, texts: Sequence[str]) -> list[Tokens]:
        encodings = self.tokenizer.encode_batch(list(texts))
        width = max(len(e.ids) for e in encodings)
        arrays = {
            n: np.zeros((len(texts), width), dtype=np.int64)
            for n in ("input_ids", "attention_mask", "token_type_ids")
        }
        for row, e in enumerate(encodings):
            arrays["input_ids"][row, : len(e.ids)] = e.ids
            arrays["attention_mask"][row, : len(e.ids)] = e.attention_mask
            arrays["token_type_ids"][row, : len(e.ids)] = e.type_ids
        (hidden,) = self.session.run(["tokens"], arrays)
        out = []
        for row, e in enumerate(encodings):
            vectors = hidden[row, : len(e.ids)]
            vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
            out.append((np.asarray(e.ids, dtype=np.int32), vectors.astype(np.float32)))
        return out


def cost(questions: int, ks: Sequence[int], pooled_dir: Path) -> int:
    directory = ROOT / "onnx"
    export_token_onnx(directory)
    encoder = TokenEncoder(directory)
    sets = load(["squad"], VectorCache())
    evalset = sets["squad"]
    cache = TokenCache()
    keep = content_mask(_vocabulary(cache.spec.path))
    texts = evalset.texts
    scorer = Scorer(keep, np.ones(len(keep), dtype=np.float32))
    chosen = np.linspace(0, len(evalset.cases) - 1, questions).astype(int).tolist()
    # The top-K candidates of each question by the current ranking.
    tops = []
    for n in chosen:
        p = pool(evalset, n)
        order = np.argsort(-(features(evalset.cases[n].question, evalset.traits, p) @ WEIGHTS))
        tops.append((evalset.cases[n].question, [texts[i] for i in p.ids[order]]))
    for question, candidates in tops[:10]:  # warm-up
        encoder.encode([question, *candidates[:5]])
    print(f"load average before: {os.getloadavg()[0]:.2f}; {questions} SQuAD questions")
    # The query encoder quotebot uses now (pooled output), on the same texts, interleaved.
    pooled = OnnxEncoder(pooled_dir) if (pooled_dir / "encoder.json").exists() else None
    print(
        "| K | encode question + K candidates (token ONNX) p50 / p90 | MaxSim p50 "
        "| total p50 / p90 | same texts, quotebot's pooled ONNX encoder p50 / p90 |"
    )
    print("|---|---|---|---|---|")
    for k in ks:
        encode_ms, maxsim_ms, total_ms, pooled_ms = [], [], [], []
        for question, candidates in tops:
            started = time.perf_counter()
            tokens = encoder.encode([question, *candidates[:k]])
            middle = time.perf_counter()
            scorer.scores(tokens[0], tokens[1:])
            ended = time.perf_counter()
            encode_ms.append(1000 * (middle - started))
            maxsim_ms.append(1000 * (ended - middle))
            total_ms.append(1000 * (ended - started))
            if pooled is not None:
                started = time.perf_counter()
                pooled.encode([question, *candidates[:k]])
                pooled_ms.append(1000 * (time.perf_counter() - started))

        def pct(values: list[float], q: int) -> float:
            return statistics.quantiles(values, n=100)[q - 1]

        print(
            f"| {k} | {statistics.median(encode_ms):.1f} / {pct(encode_ms, 90):.1f} ms "
            f"| {statistics.median(maxsim_ms):.2f} ms "
            f"| {statistics.median(total_ms):.1f} / {pct(total_ms, 90):.1f} ms "
            + (
                f"| {statistics.median(pooled_ms):.1f} / {pct(pooled_ms, 90):.1f} ms |"
                if pooled_ms
                else "| - |"
            )
        )
    # Stored at build instead: the question's tokens alone, then MaxSim over stored rows.
    question_ms = []
    for question, _ in tops:
        started = time.perf_counter()
        encoder.encode([question])
        question_ms.append(1000 * (time.perf_counter() - started))
    print(f"question tokens alone (ONNX): p50 {statistics.median(question_ms):.1f} ms")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    storage(cache, keep, texts)
    return 0


def storage(cache: TokenCache, keep: npt.NDArray[np.bool_], texts: Sequence[str]) -> None:
    """Bytes per sentence if the token vectors were stored at build (SQuAD dev sentences)."""
    all_tokens = np.array([len(cache.get(t)[0]) for t in texts])
    kept = np.array([int(keep[cache.get(t)[0]].sum()) for t in texts])
    print(
        f"tokens per sentence (SQuAD dev, {len(texts)}): all {all_tokens.mean():.1f}, "
        f"kept (no [CLS]/[SEP]/punctuation/stop words) {kept.mean():.1f}"
    )
    print("| stored | bytes per sentence | 10k | 100k | 1M |")
    print("|---|---|---|---|---|")
    for label, tokens in (("all tokens", all_tokens.mean()), ("kept tokens", kept.mean())):
        for precision, per_token in (("fp16", 2 * DIM), ("int8 + fp16 scale", DIM + 2)):
            size = tokens * per_token + 8  # + an offset per sentence
            cells = [f"{size * n / 2**20:,.0f} MiB" for n in (10_000, 100_000, 1_000_000)]
            print(f"| {label}, {precision} | {size:,.0f} | " + " | ".join(cells) + " |")
    print(f"(the sentence vectors now: {4 * DIM:,} bytes per sentence, fp32)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    q = sub.add_parser("quality")
    q.add_argument("--reader-weight", type=float, default=2.0)
    c = sub.add_parser("cost")
    c.add_argument("--questions", type=int, default=200)
    c.add_argument("--ks", default="5,10,20")
    c.add_argument(
        "--pooled",
        type=Path,
        default=Path.home() / ".local/share/quotebot/encoders" / POOLED_HASH,
        help="quotebot's exported query encoder, timed on the same texts",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    if args.command == "quality":
        return quality(args.reader_weight)
    return cost(args.questions, [int(k) for k in args.ks.split(",")], args.pooled)


if __name__ == "__main__":
    sys.exit(main())
