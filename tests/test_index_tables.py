"""Documents and sentences as memory-mapped tables: the same values back, damage refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from embeddings.index import SentenceIndex
from embeddings.index_tables import SENTENCES_FILE, TableError, load_tables, save_tables


def test_tables_give_back_every_document_and_sentence(
    tmp_path: Path, fake_index: SentenceIndex
) -> None:
    save_tables(tmp_path, fake_index.documents, fake_index.sentences)
    documents, sentences = load_tables(tmp_path)
    assert tuple(documents) == tuple(fake_index.documents)
    assert tuple(sentences) == tuple(fake_index.sentences)
    assert sentences[-1] == fake_index.sentences[-1]
    assert sentences[1:3] == tuple(fake_index.sentences[1:3])
    assert sentences.doc_of.tolist() == [s.doc for s in fake_index.sentences]
    with pytest.raises(IndexError):
        sentences[len(sentences)]


def test_sentences_out_of_order_are_refused(tmp_path: Path, fake_index: SentenceIndex) -> None:
    save_tables(tmp_path, fake_index.documents, fake_index.sentences)
    spans = np.load(tmp_path / SENTENCES_FILE)
    spans[0, 0] = len(fake_index.documents)  # a document that does not exist
    np.save(tmp_path / SENTENCES_FILE, spans)
    with pytest.raises(TableError, match="out of range"):
        load_tables(tmp_path)


def test_the_index_finds_each_documents_sentences(fake_index: SentenceIndex) -> None:
    for doc in range(len(fake_index.documents)):
        ids = [n for n, s in enumerate(fake_index.sentences) if s.doc == doc]
        assert fake_index.first_sentence(doc) == ids[0]
        assert fake_index.sentence_count_of(doc) == len(ids)
