"""The operators' reads for the dashboard: order search with keyset pages, counts, daily aggregates, sellers.

Every query here runs on an index (``store/schema.py``, migration ``0009``): the order listing walks one of the
``(…, received_at, id)`` indexes newest first and stops after a page, so a page costs the same at a thousand orders
as at a million; an order id or tracking number is looked up on its own index first, never matched by a scan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, and_, bindparam, func, or_, select

from outbound.store.schema import (
    access_keys,
    grants,
    order_items,
    orders,
    packages,
    return_items,
    seller_marketplaces,
    sellers,
    shipments,
)


@dataclass(frozen=True, slots=True)
class OrderFilter:
    """What the orders page narrows by; ``None`` or empty means any."""

    seller_id: str | None = None
    status: str | None = None
    speed: str | None = None
    received_from: datetime | None = None  # inclusive
    received_before: datetime | None = None  # exclusive
    sku: str | None = None
    query: str | None = None  # a SellerFulfillmentOrderId or a tracking number


@dataclass(frozen=True, slots=True)
class OrderRow:
    """One line of the orders table: the order row only, no children."""

    id: int
    seller_id: str
    seller_order_id: str
    marketplace_id: str
    displayable_order_id: str
    status: str
    shipping_speed: str
    received_at: datetime
    status_updated_at: datetime


def matching_ids(conn: Connection, query: str, seller_id: str | None) -> list[int]:
    """Orders whose SellerFulfillmentOrderId or a package's tracking number is ``query``: two index lookups."""
    by_id = select(orders.c.id).where(orders.c.seller_order_id == query)
    if seller_id:
        by_id = by_id.where(orders.c.seller_id == seller_id)
    by_tracking = (
        select(shipments.c.order_id)
        .select_from(packages.join(shipments, shipments.c.id == packages.c.shipment_id))
        .where(packages.c.tracking_number == query)
    )
    if seller_id:
        by_tracking = by_tracking.where(packages.c.seller_id == seller_id)
    found = {int(r[0]) for r in conn.execute(by_id)} | {int(r[0]) for r in conn.execute(by_tracking)}
    return sorted(found)


def search_orders(
    conn: Connection, wanted: OrderFilter, after: tuple[datetime, int] | None, limit: int
) -> list[OrderRow]:
    """Newest first (received, then id), after the keyset cursor; ``limit`` rows at most."""
    query = select(
        orders.c.id,
        orders.c.seller_id,
        orders.c.seller_order_id,
        orders.c.marketplace_id,
        orders.c.displayable_order_id,
        orders.c.status,
        orders.c.shipping_speed,
        orders.c.received_at,
        orders.c.status_updated_at,
    )
    if wanted.query:
        ids = matching_ids(conn, wanted.query, wanted.seller_id)
        if not ids:
            return []
        query = query.where(orders.c.id.in_(ids))
    if wanted.seller_id:
        query = query.where(orders.c.seller_id == wanted.seller_id)
    if wanted.status:
        query = query.where(orders.c.status == wanted.status)
    if wanted.speed:
        query = query.where(orders.c.shipping_speed == wanted.speed)
    if wanted.received_from is not None:
        query = query.where(orders.c.received_at >= wanted.received_from)
    if wanted.received_before is not None:
        query = query.where(orders.c.received_at < wanted.received_before)
    if wanted.sku:
        lines = select(order_items.c.order_id).where(
            order_items.c.order_id == orders.c.id, order_items.c.seller_sku == wanted.sku
        )
        query = query.where(lines.exists())
    if after is not None:
        # the upper bound on received_at alone lets both databases seek into the index; the OR then skips the
        # rows of the cursor's own instant already shown (see ``store/orders.py`` list_orders for the same shape)
        moment, last_id = after
        query = query.where(
            orders.c.received_at <= moment,
            or_(orders.c.received_at < moment, and_(orders.c.received_at == moment, orders.c.id < last_id)),
        )
    query = query.order_by(orders.c.received_at.desc(), orders.c.id.desc()).limit(limit)
    return [OrderRow(**row._mapping) for row in conn.execute(query)]


def count_by_status(conn: Connection, seller_id: str | None = None) -> dict[str, int]:
    query = select(orders.c.status, func.count()).group_by(orders.c.status)
    if seller_id:
        query = query.where(orders.c.seller_id == seller_id)
    return {str(status): int(n) for status, n in conn.execute(query)}


def created_per_day(conn: Connection, days: Sequence[datetime]) -> list[int]:
    """Orders received on each day (``[start, start + 1 day)``): one range count per day on the received index,
    which reads index entries only, several times faster than grouping every row by its computed date."""
    query = select(func.count()).where(
        orders.c.received_at >= bindparam("start"), orders.c.received_at < bindparam("end")
    )
    return [int(conn.execute(query, {"start": d, "end": d + timedelta(days=1)}).scalar_one()) for d in days]


def shipped_per_day(conn: Connection, days: Sequence[datetime]) -> list[int]:
    """Shipments that left on each day, counted on the covering ``(shipping_at, status, fc_code)`` index. (Counting
    distinct orders instead cost a temporary b-tree per day and twice the time, to tell apart only the orders that
    ship from two centers on one day.)"""
    query = select(func.count()).where(
        shipments.c.shipping_at >= bindparam("start"),
        shipments.c.shipping_at < bindparam("end"),
        shipments.c.status == "SHIPPED",
    )
    return [int(conn.execute(query, {"start": d, "end": d + timedelta(days=1)}).scalar_one()) for d in days]


def shipments_by_center(conn: Connection, since: datetime, until: datetime) -> dict[str, int]:
    query = (
        select(shipments.c.fc_code, func.count())
        .where(shipments.c.shipping_at >= since, shipments.c.shipping_at < until, shipments.c.status == "SHIPPED")
        .group_by(shipments.c.fc_code)
    )
    return {str(fc): int(n) for fc, n in conn.execute(query)}


def oldest_due(conn: Connection) -> datetime | None:
    """The earliest scheduled lifecycle step: an order's next step or a returned unit's arrival."""
    order_step = conn.execute(select(func.min(orders.c.next_step_at))).scalar()
    return_step = conn.execute(select(func.min(return_items.c.due_at))).scalar()
    found = [m for m in (order_step, return_step) if m is not None]
    return min(found) if found else None


@dataclass(frozen=True, slots=True)
class SellerRow:
    seller_id: str
    default_marketplace_id: str
    created_at: datetime
    marketplaces: tuple[str, ...]
    keys: tuple[tuple[str, bool], ...]  # (access key, needs an MWSAuthToken); the secret is never read


def seller_ids(conn: Connection) -> list[str]:
    return [str(r[0]) for r in conn.execute(select(sellers.c.seller_id).order_by(sellers.c.seller_id))]


def sellers_overview(conn: Connection, only: Sequence[str] | None = None) -> list[SellerRow]:
    query = select(sellers).order_by(sellers.c.seller_id)
    if only is not None:
        query = query.where(sellers.c.seller_id.in_(list(only)))
    rows = conn.execute(query).all()
    wanted = [r.seller_id for r in rows]
    places: dict[str, list[str]] = {s: [] for s in wanted}
    for r in conn.execute(
        select(seller_marketplaces)
        .where(seller_marketplaces.c.seller_id.in_(wanted))
        .order_by(seller_marketplaces.c.marketplace_id)
    ):
        places[r.seller_id].append(r.marketplace_id)
    keys: dict[str, list[tuple[str, bool]]] = {s: [] for s in wanted}
    key_query = (
        select(grants.c.seller_id, access_keys.c.access_key, grants.c.auth_token)
        .select_from(grants.join(access_keys, access_keys.c.access_key == grants.c.access_key))
        .where(grants.c.seller_id.in_(wanted))
        .order_by(access_keys.c.access_key)
    )
    for r in conn.execute(key_query):
        keys[r.seller_id].append((r.access_key, r.auth_token is not None))
    return [
        SellerRow(
            r.seller_id, r.default_marketplace_id, r.created_at, tuple(places[r.seller_id]), tuple(keys[r.seller_id])
        )
        for r in rows
    ]


def order_of_package(conn: Connection, seller_id: str, package_number: int) -> str | None:
    """The SellerFulfillmentOrderId a seller's package belongs to (another seller's package is not found)."""
    query = (
        select(orders.c.seller_order_id)
        .select_from(
            packages.join(shipments, shipments.c.id == packages.c.shipment_id).join(
                orders, orders.c.id == shipments.c.order_id
            )
        )
        .where(packages.c.package_number == package_number, packages.c.seller_id == seller_id)
    )
    value = conn.execute(query).scalar()
    return None if value is None else str(value)
