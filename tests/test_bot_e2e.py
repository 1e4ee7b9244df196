"""``quotebot run`` end to end: the real process, the real model, a real HTTP Bot API server.

The bot is started as users start it (``python -m bot run``), pointed at a Bot API server
that this test runs on 127.0.0.1; updates arrive through ``getUpdates`` and the test reads the
bot's ``sendMessage`` calls. Every wait is bounded, and the process is stopped with a signal.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli.render import FRAME
from tests.bot_api_server import BotAPIServer
from tests.conftest import REPO
from tests.fake_bot_api import BOT_USERNAME, TOKEN, ApiCall, Updates, telegram_html_problems

STARTUP_TIMEOUT = 300.0  # loading the model, and building the index if needed
ANSWER_TIMEOUT = 60.0
EXIT_TIMEOUT = 30.0
USER = 4242
GROUP = -100777


@dataclass
class RunningBot:
    process: subprocess.Popen[bytes]
    server: BotAPIServer
    stdout: Path
    stderr: Path

    def output(self) -> str:
        return self.stdout.read_text(errors="replace") + self.stderr.read_text(errors="replace")

    def reply_to(self, chat_id: int, after: int = 0, method: str = "sendMessage") -> ApiCall:
        def is_reply(call: ApiCall) -> bool:
            return (
                call.method == method
                and call.failed is None
                and str(call.params.get("chat_id")) == str(chat_id)
            )

        return self.server.wait_for(is_reply, ANSWER_TIMEOUT, f"{method} to {chat_id}", after)

    def stop(self, sig: int = signal.SIGINT) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=EXIT_TIMEOUT)


def bot_environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("QUOTEBOT_", "TELEGRAM_"))
    }
    env.update(
        {
            "QUOTEBOT_DATA_DIR": str(tmp_path / "data"),
            "HF_HUB_OFFLINE": "1",
            "PYTHONUNBUFFERED": "1",
            **extra,
        }
    )
    return env


@pytest.fixture
def running_bot(tmp_path: Path, real_index_dir: Path) -> Iterator[RunningBot]:
    server = BotAPIServer(TOKEN)
    server.start()
    stdout, stderr = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    env = bot_environment(
        tmp_path,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=server.base_url,
        QUOTEBOT_INDEX=str(real_index_dir),
        QUOTEBOT_ADMIN_IDS=str(USER),
    )
    with stdout.open("wb") as out, stderr.open("wb") as err:
        # -vv: debug logging, so that the token check below covers every log level.
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "-vv", "run"], cwd=REPO, env=env, stdout=out, stderr=err
        )
    bot = RunningBot(process, server, stdout, stderr)
    try:
        server.wait_for(lambda call: call.method == "getUpdates", STARTUP_TIMEOUT, "getUpdates")
        yield bot
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=EXIT_TIMEOUT)
        server.stop()


@pytest.mark.integration
def test_the_bot_answers_with_cited_quotes_and_never_shows_its_token(
    running_bot: RunningBot,
) -> None:
    bot, server, updates = running_bot, running_bot.server, Updates()

    server.push_update(updates.private(USER, "How many people are held in custody in Crimea?"))
    answer = bot.reply_to(USER)
    assert answer.params["parse_mode"] == "HTML"
    assert telegram_html_problems(answer.text) == []
    assert answer.text.startswith(FRAME)
    assert "67 <b>people</b>" in answer.text
    assert "Mustafa Dzhemilev: 67 people held in custody in occupied Crimea" in answer.text
    assert "QHA (Crimean News Agency)" in answer.text
    typing = [call for call in server.calls if call.method == "sendChatAction"]
    assert typing and typing[0].params["action"] == "typing"

    mark = len(server.calls)
    server.push_update(updates.group(GROUP, USER, f"@{BOT_USERNAME} who is Ilmi Umerov?"))
    group_answer = bot.reply_to(GROUP, after=mark)
    assert telegram_html_problems(group_answer.text) == []
    assert "Umerov" in group_answer.text

    mark = len(server.calls)
    server.push_update(updates.inline(USER, "political prisoners in Crimea"))
    inline = server.wait_for(
        lambda call: call.method == "answerInlineQuery", ANSWER_TIMEOUT, "answerInlineQuery", mark
    )
    results = inline.params["results"]
    assert results
    for result in results:
        assert telegram_html_problems(result["input_message_content"]["message_text"]) == []

    mark = len(server.calls)
    server.push_update(updates.private(USER, "/sources"))
    sources = bot.reply_to(USER, after=mark)
    assert "Activists hang banner in Kyiv in support of Ilmi Umerov" in sources.text

    assert bot.stop(signal.SIGINT) == 0
    output = bot.output()
    assert TOKEN not in output
    assert TOKEN.split(":")[1] not in output  # not even the secret half
    assert "60 sentences" in output and "all-MiniLM-L6-v2" in output
    assert "Traceback" not in output


@pytest.mark.integration
def test_sigterm_stops_the_bot_cleanly(running_bot: RunningBot) -> None:
    assert running_bot.stop(signal.SIGTERM) == 0
    assert TOKEN not in running_bot.output()


def test_without_a_token_the_bot_says_so_in_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=REPO,
        env=bot_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "quotebot: error: TELEGRAM_BOT_TOKEN is not set; get a token from @BotFather and put it "
        "in the environment"
    ]


@pytest.mark.integration
def test_a_rejected_token_is_reported_without_showing_it(
    tmp_path: Path, real_index_dir: Path
) -> None:
    server = BotAPIServer("999:some-other-token")
    server.start()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "bot", "-vv", "run"],
            cwd=REPO,
            env=bot_environment(
                tmp_path,
                TELEGRAM_BOT_TOKEN=TOKEN,
                TELEGRAM_API_BASE_URL=server.base_url,
                QUOTEBOT_INDEX=str(real_index_dir),
            ),
            capture_output=True,
            text=True,
            timeout=STARTUP_TIMEOUT,
        )
    finally:
        server.stop()
    assert result.returncode == 2
    assert "Telegram rejected TELEGRAM_BOT_TOKEN" in result.stderr
    assert TOKEN not in result.stdout + result.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def post_update(url: str, update: dict[str, object], secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(url, json.dumps(update).encode(), headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=ANSWER_TIMEOUT) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


@pytest.mark.integration
@pytest.mark.parametrize(
    ("listen", "configured_secret"),
    [(None, None), ("127.0.0.2", "configured_hook-secret")],
    ids=["defaults", "listen-and-secret-set"],
)
def test_webhook_mode_answers_updates_that_carry_the_secret(
    tmp_path: Path, real_index_dir: Path, listen: str | None, configured_secret: str | None
) -> None:
    """QUOTEBOT_WEBHOOK_URL/PORT turn webhook mode on; QUOTEBOT_WEBHOOK_LISTEN moves the
    server, QUOTEBOT_WEBHOOK_SECRET replaces the random secret."""
    server = BotAPIServer(TOKEN)
    server.start()
    port = free_port()
    host = listen or "127.0.0.1"
    hook = f"http://{host}:{port}/quotebot/hook"
    extra = {"QUOTEBOT_WEBHOOK_LISTEN": listen} if listen else {}
    if configured_secret:
        extra["QUOTEBOT_WEBHOOK_SECRET"] = configured_secret
    env = bot_environment(
        tmp_path,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=server.base_url,
        QUOTEBOT_INDEX=str(real_index_dir),
        QUOTEBOT_WEBHOOK_URL=hook,
        QUOTEBOT_WEBHOOK_PORT=str(port),
        **extra,
    )
    stdout, stderr = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "-vv", "run"], cwd=REPO, env=env, stdout=out, stderr=err
        )
    bot = RunningBot(process, server, stdout, stderr)
    try:
        registered = server.wait_for(
            lambda call: call.method == "setWebhook", STARTUP_TIMEOUT, "setWebhook"
        )
        assert registered.params["url"] == hook
        secret = str(registered.params["secret_token"])
        if configured_secret:
            assert secret == configured_secret
        else:
            assert len(secret) >= 32  # none configured: a random one

        updates = Updates()
        question = updates.private(USER, "How many people are held in custody in Crimea?")
        # The webhook server may need a moment after setWebhook; retry the first post briefly.
        status = 0
        for _ in range(100):
            try:
                status = post_update(hook, question, secret)
                break
            except OSError:
                time.sleep(0.1)
        assert status == 200
        answer = bot.reply_to(USER)
        assert "67 <b>people</b>" in answer.text

        forged = updates.private(USER, "How many people are held in custody in Crimea?")
        assert post_update(hook, forged, "wrong-secret") == 403
        assert post_update(hook, forged, None) == 403
        if listen:  # listening there only, not on the default address
            with pytest.raises(OSError):
                post_update(f"http://127.0.0.1:{port}/quotebot/hook", forged, secret)

        assert bot.stop(signal.SIGTERM) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=EXIT_TIMEOUT)
        server.stop()
    output = bot.output()
    assert TOKEN not in output and secret not in output
    answers = [call for call in server.calls if call.method == "sendMessage"]
    assert len(answers) == 1  # the forged updates were not processed
