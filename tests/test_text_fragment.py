"""Citation links with text fragments, built from the sentence's own words."""

from __future__ import annotations

from urllib.parse import unquote

from embeddings.text_fragment import encode_text, text_directive, url_to_quote

URL = "https://news.example/ferry"


def test_a_short_sentence_is_quoted_whole() -> None:
    link = url_to_quote(URL, "Tickets cost four crowns.")
    assert link == f"{URL}#:~:text=Tickets%20cost%20four%20crowns."


def test_the_directive_syntax_characters_are_encoded() -> None:
    assert encode_text("a-b, c & d") == "a%2Db%2C%20c%20%26%20d"
    directive = text_directive("Ex-mayor: yes, 50% & more")
    assert directive == "text=Ex%2Dmayor%3A%20yes%2C%2050%25%20%26%20more"


def test_a_long_sentence_is_addressed_by_its_first_and_last_words() -> None:
    sentence = (
        "Harbour master Ivan Greel said the repaired landing stage can now take vehicles"
        " of up to twelve tonnes."
    )
    link = url_to_quote(URL, sentence)
    start, end = link.split(":~:text=")[1].split(",")
    assert unquote(start) == "Harbour master Ivan Greel"
    assert unquote(end) == "up to twelve tonnes."
    # Every word of the link is the sentence's own, in its order.
    assert sentence.startswith(unquote(start))
    assert sentence.endswith(unquote(end))


def test_whitespace_and_non_latin_text() -> None:
    link = url_to_quote(URL, "Суд  відбувся\nу вівторок.")
    assert unquote(link.split(":~:text=")[1]) == "Суд відбувся у вівторок."


def test_an_existing_fragment_is_kept_and_an_old_directive_replaced() -> None:
    assert url_to_quote(f"{URL}#top", "Hello.") == f"{URL}#top:~:text=Hello."
    assert url_to_quote(f"{URL}#:~:text=old", "New.") == f"{URL}#:~:text=New."
    assert url_to_quote(URL, "  ") == URL


def test_a_markdown_list_or_heading_marker_is_not_part_of_the_link() -> None:
    # The article file has "- " or "## "; the web page the link opens does not.
    assert text_directive("- Trams now run every ten minutes.") == text_directive(
        "Trams now run every ten minutes."
    )
    assert text_directive("## Who paid") == "text=Who%20paid"
    assert text_directive("3) Ferries") == "text=Ferries"
    assert text_directive("-") is None
