"""Speakers computed at build and stored: a loaded index names the very speakers that reading
the article at query time names, and a rebuild does not read unchanged articles again."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from embeddings.index import SentenceIndex, build_index
from embeddings.index_store import load_index, load_live_speakers, write_index
from embeddings.search import Searcher
from embeddings.speaker_table import compute_speakers
from embeddings.types import Document
from tests.fakes import HashingEncoder, fake_manifest


def _spans(index: SentenceIndex) -> np.ndarray:
    return np.array(
        [(s.doc, s.position, s.start, s.end) for s in index.sentences], dtype=np.int64
    ).reshape(-1, 4)


def test_a_loaded_index_names_every_sentences_speaker_as_the_article_does(
    tmp_path: Path, fake_index: SentenceIndex
) -> None:
    write_index(fake_index, tmp_path, fake_manifest(fake_index))
    stored = load_index(tmp_path).index
    reading = Searcher(fake_index, HashingEncoder(fake_index.dimension))  # reads the articles
    loaded = Searcher(stored, HashingEncoder(stored.dimension))  # reads the stored column
    expected = [reading.speaker(n) for n in range(len(fake_index.sentences))]
    assert [loaded.speaker(n) for n in range(len(stored.sentences))] == expected
    assert any(expected) and None in expected  # both kinds are checked
    answer = loaded.search("Who said the situation of the Crimean Tatars is horrible?", 5)
    horrible = [q for q in answer.quotes if "is horrible" in q.text]
    assert horrible and horrible[0].speaker == "Zare"


def test_a_rebuild_reads_only_the_articles_that_changed(
    tmp_path: Path, corpus_documents: list[Document]
) -> None:
    first = build_index(corpus_documents, HashingEncoder())
    write_index(first, tmp_path, fake_manifest(first))
    edited = replace(
        corpus_documents[0], text=corpus_documents[0].text + '\n\n"We will return," he said.\n'
    )
    added = replace(corpus_documents[1], id="copy-of-1")  # the same text under another id
    documents = [edited, *corpus_documents[1:], added]
    second = build_index(documents, HashingEncoder())
    fresh, _, read_fresh = compute_speakers(documents, _spans(second))
    reused, _, read_reusing = compute_speakers(
        documents, _spans(second), load_live_speakers(tmp_path)
    )
    assert reused == fresh  # the same speakers, whether read again or taken over
    assert read_fresh == len(documents) - 1  # the repeated article is read once
    assert read_reusing == 1  # only the edited article
