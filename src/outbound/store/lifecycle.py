"""Queries of the simulator: the next due step, shipping a shipment's packages, stock leaving, the order's event log.

The engine claims and writes its batches with ``store/batch.py``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, insert, select, update

from outbound.store.schema import inventory, order_events, orders, packages, shipment_items, shipments


def earliest_due(conn: Connection) -> datetime | None:
    value: datetime | None = conn.execute(
        select(orders.c.next_step_at).order_by(orders.c.next_step_at).where(orders.c.next_step_at.is_not(None)).limit(1)
    ).scalar()
    return value


def set_next_step(conn: Connection, order_id: int, at: datetime | None) -> None:
    conn.execute(update(orders).where(orders.c.id == order_id).values(next_step_at=at))


def consume(conn: Connection, seller_id: str, seller_sku: str, fc_code: str, quantity: int) -> None:
    """Reserved units leave the building with their shipment."""
    conn.execute(
        update(inventory)
        .where(
            and_(
                inventory.c.seller_id == seller_id, inventory.c.seller_sku == seller_sku, inventory.c.fc_code == fc_code
            )
        )
        .values(reserved=inventory.c.reserved - quantity)
    )


def shipment_row_id(conn: Connection, order_id: int, amazon_shipment_id: str) -> int:
    query = select(shipments.c.id).where(
        shipments.c.order_id == order_id, shipments.c.amazon_shipment_id == amazon_shipment_id
    )
    return int(conn.execute(query).scalar_one())


@dataclass(frozen=True, slots=True)
class PackageRow:
    package_number: int
    carrier_code: str
    tracking_number: str
    ship_date: datetime
    estimated_arrival_at: datetime | None
    journey: str
    ship_to: dict[str, str]


def insert_packages(conn: Connection, seller_id: str, shipment_id: int, rows: Sequence[PackageRow]) -> None:
    conn.execute(
        insert(packages),
        [
            {
                "package_number": r.package_number,
                "seller_id": seller_id,
                "shipment_id": shipment_id,
                "carrier_code": r.carrier_code,
                "tracking_number": r.tracking_number,
                "ship_date": r.ship_date,
                "estimated_arrival_at": r.estimated_arrival_at,
                "journey": r.journey,
                "ship_to": json.dumps(r.ship_to),
            }
            for r in rows
        ],
    )


def set_item_package(conn: Connection, shipment_id: int, position: int, package_number: int) -> None:
    conn.execute(
        update(shipment_items)
        .where(and_(shipment_items.c.shipment_id == shipment_id, shipment_items.c.position == position))
        .values(package_number=package_number)
    )


def add_event(conn: Connection, order_id: int, at: datetime, kind: str, detail: str | None = None) -> None:
    conn.execute(insert(order_events).values(order_id=order_id, at=at, kind=kind, detail=detail))


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
