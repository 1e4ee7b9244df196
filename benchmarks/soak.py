"""Soak: 500 questions from 50 users through the real ``quotebot run``, every one answered once.

The bot runs as users run it (``python -m bot run``, the real model and index) against the Bot
API stand-in on 127.0.0.1 (``tests/bot_api_server.py``). Each of the 50 users asks a question,
waits for the answer, and asks the next (a closed loop, so 50 questions are in flight at any
time) until 500 are answered. Prints latency percentiles in ms (update delivered -> answer
sent) and fails (exit 1) if any question went unanswered or was answered twice. Loopback
only; bounded by ``--timeout`` seconds. Not a test: run it by hand.

    python benchmarks/soak.py [--users 50] [--questions 500] [--index DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.bot_api_server import BotAPIServer  # noqa: E402
from tests.fake_bot_api import TOKEN, Updates  # noqa: E402

QUESTIONS = [
    "How many people are held in custody in Crimea?",
    "Who is Ilmi Umerov?",
    "What happened to the Mejlis?",
    "Who was detained in Bakhchisaray?",
    "What did Dzhemilev say about the referendum?",
]
STARTUP_TIMEOUT = 300.0


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--questions", type=int, default=500)
    parser.add_argument("--index", type=Path, help="a built index (default: build one)")
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="quotebot-soak-") as scratch:
        home = Path(scratch)
        index = args.index
        if index is None:
            from embeddings.service import build

            index = home / "index"
            started = time.monotonic()
            build(REPO / "corpus", index, "all-MiniLM-L6-v2")
            print(f"built the index in {time.monotonic() - started:.1f} s", file=sys.stderr)
        server = BotAPIServer(TOKEN)
        server.start()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("QUOTEBOT_", "TELEGRAM_"))}
        env.update(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=server.base_url,
            QUOTEBOT_DATA_DIR=str(home / "data"),
            QUOTEBOT_INDEX=str(index),
            QUOTEBOT_RATE_LIMIT="100000",
            QUOTEBOT_POLL_TIMEOUT="1",
            HF_HUB_OFFLINE="1",
        )
        log = (home / "bot.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=REPO, env=env, stdout=log, stderr=log
        )
        try:
            server.wait_for(lambda c: c.method == "getUpdates", STARTUP_TIMEOUT, "getUpdates")
            return soak(server, args.users, args.questions, args.timeout)
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
            server.stop()
            log.close()


def soak(server: BotAPIServer, users: int, total: int, timeout: float) -> int:
    updates = Updates()
    asked_at: dict[int, float] = {}
    asked = Counter[int]()
    answered = Counter[int]()
    latencies: list[float] = []
    user_ids = [50_000 + n for n in range(users)]

    def ask(user: int) -> None:
        text = QUESTIONS[(asked[user] + user) % len(QUESTIONS)]
        asked[user] += 1
        asked_at[user] = time.monotonic()
        server.push_update(updates.private(user, text))

    started = time.monotonic()
    for user in user_ids:
        if sum(asked.values()) < total:
            ask(user)
    seen = len(server.calls)
    deadline = started + timeout
    while sum(answered.values()) < sum(asked.values()):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            server.wait_for(lambda c: c.method == "sendMessage", left, "an answer", seen)
        except TimeoutError:
            break
        new, seen = server.calls[seen:], len(server.calls)
        for call in new:
            if call.method != "sendMessage" or call.failed is not None:
                continue
            user = int(call.params["chat_id"])
            answered[user] += 1
            latencies.append(time.monotonic() - asked_at[user])
            if sum(asked.values()) < total:
                ask(user)
    elapsed = time.monotonic() - started
    # Let a late duplicate show up before counting.
    time.sleep(1.0)
    replies = Counter(
        int(c.params["chat_id"])
        for c in server.calls
        if c.method == "sendMessage" and c.failed is None
    )
    lost = sum(max(asked[u] - replies[u], 0) for u in user_ids)
    twice = sum(max(replies[u] - asked[u], 0) for u in user_ids)
    print(
        "| users | questions | answered | lost | extra | seconds | q/s | p50 | p90 | p99 | max |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    if not latencies:
        latencies = [0.0]
    ms = [1000 * x for x in latencies]
    print(
        f"| {users} | {sum(asked.values())} | {sum(replies.values())} | {lost} | {twice} | "
        f"{elapsed:.1f} | {len(latencies) / elapsed:.1f} | {percentile(ms, 50):.0f} | "
        f"{percentile(ms, 90):.0f} | {percentile(ms, 99):.0f} | {max(ms):.0f} |"
    )
    print(f"mean {statistics.mean(ms):.0f} ms", file=sys.stderr)
    return 0 if lost == 0 and twice == 0 and sum(asked.values()) == total else 1


if __name__ == "__main__":
    raise SystemExit(main())
