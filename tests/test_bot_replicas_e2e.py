"""Two real ``quotebot run`` replicas, one PostgreSQL database, one read-only index: one bot.

What docs/replicas.md deploys, end to end: two webhook processes (their own data directories,
the same index and ``QUOTEBOT_DATABASE_URL``) behind what would be a load balancer, here the
test posting to one or the other. A user notices three things: an update Telegram delivers
twice, once to each replica, is answered once; the per-user limit is one limit, not one per
replica; /stats on one counts what the other answered; and an update stuck at one replica
fails that replica's health check only, so a load balancer takes out that one, not both.
"""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from bot.telegram import messages
from tests.bot_api_server import BotAPIServer
from tests.bot_process import ANSWER_TIMEOUT, STARTUP_TIMEOUT, BotProcess, environment, replies
from tests.conftest import REPO
from tests.fake_bot_api import TOKEN, Updates

pytestmark = pytest.mark.integration

QUESTION = "How many people are held in custody in Crimea?"
SECRET = "one-secret-for-every-replica"
ADMIN = 7001
STUCK = 10**9  # an update id no test update has
# The fake Bot API, the two processes, their webhook ports, the index's files before the start.
Replicas = tuple[BotAPIServer, list[BotProcess], list[int], dict[str, tuple[int, int]]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def post(port: int, update: dict[str, object]) -> int:
    """Deliver ``update`` to the replica on ``port`` as Telegram would (retried while that
    replica's server is still starting)."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/hook",
        json.dumps(update).encode(),
        {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET},
        method="POST",
    )
    for _ in range(100):
        try:
            with urllib.request.urlopen(request, timeout=ANSWER_TIMEOUT) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"the replica on port {port} never accepted a connection")


def index_files(index_dir: Path) -> dict[str, tuple[int, int]]:
    """Every file of the index with its size and modification time."""
    return {
        str(path.relative_to(index_dir)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(index_dir.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def two_replicas(tmp_path: Path, real_index_dir: Path, database_url: str) -> Iterator[Replicas]:
    """Two replicas up (webhook registered), and the index's files before they started."""
    index_before = index_files(real_index_dir)
    server = BotAPIServer(TOKEN)
    server.start()
    ports = [free_port(), free_port()]
    bots: list[BotProcess] = []
    try:
        for n, port in enumerate(ports):
            env = environment(
                tmp_path / f"data-{n}",
                real_index_dir,
                server,
                QUOTEBOT_DATABASE_URL=database_url,
                QUOTEBOT_WEBHOOK_URL="https://bot.example/hook",
                QUOTEBOT_WEBHOOK_PORT=str(port),
                QUOTEBOT_WEBHOOK_SECRET=SECRET,
                QUOTEBOT_RATE_LIMIT="1",
                QUOTEBOT_ADMIN_IDS=str(ADMIN),
            )
            log = tmp_path / f"replica-{n}.log"
            with log.open("ab") as out:
                process = subprocess.Popen(
                    [sys.executable, "-m", "bot", "-vv", "run"],
                    cwd=REPO,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            bots.append(BotProcess(process, log))
        server.wait_until(
            lambda: len(server.succeeded("setWebhook")) == 2, STARTUP_TIMEOUT, "both replicas up"
        )
        yield server, bots, ports, index_before
    finally:
        for bot in bots:
            bot.kill()
        server.stop()


def wait_for_count(database_url: str, counter: str, value: int) -> None:
    """Poll the shared counters until ``counter`` reaches ``value`` (at most ANSWER_TIMEOUT)."""
    deadline = time.monotonic() + ANSWER_TIMEOUT
    with psycopg.connect(database_url, autocommit=True) as connection:
        while True:
            row = connection.execute(
                "SELECT value FROM quotebot_counters WHERE name = %s", (counter,)
            ).fetchone()
            if row is not None and int(row[0]) >= value:
                return
            assert time.monotonic() < deadline, f"{counter} never reached {value}: {row}"
            time.sleep(0.05)


def health_check(data_dir: Path, database_url: str) -> subprocess.CompletedProcess[str]:
    """``python -m bot.telegram.health`` as the replica's container runs it."""
    env = {
        "PATH": "/usr/bin:/bin",
        "QUOTEBOT_DATA_DIR": str(data_dir),
        "QUOTEBOT_DATABASE_URL": database_url,
        "QUOTEBOT_STUCK_AFTER": "60",
    }
    return subprocess.run(
        [sys.executable, "-m", "bot.telegram.health"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_two_replicas_on_one_database_behave_as_one_bot(
    two_replicas: Replicas, real_index_dir: Path, tmp_path: Path, database_url: str
) -> None:
    server, bots, (port_a, port_b), index_before = two_replicas
    updates = Updates()

    # Telegram delivers an update to replica A, times out, and delivers it again to B.
    question = updates.private(501, QUESTION)
    assert post(port_a, question) == 200
    server.wait_until(lambda: bool(replies(server, 501)), ANSWER_TIMEOUT, "the answer")
    assert post(port_b, question) == 200

    # One question per minute (QUOTEBOT_RATE_LIMIT=1): used on A, refused on B.
    assert post(port_a, updates.private(502, QUESTION)) == 200
    server.wait_until(lambda: bool(replies(server, 502)), ANSWER_TIMEOUT, "the answer")
    assert post(port_b, updates.private(502, "What about Crimea?")) == 200
    server.wait_until(lambda: len(replies(server, 502)) == 2, ANSWER_TIMEOUT, "the refusal")

    # /stats on B counts the questions A answered. A replica counts an answer just after
    # sending it (a slow counter table must not delay answers), so wait for the count.
    wait_for_count(database_url, "questions", 2)
    assert post(port_b, updates.private(ADMIN, "/stats")) == 200
    server.wait_until(lambda: bool(replies(server, ADMIN)), ANSWER_TIMEOUT, "the statistics")

    # Each replica's health check judges that replica alone.
    data_dirs = [tmp_path / "data-0", tmp_path / "data-1"]
    for path in data_dirs:  # written a second after the start
        for _ in range(int(ANSWER_TIMEOUT * 10)):
            if (path / "heartbeat").exists():
                break
            time.sleep(0.1)
    replica_a = (data_dirs[0] / "replica").read_text().strip()
    assert replica_a != (data_dirs[1] / "replica").read_text().strip()
    checks = [health_check(path, database_url) for path in data_dirs]
    assert [check.returncode for check in checks] == [0, 0], [check.stderr for check in checks]
    with psycopg.connect(database_url, autocommit=True) as admin:  # stuck at A for 10 minutes
        admin.execute(
            "INSERT INTO quotebot_updates (update_id, body, state, received_at, claimed_by, "
            "claimed_at) VALUES (%s, '{}', 'pending', %s, %s, %s)",
            (STUCK, time.time() - 600, replica_a, time.time() - 600),
        )
        stuck_a, check_b = (health_check(path, database_url) for path in data_dirs)
        admin.execute("DELETE FROM quotebot_updates WHERE update_id = %s", (STUCK,))
    # 600 s and the moments since the insert: starting the check's Python takes a second or
    # more on a loaded machine, so the age it prints is not exactly 600.
    waited = re.search(r"an update has waited (\d+) s", stuck_a.stderr)
    assert stuck_a.returncode == 1 and waited, stuck_a.stderr
    assert 600 <= int(waited.group(1)) <= 600 + ANSWER_TIMEOUT, stuck_a.stderr
    assert check_b.returncode == 0, check_b.stderr

    for bot in bots:
        assert bot.stop(signal.SIGTERM) == 0
    answered_once = replies(server, 501)
    assert len(answered_once) == 1 and answered_once[0].text != messages.SOMETHING_WRONG
    limited = replies(server, 502)[1].text
    assert limited.startswith("You're asking faster than I can keep up")
    stats = replies(server, ADMIN)[0].text
    assert "Questions answered: 2" in stats, stats
    # The replicas only read the shared index (a read-only volume in docs/replicas.md).
    assert index_files(real_index_dir) == index_before
    logs = "".join(bot.output() for bot in bots)
    assert "bot state in PostgreSQL at postgresql://" in logs
