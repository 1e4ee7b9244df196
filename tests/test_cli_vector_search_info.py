"""What ``index info`` and the load log say about the vector search (issue 11 findings 7, 9):
the exact kind of vector index (HNSW over 8-bit codes, as the README's tables say), and the
efSearch in effect with where it comes from, since ``QUOTEBOT_ANN_EF_SEARCH`` overrides the
manifest at every load and FAISS explores max(efSearch, the search's candidates)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.cli_runner import quotebot
from tests.conftest import CORPUS


@pytest.fixture
def hnsw_index(real_index_dir: Path, tmp_path: Path) -> Path:
    index = tmp_path / "index"
    shutil.copytree(real_index_dir, index)  # its vector cache: nothing is encoded again
    built = quotebot("index", "build", index=index, env={"QUOTEBOT_ANN": "hnsw"})
    assert built.returncode == 0, built.stderr
    return index


@pytest.mark.integration
def test_index_info_names_the_quantised_graph_and_the_ef_search_in_effect(
    hnsw_index: Path,
) -> None:
    manifest = json.loads(quotebot("index", "info", "--json", index=hnsw_index).stdout)
    assert manifest["ann"]["kind"] == "hnsw" and manifest["ann"]["codes"] == "SQ8"
    assert manifest["ef_search_in_effect"] == {
        "value": 1024,
        "source": "manifest",
        "manifest": 1024,
        "candidates": 100,
        "effective": 1024,
    }
    text = quotebot("index", "info", index=hnsw_index).stdout
    assert "HNSW (M=32) over 8-bit scalar-quantised codes" in text
    assert "efSearch=1024 (the manifest's)" in text

    narrow = {"QUOTEBOT_ANN_EF_SEARCH": "7"}
    overridden = json.loads(
        quotebot("index", "info", "--json", index=hnsw_index, env=narrow).stdout
    )
    assert overridden["ef_search_in_effect"] == {
        "value": 7,
        "source": "QUOTEBOT_ANN_EF_SEARCH",
        "manifest": 1024,
        "candidates": 100,
        "effective": 100,
    }
    text = quotebot("index", "info", index=hnsw_index, env=narrow).stdout
    assert (
        "efSearch=7 (from QUOTEBOT_ANN_EF_SEARCH, the manifest's is 1024, in effect 100: "
        "a search explores max(efSearch, its 100 candidates))"
    ) in text


@pytest.mark.integration
def test_an_ef_search_override_is_logged_when_the_index_loads(hnsw_index: Path) -> None:
    asked = quotebot(
        "-v",
        "ask",
        "How many political prisoners are held in Crimea?",
        index=hnsw_index,
        env={"QUOTEBOT_ANN_EF_SEARCH": "300"},
    )
    assert asked.returncode == 0, asked.stderr
    assert (
        "efSearch=300 (overridden, the manifest's is 1024), in effect 300 = "
        "max(efSearch, 100 candidates)"
    ) in asked.stderr


@pytest.mark.integration
def test_index_info_says_when_quotebot_ann_differs_from_the_index(
    real_index_copy: Path,
) -> None:
    text = quotebot(
        "index",
        "info",
        index=real_index_copy,
        env={"QUOTEBOT_ANN": "hnsw", "QUOTEBOT_CORPUS": str(CORPUS)},
    ).stdout
    assert "vector search: exact scan of every vector" in text
    assert "[QUOTEBOT_ANN=hnsw applies to the next quotebot index build]" in text
