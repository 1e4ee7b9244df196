"""Boosted trees (LightGBM lambdarank) over the ranking features, cross-validated across sets.

    python benchmarks/fit_ranking_trees.py [--objective lambdarank|rank_xendcg] [--leaves N]
        [--trees N] [--min-leaf N] [--residual] [--reader-weight W] [--skip-oof]

The experiment of issue 8's fifth round (docs/evaluation.md, "Boosted trees"). It needs
lightgbm (``pip install lightgbm``), a benchmark-side library only: quotebot does not depend on
it. The candidates of every question are those of benchmarks/fit_ranking.py (``collect``, the
pools cached under /tmp/quotebot-eval/pools), described by the 14 ranking features plus raw
ones a tree can split on: the question's kind (who / when / how many / where / which / other,
one-hot), the dense margin of the best candidate over the runner-up, the candidate's rank by
cosine and by lexical evidence, the question's length in words, and the linear score itself.

Each model is trained on every question's 40 best candidates by the linear score of the same
training sets (plus its right ones), as the hidden-layer ranker of the fourth round was, and
reads the same 40: the tree score reorders them, the rest keep the linear order below them.
``--residual`` starts the boosting from the linear score (``init_score``): score = linear +
trees, which keeps the ranking's gate behaviour and only corrects it.

Printed (P@1 / MRR@10 on SQuAD, SelQA, reader-tune; reader-holdout only with ``--holdout``,
to be read once at the very end, never chosen on): the linear model and the trees fitted on
SQuAD, on SelQA, and on both + the reader tune set (``--reader-weight``); then, unless
``--skip-oof``, out-of-fold numbers for that final fit, 2 folds each: SQuAD (fitted on half its
articles + SelQA + tune, read on the other half), SelQA (the same by section), reader-tune
(fitted on SQuAD + SelQA + half its questions). Trees memorise far more than 14 weights: only
these out-of-fold and cross-set numbers say what they would give. The features and the linear
fits are cached under /tmp/quotebot-eval (trees-data.pkl, trees-linear.pkl); delete them after
changing the pools or ``fit_ranking.fit_weights``.

Chosen settings and what they gave: docs/evaluation.md, "Boosted trees (issue 8, fifth round)".
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import pickle
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

from fit_ranking import READER_WEIGHT, Data, collect, fit_weights  # noqa: E402
from fit_ranking import score_metrics as metrics  # noqa: E402
from quality_sets import load  # noqa: E402
from vector_cache import VectorCache  # noqa: E402

from embeddings.features import FEATURES  # noqa: E402

Matrix = npt.NDArray[np.float64]
TOP = 40
CACHE = Path("/tmp/quotebot-eval/trees-data.pkl")
LINEAR_CACHE = Path("/tmp/quotebot-eval/trees-linear.pkl")


def linear_fit(label: str, parts: list[tuple[Data, float]]) -> Matrix:
    """fit_ranking.fit_weights, remembered between runs by the fit's name (same pools)."""
    known: dict[str, Matrix] = {}
    if LINEAR_CACHE.exists():
        with LINEAR_CACHE.open("rb") as handle:
            known = pickle.load(handle)
    if label not in known:
        known[label] = fit_weights(parts)
        with LINEAR_CACHE.open("wb") as handle:
            pickle.dump(known, handle)
    return known[label]


KINDS = (
    ("who", re.compile(r"\b(who|whom|whose)\b", re.I)),
    ("when", re.compile(r"\bwhen\b|\bwhat (year|date|day|month|time)\b", re.I)),
    ("how_many", re.compile(r"\bhow (many|much|long|old|big|large|far|often)\b", re.I)),
    ("where", re.compile(r"\bwhere\b", re.I)),
    ("which", re.compile(r"\bwhich\b", re.I)),
)
EXTRA = (
    *(f"kind_{name}" for name, _ in KINDS),
    "kind_other",
    "dense_margin",
    "cosine_rank",
    "lexical_rank",
    "question_words",
    "linear",
)


@dataclass
class SetData:
    data: Data
    home: npt.NDArray[np.int64] | None  # article of each question (None: unknown)


def kind(question: str) -> int:
    for n, (_, pattern) in enumerate(KINDS):
        if pattern.search(question):
            return n
    return len(KINDS)


def _ranks(values: Matrix, group: npt.NDArray[np.int64]) -> Matrix:
    """Rank (0 = best) of each candidate by ``values`` within its question."""
    order = np.lexsort((-values, group))
    ranks = np.empty(len(values))
    g = group[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    first = np.repeat(starts, np.diff(np.r_[starts, len(g)]))
    ranks[order] = np.arange(len(g)) - first
    return ranks


def extra_features(data: Data, linear: Matrix) -> Matrix:
    """The raw features of ``EXTRA`` for every candidate of ``data``."""
    cosine = data.x[:, FEATURES.index("cosine")]
    lexical = (
        data.x[:, FEATURES.index("lexical_sentence")] + data.x[:, FEATURES.index("lexical_window")]
    )
    ngroups = len(data.questions)
    kinds = np.array([kind(q) for q in data.questions])[data.group]
    onehot = np.eye(len(KINDS) + 1)[kinds]
    cos_rank = _ranks(cosine, data.group)
    best = np.full(ngroups, -np.inf)
    np.maximum.at(best, data.group, cosine)
    second = np.full(ngroups, -np.inf)
    np.maximum.at(second, data.group, np.where(cos_rank == 1, cosine, -np.inf))
    margin = np.where(np.isfinite(second), best - second, 1.0)[data.group]
    words = np.array([len(q.split()) for q in data.questions], dtype=np.float64)[data.group]
    return np.column_stack([onehot, margin, cos_rank, _ranks(lexical, data.group), words, linear])


def subset(data: Data, questions: npt.NDArray[np.bool_]) -> Data:
    """The candidates of the chosen questions, renumbered 0..k-1."""
    keep = questions[data.group]
    renumber = np.cumsum(questions) - 1
    return Data(
        data.x[keep],
        data.y[keep],
        renumber[data.group[keep]],
        data.coverage[questions],
        data.answerable[questions],
        [q for q, k in zip(data.questions, questions, strict=True) if k],
    )


def top_mask(data: Data, linear: Matrix, top: int = TOP) -> npt.NDArray[np.bool_]:
    return _ranks(linear, data.group) < top


@dataclass
class Options:
    objective: str
    leaves: int
    trees: int
    min_leaf: int
    rate: float
    residual: bool
    monotone: bool
    threads: int
    drop: tuple[str, ...]


def design(data: Data, w: Matrix, drop: tuple[str, ...] = ()) -> tuple[Matrix, Matrix]:
    """Tree inputs (FEATURES, EXTRA; those in ``drop`` held at 0) and the linear score."""
    linear = data.x @ w
    x = np.column_stack([data.x, extra_features(data, linear)])
    names = [*FEATURES, *EXTRA]
    x[:, [names.index(n) for n in drop]] = 0.0
    return x, linear


def fit_trees(parts: list[tuple[Data, float]], w: Matrix, options: Options) -> object:
    import lightgbm as lgb  # type: ignore[import-not-found,import-untyped,unused-ignore]

    xs, ys, weights, groups, inits = [], [], [], [], []
    for data, weight in parts:
        x, linear = design(data, w, options.drop)
        keep = top_mask(data, linear) | data.y
        has_gold = np.bincount(data.group, data.y, len(data.questions)) > 0
        keep &= has_gold[data.group]
        xs.append(x[keep])
        ys.append(data.y[keep].astype(np.int32))
        inits.append(linear[keep])
        g = data.group[keep]
        sizes = np.bincount(g, minlength=len(data.questions))
        sizes = sizes[sizes > 0]
        groups.append(sizes)
        # each set counts ``weight`` in all, as in fit_ranking's listwise loss (per question)
        weights.append(np.full(int(keep.sum()), weight / len(sizes)))
    names = [*FEATURES, *EXTRA]
    monotone = [0] * len(names)
    if options.monotone:
        for name in ("cosine", "lexical_sentence", "lexical_window", "hybrid", "linear"):
            monotone[names.index(name)] = 1
    weight_rows = np.concatenate(weights)
    dataset = lgb.Dataset(
        np.concatenate(xs),
        np.concatenate(ys),
        weight=weight_rows / weight_rows.mean(),  # mean 1: lambda_l2 keeps its meaning
        group=np.concatenate(groups),
        init_score=np.concatenate(inits) if options.residual else None,
        feature_name=[n.replace(" ", "_") for n in names],
        free_raw_data=False,
    )
    params = {
        "objective": options.objective,
        "num_leaves": options.leaves,
        "min_data_in_leaf": options.min_leaf,
        "learning_rate": options.rate,
        "feature_fraction": 0.8,
        "bagging_fraction": 0.8,
        "bagging_freq": 1,
        "lambda_l2": 10.0,
        "monotone_constraints": monotone,
        "verbosity": -1,
        "num_threads": options.threads,
        "seed": 1,
        "deterministic": True,
    }
    return lgb.train(params, dataset, num_boost_round=options.trees)


def tree_scores(model: object, data: Data, w: Matrix, options: Options) -> Matrix:
    """The trees' order over each question's top 40 by the linear score, the rest below."""
    x, linear = design(data, w, options.drop)
    top = top_mask(data, linear)
    raw = np.asarray(model.predict(x[top]))  # type: ignore[attr-defined]
    if options.residual:
        raw = raw + linear[top]
    scores = linear - 1e6
    scores[top] = raw
    return scores


def cell(data: Data, scores: Matrix) -> str:
    p1, mrr = metrics(data, scores)
    return f"{p1:.3f}/{mrr:.3f}"


def load_data() -> dict[str, SetData]:
    key = hashlib.sha256(
        (Path(__file__).resolve().parent.parent / "embeddings" / "features.py").read_bytes()
    ).hexdigest()
    if CACHE.exists():
        with CACHE.open("rb") as handle:
            stored = pickle.load(handle)
        if stored[0] == key:
            return dict(stored[1])
    sets = load(["squad", "selqa", "reader-tune", "reader-holdout"], VectorCache())
    out = {
        name: SetData(collect(s), None if s.home is None else np.asarray(s.home))
        for name, s in sets.items()
    }
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    with CACHE.open("wb") as handle:
        pickle.dump((key, out), handle)
    return out


def folds(home: npt.NDArray[np.int64], fold: int) -> npt.NDArray[np.bool_]:
    """Questions of half the articles (a fixed shuffle of the article numbers)."""
    articles = np.unique(home)
    chosen = np.random.default_rng(8).permutation(articles)[: len(articles) // 2]
    inside = np.isin(home, chosen)
    return inside if fold == 0 else ~inside


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--objective", default="lambdarank")
    parser.add_argument("--leaves", type=int, default=6)
    parser.add_argument("--trees", type=int, default=200)
    parser.add_argument("--min-leaf", type=int, default=400)
    parser.add_argument("--rate", type=float, default=0.05)
    parser.add_argument("--residual", action="store_true")
    parser.add_argument("--monotone", action="store_true")
    parser.add_argument("--reader-weight", type=float, default=READER_WEIGHT)
    parser.add_argument("--skip-oof", action="store_true")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--drop", default="", help="features the trees may not use (names)")
    parser.add_argument("--skip-cross", action="store_true")
    parser.add_argument(
        "--holdout", action="store_true", help="also read reader-holdout (only at the very end)"
    )
    args = parser.parse_args()
    try:
        import lightgbm  # type: ignore[import-not-found,import-untyped,unused-ignore]  # noqa: F401
    except ImportError:
        print("needs lightgbm (pip install lightgbm); quotebot itself does not", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    options = Options(
        args.objective,
        args.leaves,
        args.trees,
        args.min_leaf,
        args.rate,
        args.residual,
        args.monotone,
        args.threads,
        tuple(n for n in args.drop.split(",") if n),
    )
    print(options, f"reader weight {args.reader_weight}")
    sets = load_data()
    data = {name: s.data for name, s in sets.items()}
    squad, selqa, tune = data["squad"], data["selqa"], data["reader-tune"]

    def show(label: str, w: Matrix, model: object | None) -> None:
        cells = []
        for name, d in data.items():
            if name == "reader-holdout" and not args.holdout:
                continue
            scores = d.x @ w if model is None else tree_scores(model, d, w, options)
            cells.append(f"{name} {cell(d, scores)}")
        print(f"{label}: P@1/MRR@10 " + ", ".join(cells), flush=True)

    final_parts = [(squad, 1.0), (selqa, 1.0), (tune, args.reader_weight)]
    fits: list[tuple[str, list[tuple[Data, float]]]] = [
        ("fit on SQuAD", [(squad, 1.0)]),
        ("fit on SelQA", [(selqa, 1.0)]),
    ]
    if args.skip_cross:
        fits = []
    for label, parts in [*fits, (f"final: both + tune x{args.reader_weight}", final_parts)]:
        w = linear_fit(label, parts)
        show(f"linear, {label}", w, None)
        show(f"trees,  {label}", w, fit_trees(parts, w, options))
    if args.skip_oof:
        return 0
    for name, other in (("squad", "selqa"), ("selqa", "squad"), ("reader-tune", "")):
        home = sets[name].home
        if home is None:  # the reader questions: each its own fold unit
            home = np.arange(len(data[name].questions))
        lin_scores = np.zeros(len(data[name].y))
        tree = np.zeros(len(data[name].y))
        for fold in (0, 1):
            train = subset(data[name], folds(home, fold))
            read_mask = folds(home, 1 - fold)
            read = subset(data[name], read_mask)
            if other:
                parts = [(train, 1.0), (data[other], 1.0), (tune, args.reader_weight)]
            else:
                parts = [(squad, 1.0), (selqa, 1.0), (train, args.reader_weight)]
            w = linear_fit(f"oof {name} {fold} x{args.reader_weight}", parts)
            rows = read_mask[data[name].group]
            lin_scores[rows] = read.x @ w
            tree[rows] = tree_scores(fit_trees(parts, w, options), read, w, options)
        print(
            f"out-of-fold {name}: linear {cell(data[name], lin_scores)}, "
            f"trees {cell(data[name], tree)}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
