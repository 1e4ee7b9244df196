"""Pages of an answer's quotes: size, count, numbering and slicing, decided in one place."""

from __future__ import annotations

import pytest

from bot.telegram.pages import (
    ANSWER_PAGES,
    MAX_QUOTES_PER_MESSAGE,
    page_count,
    page_of,
    page_size,
    pool_size,
)
from embeddings import MAX_TOP_K, Answer, Document, Quote

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
