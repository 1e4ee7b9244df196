"""Pages of an answer's quotes: size, count, numbering and slicing, decided in one place."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.telegram.pages import (
    ANSWER_PAGES,
    MAX_QUOTES_PER_MESSAGE,
    newest_first,
    page_count,
    page_of,
    page_size,
    pool_size,
    sources_page,
    sources_page_count,
)
from embeddings import MAX_TOP_K, Answer, Document, Quote
from embeddings.index_tables import load_tables, save_tables

DOC = Document("d", "Title", "Text.")


def answer_with(quotes: int) -> Answer:
    return Answer("q", tuple(Quote(f"Sentence {n}.", 0.9, DOC, n) for n in range(quotes)))


@pytest.mark.parametrize(
    ("top_k", "size", "pool"), [(1, 1, 3), (3, 3, 9), (5, 5, 15), (50, 5, 15)]
)
def test_a_page_holds_top_k_quotes_but_never_more_than_five(
    top_k: int, size: int, pool: int
) -> None:
    assert page_size(top_k) == size <= MAX_QUOTES_PER_MESSAGE
    assert pool_size(top_k) == pool == min(MAX_TOP_K, size * ANSWER_PAGES)


def test_pages_number_their_quotes_across_the_answer() -> None:
    answer = answer_with(7)
    assert page_count(answer, 3) == 3
    first, second, last = (page_of(answer, n, 3) for n in range(3))
    assert [number for number, _ in first.numbered()] == [1, 2, 3]
    assert (second.first, second.last, second.total) == (4, 6, 7)
    assert [quote.position for quote in second.quotes] == [3, 4, 5]
    assert not first.has_previous and first.has_next
    assert last.has_previous and not last.has_next and len(last.quotes) == 1


def test_an_answer_without_quotes_has_one_empty_page_and_no_other() -> None:
    empty = answer_with(0)
    assert page_count(empty, 3) == 1 and page_of(empty, 0, 3).quotes == ()
    with pytest.raises(IndexError):
        page_of(answer_with(4), 2, 3)
    with pytest.raises(IndexError):
        page_of(answer_with(4), -1, 3)


def test_sources_are_newest_first_undated_last_and_ties_by_title() -> None:
    documents = [
        Document("a", "Zebra", "x", date="2024-05-01"),
        Document("b", "undated b", "x"),
        Document("c", "Apple", "x", date="2024-05-01"),
        Document("d", "Evening", "x", date="2024-05-01T20:00:00+03:00"),  # 17:00 UTC
        Document("e", "Older", "x", date="2023-12-31T23:59:59Z"),
        Document("f", "Noon UTC", "x", date="2024-05-01T18:00:00"),  # no zone: UTC
        Document("g", "Another undated", "x"),
    ]
    titles = [document.title for document in sources_page(documents, 0).documents]
    assert titles == [
        "Noon UTC",
        "Evening",
        "Apple",
        "Zebra",
        "Older",
        "Another undated",
        "undated b",
    ]
    assert [documents[n].id for n in newest_first(documents)] == list("fdcaegb")


def test_sources_of_a_loaded_index_are_ordered_without_decoding_the_bodies(
    tmp_path: Path,
) -> None:
    """The first /sources over a large loaded index reads titles and dates only: the order is
    the same as over the articles in memory, and only the shown page's bodies are decoded."""
    documents = [
        Document(
            f"d{n}",
            f"Title {n % 7}",
            f"Body {n} é " * 50,
            date=None if n % 5 == 0 else f"2024-0{n % 9 + 1}-1{n % 10}",
        )
        for n in range(40)
    ]
    save_tables(tmp_path, documents, [])
    table, _ = load_tables(tmp_path)
    assert newest_first(table) == newest_first(documents)
    assert table.text.cache_info().currsize == 0  # no body decoded to order them
    page = sources_page(table, 1)
    assert page.documents == sources_page(documents, 1).documents
    assert table.text.cache_info().currsize == 10
    assert table.title_and_date(0) == ("Title 0", None)
    with pytest.raises(IndexError):
        table.title_and_date(40)


def test_sources_come_in_pages_of_ten_with_the_count() -> None:
    documents = [
        Document(f"d{n}", f"T{n}", "x", date=f"2024-01-{n % 28 + 1:02}") for n in range(42)
    ]
    assert sources_page_count(42) == 5 and sources_page_count(0) == 1
    pages = [sources_page(documents, n) for n in range(5)]
    assert [len(page.documents) for page in pages] == [10, 10, 10, 10, 2]
    assert {page.total for page in pages} == {42} and {page.count for page in pages} == {5}
    shown = [document.id for page in pages for document in page.documents]
    assert sorted(shown) == sorted(document.id for document in documents)
    with pytest.raises(IndexError):
        sources_page(documents, 5)
    assert sources_page([], 0).documents == ()
