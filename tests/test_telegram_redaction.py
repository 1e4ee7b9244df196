"""The token never reaches a log line: not in messages, arguments, tracebacks or stack info."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.telegram.redaction import REDACTED, SecretRedactor, install_token_redaction

TOKEN = "123456:AAH-secret_token"


@pytest.fixture
def log() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    uninstall = install_token_redaction(TOKEN, "webhook-secret")
    try:
        yield logger, stream
    finally:
        uninstall()
        logger.removeHandler(handler)


def test_messages_and_arguments_are_redacted_at_every_level(
    log: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = log
    logger.debug("Set Bot API URL: https://api.telegram.org/bot%s", TOKEN)
    url = f"https://api.telegram.org/bot{TOKEN}/getMe"
    logger.info(url)  # already formatted, as third-party libraries sometimes do
    logger.error("webhook secret is %s", "webhook-secret")
    output = stream.getvalue()
    assert TOKEN not in output and "webhook-secret" not in output
    assert output.count(REDACTED) == 3
    assert "https://api.telegram.org/bot[REDACTED]/getMe" in output


def test_tracebacks_are_redacted(log: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = log
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
    except RuntimeError:
        logger.exception("startup failed")
    output = stream.getvalue()
    assert TOKEN not in output
    assert "RuntimeError: The token `[REDACTED]` was rejected" in output


def test_records_of_other_loggers_and_handlers_added_later_are_redacted(
    log: tuple[logging.Logger, io.StringIO],
) -> None:
    stream = io.StringIO()
    late = logging.getLogger("test.redaction.late")
    late.addHandler(logging.StreamHandler(stream))
    late.propagate = False
    late.warning("token=%s", TOKEN)
    assert stream.getvalue() == f"token={REDACTED}\n"
    late.handlers.clear()


def test_url_encoded_tokens_are_redacted_too() -> None:
    redactor = SecretRedactor([TOKEN])
    assert redactor.redact("a=123456%3AAAH-secret_token") == f"a={REDACTED}"


def test_ordinary_records_keep_their_lazy_arguments(
    log: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, _ = log
    record = logger.makeRecord("x", logging.INFO, "f", 1, "%d questions", (3,), None)
    assert record.args == (3,)
    assert record.getMessage() == "3 questions"


def test_installing_raises_the_http_client_loggers_to_warning() -> None:
    uninstall = install_token_redaction(TOKEN)
    uninstall()
    assert logging.getLogger("httpx").level == logging.WARNING
    assert logging.getLogger("httpcore").level == logging.WARNING
