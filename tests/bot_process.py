"""A real ``quotebot run`` process against the Bot API stand-in, for the fault-injection suite.

``BotProcess.start`` launches ``python -m bot -vv run`` with short clocks (``FAST_CLOCKS``) so
that retries, hung polls and shutdowns take a second, not a minute; every wait is bounded.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.telegram import messages
from tests.bot_api_server import BotAPIServer
from tests.conftest import REPO
from tests.fake_bot_api import TOKEN, ApiCall

STARTUP_TIMEOUT = 300.0  # loading the model
ANSWER_TIMEOUT = 60.0
EXIT_TIMEOUT = 30.0
FAST_CLOCKS = {
    "QUOTEBOT_POLL_TIMEOUT": "1",
    "QUOTEBOT_POLL_HANG_GRACE": "1",
    "QUOTEBOT_SHUTDOWN_GRACE": "5",
    "QUOTEBOT_SEND_BACKOFF": "0.05",
    "QUOTEBOT_SEND_RETRY_BUDGET": "20",
}


def environment(
    data_dir: Path, index_dir: Path, server: BotAPIServer, **extra: str
) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("QUOTEBOT_", "TELEGRAM_"))
    }
    env.update(
        {
            "QUOTEBOT_DATA_DIR": str(data_dir),
            "QUOTEBOT_INDEX": str(index_dir),
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": server.base_url,
            "HF_HUB_OFFLINE": "1",
            "PYTHONUNBUFFERED": "1",
            **FAST_CLOCKS,
            **extra,
        }
    )
    return env


@dataclass
class BotProcess:
    process: subprocess.Popen[bytes]
    log: Path

    @classmethod
    def start(cls, env: dict[str, str], log: Path, server: BotAPIServer) -> BotProcess:
        """Start the bot and wait until it polls (its first ``getUpdates`` after ``getMe``)."""
        before = len(server.calls)
        with log.open("ab") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "bot", "-vv", "run"],
                cwd=REPO,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        bot = cls(process, log)
        try:
            server.wait_for(
                lambda call: call.method == "getUpdates", STARTUP_TIMEOUT, "getUpdates", before
            )
        except TimeoutError:
            bot.kill()
            raise
        return bot

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=EXIT_TIMEOUT)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=EXIT_TIMEOUT)


def replies(server: BotAPIServer, chat_id: int) -> list[ApiCall]:
    """Every message the chat received, in order (one question: exactly one is right)."""
    return server.succeeded("sendMessage", chat_id)


def is_answer(call: ApiCall) -> bool:
    """A reply that answers (quotes, or an honest "not in the sources"), not an error notice."""
    return call.text != messages.SOMETHING_WRONG and bool(call.text.strip())
