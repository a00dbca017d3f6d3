"""The section status an operator sets and GetServiceStatus reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from outbound.store import Database
from outbound.store import status as store

STATUSES = ("GREEN", "GREEN_I", "YELLOW", "RED")


@dataclass(frozen=True, slots=True)
class ServiceStatus:
    status: str
    timestamp: datetime
    message_id: str | None = None
    message: str | None = None

    @property
    def has_message(self) -> bool:
        """Messages go out only with a non-GREEN status (plain GREEN means "nothing to say")."""
        return self.status != "GREEN" and bool(self.message)


def get_service_status(db: Database, now: datetime | None = None) -> ServiceStatus:
    with db.read(snapshot=False) as conn:
        stored = store.load(conn)
    moment = now or datetime.now(UTC)
    if stored is None:
        return ServiceStatus("GREEN", moment)
    return ServiceStatus(stored.status, moment, stored.message_id, stored.message)


def set_service_status(db: Database, status: str, message: str | None = None) -> ServiceStatus:
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    now = datetime.now(UTC)
    message_id = f"OUTBOUND-{now:%Y%m%d-%H%M%S}" if message else None
    with db.transaction() as conn:
        store.save(conn, store.StoredStatus(status, message_id, message or None, now))
    return ServiceStatus(status, now, message_id, message or None)
