"""Several lifecycle engines on one PostgreSQL database: no step applied twice, none skipped.

Three worker processes drain the same 10,000 due orders concurrently (``FOR UPDATE SKIP LOCKED``); afterwards every
order has gone through each status exactly once and the stock adds up.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from outbound.service.accounts import add_seller
from outbound.sim.bulk import bulk_orders
from outbound.sim.engine import Engine
from outbound.store import Database
from outbound.store import inventory as stock_store
from outbound.store.schema import metadata, order_events, orders
from tests.helpers import ACCESS_KEY, SECRET_KEY, SELLER, stock

ORDERS = 10_000
WORKERS = 3
pytestmark = pytest.mark.postgres


def drain(url: str, until: str, applied: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """One worker process: apply every step due up to ``until`` (each at its due time), count what it did."""
    db = Database(url)
    applied.put(Engine(db).run_until(datetime.fromisoformat(until)))
    db.dispose()


@pytest.fixture
def pg(pg_url: str) -> Iterator[Database]:
    db = Database(pg_url)
    with db.transaction() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())
    add_seller(db, SELLER, ACCESS_KEY, SECRET_KEY)
    yield db
    db.dispose()


def test_three_workers_apply_every_step_exactly_once(pg: Database, pg_url: str) -> None:
    start = datetime.fromisoformat("2026-12-01T09:00:00+00:00")
    stock(pg, "TEA-1", ORDERS + 25, "BFI4")
    bulk_orders(pg, SELLER, "TEA-1", "BFI4", ORDERS, start)

    context = multiprocessing.get_context("spawn")
    applied: multiprocessing.Queue = context.Queue()  # type: ignore[type-arg]
    until = (start + timedelta(days=7)).isoformat()
    workers = [context.Process(target=drain, args=(pg_url, until, applied)) for _ in range(WORKERS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=600)
        assert worker.exitcode == 0
    per_worker = [applied.get(timeout=5) for _ in workers]

    assert sum(per_worker) == 4 * ORDERS  # received→planning, →processing, ship+complete, and the receipt delay
    assert all(steps > 0 for steps in per_worker), per_worker  # the work was shared
    with pg.read() as conn:
        statuses = dict(conn.execute(select(orders.c.status, func.count()).group_by(orders.c.status)).all())
        per_kind = conn.execute(
            select(order_events.c.kind, func.count(), func.count(order_events.c.order_id.distinct())).group_by(
                order_events.c.kind
            )
        ).all()
        due_left = conn.execute(text("SELECT count(*) FROM orders WHERE next_step_at IS NOT NULL")).scalar()
        levels = stock_store.levels(conn, SELLER, "TEA-1")
    assert statuses == {"COMPLETE": ORDERS}
    assert {kind: (n, distinct) for kind, n, distinct in per_kind} == {
        kind: (ORDERS, ORDERS) for kind in ("PLANNING", "PROCESSING", "SHIPPED", "COMPLETE")
    }
    assert due_left == 0
    assert levels == [("TEA-1", "BFI4", 25, 0)]  # every unit shipped once: none left reserved, none shipped twice
