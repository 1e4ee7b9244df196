"""A line that is bold as a whole is markup, like a heading: never a quote (NU22-9, NU22-12).

An interview writes its questions as bold lines ("**Could the flood have been predicted?**"),
and a web layout its subheads and pull quotes; such a line carries the question's very words
and was quoted first, ``**`` and all. Bold words inside a sentence are the article's emphasis,
and that sentence stays a sentence.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from embeddings.index import build_index, window_texts
from embeddings.markdown import is_bold_line, is_markup_line, may_be_markup_line
from embeddings.search import Searcher
from embeddings.sentences import split_sentences
from embeddings.text_fragment import text_directive, url_to_quote
from embeddings.types import Document
from tests.fakes import HashingEncoder

INTERVIEW = (
    "Yulia Marchenko is a hydrologist who has studied the Sula basin for fifteen years. "
    "We asked her about the flood in Brodivka.\n\n"
    "**Could the flood have been predicted?**\n\n"
    "Partly. The rain was forecast three days ahead, and the river gauges showed the water "
    "rising. What nobody could predict was the exact moment the dam would fail.\n\n"
    "**How many dams like this are there?**\n\n"
    "On the Sula there are about 70 small earthen dams, most of them built in the 1960s.\n\n"
    "__What should towns do now?__  \n"
    '"Inspect every dam, and publish the results," Marchenko said.\n'
)
URL = "https://valleyherald.example/news/hydrologist-interview"


def _searcher(*texts: str) -> Searcher:
    documents = [
        Document(id=f"a{n}", title=f"Article {n}", text=text, url=URL)
        for n, text in enumerate(texts)
    ]
    return Searcher(build_index(documents, HashingEncoder()), HashingEncoder(), "hashing")


def _texts(searcher: Searcher, question: str, top_k: int = 3) -> list[str]:
    return [quote.text for quote in searcher.search(question, top_k).quotes]


def _markup(text: str, document: str) -> bool:
    return is_markup_line(text, document, document.index(text))


# --- what is a bold line ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "**Could the flood have been predicted?**",
        "__What should towns do now?__",
        "**The dam failed at 3 a.m.**",
        "**The dam failed. Nobody was warned.**",
        "***Bold and italic***",
        "**Who paid for the park**",
        "**Could the flood\nhave been predicted?**",
    ],
)
def test_a_line_bold_as_a_whole_is_a_bold_line(line: str) -> None:
    assert is_bold_line(line)
    assert may_be_markup_line(line)


@pytest.mark.parametrize(
    "text",
    [
        "The **mayor** said the dam would be rebuilt.",
        "**Mayor:** We will rebuild the dam.",
        "**Q1?** and **Q2?**",
        "**Q1?**, **Q2?**",
        "** not bold **",
        "**unclosed",
        "* a list item *",
        "Partly.",
    ],
)
def test_bold_words_in_a_line_do_not_make_it_a_bold_line(text: str) -> None:
    assert not is_bold_line(text)


def test_a_bold_line_is_markup_only_alone_on_its_line() -> None:
    document = INTERVIEW
    assert _markup("**Could the flood have been predicted?**", document)
    assert _markup("__What should towns do now?__", document)  # trailing spaces on its line
    own_line = "Intro.\n**The dam failed at 3 a.m.**\nIt was dark."
    assert _markup("**The dam failed at 3 a.m.**", own_line)
    crlf = "Intro.\r\n\r\n**The dam failed.**\r\n\r\nIt was dark."
    assert _markup("**The dam failed.**", crlf)
    # A bold sentence that shares its line with other sentences is the article's emphasis.
    shared = "He waited. **The dam failed at 3 a.m.** Nobody was warned."
    assert not _markup("**The dam failed at 3 a.m.**", shared)
    first = "**The dam failed at 3 a.m.** Nobody was warned."
    assert not is_markup_line("**The dam failed at 3 a.m.**", first, 0)
    inline = "The **mayor** said the dam would be rebuilt."
    assert not is_markup_line(inline, inline, 0)


# --- splitting --------------------------------------------------------------------------------


def _sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


def test_a_bold_line_is_one_sentence_of_its_own() -> None:
    text = (
        "The council met on Monday, and said,\n**The dam failed. Nobody was warned.**\n"
        "The mayor spoke first. The **mayor** said it would be rebuilt.\n"
        "**Could the flood\nhave been predicted?**\nPartly."
    )
    assert _sentences(text) == [
        "The council met on Monday, and said,",
        "**The dam failed. Nobody was warned.**",
        "The mayor spoke first.",
        "The **mayor** said it would be rebuilt.",
        "**Could the flood\nhave been predicted?**",
        "Partly.",
    ]


# --- search -----------------------------------------------------------------------------------


def test_the_bold_question_of_an_interview_is_not_the_answer() -> None:
    texts = _texts(_searcher(INTERVIEW), "Could the flood have been predicted?")
    assert texts
    assert not any("**" in text or "__" in text for text in texts), texts
    assert any("rain was forecast" in text or "Partly." in text for text in texts), texts


@pytest.mark.parametrize(
    "question",
    [
        "How many dams like this are there?",
        "What should towns do now?",
        "Could the flood have been predicted?",
        "dams flood towns",
    ],
)
def test_no_bold_line_is_ever_among_the_quotes(question: str) -> None:
    texts = _texts(_searcher(INTERVIEW), question, 20)
    assert texts
    assert [text for text in texts if text.startswith(("**", "__"))] == []


def test_the_words_of_a_bold_line_still_count_for_the_sentence_under_it() -> None:
    searcher = _searcher(INTERVIEW)
    index = searcher.index
    sentences = list(index.sentences)
    windows = window_texts(sentences, index.documents)
    under = next(n for n, s in enumerate(sentences) if s.text.startswith("On the Sula there"))
    assert sentences[under - 1].text == "**How many dams like this are there?**"
    assert "How many dams like this" in windows[under]
    texts = _texts(searcher, "How many dams like this are there?")
    assert texts[0].startswith("On the Sula there are about 70"), texts


STRIKE_INTERVIEW = (
    "Around 900 dockworkers at the port of Harwick walked out on Monday after talks on pay "
    "broke down.\n\n"
    "**Why did the talks break down?**\n\n"
    "Northsea wanted to cut night-shift pay by a fifth. We could not sign that.\n\n"
    "## The pickets\n\n"
    "Pickets stood at the gates all night.\n"
)


def test_a_question_line_is_answered_by_the_sentence_under_it() -> None:
    """Asked in the words of an interview's bold question, the answer under it comes first,
    though it shares no word with the question (NU22B-1: it was third, and declined)."""
    answer = _searcher(STRIKE_INTERVIEW).search("Why did the talks break down?", 3)
    texts = [quote.text for quote in answer.quotes]
    assert texts[0].startswith("Northsea wanted to cut night-shift pay"), texts
    assert not any(text.startswith("**") for text in texts), texts


def test_a_heading_that_asks_nothing_lends_only_its_words() -> None:
    """ "## The pickets" is no question: the sentence under it is ranked on its own evidence,
    never in the heading's place, and the heading is not quoted."""
    texts = _texts(_searcher(STRIKE_INTERVIEW), "the pickets", 5)
    assert "## The pickets" not in texts
    assert texts.count("Pickets stood at the gates all night.") == 1, texts


def test_the_sentence_under_a_question_line_is_quoted_once() -> None:
    texts = _texts(_searcher(STRIKE_INTERVIEW), "Why did the talks break down? Northsea pay", 5)
    assert len(texts) == len(set(texts)), texts


def test_an_article_of_one_bold_line_gets_no_quote_from_it() -> None:
    searcher = _searcher("**The dam failed at 3 a.m.**\n", INTERVIEW)
    texts = _texts(searcher, "When did the dam fail?", 20)
    assert "**The dam failed at 3 a.m.**" not in texts
    only = _searcher("**The dam failed at 3 a.m.**\n")
    assert only.search("When did the dam fail?", 5).quotes == ()


def test_a_sentence_with_bold_words_is_quoted_and_its_link_has_no_marks() -> None:
    article = (
        "The council met on Monday.\n\n"
        "The **mayor** said the dam would be rebuilt by __September__.\n"
    )
    answer = _searcher(article).search("When will the dam be rebuilt?", 3)
    texts = [quote.text for quote in answer.quotes]
    assert "The **mayor** said the dam would be rebuilt by __September__." in texts, texts
    assert text_directive("The **mayor** said so.") == "text=The%20mayor%20said%20so."
    link = url_to_quote(URL, "The **mayor** said the dam would be rebuilt by __September__.")
    assert "%2A" not in link and "__" not in link, link
    assert text_directive("snake__case__name stays") == "text=snake__case__name%20stays"
    assert text_directive("5 ** 2 is 25") == "text=5%20%2A%2A%202%20is%2025"


# --- through the command line, with the real model ---------------------------------------------

FRONT_MATTER = (
    "---\ntitle: \"Hydrologist: 'Small dams on the Sula are a time bomb'\"\n"
    f"source: Valley Herald\ndate: 2024-03-20\nurl: {URL}\nlanguage: en\n---\n"
)
FLOOD = (
    '---\ntitle: "Sula River floods Brodivka, 340 residents evacuated"\nsource: Valley Herald\n'
    "date: 2024-03-14\n---\n"
    "The Sula River burst its banks in Brodivka early on Wednesday, flooding more than 120 "
    "homes and forcing the evacuation of 340 residents, officials said.\n\n"
    "A 60-year-old earthen dam north of the town partially collapsed at about 4 a.m.\n"
)


@pytest.mark.integration
def test_ask_on_an_interview_corpus_quotes_the_answer_not_the_bold_question(
    tmp_path: Path, isolated_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "hydrologist-interview.md").write_text(FRONT_MATTER + INTERVIEW, encoding="utf-8")
    (corpus / "brodivka-flood.md").write_text(FLOOD, encoding="utf-8")
    question = "Could the flood have been predicted?"
    status = main(["ask", "--json", question, "--corpus", str(corpus)])
    out, err = capsys.readouterr()
    assert status == 0, err
    quotes = json.loads(out)["quotes"]
    assert quotes
    for quote in quotes:
        assert "**" not in quote["text"] and "__" not in quote["text"], quote["text"]
        assert "%2A" not in (quote["url_to_quote"] or ""), quote
    assert any("rain was forecast" in quote["text"] for quote in quotes), quotes
    status = main(["ask", "What should towns do now?", "--corpus", str(corpus)])
    out, err = capsys.readouterr()
    assert status == 0, err
    assert "**" not in out and "__What" not in out, out


@pytest.mark.integration
def test_ask_in_the_words_of_a_bold_question_is_answered_by_the_text_under_it(
    tmp_path: Path, isolated_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """NU22B-1: "Why did the talks break down?" was declined (0.07) on an interview that asks
    it in bold and answers it in the next line, with the answer third."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "strike-interview.md").write_text(FRONT_MATTER + STRIKE_INTERVIEW, encoding="utf-8")
    (corpus / "brodivka-flood.md").write_text(FLOOD, encoding="utf-8")
    status = main(["ask", "--json", "Why did the talks break down?", "--corpus", str(corpus)])
    out, err = capsys.readouterr()
    assert status == 0, err
    answer = json.loads(out)
    assert answer["outcome"] == "answered", answer
    assert answer["quotes"][0]["text"].startswith("Northsea wanted to cut night-shift pay"), answer
