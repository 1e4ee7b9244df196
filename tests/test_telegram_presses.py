"""The buttons under answers: More/Back, Context, feedback, and forged or stale data."""

from __future__ import annotations

import asyncio
import html
import re
import sqlite3
from pathlib import Path

import pytest

from bot.telegram import messages
from bot.telegram.buttons import document_check
from embeddings import paged_quotes
from embeddings.search import Searcher
from tests.bot_harness import (
    ALICE,
    BOB,
    CUSTODY,
    button,
    buttons,
    only,
    run,
    running_bot,
)
from tests.fake_bot_api import bot_message, telegram_html_problems


def pooled(searcher: Searcher) -> int:
    """How many quotes the bot's 3 pages of the custody answer hold: 9 sentences, fewer quotes
    when consecutive ones are joined (page by page)."""
    sentences = searcher.search(CUSTODY, top_k=9, join=False).quotes
    assert len(sentences) == 9
    return len(paged_quotes(sentences, 3))


def test_more_and_back_page_through_the_answer_in_place(
    fake_searcher: Searcher, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with running_bot(fake_searcher, tmp_path) as bot:
            answer = only(await bot.say(ALICE, CUSTODY), "sendMessage")
            more = await bot.press(ALICE, answer, "More ▸")
            page2 = only(more, "editMessageText")
            assert only(more, "answerCallbackQuery")
            assert page2.params["message_id"] == answer.result["message_id"]
            assert page2.text.startswith(f"More from the sources (4–6 of {pooled(fake_searcher)})")
            assert "<b>4.</b>" in page2.text and "<b>1.</b>" not in page2.text
            assert buttons(page2)[:3] == ["Context 4", "Context 5", "Context 6"]
            assert "◂ Back" in buttons(page2)

            back = only(await bot.press(ALICE, page2, "◂ Back"), "editMessageText")
            assert back.text == answer.text

    run(scenario)


def test_context_shows_the_quote_among_its_neighbours_with_a_way_back(
    fake_searcher: Searcher, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with running_bot(fake_searcher, tmp_path) as bot:
            answer = only(await bot.say(ALICE, CUSTODY), "sendMessage")
            context = only(await bot.press(ALICE, answer, "Context 2"), "editMessageText")
            assert telegram_html_problems(context.text) == []
            assert "<b>“To date, 67 people are in custody.</b>" in context.text
            assert "Occupiers in the Crimea illegally keep in custody 67 people." in context.text
            assert buttons(context) == ["◂ Back"]
            back = only(await bot.press(ALICE, context, "◂ Back"), "editMessageText")
            assert back.text == answer.text

    run(scenario)


def test_context_of_a_joined_quote_shows_its_whole_run_in_bold(
    fake_searcher: Searcher, tmp_path: Path
) -> None:
    # The bot's first page is what `quotebot ask` shows (3 quotes); a quote of consecutive
    # sentences (embeddings/quote_joining) has a Context that shows all of them in bold, in
    # the article's own words, among their neighbours.
    question = "fined for an unauthorized rally"
    shown = fake_searcher.search(question, top_k=3).quotes
    number, joined = next((n, q) for n, q in enumerate(shown, 1) if q.sentences > 1)

    async def scenario() -> None:
        async with running_bot(fake_searcher, tmp_path) as bot:
            answer = only(await bot.say(ALICE, question), "sendMessage")
            seen = " ".join(html.unescape(re.sub(r"<[^>]+>", "", answer.text)).split())
            for quote in shown:
                assert " ".join(quote.text.split()[:6]) in seen
            context = only(await bot.press(ALICE, answer, f"Context {number}"), "editMessageText")
            assert telegram_html_problems(context.text) == []
            bold = context.text.split("<b>")[2].split("</b>")[0]
            assert html.unescape(bold) == joined.text  # verbatim, its paragraph break kept
            assert joined.context_before is not None and joined.context_after is not None
            before, after = context.text.split(bold)
            assert " ".join(joined.context_before.split()[-2:]) in before
            assert " ".join(joined.context_after.split()[:2]) in after

    run(scenario)


def test_feedback_is_stored_once_per_user_and_answer(
    fake_searcher: Searcher, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with running_bot(fake_searcher, tmp_path) as bot:
            answer = only(await bot.say(ALICE, CUSTODY), "sendMessage")
            thanks = only(await bot.press(ALICE, answer, "👍"), "answerCallbackQuery")
            assert thanks.params["text"] == messages.FEEDBACK_THANKS
            again = only(await bot.press(ALICE, answer, "👍"), "answerCallbackQuery")
            assert again.params["text"] == messages.FEEDBACK_SAME
            await bot.press(BOB, answer, "👎")
            stats = await asyncio.to_thread(bot.services.store.stats)
            assert (stats.thumbs_up, stats.thumbs_down) == (1, 1)
            await bot.press(ALICE, answer, "👎")  # a change of mind replaces the vote
            stats = await asyncio.to_thread(bot.services.store.stats)
            assert (stats.thumbs_up, stats.thumbs_down) == (0, 2)

    run(scenario)


@pytest.mark.parametrize(
    "data",
    [
        "p:AAAAAAAA:0:1",
        "p:../../x:0",
        "c:AAAAAAAA:0:99:0:abcd",  # no such document
        "c:AAAAAAAA:0:0:0:ffff",  # right number, wrong document
        "c:AAAAAAAA:0:0:999999:{check}",  # no such sentence
        "e:7",  # no such example
        "s:5",  # no such page of sources
        "v:short:u",
        "x" * 64,
        "",
    ],
)
def test_forged_callback_data_is_refused_politely(
    fake_searcher: Searcher, tmp_path: Path, data: str
) -> None:

    data = data.format(check=document_check(fake_searcher.documents[0].id))

    async def scenario() -> None:
        async with running_bot(fake_searcher, tmp_path) as bot:
            answer = only(await bot.say(ALICE, CUSTODY), "sendMessage")
            calls = await bot.calls_for(bot.updates.callback(ALICE, data, bot_message(answer)))
            assert [call.method for call in calls] == ["answerCallbackQuery"]
            assert calls[0].params["text"] == messages.STALE_BUTTON
            stats = await asyncio.to_thread(bot.services.store.stats)
            assert stats.errors == 0 and stats.thumbs_up == 0

    run(scenario)


def test_buttons_of_a_forgotten_answer_search_again_from_the_question(
    fake_searcher: Searcher, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with running_bot(fake_searcher, tmp_path) as bot:
            question = bot.updates.private(ALICE, CUSTODY)
            answer = only(await bot.calls_for(question), "sendMessage")
            bot.services.answers = type(bot.services.answers)()  # as after a restart
            page2 = only(
                await bot.press(ALICE, answer, "More ▸", reply_to=question["message"]),
                "editMessageText",
            )
            assert page2.text.startswith(f"More from the sources (4–6 of {pooled(fake_searcher)})")

            bot.services.answers = type(bot.services.answers)()
            lost = await bot.press(ALICE, answer, "More ▸")  # the question is gone too
            alert = only(lost, "answerCallbackQuery")
            assert alert.params["text"] == messages.EXPIRED_ANSWER
            assert alert.params["show_alert"] is True

    run(scenario)


def test_row3_made_up_tokens_are_refused_without_a_search_or_a_cache_entry(
    fake_searcher: Searcher, tmp_path: Path
) -> None:
    """Issue 9, row 3: forged "More" presses cost no search and push out no real answer."""

    async def scenario() -> None:
        async with running_bot(fake_searcher, tmp_path, rate_limit_per_minute=2) as bot:
            question = {
                "message_id": 77,
                "chat": {"id": ALICE, "type": "private"},
                "date": 0,
                "text": CUSTODY,
            }
            answer = only(await bot.say(ALICE, CUSTODY), "sendMessage")
            cached = len(bot.services.answers)
            for n in range(60):
                token = f"fake{n:04d}"
                calls = await bot.calls_for(
                    bot.updates.callback(
                        ALICE, f"p:{token}:1", bot_message(answer, reply_to=question)
                    )
                )
                assert [c.method for c in calls] == ["answerCallbackQuery"]
                assert calls[0].params["text"] == messages.STALE_BUTTON
            assert len(bot.services.answers) == cached

    run(scenario)


def test_more_and_context_count_toward_the_question_limit(
    fake_searcher: Searcher, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with running_bot(fake_searcher, tmp_path, rate_limit_per_minute=2) as bot:
            answer = only(await bot.say(ALICE, CUSTODY), "sendMessage")
            assert only(await bot.press(ALICE, answer, "More ▸"), "editMessageText")
            refused = await bot.press(ALICE, answer, "More ▸")
            assert [c.method for c in refused] == ["answerCallbackQuery"]
            assert "Too many questions" in refused[0].params["text"]
            bot.clock.now += 61
            assert only(await bot.press(ALICE, answer, "Context 2"), "editMessageText")

    run(scenario)


def test_row4_a_vote_counts_only_in_the_answers_chat_once_per_user_with_its_question(
    fake_searcher: Searcher, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with running_bot(fake_searcher, tmp_path) as bot:
            alices = only(await bot.say(ALICE, CUSTODY), "sendMessage")
            bobs = only(await bot.say(BOB, "Who is Ilmi Umerov?"), "sendMessage")
            # Bob presses a 👍 carrying Alice's answer token, in his own chat.
            up = button(alices, "👍")
            stolen = await bot.calls_for(bot.updates.callback(BOB, up, bot_message(bobs)))
            assert only(stolen, "answerCallbackQuery").params["text"] == messages.STALE_BUTTON
            for _ in range(5):
                await bot.press(ALICE, alices, "👍")
            await bot.press(ALICE, alices, "👎")
            stats = await asyncio.to_thread(bot.services.store.stats)
            assert (stats.thumbs_up, stats.thumbs_down) == (0, 1)
            store = sqlite3.connect(tmp_path / "store.sqlite3")
            rows = store.execute("SELECT user_id, question FROM feedback").fetchall()
            store.close()
            assert rows == [(ALICE, CUSTODY)]

    run(scenario)
