"""``quotebot run``: open the index, then serve Telegram updates until SIGINT or SIGTERM.

The order matters. The token is checked and redaction installed before anything can log; the
index is opened (built on first use) before the bot takes any update, so that no user waits on
a half-loaded index; the store opens last and closes whatever happens.
"""

from __future__ import annotations

import logging
import os
import secrets
from urllib.parse import urlsplit

from telegram.error import InvalidToken, TelegramError

from bot.settings import Settings, SettingsError
from bot.telegram.redaction import install_token_redaction
from bot.telegram.store import Store
from embeddings import QuotebotError

logger = logging.getLogger(__name__)

STORE_FILE = "quotebot.sqlite3"
# Retries of getMe/deleteWebhook at startup; a bad network at boot should not loop forever.
BOOTSTRAP_RETRIES = 5
POLL_TIMEOUT = 30


def run_bot(settings: Settings) -> int:
    """Run the bot until it is stopped; 0 after a clean stop, 1 after a failure.

    Raises SettingsError when there is no token or Telegram rejects it, and the domain errors of
    ``open_searcher`` (bad corpus, missing model) before the bot starts; the CLI prints those as
    one line. Every other failure is logged (token redacted) and returns 1.
    """
    telegram = settings.telegram
    if telegram is None or not telegram.token:
        raise SettingsError(
            "TELEGRAM_BOT_TOKEN is not set; get a token from @BotFather and put it in the "
            "environment"
        )
    webhook_secret = telegram.webhook_secret
    if telegram.webhook_url and not webhook_secret:
        webhook_secret = secrets.token_urlsafe(32)
    install_token_redaction(telegram.token, webhook_secret)
    # PTB 22 warns on every 429 unless told to use timedeltas, which this code is ready for.
    os.environ.setdefault("PTB_TIMEDELTA", "1")

    from bot.telegram.app import open_configured_searcher

    logger.info("opening the index in %s (built on first use)", settings.index_location)
    searcher = open_configured_searcher(settings)
    logger.info(
        "corpus %s: %d articles, %d sentences; model %s",
        settings.corpus_dir,
        len(searcher.documents),
        searcher.sentence_count,
        searcher.model_name,
    )
    store = Store.open(settings.data_dir / STORE_FILE)
    try:
        from bot.telegram.app import ALLOWED_UPDATES, build_application

        application = build_application(
            settings,
            searcher,
            store,
        )
        if telegram.webhook_url:
            assert webhook_secret is not None
            path = urlsplit(telegram.webhook_url).path.lstrip("/")
            logger.info(
                "receiving updates by webhook on %s:%d/%s",
                telegram.webhook_listen,
                telegram.webhook_port,
                path,
            )
            application.run_webhook(
                listen=telegram.webhook_listen,
                port=telegram.webhook_port,
                url_path=path,
                webhook_url=telegram.webhook_url,
                secret_token=webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
                bootstrap_retries=BOOTSTRAP_RETRIES,
            )
        else:
            logger.info("receiving updates by long polling")
            application.run_polling(
                timeout=POLL_TIMEOUT,
                allowed_updates=ALLOWED_UPDATES,
                bootstrap_retries=BOOTSTRAP_RETRIES,
            )
    except InvalidToken:
        # PTB's message quotes the token; this one does not.
        raise SettingsError(
            "Telegram rejected TELEGRAM_BOT_TOKEN (wrong or revoked); check it with @BotFather"
        ) from None
    except QuotebotError:
        raise
    except TelegramError as error:
        logger.error("the bot stopped: Telegram could not be reached: %s", error)
        return 1
    except Exception:
        logger.exception("the bot stopped on an unexpected error")
        return 1
    finally:
        store.close()
    logger.info("quotebot stopped")
    return 0
