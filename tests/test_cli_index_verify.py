"""``quotebot index verify``: the full hash check that issue 11 names, on demand.

Opening an index checks sizes and times only, so a flipped byte that keeps both is quoted as
it is; ``index verify`` is how an operator finds it (exit 1, one ``damaged:`` line).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from embeddings.index_store import current_build
from tests.cli_runner import one_line_error, run_main


def flip_a_byte_keeping_size_and_time(path: Path) -> None:
    stat = path.stat()
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


@pytest.mark.integration
@pytest.mark.usefixtures("isolated_env")
def test_verify_says_ok_and_exits_0_for_a_sound_index(
    capsys: pytest.CaptureFixture[str], real_index_copy: Path
) -> None:
    code, out, err = run_main(capsys, "index", "verify", "--index", str(real_index_copy))
    assert (code, err) == (0, "")
    assert out.startswith("ok: ")
    code, out, _ = run_main(capsys, "index", "verify", "--json", "--index", str(real_index_copy))
    assert code == 0
    assert json.loads(out) == {"index": str(real_index_copy), "sound": True, "status": "ok"}


@pytest.mark.integration
@pytest.mark.usefixtures("isolated_env")
def test_verify_finds_a_flipped_byte_that_opening_does_not(
    capsys: pytest.CaptureFixture[str], real_index_copy: Path
) -> None:
    flip_a_byte_keeping_size_and_time(current_build(real_index_copy) / "texts.bin")
    code, out, _ = run_main(capsys, "index", "verify", "--index", str(real_index_copy))
    assert code == 1
    lines = out.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("damaged: ")
    assert "texts.bin" in lines[0]
    code, out, _ = run_main(capsys, "index", "verify", "--json", "--index", str(real_index_copy))
    assert code == 1
    report = json.loads(out)
    assert report["sound"] is False
    assert report["status"].startswith("damaged: ") and "texts.bin" in report["status"]


@pytest.mark.usefixtures("isolated_env")
def test_verify_without_an_index_is_one_error_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run_main(capsys, "index", "verify", "--index", str(tmp_path / "none"))
    assert code == 2
    assert "no index" in one_line_error(err)


@pytest.mark.usefixtures("isolated_env")
def test_verify_json_without_an_index_is_a_json_object_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    none = tmp_path / "none"
    code, out, err = run_main(capsys, "index", "verify", "--json", "--index", str(none))
    assert (code, err) == (2, "")
    report = json.loads(out)
    assert report["status"] == "missing"
    assert report["sound"] is False
    assert report["index"] == str(none)
    assert "no index" in report["error"]
