"""The service clock: every time-dependent rule of the fulfillment world reads it, never the wall clock.

``real`` follows wall time. ``virtual`` is an instant stored in the database (so the server, its workers and the CLI
agree); it starts at the wall-clock time when first read and only moves when told to. Request freshness and
throttling do not use this clock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import Connection, select, update

from outbound.store import Database
from outbound.store.prepared import Query
from outbound.store.schema import sim_clock

_ROW = 1


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
            current = read(conn)
        if current is not None:
            return current
        with self.db.transaction() as conn:
            return read(conn) or start(conn)

    def set(self, moment: datetime) -> None:
        """Move the clock to ``moment`` (callers make sure it is not in the past)."""
        with self.db.transaction() as conn:
            if read(conn) is None:
                start(conn)
            conn.execute(update(sim_clock).where(sim_clock.c.id == _ROW).values(now=moment))


_NOW = Query(select(sim_clock.c.now).where(sim_clock.c.id == _ROW))  # read by every request in virtual mode


def read(conn: Connection) -> datetime | None:
    row = _NOW.first(conn)
    return None if row is None else row.now


def start(conn: Connection, moment: datetime | None = None) -> datetime:
    """Start the clock at ``moment`` (default: the wall-clock time now)."""
    moment = moment or datetime.now(UTC)
    conn.execute(sim_clock.insert().values(id=_ROW, now=moment))
    return moment


def build(kind: str, db: Database) -> Clock:
    return VirtualClock(db) if kind == "virtual" else RealClock()
