"""``quotebot run``: the Telegram bot; everything about it lives in ``bot.telegram``."""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import Any

from bot.settings import Settings, load_telegram_settings


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    commands.add_parser(
        "run",
        help="start the Telegram bot (needs TELEGRAM_BOT_TOKEN)",
        description="Start the Telegram bot. Configuration comes from the environment; see "
        "the README for every setting and its default.",
    )


def command_run(args: argparse.Namespace, settings: Settings) -> int:
    """Read and check the bot's own settings (only here), then run the bot."""
    from bot.telegram.run import run_bot

    return run_bot(replace(settings, telegram=load_telegram_settings()))
