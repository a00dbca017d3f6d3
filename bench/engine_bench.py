"""Lifecycle engine throughput: steps per second moving N orders through a simulated week (virtual clock).

    .venv/bin/python bench/engine_bench.py --orders 100000 --db sqlite
    .venv/bin/python bench/engine_bench.py --orders 100000 --db postgresql

Orders are bulk-loaded in RECEIVED (allocated to one center, units reserved), then the virtual clock is advanced
seven days; every order goes RECEIVED → PLANNING → PROCESSING → ships → COMPLETE. A "step" is one due order
processed by the engine. Prints orders, steps, seconds and steps/s.

``--workers N`` (PostgreSQL) drains the week with N engine processes on the one database, as ``outbound worker``
processes share it (``FOR NO KEY UPDATE SKIP LOCKED``); the time runs from their start to the last one's end.
``--subscribe`` subscribes the seller to FULFILLMENT_ORDER_STATUS and FBA_OUTBOUND_SHIPMENT_STATUS first (a
webhook nobody delivers to here), so every step also writes its notifications to the outbox: the cost of
notifications to the engine (``bench/notify_bench.py`` measures their delivery). ``--helpers N`` sets the engine's
helper processes (``Engine.helpers``; by default two on two CPUs with SQLite, none
with PostgreSQL).
"""

from __future__ import annotations

import argparse
import multiprocessing
import shutil
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

from outbound.service import notifications
from outbound.service.accounts import add_seller
from outbound.service.inventory import StockChange, set_inventory
from outbound.service.simulation import advance
from outbound.sim.bulk import bulk_orders
from outbound.sim.clock import VirtualClock
from outbound.sim.engine import Engine
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


def drain(url: str, until: str, applied: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """One engine process: every step due up to ``until``, each at its due time; reports how many it applied."""
    db = Database(url)
    applied.put(Engine(db).run_until(datetime.fromisoformat(until)))
    db.dispose()


def drain_with_workers(db: Database, until: datetime, workers: int) -> int:
    context = multiprocessing.get_context("spawn")
    applied: multiprocessing.Queue = context.Queue()  # type: ignore[type-arg]
    url = db.engine.url.render_as_string(hide_password=False)
    processes = [context.Process(target=drain, args=(url, until.isoformat(), applied)) for _ in range(workers)]
    for process in processes:
        process.start()
    steps = sum(applied.get(timeout=3600) for _ in processes)
    for process in processes:
        process.join()
    VirtualClock(db).set(until)
    return steps


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10000)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--days", type=float, default=7)
    parser.add_argument("--workers", type=int, default=1, help="engine processes (PostgreSQL; default 1)")
    parser.add_argument(
        "--helpers",
        type=int,
        default=None,
        help="helper processes of the engine (default: one per CPU beyond the first on SQLite, none on PostgreSQL)",
    )
    parser.add_argument("--subscribe", action="store_true", help="a subscribed seller: steps write outbox rows")
    args = parser.parse_args()
    if args.workers > 1 and args.db != "postgresql":
        parser.error("--workers needs --db postgresql: SQLite has one writer at a time")
    db, pg_name = open_store(args.db)
    try:
        db.migrate()
        add_seller(db, SELLER, "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        set_inventory(db, StockChange(SELLER, "TEA-1", args.orders + 10, "BFI4"))
        if args.subscribe:
            for kind in ("FULFILLMENT_ORDER_STATUS", "FBA_OUTBOUND_SHIPMENT_STATUS"):
                notifications.subscribe(db, SELLER, kind, "webhook", "http://127.0.0.1:9/nobody")
        start = VirtualClock(db).now()
        began = time.perf_counter()
        bulk_orders(db, SELLER, "TEA-1", "BFI4", args.orders, start)
        loaded = time.perf_counter() - began
        began = time.perf_counter()
        if args.workers > 1:
            steps = drain_with_workers(db, start + timedelta(days=args.days), args.workers)
        else:
            steps = advance(db, timedelta(days=args.days), Engine(db, helpers=args.helpers)).steps
        seconds = time.perf_counter() - began
        with db.read() as conn:
            statuses = dict(conn.execute(text("SELECT status, count(*) FROM orders GROUP BY status")).all())
            outbox = conn.execute(text("SELECT count(*) FROM notification_outbox")).scalar_one()
        print(
            f"db={args.db} workers={args.workers} helpers={args.helpers} subscribed={args.subscribe} "
            f"orders={args.orders} load={loaded:.1f}s steps={steps} seconds={seconds:.1f} "
            f"steps/s={steps / seconds:,.0f} outbox={outbox} statuses={statuses}"
        )
    finally:
        db.dispose()
        if db.is_sqlite:  # the bench's store is ~150 MB at 100,000 orders
            shutil.rmtree(Path(db.engine.url.database or "").parent, ignore_errors=True)
        if pg_name:
            admin = create_engine(Database(PG_ADMIN).url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
    return 0


if __name__ == "__main__":
    sys.exit(main())
