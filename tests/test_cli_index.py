"""``quotebot index``: the commands read only the settings they share with every command."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main


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
