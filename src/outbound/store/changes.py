"""Whether the store may have changed since a value was read: what the request path's caches ask before reusing
an answer.

SQLite counts commits for us: ``PRAGMA data_version`` on a connection moves whenever *another* connection (of this
process or any other) commits to the file. One connection of its own that never writes therefore sees every commit,
and asking it costs a couple of microseconds, no transaction and no page read. Coarse (any write anywhere moves it)
but exact: a value cached under version ``v`` was read after ``v`` was seen, so while the version still reads ``v``
nothing it depends on has been committed since.

PostgreSQL has no such counter; :func:`outbound.store.orders.order_signature` gives an order's instead.
"""

from __future__ import annotations

import sqlite3
import threading

from outbound.store import process


class SqliteVersion:
    """``PRAGMA data_version`` of a private connection that never writes to the database file (opened lazily, once per
    process: a forked worker opens its own)."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._pid = 0

    def read(self) -> int:
        with self._lock:
            conn = self._conn
            if conn is None or self._pid != process.pid():
                conn = self._conn = sqlite3.connect(self._path, check_same_thread=False, isolation_level=None)
                conn.execute("PRAGMA busy_timeout=30000")
                self._pid = process.pid()
            row = conn.execute("PRAGMA data_version").fetchone()
            return int(row[0])

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and self._pid == process.pid():
                self._conn.close()
            self._conn = None
