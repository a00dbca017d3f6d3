"""A create's batched writes (``store/creates.py``): everything lands together, or a pick that finds too few free
units says so and the transaction leaves nothing behind; a duplicate id is SQLAlchemy's IntegrityError, on which
the service retries."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from outbound.domain.errors import InsufficientStock
from outbound.service import orders as service
from outbound.service.accounts import Caller
from outbound.service.inventory import StockChange, levels, set_inventory
from outbound.store import Database, creates
from outbound.store import orders as order_store
from outbound.store.schema import order_items, orders, reservations
from tests.helpers import ACCESS_KEY, SELLER, line, order_request

US = "ATVPDKIKX0DER"
CALLER = Caller(ACCESS_KEY, SELLER, US)
SKU = "BLUE-MUG-12OZ"


def _count(db: Database, table: object) -> int:
    with db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def _order(db: Database, order_id: str) -> service.Created:
    return service.create_fulfillment_order(
        db,
        CALLER,
        order_request(order_id, line(SKU, f"{order_id}-1", 2), line(SKU, f"{order_id}-2", 1)),
        datetime.now(UTC),
    )


def test_a_create_writes_the_order_lines_reservations_and_stock_together(db: Database) -> None:
    set_inventory(db, StockChange(SELLER, SKU, 10, "BFI4"))
    created = _order(db, "B-1")
    assert not created.replayed
    with db.read() as conn:
        stored = order_store.load_order(conn, SELLER, "B-1")
        held = order_store.load_reservations(conn, stored.id) if stored else []
    assert stored is not None and [i.quantity for i in stored.order.items] == [2, 1]
    assert stored.order.items[0].estimated_ship_at == created.order.items[0].estimated_ship_at
    assert sorted((r.line, r.fc_code, r.quantity) for r in held) == [(0, "BFI4", 2), (1, "BFI4", 1)]
    assert [(fc, sellable, reserved) for _sku, fc, sellable, reserved in levels(db, SELLER, SKU)] == [("BFI4", 7, 3)]
    assert _order(db, "B-1").replayed  # the same request again: a replay, nothing new


def test_a_pick_beyond_the_free_units_is_refused_and_nothing_is_kept(db: Database) -> None:
    set_inventory(db, StockChange(SELLER, SKU, 4, "BFI4"))
    created = _order(db, "B-2")  # takes three of the four units: one is left
    before = (_count(db, orders), _count(db, order_items), _count(db, reservations))
    order = created.order
    order.seller_order_id = "B-3"
    with pytest.raises(InsufficientStock), db.transaction() as conn:
        picks = [creates.Pick(0, "BFI4", SKU, 2)]
        if not creates.insert_created(conn, order, "hash", None, picks):
            raise InsufficientStock("InsufficientInventory", "Items")
    assert (_count(db, orders), _count(db, order_items), _count(db, reservations)) == before


def test_a_taken_id_is_sqlalchemys_integrity_error(db: Database) -> None:
    set_inventory(db, StockChange(SELLER, SKU, 10, "BFI4"))
    order = _order(db, "B-4").order
    with pytest.raises(IntegrityError), db.transaction() as conn:
        creates.insert_created(conn, order, "hash", None, [creates.Pick(0, "BFI4", SKU, 1)])
