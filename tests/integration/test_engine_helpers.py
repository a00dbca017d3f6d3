"""Catching up a virtual clock with helper processes (``Engine._catch_up``), on SQLite and PostgreSQL: the same
orders, shipments, packages, events and stock as stepping in one process; a write by someone else between two of its
transactions is not overwritten by steps computed before it; helpers that cannot start leave the work to the
engine. Batches are made a few orders small, so a few dozen orders go through the helpers."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text

from outbound.domain.orders import CANCELLED, PLANNING
from outbound.service import orders as service
from outbound.service import scenarios, simulation
from outbound.sim import engine as engine_module
from outbound.sim.engine import Engine
from outbound.sim.helpers import Helpers
from outbound.store import Database, batch
from tests.helpers import (
    SELLER,
    create,
    events,
    fresh_sqlite,
    get,
    line,
    now,
    orders_snapshot,
    reset,
    start_clock,
    stock,
    totals,
)

ORDERS = [f"O{n}" for n in range(24)]
HOPS = (timedelta(minutes=3), timedelta(hours=2), timedelta(days=1), timedelta(days=9))


@pytest.fixture
def db(module_store: Database) -> Database:
    store = reset(module_store)
    start_clock(store)
    return store


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "REPLAY_BATCH", {"sqlite": 4, "postgresql": 4})
    monkeypatch.setattr(engine_module, "HELPER_BATCH", 3)
    monkeypatch.setattr(engine_module, "WINDOW", 7)


def place(db: Database) -> None:
    """Three speeds, one and two centers, a FillAll order short of stock, and scenarios of every kind a step reads."""
    stock(db, "MUG", 300, "BFI4")
    stock(db, "TEA", 300, "JAX3")
    stock(db, "RARE", 1, "BFI4")
    for n, order_id in enumerate(ORDERS):
        items = [line("MUG", f"{order_id}-1", 1 + n % 4)] + ([line("TEA", f"{order_id}-2", 2)] if n % 2 else [])
        create(db, order_id, *items, shipping_speed=("Standard", "Expedited", "Priority")[n % 3])
    create(db, "WAITS", line("RARE", "WAITS-1", 3), fulfillment_policy="FillAll")
    at = now(db)
    scenarios.add(db, SELLER, "force_status", {"status": "UNFULFILLABLE"}, at, seller_order_id="O5")
    scenarios.add(db, SELLER, "hold_shipment", {}, at, seller_order_id="O7")
    scenarios.add(db, SELLER, "package", {"outcome": "lost"}, at, seller_order_id="O9")
    scenarios.add(db, SELLER, "speed", {"multiplier": 3}, at, seller_order_id="O11")


def run(db: Database, helpers: int, between: Callable[[int], None] = lambda _hop: None) -> dict[str, Any]:
    place(db)
    engine = Engine(db, helpers=helpers)
    for hop, by in enumerate(HOPS):
        simulation.advance(db, by, engine)
        between(hop)
    return {
        "orders": orders_snapshot(db, [*ORDERS, "WAITS"]),
        "stock": {sku: totals(db, sku) for sku in ("MUG", "TEA", "RARE")},
    }


def restock(db: Database) -> Callable[[int], None]:
    def arrive(hop: int) -> None:
        if hop == 1:
            stock(db, "RARE", 5, "BFI4")  # the FillAll order's units arrive: the step that reserves them reads stock

    return arrive


def test_helpers_give_the_same_store_as_one_process(
    db: Database, small_batches: None, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken: list[int] = []  # orders in each batch handed to a helper process
    original = Helpers.submit
    monkeypatch.setattr(
        Helpers, "submit", lambda self, task, work: taken.append(len(work.due)) or original(self, task, work)
    )
    alone = fresh_sqlite(tmp_path / "alone.db")
    try:
        expected = run(alone, helpers=0, between=restock(alone))
        assert not taken, "one process: no helper task"
        got = run(db, helpers=2, between=restock(db))
    finally:
        alone.dispose()
    assert got == expected
    assert len(taken) > 20 and max(taken) == 3
    orders = expected["orders"]
    assert orders["O5"]["status"] == "UNFULFILLABLE" and orders["O7"]["status"] == "PROCESSING"
    assert orders["WAITS"]["status"] == "COMPLETE" and orders["O0"]["status"] == "COMPLETE"
    with db.read() as conn:  # the helpers' rows really were written: every order's step columns moved
        pending = conn.execute(text("SELECT count(*) FROM orders WHERE status = 'RECEIVED'")).scalar_one()
    assert pending == 0


def test_a_write_between_two_transactions_is_not_overwritten(
    small_batches: None, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch still with the helpers when the engine commits is written in its next transaction only if no one else
    wrote in between; here a cancel does, and the cancelled order's step computed before it is dropped. (SQLite
    only: on PostgreSQL every batch is written before the commit, so none is out between transactions.)"""
    db = fresh_sqlite(tmp_path / "store.db")
    cancelled: list[str] = []
    original = Engine._window

    def window(self: Engine, conn: Any, ahead: Any, target: Any) -> int:
        applied = original(self, conn, ahead, target)
        if not cancelled:
            # an order whose step out there would move it on (to PROCESSING, with a shipment)
            waiting = [raw for work in ahead.queue for raw in work.due.rows if raw[batch.STATUS] == PLANNING]
            if waiting:
                order_id = waiting[0][batch.SELLER_ORDER]
                service.cancel_fulfillment_order(db, SELLER, order_id, now(db))
                cancelled.append(order_id)
        return applied

    # The one private hook in the suite: no public input puts a write between two transactions of one catch-up
    # call (the call returns only when it is done), and a second thread could not be timed to land there.
    monkeypatch.setattr(Engine, "_window", window)
    try:
        place(db)
        before = totals(db, "MUG")
        simulation.advance(db, timedelta(days=12), Engine(db, helpers=1))
        check_cancelled(db, cancelled, before)
    finally:
        db.dispose()


def check_cancelled(db: Database, cancelled: list[str], before: tuple[int, int]) -> None:
    assert cancelled, "a batch was out between two transactions"
    order = get(db, cancelled[0])
    assert order.status == CANCELLED
    assert order.shipments == []
    assert [kind for _at, kind, _detail in events(db, cancelled[0])] == [PLANNING]  # no step after the cancel
    assert all(item.cancelled_quantity == item.quantity for item in order.items)
    mugs = [
        (s.status, item.quantity)
        for other in ORDERS
        for s in get(db, other).shipments
        for item in s.items
        if item.seller_sku == "MUG"
    ]
    shipped = sum(q for status, q in mugs if status == "SHIPPED")
    pending = sum(q for status, q in mugs if status == "PENDING")
    sellable, reserved = totals(db, "MUG")
    assert (sellable + reserved + shipped, reserved) == (sum(before), pending)  # the cancelled units went back


def test_helpers_that_cannot_start_leave_the_steps_to_the_engine(
    db: Database, small_batches: None, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    alone = fresh_sqlite(tmp_path / "alone.db")
    try:
        expected = run(alone, helpers=0)
    finally:
        alone.dispose()
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python"))
    assert run(db, helpers=2) == expected


@pytest.mark.parametrize(("setting", "expected"), [("0", 0), ("3", 3), ("lots", None), ("", None)])
def test_the_number_of_helpers_comes_from_the_environment(
    db: Database, monkeypatch: pytest.MonkeyPatch, setting: str, expected: int | None
) -> None:
    monkeypatch.setenv("OUTBOUND_ENGINE_HELPERS", setting)
    monkeypatch.setattr(engine_module.os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    chosen = Engine(db)._helpers()
    assert chosen == (expected if expected is not None else (2 if db.is_sqlite else 0))
    assert Engine(db, helpers=1)._helpers() == 1  # the engine's own setting wins


def test_catching_up_makes_no_reference_cycles_and_leaves_the_collector_on(db: Database) -> None:
    """The engine turns the cycle collector off while it catches up (``_without_cycle_collection``): that is only
    sound if a step's objects hold no cycles, which this checks on the varied workload."""
    place(db)
    gc.collect()
    engine = Engine(db, helpers=0)
    for by in HOPS:
        simulation.advance(db, by, engine)
    assert gc.isenabled()
    # a cycle made per step would leave hundreds of objects here (about 150 steps); a few may come from elsewhere
    # (a new pooled connection, say), which the collector frees once it is back on
    assert gc.collect() < 20
