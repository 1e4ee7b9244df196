"""Settings read from the environment, in entry points only: one contract for every command.

Libraries take explicit arguments; this module is the single place that knows the names of
environment variables, so that the README's table of settings and the code cannot drift apart.

``load_settings`` reads what every command shares (corpus, data directory, index, model, top-k,
the two relevance thresholds, whether the model is multilingual). ``load_telegram_settings``
reads the bot's own variables (token, API server, webhook, admins, rate limit, examples) and
only ``quotebot run`` calls it, so a variable meant for the bot can never break
``quotebot ask``. Every bad value raises ``SettingsError`` with one line that names the
variable.

The limits and defaults of the engine (``MAX_TOP_K``, the default model and threshold, the
index-folder rule) are the engine's own, imported from ``embeddings`` when settings are loaded
(not when this module is imported: ``quotebot --help`` stays instant).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from embeddings import QuotebotError

if TYPE_CHECKING:
    from embeddings import AnnSettings

DEFAULT_RATE_LIMIT_PER_MINUTE = 20
DEFAULT_FEED_INTERVAL_MINUTES = 60
DEFAULT_TOP_K = 3
DEFAULT_WEBHOOK_LISTEN = "127.0.0.1"
DEFAULT_WEBHOOK_PORT = 8443
MAX_EXAMPLES = 5
MAX_EXAMPLE_CHARS = 100
# The bot's clocks and privacy (``quotebot run``; tests shorten the clocks).
DEFAULT_STORE_QUESTIONS = True
DEFAULT_RETENTION_DAYS = 90.0  # feedback and issued answers older than this are deleted
MAX_RETENTION_DAYS = 36500  # 100 years: more would overflow the date arithmetic at start
DEFAULT_POLL_TIMEOUT = 10  # an idle bot makes one getUpdates per 10 s: a hung one is seen soon
DEFAULT_POLL_HANG_GRACE = 5.0  # a long poll unanswered this long after its timeout is hung
DEFAULT_SEND_RETRY_BUDGET = 60.0  # seconds a message is retried through network errors and 5xx
DEFAULT_SEND_BACKOFF = 0.5  # first wait between those retries (doubling)
DEFAULT_SHUTDOWN_GRACE = 8.0  # after SIGTERM, for the answers in progress (Docker kills at 10)
DEFAULT_STUCK_AFTER = 300.0  # the health check fails while an update waits longer
MAX_CLOCK_SECONDS = 3600
# HNSW candidates per question: past this, a search walks most of a million-node graph.
MAX_EF_SEARCH = 100_000
# The engine's ``ANN_KINDS`` (a test keeps them equal), here so that reading settings does not
# import FAISS.
ANN_KINDS = ("auto", "exact", "hnsw")
# Questions the /start buttons ask; they only make sense for the bundled corpus.
BUNDLED_CORPUS_EXAMPLES = (
    "How many people are held in custody in Crimea?",
    "Why was Ilmi Umerov sent to a psychiatric clinic?",
    "How do people help pay the fines?",
)
_SECRET = re.compile(r"[A-Za-z0-9_-]+")
# How docs/replicas.env.example's values to fill in begin: such a secret is anyone's secret.
PLACEHOLDER_PREFIX = "replace-with-"


class SettingsError(QuotebotError):
    """An environment variable holds a value quotebot cannot use."""


def default_corpus_dir() -> Path:
    """The corpus shipped with quotebot: its installed copy, or the repository's ``corpus/``."""
    installed = Path(__file__).resolve().parent / "default_corpus"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent / "corpus"


def default_data_dir() -> Path:
    """Per-user data directory (index, feedback store); never inside site-packages."""
    import platformdirs

    return Path(platformdirs.user_data_dir("quotebot", appauthor=False))


@dataclass(frozen=True)
class TelegramSettings:
    """What only the bot needs; the token and webhook secret are kept out of ``repr``."""

    token: str = field(repr=False)
    api_base_url: str | None = None
    webhook_url: str | None = None
    webhook_listen: str = DEFAULT_WEBHOOK_LISTEN
    webhook_port: int = DEFAULT_WEBHOOK_PORT
    webhook_secret: str | None = field(default=None, repr=False)
    admin_ids: frozenset[int] = frozenset()
    rate_limit_per_minute: int = DEFAULT_RATE_LIMIT_PER_MINUTE
    examples: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()  # QUOTEBOT_FEEDS, polled with those in the corpus' _feeds.json
    feed_interval_minutes: int = DEFAULT_FEED_INTERVAL_MINUTES
    allow_loopback_urls: bool = False  # /add and feeds may fetch from 127.0.0.1 (tests only)
    store_questions: bool = DEFAULT_STORE_QUESTIONS
    retention_days: float = DEFAULT_RETENTION_DAYS
    poll_timeout: int = DEFAULT_POLL_TIMEOUT
    poll_hang_grace: float = DEFAULT_POLL_HANG_GRACE
    send_retry_budget: float = DEFAULT_SEND_RETRY_BUDGET
    send_backoff: float = DEFAULT_SEND_BACKOFF
    shutdown_grace: float = DEFAULT_SHUTDOWN_GRACE
    stuck_after: float = DEFAULT_STUCK_AFTER
    # QUOTEBOT_DATABASE_URL: PostgreSQL shared by replicas (None: SQLite in the data directory).
    database_url: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Settings:
    """What every command shares; ``telegram`` is filled in by ``quotebot run`` only."""

    corpus_dir: Path
    data_dir: Path
    model: str
    index_dir: Path | None = None
    top_k: int = DEFAULT_TOP_K
    abstain_below: float | None = None  # None: the engine's calibrated default
    related_below: float | None = None  # None: the engine's calibrated default
    multilingual: bool | None = None  # None: guessed from the model's name
    telegram: TelegramSettings | None = None
    ann: str = "auto"  # QUOTEBOT_ANN: the vector search a build makes (auto, exact, hnsw)
    ann_ef_search: int | None = None  # QUOTEBOT_ANN_EF_SEARCH; None: the manifest's
    build_precision: str = "auto"  # QUOTEBOT_BUILD_PRECISION: the build encoder's precision

    def searcher_options(self) -> dict[str, Any]:
        """The keyword arguments of ``open_searcher`` that settings decide, for every front
        end alike (``quotebot ask``, ``eval``, the bot and its /reload)."""
        return {
            "abstain_below": self.abstain_below,
            "related_below": self.related_below,
            "multilingual": self.multilingual,
            "ann": self.ann_settings(),
            "ef_search": self.ann_ef_search,
        }

    def ann_settings(self) -> AnnSettings:
        """The engine's ``AnnSettings`` for a build: ``QUOTEBOT_ANN``, and
        ``QUOTEBOT_ANN_EF_SEARCH`` recorded in the manifest when it is set."""
        from embeddings import AnnSettings

        if self.ann_ef_search is None:
            return AnnSettings(self.ann)
        return AnnSettings(self.ann, ef_search=self.ann_ef_search)

    def index_for(self, corpus_dir: Path, model: str) -> Path:
        """The index folder: ``QUOTEBOT_INDEX`` when set, else the engine's folder per corpus
        and model in the data directory."""
        if self.index_dir is not None:
            return self.index_dir
        from embeddings import default_index_dir

        return default_index_dir(self.data_dir, corpus_dir, model)

    @property
    def index_location(self) -> Path:
        """The index folder of the configured corpus and model."""
        return self.index_for(self.corpus_dir, self.model)


def _int(
    env: Mapping[str, str], name: str, default: int, minimum: int = 0, maximum: int | None = None
) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, not {value}")
    if maximum is not None and value > maximum:
        raise SettingsError(f"{name} must be at most {maximum}, not {value}")
    return value


def _threshold(env: Mapping[str, str], name: str) -> float | None:
    """A relevance threshold on the calibrated 0..1 scale (0: every question passes it)."""
    raw = env.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number such as 0.3, not {raw!r}") from None
    if not math.isfinite(value) or not 0 <= value <= 1:
        raise SettingsError(f"{name} must be a number from 0 to 1, not {raw!r}")
    return value


def _thresholds(env: Mapping[str, str]) -> tuple[float | None, float | None]:
    """``QUOTEBOT_ABSTAIN_BELOW`` and ``QUOTEBOT_RELATED_BELOW``.

    A related threshold that is set must not exceed the abstention threshold in use (the
    default when that one is not set): such a setting is a mistake, since no question could be
    "related". An abstention threshold set below the default related threshold alone is fine:
    the "related" band then vanishes (everything below it is declined).
    """
    from embeddings import DEFAULT_ABSTAIN_BELOW

    abstain = _threshold(env, "QUOTEBOT_ABSTAIN_BELOW")
    related = _threshold(env, "QUOTEBOT_RELATED_BELOW")
    effective_abstain = DEFAULT_ABSTAIN_BELOW if abstain is None else abstain
    if related is not None and related > effective_abstain:
        raise SettingsError(
            f"QUOTEBOT_RELATED_BELOW ({related:g}) must be at most "
            f"QUOTEBOT_ABSTAIN_BELOW ({effective_abstain:g})"
        )
    return abstain, related


def _flag(env: Mapping[str, str], name: str) -> bool | None:
    """A yes/no setting: 1/true/yes or 0/false/no; unset is None (the default applies)."""
    raw = env.get(name, "").strip().lower()
    if not raw:
        return None
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be 1 or 0, not {env[name].strip()!r}")


def _admin_ids(raw: str) -> frozenset[int]:
    ids: set[int] = set()
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            ids.add(int(part))
        except ValueError:
            raise SettingsError(
                f"QUOTEBOT_ADMIN_IDS must be comma-separated Telegram user ids, not {part!r}"
            ) from None
    return frozenset(ids)


def _optional(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _web_address(env: Mapping[str, str], name: str, schemes: str) -> str | None:
    """An optional http(s) URL; ``schemes`` says in the error which one is expected."""
    url = _optional(env, name)
    if url is not None and not url.startswith(("https://", "http://")):
        raise SettingsError(f"{name} must be an {schemes} address, not {url!r}")
    return url


def _webhook_url(env: Mapping[str, str]) -> str | None:
    return _web_address(env, "QUOTEBOT_WEBHOOK_URL", "https:// (or http://)")


# A host name as RFC 1123 allows it: dot-separated labels of letters, digits and inner hyphens.
_HOST_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


def _webhook_listen(env: Mapping[str, str]) -> str:
    """The address the webhook server binds: an IP address (v4 or v6) or a host name."""
    import ipaddress

    listen = _optional(env, "QUOTEBOT_WEBHOOK_LISTEN") or DEFAULT_WEBHOOK_LISTEN
    try:
        ipaddress.ip_address(listen)
    except ValueError:
        labels = listen.removesuffix(".").split(".")
        if len(listen) > 253 or not all(_HOST_LABEL.fullmatch(label) for label in labels):
            raise SettingsError(
                f"QUOTEBOT_WEBHOOK_LISTEN must be an IP address or a host name, not {listen!r}"
            ) from None
    return listen


def _api_base_url(env: Mapping[str, str]) -> str | None:
    return _web_address(env, "TELEGRAM_API_BASE_URL", "http:// or https://")


def _webhook_secret(env: Mapping[str, str]) -> str | None:
    """Telegram accepts 1-256 letters, digits, ``_`` and ``-``; the value itself is never shown."""
    from telegram.constants import WebhookLimit  # here: the CLI never loads Telegram

    longest = WebhookLimit.MAX_SECRET_TOKEN_LENGTH
    secret = _optional(env, "QUOTEBOT_WEBHOOK_SECRET")
    if secret is not None and (len(secret) > longest or not _SECRET.fullmatch(secret)):
        raise SettingsError(
            f"QUOTEBOT_WEBHOOK_SECRET must be 1 to {longest} characters: letters, digits, _ and -"
        )
    if secret is not None and secret.startswith(PLACEHOLDER_PREFIX):
        raise SettingsError(
            "QUOTEBOT_WEBHOOK_SECRET is still the example's placeholder: set a random one "
            "(openssl rand -hex 32)"
        )
    return secret


def _examples(env: Mapping[str, str], bundled_corpus: bool) -> tuple[str, ...]:
    """Example questions separated by ``|``; by default only the bundled corpus has some."""
    if "QUOTEBOT_EXAMPLES" not in env:
        return BUNDLED_CORPUS_EXAMPLES if bundled_corpus else ()
    examples = tuple(part.strip() for part in env["QUOTEBOT_EXAMPLES"].split("|") if part.strip())
    if len(examples) > MAX_EXAMPLES:
        raise SettingsError(
            f"QUOTEBOT_EXAMPLES holds {len(examples)} questions; at most {MAX_EXAMPLES}"
        )
    for example in examples:
        if len(example) > MAX_EXAMPLE_CHARS:
            raise SettingsError(
                f"each of QUOTEBOT_EXAMPLES must be at most {MAX_EXAMPLE_CHARS} characters, "
                f"not {len(example)}"
            )
    return examples


def load_data_dir(env: Mapping[str, str] | None = None) -> Path:
    """``QUOTEBOT_DATA_DIR``, or the per-user data directory; all the health check needs."""
    env = os.environ if env is None else env
    data_dir = _optional(env, "QUOTEBOT_DATA_DIR")
    return Path(data_dir).expanduser() if data_dir else default_data_dir()


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read the ``QUOTEBOT_*`` variables every command shares; SettingsError on bad values.

    The bot's own variables are not read here (see ``load_telegram_settings``).
    """
    from embeddings import DEFAULT_MODEL, MAX_TOP_K

    env = os.environ if env is None else env
    corpus = _optional(env, "QUOTEBOT_CORPUS")
    index = _optional(env, "QUOTEBOT_INDEX")
    abstain_below, related_below = _thresholds(env)
    return Settings(
        corpus_dir=Path(corpus).expanduser() if corpus else default_corpus_dir(),
        data_dir=load_data_dir(env),
        index_dir=Path(index).expanduser() if index else None,
        model=_optional(env, "QUOTEBOT_MODEL") or DEFAULT_MODEL,
        top_k=_int(env, "QUOTEBOT_TOP_K", DEFAULT_TOP_K, minimum=1, maximum=MAX_TOP_K),
        abstain_below=abstain_below,
        related_below=related_below,
        multilingual=_flag(env, "QUOTEBOT_MULTILINGUAL"),
        ann=_ann_kind(env),
        ann_ef_search=_optional_int(env, "QUOTEBOT_ANN_EF_SEARCH", 1, MAX_EF_SEARCH),
        build_precision=_build_precision(env),
    )


def _build_precision(env: Mapping[str, str]) -> str:
    """``QUOTEBOT_BUILD_PRECISION``: auto (measured), fp32 or int8 document vectors. A build
    reads it itself (``embeddings.build_encoder``); checked here so that a bad value stops
    every command at its start, not minutes into a build."""
    from embeddings import requested_precision

    try:
        return requested_precision(env)
    except QuotebotError as error:
        raise SettingsError(str(error)) from None


def _ann_kind(env: Mapping[str, str]) -> str:
    """``QUOTEBOT_ANN``: auto (by size), exact (a scan) or hnsw (a graph)."""
    raw = env.get("QUOTEBOT_ANN", "").strip()
    kind = raw.lower() or "auto"
    if kind not in ANN_KINDS:
        raise SettingsError(f"QUOTEBOT_ANN must be one of {', '.join(ANN_KINDS)}, not {raw!r}")
    return kind


def _optional_int(env: Mapping[str, str], name: str, minimum: int, maximum: int) -> int | None:
    """A whole number in range, or None when the variable is not set."""
    if not env.get(name, "").strip():
        return None
    return _int(env, name, 0, minimum=minimum, maximum=maximum)


def load_telegram_settings(env: Mapping[str, str] | None = None) -> TelegramSettings:
    """Read the bot's variables (``TELEGRAM_*``, webhook, admins, rate limit, examples, feeds,
    privacy, retention and clocks).

    Only ``quotebot run`` calls this. Raises SettingsError on a bad value or a missing token.
    """
    env = os.environ if env is None else env
    token = _optional(env, "TELEGRAM_BOT_TOKEN")
    if token is None:
        raise SettingsError(
            "TELEGRAM_BOT_TOKEN is not set; get a token from @BotFather and put it in the "
            "environment"
        )
    return TelegramSettings(
        token=token,
        api_base_url=_api_base_url(env),
        webhook_url=_webhook_url(env),
        webhook_listen=_webhook_listen(env),
        webhook_port=_int(
            env, "QUOTEBOT_WEBHOOK_PORT", DEFAULT_WEBHOOK_PORT, minimum=1, maximum=65535
        ),
        webhook_secret=_webhook_secret(env),
        admin_ids=_admin_ids(env.get("QUOTEBOT_ADMIN_IDS", "")),
        rate_limit_per_minute=_int(
            env, "QUOTEBOT_RATE_LIMIT", DEFAULT_RATE_LIMIT_PER_MINUTE, minimum=1
        ),
        examples=_examples(env, bundled_corpus=_optional(env, "QUOTEBOT_CORPUS") is None),
        feeds=_feeds(env),
        feed_interval_minutes=_int(
            env,
            "QUOTEBOT_FEED_INTERVAL",
            DEFAULT_FEED_INTERVAL_MINUTES,
            minimum=1,
            maximum=7 * 24 * 60,
        ),
        allow_loopback_urls=bool(_flag(env, "QUOTEBOT_ALLOW_LOOPBACK_URLS")),
        database_url=_database_url(env),
        **_bot_clocks(env),
    )


def _database_url(env: Mapping[str, str]) -> str | None:
    """``QUOTEBOT_DATABASE_URL``: a ``postgresql://`` (or ``postgres://``) URL naming a host; an
    error never repeats the URL, or any part of it, which may hold a password."""
    from bot.telegram.database import unencoded_userinfo

    url = _optional(env, "QUOTEBOT_DATABASE_URL")
    if url is None:
        return None
    name = "QUOTEBOT_DATABASE_URL"
    example = "postgresql://USER:PASSWORD@HOST:5432/DATABASE; postgres:// works too"
    if url.partition("://")[0].lower() not in ("postgresql", "postgres"):
        raise SettingsError(f"{name} must be a postgresql:// URL ({example})")
    if unencoded_userinfo(url):
        # Checked before parsing: libpq would read the rest of such a password as the host.
        raise SettingsError(
            f"{name}: the user name or password holds an '@', '/', '?' or '#' that is not "
            "percent-encoded; write @ as %40, / as %2F, ? as %3F, # as %23 (and % as %25)"
        )
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (a port that is not a number raises ValueError)
    except ValueError:
        raise SettingsError(
            f"{name} is not a URL (a port that is not a number, or unbalanced brackets "
            f"around an IPv6 address?): {example}"
        ) from None
    if not parts.hostname and "host=" not in parts.query:
        raise SettingsError(f"{name} names no host ({example})")
    return url


def load_database_url(env: Mapping[str, str] | None = None) -> str | None:
    """``QUOTEBOT_DATABASE_URL`` alone: the health check reads it here, to find the inbox."""
    return _database_url(os.environ if env is None else env)


def _bot_clocks(env: Mapping[str, str]) -> dict[str, Any]:
    """The bot's privacy choice, retention and clocks (``TelegramSettings``' last fields)."""
    store_questions = _flag(env, "QUOTEBOT_STORE_QUESTIONS")
    return {
        "store_questions": DEFAULT_STORE_QUESTIONS if store_questions is None else store_questions,
        "retention_days": _days(env, "QUOTEBOT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS),
        "poll_timeout": _int(
            env, "QUOTEBOT_POLL_TIMEOUT", DEFAULT_POLL_TIMEOUT, maximum=MAX_CLOCK_SECONDS
        ),
        "poll_hang_grace": _seconds(env, "QUOTEBOT_POLL_HANG_GRACE", DEFAULT_POLL_HANG_GRACE),
        "send_retry_budget": _seconds(
            env, "QUOTEBOT_SEND_RETRY_BUDGET", DEFAULT_SEND_RETRY_BUDGET
        ),
        "send_backoff": _seconds(
            env, "QUOTEBOT_SEND_BACKOFF", DEFAULT_SEND_BACKOFF, positive=True
        ),
        "shutdown_grace": _seconds(env, "QUOTEBOT_SHUTDOWN_GRACE", DEFAULT_SHUTDOWN_GRACE),
        "stuck_after": load_stuck_after(env),
    }


def load_stuck_after(env: Mapping[str, str] | None = None) -> float:
    """``QUOTEBOT_STUCK_AFTER``: the health check reads it here too (``quotebot run`` checks
    it at start, so a bad value is found then, not by a failing health check)."""
    env = os.environ if env is None else env
    return _seconds(env, "QUOTEBOT_STUCK_AFTER", DEFAULT_STUCK_AFTER, positive=True)


def _seconds(env: Mapping[str, str], name: str, default: float, positive: bool = False) -> float:
    """A duration in seconds, 0 (or more than 0 when ``positive``) to ``MAX_CLOCK_SECONDS``."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds, not {raw!r}") from None
    lowest = "more than 0" if positive else "0"
    if not 0 <= value <= MAX_CLOCK_SECONDS or (positive and value == 0):
        raise SettingsError(
            f"{name} must be from {lowest} to {MAX_CLOCK_SECONDS} seconds, not {raw!r}"
        )
    return value


def _days(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number of days, not {raw!r}") from None
    if not math.isfinite(value) or not 0 < value <= MAX_RETENTION_DAYS:
        raise SettingsError(
            f"{name} must be a number of days more than 0 and at most {MAX_RETENTION_DAYS}, "
            f"not {raw!r}"
        )
    return value


def _feeds(env: Mapping[str, str]) -> tuple[str, ...]:
    """``QUOTEBOT_FEEDS``: feed addresses separated by spaces or commas, http(s) only.

    New articles are written into the corpus directory, so the feeds need one of the operator's
    own (``QUOTEBOT_CORPUS``): never the bundled corpus inside the package.
    """
    urls = tuple(part for part in env.get("QUOTEBOT_FEEDS", "").replace(",", " ").split())
    if urls and _optional(env, "QUOTEBOT_CORPUS") is None:
        raise SettingsError(
            "QUOTEBOT_FEEDS needs QUOTEBOT_CORPUS: set it to a directory of your own, "
            "where new articles are written"
        )
    for url in urls:
        if not url.startswith(("http://", "https://")):
            raise SettingsError(f"QUOTEBOT_FEEDS must hold http(s):// addresses, not {url!r}")
    return urls
