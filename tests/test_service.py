"""Keeping the index in step with corpus and model (real model: marked integration)."""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

import pytest

from embeddings.corpus import read_corpus
from embeddings.errors import CorpusError
from embeddings.index import split_documents
from embeddings.index_lifecycle import verify_index
from embeddings.index_store import VECTORS_FILE, current_build, read_manifest
from embeddings.service import corpus_fingerprint, default_index_dir, open_searcher, staleness
from tests.conftest import CORPUS
from tests.corpus_copies import article


def test_the_fingerprint_follows_content_not_timestamps(corpus_copy: Path) -> None:
    before = corpus_fingerprint(corpus_copy)
    article = corpus_copy / "dzhemilev-67-political-prisoners.md"
    article.touch()
    assert corpus_fingerprint(corpus_copy) == before
    article.write_text(article.read_text() + " One more sentence.")
    assert corpus_fingerprint(corpus_copy) != before
    (corpus_copy / "README.md").write_text("documentation only")
    article.write_text(article.read_text()[: -len(" One more sentence.")])
    assert corpus_fingerprint(corpus_copy) == before


def test_a_new_way_of_reading_speakers_makes_the_index_stale(
    corpus_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An index built before a change to speakers.py would keep the old speakers forever:
    nothing in the corpus changed, so nothing else would rebuild it."""
    before = corpus_fingerprint(corpus_copy)
    monkeypatch.setattr("embeddings.service.SPEAKERS_VERSION", b"speakers-next")
    assert corpus_fingerprint(corpus_copy) != before


def test_the_fingerprint_of_a_missing_corpus_is_a_corpus_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError):
        corpus_fingerprint(tmp_path / "missing")


def test_a_failed_first_build_leaves_no_folder_behind(tmp_path: Path) -> None:
    empty = tmp_path / "empty-corpus"
    empty.mkdir()
    index = tmp_path / "data" / "indexes" / "empty-123"
    with pytest.raises(CorpusError):
        open_searcher(empty, index, "all-MiniLM-L6-v2")
    assert not index.exists()
    assert not (tmp_path / "data" / "indexes").exists()


@pytest.mark.integration
def test_first_use_builds_and_later_uses_load(corpus_copy: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    searcher = open_searcher(corpus_copy, index, "all-MiniLM-L6-v2")
    built_at = read_manifest(index).built_at
    build = current_build(index)
    assert searcher.sentence_count == read_manifest(index).sentence_count > 40
    assert "67 people" in searcher.search("How many people are in custody?").quotes[0].text
    open_searcher(corpus_copy, index, "all-MiniLM-L6-v2")
    assert current_build(index) == build
    assert read_manifest(index).built_at == built_at


@pytest.mark.integration
def test_a_changed_corpus_is_reindexed_before_answering(corpus_copy: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    open_searcher(corpus_copy, index, "all-MiniLM-L6-v2")
    (corpus_copy / "weather.md").write_text(
        article(
            "Weather in Simferopol",
            "Heavy snowfall closed the mountain roads near Simferopol on Tuesday.",
            source="Example",
        )
    )
    assert staleness(read_manifest(index), corpus_copy, "all-MiniLM-L6-v2") == "the corpus changed"
    searcher = open_searcher(corpus_copy, index, "all-MiniLM-L6-v2")
    quote = searcher.search("Which roads did the snow close?").quotes[0]
    assert quote.text.startswith("Heavy snowfall closed the mountain roads")
    assert quote.document.title == "Weather in Simferopol"


@pytest.mark.integration
def test_a_corrupted_index_is_rebuilt_not_trusted(
    real_index_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    index = tmp_path / "index"
    shutil.copytree(real_index_dir, index)
    vectors = current_build(index) / VECTORS_FILE
    vectors.write_bytes(vectors.read_bytes()[:100])
    with caplog.at_level(logging.INFO, logger="embeddings.service"):
        searcher = open_searcher(CORPUS, index, "all-MiniLM-L6-v2")
    assert "67 people" in searcher.search("How many people are in custody?").quotes[0].text
    (warning,) = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "damaged" in warning.getMessage() and VECTORS_FILE in warning.getMessage()


@pytest.mark.integration
def test_indexes_share_one_encoder_and_a_damaged_one_is_exported_again(
    tmp_path: Path, real_index_dir: Path, corpus_copy: Path
) -> None:
    data = tmp_path / "data"
    first = default_index_dir(data, CORPUS, "all-MiniLM-L6-v2")
    second = default_index_dir(data, corpus_copy, "all-MiniLM-L6-v2")
    open_searcher(CORPUS, first, "all-MiniLM-L6-v2")
    open_searcher(corpus_copy, second, "all-MiniLM-L6-v2")
    (encoder,) = (data / "encoders").iterdir()  # one encoder for both indexes
    assert read_manifest(first).encoder_id == read_manifest(second).encoder_id == encoder.name
    assert not any(path.name.endswith(".onnx") for path in first.rglob("*"))
    onnx = encoder / "model.onnx"
    onnx.write_bytes(onnx.read_bytes()[:1000])
    assert verify_index(first) is not None
    searcher = open_searcher(CORPUS, first, "all-MiniLM-L6-v2")  # repaired, not trusted
    assert verify_index(first) is None
    assert "67 people" in searcher.search("How many people are in custody?").quotes[0].text


@pytest.mark.integration
def test_another_model_triggers_a_rebuild_with_that_model(
    corpus_copy: Path, tmp_path: Path
) -> None:
    from embeddings.model import locate_model

    index = tmp_path / "index"
    open_searcher(corpus_copy, index, "all-MiniLM-L6-v2")
    other = tmp_path / "other-model"
    shutil.copytree(locate_model("all-MiniLM-L6-v2")[1], other)
    assert "built with model" in str(staleness(read_manifest(index), corpus_copy, str(other)))
    searcher = open_searcher(corpus_copy, index, str(other))
    assert searcher.model_name == str(other)
    assert read_manifest(index).model_name == str(other)


@pytest.mark.integration
def test_adding_an_article_encodes_only_its_sentences(
    corpus_copy: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    index = tmp_path / "data" / "indexes" / "mine"
    open_searcher(corpus_copy, index, "all-MiniLM-L6-v2")
    before = read_manifest(index).sentence_count
    (corpus_copy / "new.md").write_text(
        article(
            "Lighthouse keepers",
            "The lighthouse on Cape Sarych was repainted in May. "
            "Its keeper, Olena Marchenko, has lived there since 1998.\n",
        )
    )
    with caplog.at_level(logging.INFO, logger="embeddings"):
        searcher = open_searcher(corpus_copy, index, "all-MiniLM-L6-v2")
    assert "encoded 2 new sentences of" in caplog.text
    assert read_manifest(index).sentence_count == before + 2
    encoding = read_manifest(index).build_encoding
    # The known sentences' vectors come from the live index, not even from the cache.
    assert (encoding["encoded"], encoding["cached"], encoding["reused"]) == (2, 0, before)
    assert encoding["calibration"]["chosen"] == "onnx"  # two sentences: not worth loading torch
    assert searcher.search("Who keeps the lighthouse?").quotes[0].document.id == "new"
    assert (tmp_path / "data" / "vectors").is_dir()


@pytest.mark.integration
def test_the_onnx_build_encoder_agrees_with_torch_and_is_chosen_by_measurement() -> None:
    from embeddings.build_encoder import MIN_COSINE, BatchedOnnxEncoder, calibrate
    from embeddings.encoder_store import encoder_id
    from embeddings.model import SentenceTransformerEncoder, resolve_model
    from embeddings.service import ensure_query_encoder

    spec = resolve_model("all-MiniLM-L6-v2")
    torch_encoder = SentenceTransformerEncoder(spec)
    sentences = [sentence.text for sentence in split_documents(read_corpus(CORPUS))]
    with tempfile.TemporaryDirectory() as store:
        directory = ensure_query_encoder(Path(store), spec.weights_sha256, torch_encoder)
        assert directory.name == encoder_id(spec.weights_sha256)
        calibration = calibrate(torch_encoder, BatchedOnnxEncoder(directory), sentences)
    assert calibration.min_cosine > MIN_COSINE
    assert calibration.sample == len(sentences)
    faster = "onnx" if calibration.onnx_seconds < calibration.torch_seconds else "torch"
    assert calibration.chosen == faster
