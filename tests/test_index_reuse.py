"""A build takes vectors and traits over from the live index: the same values as computing
them, computed only for what is new."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from embeddings.encoder import Vectors
from embeddings.index import build_index, split_documents, traits_of
from embeddings.index_reuse import open_live_index, reused_traits
from embeddings.index_store import write_index
from embeddings.types import Document
from tests.fakes import HashingEncoder, fake_manifest

WEIGHTS = "0" * 64


def _write_live(index_dir: Path, documents: list[Document]) -> None:
    index = build_index(documents, HashingEncoder())
    write_index(index, index_dir, fake_manifest(index, weights_sha256=WEIGHTS))


NEW = Document(
    id="weather",
    title="Weather in Simferopol",
    text="Heavy snowfall closed the mountain roads near Simferopol on Tuesday. "
    "Mustafa Dzhemilev said on 3 March that 67 people were held.",
)


def test_known_sentences_take_the_live_vectors_and_only_new_ones_are_encoded(
    tmp_path: Path, corpus_documents: list[Document]
) -> None:
    _write_live(tmp_path, corpus_documents)
    live = open_live_index(tmp_path, WEIGHTS)
    assert live is not None
    texts = [s.text for s in split_documents([NEW, *corpus_documents[1:]])]
    asked: list[list[str]] = []

    def encode(part: Sequence[str]) -> Vectors:
        asked.append(list(part))
        return HashingEncoder().encode(part)

    vectors = live.encode(texts, encode)
    assert asked == [texts[:2]]  # one call, for the new article's two sentences alone
    assert np.array_equal(vectors, HashingEncoder().encode(texts))


def test_reused_traits_are_the_computed_traits(
    tmp_path: Path, corpus_documents: list[Document]
) -> None:
    _write_live(tmp_path, corpus_documents)
    live = open_live_index(tmp_path, WEIGHTS)
    assert live is not None
    sentences = split_documents([corpus_documents[1], NEW, corpus_documents[0]])
    texts = [s.text for s in sentences]
    docs = [s.doc for s in sentences]
    ours, theirs = reused_traits(live, texts, docs), traits_of(texts, docs)
    flags = ("has_date", "has_number", "has_reason", "has_span", "leans")
    for name in (*flags, "doc", "previous", "following"):
        assert np.array_equal(getattr(ours, name), getattr(theirs, name)), name
    assert ours.names == theirs.names and ours.full_names == theirs.full_names
    assert any(ours.has_date) and any(ours.names)  # the comparison compares something


def test_another_model_or_no_index_reuses_nothing(
    tmp_path: Path, corpus_documents: list[Document]
) -> None:
    assert open_live_index(tmp_path / "none", WEIGHTS) is None
    _write_live(tmp_path, corpus_documents)
    assert open_live_index(tmp_path, "1" * 64) is None


def test_a_build_with_the_live_terms_has_the_bm25_of_a_fresh_build(
    tmp_path: Path, corpus_documents: list[Document]
) -> None:
    """Adding an article and dropping one: the live index's sentences and windows keep their
    terms, the new ones are tokenised, and every BM25 array is the fresh build's."""
    _write_live(tmp_path, corpus_documents)
    live = open_live_index(tmp_path, WEIGHTS)
    assert live is not None
    assert live.sentence_tokens is not None and live.window_tokens is not None
    documents = [corpus_documents[1], NEW, *corpus_documents[2:]]
    reused = build_index(documents, HashingEncoder(), known_tokens=live.known_tokens)
    fresh = build_index(documents, HashingEncoder())
    for ours, theirs in (
        (reused.lexical, fresh.lexical),
        (reused.lexical_window, fresh.lexical_window),
    ):
        assert list(ours.vocabulary.items()) == list(theirs.vocabulary.items())
        for name in ("offsets", "rows", "weights", "idf"):
            assert np.array_equal(getattr(ours, name), getattr(theirs, name)), name
        for query in ("Heavy snowfall near Simferopol", "political prisoners in custody"):
            assert np.array_equal(ours.scores(query), theirs.scores(query))
            assert ours.scores(query).any()
