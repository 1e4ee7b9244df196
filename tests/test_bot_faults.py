"""Fault injection against the real ``quotebot run`` process (issue 9, one test per row).

The Bot API stand-in on 127.0.0.1 (``tests.bot_api_server``) answers chosen calls with 429,
5xx, 400, 403, a hang, a reset, a non-JSON body, or delivers a poison update; each test asserts
what users see: every question answered exactly once, the next user answered after a fault.
Clocks are short (``tests.bot_process.FAST_CLOCKS``); no assertion is about time.
"""

from __future__ import annotations

import json
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.telegram import messages
from bot.telegram.store import Store
from tests.bot_api_server import BotAPIServer
from tests.bot_process import (
    ANSWER_TIMEOUT,
    EXIT_TIMEOUT,
    STARTUP_TIMEOUT,
    BotProcess,
    environment,
    is_answer,
    replies,
)
from tests.conftest import REPO
from tests.fake_bot_api import TOKEN, Fault, Updates, bot_message

pytestmark = pytest.mark.integration
QUESTION = "How many people are held in custody in Crimea?"


@dataclass
class Scene:
    """One running bot shared by the tests that need no restart (each uses its own users)."""

    server: BotAPIServer
    bot: BotProcess
    updates: Updates

    def ask(self, user: int, text: str = QUESTION) -> None:
        self.server.push_update(self.updates.private(user, text))

    def answered(self, *users: int) -> None:
        """Wait until each user has a reply; then each must have exactly one, an answer."""
        self.server.wait_until(
            lambda: all(replies(self.server, user) for user in users),
            ANSWER_TIMEOUT,
            f"every one of {users} answered",
        )

    def assert_answered_once(self, *users: int) -> None:
        self.answered(*users)
        for user in users:
            got = replies(self.server, user)
            assert len(got) == 1 and is_answer(got[0]), (user, [c.text[:60] for c in got])


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory, real_index_dir: Path) -> Iterator[Scene]:
    home = tmp_path_factory.mktemp("faults")
    server = BotAPIServer(TOKEN)
    server.start()
    env = environment(home / "data", real_index_dir, server)
    try:
        bot = BotProcess.start(env, home / "bot.log", server)
    except BaseException:
        server.stop()
        raise
    try:
        yield Scene(server, bot, Updates())
    finally:
        bot.kill()
        server.stop()


def test_row1_a_poison_update_is_skipped_once_and_the_next_user_answered(scene: Scene) -> None:
    server = scene.server
    polls_before = len([c for c in server.calls if c.method == "getUpdates"])
    poison = {"update_id": scene.updates.next_id(), "message": {"message_id": 1, "text": "hi"}}
    unknown = {"update_id": scene.updates.next_id(), "business_thing": {"secret": "psst"}}
    server.push_update(poison)
    server.push_update(unknown)
    scene.ask(101)
    scene.assert_answered_once(101)
    polls = len([c for c in server.calls if c.method == "getUpdates"]) - polls_before
    assert polls < 20  # not the same batch fetched over and over
    lines = scene.bot.output().splitlines()
    for update in (poison, unknown):
        warnings = [
            line
            for line in lines
            if "WARNING" in line and f"update {update['update_id']} cannot be answered" in line
        ]
        assert len(warnings) == 1, warnings
    above_debug = [line for line in lines if " DEBUG " not in line]
    assert not any("psst" in line or QUESTION in line for line in above_debug)
    assert not any("CRITICAL" in line for line in lines)


def test_row2_a_failing_typing_action_costs_no_answer(scene: Scene) -> None:
    scene.server.fail("sendChatAction", "bad_request", chat_id=201)
    scene.server.fail("sendChatAction", "server_error", times=3, chat_id=202)
    scene.ask(201)
    scene.ask(202)
    scene.assert_answered_once(201, 202)


def test_row3_forged_more_presses_cost_no_search_and_keep_the_limit(scene: Scene) -> None:
    server = scene.server
    scene.ask(301)
    scene.assert_answered_once(301)
    answer = replies(server, 301)[0]
    before = len(server.calls)
    for n in range(60):
        data = f"p:made{n:04d}:1"
        server.push_update(scene.updates.callback(301, data, bot_message(answer)))
    server.wait_until(
        lambda: len([c for c in server.calls[before:] if c.method == "answerCallbackQuery"]) == 60,
        ANSWER_TIMEOUT,
        "60 refusals",
    )
    made = server.calls[before:]
    assert not [c for c in made if c.method == "editMessageText"]
    assert all(
        c.params.get("text") == messages.STALE_BUTTON
        for c in made
        if c.method == "answerCallbackQuery"
    )


def test_row4_forged_votes_count_once_and_only_in_the_answers_chat(scene: Scene) -> None:
    server = scene.server
    scene.ask(401)
    scene.ask(402)
    scene.assert_answered_once(401, 402)
    victim, voter = replies(server, 401)[0], replies(server, 402)[0]
    token_up = next(
        key["callback_data"]
        for row in victim.params["reply_markup"]["inline_keyboard"]
        for key in row
        if key["text"] == "👍"
    )
    before = len(server.calls)
    for _ in range(100):  # the voter replays the victim's 👍 in the voter's own chat
        server.push_update(scene.updates.callback(402, token_up, bot_message(voter)))
    for _ in range(100):  # and the victim taps it 100 times
        server.push_update(scene.updates.callback(401, token_up, bot_message(victim)))
    server.wait_until(
        lambda: (
            len([c for c in server.calls[before:] if c.method == "answerCallbackQuery"]) == 200
        ),
        ANSWER_TIMEOUT,
        "200 presses handled",
    )
    data = scene.bot.log.parent / "data" / "quotebot.sqlite3"
    with sqlite3.connect(data) as connection:
        rows = connection.execute("SELECT user_id, vote, question FROM feedback").fetchall()
    assert rows == [(401, 1, QUESTION)]


def test_row6_a_minute_of_5xx_and_a_parse_error_still_deliver_one_answer(scene: Scene) -> None:
    server = scene.server
    server.fail("sendMessage", "server_error", times=5, chat_id=601)
    server.fail("sendMessage", "not_json", times=1, chat_id=601)
    server.fail("sendMessage", "reset", times=1, chat_id=601)
    server.fail("sendMessage", "bad_request", times=1, chat_id=602)  # can't parse entities
    scene.ask(601)
    scene.ask(602)
    scene.assert_answered_once(601, 602)
    plain = replies(server, 602)[0]
    assert plain.params.get("parse_mode") in (None, "")
    assert "<b>" not in plain.text


def test_row9_a_flood_wait_in_one_chat_does_not_hold_up_another(scene: Scene) -> None:
    server = scene.server
    server.fail("sendMessage", "retry_after", times=1, chat_id=901, retry_after=4)
    scene.ask(901)
    server.wait_until(
        lambda: any(c.failed == "retry_after" for c in server.calls), ANSWER_TIMEOUT, "the 429"
    )
    scene.ask(902)
    scene.assert_answered_once(901, 902)
    first, second = replies(server, 902)[0], replies(server, 901)[0]
    assert server.calls.index(first) < server.calls.index(second)  # 902 did not wait for 901


def test_row10_a_hung_long_poll_is_cut_logged_and_polling_goes_on(scene: Scene) -> None:
    server = scene.server
    server.fail("getUpdates", "hang", times=1, hang=8.0)
    server.wait_until(
        lambda: any(c.failed == "hang" for c in server.calls), ANSWER_TIMEOUT, "the hang"
    )
    scene.ask(1001)
    scene.assert_answered_once(1001)
    assert any(
        "WARNING" in line and "hung long poll" in line for line in scene.bot.output().splitlines()
    )


def test_a_user_who_blocked_the_bot_is_not_retried(scene: Scene) -> None:
    server = scene.server
    server.fail("sendMessage", "forbidden", times=5, chat_id=1101)
    scene.ask(1101)

    def attempts() -> list[object]:
        return [
            c
            for c in server.calls
            if c.method == "sendMessage" and c.params.get("chat_id") == "1101"
        ]

    # Questions are answered concurrently: wait for the blocked chat's one attempt, then let a
    # later question go all the way through; a retry would have come before it.
    server.wait_until(lambda: bool(attempts()), ANSWER_TIMEOUT, "the blocked chat's send")
    scene.ask(1102)
    scene.assert_answered_once(1102)
    assert len(attempts()) == 1


def test_row12_the_data_is_private(scene: Scene) -> None:
    data = scene.bot.log.parent / "data"
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    databases = [p for p in data.iterdir() if ".sqlite3" in p.name]
    assert {p.name for p in databases} >= {"quotebot.sqlite3", "inbox.sqlite3"}
    assert {stat.S_IMODE(p.stat().st_mode) for p in databases} == {0o600}


def test_row7_nothing_is_lost_across_sigterm_and_sigkill(
    tmp_path: Path, real_index_dir: Path
) -> None:
    """30 questions queued; SIGTERM mid-way (each answer in progress finished or left pending),
    then a restart; then 30 more and SIGKILL, then a restart. Every user gets an answer; after
    SIGTERM nobody gets two."""
    server = BotAPIServer(TOKEN)
    server.start()
    updates = Updates()
    env = environment(tmp_path / "data", real_index_dir, server)
    log = tmp_path / "bot.log"
    try:
        bot = BotProcess.start(env, log, server)
        first = list(range(7001, 7031))
        server.fail("sendMessage", "server_error", times=10)  # slow the answers down
        for user in first:
            server.push_update(updates.private(user, QUESTION))
        server.wait_until(
            lambda: any(replies(server, user) for user in first), ANSWER_TIMEOUT, "a first answer"
        )
        assert bot.stop(signal.SIGTERM) == 0
        bot = BotProcess.start(env, log, server)
        server.wait_until(
            lambda: all(replies(server, user) for user in first), ANSWER_TIMEOUT, "all answered"
        )
        for user in first:
            assert len(replies(server, user)) == 1, user

        second = list(range(8001, 8031))
        before = len(server.calls)
        server.fail("sendMessage", "server_error", times=10)
        pushed = [updates.private(user, QUESTION) for user in second]
        for update in pushed:
            server.push_update(update)
        # Recorded and confirmed: the bot asked for the updates after the last one.
        last = pushed[-1]["update_id"]
        server.wait_for(
            lambda call: call.method == "getUpdates" and int(call.params.get("offset", 0)) > last,
            ANSWER_TIMEOUT,
            "confirmation of the batch",
            before,
        )
        bot.process.kill()
        bot.process.wait()
        bot = BotProcess.start(env, log, server)
        server.wait_until(
            lambda: all(replies(server, user) for user in second), ANSWER_TIMEOUT, "all answered"
        )
        assert bot.stop(signal.SIGTERM) == 0
    finally:
        if bot.process.poll() is None:
            bot.kill()
        server.stop()
    inbox = sqlite3.connect(tmp_path / "data" / "inbox.sqlite3")
    (pending,) = inbox.execute("SELECT COUNT(*) FROM updates WHERE state = 'pending'").fetchone()
    inbox.close()
    assert pending == 0


@pytest.mark.parametrize(
    "token",
    ["123:short", "123456789:AAFakeTokenForTestsOnly-abc\ndefghij", "1/../getMe?x=:" + "a" * 35],
    ids=["short", "newline", "path"],
)
def test_row11_a_malformed_token_is_named_at_once(
    tmp_path: Path, real_index_dir: Path, token: str
) -> None:
    server = BotAPIServer(TOKEN)
    server.start()
    try:
        env = environment(tmp_path / "data", real_index_dir, server, TELEGRAM_BOT_TOKEN=token)
        result = subprocess.run(
            [sys.executable, "-m", "bot", "run"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=ANSWER_TIMEOUT,
        )
    finally:
        server.stop()
    assert result.returncode == 2
    assert result.stderr.startswith("quotebot: error: TELEGRAM_BOT_TOKEN is not a bot token")
    assert len(result.stderr.strip().splitlines()) == 1
    assert server.calls == []  # no request, to any path


def test_row14_a_damaged_database_is_noticed_before_the_index(tmp_path: Path) -> None:
    server = BotAPIServer(TOKEN)
    server.start()
    data = tmp_path / "data"
    data.mkdir()
    (data / "quotebot.sqlite3").write_bytes(b"not a database " * 200)
    try:
        env = environment(data, tmp_path / "no-index-yet", server)
        result = subprocess.run(
            [sys.executable, "-m", "bot", "run"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=ANSWER_TIMEOUT,
        )
    finally:
        server.stop()
    assert result.returncode == 2
    assert "feedback database" in result.stderr and "cannot be used" in result.stderr
    assert not (tmp_path / "no-index-yet").exists()  # no build was started


def _occupied_port() -> Generator[str]:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield str(listener.getsockname()[1])


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"QUOTEBOT_WEBHOOK_LISTEN": "999.1.1.1"}, "QUOTEBOT_WEBHOOK_LISTEN"),
        ({"QUOTEBOT_WEBHOOK_PORT": "occupied"}, "QUOTEBOT_WEBHOOK_PORT"),
        ({"QUOTEBOT_RETENTION_DAYS": "1e12"}, "QUOTEBOT_RETENTION_DAYS"),
        ({"QUOTEBOT_FEEDS": "https://a.example/rss.xml"}, "QUOTEBOT_FEEDS"),
    ],
    ids=["bad-listen-address", "port-in-use", "retention-overflow", "feeds-without-corpus"],
)
def test_a_setting_that_cannot_work_is_one_line_before_the_index(
    tmp_path: Path, extra: dict[str, str], named: str
) -> None:
    """Issue 9, D3/D4/D6: found at start (exit 2, one line naming it), not after minutes of
    loading the index and not as a traceback."""
    server = BotAPIServer(TOKEN)
    server.start()
    ports = _occupied_port()
    try:
        if extra.get("QUOTEBOT_WEBHOOK_PORT") == "occupied":
            extra = {"QUOTEBOT_WEBHOOK_PORT": next(ports)}
        webhook = {"QUOTEBOT_WEBHOOK_URL": "https://bot.example/hook"}
        env = environment(tmp_path / "data", tmp_path / "no-index-yet", server, **webhook, **extra)
        result = subprocess.run(
            [sys.executable, "-m", "bot", "run"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=ANSWER_TIMEOUT,
        )
    finally:
        ports.close()
        server.stop()
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("quotebot: error: ") and named in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not (tmp_path / "no-index-yet").exists()  # no build was started


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def raw_post(port: int, path: str, headers: dict[str, str], body: bytes) -> int:
    """POST over a raw socket (a client that may lie about sizes); the status, 0 if none."""
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=ANSWER_TIMEOUT) as connection:
        try:
            connection.sendall(head.encode("ascii"))
            for start in range(0, len(body), 1 << 20):
                connection.sendall(body[start : start + (1 << 20)])
        except OSError:
            pass  # the server refused and closed before the body was sent: as it should
        try:
            reply = connection.recv(200)
        except OSError:
            return 0
    return int(reply.split()[1]) if reply.startswith(b"HTTP/1.1 ") else 0


def resident_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.fixture
def webhook_bot(
    tmp_path: Path, real_index_dir: Path
) -> Iterator[tuple[BotProcess, BotAPIServer, int, str]]:
    server = BotAPIServer(TOKEN)
    server.start()
    port = free_port()
    secret = "the-webhook-secret"
    env = environment(
        tmp_path / "data",
        real_index_dir,
        server,
        QUOTEBOT_WEBHOOK_URL=f"http://127.0.0.1:{port}/hook",
        QUOTEBOT_WEBHOOK_PORT=str(port),
        QUOTEBOT_WEBHOOK_SECRET=secret,
    )
    log = tmp_path / "bot.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "-vv", "run"],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    bot = BotProcess(process, log)
    try:
        server.wait_for(lambda call: call.method == "setWebhook", 300.0, "setWebhook")
        yield bot, server, port, secret
    finally:
        bot.kill()
        server.stop()


def test_row5_and_row8_the_webhook_refuses_early_and_answers_a_duplicate_once(
    webhook_bot: tuple[BotProcess, BotAPIServer, int, str],
) -> None:
    bot, server, port, secret = webhook_bot
    json_type = {"Content-Type": "application/json"}
    huge = {**json_type, "Content-Length": str(95 * 1024 * 1024)}
    # No body is read before the secret and the size are checked.
    assert raw_post(port, "/hook", huge, b"") == 403
    assert (
        raw_post(port, "/hook", {**huge, "X-Telegram-Bot-Api-Secret-Token": "wrong"}, b"") == 403
    )
    assert raw_post(port, "/hook", {**huge, "X-Telegram-Bot-Api-Secret-Token": secret}, b"") == 413
    before = resident_kib(bot.process.pid)
    body = b"x" * (20 * 1024 * 1024)
    threads = [
        threading.Thread(
            target=raw_post,
            args=(port, "/hook", {**json_type, "Content-Length": str(len(body))}, body),
        )
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(ANSWER_TIMEOUT)
    assert resident_kib(bot.process.pid) - before < 20 * 1024  # not 80 MB of bodies

    update = Updates().private(4242, QUESTION)
    data = json.dumps(update).encode()
    headers = {
        **json_type,
        "Content-Length": str(len(data)),
        "X-Telegram-Bot-Api-Secret-Token": secret,
    }
    assert raw_post(port, "/hook", headers, data) == 200
    assert raw_post(port, "/hook", headers, data) == 200  # Telegram delivered it again
    server.wait_until(lambda: bool(replies(server, 4242)), ANSWER_TIMEOUT, "the answer")
    assert bot.stop(signal.SIGTERM) == 0
    got = replies(server, 4242)
    assert len(got) == 1 and is_answer(got[0])


def test_row13_a_first_build_inside_run_leaves_the_serving_process_small(tmp_path: Path) -> None:
    """The index is built in a child process: afterwards the bot holds what a warm query
    needs (about 240 MB here), not the build's 700 MB and more."""
    server = BotAPIServer(TOKEN)
    server.start()
    env = environment(tmp_path / "data", tmp_path / "data" / "fresh-index", server)
    bot = BotProcess.start(env, tmp_path / "bot.log", server)
    try:
        assert (tmp_path / "data" / "fresh-index").is_dir()  # built by this start
        server.push_update(Updates().private(1301, QUESTION))
        server.wait_until(lambda: bool(replies(server, 1301)), ANSWER_TIMEOUT, "the answer")
        assert resident_kib(bot.process.pid) < 500 * 1024
        assert "in a child process" in bot.output()
    finally:
        bot.kill()
        server.stop()


def test_polling_survives_resets_garbage_5xx_and_429_from_get_updates(scene: Scene) -> None:
    server = scene.server
    server.fail("getUpdates", "reset", times=2)
    server.fail("getUpdates", "not_json", times=1)
    server.fail("getUpdates", "server_error", times=1)
    server.fail("getUpdates", "retry_after", times=1, retry_after=1)
    server.wait_until(
        lambda: len([c for c in server.calls if c.method == "getUpdates" and c.failed]) >= 5,
        ANSWER_TIMEOUT,
        "every getUpdates fault served",
    )
    scene.ask(1201)
    scene.assert_answered_once(1201)


@pytest.mark.parametrize("fault", ["server_error", "hang"])
def test_a_signal_stops_a_bot_that_cannot_reach_telegram_at_start(
    tmp_path: Path, real_index_dir: Path, fault: Fault
) -> None:
    """getMe answered with 502 (or never answered): the startup retries would take a minute,
    but SIGTERM ends them; the exit code is the one for an interrupted run, not 0 (the bot never
    came up) and not 1 (it did not give up)."""
    server = BotAPIServer(TOKEN)
    server.start()
    server.fail("getMe", fault, times=1000, hang=120.0)
    env = environment(tmp_path / "data", real_index_dir, server)
    log = tmp_path / "bot.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "-vv", "run"],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        # A retry has been made (502), or the first getMe hangs: the bot is in its startup.
        calls = 2 if fault == "server_error" else 1
        server.wait_until(
            lambda: sum(call.method == "getMe" for call in server.calls) >= calls,
            STARTUP_TIMEOUT,
            "getMe",
        )
        process.send_signal(signal.SIGTERM)
        # Far less than the retries take (6 tries, each retried for the 20 s send budget).
        code = process.wait(timeout=EXIT_TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        server.stop()
    assert code == 130, log.read_text(errors="replace")[-2000:]
    assert "stopped by a signal before the bot was up" in log.read_text(errors="replace")
    assert not any(call.method == "getUpdates" for call in server.calls)


def test_store_questions_and_retention_settings_change_what_the_bot_keeps(
    tmp_path: Path, real_index_dir: Path
) -> None:
    """QUOTEBOT_STORE_QUESTIONS=0: a new answer's row holds no question text;
    QUOTEBOT_RETENTION_DAYS=1: a 10-day-old row (kept under the default 90 days) is deleted at
    start; QUOTEBOT_SEND_BACKOFF=0.3: the first retry after a 5xx waits 0.3 s."""
    data = tmp_path / "data"
    store = Store.open(data / "quotebot.sqlite3")
    store.issue_answer("old-answer", 42, "a question from ten days ago")
    store.close()
    database = sqlite3.connect(data / "quotebot.sqlite3")
    with database:
        database.execute(
            "UPDATE issued_answers SET created_at = ?",
            ((datetime.now(UTC) - timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%SZ"),),
        )
    database.close()
    server = BotAPIServer(TOKEN)
    server.start()
    env = environment(
        data,
        real_index_dir,
        server,
        QUOTEBOT_STORE_QUESTIONS="0",
        QUOTEBOT_RETENTION_DAYS="1",
        QUOTEBOT_SEND_BACKOFF="0.3",
    )
    try:
        bot = BotProcess.start(env, tmp_path / "bot.log", server)
        try:
            server.fail("sendMessage", "server_error", times=1, chat_id=9901)
            server.push_update(Updates().private(9901, QUESTION))
            server.wait_until(lambda: bool(replies(server, 9901)), ANSWER_TIMEOUT, "an answer")
            assert bot.stop(signal.SIGTERM) == 0
        finally:
            if bot.process.poll() is None:
                bot.kill()
    finally:
        server.stop()
    database = sqlite3.connect(data / "quotebot.sqlite3")
    rows = database.execute("SELECT token, question FROM issued_answers").fetchall()
    database.close()
    assert rows and "old-answer" not in {token for token, _ in rows}
    assert all(question is None for _, question in rows)
    # Nor in any other file of the data directory: the inbox erased the update once answered.
    for path in data.rglob("*"):
        if path.is_file():
            assert QUESTION.encode() not in path.read_bytes(), path
    # QUOTEBOT_SEND_BACKOFF: the first wait after the 5xx.
    assert "retry 1 in 0.3 s" in (tmp_path / "bot.log").read_text(errors="replace")


def test_no_send_retry_budget_and_no_shutdown_grace_are_obeyed(
    tmp_path: Path, real_index_dir: Path
) -> None:
    """QUOTEBOT_SEND_RETRY_BUDGET=0: one 5xx costs the answer (row 6 gets one with a budget);
    QUOTEBOT_SHUTDOWN_GRACE=0: an answer stuck on a hung send at SIGTERM is not waited for but
    left pending for the next start."""
    server = BotAPIServer(TOKEN)
    server.start()
    updates = Updates()
    data = tmp_path / "data"
    env = environment(
        data, real_index_dir, server, QUOTEBOT_SEND_RETRY_BUDGET="0", QUOTEBOT_SHUTDOWN_GRACE="0"
    )
    try:
        bot = BotProcess.start(env, tmp_path / "bot.log", server)
        try:
            server.fail("sendMessage", "server_error", times=1, chat_id=9801)
            server.push_update(updates.private(9801, QUESTION))
            server.wait_until(lambda: bool(replies(server, 9801)), ANSWER_TIMEOUT, "a reply")
            assert [call.text for call in replies(server, 9801)] == [messages.SOMETHING_WRONG]
            assert "giving up" in bot.output()

            server.fail("sendMessage", "hang", times=1, chat_id=9802, hang=30.0)
            server.push_update(updates.private(9802, QUESTION))
            server.wait_until(
                lambda: any(call.failed == "hang" for call in server.calls),
                ANSWER_TIMEOUT,
                "the hung send",
            )
            assert bot.stop(signal.SIGTERM) == 0
        finally:
            if bot.process.poll() is None:
                bot.kill()
    finally:
        server.stop()
    assert replies(server, 9802) == []
    assert "1 update left pending" in bot.output()
    inbox = sqlite3.connect(data / "inbox.sqlite3")
    (pending,) = inbox.execute("SELECT COUNT(*) FROM updates WHERE state = 'pending'").fetchone()
    inbox.close()
    assert pending == 1


def _processes_mentioning(text: str) -> list[int]:
    """Process ids whose command line holds ``text`` (a test's own temporary path)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if text in cmdline:
                found.append(int(entry.name))
    return found


def test_sigterm_during_the_first_index_build_interrupts_it_and_the_build(tmp_path: Path) -> None:
    """Before the bot serves, SIGTERM is Ctrl-C: exit 130, and the child building the index is
    not left running (in a container the bot is process 1, which ignores an unhandled SIGTERM)."""
    server = BotAPIServer(TOKEN)
    server.start()
    index_dir = tmp_path / "index-being-built"
    log = tmp_path / "bot.log"
    env = environment(tmp_path / "data", index_dir, server)
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "-vv", "run"],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not _processes_mentioning(str(index_dir)) or "in a child process" not in (
            log.read_text(errors="replace")
        ):
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        children = [pid for pid in _processes_mentioning(str(index_dir)) if pid != process.pid]
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=EXIT_TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        server.stop()
    assert code == 130, log.read_text(errors="replace")[-2000:]
    assert "interrupted" in log.read_text(errors="replace")
    assert children and not [pid for pid in children if Path(f"/proc/{pid}").exists()]
    assert server.calls == []  # Telegram was never asked


def test_giving_up_on_telegram_at_start_exits_1(tmp_path: Path, real_index_dir: Path) -> None:
    """getMe always 502 (and no send retry budget, so each try fails at once): after its tries
    (1 + 2 + 4 + 8 + 16 s apart) the bot gives up with the documented exit code 1."""
    server = BotAPIServer(TOKEN)
    server.start()
    server.fail("getMe", "server_error", times=1000)
    env = environment(tmp_path / "data", real_index_dir, server, QUOTEBOT_SEND_RETRY_BUDGET="0")
    try:
        result = subprocess.run(
            [sys.executable, "-m", "bot", "run"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=STARTUP_TIMEOUT,
        )
    finally:
        server.stop()
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Telegram could not be reached" in result.stderr
    assert TOKEN not in result.stderr
    assert sum(call.method == "getMe" for call in server.calls) == 6
    assert not any(call.method == "getUpdates" for call in server.calls)
