"""``quotebot run``: the Telegram bot; everything about it lives in ``bot.telegram``."""

from __future__ import annotations

import argparse
from typing import Any

from bot.settings import Settings


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    commands.add_parser(
        "run",
        help="start the Telegram bot (needs TELEGRAM_BOT_TOKEN)",
        description="Start the Telegram bot. Configuration comes from the environment; see "
        "the README for every setting and its default.",
    )


def command_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.telegram.run import run_bot

    return run_bot(settings)
