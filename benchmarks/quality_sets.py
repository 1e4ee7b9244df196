"""The evaluation sets of benchmarks/quality.py and fit_ranking.py, built from cached vectors.

Each set is a corpus (documents), its questions in the answer-set format
(embeddings/answer_sets.py), a real SentenceIndex built with vectors from the on-disk cache
(vector_cache.py), and, for SQuAD and SelQA, the document each question was asked about, so
that the question can be asked again with that document hidden ("leave one article out": a
near-subject question the corpus does not answer).
"""

from __future__ import annotations

import hashlib
import logging
import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from vector_cache import VectorCache

from embeddings.answer_sets import (
    AnswerCase,
    is_right,
    load_answer_set,
    selqa_answer_set,
    squad_answer_set,
)
from embeddings.corpus import read_corpus
from embeddings.features import Pool, SentenceTraits, context_cosine, features
from embeddings.index import SentenceIndex, build_index
from embeddings.lexical import LEXICAL_VERSION, tokenize
from embeddings.ranking import CANDIDATES, WEIGHTS, coverage, index_traits, judge
from embeddings.squad import load_squad
from embeddings.types import Document

logger = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parent.parent
EVAL = REPO.parent / "shared" / "eval"
Matrix = npt.NDArray[np.float32]


@dataclass
class EvalSet:
    name: str
    documents: list[Document]
    cases: list[AnswerCase]
    index: SentenceIndex
    matrix: Matrix  # sentence vectors
    questions: Matrix  # question vectors, one row per case
    traits: SentenceTraits
    home: list[int] | None  # document each question was asked about (None: not known)
    doc_of: npt.NDArray[np.int64]  # document of each sentence

    @property
    def texts(self) -> list[str]:
        return [s.text for s in self.index.sentences]


class _CachedEncoder:
    def __init__(self, cache: VectorCache) -> None:
        self.cache = cache

    @property
    def dimension(self) -> int:
        return 384

    def encode(self, texts: Sequence[str]) -> Matrix:
        return self.cache.encode(texts)


def _make(
    name: str,
    documents: list[Document],
    cases: list[AnswerCase],
    home: list[int] | None,
    cache: VectorCache,
) -> EvalSet:
    encoder = _CachedEncoder(cache)
    index = build_index(documents, encoder)
    matrix = index.vectors.reconstruct_n(0, index.vectors.ntotal).astype(np.float32)
    questions = cache.encode([c.question for c in cases])
    doc_of = np.array([s.doc for s in index.sentences], dtype=np.int64)
    traits = index_traits(index)
    return EvalSet(name, documents, cases, index, matrix, questions, traits, home, doc_of)


def squad_set(cache: VectorCache, path: Path = EVAL / "squad-dev-v1.1.json") -> EvalSet:
    squad = load_squad(path)
    cases = squad_answer_set(squad)
    return _make(
        "SQuAD dev", list(squad.documents), cases, [q.document for q in squad.questions], cache
    )


def selqa_set(cache: VectorCache, path: Path = EVAL / "selqa-ass-dev.json") -> EvalSet:
    documents, cases = selqa_answer_set(path)
    home = [next(n for n, d in enumerate(documents) if c.answers[0] in d.text) for c in cases]
    return _make("SelQA dev", documents, cases, home, cache)


def reader_set(cache: VectorCache, files: Sequence[str]) -> EvalSet:
    cases: list[AnswerCase] = []
    for name in files:
        cases += load_answer_set(REPO / "tests" / "data" / f"{name}.jsonl")
    return _make("+".join(files), read_corpus(REPO / "corpus"), cases, None, cache)


_POOLS: dict[tuple[str, int, bool], Pool] = {}
POOL_CACHE = Path("/tmp/quotebot-eval/pools")


def pool(evalset: EvalSet, n: int, hide: int | None = None, candidates: int = CANDIDATES) -> Pool:
    """As ranking.candidate_pool, with the sentences of document ``hide`` left out."""
    key = (evalset.name, n, hide is not None)
    if key not in _POOLS:
        _POOLS[key] = _pool(evalset, n, hide, candidates)
    return _POOLS[key]


def load_pools(evalset: EvalSet) -> None:
    """Pools of earlier runs of this set (same questions, same lexical version)."""
    path = _pool_path(evalset)
    if path.exists():
        with path.open("rb") as handle:
            _POOLS.update(pickle.load(handle))


def save_pools(evalset: EvalSet) -> None:
    POOL_CACHE.mkdir(parents=True, exist_ok=True)
    mine = {k: v for k, v in _POOLS.items() if k[0] == evalset.name}
    with _pool_path(evalset).open("wb") as handle:
        pickle.dump(mine, handle)


def _pool_path(evalset: EvalSet) -> Path:
    # Keyed by the sentences too: a pool holds sentence numbers, and a change to the splitter
    # (1038ef4 gave SQuAD dev one sentence more) shifted them under pools cached before it, so
    # the gold labels fell on the wrong sentences.
    digest = hashlib.sha256(
        "\n".join(
            ["4", LEXICAL_VERSION, *(c.question for c in evalset.cases), "", *evalset.texts]
        ).encode()
    ).hexdigest()[:16]
    return POOL_CACHE / f"{digest}.pkl"


def _pool(evalset: EvalSet, n: int, hide: int | None, candidates: int) -> Pool:
    question = evalset.cases[n].question
    vector = evalset.questions[n]
    index = evalset.index
    cosine = evalset.matrix @ vector
    sentence = index.lexical.scores(question) / max(index.lexical.ceiling(question), 1e-6)
    window = index.lexical_window.scores(question) / max(
        index.lexical_window.ceiling(question), 1e-6
    )
    lexical = sentence + window
    if hide is not None:
        mask = evalset.doc_of == hide
        cosine = np.where(mask, -np.inf, cosine)
        lexical = np.where(mask, 0.0, lexical)
    k = min(candidates, len(cosine) - 1)
    dense_hits = np.argpartition(-cosine, k)[:k]
    lexical_hits = np.argpartition(-lexical, k)[:k]
    lexical_hits = lexical_hits[lexical[lexical_hits] > 0]
    ids = np.unique(np.concatenate([dense_hits, lexical_hits])).astype(np.int64)
    if hide is not None:
        ids = ids[evalset.doc_of[ids] != hide]
    return Pool(
        ids,
        cosine[ids].astype(np.float32),
        sentence[ids].astype(np.float32),
        window[ids].astype(np.float32),
        coverage(index, question) if hide is None else _coverage_without(evalset, question, hide),
        context_cosine(evalset.matrix, vector, ids, evalset.traits.previous[ids]),
    )


def _coverage_without(evalset: EvalSet, question: str, hide: int) -> float:
    """ranking.coverage as if document ``hide`` were not in the corpus."""
    lexical = evalset.index.lexical
    terms = set(tokenize(question))
    if not terms:
        return 1.0
    covered = 0
    for term in terms:
        t = lexical.vocabulary.get(term)
        if t is not None:
            rows = lexical.rows[lexical.offsets[t] : lexical.offsets[t + 1]]
            covered += bool((evalset.doc_of[rows] != hide).any())
    return covered / len(terms)


def known_without(evalset: EvalSet, question: str, hide: int) -> dict[str, bool]:
    """Per question term: whether the corpus uses it outside document ``hide``."""
    lexical = evalset.index.lexical
    known = {}
    for term in set(tokenize(question)):
        t = lexical.vocabulary.get(term)
        if t is None:
            known[term] = False
            continue
        rows = lexical.rows[lexical.offsets[t] : lexical.offsets[t + 1]]
        known[term] = bool((evalset.doc_of[rows] != hide).any())
    return known


def judged(
    evalset: EvalSet, n: int, hide: int | None = None, weights: Sequence[float] = WEIGHTS
) -> tuple[Pool, Matrix, Matrix]:
    """Question ``n``'s pool, ranking scores and answerability features (ranking.judge), with
    document ``hide`` left out of the corpus."""
    question = evalset.cases[n].question
    p = pool(evalset, n, hide)
    x = features(question, evalset.traits, p)
    linear = (x @ np.asarray(weights, dtype=np.float32)).astype(np.float32)
    known = known_without(evalset, question, hide) if hide is not None else None
    return p, linear, judge(evalset.index, question, p, x, linear, evalset.traits, known)


def gold(evalset: EvalSet, n: int, ids: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    answers = evalset.cases[n].answers
    if not answers:
        return np.zeros(len(ids), dtype=np.bool_)
    texts = evalset.index.sentences
    return np.array([is_right(texts[i].text, answers) for i in ids.tolist()], dtype=np.bool_)


def load(names: Sequence[str], cache: VectorCache) -> dict[str, EvalSet]:
    sets = {}
    for name in names:
        if name == "squad":
            sets[name] = squad_set(cache)
        elif name == "selqa":
            sets[name] = selqa_set(cache)
        elif name.startswith("reader-"):  # tests/data/<name>.jsonl over the bundled corpus
            sets[name] = reader_set(cache, [name])
        load_pools(sets[name])
    return sets
