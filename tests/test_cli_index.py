"""``quotebot index``: the commands read only the settings they share with every command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.cli_runner import quotebot
from tests.conftest import REPO
from tests.corpus_copies import article, copy_corpus


@pytest.mark.integration
@pytest.mark.usefixtures("isolated_env")
def test_index_info_ignores_the_bots_variables(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, real_index_copy: Path
) -> None:
    monkeypatch.setenv("QUOTEBOT_INDEX", str(real_index_copy))
    monkeypatch.setenv("QUOTEBOT_ADMIN_IDS", "abc")
    monkeypatch.setenv("QUOTEBOT_WEBHOOK_URL", "example.org")
    assert main(["index", "info"]) == 0
    out = capsys.readouterr().out
    assert str(real_index_copy) in out and "all-MiniLM-L6-v2" in out


@pytest.mark.usefixtures("isolated_env")
def test_quotebot_index_points_index_info_at_another_folder(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("QUOTEBOT_INDEX", str(tmp_path / "elsewhere"))
    assert main(["index", "info"]) == 2
    assert str(tmp_path / "elsewhere") in capsys.readouterr().err


@pytest.mark.usefixtures("isolated_env")
def test_quotebot_data_dir_holds_the_default_index(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("QUOTEBOT_DATA_DIR", str(tmp_path / "my-data"))
    assert main(["index", "info"]) == 2
    assert str(tmp_path / "my-data" / "indexes") in capsys.readouterr().err


@pytest.mark.integration
def test_index_info_describes_the_index(real_index_dir: Path) -> None:
    result = quotebot("index", "info", index=real_index_dir)
    assert result.returncode == 0, result.stderr
    assert "all-MiniLM-L6-v2" in result.stdout
    assert "up to date" in result.stdout
    assert "articles:      2" in result.stdout


@pytest.mark.integration
def test_an_interrupted_build_leaves_the_previous_index_in_use(
    real_index_dir: Path, tmp_path: Path
) -> None:
    """Ctrl-C during `quotebot index build`: a one-line message, and the old index still live."""
    import shutil
    import signal
    import time

    from embeddings.index_store import current_build, load_index

    index = tmp_path / "index"
    shutil.copytree(real_index_dir, index)
    live = current_build(index)
    # 20,000 sentences no cache holds: a build of tens of seconds even where the encoder is fast
    # (2,000 short ones were encoded within the 4 s below on a quiet machine, and the build
    # finished before the interrupt).
    extra = " ".join(f"Article part {n}." for n in range(20000))
    corpus = copy_corpus(tmp_path / "corpus", {"extra.txt": extra})
    environment = {k: v for k, v in os.environ.items() if not k.startswith("QUOTEBOT_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "index", "build", "--corpus", str(corpus)],
        env={**environment, "QUOTEBOT_INDEX": str(index)},
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A shell's background jobs (CI runners among them) inherit SIGINT ignored; a user at
        # a terminal does not. Give the child the terminal user's disposition.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    time.sleep(4)  # importing torch alone takes longer; the build is surely under way
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    # 130, or death by SIGINT itself when the interrupt lands in torch's import machinery: a
    # shell reports both as 130. Either way the build must not have finished (20,000 more
    # sentences take far more than 4 s) and must have said why it stopped.
    assert process.returncode in (130, -signal.SIGINT), err
    assert err.strip().splitlines()[-1] == "quotebot: interrupted"
    assert "Traceback" not in err
    assert current_build(index) == live
    assert load_index(index).manifest.document_count == 2


@pytest.mark.integration
def test_quotebot_ann_chooses_the_vector_search_of_a_build_and_the_graph_is_reused(
    real_index_dir: Path, tmp_path: Path
) -> None:
    """QUOTEBOT_ANN=hnsw gives the small bundled corpus a graph (auto would scan it); the
    next build after a new article extends that graph instead of building it again."""
    import json
    import shutil

    index = tmp_path / "index"
    shutil.copytree(real_index_dir, index)  # its vector cache: only new sentences are encoded
    corpus = copy_corpus(tmp_path / "corpus")

    def info() -> dict[str, object]:
        result = quotebot("index", "info", "--json", "--corpus", str(corpus), index=index)
        assert result.returncode == 0, result.stderr
        ann: dict[str, object] = json.loads(result.stdout)["ann"]
        return ann

    default = quotebot("index", "build", "--corpus", str(corpus), index=index)
    assert default.returncode == 0, default.stderr
    assert info()["kind"] == "exact" and info()["requested"] == "auto"
    hnsw = {"QUOTEBOT_ANN": "hnsw"}
    built = quotebot("index", "build", "--corpus", str(corpus), index=index, env=hnsw)
    assert built.returncode == 0, built.stderr
    first = info()
    assert (first["kind"], first["requested"], first["tombstones"]) == ("hnsw", "hnsw", 0)
    (corpus / "weather.md").write_text(
        article(
            "Weather in Simferopol",
            "Heavy snowfall closed the mountain roads near Simferopol on Tuesday. "
            "The roads opened again on Thursday.",
        )
    )
    built = quotebot("index", "build", "--corpus", str(corpus), index=index, env=hnsw)
    assert built.returncode == 0, built.stderr
    assert info()["graph_nodes"] == int(str(first["graph_nodes"])) + 2  # two sentences added
    text = quotebot("index", "info", "--corpus", str(corpus), index=index).stdout
    assert (
        "vector search: HNSW (M=32) over 8-bit scalar-quantised codes, 100 candidates "
        "re-scored exactly; efSearch=1024 (the manifest's); " in text
    )
    assert "0 tombstones" in text
    answer = quotebot(
        "ask", "--json", "--corpus", str(corpus), "Which roads did the snow close?", index=index
    )
    assert answer.returncode == 0, answer.stderr
    assert json.loads(answer.stdout)["quotes"][0]["text"].startswith("Heavy snowfall closed")
