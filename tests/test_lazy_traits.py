"""Lazy traits give exactly what computing every sentence's traits up front gives."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from embeddings.features import sentence_traits
from embeddings.index import SentenceIndex
from embeddings.lazy_traits import lazy_traits, load_traits, neighbours_of, save_traits
from embeddings.ranking import index_traits


def test_lazy_traits_equal_the_eager_ones(fake_index: SentenceIndex) -> None:
    texts = [s.text for s in fake_index.sentences]
    docs = [s.doc for s in fake_index.sentences]
    eager = sentence_traits(texts, docs)
    asked: list[int] = []

    def text(n: int) -> str:
        asked.append(n)
        return texts[n]

    lazy = lazy_traits(np.asarray(docs, dtype=np.int64), text)
    assert not asked  # nothing computed before a question needs it
    some = np.array([3, 1, 3, 7], dtype=np.int64)
    for name in ("has_date", "has_number", "leans"):
        assert np.array_equal(getattr(lazy, name)[some], getattr(eager, name)[some])
    assert sorted(set(asked)) == [1, 3, 7]  # only the candidates, each once
    everyone = np.arange(len(texts), dtype=np.int64)
    for name in ("has_date", "has_number", "leans"):
        assert np.array_equal(getattr(lazy, name)[everyone], getattr(eager, name))
    for n in range(len(texts)):
        assert lazy.names[n] == eager.names[n]
        assert lazy.full_names[n] == eager.full_names[n]
    for name in ("doc", "previous", "following"):
        assert np.array_equal(getattr(lazy, name), getattr(eager, name))


def test_neighbours_stop_at_document_boundaries() -> None:
    previous, following = neighbours_of(np.array([0, 0, 1, 2, 2, 2], dtype=np.int64))
    assert previous.tolist() == [-1, 0, -1, -1, 3, 4]
    assert following.tolist() == [1, -1, -1, 4, 5, -1]
    empty = neighbours_of(np.zeros(0, dtype=np.int64))
    assert len(empty[0]) == len(empty[1]) == 0


def test_stored_traits_load_back_equal(tmp_path: Path, fake_index: SentenceIndex) -> None:
    texts = [s.text for s in fake_index.sentences]
    docs = np.array([s.doc for s in fake_index.sentences], dtype=np.int64)
    eager = sentence_traits(texts, docs.tolist())
    save_traits(tmp_path, eager)
    loaded = load_traits(tmp_path, docs)
    for name in ("has_date", "has_number", "leans", "doc", "previous", "following"):
        assert np.array_equal(getattr(loaded, name), getattr(eager, name))
    for n in range(len(texts)):
        assert loaded.names[n] == eager.names[n]
        assert loaded.full_names[n] == eager.full_names[n]


def test_a_built_index_carries_its_traits(fake_index: SentenceIndex) -> None:
    assert fake_index.traits is not None
    assert index_traits(fake_index) is fake_index.traits
