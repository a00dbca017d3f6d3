"""The database handle: engine creation from a plain URL, SQLite tuning, and migrations on open."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from outbound.store import process
from outbound.store.async_reads import AsyncReads
from outbound.store.changes import SqliteVersion
from outbound.store.outage import Outage

if TYPE_CHECKING:
    from outbound.store.group import GroupCommit

T = TypeVar("T")

DEFAULT_URL = "sqlite:///./outbound.db"
_PG_LOCK = 7_204_211  # advisory lock id held while migrating, so concurrent starts don't race


def normalize_url(url: str) -> str:
    """Map the plain ``postgresql://`` scheme to the driver the package ships (psycopg 3)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


SUPPORTED = "Outbound runs on SQLite (sqlite:///path/file.db) or PostgreSQL (postgresql://user@host:port/db)"


def url_problem(url: str) -> str | None:
    """What is wrong with a database URL before any connection is tried (``None``: nothing seen)."""
    try:
        parsed = make_url(url)
    except Exception:
        return f"not a database URL: {url!r}; {SUPPORTED}"
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
            folder = Path(parsed.database).expanduser().resolve().parent
            if not folder.is_dir():
                return (
                    f"the directory {folder} of the SQLite store {url} does not exist; create it or give another --db"
                )
        return None
    if backend in ("postgresql", "postgres") and parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg"):
        return None
    return f"unsupported database URL {parsed.render_as_string(hide_password=True)}: {SUPPORTED}"


def describe_url(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite") and parsed.database and parsed.database != ":memory:":
        return f"sqlite:///{Path(parsed.database).resolve()}"
    # URL.set() keeps a password given as None; _replace is the documented namedtuple way to drop a field
    return parsed._replace(password=None).render_as_string(hide_password=False).replace("+psycopg", "")


class Database:
    """One engine per process; ``transaction()`` is the unit of work every service call runs in."""

    def __init__(self, url: str = DEFAULT_URL, *, pool: bool = True) -> None:
        self.url = normalize_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        self.outage = Outage("database")  # shared by the requests and the engine of this process
        database = make_url(self.url).database if self.is_sqlite else None
        # an in-memory database is one per connection: no other connection's commits to watch
        self._version = SqliteVersion(database) if database and database != ":memory:" else None
        self._writers = threading.RLock() if self.is_sqlite else None
        self._group: GroupCommit | None = None
        kwargs: dict[str, Any] = {}
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        elif pool:
            # no pre-ping: it costs a round trip per checkout; a connection the server dropped is discarded when
            # its error surfaces (one request answers InternalError), and connections are recycled hourly
            kwargs.update(pool_size=10, max_overflow=20, pool_recycle=3600)
        else:
            kwargs["poolclass"] = NullPool
        self.engine: Engine = create_engine(self.url, **kwargs)
        # PostgreSQL reads run in autocommit: under READ COMMITTED a transaction adds BEGIN and COMMIT round trips
        # but no consistency (every statement takes its own snapshot either way)
        self._reader: Engine = (
            self.engine if self.is_sqlite else self.engine.execution_options(isolation_level="AUTOCOMMIT")
        )
        # one statement needs no transaction around it; on SQLite the begin listener then emits no BEGIN (not the
        # AUTOCOMMIT isolation level: resetting it on the pooled connection would turn the driver's own
        # transaction handling back on)
        self._single: Engine = self.engine.execution_options(outbound_single=True) if self.is_sqlite else self._reader
        # a SQLite file's writers, and its single-statement reads, each take turns on a connection kept for them
        file = self._version is not None
        self._kept_writer = _Kept(self.engine, self._writers) if file and self._writers is not None else None
        self._kept_single = _Kept(self._single, threading.RLock()) if file else None
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin_immediate)
        else:
            event.listen(self.engine, "connect", _postgresql_utc)
        # PostgreSQL reads the request path awaits on the event loop rather than waiting for in it
        self.async_reads = None if self.is_sqlite else AsyncReads(self.engine)

    @property
    def public_url(self) -> str:
        """The store's URL as it may be printed and logged: no password, a SQLite file as an absolute path."""
        return describe_url(self.url)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A read-write transaction: committed on success, rolled back (nothing half-written) on error.

        On SQLite the threads of this process take turns at a lock before ``BEGIN IMMEDIATE``: SQLite has one
        writer, and a thread refused its lock waits in SQLite's busy handler, which sleeps 1, 2, 5, 10... ms
        between tries, leaving the lock idle while it sleeps; a waiting thread here is woken as soon as the writer
        before it is done. Other processes still meet at SQLite's own lock.

        As the writers of a process take turns anyway, a SQLite file's transactions run on one connection kept
        between them (checking a connection out of the pool and back in cost about as much as a small write)."""
        if self._writers is None:
            with self.engine.begin() as conn:
                yield conn
            return
        with self._writers:
            kept = self._kept_writer.take() if self._kept_writer is not None else None
            if kept is None:
                with self.engine.begin() as conn:
                    yield conn
                return
            with kept.begin():
                yield kept

    def grouped(self, work: Callable[[Connection], T], again: tuple[type[BaseException], ...] = ()) -> T:
        """``work(conn)`` in a write transaction shared with the concurrent callers of this process, each in a
        savepoint, committed once for all (``store/group.py``); a caller alone gets one of its own. ``again``:
        exceptions on which the work is undone and run once more (a unique-key race)."""
        if self._group is None:
            from outbound.store.group import GroupCommit

            self._group = GroupCommit(self)
        return self._group.run(work, again)

    @contextmanager
    def read(self, *, snapshot: bool = True) -> Iterator[Connection]:
        """Reading: on SQLite one snapshot that does not take the write lock, so reads run beside a writer; on
        PostgreSQL plain autocommit statements. ``snapshot=False`` is for a single statement, which is consistent
        on its own: on SQLite it then runs without the ``BEGIN`` and ``COMMIT`` around it (on a file, on a
        connection kept for them when no other thread is using it: they are short)."""
        single = self._kept_single
        if not snapshot and single is not None and single.lock.acquire(blocking=False):  # else pooled
            try:
                kept = single.take()
                if kept is not None:
                    try:
                        yield kept
                    finally:
                        if kept.in_transaction():  # SQLAlchemy's own, begun by an execute (no BEGIN was sent)
                            kept.rollback()
                    return
            finally:
                single.lock.release()
        with (self._reader if snapshot else self._single).connect() as conn:
            if not self.is_sqlite or not snapshot:
                yield conn
                return
            conn.execution_options(outbound_read=True)
            with conn.begin():
                yield conn

    def change_version(self) -> int | None:
        """A number that moves whenever anyone commits to the store (SQLite files; ``None`` elsewhere): a value
        read after seeing version ``v`` is still current while the version reads ``v`` (``store/changes.py``)."""
        return None if self._version is None else self._version.read()

    def _close_kept(self) -> None:
        for kept in (self._kept_writer, self._kept_single):
            if kept is not None:
                kept.close()

    def ping(self) -> None:
        """One trivial round trip; raises whatever the driver raises when the database cannot answer."""
        with self.read() as conn:
            conn.execute(text("SELECT 1"))

    def migrate(self) -> None:
        """Bring the schema to the newest revision (Alembic), on SQLite and PostgreSQL alike."""
        from alembic import command  # imported here: a fifth of a second that only migrating needs
        from alembic.config import Config

        with self.engine.begin() as conn:
            if not self.is_sqlite:
                conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_LOCK})
            config = Config()
            config.set_main_option("script_location", str(resources.files("outbound.store") / "migrations"))
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

    def discard_connections(self) -> None:
        """After a lost connection: a new pool, so the next checkout connects afresh (a server restart or
        ``pg_terminate_backend`` ends every pooled connection at once)."""
        self._close_kept()
        self.engine.dispose()

    async def close_async(self) -> None:
        """Close the connections the running event loop's awaited reads hold: a server stopping."""
        if self.async_reads is not None:
            await self.async_reads.close()

    def dispose(self) -> None:
        self._close_kept()
        self.engine.dispose()
        if self._version is not None:
            self._version.close()


class _Kept:
    """A connection of a SQLite file kept out of the pool for one kind of use, for whoever holds ``lock`` (the
    writers, who take turns at it anyway; a single-statement read, when no other thread is reading): checking a
    connection out of the pool and back in cost about as much as a small write. Opened on first use in each
    process, replaced once closed or invalidated."""

    def __init__(self, engine: Engine, lock: threading.RLock) -> None:
        self._engine = engine
        self.lock = lock
        self._held: tuple[int, Connection] | None = None  # (pid, connection)

    def take(self) -> Connection | None:
        """The connection, for the holder of :attr:`lock`; ``None`` when the holder is using it already (a use
        inside another: that one takes a pooled connection, as every use did before)."""
        held = self._held
        if held is not None and held[0] == process.pid():
            conn = held[1]
            if not conn.closed and not conn.invalidated:
                return None if conn.in_transaction() else conn
            conn.close()
        conn = self._engine.connect()
        self._held = (process.pid(), conn)
        return conn

    def close(self) -> None:
        with self.lock:
            held, self._held = self._held, None
            if held is not None and held[0] == process.pid():
                held[1].close()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # The driver's own transaction handling is turned off; we issue BEGIN IMMEDIATE ourselves (below).
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # a 64 MiB page cache (the default is 2 MiB) and a checkpoint every ~40 MB of WAL (default ~4 MB): the engine's
    # batches rewrite many pages at once; +17 % steps/s at 100,000 orders (bench/README.md)
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA wal_autocheckpoint=10000")
    cursor.close()


def _postgresql_utc(dbapi_conn: Any, _record: Any) -> None:
    """Sessions in UTC: psycopg then returns ``datetime.UTC`` datetimes, which need no conversion when read (with the
    server's zone name, e.g. ``Etc/UTC``, every datetime read cost an ``astimezone``). Stored instants don't change:
    the columns are ``timestamptz``. Set after connecting, not as a startup option, which PgBouncer refuses."""
    dbapi_conn.execute("SET TIME ZONE 'UTC'")
    dbapi_conn.commit()


def _sqlite_begin_immediate(conn: Connection) -> None:
    """Writers take SQLite's lock up front: one at a time, no deadlock-prone lock upgrades mid-transaction."""
    options = conn.get_execution_options()
    if options.get("outbound_single"):
        return  # a single-statement read: SQLite runs it in a transaction of its own
    statement = "BEGIN" if options.get("outbound_read") else "BEGIN IMMEDIATE"
    try:  # on the driver's connection: through SQLAlchemy's execution it cost more than the statement itself
        conn.connection.dbapi_connection.execute(statement)  # type: ignore[union-attr]
    except sqlite3.Error as exc:  # raised as Connection.execute raises the driver's errors (a busy store, ...)
        raise DBAPIError.instance(statement, None, exc, sqlite3.Error, dialect=conn.dialect) from exc
