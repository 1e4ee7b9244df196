"""The PostgreSQL connection that replicas share state through (``QUOTEBOT_DATABASE_URL``).

One bot can be served by several webhook replicas behind a load balancer only if what must be
the same for all of them (counters and feedback, per-user limits, the update inbox) lives in
one place. SQLite in the data directory stays the default for one process; with a
``postgresql://`` URL the ``pg_*`` modules keep the same data in PostgreSQL instead.

Each store holds one ``Database``: at most ``size`` autocommit connections (one for the
feedback store and the inbox, whose calls are short and ordered; a few for the per-user limits,
so that one user's check waiting on a lock does not queue every other user's behind it), each
used by one thread at a time and opened again on the next call after the server dropped it (a
call that finds its connection broken closes the idle ones too), so that a database restart
costs the calls made while it was down and one more, not the process.
``Database.run`` is how the event loop calls it: in the database's own worker threads (as many
as connections), never in the loop (a round trip blocks for milliseconds, for as long as a lock
is held or a server is slow), and never in asyncio's shared thread pool, which a stalled
database would fill, delaying every other chat's search with it. Schemas are created on first
use under an advisory lock (two replicas starting together must not race on ``CREATE TABLE``)
and carry a version in ``quotebot_schema``, checked as the SQLite ``user_version``
is. The URL is never logged with its password (``redact_url``). psycopg is imported only here
and in the ``pg_*`` modules, and only when a URL is configured.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import SplitResult, urlsplit

from embeddings import QuotebotError

if TYPE_CHECKING:
    import psycopg

logger = logging.getLogger(__name__)

T = TypeVar("T")

CONNECT_TIMEOUT = 10
# Any constant: the key of the advisory lock held while a schema is created or checked.
MIGRATION_LOCK = 0x71756F74  # "quot"

_VERSIONS = """
CREATE TABLE IF NOT EXISTS quotebot_schema (
    component TEXT PRIMARY KEY,
    version INTEGER NOT NULL
)
"""


class DatabaseError(QuotebotError):
    """The database cannot be reached, or holds a schema this quotebot does not know."""


def redact_url(url: str) -> str:
    """``url`` with its password replaced by ``***`` (what logs and error messages show)."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return "<an unreadable database URL>"
    if not password:
        return url
    user = parts.username or ""
    host = parts.netloc.rpartition("@")[2]
    return SplitResult(
        parts.scheme, f"{user}:***@{host}", parts.path, parts.query, parts.fragment
    ).geturl()


class Database:
    """One connection to ``url``, shared by a store's threads; see the module docstring."""

    def __init__(
        self,
        url: str,
        application_name: str = "quotebot",
        connect_timeout: int = CONNECT_TIMEOUT,
        size: int = 1,
    ) -> None:
        if size < 1:
            raise ValueError(f"size must be at least 1, not {size}")
        self.url = url
        self.application_name = application_name
        self.connect_timeout = connect_timeout
        self.size = size
        # At most ``size`` connections exist; a caller beyond that waits for one to come back.
        self._slots = threading.BoundedSemaphore(size)
        self._lock = threading.Lock()
        self._idle: list[psycopg.Connection[tuple[object, ...]]] = []
        self._closed = False
        # As many threads as connections: more would only wait for a connection.
        self._worker = ThreadPoolExecutor(size, thread_name_prefix=f"{application_name}-db")

    def __repr__(self) -> str:
        return f"Database({redact_url(self.url)!r})"

    def _connect(self) -> psycopg.Connection[tuple[object, ...]]:
        import psycopg

        try:
            return psycopg.connect(
                self.url,
                autocommit=True,
                connect_timeout=self.connect_timeout,
                application_name=self.application_name,
            )
        except psycopg.Error as error:
            raise DatabaseError(
                f"cannot connect to the database {redact_url(self.url)}: {_first_line(error)}"
            ) from None

    @contextlib.contextmanager
    def connection(self) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
        """A connection for this thread alone until the block ends: an idle one, or a new one
        when none is idle (waiting while all ``size`` are in use). Not re-entrant: a thread
        that holds one must not ask for another."""
        with self._slots:
            connection = self._take()
            try:
                yield connection
            finally:
                self._give_back(connection)

    def _take(self) -> psycopg.Connection[tuple[object, ...]]:
        while True:
            with self._lock:
                if self._closed:
                    raise DatabaseError(f"the connection to {redact_url(self.url)} is closed")
                connection = self._idle.pop() if self._idle else None
            if connection is None:
                return self._connect()
            if not connection.closed and not connection.broken:
                return connection
            logger.warning("the database connection was lost; connecting again")
            with contextlib.suppress(Exception):
                connection.close()

    def _give_back(self, connection: psycopg.Connection[tuple[object, ...]]) -> None:
        """Keep ``connection`` for the next call, unless it broke, is inside a transaction
        (a call interrupted half-way) or the database was closed meanwhile."""
        from psycopg.pq import TransactionStatus

        reusable = (
            not connection.closed
            and not connection.broken
            and connection.info.transaction_status == TransactionStatus.IDLE
        )
        stale: list[psycopg.Connection[tuple[object, ...]]] = []
        with self._lock:
            if reusable and not self._closed:
                self._idle.append(connection)
                return
            if connection.broken:
                # The server went away (a restart, a failover): the idle connections went with
                # it, so the next calls connect afresh instead of each failing on a dead one.
                stale, self._idle = self._idle, []
        for dead in (connection, *stale):
            with contextlib.suppress(Exception):
                dead.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
        """The connection inside one transaction (committed when the block ends normally)."""
        with self.connection() as connection, connection.transaction():
            yield connection

    async def run(self, call: Callable[..., T], *args: object) -> T:
        """``call(*args)`` in one of this database's worker threads, awaited: the event loop (every
        other chat) goes on while it waits for the server. Cancelling the wait does not stop
        a call that has started."""
        return await asyncio.get_running_loop().run_in_executor(self._worker, call, *args)

    def migrate(self, component: str, version: int, statements: tuple[str, ...]) -> None:
        """Create ``component``'s tables (``statements``, idempotent) and record ``version``;
        DatabaseError when the database was written by a newer quotebot. The connection is
        closed when this fails (a store that cannot open leaves nothing behind)."""
        try:
            self._migrate(component, version, statements)
        except BaseException:
            self.close()
            raise

    def _migrate(self, component: str, version: int, statements: tuple[str, ...]) -> None:
        with self.transaction() as connection:
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            connection.execute(_VERSIONS)
            row = connection.execute(
                "SELECT version FROM quotebot_schema WHERE component = %s", (component,)
            ).fetchone()
            if row is not None and int(str(row[0])) > version:
                raise DatabaseError(
                    f"the {component} tables in {redact_url(self.url)} were written by a newer "
                    f"quotebot (schema {row[0]}; this one knows {version})"
                )
            for statement in statements:
                connection.execute(statement.encode("utf-8"))
            connection.execute(
                "INSERT INTO quotebot_schema (component, version) VALUES (%s, %s) "
                "ON CONFLICT (component) DO UPDATE SET version = excluded.version",
                (component, version),
            )

    def close(self) -> None:
        """Close the idle connections now and those in use as they come back."""
        self._worker.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for connection in idle:
            with contextlib.suppress(Exception):
                connection.close()


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


@contextlib.contextmanager
def translated(url: str, error_type: type[QuotebotError], what: str) -> Iterator[None]:
    """Turn a driver error inside the block into ``error_type`` (one line, password redacted),
    so that callers handle a PostgreSQL failure as they handle SQLite's."""
    import psycopg

    try:
        yield
    except psycopg.Error as error:
        raise error_type(f"{what} in {redact_url(url)} failed: {_first_line(error)}") from None
    except DatabaseError as error:
        raise error_type(str(error)) from None
