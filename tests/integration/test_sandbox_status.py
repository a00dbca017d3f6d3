"""The sandbox's order status update through the service (SQLite and PostgreSQL): the lifecycle's own steps at the
simulated now, the refusals, and nothing changed by a refusal."""

from __future__ import annotations

from datetime import timedelta

import pytest

from outbound.domain.errors import InvalidValue, NotAllowed
from outbound.domain.orders import (
    CANCELLED,
    COMPLETE,
    COMPLETE_PARTIALLED,
    INVALID,
    PENDING,
    PLANNING,
    PROCESSING,
    RECEIVED,
    SHIPPED,
    UNFULFILLABLE,
)
from outbound.service.sandbox import submit_fulfillment_order_status
from outbound.store import Database
from tests.helpers import (
    SELLER,
    advance,
    create,
    events,
    get,
    line,
    now,
    reset,
    start_clock,
    stock,
    totals,
    tracking,
)


@pytest.fixture
def db(module_store: Database) -> Database:
    reset(module_store)
    start_clock(module_store)
    return module_store


def submit(db: Database, order_id: str, status: str):  # type: ignore[no-untyped-def]
    return submit_fulfillment_order_status(db, SELLER, order_id, status, now(db))


def test_processing_then_complete(db: Database) -> None:
    stock(db, "TEA-1", 5)
    create(db, "S-1", line("TEA-1", "a", 2))
    order = submit(db, "S-1", PROCESSING)
    assert order.status == PROCESSING and order.status_updated_at == now(db)
    assert [s.status for s in order.shipments] == [PENDING]
    assert [kind for _at, kind, _d in events(db, "S-1")] == [PLANNING, PROCESSING]
    order = submit(db, "S-1", COMPLETE)
    assert order.status == COMPLETE
    (shipment,) = order.shipments
    assert shipment.status == SHIPPED and shipment.shipping_at == now(db) and shipment.packages
    assert all(p.tracking_number and p.carrier_code for p in shipment.packages)
    assert totals(db, "TEA-1") == (3, 0)  # the units left the inventory
    assert tracking(db, shipment.packages[0].package_number).current_status == "IN_TRANSIT"
    # the engine finds nothing left to do; the order stays complete
    advance(db, timedelta(days=1))
    assert get(db, "S-1").status == COMPLETE


def test_complete_from_received_and_release_of_a_hold(db: Database) -> None:
    stock(db, "TEA-1", 5)
    create(db, "H-1", line("TEA-1", "a", 1), fulfillment_action="Hold")
    order = submit(db, "H-1", PLANNING)
    assert order.status == PLANNING and order.fulfillment_action == "Ship" and order.hold_until is None
    assert submit(db, "H-1", PLANNING).status == PLANNING  # the same status: no change
    create(db, "C-1", line("TEA-1", "a", 1))
    order = submit(db, "C-1", COMPLETE)
    assert order.status == COMPLETE and order.shipments[0].status == SHIPPED
    assert [kind for _at, kind, _d in events(db, "C-1")] == [PLANNING, PROCESSING, SHIPPED, COMPLETE]


def test_unfulfillable_and_invalid_only_before_processing(db: Database) -> None:
    stock(db, "TEA-1", 5)
    create(db, "U-1", line("TEA-1", "a", 2))
    order = submit(db, "U-1", UNFULFILLABLE)
    assert order.status == UNFULFILLABLE and order.items[0].unfulfillable_quantity == 2
    assert totals(db, "TEA-1") == (5, 0)  # reserved units back in stock
    create(db, "I-1", line("TEA-1", "a", 1))
    submit(db, "I-1", PLANNING)
    assert submit(db, "I-1", INVALID).status == INVALID
    create(db, "P-1", line("TEA-1", "a", 1))
    submit(db, "P-1", PROCESSING)
    for status in (UNFULFILLABLE, INVALID):
        with pytest.raises(NotAllowed):
            submit(db, "P-1", status)
    assert get(db, "P-1").status == PROCESSING


def test_cancel_follows_the_cancel_rules(db: Database) -> None:
    stock(db, "TEA-1", 5)
    create(db, "X-1", line("TEA-1", "a", 2))
    assert submit(db, "X-1", CANCELLED).status == CANCELLED
    assert submit(db, "X-1", CANCELLED).status == CANCELLED
    assert totals(db, "TEA-1") == (5, 0)
    create(db, "X-2", line("TEA-1", "a", 1))
    submit(db, "X-2", PROCESSING)
    with pytest.raises(NotAllowed):
        submit(db, "X-2", CANCELLED)


def test_refusals_change_nothing(db: Database) -> None:
    stock(db, "TEA-1", 5)
    create(db, "R-1", line("TEA-1", "a", 1))
    submit(db, "R-1", PROCESSING)
    for status, error in (
        (RECEIVED, NotAllowed),  # backward
        (PLANNING, NotAllowed),
        (COMPLETE_PARTIALLED, InvalidValue),
        ("NEW", InvalidValue),
        ("New", InvalidValue),
        ("Processing", InvalidValue),  # the adapter maps protocol names to the domain's
    ):
        with pytest.raises(error):
            submit(db, "R-1", status)
    assert get(db, "R-1").status == PROCESSING
    submit(db, "R-1", COMPLETE)
    for status in (PROCESSING, CANCELLED, UNFULFILLABLE):
        with pytest.raises(NotAllowed):  # from a final status
            submit(db, "R-1", status)
    assert submit(db, "R-1", COMPLETE).status == COMPLETE  # the same status is fine
    with pytest.raises(InvalidValue) as refused:
        submit(db, "NO-SUCH", PROCESSING)
    assert refused.value.field == "SellerFulfillmentOrderId"


def test_a_target_the_steps_cannot_reach_changes_nothing(db: Database) -> None:
    stock(db, "TEA-1", 1)
    create(db, "FA-1", line("TEA-1", "a", 3), fulfillment_policy="FillAll")  # 1 of 3 units in stock
    before = get(db, "FA-1")
    with pytest.raises(NotAllowed):
        submit(db, "FA-1", COMPLETE)  # two units are missing: it cannot ship everything
    after = get(db, "FA-1")
    assert (after.status, after.shipments, totals(db, "TEA-1")) == (before.status, before.shipments, (0, 1))
    assert submit(db, "FA-1", PROCESSING).status == PROCESSING  # what is there can be planned
