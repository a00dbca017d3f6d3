"""Notification destinations, subscriptions and the outbox: every statement notifications need.

The outbox holds one row per change and subscription (``notices_rows`` fans a change out), written in the
transaction of the change: by the service's writes (:func:`record`) and by the engine's batches (``store/batch.py``
takes the rows of :func:`notices_rows` into its set-based writes). Deliverers :func:`claim` rows with a lease: the
oldest pending row of each (subscription, order) lane whose lease is free, locked while claimed (PostgreSQL
``FOR UPDATE SKIP LOCKED``, SQLite's single writer), so no two deliverers hold one row, and an order's notices go
out one after another. A row whose deliverer died is claimed again once its lease has run out.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, delete, exists, func, insert, or_, select, update
from sqlalchemy.orm import aliased

from outbound.domain.notices import Notice
from outbound.store.prepared import PreparedQuery
from outbound.store.schema import (
    notification_destinations as destinations,
)
from outbound.store.schema import (
    notification_outbox as outbox,
)
from outbound.store.schema import (
    notification_subscriptions as subscriptions,
)
from outbound.store.schema import orders, packages, shipments

PENDING, DELIVERED, DROPPED = "pending", "delivered", "dropped"

Subscribers = dict[str, list[tuple[str, str]]]
"""seller → [(subscription id, notification type)]: who hears of a seller's changes."""


@dataclass(frozen=True)
class Destination:
    destination_id: str
    client_id: str | None
    name: str
    kind: str
    target: str
    secret: str | None
    format: str
    created_at: datetime


@dataclass(frozen=True)
class Subscription:
    subscription_id: str
    seller_id: str
    client_id: str | None
    notification_type: str
    payload_version: str
    destination_id: str
    created_at: datetime


# ------------------------------------------------------------------------------------------ destinations


def insert_destination(conn: Connection, destination: Destination) -> None:
    conn.execute(insert(destinations).values(**destination.__dict__))


def load_destination(conn: Connection, destination_id: str) -> Destination | None:
    row = conn.execute(select(destinations).where(destinations.c.destination_id == destination_id)).first()
    return Destination(**row._mapping) if row else None


def list_destinations(conn: Connection, client_id: str | None = None, *, every: bool = False) -> list[Destination]:
    """An application's destinations (``every``: all, the operator's view)."""
    query = select(destinations).order_by(destinations.c.created_at, destinations.c.destination_id)
    if not every:
        query = query.where(destinations.c.client_id == client_id)
    return [Destination(**r._mapping) for r in conn.execute(query)]


def delete_destination(conn: Connection, destination_id: str) -> bool:
    """The destination and its subscriptions; their undelivered notices are dropped."""
    ids = [s.subscription_id for s in list_subscriptions(conn, destination_id=destination_id)]
    drop_pending(conn, ids)
    conn.execute(delete(subscriptions).where(subscriptions.c.destination_id == destination_id))
    return conn.execute(delete(destinations).where(destinations.c.destination_id == destination_id)).rowcount > 0


# ------------------------------------------------------------------------------------------ subscriptions


def insert_subscription(conn: Connection, subscription: Subscription) -> None:
    conn.execute(insert(subscriptions).values(**subscription.__dict__))


def load_subscription(conn: Connection, subscription_id: str) -> Subscription | None:
    row = conn.execute(select(subscriptions).where(subscriptions.c.subscription_id == subscription_id)).first()
    return Subscription(**row._mapping) if row else None


def list_subscriptions(
    conn: Connection,
    *,
    seller_id: str | None = None,
    client_id: str | None = None,
    notification_type: str | None = None,
    destination_id: str | None = None,
    app_only: bool = False,
) -> list[Subscription]:
    """Subscriptions matching every filter given (``app_only``: those of ``client_id`` exactly, none included)."""
    query = select(subscriptions).order_by(subscriptions.c.created_at, subscriptions.c.subscription_id)
    if seller_id is not None:
        query = query.where(subscriptions.c.seller_id == seller_id)
    if client_id is not None or app_only:
        query = query.where(subscriptions.c.client_id == client_id)
    if notification_type is not None:
        query = query.where(subscriptions.c.notification_type == notification_type)
    if destination_id is not None:
        query = query.where(subscriptions.c.destination_id == destination_id)
    return [Subscription(**r._mapping) for r in conn.execute(query)]


def delete_subscription(conn: Connection, subscription_id: str) -> bool:
    drop_pending(conn, [subscription_id])
    return conn.execute(delete(subscriptions).where(subscriptions.c.subscription_id == subscription_id)).rowcount > 0


def drop_pending(conn: Connection, subscription_ids: Sequence[str]) -> None:
    """Undelivered notices of subscriptions going away: kept in the log as dropped, never sent."""
    if subscription_ids:
        conn.execute(
            update(outbox)
            .where(outbox.c.subscription_id.in_(subscription_ids), outbox.c.state == PENDING)
            .values(state=DROPPED, lease_until=None)
        )


_SUBSCRIBED = select(subscriptions.c.seller_id, subscriptions.c.subscription_id, subscriptions.c.notification_type)
# one seller's subscriptions, asked by every service write: prepared, as most sellers have none to find
SELLER_SUBSCRIBED = PreparedQuery(
    _SUBSCRIBED.where(subscriptions.c.seller_id == bindparam("seller")).order_by(subscriptions.c.subscription_id)
)


def subscribers(conn: Connection, sellers: Iterable[str] | None = None) -> Subscribers:
    """Who hears of which seller's changes: every subscription (one small query per engine batch) or those of
    ``sellers``."""
    query = _SUBSCRIBED
    if sellers is not None:
        wanted = list(set(sellers))
        if not wanted:
            return {}
        if len(wanted) == 1:
            rows = SELLER_SUBSCRIBED.all(conn, {"seller": wanted[0]})
            return {wanted[0]: [(r.subscription_id, r.notification_type) for r in rows]} if rows else {}
        query = query.where(subscriptions.c.seller_id.in_(wanted))
    found: Subscribers = {}
    for seller_id, subscription_id, kind in conn.execute(query.order_by(subscriptions.c.subscription_id)):
        found.setdefault(seller_id, []).append((subscription_id, kind))
    return found


# ------------------------------------------------------------------------------------------ writing notices

OUTBOX_COLUMNS = (
    "subscription_id",
    "seller_id",
    "order_id",
    "notification_type",
    "event_type",
    "event_at",
    "seller_order_id",
    "order_status",
    "amazon_shipment_id",
    "shipment_status",
    "estimated_arrival_at",
    "seller_sku",
    "quantity",
    "notification_id",
    "state",
    "attempts",
    "available_at",
    "created_at",
)
"""The columns of an outbox row as :func:`notices_rows` gives them (the engine's batch insert)."""


def notices_rows(
    notices: Iterable[Notice], heard: Subscribers, at: Callable[[datetime | None], Any], now: datetime
) -> list[tuple[Any, ...]]:
    """Each notice once per subscription of its seller to its type, in the notices' order; datetimes through
    ``at`` (the driver's form for the engine's batches, unchanged for SQLAlchemy)."""
    rows: list[tuple[Any, ...]] = []
    stamp = at(now)
    for n in notices:
        for subscription_id, kind in heard.get(n.seller_id, ()):
            if kind != n.notification_type:
                continue
            rows.append(
                (
                    subscription_id,
                    n.seller_id,
                    n.order_id,
                    n.notification_type,
                    n.kind,
                    at(n.at),
                    n.seller_order_id,
                    n.order_status,
                    n.amazon_shipment_id,
                    n.shipment_status,
                    at(n.estimated_arrival_at),
                    n.seller_sku,
                    n.quantity,
                    str(uuid.uuid4()),
                    PENDING,
                    0,
                    stamp,
                    stamp,
                )
            )
    return rows


def record(conn: Connection, notices: Sequence[Notice]) -> int:
    """The service's writes: ``notices`` into the outbox for their sellers' subscriptions, in this transaction;
    the rows written. One lookup of the sellers' subscriptions; nothing at all for sellers without one."""
    if not notices:
        return 0
    heard = subscribers(conn, (n.seller_id for n in notices))
    rows = notices_rows(notices, heard, lambda m: m, datetime.now(UTC))
    if rows:
        conn.execute(insert(outbox), [dict(zip(OUTBOX_COLUMNS, row, strict=True)) for row in rows])
    return len(rows)


def order_statuses(conn: Connection, order_ids: Iterable[int]) -> dict[int, str]:
    ids = list(set(order_ids))
    if not ids:
        return {}
    return {r[0]: r[1] for r in conn.execute(select(orders.c.id, orders.c.status).where(orders.c.id.in_(ids)))}


# ------------------------------------------------------------------------------------------ delivering


@dataclass(frozen=True)
class Claimed:
    """An outbox row claimed for delivery, with its subscription's destination and what rendering needs."""

    id: int
    subscription_id: str
    client_id: str | None
    seller_id: str
    marketplace_id: str | None
    notification_type: str
    payload_version: str
    event_type: str
    event_at: datetime
    seller_order_id: str
    order_status: str | None
    amazon_shipment_id: str | None
    shipment_status: str | None
    estimated_arrival_at: datetime | None
    seller_sku: str | None
    quantity: int | None
    notification_id: str
    attempts: int
    destination_id: str
    kind: str
    target: str
    secret: str | None
    format: str


def claim(conn: Connection, now: datetime, limit: int, lease: timedelta) -> list[Claimed]:
    """Up to ``limit`` deliverable rows, oldest first, leased until ``now + lease``: pending, due, not leased (or
    leased by a deliverer that has not finished in time), and first of their lane (no older pending row of the same
    subscription and order). Call in a transaction of its own, committed before delivering."""
    older = aliased(outbox)
    free = or_(outbox.c.lease_until.is_(None), outbox.c.lease_until <= now)
    first_of_lane = ~exists().where(
        older.c.subscription_id == outbox.c.subscription_id,
        older.c.order_id == outbox.c.order_id,
        older.c.state == PENDING,
        older.c.id < outbox.c.id,
    )
    locked = (
        select(outbox.c.id)
        .where(outbox.c.state == PENDING, outbox.c.available_at <= now, free, first_of_lane)
        .order_by(outbox.c.id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        locked = locked.with_for_update(skip_locked=True)
    ids = list(conn.execute(locked).scalars())
    if not ids:
        return []
    conn.execute(update(outbox).where(outbox.c.id.in_(ids)).values(lease_until=now + lease))
    joined = outbox.join(subscriptions, subscriptions.c.subscription_id == outbox.c.subscription_id).join(
        destinations, destinations.c.destination_id == subscriptions.c.destination_id
    )
    joined = joined.outerjoin(orders, orders.c.id == outbox.c.order_id)
    query = (
        select(
            outbox.c.id,
            outbox.c.subscription_id,
            subscriptions.c.client_id,
            outbox.c.seller_id,
            orders.c.marketplace_id,
            outbox.c.notification_type,
            subscriptions.c.payload_version,
            outbox.c.event_type,
            outbox.c.event_at,
            outbox.c.seller_order_id,
            outbox.c.order_status,
            outbox.c.amazon_shipment_id,
            outbox.c.shipment_status,
            outbox.c.estimated_arrival_at,
            outbox.c.seller_sku,
            outbox.c.quantity,
            outbox.c.notification_id,
            outbox.c.attempts,
            destinations.c.destination_id,
            destinations.c.kind,
            destinations.c.target,
            destinations.c.secret,
            destinations.c.format,
        )
        .select_from(joined)
        .where(outbox.c.id.in_(ids))
        .order_by(outbox.c.id)
    )
    found = [Claimed(**row._mapping) for row in conn.execute(query)]
    orphans = set(ids) - {c.id for c in found}  # their subscription went away while they waited
    if orphans:
        conn.execute(update(outbox).where(outbox.c.id.in_(orphans)).values(state=DROPPED, lease_until=None))
    return found


def delivered(conn: Connection, ids: Sequence[int], now: datetime) -> None:
    if ids:
        conn.execute(
            update(outbox)
            .where(outbox.c.id.in_(ids))
            .values(
                state=DELIVERED, attempts=outbox.c.attempts + 1, delivered_at=now, lease_until=None, last_error=None
            )
        )


def failed(conn: Connection, row_id: int, error: str, retry_at: datetime, *, attempted: bool = True) -> None:
    """A delivery that did not go through: tried again at ``retry_at`` (``attempted``: it was really tried, not
    put back because its destination had just failed)."""
    conn.execute(
        update(outbox)
        .where(outbox.c.id == row_id, outbox.c.state == PENDING)
        .values(
            attempts=outbox.c.attempts + (1 if attempted else 0),
            last_error=error[:500],
            available_at=retry_at,
            lease_until=None,
        )
    )


def shipment_packages(conn: Connection, amazon_shipment_ids: Iterable[str]) -> dict[str, list[tuple[int, str, str]]]:
    """The packages of shipments: (number, carrier, tracking number), by AmazonShipmentId."""
    wanted = list(set(amazon_shipment_ids))
    if not wanted:
        return {}
    query = (
        select(
            shipments.c.amazon_shipment_id,
            packages.c.package_number,
            packages.c.carrier_code,
            packages.c.tracking_number,
        )
        .select_from(packages.join(shipments, shipments.c.id == packages.c.shipment_id))
        .where(shipments.c.amazon_shipment_id.in_(wanted))
        .order_by(packages.c.package_number)
    )
    found: dict[str, list[tuple[int, str, str]]] = {}
    for amazon_id, number, carrier, tracking in conn.execute(query):
        found.setdefault(amazon_id, []).append((number, carrier, tracking or ""))
    return found


@dataclass(frozen=True)
class LogEntry:
    id: int
    subscription_id: str
    seller_id: str
    notification_type: str
    event_type: str
    event_at: datetime
    seller_order_id: str
    order_status: str | None
    shipment_status: str | None
    notification_id: str
    state: str
    attempts: int
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    available_at: datetime


def log(
    conn: Connection,
    *,
    seller_id: str | None = None,
    subscription_id: str | None = None,
    state: str | None = None,
    after: int = 0,
    limit: int = 100,
) -> list[LogEntry]:
    """The delivery log, oldest first from ``after`` (an id)."""
    query = select(*(outbox.c[name] for name in LogEntry.__dataclass_fields__)).where(outbox.c.id > after)
    if seller_id is not None:
        query = query.where(outbox.c.seller_id == seller_id)
    if subscription_id is not None:
        query = query.where(outbox.c.subscription_id == subscription_id)
    if state is not None:
        query = query.where(outbox.c.state == state)
    return [LogEntry(*row) for row in conn.execute(query.order_by(outbox.c.id).limit(limit))]


def log_of_order(conn: Connection, seller_id: str, order_id: int, limit: int = 200) -> list[LogEntry]:
    """One order's notifications, oldest first: through the seller's subscriptions, so each lane's index serves."""
    mine = select(subscriptions.c.subscription_id).where(subscriptions.c.seller_id == seller_id)
    query = select(*(outbox.c[name] for name in LogEntry.__dataclass_fields__)).where(
        outbox.c.subscription_id.in_(mine), outbox.c.order_id == order_id
    )
    return [LogEntry(*row) for row in conn.execute(query.order_by(outbox.c.id).limit(limit))]


def counts(conn: Connection) -> dict[str, int]:
    """Outbox rows by state."""
    query = select(outbox.c.state, func.count()).group_by(outbox.c.state)
    return {r[0]: r[1] for r in conn.execute(query)}


def pending_ahead(conn: Connection) -> bool:
    """Whether any row waits (the deliverer's idle check)."""
    return conn.execute(select(outbox.c.id).where(outbox.c.state == PENDING).limit(1)).first() is not None
