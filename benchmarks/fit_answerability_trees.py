"""A nonlinear answerability model, and new evidence features, validated across datasets.

    python benchmarks/fit_answerability_trees.py [--extra NAME,...] [--models logistic,trees,mlp]
        [--monotone] [--repeats N] [--folds K] [--reader-weight W] [--holdout]

The answerability model (embeddings/answerability.py) is a logistic regression over 13
features. This script asks whether boosted trees (LightGBM, benchmark-side only) or a tiny
numpy MLP over the same features, or extra evidence computed from what the ranking already has,
tell near-subject questions apart better *on sets they were not fitted on*:

- fit on SQuAD (+ its hidden-article copy) -> read SelQA and the reader sets;
- fit on SelQA -> read SQuAD and the reader sets;
- fit on all three (reader tune at weight 2), with out-of-fold numbers for SQuAD and SelQA
  (2 folds by article: a question and its hidden copy share a fold) and for the tune set
  (2 folds by question), since trees memorise what they were fitted on; ``--repeats`` averages
  over that many random splits (19 near-subject tune questions make one split noisy).

Result (docs/evaluation.md, "Nonlinear answerability"): the nonlinear models separate SQuAD's
and SelQA's hidden-article questions better and the reader tune set's worse, and the one
feature that helped across sets (``score_standout``) only measures how those negatives are
built; nothing was adopted.

The threshold is chosen as in benchmarks/fit_ranking.py: the highest keeping >= 0.95 of the
fitted sets' answerable questions answered (out-of-fold predictions for the joint fit). The
features of every question are cached under /tmp/quotebot-eval (keyed by the ranking weights).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import logging
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize  # type: ignore[import-untyped]

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

from quality_sets import EvalSet, judged, known_without, load, save_pools  # noqa: E402
from vector_cache import VectorCache  # noqa: E402

from embeddings.answerability import (  # noqa: E402
    ANSWERABILITY_FEATURES,
    question_terms,
)
from embeddings.features import FEATURES  # noqa: E402
from embeddings.lexical import tokenize  # noqa: E402
from embeddings.ranking import WEIGHTS, passage_ids  # noqa: E402

Matrix = npt.NDArray[np.float64]
CACHE = Path("/tmp/quotebot-eval")
SETS = ("squad", "selqa", "reader-tune", "reader-holdout")
READER_WEIGHT = 2.0
KEEP = 0.95
FOLDS = 2
REPEATS = 1
SHOW_HOLDOUT = False  # the hold-out is read once, after choosing (--holdout)

# The 13 features of the third round (ANSWERABILITY_FEATURES) form the base; these are tried as
# extras, each computed from what the ranking already has for the question.
THIRD_ROUND = 13
EXTRA_FEATURES = (
    "document_standout",  # best candidate's cosine minus the best cosine of other documents
    "score_standout",  # best ranking score minus the best score of another document
    "rare_in_sentence",  # share of the question's rare terms (idf >= median) in the best sentence
    "sentence_coverage",  # IDF-weighted share of the question's terms in the best sentence
    "type_in_best_sentence",  # the asked-for kind of answer is in the best sentence itself
    "top5_documents",  # distinct documents among the 5 best candidates
    "best_context_cosine",  # the highest context cosine of any candidate
    "subject_gain",  # best passage: max cosine to the question minus to its words it carries
    "residual_cosine",  # best passage: max cosine to the question's words it does not carry
)
# The extras that need the question's words encoded apart (a second pass, one batch).
ENCODED = ("subject_gain", "residual_cosine")
_WORD = re.compile(r"[\w'’-]+")


@dataclass
class Rows:
    """One row per question (and per hidden-article copy) of one set."""

    base: Matrix  # ANSWERABILITY_FEATURES
    extra: Matrix  # EXTRA_FEATURES
    answerable: npt.NDArray[np.bool_]
    tag: npt.NDArray[np.str_]  # "" answerable, "near", "far", "hidden"
    fold: npt.NDArray[np.int64]  # group for folds: the article where known, else the question


def extra_values(
    evalset: EvalSet, n: int, hide: int | None, weights: tuple[float, ...]
) -> tuple[Matrix, Matrix, tuple[str, str, list[int]] | None]:
    """The 13 answerability features and the EXTRA_FEATURES of question ``n``."""
    question = evalset.cases[n].question
    pool, linear, values = judged(evalset, n, hide, weights)
    extra = np.zeros(len(EXTRA_FEATURES))
    if not len(pool.ids):
        return values[:THIRD_ROUND].astype(np.float64), extra, None
    from embeddings.features import features

    x = features(question, evalset.traits, pool)
    order = np.argsort(-linear, kind="stable")
    best = int(order[0])
    docs = evalset.traits.doc[pool.ids]
    other = docs != docs[best]
    cosine = x[:, FEATURES.index("cosine")]
    extra[0] = cosine[best] - (cosine[other].max() if other.any() else 0.0)
    margin = float(linear[best] - linear[order[1]]) if len(order) > 1 else 10.0
    # with no candidate of another document: the margin over the runner-up (never larger)
    extra[1] = min(float(linear[best] - linear[other].max()) if other.any() else margin, 10.0)
    known = known_without(evalset, question, hide) if hide is not None else None
    terms = question_terms(evalset.index.lexical, question, known=known)
    sentence = set(tokenize(evalset.index.sentences[int(pool.ids[best])].text))
    if len(terms.terms):
        inside = np.array([t in sentence for t in terms.terms], dtype=np.bool_)
        rare = terms.idf >= np.median(terms.idf)
        extra[2] = float(inside[rare].mean())
        extra[3] = float(terms.idf[inside].sum() / max(terms.idf.sum(), 1e-9))
    else:
        extra[2] = extra[3] = 1.0
    extra[4] = x[best, FEATURES.index("type_in_sentence")]
    extra[5] = len(set(docs[order[:5]].tolist()))
    extra[6] = float(x[:, FEATURES.index("context_cosine")].max())
    ids = passage_ids(evalset.traits, int(pool.ids[best]))
    words = {t for i in ids for t in tokenize(evalset.index.sentences[i].text)}
    carried, rest = split_question(question, words)
    return values[:THIRD_ROUND].astype(np.float64), extra, (carried, rest, ids)


def split_question(question: str, passage: set[str]) -> tuple[str, str]:
    """The question's words the passage carries (by stemmed term) and the rest, in order."""
    inside: list[str] = []
    outside: list[str] = []
    for word in _WORD.findall(question):
        terms = tokenize(word)
        (inside if terms and all(t in passage for t in terms) else outside).append(word)
    return " ".join(inside) or "?", " ".join(outside) or "?"


def encoded_values(
    evalset: EvalSet,
    cache: VectorCache,
    jobs: list[tuple[int, int, str, str, list[int]]],
    extra: Matrix,
) -> None:
    """Fill the ENCODED extras: one batch encodes every question's two halves."""
    if not jobs:
        return
    texts = sorted({t for _, _, a, b, _ in jobs for t in (a, b)})
    vectors = dict(zip(texts, cache.encode(texts), strict=True))
    g, r = EXTRA_FEATURES.index("subject_gain"), EXTRA_FEATURES.index("residual_cosine")
    for row, n, inside, outside, ids in jobs:
        p = evalset.matrix[ids]
        whole = float((p @ evalset.questions[n]).max())
        extra[row, g] = whole - float((p @ vectors[inside]).max())
        extra[row, r] = float((p @ vectors[outside]).max())


def collect(
    evalset: EvalSet, cache: VectorCache, weights: tuple[float, ...], hide_home: bool
) -> Rows:
    base: list[Matrix] = []
    extra: list[Matrix] = []
    answerable: list[bool] = []
    tags: list[str] = []
    folds: list[int] = []
    jobs: list[tuple[int, int, str, str, list[int]]] = []
    for n, case in enumerate(evalset.cases):
        hide = evalset.home[n] if hide_home and evalset.home is not None else None
        b, e, job = extra_values(evalset, n, hide, weights)
        if job is not None:
            jobs.append((len(base), n, *job))
        base.append(b)
        extra.append(e)
        answerable.append(case.answerable and hide is None)
        tags.append("hidden" if hide is not None else case.tag or "")
        home = evalset.home[n] if evalset.home is not None else n
        folds.append(home)
    extra_matrix = np.array(extra)
    encoded_values(evalset, cache, jobs, extra_matrix)
    return Rows(
        np.array(base),
        extra_matrix,
        np.array(answerable),
        np.array(tags),
        np.array(folds, dtype=np.int64),
    )


def join(a: Rows, b: Rows) -> Rows:
    return Rows(
        np.concatenate([a.base, b.base]),
        np.concatenate([a.extra, b.extra]),
        np.concatenate([a.answerable, b.answerable]),
        np.concatenate([a.tag, b.tag]),
        np.concatenate([a.fold, b.fold]),
    )


def rows_of_every_set(weights: tuple[float, ...]) -> dict[str, Rows]:
    """Every set's rows, from the cache when the ranking weights are the same."""
    key = hashlib.sha256(repr((3, weights, ANSWERABILITY_FEATURES, EXTRA_FEATURES)).encode())
    path = CACHE / f"answerability-rows-{key.hexdigest()[:12]}.npz"
    if path.exists():
        stored = np.load(path)
        return {
            name: Rows(*(stored[f"{name}/{field}"] for field in Rows.__dataclass_fields__))
            for name in SETS
        }
    cache = VectorCache()  # loading it reads every stored vector: once
    sets = load(list(SETS), cache)
    rows = {}
    for name, evalset in sets.items():
        rows[name] = collect(evalset, cache, weights, hide_home=False)
        if evalset.home is not None:
            rows[name] = join(rows[name], collect(evalset, cache, weights, hide_home=True))
        save_pools(evalset)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(
        path,
        **{
            f"{name}/{field}": getattr(r, field)
            for name, r in rows.items()
            for field in Rows.__dataclass_fields__
        },
    )
    return rows


# --- models: each fits (X, y, sample weight) and returns a function X -> logit ---------------

Model = Callable[[Matrix], Matrix]
Fitter = Callable[[Matrix, Matrix, Matrix], Model]


def fit_logistic(x: Matrix, y: Matrix, w: Matrix, l2: float = 1e-3) -> Model:
    design = np.column_stack([np.ones(len(x)), x])

    def loss(theta: Matrix) -> tuple[float, Matrix]:
        p = 1 / (1 + np.exp(-np.clip(design @ theta, -30, 30)))
        like = y * np.log(p + 1e-9) + (1 - y) * np.log(1 - p + 1e-9)
        pen = l2 * float(theta[1:] @ theta[1:])
        grad = design.T @ (w * (p - y)) + np.r_[0.0, 2 * l2 * theta[1:]]
        return -float((w * like).sum()) + pen, grad

    theta = minimize(loss, np.zeros(design.shape[1]), jac=True, method="L-BFGS-B").x
    return lambda z: np.column_stack([np.ones(len(z)), z]) @ theta


# The direction each feature should move the answer in, other things equal (for the trees'
# monotone constraints): more coverage or a clearer winner -> more likely answered.
MONOTONE = {
    "best_score": 1,
    "margin": 1,
    "competition": -1,
    "best_cosine": 1,
    "best_lexical": 1,
    "corpus_missing": -1,
    "window_coverage": 1,
    "window_missing": -1,
    "type_missing": -1,
    "unknown_terms": -1,
    "unknown_name": -1,
    "name_not_in_passage": -1,
    "passage_share": 1,
    "document_standout": 1,
    "score_standout": 1,
    "rare_in_sentence": 1,
    "sentence_coverage": 1,
    "type_in_best_sentence": 1,
    "top5_documents": -1,
    "best_context_cosine": 1,
    "subject_gain": 1,
    "residual_cosine": 1,
}
MONOTONE_ON: list[int] | None = None  # set by main: constraints per column, or None


def fit_trees(
    x: Matrix, y: Matrix, w: Matrix, leaves: int = 7, min_leaf: int = 200, trees: int = 150
) -> Model:
    lgb = importlib.import_module("lightgbm")  # benchmark-side only: not a dependency

    constraints = {} if MONOTONE_ON is None else {"monotone_constraints": MONOTONE_ON}
    booster = lgb.train(
        {
            **constraints,
            "objective": "binary",
            "num_leaves": leaves,
            "min_data_in_leaf": min_leaf,
            "learning_rate": 0.05,
            "feature_fraction": 0.8,
            "bagging_fraction": 0.8,
            "bagging_freq": 1,
            "lambda_l2": 1.0,
            "verbose": -1,
            "num_threads": 1,
            "seed": 7,
        },
        lgb.Dataset(x, label=y, weight=w * len(y) / w.sum()),
        num_boost_round=trees,
    )
    return lambda z: np.asarray(booster.predict(z, raw_score=True), dtype=np.float64)


def fit_mlp(x: Matrix, y: Matrix, w: Matrix, hidden: int = 8, l2: float = 1e-2) -> Model:
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = (x - mean) / std
    d = z.shape[1]
    rng = np.random.default_rng(7)
    shapes = [(d, hidden), (hidden,), (hidden,), (1,)]
    sizes = [int(np.prod(s)) for s in shapes]

    def unpack(theta: Matrix) -> list[Matrix]:
        parts, at = [], 0
        for s, n in zip(shapes, sizes, strict=True):
            parts.append(theta[at : at + n].reshape(s))
            at += n
        return parts

    def forward(theta: Matrix, z: Matrix) -> tuple[Matrix, Matrix]:
        a, b, v, c = unpack(theta)
        h = np.tanh(z @ a + b)
        return h @ v + c[0], h

    def loss(theta: Matrix) -> tuple[float, Matrix]:
        a, _, v, _ = unpack(theta)
        out, h = forward(theta, z)
        p = 1 / (1 + np.exp(-np.clip(out, -30, 30)))
        like = y * np.log(p + 1e-9) + (1 - y) * np.log(1 - p + 1e-9)
        r = w * (p - y)
        gv = h.T @ r + 2 * l2 * v
        gc = np.array([r.sum()])
        dh = np.outer(r, v) * (1 - h**2)
        ga = z.T @ dh + 2 * l2 * a
        gb = dh.sum(axis=0)
        pen = l2 * float((a * a).sum() + v @ v)
        return -float((w * like).sum()) + pen, np.concatenate([ga.ravel(), gb, gv, gc])

    theta0 = rng.normal(0, 0.3, sum(sizes))
    theta = minimize(loss, theta0, jac=True, method="L-BFGS-B", options={"maxiter": 500}).x
    return lambda q: forward(theta, (q - mean) / std)[0]


# --- validation ---------------------------------------------------------------------------


def design(r: Rows, extra: list[int]) -> Matrix:
    return np.column_stack([r.base, r.extra[:, extra]]) if extra else r.base


def balanced(parts: list[tuple[Rows, float]]) -> Matrix:
    """Sample weights: the two classes equal within each part, parts by their weight."""
    out = []
    for r, weight in parts:
        y = r.answerable
        share = min(max(float(y.mean()), 1e-9), 1 - 1e-9)
        out.append(weight * np.where(y, 0.5 / share, 0.5 / (1 - share)) / len(y))
    return np.concatenate(out)


def fit_on(parts: list[tuple[Rows, float]], fitter: Fitter, extra: list[int]) -> Model:
    x = np.concatenate([design(r, extra) for r, _ in parts])
    y = np.concatenate([r.answerable for r, _ in parts]).astype(np.float64)
    return fitter(x, y, balanced(parts))


def columns(scores: dict[str, Matrix], rows: dict[str, Rows]) -> dict[str, Matrix]:
    out = {}
    for name, r in rows.items():
        for group, mask in (
            ("answerable", r.answerable),
            ("near", (r.tag == "near") | (r.tag == "hidden")),
            ("far", r.tag == "far"),
        ):
            if mask.any():
                out[f"{name} {group}"] = scores[name][mask]
    return out


def threshold(cols: dict[str, Matrix], fitted: list[str]) -> float:
    """The highest logit keeping KEEP of each fitted set's answerable questions answered."""
    cands = [cols[f"{name} answerable"] for name in fitted]
    return float(min(np.quantile(c, 1 - KEEP, method="lower") for c in cands))


def describe(label: str, cols: dict[str, Matrix], t: float) -> str:
    prob = 1 / (1 + np.exp(-t))
    cells = []
    for name in SETS if SHOW_HOLDOUT else SETS[:3]:
        a, n = cols[f"{name} answerable"], cols[f"{name} near"]
        f = cols.get(f"{name} far")
        cell = f"{name} ans {np.mean(a >= t):.2f} near-not {np.mean(n < t):.2f}"
        if f is not None:
            cell += f" far-ans {np.mean(f >= t):.2f}"
        cells.append(cell)
    own = []
    for name in SETS if SHOW_HOLDOUT else SETS[:3]:
        a, n = cols[f"{name} answerable"], cols[f"{name} near"]
        own.append(f"{np.mean(n < np.quantile(a, 1 - KEEP, method='lower')):.2f}")
    return (
        f"{label} [p>={prob:.2f}]: "
        + "; ".join(cells)
        + " | near-not at own 95%: "
        + "/".join(own)
    )


def evaluate(rows: dict[str, Rows], fitter: Fitter, extra: list[int], name: str) -> None:
    def predict_all(model: Model) -> dict[str, Matrix]:
        return {s: model(design(r, extra)) for s, r in rows.items()}

    for label, fitted in (("SQuAD", ["squad"]), ("SelQA", ["selqa"])):
        model = fit_on([(rows[s], 1.0) for s in fitted], fitter, extra)
        cols = columns(predict_all(model), rows)
        print(describe(f"{name} fit on {label}", cols, threshold(cols, fitted)))
    fitted = ["squad", "selqa", "reader-tune"]
    weights = {"squad": 1.0, "selqa": 1.0, "reader-tune": READER_WEIGHT}
    model = fit_on([(rows[s], weights[s]) for s in fitted], fitter, extra)
    scores = predict_all(model)
    cols = columns(scores, rows)
    print(describe(f"{name} all three, in-sample", cols, threshold(cols, fitted)))
    runs = []
    for salt in range(REPEATS):
        oof = dict(scores)
        folds = {s: fold_of(rows[s].fold, salt) for s in fitted}
        for s in fitted:
            oof[s] = np.zeros(len(rows[s].answerable))
        for k in range(FOLDS):
            parts = [(_subset(rows[s], folds[s] != k), weights[s]) for s in fitted]
            m = fit_on(parts, fitter, extra)
            for s in fitted:
                held = folds[s] == k
                oof[s][held] = m(design(_subset(rows[s], held), extra))
        cols = columns(oof, rows)
        t = threshold(cols, fitted)
        if REPEATS <= 3:
            label = f"{name} all three, out-of-fold ({FOLDS} folds, split {salt})"
            print(describe(label, cols, t))
        runs.append(numbers(cols, t))
    mean = np.mean(runs, axis=0)
    names = [f"{s} {m}" for s in fitted for m in ("ans", "near-not", "own95")]
    print(
        f"{name} all three, out-of-fold mean of {REPEATS} x {FOLDS} folds: "
        + ", ".join(f"{n} {v:.3f}" for n, v in zip(names, mean, strict=True))
    )


def numbers(cols: dict[str, Matrix], t: float) -> list[float]:
    """Per fitted set: answerable answered, near not answered (at t), near not answered at the
    set's own threshold keeping KEEP of its answerable questions."""
    out = []
    for s in ("squad", "selqa", "reader-tune"):
        a, n = cols[f"{s} answerable"], cols[f"{s} near"]
        own = np.quantile(a, 1 - KEEP, method="lower")
        out += [float(np.mean(a >= t)), float(np.mean(n < t)), float(np.mean(n < own))]
    return out


def fold_of(groups: npt.NDArray[np.int64], salt: int) -> npt.NDArray[np.int64]:
    """A fold per row, the same for every row of one group (article or question)."""
    return np.array(
        [int(hashlib.md5(f"{salt}:{g}".encode()).hexdigest(), 16) % FOLDS for g in groups]
    )


def _subset(r: Rows, mask: npt.NDArray[np.bool_]) -> Rows:
    return Rows(r.base[mask], r.extra[mask], r.answerable[mask], r.tag[mask], r.fold[mask])


def main() -> int:
    global SHOW_HOLDOUT, READER_WEIGHT, MONOTONE_ON, FOLDS, REPEATS
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--extra", default="", help="EXTRA_FEATURES to add, comma-separated")
    parser.add_argument("--models", default="logistic,trees,mlp")
    parser.add_argument("--leaves", type=int, default=7)
    parser.add_argument("--min-leaf", type=int, default=200)
    parser.add_argument("--trees", type=int, default=150)
    parser.add_argument("--monotone", action="store_true", help="monotone trees (MONOTONE)")
    parser.add_argument("--reader-weight", type=float, default=2.0)
    parser.add_argument("--folds", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=1, help="out-of-fold splits to try")
    parser.add_argument("--holdout", action="store_true", help="also print the hold-out set")
    args = parser.parse_args()
    SHOW_HOLDOUT = args.holdout
    FOLDS, REPEATS = args.folds, args.repeats
    READER_WEIGHT = args.reader_weight
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    rows = rows_of_every_set(tuple(float(v) for v in WEIGHTS))
    extra = [EXTRA_FEATURES.index(n) for n in args.extra.split(",") if n]
    print("extra features:", [EXTRA_FEATURES[i] for i in extra])
    if args.monotone:
        names = list(ANSWERABILITY_FEATURES[:THIRD_ROUND]) + [EXTRA_FEATURES[i] for i in extra]
        MONOTONE_ON = [MONOTONE[n] for n in names]

    def blend(x: Matrix, y: Matrix, w: Matrix) -> Model:
        a = fit_logistic(x, y, w)
        b = fit_trees(x, y, w, args.leaves, args.min_leaf, args.trees)
        return lambda z: 0.5 * (a(z) + b(z))

    fitters: dict[str, Fitter] = {
        "blend": blend,
        "logistic": fit_logistic,
        "trees": lambda x, y, w: fit_trees(x, y, w, args.leaves, args.min_leaf, args.trees),
        "mlp": fit_mlp,
    }
    for name in args.models.split(","):
        evaluate(rows, fitters[name], extra, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
