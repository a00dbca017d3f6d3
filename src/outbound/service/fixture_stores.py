"""A store made fresh for a test: nothing from the previous test left, the virtual clock started again."""

from __future__ import annotations

import uuid
from datetime import datetime

from outbound.store import Database, databases, maintenance
from outbound.store.clock import start_clock


def reset(db: Database, start: datetime | None = None) -> None:
    """Empty the store in one transaction and restart the virtual clock: at ``start`` if given, otherwise at the
    wall-clock time of its next reading. No order is left, so the next clock move has no step of an earlier test
    to apply."""
    with db.transaction() as conn:
        maintenance.empty(conn, truncate=False)  # the clock's row too
        if start is not None:
            start_clock(conn, start)


def private_database(server_url: str) -> tuple[str, str]:
    """A new, empty database on the PostgreSQL server of ``server_url``: its name and URL (not yet migrated)."""
    name = f"outbound_fixture_{uuid.uuid4().hex[:12]}"
    return name, databases.create_database(server_url, name)


def drop_private_database(server_url: str, name: str) -> None:
    databases.drop_database(server_url, name)
