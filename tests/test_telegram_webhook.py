"""The webhook server: refuses before reading, records before answering, answers a duplicate
once (in-process, with the real application over the fake Bot API)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from bot.telegram.dispatch import Dispatcher
from bot.telegram.inbox import DONE, Inbox
from bot.telegram.webhook import MAX_BODY, WebhookServer
from embeddings.search import Searcher
from tests.bot_harness import ALICE, CUSTODY, answers_to, run, running_bot

SECRET = "s3cret"


async def post(port: int, path: str, headers: dict[str, str], body: bytes = b"") -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = f"POST {path} HTTP/1.1\r\nHost: x\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in headers.items()
    )
    writer.write(head.encode() + b"\r\n" + body)
    await writer.drain()
    status = await reader.readline()
    writer.close()
    return int(status.split()[1])


def test_the_webhook_refuses_early_and_answers_each_update_once(
    fake_searcher: Searcher, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with running_bot(fake_searcher, tmp_path) as bot:
            inbox = Inbox.open(tmp_path / "inbox.sqlite3")
            dispatcher = Dispatcher(bot.app, inbox, concurrency=4)
            server = WebhookServer(inbox, dispatcher, "hook", SECRET)
            await server.start("127.0.0.1", 0)
            port = server.port
            try:
                huge = {"Content-Length": str(MAX_BODY * 95)}
                assert await post(port, "/hook", huge) == 403
                assert (
                    await post(port, "/hook", {**huge, "X-Telegram-Bot-Api-Secret-Token": "no"})
                    == 403
                )
                secret = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
                assert await post(port, "/hook", {**huge, **secret}) == 413
                assert await post(port, "/elsewhere", {**huge, **secret}) == 404
                assert await post(port, "/hook", {**secret, "Transfer-Encoding": "chunked"}) == 411
                bad = b"not json"
                assert (
                    await post(port, "/hook", {**secret, "Content-Length": str(len(bad))}, bad)
                    == 400
                )
                update = json.dumps(bot.updates.private(ALICE, CUSTODY)).encode()
                sized = {**secret, "Content-Length": str(len(update))}
                assert await post(port, "/hook", sized, update) == 200
                assert await post(port, "/hook", sized, update) == 200
                await bot.api.wait_until(lambda: bool(answers_to(bot, ALICE)))
                await dispatcher.drain(5.0)
            finally:
                await server.close()
            assert len(answers_to(bot, ALICE)) == 1
            assert inbox.count(DONE) == 1
            inbox.close()

    run(scenario)
