"""Lifecycle engine throughput: steps per second moving N orders through a simulated week (virtual clock).

    .venv/bin/python bench/engine_bench.py --orders 100000 --db sqlite
    .venv/bin/python bench/engine_bench.py --orders 100000 --db postgresql

Orders are bulk-loaded in RECEIVED (allocated to one center, units reserved), then the virtual clock is advanced
seven days; every order goes RECEIVED → PLANNING → PROCESSING → ships → COMPLETE. A "step" is one due order
processed by the engine. Prints orders, steps, seconds and steps/s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

from outbound.service.accounts import add_seller
from outbound.service.inventory import StockChange, set_inventory
from outbound.service.simulation import advance
from outbound.sim.bulk import bulk_orders
from outbound.sim.clock import VirtualClock
from outbound.store import Database

SELLER = "A2NKEXAMPLEF53"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def open_store(kind: str) -> tuple[Database, str | None]:
    if kind == "sqlite":
        path = Path(tempfile.mkdtemp()) / "bench.db"
        return Database(f"sqlite:///{path}"), None
    name = f"outbound_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(Database(PG_ADMIN).url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return Database(PG_ADMIN.rsplit("/", 1)[0] + "/" + name), name


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10000)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--days", type=float, default=7)
    args = parser.parse_args()
    db, pg_name = open_store(args.db)
    try:
        db.migrate()
        add_seller(db, SELLER, "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        set_inventory(db, StockChange(SELLER, "TEA-1", args.orders + 10, "BFI4"))
        start = VirtualClock(db).now()
        began = time.perf_counter()
        bulk_orders(db, SELLER, "TEA-1", "BFI4", args.orders, start)
        loaded = time.perf_counter() - began
        began = time.perf_counter()
        moved = advance(db, timedelta(days=args.days))
        seconds = time.perf_counter() - began
        with db.read() as conn:
            statuses = dict(conn.execute(text("SELECT status, count(*) FROM orders GROUP BY status")).all())
        print(
            f"db={args.db} orders={args.orders} load={loaded:.1f}s steps={moved.steps} "
            f"seconds={seconds:.1f} steps/s={moved.steps / seconds:,.0f} statuses={statuses}"
        )
    finally:
        db.dispose()
        if pg_name:
            admin = create_engine(Database(PG_ADMIN).url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
    return 0


if __name__ == "__main__":
    sys.exit(main())
