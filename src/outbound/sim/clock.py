"""The service clock: every time-dependent rule of the fulfillment world reads it, never the wall clock.

``real`` follows wall time. ``virtual`` is an instant stored in the database (so the server, its workers and the CLI
agree); it starts at the wall-clock time when first read and only moves when told to. Request freshness and
throttling do not use this clock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import Connection

from outbound.store import Database
from outbound.store import clock as store


class Clock(Protocol):
    def now(self) -> datetime: ...


class RealClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class VirtualClock:
    """Time that moves only on purpose (``outbound clock advance``), shared through the database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def now(self) -> datetime:
        with self.db.read(snapshot=False) as conn:
            current = store.read_clock(conn)
        if current is not None:
            return current
        with self.db.transaction() as conn:
            return store.read_clock(conn) or _start(conn)

    def set(self, moment: datetime) -> None:
        """Move the clock to ``moment`` (callers make sure it is not in the past)."""
        with self.db.transaction() as conn:
            if store.read_clock(conn) is None:
                _start(conn)
            store.set_clock(conn, moment)


def _start(conn: Connection) -> datetime:
    """Start the clock at the wall-clock time."""
    moment = datetime.now(UTC)
    store.start_clock(conn, moment)
    return moment


def build(kind: str, db: Database) -> Clock:
    return VirtualClock(db) if kind == "virtual" else RealClock()
