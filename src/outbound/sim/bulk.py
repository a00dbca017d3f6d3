"""Bulk-loading orders straight into the store, for benchmarks, load tests and demos.

``bulk_orders`` inserts one-line orders already allocated to one center (units reserved), in RECEIVED and due now,
with a handful of ``executemany`` statements (``store/bulk.py``); the engine then moves them like any other order.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from outbound.store import Database
from outbound.store import bulk as store

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
        store.reserve_units(conn, seller_id, sku, fc_code, count)
        for begin in range(first, first + count, CHUNK):
            numbered = [(f"{prefix}{n:07d}", start + n * step) for n in range(begin, min(begin + CHUNK, first + count))]
            store.insert_allocated_orders(conn, seller_id, marketplace_id, sku, fc_code, address, numbered)
    store.refresh_statistics(db)
