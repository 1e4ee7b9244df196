"""Where the corpus, index and model come from: options first, then settings, then defaults."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.options import add_location_options, locations
from bot.settings import load_settings


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_location_options(parser)
    return parser.parse_args(list(argv))


def test_options_win_over_the_environment(tmp_path: Path) -> None:
    settings = load_settings(
        {"QUOTEBOT_CORPUS": "/env/corpus", "QUOTEBOT_INDEX": "/env/index", "QUOTEBOT_MODEL": "m"}
    )
    args = _parse("--corpus", str(tmp_path), "--index", "/opt/i", "--model", "other")
    assert locations(args, settings) == (tmp_path, Path("/opt/i"), "other")
    located = locations(_parse(), settings, check=False)  # resolution only: paths are fake
    assert located == (Path("/env/corpus"), Path("/env/index"), "m")


def test_the_default_index_is_per_corpus_in_the_data_directory(tmp_path: Path) -> None:
    settings = load_settings({"QUOTEBOT_DATA_DIR": str(tmp_path)})
    corpus, index, model = locations(_parse(), settings)
    assert corpus == settings.corpus_dir and (corpus / "README.md").is_file()
    assert model == "all-MiniLM-L6-v2"
    assert index.parent == tmp_path / "indexes"
    _, other_index, _ = locations(_parse("--corpus", str(tmp_path)), settings)
    assert other_index != index
