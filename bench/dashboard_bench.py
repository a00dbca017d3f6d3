"""Dashboard page times at N orders: the orders page with each filter, a deep keyset page, search, the overview.

    .venv/bin/python bench/dashboard_bench.py --orders 1000 --db sqlite
    .venv/bin/python bench/dashboard_bench.py --orders 1000000 --db sqlite
    .venv/bin/python bench/dashboard_bench.py --orders 1000000 --db postgresql

Orders are bulk-loaded (``sim/bulk.py``) for three sellers, two SKUs each, received evenly over the last 30 days;
then their statuses and speeds are spread (5 % each of RECEIVED, PLANNING, PROCESSING, CANCELLED and UNFULFILLABLE,
the rest COMPLETE; a quarter each of Expedited and Priority, half Standard) and every fourth COMPLETE order gets a
shipped shipment (from one of three centers) with a tracked package, so the charts, the filters and the tracking
search have something to find. Each page is fetched through the real app (Starlette's test client, with the admin
token), once to warm up and then ``--runs`` times; the median and the slowest are printed, in ms.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, text

sys.path.insert(0, str(Path(__file__).parent))
from engine_bench import PG_ADMIN, open_store

from outbound.config import Settings
from outbound.context import Context
from outbound.mws import throttle as throttling
from outbound.service.accounts import add_seller
from outbound.service.inventory import StockChange, set_inventory
from outbound.sim.bulk import bulk_orders
from outbound.sim.clock import VirtualClock
from outbound.store import Database
from outbound.store.schema import packages, shipments

TOKEN = "bench-token"
SELLERS = ("A2NKEXAMPLEF53", "A1BENCHSELLER2", "A1BENCHSELLER3")


def load(db: Database, count: int) -> None:
    now = VirtualClock(db).now()
    start = now - timedelta(days=30)
    parts = [(seller, f"SKU-{n}") for seller in SELLERS for n in (1, 2)]
    each = count // len(parts)
    spacing = timedelta(days=30) / max(each, 1)
    for number, (seller, sku) in enumerate(parts):
        add_seller(db, seller, f"AKIABENCH{number // 2:011d}", "secret")
        set_inventory(db, StockChange(seller, sku, each + 10, "BFI4"))
        # each part starts a little later, so the sellers' orders interleave in time
        bulk_orders(
            db, seller, sku, "BFI4", each, start + spacing * number / len(parts), prefix=f"{sku}-", spacing=spacing
        )
    with db.transaction() as conn:
        conn.execute(
            text(
                "UPDATE orders SET next_step_at = NULL, status = CASE id % 20 WHEN 0 THEN 'PLANNING' "
                "WHEN 1 THEN 'PROCESSING' WHEN 2 THEN 'CANCELLED' WHEN 3 THEN 'UNFULFILLABLE' "
                "WHEN 4 THEN 'RECEIVED' ELSE 'COMPLETE' END, "
                "shipping_speed = CASE id % 4 WHEN 1 THEN 'Expedited' WHEN 2 THEN 'Priority' ELSE 'Standard' END"
            )
        )
        rows = conn.execute(
            text("SELECT id, seller_id, received_at FROM orders WHERE id % 4 = 3 AND status = 'COMPLETE'")
        ).all()
        for first in range(0, len(rows), 5000):
            chunk = rows[first : first + 5000]
            ids = (
                conn.execute(
                    insert(shipments).returning(shipments.c.id, sort_by_parameter_order=True),
                    [
                        {
                            "order_id": r.id,
                            "amazon_shipment_id": f"S{r.id:010d}",
                            "fc_code": ("BFI4", "PHX6", "ONT8")[r.id % 3],
                            "status": "SHIPPED",
                            "shipping_at": _aware(r.received_at) + timedelta(hours=20),
                        }
                        for r in chunk
                    ],
                )
                .scalars()
                .all()
            )
            conn.execute(
                insert(packages),
                [
                    {
                        "package_number": 100_000_000 + r.id,
                        "seller_id": r.seller_id,
                        "shipment_id": shipment_id,
                        "carrier_code": "AMZL_US",
                        "tracking_number": f"TBA{r.id:012d}",
                    }
                    for r, shipment_id in zip(chunk, ids, strict=True)
                ],
            )
    if not db.is_sqlite:  # the UPDATE above left every order row twice: vacuum, as autovacuum would on a live store
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    else:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")


def _aware(value: object) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def pages(db: Database) -> list[tuple[str, str]]:
    """The pages to time, named; the deep cursor points at the middle of the listing."""
    with db.read() as conn:
        total = conn.execute(text("SELECT count(*) FROM orders")).scalar_one()
        middle = conn.execute(
            text("SELECT received_at, id FROM orders ORDER BY received_at DESC, id DESC LIMIT 1 OFFSET :n"),
            {"n": total // 2},
        ).one()
        some = conn.execute(text("SELECT seller_order_id FROM orders WHERE id % 100 = 42 LIMIT 1")).scalar_one()
        tracked = conn.execute(text("SELECT tracking_number FROM packages LIMIT 1")).scalar_one()
        day = conn.execute(text("SELECT received_at FROM orders WHERE id = :id"), {"id": middle.id}).scalar_one()
    cursor = f"{_aware(middle.received_at).isoformat()}~{middle.id}"
    day_text = str(day)[:10]
    seller = SELLERS[1]
    return [
        ("orders, no filter", "/dashboard/orders"),
        ("orders, seller", f"/dashboard/orders?seller={seller}"),
        ("orders, status RECEIVED", "/dashboard/orders?status=RECEIVED"),
        ("orders, seller + status", f"/dashboard/orders?seller={seller}&status=PROCESSING"),
        ("orders, speed Priority", "/dashboard/orders?speed=Priority"),
        ("orders, SKU", f"/dashboard/orders?seller={seller}&sku=SKU-2"),
        ("orders, one day", f"/dashboard/orders?from={day_text}&to={day_text}"),
        ("orders, page at the middle", "/dashboard/orders?after=" + cursor.replace("+", "%2B")),
        ("search, order id", f"/dashboard/orders?q={some}"),
        ("search, tracking number", f"/dashboard/orders?q={tracked}"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="SQLite: keep the store in this file, and reuse it when it exists")
    args = parser.parse_args()
    os.environ["OUTBOUND_ADMIN_TOKEN"] = TOKEN
    from starlette.testclient import TestClient

    from outbound.app import create_app

    reuse = args.keep is not None and args.keep.exists()
    db, pg_name = (Database(f"sqlite:///{args.keep}"), None) if args.keep else open_store(args.db)
    try:
        db.migrate()
        began = time.perf_counter()
        if not reuse:
            load(db, args.orders)
        loaded = time.perf_counter() - began
        settings = Settings(database_url=db.url, clock="virtual", throttle=False, engine=False)
        ctx = Context(settings, db, throttling.Unthrottled(), VirtualClock(db))
        with TestClient(create_app(ctx=ctx), headers={"authorization": f"Bearer {TOKEN}"}) as http:
            with db.read() as conn:
                seller, order_id = conn.execute(
                    text(
                        "SELECT seller_id, seller_order_id FROM orders WHERE id % 4 = 3 AND status = 'COMPLETE' LIMIT 1"
                    )
                ).one()
            targets = [
                *pages(db),
                ("order page (shipped)", f"/dashboard/orders/{seller}/{order_id}"),
                ("overview", "/dashboard/"),
            ]
            print(f"db={args.db} orders={args.orders:,} load={loaded:.1f}s runs={args.runs} (ms: median, max)")
            for name, path in targets:
                answer = http.get(path)
                assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
                times = []
                for _ in range(args.runs):
                    t = time.perf_counter()
                    answer = http.get(path)
                    times.append((time.perf_counter() - t) * 1000)
                    assert answer.status_code == 200
                print(f"  {name:<28} {statistics.median(times):8.1f} {max(times):8.1f}")
    finally:
        db.dispose()
        if db.is_sqlite and not args.keep:
            shutil.rmtree(Path(db.engine.url.database or "").parent, ignore_errors=True)
        if pg_name:
            admin = create_engine(Database(PG_ADMIN).url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
    return 0


if __name__ == "__main__":
    sys.exit(main())
