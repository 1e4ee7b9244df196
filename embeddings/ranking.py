"""Ranking sentences for a question: a learned combination of dense and lexical evidence.

Neither retriever is enough alone. Dense vectors understand paraphrase ("held" ~ "in
custody") but blur names and numbers; BM25 is exact on rare words but blind to synonyms. The
candidates of both are described by the features of embeddings/features.py (cosine, BM25 shares
of sentence and window, the kind of answer asked for, a sentence leaning on its neighbour, ...)
and ranked by a linear score whose weights were fitted across datasets (SQuAD and SelQA, each
tested on the other; benchmarks/fit_ranking.py, docs/evaluation.md). The score a user sees is
0..1 (``calibrate_scores``): the first quote's is the probability that the corpus answers the
question (embeddings/answerability.py), and the abstention thresholds read the same number.

``rank_hybrid`` is the previous, hand-tuned fusion (cosine plus a dense-margin-gated lexical
share), kept as the baseline the benchmarks compare with.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from embeddings.answerability import (
    SCORE_SCALE,
    answerability_features,
    logit,
    passage_terms,
    question_terms,
)
from embeddings.answerability import (
    probability as answerability_probability,
)
from embeddings.features import (
    FEATURES,
    REASON,
    Pool,
    SentenceTraits,
    answer_type,
    context_cosine,
    features,
)
from embeddings.features import lexical_weight as lexical_weight  # the old gate, re-exported
from embeddings.index import SentenceIndex
from embeddings.language import normalise as normalise_language
from embeddings.lazy_traits import lazy_traits
from embeddings.lexical import LexicalEvidence, tokenize
from embeddings.lexical import lexical_evidence as postings_evidence
from embeddings.markdown import asks, is_markup_line, may_be_markup_line
from embeddings.types import Sentence

CANDIDATES = 100  # from each retriever; the union is re-scored exactly

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Ranking:
    """Candidates of one question, best first, with the evidence of each retriever."""

    ids: IntArray
    fused: FloatArray  # the score each candidate is ranked by (rank: calibrated, 0..1)
    dense: FloatArray
    lexical: FloatArray  # share of the question's lexical evidence, sentence and window summed
    lexical_weight: float = 1.0  # g above: how much the lexical side counted for this question

    @property
    def relevance(self) -> float:
        """The best candidate's score: what the abstention thresholds are compared with.

        For ``rank`` it is the 0..1 probability that the corpus answers the question
        (embeddings/answerability.py), the very number shown as the first quote's score.
        """
        if not len(self.ids):
            return 0.0
        return float(self.fused[0])


def fuse(dense: FloatArray, lexical: FloatArray, weight: float) -> FloatArray:
    return (dense + weight * lexical).astype(np.float32)


def lexical_evidence(index: SentenceIndex, question: str) -> FloatArray:
    """Per sentence, the share of the question's BM25 ceiling matched (sentence + window)."""
    sentence = index.lexical.scores(question) / max(index.lexical.ceiling(question), 1e-6)
    window = index.lexical_window.scores(question) / max(
        index.lexical_window.ceiling(question), 1e-6
    )
    return (sentence + window).astype(np.float32)


def _top(scores: FloatArray, k: int) -> IntArray:
    if k >= len(scores):
        return np.arange(len(scores), dtype=np.int64)
    return np.argpartition(-scores, k)[:k].astype(np.int64)


def rank_hybrid(
    index: SentenceIndex,
    matrix: FloatArray,
    question: str,
    vector: FloatArray,
    candidates: int = CANDIDATES,
) -> Ranking:
    """The previous ranking (dense + margin-gated lexical share), kept as a baseline.

    ``matrix`` holds the sentence vectors (rows of the FAISS index) so that sentences found
    only by BM25 get their exact cosine too.
    """
    (dense_hits,) = index.search_vectors(vector[None, :], candidates)
    lexical = lexical_evidence(index, question)
    lexical_hits = _top(lexical, candidates)
    lexical_hits = lexical_hits[lexical[lexical_hits] > 0]
    ids = np.unique(
        np.concatenate([np.array([i for i, _ in dense_hits], dtype=np.int64), lexical_hits])
    )
    dense = (matrix[ids] @ vector).astype(np.float32)
    top_two = [score for _, score in dense_hits[:2]]
    margin = top_two[0] - top_two[1] if len(top_two) == 2 else 1.0
    weight = lexical_weight(margin)
    fused = fuse(dense, lexical[ids], weight)
    order = np.argsort(-fused, kind="stable")
    return Ranking(ids[order], fused[order], dense[order], lexical[ids][order], weight)


# --- the learned ranking ------------------------------------------------------------------
#
# A linear model over embeddings/features.py, fitted by benchmarks/fit_ranking.py on SQuAD dev
# and SelQA dev together with the bundled corpus's reader tune set at weight 2 (cross-validated:
# fitted on one, tested on the other; see docs/evaluation.md). ``score = w . features`` orders
# the candidates; whether the corpus answers at all is judged once per question by
# embeddings/answerability.py (``judge``), and the scores users see start from that
# probability (``calibrate_scores``), so the order never depends on it.

FEATURE_WEIGHTS: dict[str, float] = {
    "cosine": 3.1426,
    "dense_best": 0.1832,
    "lexical_sentence": 2.6032,
    "lexical_window": 6.2086,
    "lexical_best": 0.7471,
    "type_in_sentence": 1.2573,
    "type_in_window": -1.9119,
    "leans_on_neighbour_x_window": 1.0285,
    "document_cosine": 3.4336,
    "number_missing": -2.4625,
    "date_missing": -0.3533,
    "person_missing": 1.252,
    "hybrid": 3.0559,
    "context_cosine": 4.1584,
}
WEIGHTS: tuple[float, ...] = tuple(FEATURE_WEIGHTS[name] for name in FEATURES)


def sigmoid(values: FloatArray) -> FloatArray:
    return (1.0 / (1.0 + np.exp(-np.clip(values, -30.0, 30.0)))).astype(np.float32)


def candidate_pool(
    index: SentenceIndex,
    matrix: FloatArray,
    question: str,
    vector: FloatArray,
    candidates: int = CANDIDATES,
    traits: SentenceTraits | None = None,
    language: str | None = None,
) -> Pool:
    """The union of both retrievers' top candidates, each scored exactly by both.

    The lexical side is summed over the question's postings only (no corpus-sized array), and
    ``matrix`` may be the memory-mapped vectors: only the candidates' rows (and those of the
    sentences before them, for ``context_cosine``) are read. ``language`` is the question's:
    its lexical terms are read in that language (embeddings/lexical.py ``query_languages``).
    """
    if traits is None:
        traits = index_traits(index)
    (dense_hits,) = index.search_vectors(vector[None, :], candidates)
    evidence = postings_evidence(index.lexical, index.lexical_window, question, language)
    lexical_hits = evidence.top(candidates)
    ids = np.unique(
        np.concatenate([np.array([i for i, _ in dense_hits], dtype=np.int64), lexical_hits])
    )
    return pool_of(index, matrix, question, vector, ids, traits, evidence)


def pool_of(
    index: SentenceIndex,
    matrix: FloatArray,
    question: str,
    vector: FloatArray,
    ids: IntArray,
    traits: SentenceTraits,
    evidence: LexicalEvidence,
) -> Pool:
    """The given sentences as candidates, each scored exactly by both retrievers."""
    sentence, window = evidence.at(ids)
    return Pool(
        ids,
        (matrix[ids] @ vector).astype(np.float32),
        sentence,
        window,
        coverage(index, question),
        context_cosine(matrix, vector, ids, traits.previous[ids]),
    )


def coverage(index: SentenceIndex, question: str) -> float:
    """Share of the question's terms that occur in the corpus at all (1.0 for none).

    A question in words the corpus never uses is seldom answered by it, however close some
    sentence's meaning: the calibration reads this.
    """
    terms = set(tokenize(question))
    if not terms:
        return 1.0
    return sum(term in index.lexical.vocabulary for term in terms) / len(terms)


def linear_scores(
    question: str, pool: Pool, traits: SentenceTraits, weights: Sequence[float] = WEIGHTS
) -> tuple[FloatArray, FloatArray]:
    """Each candidate's ranking score, and the candidates' features (``features``)."""
    x = features(question, traits, pool)
    return (x @ np.asarray(weights, dtype=np.float32)).astype(np.float32), x


def passage_ids(traits: SentenceTraits, sentence_id: int) -> list[int]:
    """A sentence and its neighbours in the same document: the passage a reader would read."""
    around = (int(traits.previous[sentence_id]), int(traits.following[sentence_id]))
    return [sentence_id, *(n for n in around if n >= 0)]


def calibrate_scores(scores: FloatArray, answerability: FloatArray) -> FloatArray:
    """The scores users see, 0..1, for candidates ordered best first.

    The first is the answerability probability (``embeddings/answerability.py``); each later
    one falls from it with its ranking score (``SCORE_SCALE``), so the order never changes.
    """
    return calibrate_from(scores, logit(answerability))


def calibrate_from(scores: FloatArray, first: float) -> FloatArray:
    """As ``calibrate_scores``, from the log-odds ``first`` of the first candidate's score."""
    if not len(scores):
        return scores.astype(np.float32)
    offset = first + SCORE_SCALE * (scores - scores[0])
    return sigmoid(offset.astype(np.float32))


def index_traits(index: SentenceIndex) -> SentenceTraits:
    """The traits the index was built (or loaded) with; otherwise computed per sentence when
    it first becomes a candidate (``sentence_traits`` over every sentence took 1.2 s per
    10,000 sentences at every start)."""
    if index.traits is not None:
        return index.traits
    return lazy_traits(index.doc_of, lambda n: index.sentences[n].text)


def rank(
    index: SentenceIndex,
    matrix: FloatArray,
    question: str,
    vector: FloatArray,
    traits: SentenceTraits | None = None,
    candidates: int = CANDIDATES,
    language: str | None = None,
) -> Ranking:
    """Rank the candidates of both retrievers by the learned model, best first.

    ``fused`` is each candidate's calibrated score (0..1), the number users see; ``traits``
    should be computed once per index (``index_traits``) by the caller; ``language`` is the
    question's (None: taken to be the best candidate article's).
    """
    if traits is None:
        traits = index_traits(index)
    pool = candidate_pool(index, matrix, question, vector, candidates, traits, language)
    linear, x = linear_scores(question, pool, traits)
    keep = not_headings(index, pool.ids, np.argsort(-linear, kind="stable")[:HEADINGS_CHECKED])
    if not keep.all():
        pool, linear, x, keep = _answers_in_place_of_questions(
            index, traits, pool, linear, x, keep
        )
        pool, linear, x = _kept(pool, keep), linear[keep], x[keep]
    if answer_type(question) == REASON:
        pool, linear, x = _reasons_after(index, traits, pool, linear, x)
    values = judge(index, question, pool, x, linear, traits, language=language)
    return _ranking(pool, linear, logit(values))


# Candidates, best first, read for Markdown headings. Reading a sentence's text from a stored
# index costs microseconds each; the whole pool (about 150) added 0.4-0.8 ms a question. The
# judgement reads the best one and users the first few; a heading further down is left out
# when the quotes are made (``Searcher.quotes``).
HEADINGS_CHECKED = 20


def not_headings(index: SentenceIndex, ids: IntArray, check: IntArray) -> BoolArray:
    """Per id, False for a Markdown heading line, a line of hashtags or a bold line (markdown.py)
    among the positions ``check``: a heading is no answer, though it often carries the
    question's very words ("## Who paid for the park"). Its words still count in its
    neighbours' windows."""
    keep = np.ones(len(ids), dtype=np.bool_)
    for n in check.tolist():
        keep[n] = not is_markup_sentence(index, index.sentences[int(ids[n])])
    return keep


def _answers_in_place_of_questions(
    index: SentenceIndex,
    traits: SentenceTraits,
    pool: Pool,
    linear: FloatArray,
    x: FloatArray,
    keep: BoolArray,
) -> tuple[Pool, FloatArray, FloatArray, BoolArray]:
    """The pool with each markup line that asks a question (an interview's ``**Why did the
    talks break down?**``, a FAQ's ``## Who pays?``) replaced by the answer under it
    (``answer_under``), which takes its place and its evidence; returned with the scores,
    features and which candidates to keep.

    The question line is the question the sentences under it answer, and a reader who asks it
    in its words wants them; the answer itself seldom shares a word with it ("Northsea wanted
    to cut night-shift pay by a fifth ..."), so it ranked third and the question was declined
    (NU22B-1). Where the answer is a candidate that ranks better on its own, it stays where
    it is. A heading that asks nothing ("## The fines") only lends its words to its
    neighbours' windows.
    """
    placed = [
        (position, answer_under(index, traits, int(pool.ids[position])))
        for position in np.flatnonzero(~keep).tolist()
        if asks(index.sentences[int(pool.ids[position])].text)
    ]
    return _placed(pool, linear, x, keep, placed)


def _reasons_after(
    index: SentenceIndex,
    traits: SentenceTraits,
    pool: Pool,
    linear: FloatArray,
    x: FloatArray,
) -> tuple[Pool, FloatArray, FloatArray]:
    """For a "why" question: the pool with the reason that follows one of the best
    candidates ("Because the Crimean Tatars are resisting the invaders most of all.", after
    "Why is that?") placed right after it, so that the quote is both.

    Such a reason leans on the sentence before for what it explains and shares few of the
    question's words, so it ranked fourth among sentences that only restate what the
    question asks about (NU21-10, NU22-3, NU22B-3). A weight for the reason kind in the
    learned ranking was fitted near 0 on SQuAD and SelQA (docs/evaluation.md): there "because"
    is anywhere; a sentence that opens with it is the answer to the one before.
    """
    placed = []
    for position in np.argsort(-linear, kind="stable")[:REASONS_READ].tolist():
        run, at = [], int(traits.following[int(pool.ids[position])])
        if at >= 0 and _RHETORICAL.fullmatch(index.sentences[at].text):
            run, at = [at], int(traits.following[at])
        if at >= 0 and _OPENS_WITH_REASON.match(index.sentences[at].text):
            placed.append((position, [*run, at]))
    if not placed:
        return pool, linear, x
    keep = np.ones(len(pool.ids), dtype=np.bool_)
    pool, linear, x, keep = _placed(pool, linear, x, keep, placed, after=True)
    return _kept(pool, keep), linear[keep], x[keep]


# The best candidates of a "why" question read for a reason in the sentence after them.
REASONS_READ = 3
_OPENS_WITH_REASON = re.compile(
    r"[\W]*(?:because|(?:this|that|it) is because|(?:this|that|it) was because|the reasons? "
    r"(?:is|was|are|were)\b)",
    re.IGNORECASE,
)
# "Why is that?", "Why?", "Why so?": the speaker asks the question and answers it.
_RHETORICAL = re.compile(r"\W*why\b[^.!?]{0,30}\?\W*", re.IGNORECASE)


def _placed(
    pool: Pool,
    linear: FloatArray,
    x: FloatArray,
    keep: BoolArray,
    placed: Sequence[tuple[int, Sequence[int]]],
    after: bool = False,
) -> tuple[Pool, FloatArray, FloatArray, BoolArray]:
    """The pool with, for each ``(position, ids)`` of ``placed``, the sentences ``ids``
    scored as the candidate at ``position`` (just below it, in their order) with its
    evidence; ``after``: below the candidate, which stays, otherwise in its place (it is not
    kept). A sentence already a candidate that scores better stays where it is, and so do
    the ones after it. Returns the scores, features and which candidates to keep too."""
    rows = list(range(len(pool.ids)))  # per candidate, the row of evidence it takes
    ids, scores, kept = pool.ids.tolist(), linear.tolist(), keep.tolist()
    at = {n: position for position, n in enumerate(ids)}
    for position, sentences in placed:
        for step, below in enumerate(sentences, start=int(after)):
            score = float(linear[position]) - 1e-3 * step  # in the article's order
            other = at.get(below)
            if other is not None and kept[other]:
                if scores[other] >= score:
                    break
                kept[other] = False
            if step == 0:
                ids[position], scores[position], kept[position] = below, score, True
                at[below] = position
                continue
            rows.append(position)
            ids.append(below)
            scores.append(score)
            kept.append(True)
            at[below] = len(ids) - 1
    take = np.array(rows, dtype=np.int64)
    context = None if pool.context_cosine is None else pool.context_cosine[take]
    moved = replace(
        pool,
        ids=np.array(ids, dtype=pool.ids.dtype),
        cosine=pool.cosine[take],
        lexical_sentence=pool.lexical_sentence[take],
        lexical_window=pool.lexical_window[take],
        context_cosine=context,
    )
    return moved, np.array(scores, dtype=np.float32), x[take], np.array(kept, dtype=np.bool_)


# An answer under a question line shorter than this many words ("Partly.", "No.") is shown
# with the sentence after it in its paragraph: alone it answers nothing a reader can check.
SHORT_ANSWER_WORDS = 5


def answer_under(index: SentenceIndex, traits: SentenceTraits, line: int) -> list[int]:
    """The sentences that answer the question line ``line``: the one under it, and the next
    of its paragraph when that one is short; none when markup follows."""
    first = int(traits.following[line])
    if first < 0 or is_markup_sentence(index, index.sentences[first]):
        return []
    answer = [first]
    after = int(traits.following[first])
    if (
        after >= 0
        and len(index.sentences[first].text.split()) < SHORT_ANSWER_WORDS
        and same_paragraph(index, first, after)
        and not is_markup_sentence(index, index.sentences[after])
    ):
        answer.append(after)
    return answer


def is_markup_sentence(index: SentenceIndex, sentence: Sentence) -> bool:
    """``markdown.is_markup_line`` for a sentence of the index."""
    if not may_be_markup_line(sentence.text):  # cheap test first: the article is read then
        return False
    return is_markup_line(sentence.text, index.documents[sentence.doc].text, sentence.start)


def _kept(pool: Pool, keep: BoolArray) -> Pool:
    context = None if pool.context_cosine is None else pool.context_cosine[keep]
    return replace(
        pool,
        ids=pool.ids[keep],
        cosine=pool.cosine[keep],
        lexical_sentence=pool.lexical_sentence[keep],
        lexical_window=pool.lexical_window[keep],
        context_cosine=context,
    )


def rank_among(
    index: SentenceIndex,
    matrix: FloatArray,
    question: str,
    vector: FloatArray,
    ids: IntArray,
    topic: str,
    prior: float,
    traits: SentenceTraits | None = None,
    language: str | None = None,
    at_least: float = 0.0,
    names: Sequence[str] = (),
) -> Ranking:
    """Rank only the sentences ``ids`` (a person's, for "What did X say about Y?").

    Every one of them was said by the person, so the question's words that name the person
    and the saying tell them apart no more than noise: the words read (lexical evidence and
    the features of the learned model) are the ``topic``'s, the meaning (``vector``) the
    whole question's. Without a topic the whole question is read. The relevance is ``prior``
    (the probability that these sentences are what was asked for at all: that the
    attributions are right), times, with a topic, the probability that the best of them
    answers it (embeddings/answerability.py, the topic read as the question), or
    ``at_least`` when that is more (the caller's judgement of the whole question, when the
    best sentence for it is one of ``ids``). ``names`` are the person's (the speakers of
    ``ids``): a sentence naming them introduces their words (``_topic_in_own_words``).

    Read on the speaker questions of tests/data/reader-speakers-tune.jsonl and reader-tune:
    the whole question read gave 14 of 18 first quotes right and answered 10; the topic
    read, 16 and 17 (none of 6 near-subject ones answered either way); the topic's own vector
    as well, 16 and 14 (docs/evaluation.md).
    """
    if traits is None:
        traits = index_traits(index)
    words = topic or question
    evidence = postings_evidence(index.lexical, index.lexical_window, words, language)
    pool = pool_of(index, matrix, words, vector, ids, traits, evidence)
    linear, x = linear_scores(words, pool, traits)
    if not topic:
        return _in_article_order(index, pool, linear, max(prior, at_least))
    values = judge(index, topic, pool, x, linear, traits, language=language)
    probability = max(prior * answerability_probability(values), at_least)
    best = pool.ids[int(np.argmax(linear))]
    naming = _naming_the_topic(index, traits, pool.ids, linear, ids, topic, names=names)
    if probability < prior and naming is not None:
        probability = prior
        # Their passage that names the topic goes first: 'Koval was asked whether his
        # client would accept a settlement. "No. ...," he said.' came after his reported
        # words on the flood, which say nothing of a settlement (NU22-8).
        linear = linear.copy()
        linear[naming] = linear.max() + 1.0
    elif probability < TOPIC_IS_THE_TITLE and (
        _topic_in_the_article(index, best, topic)
        or _naming_the_topic(index, traits, pool.ids, linear, ids, topic, partly=True, names=names)
        is not None
    ):
        probability = TOPIC_IS_THE_TITLE
    return _ranking(pool, linear, float(_log_odds(probability)))


# How many of a person's best sentences for a topic are read for a passage that names it.
TOPIC_PASSAGES_READ = 20


def _naming_the_topic(
    index: SentenceIndex,
    traits: SentenceTraits,
    candidates: IntArray,
    linear: FloatArray,
    ids: IntArray,
    topic: str,
    partly: bool = False,
    names: Sequence[str] = (),
) -> int | None:
    """The position in ``candidates`` of the best-ranked of the person's sentences whose
    passage names the topic (``_topic_in_own_words``; ``partly``: some of it), among the
    first ``TOPIC_PASSAGES_READ``; None when none does."""
    for n in np.argsort(-linear, kind="stable")[:TOPIC_PASSAGES_READ].tolist():
        if _topic_in_own_words(index, traits, int(candidates[n]), ids, topic, partly, names):
            return int(n)
    return None


# "What did Sydorenko say about the wetland park?", where he speaks in the article titled
# "Wetland park approved" but his words do not name the park: related (between the default
# QUOTEBOT_RELATED_BELOW 0.1 and QUOTEBOT_ABSTAIN_BELOW 0.3), not declined (NU21-3). Not
# answered: "What did Polozov say about the banner?" reads the same, and his words in the
# banner article are about Umerov's health. The same where their passage names some of the
# topic beside the title's words: "What did Alie Kurtumerova say about her father's next
# concert?", her answer "He already has a new concert planned for May." (NU30B-6: declined).
TOPIC_IS_THE_TITLE = 0.2


def _topic_in_the_article(index: SentenceIndex, best: int, topic: str) -> bool:
    """Whether every word of the topic is in the title of the article of sentence ``best``, or
    in its title and text: "What did Volkov say about the ban?", where his words say "the
    restriction" and the article "ban", was declined (0.00, NU33B-3); the article speaks of
    it, so his words there are related. The title is read first: it alone needs no tokenising
    of the whole article."""
    wanted, title, language = _topic_and_title(index, best, topic)
    if not wanted:
        return False
    if wanted <= title:
        return True
    document = index.documents[int(index.doc_of[best])]
    return wanted <= title | set(tokenize(document.text, language))


def _topic_and_title(
    index: SentenceIndex, best: int, topic: str
) -> tuple[set[str], set[str], str]:
    """The terms of the topic and of the title of sentence ``best``'s article, read in that
    article's language (which it also returns)."""
    document = index.documents[int(index.doc_of[best])]
    language = normalise_language(document.language)
    title = set(tokenize(document.title or "", language))
    return set(tokenize(topic, language)), title, language


_QUOTATION_OPENS = re.compile(r"\s*[\"“«„]")
# What words are said or written in: "What did X write in his letter?", "... in her speech?"
_MEDIA = (
    "letter letters statement speech interview post message appeal address video email note "
    "column tweet poem song article blog book diary sermon lecture testimony complaint "
    "petition"
)


@lru_cache(maxsize=8)
def _media(language: str) -> frozenset[str]:
    return frozenset(tokenize(_MEDIA, language))


def _topic_in_own_words(
    index: SentenceIndex,
    traits: SentenceTraits,
    best: int,
    ids: IntArray,
    topic: str,
    partly: bool = False,
    names: Sequence[str] = (),
) -> bool:
    """Whether the person's passage around ``best`` names the topic (every term of it but
    those of the article's title, and at least one): the run of their consecutive sentences
    that holds it, and the sentence before when the run leans on it ("The deputy mayor, Andriy
    Boyko, defended the choice of Mostobud. "They offered the shortest construction time,"
    Boyko said."). The article's subject, its title's words, goes without saying ("Umerov's
    health" in an article about Umerov: "his health"), but the passage must name some of the
    topic ("the banner" in the banner article is not what its lawyer speaks of; "the ferry" in
    the ferry article is, where the mayor's passage names it).

    The answerability model reads a topic as a question, and a bare noun phrase
    ("Mostobud", "the money") scores low against any sentence: the person's words that
    name it were judged "related" or declined (NU18C-4, NU18D-3). Their own words naming the
    topic answer it as surely as the attribution is right.
    """
    wanted, title, language = _topic_and_title(index, best, topic)
    if not wanted:
        return False
    theirs = {int(n) for n in ids.tolist()}
    run = [best]
    for step in (traits.previous, traits.following):
        at = int(step[best])
        while at >= 0 and at in theirs:
            run.append(at)
            at = int(step[at])
    first = min(run)
    # A run that leans ("... ," he said.) leans on the sentence before its first, whichever of
    # its sentences says so: 'Koval was asked whether his client would accept a settlement.
    # "No. My client did the work ...," he said.' (NU22-8).
    # So does a quotation that opens it, for the letter, speech or post it was said in, which
    # the sentence before introduces: 'his daughter read aloud a letter her father had written
    # in prison. / "I am not afraid of dying. ...," Dzhemalov wrote.' ("What did Dzhemalov
    # write in his letter?" was declined, NU30-5). Not for anything else that sentence
    # names: the letter says nothing of the rally it was read at.
    # The topic may describe the letter ("What did Seitablaev write in the letter read at the
    # rally?", NU30B-6: declined), so one word of it naming a medium is enough.
    introduced = bool(wanted & _media(language)) and bool(
        _QUOTATION_OPENS.match(index.sentences[first].text)
    )
    before = int(traits.previous[first])
    # An interview's answer answers the question line above it: "**How did your father spend
    # those days?**" says what "In a cell with five other men." is about (NU30B-6).
    # A sentence that names the person introduces their words: "The deputy head of the
    # district administration, Viktor Lysenko, defended the demolitions. "The law is the same
    # for everyone. ...," Lysenko said." ("What did Lysenko say about the demolitions?" was
    # declined, NU33-4; the Mostobud quote above leaned on it only by opening with "They").
    if before >= 0 and (
        any(traits.leans[n] for n in run)
        or introduced
        or question_line(index, before)
        or _names_one_of(index.sentences[before].text, names)
    ):
        run.append(before)
    found = _with_members(passage_terms((index.sentences[n].text for n in run), language))
    if partly:
        return bool((wanted - title) & found)
    return bool(wanted & found) and wanted - title <= found


# A word for a group names each member: "my parents" is about "her mother and father"
# ("What does Lenara Seitumerova say about her mother and father?" was related, 0.17, with
# her words "My parents still live in the village ..." first, NU33-9).
_MEMBERS = {
    "parent": ("mother", "father"),
    "grandpar": ("grandmoth", "grandfath"),
    "children": ("son", "daughter"),
    "sibl": ("brother", "sister"),
}


def _with_members(terms: set[str]) -> set[str]:
    """``terms`` with the members of each group they name (``_MEMBERS``; English stems)."""
    return terms.union(*(_MEMBERS[term] for term in terms & _MEMBERS.keys()))


def _names_one_of(text: str, names: Sequence[str]) -> bool:
    """Whether ``text`` writes the last word (the surname) of one of ``names``."""
    return any(
        re.search(rf"(?<![\w'’-]){re.escape(name.split()[-1])}(?![\w-])", text)
        for name in names
        if name.split()
    )


def question_line(index: SentenceIndex, at: int) -> bool:
    """Whether sentence ``at`` is a markup line that asks a question (``**Why?**``)."""
    sentence = index.sentences[at]
    return is_markup_sentence(index, sentence) and asks(sentence.text)


def _in_article_order(
    index: SentenceIndex, pool: Pool, linear: FloatArray, probability: float
) -> Ranking:
    """A person's sentences for "What did X say?": each article's in the article's order (a
    news article opens with the words that matter most, and the reporter's paraphrase comes
    last), the articles by their best sentence for the question; every one scored
    ``probability``, since every one answers it as much as the next."""
    doc_of = np.asarray(index.doc_of, dtype=np.int64)[pool.ids]
    best: dict[int, float] = {}
    for doc, score in zip(doc_of.tolist(), linear.tolist(), strict=True):
        best[doc] = max(best.get(doc, -np.inf), score)
    order = sorted(range(len(pool.ids)), key=lambda n: (-best[int(doc_of[n])], int(pool.ids[n])))
    at = np.array(order, dtype=np.int64)
    lexical = pool.lexical_sentence + pool.lexical_window
    scores = np.full(len(at), probability, dtype=np.float32)
    return Ranking(pool.ids[at], scores, pool.cosine[at], lexical[at])


def reordered(ranking: Ranking, order: IntArray) -> Ranking:
    """The ranking's candidates in ``order`` (positions), each with its own evidence and
    score."""
    order = np.asarray(order, dtype=np.int64)
    return replace(
        ranking,
        ids=ranking.ids[order],
        fused=ranking.fused[order],
        dense=ranking.dense[order],
        lexical=ranking.lexical[order],
    )


def moved_first(ranking: Ranking, at: int, relevance: float) -> Ranking:
    """The ranking with its candidate at position ``at`` first, at ``relevance``; the others
    in their order, each with its own score: a sentence a rule knows answers (who someone
    is, a reaction asked for) shown first."""
    moved = reordered(ranking, np.r_[at, np.delete(np.arange(len(ranking.ids)), at)])
    fused = moved.fused.copy()
    fused[0] = relevance
    return replace(moved, fused=fused)


def same_paragraph(index: SentenceIndex, first: int, second: int) -> bool:
    """Whether two sentences of one document (``first`` before ``second``) are in one
    paragraph: no line break between them."""
    sentence = index.sentences[first]
    text = index.documents[sentence.doc].text
    return "\n" not in text[sentence.end : index.sentences[second].start]


def capped(ranking: Ranking, ceiling: float) -> Ranking:
    """The ranking with its relevance at most ``ceiling``, every score lowered alike (same
    order, same spread)."""
    if not len(ranking.ids) or ranking.relevance <= ceiling:
        return ranking
    shift = float(_log_odds(ceiling) - _log_odds(ranking.relevance))
    odds = _log_odds(ranking.fused)
    fused = sigmoid((odds + shift).astype(np.float32))
    # the ceiling itself, not a float32 rounding below it (0.005 would read as declined)
    top = np.float32(ceiling)
    fused[0] = top if float(top) >= ceiling else np.nextafter(top, np.float32(1.0))
    return replace(ranking, fused=fused)


def _log_odds(probability: npt.ArrayLike) -> npt.NDArray[np.float64]:
    p = np.clip(np.asarray(probability, dtype=np.float64), 1e-9, 1.0 - 1e-9)
    return np.log(p / (1.0 - p))


def _ranking(pool: Pool, linear: FloatArray, first: float) -> Ranking:
    """The pool best first by ``linear``; the first score has log-odds ``first``."""
    order = np.argsort(-linear, kind="stable")
    scores = calibrate_from(linear[order], first)
    lexical = pool.lexical_sentence + pool.lexical_window
    return Ranking(pool.ids[order], scores, pool.cosine[order], lexical[order])


def judge(
    index: SentenceIndex,
    question: str,
    pool: Pool,
    x: FloatArray,
    linear: FloatArray,
    traits: SentenceTraits,
    known: Mapping[str, bool] | None = None,
    language: str | None = None,
) -> FloatArray:
    """The answerability features of a question (embeddings/answerability.py).

    Read in the language of the best candidate's article; a question in another ``language``
    is not compared with it word by word. ``known`` overrides which terms the corpus uses
    (benchmarks hide the question's own article).
    """
    if not len(pool.ids):
        terms = question_terms(index.lexical, question, known=known)
        return answerability_features(question, terms, (), x, linear)
    best = int(pool.ids[int(np.argmax(linear))])
    passage = normalise_language(index.documents[int(index.doc_of[best])].language)
    terms = question_terms(index.lexical, question, passage, known)
    texts = [index.sentences[n].text for n in passage_ids(traits, best)]
    comparable = language is None or normalise_language(language) == passage
    return answerability_features(question, terms, texts, x, linear, passage, comparable)
