"""``run_bot``'s checks before it contacts Telegram (the rest is in test_bot_e2e)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, TelegramSettings
from bot.telegram.run import run_bot
from bot.telegram.store import StoreError
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


@pytest.mark.usefixtures("restore_logging")
@pytest.mark.parametrize(
    "token",
    ["123:short", "123456789:AAFakeTokenForTestsOnly-abc\ndefghij", "123/../getMe?x=:" + "a" * 35],
    ids=["short", "newline", "path"],
)
def test_a_malformed_token_is_named_at_once_without_showing_it(tmp_path: Path, token: str) -> None:
    settings = Settings(
        corpus_dir=tmp_path,
        data_dir=tmp_path,
        model=DEFAULT_MODEL,
        telegram=TelegramSettings(token=token),
    )
    with pytest.raises(SettingsError, match=r"^TELEGRAM_BOT_TOKEN is not a bot token") as raised:
        run_bot(settings)
    assert token not in str(raised.value)


@pytest.mark.usefixtures("restore_logging")
def test_a_damaged_database_stops_the_bot_before_the_index_is_touched(tmp_path: Path) -> None:
    """Row 14: noticed in a second, not after minutes of index building (the corpus here is
    empty, so reaching the index would raise CorpusError instead)."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "quotebot.sqlite3").write_bytes(b"this is not a database" * 100)
    empty = tmp_path / "empty"
    empty.mkdir()
    settings = Settings(
        corpus_dir=empty,
        data_dir=data,
        model=DEFAULT_MODEL,
        telegram=TelegramSettings(token=TOKEN),
    )
    with pytest.raises(StoreError, match="cannot be used"):
        run_bot(settings)


@pytest.mark.usefixtures("restore_logging")
def test_an_unwritable_data_directory_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    settings = Settings(
        corpus_dir=tmp_path,
        data_dir=blocker / "data",
        model=DEFAULT_MODEL,
        telegram=TelegramSettings(token=TOKEN),
    )
    with pytest.raises(SettingsError, match=r"^QUOTEBOT_DATA_DIR .* is not a writable directory"):
        run_bot(settings)
