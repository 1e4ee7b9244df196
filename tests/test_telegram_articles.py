"""/add URL and feed polling in the bot: pages from the local page server, real ingestion,
the fake Bot API, and the searcher swapped as /reload swaps it."""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.settings import SettingsError, load_telegram_settings
from bot.telegram import articles, messages, render
from bot.telegram.index_child import build_in_child
from embeddings.corpus import read_corpus
from embeddings.ingest.store import LOCK_NAME
from embeddings.search import Searcher
from tests.bot_api_server import BotAPIServer
from tests.bot_harness import ADMIN, ALICE, only, run, running_bot, searcher_over
from tests.bot_process import BotProcess, environment
from tests.conftest import CORPUS
from tests.corpus_copies import copy_corpus
from tests.fake_bot_api import TOKEN, Updates, telegram_html_problems
from tests.page_server import PageServer, serve_pages

FERRY = "Bellmouth ferry returns after two-year pause"


@pytest.fixture(scope="module")
def server() -> Iterator[PageServer]:
    with serve_pages() as pages:
        yield pages


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    # A folder of one's own: the bundled corpus's articles, without its read-only marker.
    return copy_corpus(tmp_path / "corpus", marker=False)


def reopen(corpus: Path) -> Searcher:
    """What the bot's reload does, over the hashing encoder: the corpus as it is now."""
    return searcher_over(read_corpus(corpus))


def test_an_admin_adds_a_page_and_it_is_searchable_at_once(
    server: PageServer, corpus: Path, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with running_bot(
            reopen(corpus),
            tmp_path,
            reload=lambda: reopen(corpus),
            corpus_dir=corpus,
            allow_loopback_urls=True,
        ) as bot:
            before = bot.services.searcher
            url = server.url("/pages/ferry-opengraph.html")
            reply = only(await bot.say(ADMIN, f"/add {url}"), "sendMessage")
            assert telegram_html_problems(reply.text) == []
            assert reply.text.startswith("added bellmouth-ferry-returns")
            assert "The index now holds 3 articles" in reply.text
            assert bot.services.searcher is not before
            assert FERRY in [document.title for document in bot.services.searcher.documents]
            again = only(await bot.say(ADMIN, f"/add {url}"), "sendMessage")
            assert again.text.startswith("unchanged bellmouth-ferry-returns")

    run(scenario)


def test_add_is_for_admins_and_needs_one_address(
    server: PageServer, corpus: Path, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with running_bot(
            reopen(corpus), tmp_path, corpus_dir=corpus, allow_loopback_urls=True
        ) as bot:
            url = server.url("/pages/ferry-opengraph.html")
            refused = only(await bot.say(ALICE, f"/add {url}"), "sendMessage")
            assert refused.text == messages.UNKNOWN_COMMAND
            usage = only(await bot.say(ADMIN, "/add"), "sendMessage")
            assert usage.text == articles.ADD_USAGE
        assert not list(corpus.glob("bellmouth*"))

    run(scenario)


def test_a_loopback_address_is_refused_unless_the_setting_allows_it(
    server: PageServer, corpus: Path, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with running_bot(reopen(corpus), tmp_path, corpus_dir=corpus) as bot:
            before = bot.services.searcher
            url = server.url("/pages/ferry-opengraph.html")
            reply = only(await bot.say(ADMIN, f"/add {url}"), "sendMessage")
            assert reply.text.startswith(f"skipped {url}: refused: 127.0.0.1 is a loopback")
            assert bot.services.searcher is before
        assert not list(corpus.glob("bellmouth*"))

    run(scenario)


def test_why_not_is_said_for_a_page_without_an_article(
    server: PageServer, corpus: Path, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with running_bot(
            reopen(corpus), tmp_path, corpus_dir=corpus, allow_loopback_urls=True
        ) as bot:
            url = server.url("/pages/index-page.html")
            reply = only(await bot.say(ADMIN, f"/add {url}"), "sendMessage")
            assert reply.text.startswith(f"skipped {url}: no article text")

    run(scenario)


def test_the_bundled_corpus_stays_read_only(server: PageServer, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running_bot(reopen(CORPUS), tmp_path, allow_loopback_urls=True) as bot:
            url = server.url("/pages/ferry-opengraph.html")
            reply = only(await bot.say(ADMIN, f"/add {url}"), "sendMessage")
            assert reply.text == articles.READ_ONLY

    run(scenario)


def test_a_copy_of_the_bundled_corpus_with_its_marker_stays_read_only(
    server: PageServer, tmp_path: Path
) -> None:
    copy = copy_corpus(tmp_path / "checkout-corpus")  # as a checkout's corpus/: another path

    async def scenario() -> None:
        async with running_bot(
            reopen(copy), tmp_path, corpus_dir=copy, allow_loopback_urls=True
        ) as bot:
            url = server.url("/pages/ferry-opengraph.html")
            reply = only(await bot.say(ADMIN, f"/add {url}"), "sendMessage")
            assert reply.text == articles.READ_ONLY

    run(scenario)
    assert sorted(path.name for path in copy.iterdir()) == sorted(
        path.name for path in CORPUS.iterdir()
    )


def test_feeds_are_polled_by_the_job_queue_and_the_index_swapped(
    server: PageServer, corpus: Path, tmp_path: Path
) -> None:
    async def scenario() -> None:
        feed = server.url("/pages/rss.xml")
        async with running_bot(
            reopen(corpus),
            tmp_path,
            reload=lambda: reopen(corpus),
            corpus_dir=corpus,
            allow_loopback_urls=True,
            feeds=(feed,),
            feed_interval_minutes=15,
        ) as bot:
            queue = bot.app.job_queue
            assert queue is not None
            (job,) = queue.get_jobs_by_name(articles.FEED_JOB)
            assert job.job.trigger.interval.total_seconds() == 15 * 60
            before = len(bot.services.searcher.documents)
            await job.run(bot.app)
            after = bot.services.searcher.documents
            assert len(after) > before
            assert len(read_corpus(corpus)) == len(after)
            await job.run(bot.app)  # nothing new: nothing changes
            assert len(bot.services.searcher.documents) == len(after)

    run(scenario)


def test_no_feeds_no_job(corpus: Path, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running_bot(reopen(corpus), tmp_path, corpus_dir=corpus) as bot:
            assert bot.app.job_queue is not None
            assert bot.app.job_queue.get_jobs_by_name(articles.FEED_JOB) == ()

    run(scenario)


def test_feed_settings_are_read_and_checked() -> None:
    settings = load_telegram_settings(
        {
            "TELEGRAM_BOT_TOKEN": "1:x",
            "QUOTEBOT_FEEDS": "https://a.example/rss.xml, http://b.example/atom",
            "QUOTEBOT_CORPUS": "/srv/articles",
            "QUOTEBOT_FEED_INTERVAL": "15",
            "QUOTEBOT_ALLOW_LOOPBACK_URLS": "1",
        }
    )
    assert settings.feeds == ("https://a.example/rss.xml", "http://b.example/atom")
    assert settings.feed_interval_minutes == 15 and settings.allow_loopback_urls
    defaults = load_telegram_settings({"TELEGRAM_BOT_TOKEN": "1:x"})
    assert defaults.feeds == () and defaults.feed_interval_minutes == 60
    assert not defaults.allow_loopback_urls
    with pytest.raises(SettingsError, match="QUOTEBOT_FEEDS"):
        load_telegram_settings({"TELEGRAM_BOT_TOKEN": "1:x", "QUOTEBOT_FEEDS": "file:///etc"})
    # New articles are written into the corpus: the bundled one is read-only (README).
    with pytest.raises(SettingsError, match="QUOTEBOT_FEEDS needs QUOTEBOT_CORPUS"):
        load_telegram_settings({"TELEGRAM_BOT_TOKEN": "1:x", "QUOTEBOT_FEEDS": "https://a.x/f"})
    with pytest.raises(SettingsError, match="QUOTEBOT_FEED_INTERVAL"):
        load_telegram_settings({"TELEGRAM_BOT_TOKEN": "1:x", "QUOTEBOT_FEED_INTERVAL": "0"})


def test_when_the_index_cannot_be_updated_the_admin_is_told_why_and_the_old_one_serves(
    server: PageServer, corpus: Path, tmp_path: Path
) -> None:
    missing_model = tmp_path / "no-such-model"

    def build_fails() -> Searcher:
        # The real child process, failing as it does for a model that is not there.
        build_in_child(corpus, tmp_path / "index", str(missing_model))
        raise AssertionError("the build should have failed")

    async def scenario() -> None:
        async with running_bot(
            reopen(corpus),
            tmp_path,
            reload=build_fails,
            corpus_dir=corpus,
            allow_loopback_urls=True,
        ) as bot:
            before = bot.services.searcher
            url = server.url("/pages/ferry-opengraph.html")
            reply = only(await bot.say(ADMIN, f"/add {url}"), "sendMessage")
            assert telegram_html_problems(reply.text) == []
            first, reason = reply.text.split(". The index could not be updated: ", 1)
            assert first.startswith("added bellmouth-ferry-returns")
            assert str(missing_model) in reason.splitlines()[0]
            assert reason.endswith(
                "Questions are still answered from the previous index; /reload tries again."
            )
            assert bot.services.searcher is before
            answer = only(await bot.say(ALICE, "How many people are in custody?"), "sendMessage")
            assert "<blockquote>" in answer.text

    run(scenario)


def test_a_feed_poll_whose_index_update_fails_logs_why_and_keeps_the_old_index(
    server: PageServer, corpus: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    missing_model = tmp_path / "no-such-model"

    def build_fails() -> Searcher:
        build_in_child(corpus, tmp_path / "index", str(missing_model))
        raise AssertionError("the build should have failed")

    async def scenario() -> None:
        async with running_bot(
            reopen(corpus),
            tmp_path,
            reload=build_fails,
            corpus_dir=corpus,
            allow_loopback_urls=True,
            feeds=(server.url("/pages/rss.xml"),),
        ) as bot:
            before = bot.services.searcher
            queue = bot.app.job_queue
            assert queue is not None
            (job,) = queue.get_jobs_by_name(articles.FEED_JOB)
            with caplog.at_level(logging.WARNING, logger="bot.telegram.articles"):
                await job.run(bot.app)
            assert bot.services.searcher is before
            (warning,) = [r for r in caplog.records if r.name == "bot.telegram.articles"]
            assert warning.getMessage().startswith("the index could not be updated: model ")
            assert str(missing_model) in warning.getMessage()
        assert len(read_corpus(corpus)) > len(before.documents)  # the articles stay

    run(scenario)


LIGHTHOUSE = "Harbour lighthouse relit after repairs"
LIGHTHOUSE_ARTICLE = f"""---
title: "{LIGHTHOUSE}"
source: Bellmouth Gazette
date: 2026-11-20
language: en
---
The harbour lighthouse of Bellmouth was relit on Friday evening after eight months of repairs.
Its new lamp can be seen from forty kilometres out at sea, the harbour master said.
"""


def lock_is_held(corpus: Path) -> bool:
    """Whether some open file holds the corpus lock now (as a ``quotebot add`` would find)."""
    with (corpus / LOCK_NAME).open("a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def test_reload_takes_in_an_article_written_into_the_corpus_under_the_corpus_lock(
    corpus: Path, tmp_path: Path
) -> None:
    """/reload takes the path /add takes: the corpus is locked from the build to the load, so
    a ``quotebot add`` or a feed poll waits instead of slipping in between."""
    held: list[bool] = []

    def reload() -> Searcher:
        held.append(lock_is_held(corpus))
        return reopen(corpus)

    async def scenario() -> None:
        async with running_bot(reopen(corpus), tmp_path, reload=reload, corpus_dir=corpus) as bot:
            (corpus / "lighthouse.md").write_text(LIGHTHOUSE_ARTICLE, encoding="utf-8")
            texts = [call.text for call in await bot.say(ADMIN, "/reload")]
            assert texts[0] == messages.RELOADING
            assert texts[1].startswith("Reloaded: 3 articles, ")
            assert held == [True]
            sources = only(await bot.say(ALICE, "/sources"), "sendMessage")
            assert LIGHTHOUSE in sources.text
        assert not lock_is_held(corpus)

    run(scenario)


def test_reload_of_the_bundled_corpus_writes_no_lock_into_it(tmp_path: Path) -> None:
    """The bundled corpus is read-only to quotebot (no writer to wait for), and its folder may
    be read-only too: /reload leaves it as it is."""
    assert not (CORPUS / LOCK_NAME).exists()

    async def scenario() -> None:
        async with running_bot(reopen(CORPUS), tmp_path, reload=lambda: reopen(CORPUS)) as bot:
            texts = [call.text for call in await bot.say(ADMIN, "/reload")]
            assert texts[-1].startswith("Reloaded: 2 articles")
        assert not (CORPUS / LOCK_NAME).exists()

    run(scenario)


def test_a_reload_that_fails_in_the_child_says_why_in_one_line_and_the_old_index_serves(
    corpus: Path, tmp_path: Path
) -> None:
    missing_model = tmp_path / "no-such-model"

    def build_fails() -> Searcher:
        # The real child process, failing as it does for a model that is not there.
        build_in_child(corpus, tmp_path / "index", str(missing_model))
        raise AssertionError("the build should have failed")

    async def scenario() -> None:
        async with running_bot(
            reopen(corpus), tmp_path, reload=build_fails, corpus_dir=corpus
        ) as bot:
            before = bot.services.searcher
            texts = [call.text for call in await bot.say(ADMIN, "/reload")]
            assert texts[0] == messages.RELOADING
            assert telegram_html_problems(texts[1]) == []
            assert texts[1].startswith(render.render_reload_failed("model "))
            assert str(missing_model) in texts[1]
            assert len(texts[1].splitlines()) == 1
            assert bot.services.searcher is before
            answer = only(await bot.say(ALICE, "How many people are in custody?"), "sendMessage")
            assert "<blockquote>" in answer.text
        assert not lock_is_held(corpus)

    run(scenario)


def torch_is_loaded(pid: int) -> bool:
    """Whether the process has mapped any of torch's libraries (Linux: /proc/PID/maps)."""
    maps = Path(f"/proc/{pid}/maps").read_text(encoding="utf-8", errors="replace")
    return any("/torch/" in line or "libtorch" in line for line in maps.splitlines())


@pytest.mark.integration
def test_the_real_bot_encodes_an_added_article_in_a_child_and_never_loads_torch(
    server: PageServer, corpus: Path, real_index_copy: Path, tmp_path: Path
) -> None:
    """``quotebot run`` with the real model: /add, then a question answered from the new
    article, while the serving process itself never maps torch."""
    if not Path("/proc/self/maps").is_file():
        pytest.fail("this check reads /proc/PID/maps (Linux)")
    api = BotAPIServer(TOKEN)
    api.start()
    updates = Updates()
    env = environment(
        tmp_path / "data",
        real_index_copy,
        api,
        QUOTEBOT_CORPUS=str(corpus),
        QUOTEBOT_ADMIN_IDS=str(ADMIN),
        QUOTEBOT_ALLOW_LOOPBACK_URLS="1",
    )
    bot = BotProcess.start(env, tmp_path / "bot.log", api)
    try:
        pid = bot.process.pid
        assert not torch_is_loaded(pid)
        log_before, before = len(bot.output()), len(api.calls)
        api.push_update(
            updates.private(ADMIN, f"/add {server.url('/pages/ferry-opengraph.html')}")
        )
        added = api.wait_for(lambda call: call.method == "sendMessage", 300, "/add reply", before)
        assert added.text.startswith("added bellmouth-ferry-returns"), added.text
        assert "The index now holds 3 articles" in added.text
        before = len(api.calls)
        api.push_update(updates.private(ALICE, "How much do tickets for the ferry cost?"))
        answer = api.wait_for(lambda call: call.method == "sendMessage", 60, "an answer", before)
        assert FERRY in answer.text, answer.text
        assert not torch_is_loaded(pid)
        assert "in a child process" in bot.output()[log_before:]  # the /add's build
    finally:
        bot.stop()
        api.stop()


@pytest.mark.integration
def test_the_real_bot_reloads_an_edited_corpus_in_a_child_and_never_loads_torch(
    corpus: Path, real_index_copy: Path, tmp_path: Path
) -> None:
    """``quotebot run`` with the real model: an article written into the corpus by hand,
    /reload, then a question answered from it; the serving process never maps torch."""
    if not Path("/proc/self/maps").is_file():
        pytest.fail("this check reads /proc/PID/maps (Linux)")
    api = BotAPIServer(TOKEN)
    api.start()
    updates = Updates()
    env = environment(
        tmp_path / "data",
        real_index_copy,
        api,
        QUOTEBOT_CORPUS=str(corpus),
        QUOTEBOT_ADMIN_IDS=str(ADMIN),
    )
    bot = BotProcess.start(env, tmp_path / "bot.log", api)
    try:
        pid = bot.process.pid
        (corpus / "lighthouse.md").write_text(LIGHTHOUSE_ARTICLE, encoding="utf-8")
        log_before, before = len(bot.output()), len(api.calls)
        api.push_update(updates.private(ADMIN, "/reload"))
        reloaded = api.wait_for(
            lambda call: call.method == "sendMessage" and call.text.startswith("Reload"),
            300,
            "/reload reply",
            before,
        )
        assert reloaded.text.startswith("Reloaded: 3 articles"), reloaded.text
        before = len(api.calls)
        api.push_update(updates.private(ALICE, "How far out at sea can the lighthouse be seen?"))
        answer = api.wait_for(lambda call: call.method == "sendMessage", 60, "an answer", before)
        assert LIGHTHOUSE in answer.text, answer.text
        assert not torch_is_loaded(pid)
        assert "in a child process" in bot.output()[log_before:]  # the /reload's build
    finally:
        bot.stop()
        api.stop()
