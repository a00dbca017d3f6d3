"""Telling a lost database connection from any other error, and saying so once per outage rather than per request.

PostgreSQL may go away under a running service (a restart, a failover, ``pg_terminate_backend``). SQLAlchemy then
raises a ``DBAPIError`` marked ``connection_invalidated`` and drops every pooled connection, so the next checkout
opens a fresh one: a read can simply be run again; a write whose commit may not have happened is answered as
unavailable, which clients retry. Errors raised on the driver's own cursor (``prepared.py``) bypass SQLAlchemy's
invalidation, so the caller also discards the pool (``Database.discard_connections``).
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy.exc import DBAPIError, OperationalError

log = logging.getLogger("outbound.outage")


def is_disconnect(exc: BaseException) -> bool:
    """The database could not be reached or dropped the connection (not a bad statement or a constraint)."""
    if not isinstance(exc, DBAPIError):
        return _driver_disconnect(exc)
    if exc.connection_invalidated:
        return True
    # PostgreSQL refusing or dropping connections; SQLite's OperationalError is a lock, a full disk or a bad file,
    # none of which a retry on a fresh connection cures
    return isinstance(exc, OperationalError) and type(exc.orig).__module__.startswith("psycopg")


def _driver_disconnect(exc: BaseException) -> bool:
    """The prepared reads (``prepared.py``) run on the driver's cursor: their errors come unwrapped."""
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return False
    return isinstance(exc, psycopg.OperationalError)


def reason(exc: BaseException) -> str:
    """A one-line reason for logs and ``/health`` (the driver's first line; connection strings carry no password
    in its messages)."""
    cause = getattr(exc, "orig", None) or exc
    text = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {text[0] if text else ''}"[:240]


class Outage:
    """Whether a dependency is down, with one log line when it goes and one when it is back."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.down = False
        self.since = 0.0
        self.last_reason = ""
        self._lock = threading.Lock()

    def failed(self, exc: BaseException) -> None:
        with self._lock:
            self.last_reason = reason(exc)
            if self.down:
                return
            self.down, self.since = True, time.monotonic()
        log.error("%s unreachable: %s (logged once until it is back)", self.what, self.last_reason)

    def recovered(self) -> None:
        with self._lock:
            if not self.down:
                return
            self.down = False
            lasted = time.monotonic() - self.since
        log.warning("%s reachable again after %.1f s", self.what, lasted)
