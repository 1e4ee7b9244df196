"""The worker threads that calls into the bot's state (the inbox, the feedback store) run in.

Those calls block: an fsync with SQLite, a round trip with PostgreSQL, for as long as a lock is
held or the server is slow. They must not run on the event loop, and not in asyncio's shared
default pool either (``asyncio.to_thread``): that pool has ``cpu_count + 4`` threads (six on
two cores), searches run in it, and a stalled database would fill it with calls waiting for
the server, so that questions that need nothing from the database (an answer from the index)
would wait too. So each part of the state has a small pool of its own, bounded: when the
database stalls, at most ``THREADS`` calls per part wait in it, the rest queue behind them,
and the default pool stays free for searching. The inbox and the store have separate pools,
so a locked feedback table does not stop updates from being recorded.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

# Threads per part: the SQLite stores serialise their calls behind one lock and a PostgreSQL
# store or inbox has one connection, so more threads would only wait for it.
THREADS = 2
INBOX = "inbox"
STORE = "store"

_pools: dict[str, ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()


def _pool(part: str) -> ThreadPoolExecutor:
    with _pools_lock:
        pool = _pools.get(part)
        if pool is None:
            pool = ThreadPoolExecutor(THREADS, thread_name_prefix=f"quotebot-{part}")
            _pools[part] = pool
        return pool


async def in_state_thread(part: str, call: Callable[..., T], *args: object) -> T:
    """``call(*args)`` in ``part``'s own threads (``INBOX`` or ``STORE``), awaited; the event
    loop and the default pool go on meanwhile. Cancelling the wait does not stop a call that
    has started."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_pool(part), functools.partial(call, *args))


async def inbox_call(call: Callable[..., T], *args: object) -> T:
    """An inbox call (``record``, ``pending``, ``prune``...) in the inbox's threads."""
    return await in_state_thread(INBOX, call, *args)


async def store_call(call: Callable[..., T], *args: object) -> T:
    """A feedback store call (counters, votes, statistics) in the store's threads."""
    return await in_state_thread(STORE, call, *args)
