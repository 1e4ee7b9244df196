"""Wiring: the application carries its services, points at the configured Bot API server,
publishes its command menu and keeps a heartbeat while it runs."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Any

import pytest

from bot.settings import Settings, SettingsError, TelegramSettings
from bot.telegram.app import COMMANDS, build_application, open_configured_searcher
from bot.telegram.bot_data import BotServices
from bot.telegram.messages import UNKNOWN_COMMAND
from bot.telegram.store import Store
from embeddings import DEFAULT_MODEL
from embeddings.search import Searcher
from tests.bot_harness import (
    ADMIN,
    ALICE,
    BOB,
    CUSTODY,
    assert_answer,
    buttons,
    only,
    run,
    running_bot,
)
from tests.conftest import CORPUS
from tests.fake_bot_api import TOKEN, FakeBotAPI


def settings(tmp_path: Path, **changes: Any) -> Settings:
    """Settings for the bot, with some of its Telegram settings changed."""
    telegram = dataclasses.replace(TelegramSettings(token=TOKEN), **changes)
    return Settings(corpus_dir=CORPUS, data_dir=tmp_path, model="hashing", telegram=telegram)


def test_without_a_token_there_is_no_application(tmp_path: Path, fake_searcher: Searcher) -> None:
    with pytest.raises(SettingsError, match="TELEGRAM_BOT_TOKEN"):
        build_application(
            dataclasses.replace(settings(tmp_path), telegram=None),
            fake_searcher,
            Store.in_memory(),
        )


def test_the_services_are_in_bot_data(tmp_path: Path, fake_searcher: Searcher) -> None:
    store = Store.in_memory()
    app = build_application(settings(tmp_path, rate_limit_per_minute=7), fake_searcher, store)
    services = app.bot_data["services"]
    assert isinstance(services, BotServices)
    assert services.searcher is fake_searcher and services.store is store
    assert services.question_limit.limit == 7
    assert services.page_size == 3 and services.pool_size == 9


def test_the_token_is_appended_to_a_custom_api_base_url(
    tmp_path: Path, fake_searcher: Searcher
) -> None:
    url = "http://127.0.0.1:8081/bot"
    app = build_application(settings(tmp_path, api_base_url=url), fake_searcher, Store.in_memory())
    assert app.bot.base_url == url + TOKEN


def test_startup_publishes_commands_and_the_heartbeat_follows_the_app(
    tmp_path: Path, fake_searcher: Searcher
) -> None:
    api = FakeBotAPI()
    heartbeat = tmp_path / "heartbeat"
    app = build_application(
        settings(tmp_path),
        fake_searcher,
        Store.in_memory(),
        request=api,
        get_updates_request=api,
        heartbeat=heartbeat,
    )

    async def scenario() -> None:
        await app.initialize()
        assert app.post_init is not None and app.post_shutdown is not None
        await app.post_init(app)
        await app.start()
        async with asyncio.timeout(10):
            while not heartbeat.exists():  # written as soon as the app runs
                await asyncio.sleep(0)  # a turn of the event loop, not a wait
        await app.stop()
        await app.shutdown()
        await app.post_shutdown(app)

    asyncio.run(scenario())
    (commands,) = [call for call in api.calls if call.method == "setMyCommands"]
    assert [c["command"] for c in commands.params["commands"]] == [c.command for c in COMMANDS]
    assert not heartbeat.exists()  # a stopped bot is not healthy


def test_a_failing_command_menu_does_not_stop_the_bot(
    tmp_path: Path, fake_searcher: Searcher
) -> None:
    api = FakeBotAPI()
    api.fail_next("setMyCommands", "bad_request")
    app = build_application(
        settings(tmp_path), fake_searcher, Store.in_memory(), request=api, get_updates_request=api
    )

    async def scenario() -> None:
        await app.initialize()
        assert app.post_init is not None and app.post_shutdown is not None
        await app.post_init(app)
        await app.shutdown()
        await app.post_shutdown(app)

    asyncio.run(scenario())


def test_the_bots_variables_reach_the_bot(fake_searcher: Searcher, tmp_path: Path) -> None:
    """QUOTEBOT_EXAMPLES, QUOTEBOT_ADMIN_IDS and QUOTEBOT_RATE_LIMIT, read as `quotebot run`
    reads them, change what users see."""
    env = {
        "QUOTEBOT_EXAMPLES": "Who hung the banner?",
        "QUOTEBOT_ADMIN_IDS": str(ALICE),
        "QUOTEBOT_RATE_LIMIT": "1",
    }

    async def scenario() -> None:
        async with running_bot(fake_searcher, tmp_path, env=env) as bot:
            greeting = only(await bot.say(ALICE, "/start"), "sendMessage")
            assert buttons(greeting) == ["Who hung the banner?"]
            assert "Statistics" in only(await bot.say(ALICE, "/stats"), "sendMessage").text
            assert only(await bot.say(ADMIN, "/stats"), "sendMessage").text == UNKNOWN_COMMAND
            assert_answer(only(await bot.say(BOB, CUSTODY), "sendMessage"))
            refused = only(await bot.say(BOB, CUSTODY), "sendMessage")
            assert refused.text.startswith("You're asking faster than I can keep up")

    run(scenario)


@pytest.mark.integration
def test_quotebot_abstain_below_reaches_the_bots_searcher(real_index_copy: Path) -> None:
    """The searcher `quotebot run` and /reload open takes the configured threshold."""
    base = Settings(
        corpus_dir=CORPUS,
        data_dir=real_index_copy.parent,
        model=DEFAULT_MODEL,
        index_dir=real_index_copy,
    )
    question = "How many political prisoners are held in Crimea?"
    assert not open_configured_searcher(base).search(question, 3).abstained
    strict = dataclasses.replace(base, abstain_below=100.0)
    searcher = open_configured_searcher(strict)
    assert searcher.abstain_below == 100.0
    assert searcher.search(question, 3).abstained
