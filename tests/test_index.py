"""The in-memory index: verbatim sentences, neighbours, and FAISS search against brute force."""

from __future__ import annotations

import numpy as np

from embeddings.index import SentenceIndex, build_index, vectors_index
from embeddings.lexical import build_lexical_index
from embeddings.types import Document
from tests.fakes import HashingEncoder


def test_every_indexed_sentence_is_the_exact_text_of_its_article(
    fake_index: SentenceIndex,
) -> None:
    for sentence in fake_index.sentences:
        document = fake_index.documents[sentence.doc]
        assert document.text[sentence.start : sentence.end] == sentence.text
        assert sentence.text == sentence.text.strip()
        assert sentence.text


def test_positions_count_up_within_each_document(fake_index: SentenceIndex) -> None:
    for doc in range(len(fake_index.documents)):
        positions = [s.position for s in fake_index.sentences if s.doc == doc]
        assert positions == list(range(len(positions)))


def test_neighbours_stay_inside_the_document(fake_index: SentenceIndex) -> None:
    boundary = next(
        n for n, s in enumerate(fake_index.sentences) if s.doc == 1 and s.position == 0
    )
    before, after = fake_index.neighbours(boundary)
    assert before is None
    assert after is not None and after.doc == 1
    before, after = fake_index.neighbours(boundary - 1)
    assert after is None and before is not None and before.doc == 0


def test_search_matches_brute_force_cosine() -> None:
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(200, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    documents = (Document(id="d", title="t", text="x"),)
    from embeddings.types import Sentence

    sentences = tuple(Sentence(0, n, 0, 1, "x") for n in range(200))
    lexical = build_lexical_index(["x"] * 200)
    index = SentenceIndex(documents, sentences, vectors_index(vectors), lexical, lexical)
    query = vectors[:3] + 0.1
    query /= np.linalg.norm(query, axis=1, keepdims=True)
    hits = index.search_vectors(query, 5)
    expected = np.argsort(-(query @ vectors.T), axis=1)[:, :5]
    assert [[i for i, _ in row] for row in hits] == expected.tolist()
    for row, q in zip(hits, query, strict=True):
        for sentence_id, score in row:
            assert abs(score - float(q @ vectors[sentence_id])) < 1e-5


def test_k_larger_than_the_index_returns_no_padding() -> None:
    documents = [Document(id="a", title="A", text="One sentence here. And another one.")]
    index = build_index(documents, HashingEncoder())
    hits = index.search_vectors(HashingEncoder().encode(["sentence"]), 10)
    assert len(hits[0]) == 2
    assert all(sentence_id >= 0 for sentence_id, _ in hits[0])


def test_traits_of_repeated_texts_equal_computing_each() -> None:
    from embeddings.features import sentence_traits
    from embeddings.index import traits_of

    texts = ["He said it was 1999.", "Mr John Smith went to Paris.", "He said it was 1999.", "x"]
    docs = [0, 0, 1, 1]
    once, each = traits_of(texts, docs), sentence_traits(texts, docs)
    flags = ("has_date", "has_number", "has_reason", "has_span", "leans")
    for name in (*flags, "doc", "previous", "following"):
        assert np.array_equal(getattr(once, name), getattr(each, name))
    assert once.names == each.names and once.full_names == each.full_names
