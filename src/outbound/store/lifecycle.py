"""Reads of what the simulator wrote: the order's event log and a package (with its journey); the row a shipped
package is written from.

The engine claims and writes its batches with ``store/batch.py``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from outbound.store.schema import order_events, packages


@dataclass(frozen=True, slots=True)
class PackageRow:
    package_number: int
    carrier_code: str
    tracking_number: str
    ship_date: datetime
    estimated_arrival_at: datetime | None
    journey: str
    ship_to: dict[str, str]


def events(conn: Connection, order_id: int) -> list[tuple[datetime, str, str | None]]:
    query = select(order_events.c.at, order_events.c.kind, order_events.c.detail).where(
        order_events.c.order_id == order_id
    )
    return [(r.at, r.kind, r.detail) for r in conn.execute(query.order_by(order_events.c.at, order_events.c.id))]


@dataclass(frozen=True, slots=True)
class StoredPackage:
    package_number: int
    carrier_code: str
    tracking_number: str | None
    ship_date: datetime | None
    estimated_arrival_at: datetime | None
    journey: str | None
    ship_to: dict[str, str]


def load_package(conn: Connection, seller_id: str, package_number: int) -> StoredPackage | None:
    """The seller's package with this number (another seller's is simply not found)."""
    query = select(packages).where(packages.c.package_number == package_number, packages.c.seller_id == seller_id)
    row = conn.execute(query).first()
    if row is None:
        return None
    return StoredPackage(
        row.package_number,
        row.carrier_code,
        row.tracking_number,
        row.ship_date,
        row.estimated_arrival_at,
        row.journey,
        json.loads(row.ship_to) if row.ship_to else {},
    )
