"""The PostgreSQL connection that replicas share state through (``QUOTEBOT_DATABASE_URL``).

One bot can be served by several webhook replicas behind a load balancer only if what must be
the same for all of them (counters and feedback, per-user limits, the update inbox) lives in
one place. SQLite in the data directory stays the default for one process; with a
``postgresql://`` URL the ``pg_*`` modules keep the same data in PostgreSQL instead.

Each store holds one ``Database``: at most ``size`` autocommit connections (one for the
feedback store and the inbox, whose calls are short and ordered; a few for the per-user limits,
so that one user's check waiting on a lock does not queue every other user's behind it), each
used by one thread at a time. An idle connection the server has ended (a restart, a
failover, ``pg_terminate_backend``) is noticed before it is used, without a round trip (the
server's goodbye is waiting on its socket), and dropped with every other such one; the call
connects afresh. So a database restart costs the calls made while it was down, not the first
question after it, nor the process. Each connection gets a ``lock_timeout`` and a
``statement_timeout`` (``LOCK_TIMEOUT``, ``STATEMENT_TIMEOUT``) unless the URL, the role or
the database set their own: a lock nobody releases fails calls with an error instead of
holding a connection (and the user's update) for good.
``Database.run`` is how the event loop calls it: in the database's own worker threads (as many
as connections), never in the loop (a round trip blocks for milliseconds, for as long as a lock
is held or a server is slow), and never in asyncio's shared thread pool, which a stalled
database would fill, delaying every other chat's search with it. Schemas are created on first
use under an advisory lock (two replicas starting together must not race on ``CREATE TABLE``)
and carry a version in ``quotebot_schema``, checked as the SQLite ``user_version``
is. The URL is never logged or put in an error with a secret (``redact_url``: the password in
the userinfo or as ``?password=``, ``sslpassword``...; ``scrub`` for the driver's messages).
psycopg is imported only here and in the ``pg_*`` modules, and only when a URL is configured.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import select
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import unquote

from embeddings import QuotebotError

if TYPE_CHECKING:
    import psycopg

logger = logging.getLogger(__name__)

T = TypeVar("T")

CONNECT_TIMEOUT = 10
# Seconds a statement may wait for a lock, and run at all, on the replicas' connections
# (unless the URL's options, the role or the database set their own): generous for a check
# queued behind another replica's, short enough that a lock nobody releases costs calls an
# error, not the connection for good.
LOCK_TIMEOUT = 30.0
STATEMENT_TIMEOUT = 60.0
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


# libpq keywords whose value is a secret, or names where one is kept: never shown.
SECRET_PARAMETERS = frozenset({"password", "sslpassword", "passfile", "sslkey"})
# What the userinfo of a URL must not hold unencoded (libpq ends it at the first '@' or '/',
# Python's urlsplit at the last '@' before a '/', '?' or '#'): a password with one of these
# must be percent-encoded (docs/replicas.md).
URL_SPECIAL = "@/?#"


def _userinfo_end(rest: str) -> int:
    """Where the userinfo of ``rest`` (a URL after ``scheme://``) ends: the index of its last
    '@' outside the query, or -1 when it has none. Generous on purpose: a password holding an
    unencoded '/', '#' or '@' still counts as userinfo, so that no part of it is shown."""
    query = rest.find("?")
    head = rest if query < 0 else rest[:query]
    at = head.rfind("@")
    if at >= 0:
        return at
    # '?' inside a password: "user:pa?ss@host/db" puts the rest of it in the query.
    first = rest[query + 1 :].split("&", 1)[0] if query >= 0 else ""
    if "@" in first and "=" not in first:
        return query + 1 + first.rfind("@")
    return -1


def unencoded_userinfo(url: str) -> bool:
    """Whether the user name or password of ``url`` holds an '@', '/', '?' or '#' that was not
    percent-encoded (libpq would then read part of the password as the host or database)."""
    _, separator, rest = url.partition("://")
    if not separator:
        return False
    end = _userinfo_end(rest)
    return end >= 0 and any(character in rest[:end] for character in URL_SPECIAL)


def url_secrets(url: str, pieces: bool = False) -> list[str]:
    """Every secret ``url`` holds: its password (as written and decoded, with the user name)
    and the values of the query's ``SECRET_PARAMETERS``; with ``pieces``, also the parts of a
    password split at an unencoded '@', '/', '?' or '#' (libpq ends the userinfo at the first
    '@' or '/', so such a part reads as a host, a port or a database name, which its errors
    quote). Longest first, so that a secret is replaced whole before any part of it."""
    found: list[str] = []
    _, separator, rest = url.partition("://")
    if not separator:
        return found
    end = _userinfo_end(rest)
    if end >= 0:
        userinfo = rest[:end]
        _, colon, password = userinfo.partition(":")
        if colon:
            found.extend([userinfo, unquote(userinfo), password, unquote(password)])
            if pieces:
                found.extend(re.split(r"[@/?#]", password))
    query = rest.partition("?")[2].partition("#")[0]
    for item in query.split("&"):
        key, equals, value = item.partition("=")
        if equals and unquote(key).strip().lower() in SECRET_PARAMETERS and value:
            found.extend([value, unquote(value)])
    return sorted({secret for secret in found if len(secret) >= 2}, key=len, reverse=True)


def redact_url(url: str) -> str:
    """``url`` as logs and error messages show it: the password (in the userinfo or as a
    ``?password=``, ``sslpassword=``... parameter) replaced by ``***``, and the whole userinfo
    when it is not cleanly ``user:password`` (an unencoded '@', '/', '?' or '#')."""
    scheme, separator, rest = url.partition("://")
    if not separator:
        return "<an unreadable database URL>"
    end = _userinfo_end(rest)
    if end >= 0:
        userinfo, rest = rest[:end], rest[end + 1 :]
        user, colon, _ = userinfo.partition(":")
        clean = not any(character in userinfo for character in URL_SPECIAL)
        shown = (f"{user}:***" if colon else user) if clean else "***"
        rest = f"{shown}@{rest}"
    address, question, query = rest.partition("?")
    if question:
        query, hash_, fragment = query.partition("#")
        items = []
        for item in query.split("&"):
            key, equals, _ = item.partition("=")
            if equals and unquote(key).strip().lower() in SECRET_PARAMETERS:
                item = f"{key}=***"
            items.append(item)
        rest = f"{address}?{'&'.join(items)}{hash_}{fragment}"
    return f"{scheme}://{rest}"


def scrub(text: str, url: str) -> str:
    """``text`` (a driver's error message) with every secret of ``url`` replaced by ``***``:
    libpq quotes parts of a URL it cannot use, a password's tail among them."""
    for secret in url_secrets(url, pieces=True):
        text = text.replace(secret, "***")
    return text


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
            connection = psycopg.connect(
                self.url,
                autocommit=True,
                connect_timeout=self.connect_timeout,
                application_name=self.application_name,
            )
        except psycopg.Error as error:
            raise DatabaseError(
                f"cannot connect to the database {redact_url(self.url)}: "
                f"{scrub(_first_line(error), self.url)}"
            ) from None
        try:
            # Bounds, unless the URL, the role or the database set their own: a lock held
            # for good (a stuck session, a forgotten transaction) fails the call with an
            # error after LOCK_TIMEOUT instead of taking this connection away for ever.
            for name, seconds in (
                ("lock_timeout", LOCK_TIMEOUT),
                ("statement_timeout", STATEMENT_TIMEOUT),
            ):
                connection.execute(
                    "SELECT set_config(%s, %s, false) WHERE current_setting(%s) = '0'",
                    (name, f"{int(seconds * 1000)}ms", name),
                )
        except psycopg.Error as error:
            connection.close()
            raise DatabaseError(
                f"cannot set up a connection to {redact_url(self.url)}: "
                f"{scrub(_first_line(error), self.url)}"
            ) from None
        return connection

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
        with self._lock:
            if self._closed:
                raise DatabaseError(f"the connection to {redact_url(self.url)} is closed")
            connection = self._idle.pop() if self._idle else None
            if connection is not None and not _alive(connection):
                # The server ended it while it was idle (a restart, a failover, an
                # administrator): the others went with it, so every one that is gone is
                # dropped now, and this call and the next connect afresh instead of failing.
                dead = [connection, *(idle for idle in self._idle if not _alive(idle))]
                self._idle = [idle for idle in self._idle if idle not in dead]
                connection = None
                logger.warning(
                    "the server closed %d idle database %s (a restart?); connecting again",
                    len(dead),
                    "connection" if len(dead) == 1 else "connections",
                )
                for gone in dead:
                    with contextlib.suppress(Exception):
                        gone.close()
        return self._connect() if connection is None else connection

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


def _alive(connection: psycopg.Connection[tuple[object, ...]]) -> bool:
    """Whether an idle ``connection`` can still be used, without a round trip: the server
    sends nothing on an idle connection unless it is ending it (a restart, a failover,
    ``pg_terminate_backend``: its FATAL message, or the end of the stream, is waiting)."""
    if connection.closed or connection.broken:
        return False
    try:
        readable, _, _ = select.select([connection.pgconn.socket], [], [], 0)
    except Exception:  # a socket already gone
        return False
    return not readable


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
        raise error_type(
            f"{what} in {redact_url(url)} failed: {scrub(_first_line(error), url)}"
        ) from None
    except DatabaseError as error:
        raise error_type(scrub(str(error), url)) from None
