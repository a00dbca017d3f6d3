"""The operator-set status GetServiceStatus reports: one row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from outbound.store.prepared import PreparedQuery
from outbound.store.schema import service_status

_ROW = 1


@dataclass(frozen=True, slots=True)
class StoredStatus:
    status: str
    message_id: str | None
    message: str | None
    updated_at: datetime


_LOAD = PreparedQuery(select(service_status).where(service_status.c.id == _ROW))  # every GetServiceStatus


def load(conn: Connection) -> StoredStatus | None:
    row = _LOAD.first(conn)
    if row is None:
        return None
    return StoredStatus(row.status, row.message_id, row.message, row.updated_at)


def save(conn: Connection, value: StoredStatus) -> None:
    values = {
        "status": value.status,
        "message_id": value.message_id,
        "message": value.message,
        "updated_at": value.updated_at,
    }
    if load(conn) is None:
        conn.execute(service_status.insert().values(id=_ROW, **values))
    else:
        conn.execute(service_status.update().where(service_status.c.id == _ROW).values(**values))
