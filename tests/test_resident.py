"""A serving process maps its index's files in at start, the pread vector matrix excepted."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from embeddings.index import build_index
from embeddings.index_store import ANN_FILE, VECTORS_FILE, load_index, write_index
from embeddings.resident import mapped_regions
from embeddings.search import Searcher
from embeddings.types import Document
from embeddings.vector_store import AnnSettings
from tests.fakes import HashingEncoder, fake_manifest

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/self/maps")


def _resident_kib(path: Path) -> tuple[int, int]:
    """(size, resident) in KiB of this process's mappings of ``path`` (/proc/self/smaps)."""
    size = resident = 0
    current = False
    for line in Path("/proc/self/smaps").read_text(encoding="utf-8").splitlines():
        header = re.match(r"^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$", line)
        if header:
            current = header.group(1) == str(path)
        elif current and line.startswith("Size:"):
            size += int(line.split()[1])
        elif current and line.startswith("Rss:"):
            resident += int(line.split()[1])
    return size, resident


def _searcher(tmp_path: Path, corpus_documents: list[Document]) -> Searcher:
    index = build_index(corpus_documents, HashingEncoder(), ann=AnnSettings("hnsw", m=8))
    write_index(index, tmp_path, fake_manifest(index))
    stored = load_index(tmp_path)
    return Searcher(stored.index, HashingEncoder(), model_name="hashing")


def test_warming_maps_every_table_in_but_not_the_pread_vectors(
    tmp_path: Path, corpus_documents: list[Document]
) -> None:
    searcher = _searcher(tmp_path, corpus_documents)
    before = searcher.search("Who was detained in Kherson?", 3)
    directory = searcher.index.vectors.directory
    assert directory is not None
    warming = searcher.keep_resident()
    assert warming is not None and warming.wait(60)
    names = {region.path.name for region in warming.regions}
    assert {ANN_FILE, "rows.npy", "weights.npy", "texts.bin"} <= names
    assert VECTORS_FILE not in names  # its rows are read with pread, never mapped in
    if warming.populated:
        assert warming.resident_bytes == sum(region.size for region in warming.regions)
        for path in (directory / ANN_FILE, directory / "lexical-window" / "rows.npy"):
            size, resident = _resident_kib(path)
            assert size and resident == size
    # Warming changes where pages are, never an answer.
    assert searcher.search("Who was detained in Kherson?", 3) == before


def test_an_index_built_in_memory_has_nothing_to_warm(
    corpus_documents: list[Document],
) -> None:
    index = build_index(corpus_documents, HashingEncoder())
    assert Searcher(index, HashingEncoder()).keep_resident() is None


def test_only_the_folders_own_mappings_are_listed(tmp_path: Path) -> None:
    assert mapped_regions(tmp_path) == []
