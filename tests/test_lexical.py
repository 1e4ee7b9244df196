"""BM25 in numpy, checked against a direct implementation of the formula."""

from __future__ import annotations

import math
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from embeddings.lexical import (
    K1,
    B,
    KnownTokens,
    LexicalIndex,
    build_lexical_index,
    lexical_evidence,
    tokenize,
)

TEXTS = [
    "Occupiers in the Crimea illegally keep in custody 67 people.",
    "They were arrested for not agreeing with the occupation.",
    "Political prisoners are supported by a campaign called Crimean Marathon.",
    "The prisoner was held in custody for a week.",
]


def _reference(texts: list[str], query: str) -> list[float]:
    docs = [Counter(tokenize(t)) for t in texts]
    lengths = [sum(d.values()) for d in docs]
    average = sum(lengths) / len(lengths)
    scores = []
    for doc, length in zip(docs, lengths, strict=True):
        score = 0.0
        for term in set(tokenize(query)):
            df = sum(term in d for d in docs)
            if df == 0 or term not in doc:
                continue
            idf = math.log(1 + (len(docs) - df + 0.5) / (df + 0.5))
            tf = doc[term]
            score += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average))
        scores.append(score)
    return scores


def test_tokenize_drops_stop_words_and_stems() -> None:
    assert tokenize("How many prisoners are held in custody?") == ["prison", "held", "custodi"]
    assert tokenize("Prisoner’s") == tokenize("prisoner's")


def test_scores_match_the_bm25_formula() -> None:
    index = build_lexical_index(TEXTS)
    for query in ["prisoners in custody", "Crimean Marathon campaign", "occupation", "zebra"]:
        assert np.allclose(index.scores(query), _reference(TEXTS, query), atol=1e-5)


def test_stemming_matches_word_forms() -> None:
    index = build_lexical_index(TEXTS)
    scores = index.scores("imprisoned prisoner")
    assert scores[2] > 0 and scores[3] > 0 and scores[0] == 0


def test_the_ceiling_bounds_every_score_and_counts_unknown_words() -> None:
    index = build_lexical_index(TEXTS)
    for query in ["prisoners held in custody", "custody", "Crimean Marathon"]:
        assert index.scores(query).max() < index.ceiling(query)
    assert index.ceiling("custody zebra") > index.ceiling("custody")
    assert index.ceiling("the and of") == 0.0


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    index = build_lexical_index(TEXTS)
    index.save(tmp_path / "lexical.npz")
    loaded = type(index).load(tmp_path / "lexical.npz")
    assert loaded.vocabulary == index.vocabulary
    assert np.array_equal(loaded.scores("prisoners custody"), index.scores("prisoners custody"))
    assert loaded.ceiling("prisoners") == index.ceiling("prisoners")


def _previous_scores(index: LexicalIndex, query: str) -> np.ndarray:
    """How scores were computed before ``matches``: a corpus-sized array per question."""
    result = np.zeros(index.size, dtype=np.float32)
    for term in index.query_terms(query):
        t = index.vocabulary.get(term)
        if t is not None:
            start, end = index.offsets[t], index.offsets[t + 1]
            result[index.rows[start:end]] += index.weights[start:end]
    return result


QUERIES = [
    "prisoners in custody",
    "Crimean Marathon campaign",
    "occupation arrested people",
    "who held the prisoner for a week",
    "zebra",
    "",
]


def test_matches_give_the_same_scores_as_a_full_array() -> None:
    texts = TEXTS * 5 + ["The Crimean prisoners were held in custody for weeks."]
    index = build_lexical_index(texts)
    for query in QUERIES:
        expected = _previous_scores(index, query)
        ids, scores = index.matches(query)
        assert ids.tolist() == np.flatnonzero(expected).tolist()
        assert np.array_equal(scores, expected[ids])  # bit for bit


def test_lexical_evidence_has_the_same_top_ten_as_full_arrays() -> None:
    texts = TEXTS * 4
    windows = [" ".join(texts[max(n - 1, 0) : n + 2]) for n in range(len(texts))]
    sentence, window = build_lexical_index(texts), build_lexical_index(windows)
    for query in QUERIES:
        full = _previous_scores(sentence, query) / max(sentence.ceiling(query), 1e-6)
        full += _previous_scores(window, query) / max(window.ceiling(query), 1e-6)
        evidence = lexical_evidence(sentence, window, query)
        assert np.array_equal(evidence.total, full[evidence.ids])
        assert set(np.flatnonzero(full).tolist()) == set(evidence.ids.tolist())
        top = evidence.top(10)
        assert sorted(full[top].tolist(), reverse=True) == sorted(full, reverse=True)[: len(top)]
        shares = evidence.at(np.arange(len(texts), dtype=np.int64))
        assert np.allclose(shares[0] + shares[1], full)


def test_a_loaded_vocabulary_finds_every_term_and_no_other(tmp_path: Path) -> None:
    texts = [*TEXTS, "Ünïcode wörds — and 67 numbers", "Политзаключенных освободили."]
    index = build_lexical_index(texts, languages=["en"] * len(TEXTS) + ["de", "ru"])
    index.save(tmp_path / "lexical")
    loaded = type(index).load(tmp_path / "lexical")
    assert dict(loaded.vocabulary) == dict(index.vocabulary)
    for term, number in index.vocabulary.items():
        assert loaded.vocabulary[term] == number
    assert "zebra" not in loaded.vocabulary and "" not in loaded.vocabulary
    assert loaded.vocabulary.get("zzzz") is None
    assert np.array_equal(loaded.matches("prisoners")[1], index.matches("prisoners")[1])


def test_an_empty_corpus_matches_nothing() -> None:
    index = build_lexical_index([])
    ids, scores = index.matches("anything")
    assert len(ids) == len(scores) == 0


def _sort_based(sentence: LexicalIndex, window: LexicalIndex, query: str) -> tuple:
    """How ``lexical_evidence`` summed postings before ``accumulate``: a sort of the
    concatenated postings per index (``np.unique`` with ``np.add.at``), then ``union1d``."""

    def matches(index: LexicalIndex) -> tuple[np.ndarray, np.ndarray]:
        rows, weights = [], []
        for term in index.query_terms(query):
            t = index.vocabulary.get(term)
            if t is not None:
                rows.append(index.rows[index.offsets[t] : index.offsets[t + 1]])
                weights.append(index.weights[index.offsets[t] : index.offsets[t + 1]])
        if not rows:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        ids, inverse = np.unique(np.concatenate(rows), return_inverse=True)
        scores = np.zeros(len(ids), dtype=np.float32)
        np.add.at(scores, inverse, np.concatenate(weights))
        return ids.astype(np.int64), scores

    s_ids, s_scores = matches(sentence)
    w_ids, w_scores = matches(window)
    s_scores = s_scores / max(sentence.ceiling(query), 1e-6)
    w_scores = w_scores / max(window.ceiling(query), 1e-6)
    ids = np.union1d(s_ids, w_ids).astype(np.int64)
    shares = np.zeros((2, len(ids)), dtype=np.float32)
    shares[0][np.searchsorted(ids, s_ids)] = s_scores
    shares[1][np.searchsorted(ids, w_ids)] = w_scores
    return ids, shares[0], shares[1]


def test_evidence_is_bit_for_bit_the_sort_based_sum_on_a_loaded_index(tmp_path: Path) -> None:
    # Many sentences sharing words, so that a sentence sums several terms of a long question
    # (float32 sums of three or more terms are where the order of additions shows).
    rng = np.random.default_rng(7)
    words = "prisoner custody crimea court week lawyer campaign marathon occupation".split()
    texts = [" ".join(rng.choice(words, size=int(rng.integers(1, 12)))) for _ in range(400)]
    windows = [" ".join(texts[max(n - 1, 0) : n + 2]) for n in range(len(texts))]
    build_lexical_index(texts).save(tmp_path / "s")
    build_lexical_index(windows).save(tmp_path / "w")
    sentence, window = LexicalIndex.load(tmp_path / "s"), LexicalIndex.load(tmp_path / "w")
    questions = [*QUERIES, "prisoner custody court lawyer week in crimea", " ".join(words)]
    for query in questions:
        ids, sentence_share, window_share = _sort_based(sentence, window, query)
        evidence = lexical_evidence(sentence, window, query)
        assert evidence.ids.tolist() == ids.tolist()
        assert np.array_equal(evidence.sentence, sentence_share)
        assert np.array_equal(evidence.window, window_share)
        assert evidence.top(10).tolist() == _sorted_top(ids, sentence_share + window_share, 10)


def _sorted_top(ids: np.ndarray, total: np.ndarray, k: int) -> list[int]:
    """The k best ids, ties to the lower id, in ascending id order."""
    order = sorted(range(len(ids)), key=lambda n: (-float(total[n]), int(ids[n])))[:k]
    return sorted(int(ids[n]) for n in order)


def _corpus_texts() -> tuple[list[str], list[str], list[str]]:
    """Sentences, windows and languages of real text: the bundled corpus and SQuAD's."""
    from embeddings.corpus import read_corpus
    from embeddings.index import split_documents, window_texts
    from embeddings.language import normalise as normalise_language
    from embeddings.squad import load_squad

    here = Path(__file__).resolve().parent
    documents = [
        *read_corpus(here.parent / "corpus"),
        *load_squad(here / "data" / "squad-mini.json").documents,
    ]
    sentences = split_documents(documents)
    languages = [normalise_language(documents[s.doc].language) for s in sentences]
    return [s.text for s in sentences], window_texts(sentences, documents), languages


def _assert_identical(built: LexicalIndex, fresh: LexicalIndex, queries: list[str]) -> None:
    assert list(built.vocabulary.items()) == list(fresh.vocabulary.items())
    for name in ("offsets", "rows", "weights", "idf", "tfs"):
        a, b = np.asarray(getattr(built, name)), np.asarray(getattr(fresh, name))
        assert a.dtype == b.dtype and np.array_equal(a, b), name
    assert (built.size, built.languages) == (fresh.size, fresh.languages)
    for query in queries:
        assert np.array_equal(built.scores(query), fresh.scores(query))
        assert built.ceiling(query) == fresh.ceiling(query)


def test_a_build_from_known_tokens_is_bit_for_bit_a_fresh_build(tmp_path: Path) -> None:
    """Adding articles: the sentences the previous index had take their terms from it, the
    rest are tokenised, and the index is the one a build from scratch makes."""
    sentences, windows, languages = _corpus_texts()
    assert len(sentences) > 50
    for name, texts in (("sentences", sentences), ("windows", windows)):
        half = len(texts) // 2
        # The previous build: the first half, a sentence twice, one in another language.
        old_texts = [*texts[:half], texts[0]]
        old_languages = [*languages[:half], "ru"]
        build_lexical_index(old_texts, languages=old_languages).save(tmp_path / name)
        known = KnownTokens.load(tmp_path / name, old_texts, old_languages)
        assert known is not None
        # The new corpus: some old texts removed (their rare terms gone), all new ones added,
        # one old text now in another language (tokenised again), one new text twice.
        new_texts = [*texts[5:], texts[-1], texts[7]]
        new_languages = [*languages[5:], languages[-1], "de"]
        queries = [*QUERIES, texts[1], texts[-1], texts[half]]
        fresh = build_lexical_index(new_texts, languages=new_languages)
        built = build_lexical_index(new_texts, languages=new_languages, known=known)
        _assert_identical(built, fresh, queries)
        # Nothing new, and everything new, are the same too.
        same = build_lexical_index(old_texts, languages=old_languages, known=known)
        _assert_identical(same, build_lexical_index(old_texts, languages=old_languages), queries)
        other = ["Nothing here was indexed before.", "Neither was this sentence."]
        _assert_identical(
            build_lexical_index(other, known=known), build_lexical_index(other), queries
        )


def test_an_index_saved_without_term_frequencies_gives_no_known_tokens(tmp_path: Path) -> None:
    index = build_lexical_index(TEXTS)
    LexicalIndex.save(index, tmp_path / "old")  # as saved before term frequencies were
    assert KnownTokens.load(tmp_path / "old", TEXTS, ["en"] * len(TEXTS)) is None
    index.save(tmp_path / "new")
    assert KnownTokens.load(tmp_path / "new", TEXTS[:2], ["en"] * 2) is None  # another size
    assert KnownTokens.load(tmp_path / "new", TEXTS, ["en"] * len(TEXTS)) is not None


def test_lexical_evidence_is_the_same_whichever_question_came_before() -> None:
    """The work arrays are reused between questions (and threads): each question's evidence
    is bit for bit what it is asked first, in any order, from several threads at once."""
    texts = TEXTS * 4
    windows = [" ".join(texts[max(n - 1, 0) : n + 2]) for n in range(len(texts))]
    sentence, window = build_lexical_index(texts), build_lexical_index(windows)
    first = {query: lexical_evidence(sentence, window, query) for query in QUERIES}

    def same(query: str) -> bool:
        evidence = lexical_evidence(sentence, window, query)
        expected = first[query]
        return (
            np.array_equal(evidence.ids, expected.ids)
            and evidence.sentence.tobytes() == expected.sentence.tobytes()
            and evidence.window.tobytes() == expected.window.tobytes()
        )

    assert all(same(query) for query in reversed(QUERIES))
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert all(pool.map(same, QUERIES * 20))


def test_an_article_in_another_language_leaves_english_questions_measured_as_before() -> None:
    """One article tagged ``uk`` (here even English text) once made every English sentence's
    share of an English question shrink: the question was also tokenised as Ukrainian, and
    its unstemmed "who", "is", "prisoner" counted at full idf in the ceiling (issue 8, F1)."""
    extra = "A festival was held in Kyiv on Saturday."
    english = build_lexical_index([*TEXTS, extra])
    mixed = build_lexical_index([*TEXTS, extra], languages=["en"] * len(TEXTS) + ["uk"])
    question = "Who is held in custody as a prisoner?"
    assert mixed.ceiling(question, "en") == english.ceiling(question, "en")
    on_english = lexical_evidence(english, english, question, "en")
    on_mixed = lexical_evidence(mixed, mixed, question, "en")
    best = int(np.argmax(on_english.sentence))
    assert on_english.ids[best] == on_mixed.ids[int(np.argmax(on_mixed.sentence))] == 3
    assert abs(on_mixed.sentence[best] - on_english.sentence[best]) < 0.02
    assert on_mixed.sentence[best] > 0.5


def test_a_question_is_read_in_its_own_language_or_else_english() -> None:
    mixed = build_lexical_index(
        ["The prisoners were released.", "Политзаключенных освободили.", "Банер висітиме."],
        languages=["en", "ru", "uk"],
    )
    assert mixed.query_languages("ru") == ("ru",)
    assert mixed.query_languages("en-GB") == ("en",)
    assert mixed.query_languages("de") == ("en",)  # not in the index: English
    assert mixed.query_languages(None) == ("en", "ru", "uk")  # unknown: every language
    assert build_lexical_index(["Банер."], languages=["uk"]).query_languages("de") == ("uk",)
    assert mixed.scores("политзаключенные")[1] > 0
    russian = lexical_evidence(mixed, mixed, "Политзаключенные", "ru")
    assert russian.ids.tolist() == [1]
    assert lexical_evidence(mixed, mixed, "банер", "uk").ids.tolist() == [2]
