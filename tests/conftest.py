"""Shared fixtures: the bundled corpus, an in-memory searcher over a fake encoder, and (for
integration tests) one real index built with the packaged model, once per test session."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from embeddings.corpus import read_corpus
from embeddings.index import SentenceIndex, build_index
from embeddings.search import Searcher
from embeddings.types import Document
from tests.corpus_copies import CORPUS, copy_corpus
from tests.corpus_copies import REPO as REPO  # where test modules have always found it
from tests.fakes import HashingEncoder
from tests.postgres_server import PostgresServer, find_bin_dir, why_unavailable


@pytest.fixture(scope="session")
def corpus_documents() -> list[Document]:
    return read_corpus(CORPUS)


@pytest.fixture(scope="session")
def fake_index(corpus_documents: list[Document]) -> SentenceIndex:
    return build_index(corpus_documents, HashingEncoder())


@pytest.fixture
def fake_searcher(fake_index: SentenceIndex) -> Searcher:
    return Searcher(fake_index, HashingEncoder(), model_name="hashing")


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A copy of the bundled corpus (marker included) at tmp_path/corpus, free to change."""
    return copy_corpus(tmp_path / "corpus")


@pytest.fixture(scope="session")
def real_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One index of the bundled corpus built with the real packaged model."""
    from embeddings.service import build

    directory = tmp_path_factory.mktemp("real-index")
    build(CORPUS, directory, "all-MiniLM-L6-v2")
    yield directory


@pytest.fixture(scope="session")
def real_searcher(real_index_dir: Path) -> Searcher:
    """A searcher over the session's real index, loaded as `quotebot ask` loads one."""
    from embeddings.index_store import load_index
    from embeddings.service import searcher_for

    return searcher_for(load_index(real_index_dir))


@pytest.fixture
def real_index_copy(real_index_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the session's real index (with its query encoder): for tests that
    read it through a front end, or change or damage it, without building one of their own."""
    copy = tmp_path / "real-index"
    shutil.copytree(real_index_dir, copy)
    return copy


@pytest.fixture
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """An environment in which quotebot reads and writes only under tmp_path."""
    for name in list(os.environ):
        if name.startswith(("QUOTEBOT_", "TELEGRAM_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("QUOTEBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return dict(os.environ)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One real PostgreSQL server for the whole session (``tests/postgres_server.py``); the
    tests that need it skip, saying why, where PostgreSQL is not installed."""
    reason = why_unavailable()
    if reason is not None:
        pytest.skip(reason)
    bin_dir = find_bin_dir()
    assert bin_dir is not None
    server = PostgresServer(bin_dir)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def database_url(postgres_server: PostgresServer) -> str:
    """The URL of a fresh, empty database on the session's PostgreSQL server."""
    return postgres_server.new_database()
