"""One real ``quotebot run`` with its state in PostgreSQL, as a user of docs/replicas.md meets it.

It polls (no ``QUOTEBOT_WEBHOOK_URL``): fine for one process, and said once in a warning,
since a second replica would take ``getUpdates`` away from it. Its URL carries the password as
``?password=``, which no line of its log may show. And the database restarts under it: the
next question is answered, not met with "Sorry, something went wrong".
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.telegram import messages
from tests.bot_api_server import BotAPIServer
from tests.bot_process import ANSWER_TIMEOUT, BotProcess, environment, replies
from tests.fake_bot_api import TOKEN, Updates
from tests.postgres_server import PostgresServer

pytestmark = pytest.mark.integration

QUESTION = "How many people are held in custody in Crimea?"
# The test server trusts local connections, so any password "works"; it must not be shown.
PASSWORD = "Top-Secret-PW-in-the-query"


@pytest.fixture
def api() -> Iterator[BotAPIServer]:
    server = BotAPIServer(TOKEN)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_a_polling_bot_on_postgresql_survives_a_restart_and_never_shows_the_password(
    api: BotAPIServer,
    postgres_server: PostgresServer,
    database_url: str,
    real_index_dir: Path,
    tmp_path: Path,
) -> None:
    url = f"{database_url}?password={PASSWORD}&sslmode=disable"
    env = environment(tmp_path / "data", real_index_dir, api, QUOTEBOT_DATABASE_URL=url)
    bot = BotProcess.start(env, tmp_path / "bot.log", api)
    updates = Updates()
    try:
        api.push_update(updates.private(601, QUESTION))
        api.wait_until(lambda: bool(replies(api, 601)), ANSWER_TIMEOUT, "the first answer")
        postgres_server.restart()  # every connection the bot holds is ended
        api.push_update(updates.private(602, QUESTION))
        api.wait_until(lambda: bool(replies(api, 602)), ANSWER_TIMEOUT, "the answer after it")
        assert bot.stop(signal.SIGTERM) == 0
    finally:
        bot.kill()
    after = [call.text for call in replies(api, 602)]
    assert len(after) == 1 and after[0] != messages.SOMETHING_WRONG, after
    assert "67 people" in after[0]
    output = bot.output()
    assert PASSWORD not in output
    assert "?password=***&sslmode=disable" in output
    warnings = [line for line in output.splitlines() if "several replicas need webhook" in line]
    assert len(warnings) == 1 and "WARNING" in warnings[0], warnings
    assert "Traceback" not in output
