"""Keeping the bot token (and the webhook secret) out of every log line, at every level.

Whoever holds the token controls the bot, and Telegram puts it in every URL
(``https://api.telegram.org/bot<token>/getUpdates``): httpx logs those URLs at INFO,
python-telegram-bot logs its base URL at DEBUG, and exception messages can quote either. So the
redaction happens where log records are *created*: that covers every logger and every handler,
including handlers that are added after it is installed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote

REDACTED = "[REDACTED]"
# Loggers that print request URLs (and so the token) at INFO and DEBUG.
NOISY_LOGGERS = ("httpx", "httpcore")


class SecretRedactor(logging.Filter):
    """Replaces secrets in a record's message, exception text and stack text.

    Usable as a handler filter too; ``install_token_redaction`` applies it to every new record.
    """

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        variants: set[str] = set()
        for secret in secrets:
            if secret:
                # As written and as it appears inside a URL-encoded query string.
                variants.update({secret, quote(secret, safe="")})
        # Longest first, so that a secret containing another is replaced whole.
        self._secrets = sorted(variants, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def _contains_secret(self, text: str) -> bool:
        return any(secret in text for secret in self._secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: let the handler report it as logging does
            message = str(record.msg)
        if self._contains_secret(message):
            record.msg, record.args = self.redact(message), ()
        if record.exc_info and not record.exc_text:
            text = logging.Formatter().formatException(record.exc_info)
            if self._contains_secret(text):
                record.exc_text = self.redact(text)
        elif record.exc_text and self._contains_secret(record.exc_text):
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info and self._contains_secret(record.stack_info):
            record.stack_info = self.redact(record.stack_info)
        return True


def install_token_redaction(token: str, *other_secrets: str | None) -> Callable[[], None]:
    """Redact ``token`` (and other secrets) from every log record created from now on.

    Also raises the httpx and httpcore loggers to WARNING, since their INFO lines are one URL
    per request. Call it before anything logs. Returns a function that undoes the record
    factory change (for tests); the logger levels stay raised.
    """
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    redactor = SecretRedactor([token, *(secret for secret in other_secrets if secret)])
    previous = logging.getLogRecordFactory()

    def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        redactor.filter(record)
        return record

    logging.setLogRecordFactory(redacting_factory)

    def uninstall() -> None:
        if logging.getLogRecordFactory() is redacting_factory:
            logging.setLogRecordFactory(previous)

    return uninstall
