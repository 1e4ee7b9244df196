"""Settings from the environment: defaults, validation, and the token kept out of sight."""

from __future__ import annotations

import pytest

from bot.settings import (
    BUNDLED_CORPUS_EXAMPLES,
    DEFAULT_RATE_LIMIT_PER_MINUTE,
    DEFAULT_TOP_K,
    MAX_TOP_K,
    SettingsError,
    load_settings,
)
from embeddings import search


def test_defaults() -> None:
    settings = load_settings({})
    assert settings.token is None and settings.api_base_url is None
    assert settings.webhook_url is None
    assert (settings.webhook_listen, settings.webhook_port) == ("127.0.0.1", 8443)
    assert settings.admin_ids == frozenset()
    assert settings.rate_limit_per_minute == DEFAULT_RATE_LIMIT_PER_MINUTE == 20
    assert settings.top_k == DEFAULT_TOP_K == 3
    assert settings.examples == BUNDLED_CORPUS_EXAMPLES


def test_the_top_k_limit_is_the_engines() -> None:
    assert MAX_TOP_K == search.MAX_TOP_K
    assert load_settings({"QUOTEBOT_TOP_K": str(MAX_TOP_K)}).top_k == MAX_TOP_K
    with pytest.raises(SettingsError, match="at most 50"):
        load_settings({"QUOTEBOT_TOP_K": "51"})


def test_the_token_and_webhook_secret_stay_out_of_repr() -> None:
    settings = load_settings(
        {"TELEGRAM_BOT_TOKEN": "123:secret-token", "QUOTEBOT_WEBHOOK_SECRET": "hook-secret"}
    )
    assert settings.token == "123:secret-token"
    assert "secret" not in repr(settings)


def test_examples_only_for_the_bundled_corpus_unless_given(tmp_path: object) -> None:
    assert load_settings({"QUOTEBOT_CORPUS": "/some/corpus"}).examples == ()
    given = load_settings({"QUOTEBOT_CORPUS": "/c", "QUOTEBOT_EXAMPLES": " Why? | Who? |"})
    assert given.examples == ("Why?", "Who?")
    assert load_settings({"QUOTEBOT_EXAMPLES": ""}).examples == ()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"QUOTEBOT_EXAMPLES": "|".join(["q?"] * 6)}, "at most 5"),
        ({"QUOTEBOT_EXAMPLES": "x" * 101}, "at most 100 characters"),
        ({"QUOTEBOT_WEBHOOK_URL": "example.org/hook"}, "https://"),
        ({"QUOTEBOT_WEBHOOK_SECRET": "has spaces"}, "letters, digits"),
        ({"QUOTEBOT_WEBHOOK_PORT": "eighty"}, "whole number"),
        ({"QUOTEBOT_RATE_LIMIT": "0"}, "at least 1"),
        ({"QUOTEBOT_ADMIN_IDS": "12, abc"}, "user ids"),
    ],
)
def test_bad_values_are_refused_with_the_variable_named(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message) as error:
        load_settings(env)
    assert next(iter(env)) in str(error.value)


def test_the_webhook_secret_is_not_echoed_in_its_error() -> None:
    with pytest.raises(SettingsError) as error:
        load_settings({"QUOTEBOT_WEBHOOK_SECRET": "my secret!"})
    assert "my secret" not in str(error.value)


def test_admin_ids() -> None:
    assert load_settings({"QUOTEBOT_ADMIN_IDS": "1, 22;333"}).admin_ids == {1, 22, 333}
