"""Settings from the environment: one contract, defaults, validation, the token out of sight.

What each setting changes in behaviour is tested where it acts: the command line in
test_cli_main, the bot in test_telegram_app/test_telegram_handlers/test_bot_e2e.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import settings as bot_settings
from bot.settings import (
    BUNDLED_CORPUS_EXAMPLES,
    DEFAULT_RATE_LIMIT_PER_MINUTE,
    DEFAULT_TOP_K,
    SettingsError,
    load_data_dir,
    load_settings,
    load_stuck_after,
    load_telegram_settings,
)
from embeddings import ANN_KINDS, DEFAULT_MODEL, MAX_TOP_K, AnnSettings

TOKEN_ENV = {"TELEGRAM_BOT_TOKEN": "123:secret-token"}


def test_shared_defaults() -> None:
    settings = load_settings({})
    assert settings.model == DEFAULT_MODEL
    assert settings.top_k == DEFAULT_TOP_K == 3
    assert settings.abstain_below is None  # the engine's calibrated default
    assert settings.index_dir is None and settings.telegram is None
    assert (settings.corpus_dir / "README.md").is_file()


def test_telegram_defaults() -> None:
    telegram = load_telegram_settings(TOKEN_ENV)
    assert telegram.api_base_url is None and telegram.webhook_url is None
    assert (telegram.webhook_listen, telegram.webhook_port) == ("127.0.0.1", 8443)
    assert telegram.admin_ids == frozenset()
    assert telegram.rate_limit_per_minute == DEFAULT_RATE_LIMIT_PER_MINUTE == 20
    assert telegram.examples == BUNDLED_CORPUS_EXAMPLES


@pytest.mark.parametrize(
    "env",
    [
        {"QUOTEBOT_WEBHOOK_URL": "example.org"},
        {"QUOTEBOT_ADMIN_IDS": "abc"},
        {"QUOTEBOT_WEBHOOK_PORT": "eighty"},
        {"QUOTEBOT_WEBHOOK_SECRET": "has spaces"},
        {"QUOTEBOT_RATE_LIMIT": "0"},
        {"QUOTEBOT_EXAMPLES": "x" * 500},
        {"TELEGRAM_API_BASE_URL": "nowhere"},
    ],
)
def test_bot_only_variables_never_break_the_shared_settings(env: dict[str, str]) -> None:
    assert load_settings(env) == load_settings({})
    with pytest.raises(SettingsError):
        load_telegram_settings({**TOKEN_ENV, **env})


def test_the_top_k_limit_is_the_engines() -> None:
    assert load_settings({"QUOTEBOT_TOP_K": str(MAX_TOP_K)}).top_k == MAX_TOP_K == 50
    with pytest.raises(SettingsError, match="QUOTEBOT_TOP_K must be at most 50"):
        load_settings({"QUOTEBOT_TOP_K": "51"})


@pytest.mark.parametrize(("raw", "value"), [("0", 0.0), (" 0.62 ", 0.62), ("1", 1.0)])
def test_the_abstention_threshold_is_read(raw: str, value: float) -> None:
    assert load_settings({"QUOTEBOT_ABSTAIN_BELOW": raw}).abstain_below == value


def test_the_vector_search_settings_reach_every_searcher() -> None:
    """QUOTEBOT_ANN goes to builds (and is recorded: see test_service), QUOTEBOT_ANN_EF_SEARCH
    to the loading of every index (and is recorded by a build made with it)."""
    assert bot_settings.ANN_KINDS == ANN_KINDS  # kept here so that settings need no FAISS
    defaults = load_settings({}).searcher_options()
    assert (defaults["ann"], defaults["ef_search"]) == (AnnSettings("auto"), None)
    options = load_settings(
        {"QUOTEBOT_ANN": " HNSW ", "QUOTEBOT_ANN_EF_SEARCH": "64"}
    ).searcher_options()
    assert options["ann"] == AnnSettings("hnsw", ef_search=64)
    assert options["ef_search"] == 64


def test_the_related_threshold_and_the_multilingual_flag_are_read() -> None:
    settings = load_settings(
        {
            "QUOTEBOT_ABSTAIN_BELOW": "0.5",
            "QUOTEBOT_RELATED_BELOW": "0.2",
            "QUOTEBOT_MULTILINGUAL": "1",
        }
    )
    assert (settings.abstain_below, settings.related_below) == (0.5, 0.2)
    assert settings.multilingual is True
    assert settings.searcher_options() == {
        "abstain_below": 0.5,
        "related_below": 0.2,
        "multilingual": True,
        "ann": AnnSettings("auto"),
        "ef_search": None,
    }
    defaults = load_settings({})
    assert defaults.related_below is None and defaults.multilingual is None
    assert load_settings({"QUOTEBOT_MULTILINGUAL": "0"}).multilingual is False
    # Equal thresholds are allowed: no question is then "related".
    assert load_settings({"QUOTEBOT_RELATED_BELOW": "0.3", "QUOTEBOT_ABSTAIN_BELOW": "0.3"})


def test_the_data_directory_and_the_index_folder_rule(tmp_path: Path) -> None:
    settings = load_settings({"QUOTEBOT_DATA_DIR": str(tmp_path)})
    assert settings.data_dir == tmp_path == load_data_dir({"QUOTEBOT_DATA_DIR": str(tmp_path)})
    assert settings.index_location.parent == tmp_path / "indexes"
    other = settings.index_for(tmp_path / "elsewhere", DEFAULT_MODEL)
    assert other != settings.index_location and other.parent == tmp_path / "indexes"
    pinned = load_settings({"QUOTEBOT_DATA_DIR": str(tmp_path), "QUOTEBOT_INDEX": "/opt/i"})
    assert pinned.index_location == Path("/opt/i")


def test_the_token_and_webhook_secret_stay_out_of_repr() -> None:
    telegram = load_telegram_settings({**TOKEN_ENV, "QUOTEBOT_WEBHOOK_SECRET": "hook-secret"})
    assert telegram.token == "123:secret-token"
    assert "secret" not in repr(telegram)


def test_examples_only_for_the_bundled_corpus_unless_given() -> None:
    assert load_telegram_settings({**TOKEN_ENV, "QUOTEBOT_CORPUS": "/c"}).examples == ()
    given = load_telegram_settings(
        {**TOKEN_ENV, "QUOTEBOT_CORPUS": "/c", "QUOTEBOT_EXAMPLES": " Why? | Who? |"}
    )
    assert given.examples == ("Why?", "Who?")
    assert load_telegram_settings({**TOKEN_ENV, "QUOTEBOT_EXAMPLES": ""}).examples == ()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"QUOTEBOT_TOP_K": "0"}, "at least 1"),
        ({"QUOTEBOT_TOP_K": "three"}, "whole number"),
        ({"QUOTEBOT_ABSTAIN_BELOW": "banana"}, "a number such as 0.3"),
        ({"QUOTEBOT_ABSTAIN_BELOW": "-1"}, "from 0 to 1"),
        ({"QUOTEBOT_ABSTAIN_BELOW": "nan"}, "from 0 to 1"),
        ({"QUOTEBOT_ABSTAIN_BELOW": "1.5"}, "from 0 to 1"),
        ({"QUOTEBOT_RELATED_BELOW": "2"}, "from 0 to 1"),
        ({"QUOTEBOT_RELATED_BELOW": "0.5", "QUOTEBOT_ABSTAIN_BELOW": "0.4"}, "at most"),
        ({"QUOTEBOT_RELATED_BELOW": "0.9"}, "at most QUOTEBOT_ABSTAIN_BELOW"),
        ({"QUOTEBOT_MULTILINGUAL": "maybe"}, "1 or 0"),
        ({"QUOTEBOT_ANN": "ivf"}, "one of auto, exact, hnsw, not 'ivf'"),
        ({"QUOTEBOT_ANN_EF_SEARCH": "many"}, "whole number"),
        ({"QUOTEBOT_ANN_EF_SEARCH": "0"}, "at least 1"),
        ({"QUOTEBOT_ANN_EF_SEARCH": "100001"}, "at most 100000"),
        ({"QUOTEBOT_BUILD_PRECISION": "int4"}, "one of auto, fp32, bf16, int8, not 'int4'"),
    ],
)
def test_bad_shared_values_are_refused_with_the_variable_named(
    env: dict[str, str], message: str
) -> None:
    with pytest.raises(SettingsError, match=message) as error:
        load_settings(env)
    assert next(iter(env)) in str(error.value)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"QUOTEBOT_EXAMPLES": "|".join(["q?"] * 6)}, "at most 5"),
        ({"QUOTEBOT_EXAMPLES": "x" * 101}, "at most 100 characters"),
        ({"QUOTEBOT_WEBHOOK_URL": "example.org/hook"}, "https://"),
        ({"QUOTEBOT_WEBHOOK_SECRET": "has spaces"}, "letters, digits"),
        ({"QUOTEBOT_WEBHOOK_SECRET": "x" * 257}, "1 to 256 characters"),
        ({"QUOTEBOT_WEBHOOK_SECRET": "replace-with-a-long-random-secret"}, "placeholder"),
        ({"QUOTEBOT_WEBHOOK_PORT": "eighty"}, "whole number"),
        ({"QUOTEBOT_WEBHOOK_PORT": "70000"}, "at most 65535"),
        ({"QUOTEBOT_RATE_LIMIT": "0"}, "at least 1"),
        ({"QUOTEBOT_ADMIN_IDS": "12, abc"}, "user ids"),
        ({"TELEGRAM_API_BASE_URL": "127.0.0.1:8081/bot"}, "http://"),
    ],
)
def test_bad_bot_values_are_refused_with_the_variable_named(
    env: dict[str, str], message: str
) -> None:
    with pytest.raises(SettingsError, match=message) as error:
        load_telegram_settings({**TOKEN_ENV, **env})
    assert next(iter(env)) in str(error.value)
    assert "\n" not in str(error.value)


def test_without_a_token_the_bot_settings_are_refused() -> None:
    with pytest.raises(SettingsError, match="TELEGRAM_BOT_TOKEN is not set"):
        load_telegram_settings({})


def test_the_webhook_secret_is_not_echoed_in_its_error() -> None:
    with pytest.raises(SettingsError) as error:
        load_telegram_settings({**TOKEN_ENV, "QUOTEBOT_WEBHOOK_SECRET": "my secret!"})
    assert "my secret" not in str(error.value)


def test_admin_ids() -> None:
    telegram = load_telegram_settings({**TOKEN_ENV, "QUOTEBOT_ADMIN_IDS": "1, 22;333"})
    assert telegram.admin_ids == {1, 22, 333}


@pytest.mark.parametrize("listen", ["0.0.0.0", "::", "::1", "localhost", "bot.example.org"])
def test_the_webhook_listens_on_an_ip_address_or_a_host_name(listen: str) -> None:
    settings = load_telegram_settings(
        {"TELEGRAM_BOT_TOKEN": "1:x", "QUOTEBOT_WEBHOOK_LISTEN": listen}
    )
    assert settings.webhook_listen == listen


def test_the_bots_privacy_retention_and_clocks_are_read() -> None:
    """One contract: these are bot settings, read with the others by ``quotebot run`` only."""
    assert load_settings({"QUOTEBOT_SHUTDOWN_GRACE": "soon"}).telegram is None
    default = load_telegram_settings(TOKEN_ENV)
    assert default.store_questions is True and default.retention_days == 90
    assert (default.poll_timeout, default.poll_hang_grace, default.shutdown_grace) == (10, 5, 8)
    assert (default.send_retry_budget, default.send_backoff, default.stuck_after) == (60, 0.5, 300)
    telegram = load_telegram_settings(
        {
            **TOKEN_ENV,
            "QUOTEBOT_STORE_QUESTIONS": "0",
            "QUOTEBOT_RETENTION_DAYS": "0.5",
            "QUOTEBOT_POLL_TIMEOUT": "1",
            "QUOTEBOT_POLL_HANG_GRACE": "2",
            "QUOTEBOT_SEND_RETRY_BUDGET": "20",
            "QUOTEBOT_SEND_BACKOFF": "0.05",
            "QUOTEBOT_SHUTDOWN_GRACE": "0",
            "QUOTEBOT_STUCK_AFTER": "60",
        }
    )
    assert telegram.store_questions is False and telegram.retention_days == 0.5
    assert (telegram.poll_timeout, telegram.poll_hang_grace, telegram.shutdown_grace) == (1, 2, 0)
    assert (telegram.send_retry_budget, telegram.send_backoff) == (20, 0.05)
    assert telegram.stuck_after == load_stuck_after({"QUOTEBOT_STUCK_AFTER": "60"}) == 60


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("QUOTEBOT_STORE_QUESTIONS", "maybe", "1 or 0"),
        ("QUOTEBOT_RETENTION_DAYS", "a year", "number of days"),
        ("QUOTEBOT_RETENTION_DAYS", "0", "more than 0"),
        ("QUOTEBOT_RETENTION_DAYS", "inf", "more than 0"),
        ("QUOTEBOT_RETENTION_DAYS", "1e12", "at most 36500"),
        ("QUOTEBOT_STUCK_AFTER", "3601", "more than 0 to 3600"),
        ("QUOTEBOT_SEND_BACKOFF", "3601", "more than 0 to 3600"),
        ("QUOTEBOT_POLL_TIMEOUT", "1.5", "whole number"),
        ("QUOTEBOT_POLL_TIMEOUT", "-1", "at least 0"),
        ("QUOTEBOT_POLL_HANG_GRACE", "nan", "from 0 to 3600"),
        ("QUOTEBOT_SEND_RETRY_BUDGET", "7200", "from 0 to 3600"),
        ("QUOTEBOT_SEND_BACKOFF", "0", "more than 0"),
        ("QUOTEBOT_SHUTDOWN_GRACE", "-1", "from 0 to 3600"),
        ("QUOTEBOT_STUCK_AFTER", "5 minutes", "number of seconds"),
    ],
)
def test_bad_privacy_retention_and_clock_values_name_the_variable(
    name: str, value: str, message: str
) -> None:
    with pytest.raises(SettingsError, match=message) as error:
        load_telegram_settings({**TOKEN_ENV, name: value})
    assert str(error.value).startswith(name) and "\n" not in str(error.value)


def test_the_replica_examples_placeholder_secret_is_refused() -> None:
    """docs/replicas.env.example's value must be replaced: a published secret lets anyone
    post updates to the webhook."""
    example = (Path(__file__).parent.parent / "docs" / "replicas.env.example").read_text()
    secret = next(
        line.split("=", 1)[1]
        for line in example.splitlines()
        if line.startswith("QUOTEBOT_WEBHOOK_SECRET=")
    )
    with pytest.raises(SettingsError, match="placeholder") as error:
        load_telegram_settings({**TOKEN_ENV, "QUOTEBOT_WEBHOOK_SECRET": secret})
    assert secret not in str(error.value)
