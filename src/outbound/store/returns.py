"""Saving returns and their authorizations, finding the units due back, and putting sellable units back on the shelf.

A return item carries ``due_at``, the moment its unit reaches the returns center; the simulator takes due items in
batches (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, like due orders) and clears ``due_at`` once it has processed
them, or when a scenario says the unit never arrives.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from outbound.domain.orders import ReturnAuthorization, ReturnItem
from outbound.domain.returns import PROCESSED
from outbound.store.schema import inventory, order_events, order_items, orders, return_authorizations, return_items


def insert_authorization(
    conn: Connection, order_id: int, make: Callable[[int], ReturnAuthorization], now: datetime
) -> ReturnAuthorization:
    """Insert an authorization whose ids derive from its row id (``make(row_id)``); the authorization saved."""
    row_id = int(
        conn.execute(
            insert(return_authorizations)
            .values(
                order_id=order_id, authorization_id="", fc_code="", address="{}", rma_id="", rma_url="", created_at=now
            )
            .returning(return_authorizations.c.id)
        ).scalar_one()
    )
    made = make(row_id)
    conn.execute(
        update(return_authorizations)
        .where(return_authorizations.c.id == row_id)
        .values(
            authorization_id=made.authorization_id,
            fc_code=made.fc_code,
            address=json.dumps(made.address.fields),
            rma_id=made.rma_id,
            rma_url=made.rma_url,
        )
    )
    return made


@dataclass(frozen=True, slots=True)
class FoundRma:
    """The order an RMA belongs to, and when it was authorized."""

    seller_id: str
    seller_order_id: str
    authorized_at: datetime


def find_rma(conn: Connection, rma_id: str) -> FoundRma | None:
    """The authorization with exactly this RMA id (case counts on both databases), through its index."""
    row = conn.execute(
        select(orders.c.seller_id, orders.c.seller_order_id, return_authorizations.c.created_at)
        .join(orders, orders.c.id == return_authorizations.c.order_id)
        .where(return_authorizations.c.rma_id == rma_id)
        .order_by(return_authorizations.c.id)
        .limit(1)
    ).first()
    return None if row is None else FoundRma(row.seller_id, row.seller_order_id, row.created_at)


def insert_return_items(conn: Connection, order_id: int, items: Sequence[tuple[ReturnItem, datetime | None]]) -> None:
    """Accepted units with the moment each is due back (``None``: it never arrives)."""
    if not items:
        return
    conn.execute(
        insert(return_items),
        [
            {
                "order_id": order_id,
                "seller_return_item_id": item.seller_return_item_id,
                "item_id": item.item_id,
                "amazon_shipment_id": item.amazon_shipment_id,
                "seller_reason_code": item.seller_reason_code,
                "comment": item.comment,
                "amazon_reason_code": item.amazon_reason_code,
                "status": item.status,
                "status_changed_at": item.status_changed_at,
                "authorization_id": item.authorization_id,
                "received_condition": item.received_condition,
                "fc_code": item.fc_code,
                "due_at": due_at,
            }
            for item, due_at in items
        ],
    )


@dataclass(frozen=True, slots=True)
class DueReturn:
    """A unit due back at its returns center, with what processing it needs."""

    id: int
    order_id: int
    seller_id: str
    seller_order_id: str
    seller_return_item_id: str
    seller_reason_code: str
    seller_sku: str | None  # the order line's SKU
    returns_center: str | None  # the authorization's center
    due_at: datetime


def due_returns(conn: Connection, now: datetime, limit: int, *, skip_locked: bool) -> list[DueReturn]:
    """Units due at or before ``now``, earliest first; on PostgreSQL each is locked, skipping rows other workers
    hold, so no unit is processed twice."""
    joined = (
        return_items.join(orders, orders.c.id == return_items.c.order_id)
        .outerjoin(
            order_items,
            and_(order_items.c.order_id == return_items.c.order_id, order_items.c.item_id == return_items.c.item_id),
        )
        .outerjoin(
            return_authorizations,
            and_(
                return_authorizations.c.order_id == return_items.c.order_id,
                return_authorizations.c.authorization_id == return_items.c.authorization_id,
            ),
        )
    )
    query = (
        select(
            return_items.c.id,
            return_items.c.order_id,
            orders.c.seller_id,
            orders.c.seller_order_id,
            return_items.c.seller_return_item_id,
            return_items.c.seller_reason_code,
            order_items.c.seller_sku,
            return_authorizations.c.fc_code,
            return_items.c.due_at,
        )
        .select_from(joined)
        .where(return_items.c.due_at <= now)
        .order_by(return_items.c.due_at, return_items.c.id)
        .limit(limit)
    )
    if skip_locked:
        query = query.with_for_update(of=return_items, skip_locked=True)
    return [
        DueReturn(
            r.id,
            r.order_id,
            r.seller_id,
            r.seller_order_id,
            r.seller_return_item_id,
            r.seller_reason_code,
            r.seller_sku,
            r.fc_code,
            r.due_at,
        )
        for r in conn.execute(query)
    ]


@dataclass(frozen=True, slots=True)
class Processed:
    """A unit received and graded at ``at``."""

    id: int
    order_id: int
    seller_return_item_id: str
    at: datetime
    condition: str
    amazon_reason_code: str
    fc_code: str | None


def mark_processed(conn: Connection, units: Sequence[Processed], event: str) -> None:
    """``Processed``, with condition, Amazon's reason and center; one ``event`` per unit in the order's log."""
    if not units:
        return
    conn.execute(
        update(return_items)
        .where(return_items.c.id == bindparam("unit_id"))
        .values(
            status=PROCESSED,
            status_changed_at=bindparam("at"),
            received_condition=bindparam("condition"),
            amazon_reason_code=bindparam("reason"),
            fc_code=bindparam("fc"),
            due_at=None,
        ),
        [
            {"unit_id": u.id, "at": u.at, "condition": u.condition, "reason": u.amazon_reason_code, "fc": u.fc_code}
            for u in units
        ],
    )
    conn.execute(
        insert(order_events),
        [
            {
                "order_id": u.order_id,
                "at": u.at,
                "kind": event,
                "detail": f"{u.seller_return_item_id} {u.condition}"[:200],
            }
            for u in units
        ],
    )


def never_due(conn: Connection, unit_ids: Sequence[int]) -> None:
    """These units will not come back: they stay ``New`` and are never processed."""
    if unit_ids:
        conn.execute(update(return_items).where(return_items.c.id.in_(list(unit_ids))).values(due_at=None))


def restock(conn: Connection, seller_id: str, seller_sku: str, fc_code: str, quantity: int) -> None:
    """Add sellable units of a SKU at a center, creating the stock row when the center had none."""
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    statement = dialect_insert(inventory).values(
        seller_id=seller_id, seller_sku=seller_sku, fc_code=fc_code, sellable=quantity, reserved=0
    )
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[inventory.c.seller_id, inventory.c.seller_sku, inventory.c.fc_code],
            set_={"sellable": inventory.c.sellable + quantity},
        )
    )
