"""Bulk inserts of allocated orders, for benchmarks, load tests and demos (``sim/bulk.py`` says what they hold)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, insert, text, update

from outbound.store.db import Database
from outbound.store.schema import inventory, order_items, orders, reservations


def reserve_units(conn: Connection, seller_id: str, sku: str, fc_code: str, count: int) -> None:
    """Move ``count`` units of ``sku`` at ``fc_code`` from sellable to reserved."""
    conn.execute(
        update(inventory)
        .where(inventory.c.seller_id == seller_id, inventory.c.seller_sku == sku, inventory.c.fc_code == fc_code)
        .values(sellable=inventory.c.sellable - count, reserved=inventory.c.reserved + count)
    )


def insert_allocated_orders(
    conn: Connection,
    seller_id: str,
    marketplace_id: str,
    sku: str,
    fc_code: str,
    address: str,
    numbered: list[tuple[str, datetime]],
) -> None:
    """One Standard order of one unit of ``sku`` reserved at ``fc_code`` per (order id, instant), received, stamped
    and due at that instant, in three ``executemany`` statements."""
    rows = [
        {
            "seller_id": seller_id,
            "seller_order_id": order_id,
            "marketplace_id": marketplace_id,
            "displayable_order_id": order_id,
            "displayable_order_at": at,
            "displayable_order_comment": "Thank you for your order.",
            "shipping_speed": "Standard",
            "address": address,
            "fulfillment_action": "Ship",
            "fulfillment_policy": "FillOrKill",
            "fulfillment_method": "Consumer",
            "received_at": at,
            "status": "RECEIVED",
            "status_updated_at": at,
            "request_hash": "bulk",
            "next_step_at": at,
        }
        for order_id, at in numbered
    ]
    ids = conn.execute(insert(orders).returning(orders.c.id, sort_by_parameter_order=True), rows).scalars().all()
    conn.execute(
        insert(order_items),
        [
            {
                "order_id": order_id,
                "line": 0,
                "seller_sku": sku,
                "item_id": "1",
                "quantity": 1,
                "cancelled_quantity": 0,
                "unfulfillable_quantity": 0,
                "estimated_ship_at": at + timedelta(days=1),
                "estimated_arrival_at": at + timedelta(days=5),
            }
            for order_id, (_, at) in zip(ids, numbered, strict=True)
        ],
    )
    conn.execute(
        insert(reservations),
        [{"order_id": order_id, "line": 0, "fc_code": fc_code, "seller_sku": sku, "quantity": 1} for order_id in ids],
    )


def refresh_statistics(db: Database) -> None:
    """PostgreSQL: the planner's statistics after a bulk load, so the engine's due query seeks its index instead of
    sorting (SQLite needs nothing)."""
    if db.is_sqlite:
        return
    with db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE orders, order_items, reservations"))
