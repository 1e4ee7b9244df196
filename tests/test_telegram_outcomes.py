"""Each outcome worded honestly in Telegram, and the threshold settings obeyed by the bot."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.render import FRAME, RELATED
from bot.settings import load_settings
from bot.telegram import render
from bot.telegram.app import open_configured_searcher
from bot.telegram.pages import page_of
from embeddings import Answer, Document, Quote, Searcher
from tests.bot_harness import ALICE, CUSTODY, buttons, only, run, running_bot
from tests.conftest import CORPUS
from tests.fake_bot_api import telegram_html_problems
from tests.fakes import HashingEncoder

ARTICLE = Document(
    id="a",
    title="Dzhemilev: 67 people held in custody",
    text="...",
    source="QHA",
    date="2018-03-20",
    url="https://example.org/custody",
    author="Anna <Editor>",
)


def _page(answer: Answer) -> str:
    return render.render_answer(answer, page_of(answer, 0, 3), [ARTICLE])


def test_the_speaker_author_and_a_link_to_the_quote_are_in_the_citation() -> None:
    said = Quote("We will not give up.", 0.9, ARTICLE, 3, speaker="Mustafa Dzhemilev")
    text = _page(Answer("q", (said,)))
    assert telegram_html_problems(text) == []
    assert "<b>1.</b> Mustafa Dzhemilev, in “<a " in text
    assert 'href="https://example.org/custody#:~:text=We%20will%20not%20give%20up."' in text
    assert "— QHA, Anna &lt;Editor&gt;, 2018-03-20" in text
    card = render.render_inline_message(said, "q")
    assert card.count("#:~:text=") == 1 and "— Mustafa Dzhemilev, in “" in card


def test_the_articles_account_of_what_someone_said_is_marked_as_reported_speech() -> None:
    told = Quote(
        "Mustafa Dzhemilev noted that many people are fined.",
        0.9,
        ARTICLE,
        4,
        speaker="Mustafa Dzhemilev",
        reported_speech=True,
    )
    text = _page(Answer("q", (told,)))
    assert telegram_html_problems(text) == []
    assert "<b>1.</b> Mustafa Dzhemilev (reported speech), in “<a " in text


def test_a_quote_that_a_later_sentence_closes_reads_as_balanced() -> None:
    open_quote = Quote("“To date, 67 people are in custody.", 0.9, ARTICLE, 1)
    text = _page(Answer("custody", (open_quote,)))
    assert "<blockquote>“To date, 67 people are in <b>custody</b>.”</blockquote>" in text


def test_related_passages_are_labelled_as_not_an_answer() -> None:
    quotes = tuple(Quote(f"Sentence {n}.", 0.2, ARTICLE, n) for n in range(5))
    answer = Answer("q", quotes, outcome="related", relevance=0.2)
    first = _page(answer)
    assert first.startswith("The sources speak of this subject but do not answer the question.")
    assert FRAME not in first and "<blockquote>" in first
    later = render.render_answer(answer, page_of(answer, 1, 3))
    assert later.startswith("More passages near the subject, not an answer (4–5 of 5):")


def test_ukrainian_and_russian_answers_are_framed_in_their_language() -> None:
    """A multilingual model answers uk/ru questions: every frame in the question's language,
    the quotes verbatim (issue 8, F11)."""
    quotes = tuple(Quote(f"Sentence {n}.", 0.5, ARTICLE, n) for n in range(5))
    answered = Answer("Хто?", quotes, language="uk")
    first = _page(answered)
    assert first.startswith("Ось що кажуть джерела:") and "Sentence 0." in first
    assert render.render_answer(answered, page_of(answered, 1, 3)).startswith(
        "Ще з джерел (4–5 з 5):"
    )
    related = Answer("Кто?", quotes, outcome="related", language="ru")
    assert _page(related).startswith("Источники говорят об этой теме, но не отвечают")
    assert render.inline_no_answer(related) == "Источники касаются этого, но не отвечают"
    declined = _page(Answer("Хто?", outcome="declined", language="uk"))
    assert declined.startswith("Джерела не відповідають на це запитання. /sources")
    assert telegram_html_problems(first) == telegram_html_problems(declined) == []


def test_declined_and_unsupported_language_show_no_quotes() -> None:
    quote = Quote("Unrelated.", 0.01, ARTICLE, 0)
    declined = _page(Answer("q", (quote,), outcome="declined"))
    assert declined == render.render_abstention() and "<blockquote>" not in declined
    ukrainian = _page(Answer("Хто?", outcome="unsupported-language", language="uk"))
    assert ukrainian.startswith("Статті написані англійською")
    russian = _page(Answer("Кто?", outcome="unsupported-language", language="ru"))
    assert russian.startswith("Статьи написаны на английском")


def test_the_bot_answers_a_ukrainian_question_in_ukrainian(
    fake_searcher: Searcher, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with running_bot(fake_searcher, tmp_path) as bot:
            reply = only(
                await bot.say(ALICE, "Скільки людей утримують під вартою?"), "sendMessage"
            )
            assert reply.text.startswith("Статті написані англійською")
            assert "<blockquote>" not in reply.text
            assert buttons(reply) == ["👍", "👎"]
            inline = only(
                await bot.calls_for(bot.updates.inline(ALICE, "Хто захищає Умерова?")),
                "answerInlineQuery",
            )
            assert inline.params["results"] == []
            # In the question's language too (issue 8, F10), within a button's 64 characters.
            assert inline.params["button"]["text"] == "Я можу шукати в статтях лише англійською"
            inline = only(
                await bot.calls_for(bot.updates.inline(ALICE, "Кто защищает Умерова?")),
                "answerInlineQuery",
            )
            assert (
                inline.params["button"]["text"] == "Я могу искать в статьях только на английском"
            )
            inline = only(
                await bot.calls_for(bot.updates.inline(ALICE, "Wer ist Ilmi Umerov?")),
                "answerInlineQuery",
            )
            assert inline.params["button"]["text"] == "I can search the articles in English only"

    run(scenario)


def test_the_bot_shows_related_passages_as_such(fake_searcher: Searcher, tmp_path: Path) -> None:
    related = Searcher(
        fake_searcher.index, HashingEncoder(), "hashing", abstain_below=1.0, related_below=0.0
    )

    async def scenario() -> None:
        async with running_bot(related, tmp_path) as bot:
            reply = only(await bot.say(ALICE, CUSTODY), "sendMessage")
            assert reply.text.startswith(RELATED)
            assert "<blockquote>" in reply.text
            # No quote cards inline: posted alone, a card would read as an answer.
            inline = only(
                await bot.calls_for(bot.updates.inline(ALICE, CUSTODY)), "answerInlineQuery"
            )
            assert inline.params["results"] == []
            assert "do not answer" in inline.params["button"]["text"]

    run(scenario)


@pytest.mark.integration
def test_the_bot_obeys_both_threshold_settings(real_index_copy: Path, tmp_path: Path) -> None:
    """The searcher ``quotebot run`` and /reload open follows QUOTEBOT_ABSTAIN_BELOW and
    QUOTEBOT_RELATED_BELOW: answered, then related, then declined, for the same question."""
    base = {"QUOTEBOT_INDEX": str(real_index_copy), "QUOTEBOT_DATA_DIR": str(tmp_path)}
    base["QUOTEBOT_CORPUS"] = str(CORPUS)
    replies = []
    for extra in (
        {},
        {"QUOTEBOT_ABSTAIN_BELOW": "1"},
        {"QUOTEBOT_ABSTAIN_BELOW": "1", "QUOTEBOT_RELATED_BELOW": "1"},
    ):
        searcher = open_configured_searcher(load_settings({**base, **extra}))

        async def scenario(searcher: Searcher = searcher) -> None:
            async with running_bot(searcher, tmp_path) as bot:
                reply = only(await bot.say(ALICE, CUSTODY), "sendMessage")
                replies.append(reply.text)

        run(scenario)
    answered, related, declined = replies
    assert answered.startswith(FRAME)
    assert related.startswith(RELATED) and "<blockquote>" in related
    assert declined == render.render_abstention()


@pytest.mark.integration
def test_the_bot_obeys_quotebot_multilingual(real_index_copy: Path, tmp_path: Path) -> None:
    base = {"QUOTEBOT_INDEX": str(real_index_copy), "QUOTEBOT_DATA_DIR": str(tmp_path)}
    base["QUOTEBOT_CORPUS"] = str(CORPUS)
    question = "Скільки людей утримують під вартою в Криму?"
    replies = []
    for flag in ("0", "1"):
        searcher = open_configured_searcher(load_settings({**base, "QUOTEBOT_MULTILINGUAL": flag}))

        async def scenario(searcher: Searcher = searcher) -> None:
            async with running_bot(searcher, tmp_path) as bot:
                replies.append(only(await bot.say(ALICE, question), "sendMessage").text)

        run(scenario)
    english_only, multilingual = replies
    assert english_only.startswith("Статті написані англійською")
    assert not multilingual.startswith("Статті")  # searched: quotes or an honest "no"
