"""Answers as Telegram HTML: escaped, bold where the question matches, cited, never too long."""

from __future__ import annotations

import html
import re
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cli.render import FRAME
from bot.telegram.pages import page_count, page_of, sources_page, sources_page_count
from bot.telegram.render import (
    MAX_MESSAGE_LENGTH,
    citation_html,
    citation_plain,
    highlight,
    question_terms,
    render_abstention,
    render_answer,
    render_help,
    render_inline_message,
    render_passage,
    render_rate_limited,
    render_sources_page,
    render_start,
    render_stats,
    shorten_words,
    telegram_length,
)
from bot.telegram.store import Stats
from embeddings import tokenize
from embeddings.search import Passage
from embeddings.types import Answer, Document, Quote, Sentence
from tests.fake_bot_api import telegram_html_problems

ARTICLE = Document(
    id="custody",
    title="Dzhemilev: 67 people held in custody",
    text="Occupiers keep in custody 67 people. They were arrested. Most are Crimean Tatars.",
    source="QHA",
    date="2018-03-20T14:05:00+02:00",
    url="https://example.org/news?id=1&lang=en",
)


def render_page(answer: Answer, index: int = 0, size: int = 3) -> str:
    """Page ``index`` of ``answer`` as the bot renders it."""
    return render_answer(answer, page_of(answer, index, size))


def quote(
    text: str, document: Document = ARTICLE, position: int = 0, also_in: tuple[Document, ...] = ()
) -> Quote:
    return Quote(text=text, score=0.5, document=document, position=position, also_in=also_in)


def visible(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def test_matched_question_words_are_bold_in_runs_and_stop_words_are_not() -> None:
    terms = question_terms("How many people are held in custody?")
    assert highlight("Occupiers keep in custody 67 people.", terms) == (
        "Occupiers keep in <b>custody</b> 67 <b>people</b>."
    )
    assert highlight("people held", terms) == "<b>people held</b>"  # one run, not two
    assert "<b>in</b>" not in highlight("in custody", terms)


def test_a_cyrillic_name_is_bold_where_the_article_spells_it_in_latin_letters() -> None:
    # "Who is Умеров?" was searched as "Who is Umerov?": the bold words are the words matched.
    found = quote("Ilmi Umerov was moved to a clinic.")
    answer = Answer("Who is Умеров?", (found,), relevance=0.9, searched_as="Who is Umerov?")
    page = render_page(answer)
    assert "Ilmi <b>Umerov</b> was moved" in page
    assert "Умеров" not in page  # the question is not repeated; only the quote is shown
    typed = render_page(Answer("Who is Умеров?", (found,), relevance=0.9))
    assert "<b>" not in typed.split("<blockquote>")[1].split("</blockquote>")[0]


def test_matching_ignores_case_plurals_and_possessives() -> None:
    terms = question_terms("What did the prisoner say about Umerov?")
    assert highlight("Prisoners and Umerov's lawyer", terms) == (
        "<b>Prisoners</b> and <b>Umerov's</b> lawyer"
    )


def test_the_bold_words_are_the_words_the_engine_matched() -> None:
    """The engine's tokenizer decides: its Snowball stems and its stop words."""
    question = "Who was detained, and what do they own?"
    assert question_terms(question) == frozenset(tokenize(question))
    # "detained"/"detention" share no stem, "detained"/"detain" do; "own" is a stop word.
    assert highlight("They detain, were detained; own detention.", question_terms(question)) == (
        "They <b>detain</b>, were <b>detained</b>; own detention."
    )


def test_words_are_matched_in_the_articles_language() -> None:
    terms = question_terms("Сколько людей задержано?", "ru")
    assert highlight("Задержаны десятки людей.", terms, "ru") == (
        "<b>Задержаны</b> десятки <b>людей</b>."
    )


def test_corpus_text_is_escaped_even_where_it_is_bold() -> None:
    terms = question_terms("fish & chips")
    assert highlight("<script>fish & chips</script>", terms) == (
        "&lt;script&gt;<b>fish</b> &amp; <b>chips</b>&lt;/script&gt;"
    )


def test_citation_links_the_title_escapes_everything_and_shows_the_day() -> None:
    assert citation_html(ARTICLE) == (
        '<a href="https://example.org/news?id=1&amp;lang=en">'
        "Dzhemilev: 67 people held in custody</a> — QHA, 2018-03-20"
    )
    unsafe = Document("x", "A <b> title", "Text.", source="S & Co", url="javascript:alert(1)")
    assert citation_html(unsafe) == "A &lt;b&gt; title — S &amp; Co"
    assert citation_plain(unsafe) == "A <b> title — S & Co"
    assert citation_html(Document("y", "Bare", "Text.")) == "Bare"


def test_an_answer_is_a_frame_then_numbered_quotes_each_with_its_citation() -> None:
    answer = Answer(
        "How many people are held in custody?",
        (quote("Occupiers keep in custody 67 people."), quote("They were arrested.", position=1)),
    )
    text = render_page(answer)
    assert telegram_html_problems(text) == []
    assert text.splitlines()[0] == FRAME
    first = "<blockquote>Occupiers keep in <b>custody</b> 67 <b>people</b>.</blockquote>"
    assert first + "\n<b>1.</b> “<a " in text  # the title in quotation marks
    assert "<blockquote>They were arrested.</blockquote>\n<b>2.</b> " in text


def test_quotes_shared_by_several_articles_cite_them_all() -> None:
    other = Document("o", "Other report", "Same.", source="Agency")
    text = render_page(Answer("q", (quote("Same.", also_in=(other,)),)))
    assert "also in: Other report — Agency" in text


def test_later_pages_say_which_quotes_they_show() -> None:
    quotes = tuple(quote(f"Sentence number {n}.", position=n) for n in range(7))
    answer = Answer("sentence", quotes)
    assert page_count(answer, 3) == 3
    second = render_page(answer, 1, 3)
    assert second.startswith("More from the sources (4–6 of 7):")
    assert "<b>4.</b>" in second and "<b>7.</b>" not in second
    assert render_page(answer, 2, 3).count("<blockquote>") == 1


def test_an_abstention_shows_no_quotes_and_points_to_sources() -> None:
    quotes = (quote("Occupiers keep in custody 67 people."),)
    answer = Answer("capital of Peru?", quotes, "declined")
    text = render_page(answer)
    assert text == render_abstention()
    assert "/sources" in text and "<blockquote>" not in text
    assert render_page(Answer("anything", ())) == render_abstention()


def test_a_quote_fits_verbatim_when_it_can() -> None:
    sentence = 'He said: "x < y & z" — 100% — 👍 ' + "word " * 50
    text = render_page(Answer("x", (quote(sentence.strip()),)))
    body = re.search(r"<blockquote>(.*)</blockquote>", text, re.S)
    assert body is not None and visible(body.group(1)) == sentence.strip()


def test_an_overlong_quote_is_cut_at_a_word_boundary_with_an_ellipsis() -> None:
    sentence = "Alpha beta gamma delta. " * 600  # about 14,000 characters
    text = render_page(Answer("gamma", (quote(sentence),)))
    assert telegram_length(text) <= MAX_MESSAGE_LENGTH
    assert telegram_html_problems(text) == []
    body = re.search(r"<blockquote>(.*)</blockquote>", text, re.S)
    assert body is not None
    shown = visible(body.group(1))
    assert shown.endswith("…")
    assert sentence.startswith(shown[:-1])
    assert shown[:-1].split()[-1] in {"Alpha", "beta", "gamma", "delta."}  # whole words only


def test_shorten_words_keeps_short_text_and_cuts_long_text_between_words() -> None:
    assert shorten_words("short", 10) == "short"
    assert shorten_words("one two three four", 12) == "one two…"


_text = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
    min_size=1,
    max_size=3000,
)
_documents = st.builds(
    Document,
    id=st.text(min_size=1, max_size=20),
    title=_text,
    text=st.just("x"),
    source=st.none() | _text,
    date=st.none() | st.just("2020-01-01T10:00:00Z"),
    url=st.none() | _text.map(lambda path: "https://example.org/" + path),
)
_quotes = st.builds(
    Quote,
    text=_text,
    score=st.just(0.5),
    document=_documents,
    position=st.integers(0, 10**6),
    also_in=st.lists(_documents, max_size=5).map(tuple),
)


@settings(max_examples=60, deadline=None)
@given(
    question=_text,
    quotes=st.lists(_quotes, min_size=1, max_size=12),
    page_size=st.integers(1, 50),
)
def test_every_page_of_any_answer_is_valid_telegram_html_within_the_limit(
    question: str, quotes: list[Quote], page_size: int
) -> None:
    answer = Answer(question, tuple(quotes))
    for page in range(page_count(answer, page_size)):
        text = render_page(answer, page, page_size)
        assert telegram_length(text) <= MAX_MESSAGE_LENGTH
        assert telegram_html_problems(text) == []
    for one in quotes:
        inline = render_inline_message(one, question)
        assert telegram_length(inline) <= MAX_MESSAGE_LENGTH
        assert telegram_html_problems(inline) == []


@settings(max_examples=40, deadline=None)
@given(documents=st.lists(_documents, min_size=1, max_size=25))
def test_source_pages_are_valid_within_the_limit_and_list_each_article_once(
    documents: list[Document],
) -> None:
    pages = [
        render_sources_page(sources_page(documents, n))
        for n in range(sources_page_count(len(documents)))
    ]
    for page in pages:
        assert telegram_length(page) <= MAX_MESSAGE_LENGTH
        assert telegram_html_problems(page) == []
    entries = [line for page in pages for line in page.splitlines() if line.startswith("• ")]
    assert len(entries) == len(documents)


def test_a_page_of_sources_says_how_many_articles_and_which_page() -> None:
    documents = [
        Document(f"d{n}", f"Article {n}", "x", date=f"2024-03-{n + 1:02}") for n in range(3)
    ]
    documents += [Document(f"u{n}", f"Undated {n}", "x") for n in range(39)]
    first = render_sources_page(sources_page(documents, 0))
    assert first.splitlines()[:3] == [
        "<b>The sources</b>: 42 articles, page 1 of 5, newest first:",
        "• Article 2 — 2024-03-03",
        "• Article 1 — 2024-03-02",
    ]
    assert render_sources_page(sources_page(documents[:1], 0)).startswith(
        "<b>The sources</b>: 1 article, newest first:\n• Article 0"
    )
    assert render_sources_page(sources_page([], 0)) == "The index holds no articles."


def test_entries_longer_than_their_share_lose_the_link_first() -> None:
    long_url = "https://example.org/" + "a" * 470
    documents = [
        Document(f"d{n}", "A title " * 37, "x", source="S" * 100, url=long_url) for n in range(10)
    ]
    page = render_sources_page(sources_page(documents, 0))
    assert telegram_length(page) <= MAX_MESSAGE_LENGTH
    assert telegram_html_problems(page) == []
    assert page.count("• ") == 10 and "<a href" not in page and "S" * 100 in page


def passage_of(sentences: list[str], focus: int, span: int = 1) -> Passage:
    text = " ".join(sentences)
    document = Document("p", "Passage article", text, url="https://example.org/p")
    parts, start = [], 0
    for position, sentence in enumerate(sentences):
        parts.append(Sentence(0, position, start, start + len(sentence), sentence))
        start += len(sentence) + 1
    return Passage(document, tuple(parts), focus, span)


def test_context_shows_neighbours_verbatim_with_the_quote_in_bold() -> None:
    text = render_passage(passage_of(["First one.", "The <quote> & more.", "Last one."], 1))
    assert telegram_html_problems(text) == []
    assert "First one. <b>The &lt;quote&gt; &amp; more.</b> Last one." in text
    assert '— “<a href="https://example.org/p">Passage article</a>”' in text


def test_context_names_the_speaker_as_the_answer_does() -> None:
    # NU21-6: the Context view cited a bare title ("Mustafa Dzhemilev: 67 people held ...")
    # and no speaker, so the title read as the speaker of the narrator's sentence.
    plain = passage_of(["First one.", "The second.", "Last one."], 1)
    said = render_passage(replace(plain, speaker="Refat Chubarov"))
    assert '— Refat Chubarov, in “<a href="https://example.org/p">Passage' in said
    told = render_passage(replace(plain, speaker="Refat Chubarov", reported_speech=True))
    assert "— Refat Chubarov (reported speech), in “<a " in told


def test_the_context_of_a_joined_quote_has_all_of_its_sentences_in_bold() -> None:
    sentences = ["First one.", "Second one.", "Third one.", "Last one."]
    text = render_passage(passage_of(sentences, 1, span=2))
    assert "First one. <b>Second one. Third one.</b> Last one." in text


def test_context_cut_out_of_a_quotation_reads_as_balanced() -> None:
    # NU21-13: the passage began inside Chubarov's quotation and showed only its closing mark.
    sentences = [
        "This banner will hang here for a week.",
        'Anyone who yields Crimea is a traitor," said the Head.',
        'He added: "We will win.',
    ]
    text = render_passage(passage_of(sentences, 1))
    assert '<blockquote>"This banner will hang here for a week. <b>Anyone' in text
    assert 'We will win."</blockquote>' in text


def test_context_drops_the_farthest_neighbours_first_when_too_long() -> None:
    long = "Filler words here. " * 130  # two of these do not fit in one message
    sentences = [long + "A.", long + "B.", "The focus.", "Short after.", long + "E."]
    text = render_passage(passage_of(sentences, 2))
    assert telegram_length(text) <= MAX_MESSAGE_LENGTH
    assert "<b>The focus.</b>" in text
    assert "Short after." in text and "B." in visible(text)
    assert "A." not in visible(text) and "E." not in visible(text)


def test_a_huge_focus_sentence_is_shortened_alone() -> None:
    text = render_passage(passage_of(["Before.", "word " * 2000, "After."], 1))
    assert telegram_length(text) <= MAX_MESSAGE_LENGTH
    assert telegram_html_problems(text) == []
    assert "…</b>" in text


def test_start_says_what_the_bot_knows_and_help_how_to_ask() -> None:
    start = render_start([ARTICLE, ARTICLE], has_examples=True)
    assert "2 news articles from QHA" in start and "tap an example" in start
    assert "tap an example" not in render_start([ARTICLE], has_examples=False)
    help_text = render_help("quote_bot", "Who is <Umerov>?")
    assert telegram_html_problems(help_text) == []
    assert "@quote_bot your question" in help_text
    assert "<i>Who is &lt;Umerov&gt;?</i>" in help_text
    assert "What did (name) say about (topic)?" in help_text


def test_stats_and_rate_limit_messages() -> None:
    stats = render_stats(Stats(5, 2, 7, 1, 3, 1), 3 * 86400 + 3700, 2, 60, "<model>")
    assert telegram_html_problems(stats) == []
    assert "Questions answered: 5" in stats and "Nothing found: 2" in stats
    assert "👍 3 · 👎 1" in stats and "Uptime: 3d 1h 1m" in stats
    assert "&lt;model&gt;" in stats
    assert "wait 13 seconds" in render_rate_limited(12.2)
    assert "wait 1 second " in render_rate_limited(0.2)


def test_a_quote_over_two_paragraphs_keeps_them_and_reads_soft_breaks_as_spaces() -> None:
    found = quote("Occupiers keep in custody\r\n67 people.\r\n\r\nThey were arrested.")
    page = render_page(Answer("How many are in custody?", (found,), relevance=0.9))
    body = page.split("<blockquote>")[1].split("</blockquote>")[0]
    assert visible(body) == "Occupiers keep in custody 67 people.\nThey were arrested."
    assert "\r" not in page
