"""Article text and metadata from saved pages, with real trafilatura: nothing invented."""

from __future__ import annotations

from pathlib import Path

import pytest

from embeddings.ingest.errors import ExtractError
from embeddings.ingest.extract import extract_article, without_headline

PAGES = Path(__file__).resolve().parent / "data" / "pages"
BASE = "https://news.example"


def _page(name: str) -> bytes:
    return (PAGES / name).read_bytes().replace(b"{base}", BASE.encode())


def test_opengraph_page_gives_metadata_and_only_the_article_text() -> None:
    article = extract_article(_page("ferry-opengraph.html"), where="ferry")
    assert article.title == "Bellmouth ferry returns after two-year pause"
    assert article.source == "The Bellmouth Courier"
    assert article.author == "Olena Marsh"
    assert article.date == "2024-03-14"
    assert article.url == f"{BASE}/news/2024/03/ferry-returns"
    assert article.language == "en"
    assert "carried its first passengers in two years" in article.text
    # The cookie banner, the navigation, the related articles and the footer are not text.
    for chrome in ("cookies", "Related articles", "Council delays vote", "All rights reserved"):
        assert chrome not in article.text


def test_json_ld_page_gives_headline_author_publisher_and_date() -> None:
    article = extract_article(_page("library-jsonld.html"), where="library")
    assert article.title == "Northshire library reopens with a night reading room"
    assert article.author == "Tomas Wren"
    assert article.source == "Northshire Gazette"
    assert article.date == "2023-11-02"  # published, not modified
    assert article.language == "en"  # en-GB, reduced to its primary subtag
    assert "night reading room that stays open until two" in article.text
    assert "Manage preferences" not in article.text
    assert "Choir wins" not in article.text


def test_a_byline_and_a_date_written_out_in_words() -> None:
    article = extract_article(_page("bridge-byline.html"), where="bridge")
    assert article.title == "Council delays vote on second bridge"
    # "By Ann Example" is prose, not metadata: the author stays empty rather than guessed.
    assert (article.author, article.date, article.language) == (None, "2024-03-05", "en")
    assert article.source is None  # the <title> suffix is not a declared site name
    assert "storm of 2022" in article.text
    for chrome in ("212 partners", "Read next", "I agree"):
        assert chrome not in article.text


def test_a_prose_byline_without_author_metadata_gives_no_author() -> None:
    # trafilatura read this byline as the author "Reporting by Maria Lysenko Published".
    article = extract_article(_page("prose-byline.html"), where="museum")
    assert article.title == "Harbour museum opens its archive to the public"
    assert article.author is None
    assert "forty ships" in article.text


def test_a_byline_whose_name_is_a_rel_author_link_keeps_the_name() -> None:
    article = extract_article(_page("prose-byline-rel-author.html"), where="museum")
    assert article.author == "Maria Lysenko"


def test_a_page_that_names_no_author_site_or_language_leaves_them_empty() -> None:
    url = "https://kellsby.example/market"
    article = extract_article(_page("market-plain.html"), where="market", url=url)
    assert article.title == "Saturday market moves to the old tram depot"
    assert article.date == "2024-02-05"
    assert article.author is None
    assert article.source is None  # not the host name in its place
    assert article.language is None
    assert article.url == url  # no canonical link: the address it was fetched from


def test_a_saved_page_without_canonical_link_has_no_url() -> None:
    assert extract_article(_page("market-plain.html"), where="market").url is None


@pytest.mark.parametrize("name", ["index-page.html", "paywall.html"])
def test_pages_without_article_text_are_refused(name: str) -> None:
    with pytest.raises(ExtractError, match="no article text"):
        extract_article(_page(name), where=name)


def test_text_that_is_not_html_is_refused() -> None:
    with pytest.raises(ExtractError):
        extract_article(b"", where="empty")


@pytest.mark.parametrize(
    "name",
    ["ferry-opengraph.html", "library-jsonld.html", "bridge-byline.html", "market-plain.html"],
)
def test_the_headline_is_not_stored_again_as_the_first_line_of_the_body(name: str) -> None:
    article = extract_article(_page(name), where=name)
    first_line = article.text.split("\n", 1)[0]
    assert first_line.strip() and first_line.strip() != article.title
    assert article.title not in article.text.split("\n")


def test_only_a_first_line_that_repeats_the_title_exactly_is_dropped() -> None:
    body = "Ferry returns\nThe ferry carried its first passengers.\nMore text."
    assert without_headline(body, "Ferry returns") == body.split("\n", 1)[1]
    assert without_headline(body, "Ferry returns today") == body
    assert without_headline(body, "ferry returns") == body
    later = "Intro.\nFerry returns\nEnd."
    assert without_headline(later, "Ferry returns") == later


@pytest.mark.parametrize(("declared", "language"), [("uk-UA", "uk"), ("xx", None), ("fil", None)])
def test_only_a_language_the_corpus_accepts_is_kept(declared: str, language: str | None) -> None:
    """The stored article must read back: a front matter language that is not ISO 639-1 is a
    corpus error, so a page's "xx" or "fil" is left out rather than stored."""
    page = _page("ferry-opengraph.html").replace(
        b'<html lang="en">', f'<html lang="{declared}">'.encode()
    )
    assert extract_article(page, where="ferry").language == language
