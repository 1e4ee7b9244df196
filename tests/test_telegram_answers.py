"""Recent answers by token: bounded, least recently used first out."""

from __future__ import annotations

import re

from bot.telegram.answers import AnswerCache
from bot.telegram.buttons import TOKEN_PATTERN
from embeddings.types import Answer


def test_tokens_fit_callback_data_and_find_their_answer() -> None:
    cache = AnswerCache()
    answers = [Answer(f"question {n}") for n in range(50)]
    tokens = [cache.put(answer) for answer in answers]
    assert len(set(tokens)) == 50
    assert all(re.fullmatch(TOKEN_PATTERN, token) for token in tokens)
    assert [cache.get(token) for token in tokens] == answers
    assert cache.get("AAAAAAAA") is None


def test_the_least_recently_used_answer_goes_first() -> None:
    cache = AnswerCache(capacity=2)
    first, second = cache.put(Answer("1")), cache.put(Answer("2"))
    cache.get(first)  # used again: now the second is the oldest
    third = cache.put(Answer("3"))
    assert cache.get(second) is None
    assert cache.get(first) == Answer("1") and cache.get(third) == Answer("3")
    assert len(cache) == 2


def test_an_answer_searched_again_keeps_its_token() -> None:
    cache = AnswerCache()
    cache.put(Answer("again"), token="Tok3n_-1")
    assert cache.get("Tok3n_-1") == Answer("again")
