"""Recent answers, by a short token, so that "More" and "Context" need no new search.

A button's callback data carries only the token (64 bytes hold no answer), and the cache keeps
the answers of the last few thousand questions in memory: bounded, forgotten on restart. When
a token is no longer here the handlers search again (see ``handlers``), so nothing depends on
the cache for correctness.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict

from bot.telegram.buttons import TOKEN_PATTERN
from embeddings import Answer

DEFAULT_CAPACITY = 4096
TOKEN_BYTES = 6  # 8 URL-safe characters: what buttons.TOKEN_PATTERN accepts


class AnswerCache:
    """A least-recently-used map from tokens to answers; meant for one event loop."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, not {capacity}")
        self.capacity = capacity
        self._answers: OrderedDict[str, Answer] = OrderedDict()

    def put(self, answer: Answer, token: str | None = None) -> str:
        """Keep ``answer`` and return its token (a new one unless ``token`` is given)."""
        if token is None:
            token = new_token()
            while token in self._answers:
                token = new_token()
        self._answers[token] = answer
        self._answers.move_to_end(token)
        while len(self._answers) > self.capacity:
            self._answers.popitem(last=False)
        return token

    def get(self, token: str) -> Answer | None:
        answer = self._answers.get(token)
        if answer is not None:
            self._answers.move_to_end(token)
        return answer

    def __len__(self) -> int:
        return len(self._answers)


def new_token() -> str:
    """A random token that fits ``buttons.TOKEN_PATTERN``; unguessable, so one user cannot
    page through another user's answers by trying tokens."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    assert len(token) == 8, TOKEN_PATTERN
    return token
