"""A Markdown heading is never quoted as an answer: it names a subject, it does not answer."""

from __future__ import annotations

from embeddings.index import build_index
from embeddings.markdown import is_markup_line
from embeddings.search import Searcher
from embeddings.types import Document
from tests.fakes import HashingEncoder

PARK = (
    "The new park opened on Saturday.\n\n"
    "## Who paid for the park\n\n"
    "The city council paid 2 million euros for it, and a local bank gave the benches.\n\n"
    "### When does the park close\n\n"
    "It closes at 10 pm.\n"
)


def _searcher(*texts: str) -> Searcher:
    documents = [
        Document(id=f"a{n}", title=f"Article {n}", text=text) for n, text in enumerate(texts)
    ]
    return Searcher(build_index(documents, HashingEncoder()), HashingEncoder(), "hashing")


def test_a_heading_in_the_words_of_the_question_is_not_the_answer() -> None:
    answer = _searcher(PARK).search("Who paid for the park?", 3)
    texts = [quote.text for quote in answer.quotes]
    assert texts, answer
    assert not any(text.startswith("#") for text in texts), texts
    assert any("city council paid" in text for text in texts), texts


def test_no_heading_is_ever_among_the_quotes() -> None:
    answer = _searcher(PARK).search("When does the park close?", 10)
    assert [q.text for q in answer.quotes if q.text.startswith("#")] == []


def test_an_article_of_headings_only_gets_no_quotes_rather_than_a_heading() -> None:
    answer = _searcher("# Budget\n\n## Parks\n", PARK).search("Budget parks", 50)
    assert not any(quote.text.startswith("#") for quote in answer.quotes)


def test_a_hash_inside_a_line_is_no_heading() -> None:
    text = "The banner read # Stop Killing Ilmi Umerov. # Free him now."
    start = text.index("# Free")
    assert not is_markup_line("# Free him now.", text, start)
    assert is_markup_line("## Who paid", "Intro.\n## Who paid", len("Intro.\n"))
    assert not is_markup_line("#StopKilling is trending.", "#StopKilling is trending.", 0)


def test_a_line_of_hashtags_is_never_a_quote() -> None:
    # NU18B-9: "#harbour #tender #corruption" was quoted as the answer at 0.94.
    article = (
        "The harbour tender was won by Portline.\n\n#harbour #tender #corruption\n\n"
        "The council will review the harbour tender in May.\n"
    )
    answer = _searcher(article).search("harbour tender corruption", 5)
    assert answer.quotes
    assert not any(quote.text.lstrip().startswith("#") for quote in answer.quotes)
    assert is_markup_line("#harbour #tender #corruption", article, 42)
    assert is_markup_line("#harbour, #tender.", "#harbour, #tender.", 0)
    assert not is_markup_line("#StopKilling trended for a week.", "x", 0)
