"""The heartbeat the Docker health check reads."""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path

import psycopg
import pytest

from bot.telegram.database_state import open_state
from bot.telegram.health import beat, heartbeat_path, is_healthy, main, write_heartbeat
from bot.telegram.inbox import INBOX_FILE, PENDING, Inbox
from bot.telegram.pg_inbox import APPLICATION_PREFIX, PgInbox


def test_a_recent_heartbeat_is_healthy_and_an_old_or_missing_one_is_not(tmp_path: Path) -> None:
    path = heartbeat_path(tmp_path)
    assert not is_healthy(path)
    write_heartbeat(path)
    assert is_healthy(path)
    assert not is_healthy(path, max_age=120, now=time.time() + 121)


def test_the_heartbeat_is_written_only_while_the_bot_runs(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "heartbeat"
    running = False
    waits: list[float] = []

    async def scenario() -> None:
        nonlocal running
        turns: asyncio.Queue[None] = asyncio.Queue()

        async def sleep(seconds: float) -> None:  # waits for the test, not for the clock
            waits.append(seconds)
            await turns.get()

        async def until_waits(count: int) -> None:
            async with asyncio.timeout(10):
                while len(waits) < count:
                    await asyncio.sleep(0)  # a turn of the event loop, not a wait

        task = asyncio.create_task(beat(path, lambda: running, interval=30.0, sleep=sleep))
        await until_waits(1)
        assert not path.exists() and waits == [1.0]  # not running: look again soon
        running = True
        turns.put_nowait(None)
        await until_waits(2)
        assert path.exists() and waits == [1.0, 30.0]  # written, then the full interval
        task.cancel()

    asyncio.run(scenario())
    assert is_healthy(path)


def test_the_health_check_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUOTEBOT_DATA_DIR", str(tmp_path))
    assert main() == 1
    write_heartbeat(heartbeat_path(tmp_path))
    assert main() == 0


def test_the_health_check_fails_while_an_update_waits_too_long_for_its_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QUOTEBOT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("QUOTEBOT_STUCK_AFTER", "60")
    write_heartbeat(tmp_path / "heartbeat")
    inbox = Inbox.open(tmp_path / INBOX_FILE)
    assert main() == 0
    inbox.record([{"update_id": 1, "message": {}}], now=time.time() - 600)
    assert main() == 1
    assert "has waited" in capsys.readouterr().err
    inbox.finish(1)
    assert main() == 0
    inbox.close()


def test_quotebot_stuck_after_moves_the_point_where_a_waiting_update_fails_the_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QUOTEBOT_DATA_DIR", str(tmp_path))
    write_heartbeat(tmp_path / "heartbeat")
    inbox = Inbox.open(tmp_path / INBOX_FILE)
    inbox.record([{"update_id": 1, "message": {}}], now=time.time() - 120)
    inbox.close()
    assert main() == 0  # two minutes is within the default five
    monkeypatch.setenv("QUOTEBOT_STUCK_AFTER", "60")
    assert main() == 1
    assert "has waited 120 s" in capsys.readouterr().err
    monkeypatch.setenv("QUOTEBOT_STUCK_AFTER", "soon")
    assert main() == 1
    err = capsys.readouterr().err
    assert "QUOTEBOT_STUCK_AFTER" in err and len(err.strip().splitlines()) == 1


def check_of(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """The health check's exit status for the replica whose data directory is ``data_dir``."""
    monkeypatch.setenv("QUOTEBOT_DATA_DIR", str(data_dir))
    return main()


def terminated(database_url: str, application_name: str) -> None:
    """Kill the sessions named ``application_name`` (a replica killed: nothing released) and
    wait until the server has ended them."""
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            (application_name,),
        )
        for _ in range(200):  # the server ends a backend asynchronously
            row = admin.execute(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = %s",
                (application_name,),
            ).fetchone()
            if row is not None and row[0] == 0:
                return
            time.sleep(0.05)
    raise AssertionError(f"{application_name} still connected")


def test_with_postgresql_a_stuck_update_fails_only_the_replica_that_holds_it(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
) -> None:
    """A load balancer takes out every replica whose check fails: one stuck update must not
    take out them all. An update whose replica died fails nobody; the one that takes it over
    starts its clock again."""
    monkeypatch.setenv("QUOTEBOT_DATABASE_URL", database_url)
    monkeypatch.setenv("QUOTEBOT_STUCK_AFTER", "60")
    one, two = tmp_path / "one", tmp_path / "two"
    assert check_of(one, monkeypatch) == 1  # not running yet: no heartbeat
    first = open_state(one, database_url, store_questions=True)
    second = open_state(two, database_url, store_questions=True)
    for data_dir in (one, two):
        write_heartbeat(heartbeat_path(data_dir))
        assert check_of(data_dir, monkeypatch) == 0
    first.inbox.record([{"update_id": 1, "message": {}}], now=time.time() - 600)
    assert check_of(one, monkeypatch) == 1
    assert "an update has waited 600 s" in capsys.readouterr().err
    assert check_of(two, monkeypatch) == 0  # the other replica keeps serving

    assert isinstance(first.inbox, PgInbox)
    terminated(database_url, APPLICATION_PREFIX + first.inbox.replica)  # the first one dies
    assert check_of(two, monkeypatch) == 0  # an orphan fails nobody...
    assert [item.update_id for item in second.inbox.orphaned()] == [1]  # ...it is taken over
    assert check_of(two, monkeypatch) == 0  # and waits from the take-over on
    with psycopg.connect(database_url, autocommit=True) as admin:  # a test cannot wait a minute
        admin.execute("UPDATE quotebot_updates SET claimed_at = claimed_at - 120")
    assert check_of(two, monkeypatch) == 1  # stuck at the replica that took it over
    assert "an update has waited 120 s" in capsys.readouterr().err
    second.inbox.finish(1)
    assert check_of(two, monkeypatch) == 0
    first.close()
    second.close()


def test_with_postgresql_an_update_nobody_answers_fails_no_replica(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    """A replica stopped with SIGTERM hands its updates back; until a live one takes them over
    (within half a minute) they are nobody's, and fail no check."""
    monkeypatch.setenv("QUOTEBOT_DATABASE_URL", database_url)
    monkeypatch.setenv("QUOTEBOT_STUCK_AFTER", "60")
    live = open_state(tmp_path, database_url, store_questions=True)
    write_heartbeat(heartbeat_path(tmp_path))
    stopped = PgInbox.open(database_url)
    stopped.record([{"update_id": 1, "message": {}}], now=time.time() - 600)
    stopped.close()
    assert check_of(tmp_path, monkeypatch) == 0
    assert live.inbox.count(PENDING) == 1
    live.close()


def test_with_postgresql_and_no_replica_id_the_check_reads_the_whole_inbox(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
) -> None:
    """A data directory without the replica's id (a replica of an older quotebot) cannot tell
    its updates from the others': the oldest of the whole bot counts, as it did."""
    monkeypatch.setenv("QUOTEBOT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("QUOTEBOT_DATABASE_URL", database_url)
    monkeypatch.setenv("QUOTEBOT_STUCK_AFTER", "60")
    write_heartbeat(tmp_path / "heartbeat")
    assert main() == 0  # no replica has created the inbox yet: nothing waits
    inbox, other_replica = PgInbox.open(database_url), PgInbox.open(database_url)
    assert main() == 0
    other_replica.record([{"update_id": 1, "message": {}}], now=time.time() - 600)
    assert main() == 1
    assert "an update has waited 600 s" in capsys.readouterr().err
    other_replica.finish(1)
    assert main() == 0
    inbox.close()
    other_replica.close()


def test_with_postgresql_a_locked_inbox_fails_the_check_within_its_timeout(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
) -> None:
    """A table no query can read (here a lock another session holds) is an inbox no replica
    can write: unhealthy, in one line, instead of a health check that hangs."""
    monkeypatch.setenv("QUOTEBOT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("QUOTEBOT_DATABASE_URL", database_url)
    write_heartbeat(tmp_path / "heartbeat")
    PgInbox.open(database_url).close()
    with psycopg.connect(database_url) as admin, admin.transaction():
        admin.execute("LOCK TABLE quotebot_updates IN ACCESS EXCLUSIVE MODE")
        assert main() == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "statement timeout" in lines[0], lines
    assert main() == 0


def test_with_an_unreachable_database_the_check_fails_with_one_line_without_the_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("QUOTEBOT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("QUOTEBOT_DATABASE_URL", f"postgresql://bot:s3cret@127.0.0.1:{port}/db")
    write_heartbeat(tmp_path / "heartbeat")
    assert main() == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "s3cret" not in err
    assert "quotebot: unhealthy: cannot connect to the database" in err
    assert f"postgresql://bot:***@127.0.0.1:{port}/db" in err
