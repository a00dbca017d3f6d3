"""Bulk-loading orders straight into the store, for benchmarks, load tests and demos.

``bulk_orders`` inserts one-line orders already allocated to one center (units reserved), in RECEIVED and due now,
with a handful of ``executemany`` statements; the engine then moves them like any other order.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import insert, text, update

from outbound.store import Database
from outbound.store.schema import inventory, order_items, orders, reservations

CHUNK = 5000
ADDRESS = {
    "Name": "Jane Doe",
    "Line1": "1200 12th Ave S",
    "City": "Seattle",
    "StateOrProvinceCode": "WA",
    "CountryCode": "US",
    "PostalCode": "98144",
}


def bulk_orders(
    db: Database,
    seller_id: str,
    sku: str,
    fc_code: str,
    count: int,
    start: datetime,
    *,
    prefix: str = "BULK-",
    marketplace_id: str = "ATVPDKIKX0DER",
    spacing: timedelta | None = None,
    first: int = 0,
) -> None:
    """``count`` Standard orders of one unit of ``sku`` reserved at ``fc_code`` (which must hold the units).

    Every order is received (and due) at ``start``; with ``spacing``, order ``n`` is received, stamped and due at
    ``start + n * spacing`` instead, so a listing sees them spread over time. ``first`` numbers the orders from
    there (ids and times), so one run can be loaded in several calls.
    """
    address = json.dumps(ADDRESS)
    step = spacing or timedelta()
    with db.transaction() as conn:
        conn.execute(
            update(inventory)
            .where(inventory.c.seller_id == seller_id, inventory.c.seller_sku == sku, inventory.c.fc_code == fc_code)
            .values(sellable=inventory.c.sellable - count, reserved=inventory.c.reserved + count)
        )
        for begin in range(first, first + count, CHUNK):
            numbers = range(begin, min(begin + CHUNK, first + count))
            moments = [start + n * step for n in numbers]
            rows = [
                {
                    "seller_id": seller_id,
                    "seller_order_id": f"{prefix}{n:07d}",
                    "marketplace_id": marketplace_id,
                    "displayable_order_id": f"{prefix}{n:07d}",
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
                for n, at in zip(numbers, moments, strict=True)
            ]
            ids = (
                conn.execute(insert(orders).returning(orders.c.id, sort_by_parameter_order=True), rows).scalars().all()
            )
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
                    for order_id, at in zip(ids, moments, strict=True)
                ],
            )
            conn.execute(
                insert(reservations),
                [
                    {"order_id": order_id, "line": 0, "fc_code": fc_code, "seller_sku": sku, "quantity": 1}
                    for order_id in ids
                ],
            )
    if not db.is_sqlite:  # the planner's statistics, so the engine's due query seeks its index instead of sorting
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("ANALYZE orders, order_items, reservations")
            )
