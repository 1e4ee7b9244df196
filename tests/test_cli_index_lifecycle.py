"""`quotebot index list|prune|info` on real index folders, through the real command line.

The indexes are written without the model (tests.index_builders): listing, verifying and
pruning read manifests and hash files, they never load vectors into a model.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from embeddings.index import SentenceIndex
from embeddings.index_lifecycle import default_index_dir
from embeddings.index_store import SENTENCES_FILE, current_build
from embeddings.model import DEFAULT_MODEL
from tests.conftest import CORPUS, REPO
from tests.corpus_copies import copy_corpus
from tests.index_builders import write_fake_built_index

pytestmark = pytest.mark.usefixtures("isolated_env")


@pytest.fixture
def data_dir(isolated_env: dict[str, str]) -> Path:
    return Path(isolated_env["QUOTEBOT_DATA_DIR"])


@pytest.fixture
def two_indexes(
    data_dir: Path, tmp_path: Path, fake_index: SentenceIndex
) -> tuple[Path, Path, Path]:
    """The bundled corpus's index (current) and one whose corpus folder was deleted."""
    current = write_fake_built_index(
        default_index_dir(data_dir, CORPUS, DEFAULT_MODEL), CORPUS, fake_index
    )
    gone = copy_corpus(tmp_path / "gone-corpus")
    orphan = write_fake_built_index(
        default_index_dir(data_dir, gone, DEFAULT_MODEL), gone, fake_index
    )
    shutil.rmtree(gone)
    return current, orphan, gone


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_shows_each_index_with_its_status(
    capsys: pytest.CaptureFixture[str], two_indexes: tuple[Path, Path, Path]
) -> None:
    current, orphan, gone = two_indexes
    code, out, _ = _run(capsys, "index", "list")
    assert code == 0
    assert f"{current.name}  (current)" in out
    assert "status:    ok" in out
    assert f"status:    corpus missing: the corpus {gone.resolve()} is gone" in out
    assert "used by 2 indexes" in out  # one shared query encoder

    code, out, _ = _run(capsys, "index", "list", "--json")
    listing = json.loads(out)
    by_path = {Path(item["index"]): item for item in listing["indexes"]}
    assert by_path[current]["status"] == "ok" and by_path[current]["current"] is True
    assert by_path[orphan]["status"] == "corpus missing" and by_path[orphan]["current"] is False
    assert by_path[current]["corpus"] == str(CORPUS.resolve())
    assert by_path[current]["model"] == DEFAULT_MODEL
    assert by_path[current]["size_bytes"] > 0 and by_path[current]["sentences"] > 0
    assert by_path[current]["last_used"].endswith("Z")
    (encoder,) = listing["encoders"]
    assert sorted(map(Path, encoder["used_by"])) == sorted([current, orphan])


def test_list_of_an_empty_data_directory(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "index", "list")
    assert code == 0 and out.startswith("no indexes in ")
    code, out, _ = _run(capsys, "index", "list", "--json")
    assert json.loads(out)["indexes"] == []


def test_prune_removes_the_orphan_and_keeps_the_current_index(
    capsys: pytest.CaptureFixture[str], two_indexes: tuple[Path, Path, Path]
) -> None:
    current, orphan, gone = two_indexes
    code, out, _ = _run(capsys, "index", "prune", "--dry-run")
    assert code == 0
    assert f"would remove {orphan} (the corpus {gone.resolve()} is gone" in out
    assert orphan.is_dir()

    code, out, _ = _run(capsys, "index", "prune")
    assert code == 0
    assert f"removed {orphan}" in out and "freed" in out
    assert not orphan.exists() and current.is_dir()

    code, out, _ = _run(capsys, "index", "prune", "--unused-days", "0")
    assert code == 0
    assert f"kept {current}" in out and "--include-current" in out
    assert current.is_dir()


def test_prune_of_the_current_index_when_asked_takes_its_encoder_too(
    capsys: pytest.CaptureFixture[str], data_dir: Path, two_indexes: tuple[Path, Path, Path]
) -> None:
    import time

    current, orphan, _ = two_indexes
    hour_ago = time.time() - 2 * 3600
    (encoder,) = (data_dir / "encoders").iterdir()
    os.utime(encoder, (hour_ago, hour_ago))  # an encoder exported just now may be in use
    code, out, _ = _run(capsys, "index", "prune", "--unused-days", "0", "--include-current")
    assert code == 0
    assert f"removed {current}" in out and f"removed {orphan}" in out
    assert f"removed unused query encoder {encoder}" in out
    assert list((data_dir / "indexes").iterdir()) == []
    assert list((data_dir / "encoders").iterdir()) == []


def test_prune_refuses_a_negative_age(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["index", "prune", "--unused-days", "-1"])
    assert exit_info.value.code == 2
    assert "--unused-days" in capsys.readouterr().err


def test_info_says_damaged_and_names_the_file(
    capsys: pytest.CaptureFixture[str], two_indexes: tuple[Path, Path, Path]
) -> None:
    current, _, _ = two_indexes
    code, out, _ = _run(capsys, "index", "info")
    assert code == 0 and "status:        up to date" in out
    path = current_build(current) / SENTENCES_FILE
    path.write_bytes(path.read_bytes()[:-1] + b"\x01")  # same size: only a hash tells
    code, out, _ = _run(capsys, "index", "info")
    assert code == 0
    assert "status:        damaged: " in out and SENTENCES_FILE in out
    code, out, _ = _run(capsys, "index", "info", "--json")
    assert json.loads(out)["status"].startswith("damaged: ")


def test_a_checkout_and_an_installed_quotebot_find_the_same_index(
    data_dir: Path, fake_index: SentenceIndex
) -> None:
    """The index built for the installed copy of the bundled corpus serves `python -m bot`."""
    installed_corpus = REPO / "bot" / "default_corpus"
    index = default_index_dir(data_dir, installed_corpus, DEFAULT_MODEL)
    write_fake_built_index(index, CORPUS, fake_index)
    run = subprocess.run(
        [sys.executable, "-m", "bot", "index", "info", "--json"],
        cwd=REPO,
        env={**os.environ, "QUOTEBOT_DATA_DIR": str(data_dir)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    info = json.loads(run.stdout)
    assert Path(info["index"]) == index
    assert info["status"] == "up to date"


def test_info_of_a_corrupt_pointer_says_damaged(
    capsys: pytest.CaptureFixture[str], two_indexes: tuple[Path, Path, Path]
) -> None:
    current, _, _ = two_indexes
    (current / "CURRENT").write_text("")
    code, out, _ = _run(capsys, "index", "info")
    assert code == 0
    assert "status:        damaged: " in out and "CURRENT" in out
    code, out, _ = _run(capsys, "index", "info", "--json")
    assert code == 0 and json.loads(out)["status"].startswith("damaged: ")


def test_list_shows_unknown_sentences_and_reads_last_use_without_a_pointer(
    capsys: pytest.CaptureFixture[str], two_indexes: tuple[Path, Path, Path]
) -> None:
    current, orphan, _ = two_indexes
    (current / "CURRENT").write_text("")
    (orphan / "LAST_USED").touch()
    (orphan / "CURRENT").unlink()
    code, out, _ = _run(capsys, "index", "list")
    assert code == 0
    assert "sentences: 0" not in out and "sentences: -" in out
    assert "status:    no index" in out and "last used: never" not in out
    listing = json.loads(_run(capsys, "index", "list", "--json")[1])
    by_path = {Path(item["index"]): item for item in listing["indexes"]}
    assert by_path[current]["status"] == "damaged" and by_path[current]["sentences"] is None
    assert by_path[orphan]["status"] == "no index" and by_path[orphan]["last_used"] is not None


def test_prune_says_what_it_kept_for_its_age(
    capsys: pytest.CaptureFixture[str], data_dir: Path, two_indexes: tuple[Path, Path, Path]
) -> None:
    current, orphan, _ = two_indexes
    assert current.is_dir() and orphan.is_dir()
    leftover = data_dir / "indexes" / "failed-build"
    (leftover / "builds").mkdir(parents=True)
    code, out, _ = _run(capsys, "index", "prune", "--include-current", "--unused-days", "0")
    assert code == 0
    (encoder,) = (data_dir / "encoders").iterdir()  # no index uses it now, but it is young
    assert f"kept {encoder}: no index uses it, but it changed less than an hour ago" in out
    assert f"kept {leftover}: no index in it, but changed less than a day ago" in out
    assert encoder.is_dir() and leftover.is_dir()


def test_vector_caches_are_listed_and_those_of_unused_models_pruned(
    capsys: pytest.CaptureFixture[str], data_dir: Path, two_indexes: tuple[Path, Path, Path]
) -> None:
    import time

    from embeddings.index_store import read_manifest

    current, _, _ = two_indexes
    vectors = data_dir / "vectors"
    vectors.mkdir()
    used = vectors / f"{read_manifest(current).weights_sha256[:16]}-384.sqlite"
    unused = vectors / "0123456789abcdef-768.sqlite"
    spans = vectors / "spans.sqlite"
    for path in (used, unused, spans):
        path.write_bytes(b"x" * 2048)
    day_ago = time.time() - 24 * 3600
    for path in (used, unused, spans):
        os.utime(path, (day_ago, day_ago))
    code, out, _ = _run(capsys, "index", "list")
    assert code == 0 and "vector caches" in out
    assert f"{used.name}  2.0 KB, used by 2 indexes" in out  # both indexes: one model
    assert f"{unused.name}  2.0 KB, used by 0 indexes" in out
    listing = json.loads(_run(capsys, "index", "list", "--json")[1])
    assert {Path(c["cache"]) for c in listing["vector_caches"]} == {used, unused, spans}

    code, out, _ = _run(capsys, "index", "prune")
    assert code == 0
    assert f"removed the vector cache of an unused model {unused}" in out
    assert not unused.exists() and used.exists() and spans.exists()


@pytest.mark.integration
def test_the_rebuild_warning_says_the_damage_once(real_index_copy: Path) -> None:
    from tests.cli_runner import quotebot

    path = current_build(real_index_copy) / SENTENCES_FILE
    size = path.stat().st_size
    path.write_bytes(path.read_bytes()[:-10])
    result = quotebot("ask", "How many people are in custody?", index=real_index_copy)
    assert result.returncode == 0, result.stderr
    (warning,) = [line for line in result.stderr.splitlines() if "WARNING" in line]
    assert warning.endswith(
        f"rebuilding the damaged index: the index file {SENTENCES_FILE} in {real_index_copy} "
        f"is corrupted ({size - 10} bytes, {size} expected)"
    ), warning
