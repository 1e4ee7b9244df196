"""Settings read from the environment, in entry points only.

Libraries take explicit arguments; this module is the single place that knows the names of
environment variables, so that the README's table of settings and the code cannot drift apart.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from embeddings import QuotebotError

DEFAULT_MODEL = "all-MiniLM-L6-v2"
DEFAULT_RATE_LIMIT_PER_MINUTE = 20
DEFAULT_TOP_K = 3
# Mirrors embeddings.search.MAX_TOP_K (a test keeps them equal); importing it here would load
# FAISS and make `quotebot --help` slow.
MAX_TOP_K = 50
MAX_EXAMPLES = 5
MAX_EXAMPLE_CHARS = 100
# Questions the /start buttons ask; they only make sense for the bundled corpus.
BUNDLED_CORPUS_EXAMPLES = (
    "How many people are held in custody in Crimea?",
    "Why was Ilmi Umerov sent to a psychiatric clinic?",
    "How do people help pay the fines?",
)
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


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
class Settings:
    """Everything the entry points need; the token is kept out of ``repr`` on purpose."""

    corpus_dir: Path
    data_dir: Path
    index_dir: Path | None
    model: str = DEFAULT_MODEL
    token: str | None = field(default=None, repr=False)
    api_base_url: str | None = None
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: str | None = field(default=None, repr=False)
    admin_ids: frozenset[int] = frozenset()
    rate_limit_per_minute: int = DEFAULT_RATE_LIMIT_PER_MINUTE
    top_k: int = DEFAULT_TOP_K
    abstain_below: float | None = None  # None: the engine's calibrated default
    examples: tuple[str, ...] = ()


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


def _float(env: Mapping[str, str], name: str) -> float | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, not {raw!r}") from None


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


def _webhook_url(env: Mapping[str, str]) -> str | None:
    url = _optional(env, "QUOTEBOT_WEBHOOK_URL")
    if url is not None and not url.startswith(("https://", "http://")):
        raise SettingsError(
            f"QUOTEBOT_WEBHOOK_URL must be an https:// (or http://) address, not {url!r}"
        )
    return url


def _webhook_secret(env: Mapping[str, str]) -> str | None:
    """Telegram accepts 1-256 letters, digits, ``_`` and ``-``; the value itself is never shown."""
    secret = _optional(env, "QUOTEBOT_WEBHOOK_SECRET")
    if secret is not None and not _SECRET.fullmatch(secret):
        raise SettingsError(
            "QUOTEBOT_WEBHOOK_SECRET must be 1 to 256 characters: letters, digits, _ and -"
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


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read every ``QUOTEBOT_*`` and ``TELEGRAM_*`` variable; raise SettingsError on bad values."""
    env = os.environ if env is None else env
    data_dir = Path(env["QUOTEBOT_DATA_DIR"]) if env.get("QUOTEBOT_DATA_DIR") else None
    corpus = _optional(env, "QUOTEBOT_CORPUS")
    index = _optional(env, "QUOTEBOT_INDEX")
    return Settings(
        corpus_dir=Path(corpus).expanduser() if corpus else default_corpus_dir(),
        data_dir=(data_dir or default_data_dir()).expanduser(),
        index_dir=Path(index).expanduser() if index else None,
        model=_optional(env, "QUOTEBOT_MODEL") or DEFAULT_MODEL,
        token=_optional(env, "TELEGRAM_BOT_TOKEN"),
        api_base_url=_optional(env, "TELEGRAM_API_BASE_URL"),
        webhook_url=_webhook_url(env),
        webhook_listen=_optional(env, "QUOTEBOT_WEBHOOK_LISTEN") or "127.0.0.1",
        webhook_port=_int(env, "QUOTEBOT_WEBHOOK_PORT", 8443, minimum=1),
        webhook_secret=_webhook_secret(env),
        admin_ids=_admin_ids(env.get("QUOTEBOT_ADMIN_IDS", "")),
        rate_limit_per_minute=_int(
            env, "QUOTEBOT_RATE_LIMIT", DEFAULT_RATE_LIMIT_PER_MINUTE, minimum=1
        ),
        top_k=_int(env, "QUOTEBOT_TOP_K", DEFAULT_TOP_K, minimum=1, maximum=MAX_TOP_K),
        examples=_examples(env, bundled_corpus=corpus is None),
    )
