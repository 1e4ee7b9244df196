"""``quotebot run`` checks the bot's own settings, and only it does, before loading anything."""

from __future__ import annotations

import pytest

from bot.cli import main
from tests.fake_bot_api import TOKEN


@pytest.mark.usefixtures("isolated_env")
@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("QUOTEBOT_WEBHOOK_URL", "example.org"),
        ("QUOTEBOT_ADMIN_IDS", "abc"),
        ("QUOTEBOT_WEBHOOK_PORT", "eighty"),
        ("QUOTEBOT_RATE_LIMIT", "0"),
        ("TELEGRAM_API_BASE_URL", "nowhere"),
        ("QUOTEBOT_WEBHOOK_LISTEN", "not-an-ip!!"),
        ("QUOTEBOT_WEBHOOK_LISTEN", "-leading.example"),
        ("QUOTEBOT_STORE_QUESTIONS", "maybe"),
        ("QUOTEBOT_RETENTION_DAYS", "0"),
        ("QUOTEBOT_POLL_TIMEOUT", "soon"),
        ("QUOTEBOT_POLL_HANG_GRACE", "-1"),
        ("QUOTEBOT_SEND_RETRY_BUDGET", "forever"),
        ("QUOTEBOT_SEND_BACKOFF", "0"),
        ("QUOTEBOT_SHUTDOWN_GRACE", "7200"),
        ("QUOTEBOT_STUCK_AFTER", "5 minutes"),
    ],
)
def test_a_bad_bot_variable_stops_run_with_one_line_naming_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv(name, value)
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"quotebot: error: {name}") and len(err.strip().splitlines()) == 1
    assert TOKEN not in err


@pytest.mark.usefixtures("isolated_env")
def test_without_a_token_run_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run"]) == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in capsys.readouterr().err
