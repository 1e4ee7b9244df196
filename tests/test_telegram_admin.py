"""/stats and /reload: for admins only, and stats survive restarts."""

from __future__ import annotations

from pathlib import Path

from bot.telegram import messages
from embeddings.errors import CorpusError
from embeddings.search import Searcher
from embeddings.types import Document
from tests.bot_harness import (
    ADMIN,
    ALICE,
    CUSTODY,
    assert_answer,
    only,
    run,
    running_bot,
    searcher_over,
)
from tests.fake_bot_api import telegram_html_problems


def test_stats_for_admins_only(fake_searcher: Searcher, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running_bot(fake_searcher, tmp_path) as bot:
            await bot.say(ALICE, CUSTODY)
            refused = only(await bot.say(ALICE, "/stats"), "sendMessage")
            assert refused.text == messages.UNKNOWN_COMMAND
            bot.clock.now += 2 * 3600 + 5 * 60
            stats = only(await bot.say(ADMIN, "/stats"), "sendMessage")
            assert telegram_html_problems(stats.text) == []
            assert "Questions answered: 1" in stats.text
            assert "Index: 2 articles, 60 sentences, hashing" in stats.text
            assert "Uptime: 2h 5m" in stats.text

    run(scenario)


def test_stats_survive_a_restart(fake_searcher: Searcher, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running_bot(fake_searcher, tmp_path) as bot:
            answer = only(await bot.say(ALICE, CUSTODY), "sendMessage")
            await bot.press(ALICE, answer, "👍")
        async with running_bot(fake_searcher, tmp_path) as bot:
            stats = only(await bot.say(ADMIN, "/stats"), "sendMessage")
            assert "Questions answered: 1" in stats.text
            assert "👍 1 · 👎 0" in stats.text

    run(scenario)


def test_reload_swaps_the_index_for_admins_only(fake_searcher: Searcher, tmp_path: Path) -> None:
    new = searcher_over([Document("n", "Brand new article", "Cats sleep a lot.", "Zoo")])

    async def scenario() -> None:
        async with running_bot(fake_searcher, tmp_path, reload=lambda: new) as bot:
            refused = only(await bot.say(ALICE, "/reload"), "sendMessage")
            assert refused.text == messages.UNKNOWN_COMMAND
            assert bot.services.searcher is fake_searcher

            texts = [call.text for call in await bot.say(ADMIN, "/reload")]
            assert texts == [
                messages.RELOADING,
                "Reloaded: 1 articles, 1 sentences, model hashing.",
            ]
            assert bot.services.searcher is new
            sources = only(await bot.say(ALICE, "/sources"), "sendMessage")
            assert "Brand new article" in sources.text

    run(scenario)


def test_failed_reload_keeps_the_old_index(fake_searcher: Searcher, tmp_path: Path) -> None:
    def broken() -> Searcher:
        raise CorpusError("corpus/x.md: the front matter has no title")

    async def scenario() -> None:
        async with running_bot(fake_searcher, tmp_path, reload=broken) as bot:
            texts = [call.text for call in await bot.say(ADMIN, "/reload")]
            assert texts[-1].startswith("Reload failed, the previous index stays in use")
            assert "no title" in texts[-1]
            assert bot.services.searcher is fake_searcher
            assert_answer(only(await bot.say(ALICE, CUSTODY), "sendMessage"))

    run(scenario)


def test_reload_of_a_stale_read_only_index_says_it_was_not_rebuilt(
    fake_searcher: Searcher, tmp_path: Path
) -> None:
    """A replica's shared index is read-only: when it is older than the corpus, /reload can
    only serve it as it is, and must say so rather than "Reloaded" (issue 11, nu11b #1)."""
    stale = searcher_over([Document("o", "Old article", "Dogs bark.", "Zoo")])
    stale.stale_reason = (
        "the corpus changed, and its folder cannot be written here (Read-only file system)"
    )

    async def scenario() -> None:
        async with running_bot(fake_searcher, tmp_path, reload=lambda: stale) as bot:
            texts = [call.text for call in await bot.say(ADMIN, "/reload")]
            assert texts[0] == messages.RELOADING
            assert telegram_html_problems(texts[1]) == []
            assert not texts[1].startswith("Reloaded")
            assert texts[1].startswith("Not reloaded: the index is older than the corpus")
            assert "Read-only file system" in texts[1]
            assert "new articles are not searchable yet" in texts[1]
            assert "docs/replicas.md" in texts[1]

    run(scenario)
