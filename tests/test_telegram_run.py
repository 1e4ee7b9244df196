"""``run_bot``'s checks before it contacts Telegram (the rest is in test_bot_e2e)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, TelegramSettings
from bot.telegram.run import run_bot
from embeddings import DEFAULT_MODEL, CorpusError
from tests.fake_bot_api import TOKEN


@pytest.fixture
def restore_logging() -> Iterator[None]:
    factory = logging.getLogRecordFactory()
    yield
    logging.setLogRecordFactory(factory)


def test_no_token_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="TELEGRAM_BOT_TOKEN is not set"):
        run_bot(Settings(corpus_dir=tmp_path, data_dir=tmp_path, model=DEFAULT_MODEL))


@pytest.mark.usefixtures("restore_logging")
def test_a_bad_corpus_stops_the_bot_before_it_starts_and_the_token_is_already_redacted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    settings = Settings(
        corpus_dir=empty,
        data_dir=tmp_path / "data",
        model=DEFAULT_MODEL,
        telegram=TelegramSettings(token=TOKEN),
    )
    with pytest.raises(CorpusError):
        run_bot(settings)
    logging.getLogger("test.runner").warning("the token is %s", TOKEN)
    assert TOKEN not in caplog.text
    assert "[REDACTED]" in caplog.text
    assert not (tmp_path / "data" / "quotebot.sqlite3").exists()
