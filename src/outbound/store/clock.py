"""The virtual clock's instant, one row shared by the server, its workers and the CLI."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select, update

from outbound.store.prepared import PreparedQuery
from outbound.store.schema import sim_clock

_ROW = 1
_NOW = PreparedQuery(select(sim_clock.c.now).where(sim_clock.c.id == _ROW))  # read by every request in virtual mode


def read_clock(conn: Connection) -> datetime | None:
    """The stored instant, or ``None`` before the clock was first started."""
    row = _NOW.first(conn)
    return None if row is None else row.now


def start_clock(conn: Connection, moment: datetime) -> None:
    conn.execute(sim_clock.insert().values(id=_ROW, now=moment))


def set_clock(conn: Connection, moment: datetime) -> None:
    conn.execute(update(sim_clock).where(sim_clock.c.id == _ROW).values(now=moment))
