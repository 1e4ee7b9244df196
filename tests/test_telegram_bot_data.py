"""The services the handlers share: page sizes, and document numbers that follow a reload."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.telegram.answers import AnswerCache
from bot.telegram.bot_data import BotServices
from bot.telegram.store import Store
from bot.telegram.user_limits import SlidingWindowLimiter
from embeddings.index import build_index
from embeddings.search import Searcher
from embeddings.types import Document
from tests.fakes import HashingEncoder


def services(searcher: Searcher, top_k: int = 3) -> BotServices:
    settings = Settings(corpus_dir=Path("c"), data_dir=Path("d"), model="hashing", top_k=top_k)
    return BotServices(
        settings=settings,
        searcher=searcher,
        store=Store.in_memory(),
        reload_searcher=lambda: searcher,
        answers=AnswerCache(),
        question_limit=SlidingWindowLimiter(1),
        inline_limit=SlidingWindowLimiter(1),
    )


@pytest.mark.parametrize(
    ("top_k", "page", "pool"), [(1, 1, 3), (3, 3, 9), (5, 5, 15), (50, 5, 15)]
)
def test_pages_hold_top_k_quotes_but_never_more_than_five(
    fake_searcher: Searcher, top_k: int, page: int, pool: int
) -> None:
    shared = services(fake_searcher, top_k)
    assert (shared.page_size, shared.pool_size) == (page, pool)


def test_document_numbers_follow_the_live_searcher(fake_searcher: Searcher) -> None:
    shared = services(fake_searcher)
    numbers = shared.document_numbers()
    assert numbers == {document.id: n for n, document in enumerate(fake_searcher.documents)}
    first = fake_searcher.documents[0]
    others = [Document("new", "New", "A new article."), dataclasses.replace(first)]
    shared.searcher = Searcher(build_index(others, HashingEncoder()), HashingEncoder())
    assert shared.document_numbers() == {"new": 0, first.id: 1}
