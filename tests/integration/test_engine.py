"""The lifecycle engine on a virtual clock (SQLite and PostgreSQL): orders made through the service, time advanced,
statuses, StatusUpdatedDateTime, shipments, packages and stock checked at known instants (docs/world.md "Lifecycle
timings", docs/mws-protocol.md "The order's life").
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from outbound.domain import tracking as tracking_domain
from outbound.domain.orders import (
    CANCELLED,
    CANCELLED_BY_FULFILLER,
    COMPLETE,
    COMPLETE_PARTIALLED,
    INVALID,
    PENDING,
    PLANNING,
    PROCESSING,
    RECEIVED,
    SHIPPED,
    UNFULFILLABLE,
    Address,
)
from outbound.domain.world import load_json
from outbound.service import orders as service
from outbound.service import scenarios, simulation
from outbound.service.accounts import add_seller
from outbound.sim.engine import Steps
from outbound.store import Database, journeys
from outbound.store import lifecycle as lifecycle_store
from tests.helpers import (
    ACCESS_KEY,
    CALLER,
    CURRENT_STATUSES,
    EVENT_CODES,
    SECRET_KEY,
    SELLER,
    T0,
    advance,
    advance_to,
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
    tracking,
)

MINUTE = timedelta(minutes=1)
SECOND = timedelta(seconds=1)


@pytest.fixture
def db(module_store: Database) -> Database:
    store = reset(module_store)
    start_clock(store)
    return store


def status_at(db: Database, order_id: str) -> tuple[str, datetime]:
    order = get(db, order_id)
    return order.status, order.status_updated_at


def logged(db: Database, order_id: str, kind: str) -> list[datetime]:
    return [at for at, what, _detail in events(db, order_id) if what == kind]


def add_scenario(db: Database, kind: str, params: dict[str, Any], order_id: str | None = None, **extra: Any) -> int:
    scenario_id = scenarios.add(db, SELLER, kind, params, now(db), seller_order_id=order_id, **extra)
    if order_id is not None:
        simulation.wake(db, SELLER, order_id, now(db))
    return scenario_id


# ------------------------------------------------------------------------------------------------ the happy path


def test_received_planning_processing_shipped_complete_at_their_times(db: Database) -> None:
    stock(db, "MUG", 10)
    create(db, "A", line("MUG", "A-1", 3))
    assert status_at(db, "A") == (RECEIVED, T0)
    assert totals(db, "MUG") == (7, 3)  # reserved at creation

    advance(db, 59 * SECOND)  # planning never starts before a minute
    assert status_at(db, "A") == (RECEIVED, T0)
    advance_to(db, T0 + 5 * MINUTE)
    status, planned_at = status_at(db, "A")
    assert status == PLANNING
    assert T0 + MINUTE <= planned_at <= T0 + 5 * MINUTE
    assert logged(db, "A", PLANNING) == [planned_at]
    assert get(db, "A").shipments == []

    advance_to(db, planned_at + 15 * MINUTE - SECOND)
    assert status_at(db, "A") == (PLANNING, planned_at)
    advance_to(db, planned_at + 90 * MINUTE)
    status, processing_at = status_at(db, "A")
    assert status == PROCESSING
    assert planned_at + 15 * MINUTE <= processing_at <= planned_at + 90 * MINUTE
    order = get(db, "A")
    [shipment] = order.shipments
    assert shipment.status == PENDING and shipment.fc_code == "BFI4"
    assert shipment.shipping_at is not None and shipment.estimated_arrival_at is not None
    assert processing_at + 60 * MINUTE <= shipment.shipping_at  # picked and packed first
    estimated_ship = order.items[0].estimated_ship_at
    assert estimated_ship is not None and shipment.shipping_at <= estimated_ship  # ships by the promise
    assert [(i.seller_sku, i.item_id, i.quantity, i.package_number) for i in shipment.items] == [
        ("MUG", "A-1", 3, None)
    ]
    assert shipment.packages == []  # packed only when it leaves
    assert totals(db, "MUG") == (7, 3)  # still reserved while PENDING

    ship_at = shipment.shipping_at
    advance_to(db, ship_at - SECOND)
    assert get(db, "A").shipments[0].status == PENDING
    advance_to(db, ship_at)
    order = get(db, "A")
    assert (order.status, order.status_updated_at) == (COMPLETE, ship_at)  # complete when the last shipment ships
    [shipment] = order.shipments
    assert (shipment.status, shipment.shipping_at) == (SHIPPED, ship_at)
    [package] = shipment.packages
    assert package.carrier_code and package.tracking_number
    assert [i.package_number for i in shipment.items] == [package.package_number]
    assert totals(db, "MUG") == (7, 0)  # the reserved units left with the shipment
    assert [(kind, detail) for _at, kind, detail in events(db, "A")] == [
        (PLANNING, None),
        (PROCESSING, None),
        (SHIPPED, shipment.amazon_shipment_id),
        (COMPLETE, None),
    ]

    details = tracking(db, package.package_number)  # tracking goes on after COMPLETE
    assert details.current_status == "IN_TRANSIT"
    assert details.ship_date == ship_at and details.events[-1].code == "EVENT_101"
    advance(db, timedelta(days=20))
    details = tracking(db, package.package_number)
    assert details.current_status in CURRENT_STATUSES
    assert {e.code for e in details.events} <= EVENT_CODES
    assert status_at(db, "A") == (COMPLETE, ship_at)  # nothing moves after the end


def test_an_order_from_two_centers_is_complete_when_the_last_shipment_ships(db: Database) -> None:
    stock(db, "MUG", 5, "BFI4")
    stock(db, "TEA", 5, "JAX3")
    create(db, "TWO", line("MUG", "TWO-1", 2), line("TEA", "TWO-2", 1))
    advance(db, timedelta(hours=2))
    order = get(db, "TWO")
    assert order.status == PROCESSING
    assert sorted(s.fc_code for s in order.shipments) == ["BFI4", "JAX3"]
    times = sorted(s.shipping_at for s in order.shipments if s.shipping_at)
    assert len(times) == 2 and times[0] < times[1]
    advance_to(db, times[0])
    order = get(db, "TWO")
    assert order.status == PROCESSING
    assert sorted(s.status for s in order.shipments) == [PENDING, SHIPPED]
    advance_to(db, times[1])
    assert status_at(db, "TWO") == (COMPLETE, times[1])
    assert totals(db, "MUG") == (3, 0) and totals(db, "TEA") == (4, 0)


# ------------------------------------------------------------------------------------------------ hold


def test_a_hold_lapses_after_fourteen_days_and_not_before(db: Database) -> None:
    stock(db, "MUG", 10)
    create(db, "H", line("MUG", "H-1", 4), fulfillment_action="Hold")
    assert totals(db, "MUG") == (6, 4)  # a hold reserves
    advance(db, timedelta(days=14) - SECOND)
    order = get(db, "H")
    assert (order.status, order.status_updated_at, order.fulfillment_action) == (RECEIVED, T0, "Hold")
    assert order.shipments == [] and totals(db, "MUG") == (6, 4)
    advance(db, SECOND)
    order = get(db, "H")
    assert (order.status, order.status_updated_at) == (CANCELLED, T0 + timedelta(days=14))
    assert [(i.quantity, i.cancelled_quantity) for i in order.items] == [(4, 4)]
    assert totals(db, "MUG") == (10, 0)  # units released
    assert [kind for _at, kind, _d in events(db, "H")] == [CANCELLED]


def test_update_with_ship_releases_a_hold(db: Database) -> None:
    stock(db, "MUG", 10)
    create(db, "HS", line("MUG", "HS-1", 4), fulfillment_action="Hold")
    advance(db, timedelta(days=2))
    assert status_at(db, "HS") == (RECEIVED, T0)
    released = now(db)
    service.update_fulfillment_order(
        db,
        CALLER,
        service.UpdateOrderRequest("HS", fulfillment_action="Ship", items=(service.ItemUpdate("HS-1", 3),)),
        released,
    )
    assert totals(db, "MUG") == (7, 3)  # lowering the quantity gave a unit back
    advance(db, SECOND)
    assert status_at(db, "HS") == (PLANNING, released)  # planning starts at once
    advance(db, timedelta(days=4))
    order = get(db, "HS")
    assert order.status == COMPLETE
    assert order.status_updated_at == order.shipments[0].shipping_at
    assert totals(db, "MUG") == (7, 0)
    # the two-week lapse no longer applies to a released order
    advance(db, timedelta(days=14))
    assert get(db, "HS").status == COMPLETE


# ------------------------------------------------------------------------------------------------ policies


def test_fill_all_available_short_ends_complete_partialled(db: Database) -> None:
    stock(db, "MUG", 2)
    stock(db, "TEA", 5)
    create(db, "FAA", line("MUG", "FAA-1", 5), line("TEA", "FAA-2", 1), fulfillment_policy="FillAllAvailable")
    assert totals(db, "MUG") == (0, 2)
    advance(db, timedelta(hours=2))
    order = get(db, "FAA")
    assert order.status == PROCESSING
    assert [(i.item_id, i.unfulfillable_quantity, i.cancelled_quantity) for i in order.items] == [
        ("FAA-1", 3, 0),
        ("FAA-2", 0, 0),
    ]
    advance(db, timedelta(days=4))
    order = get(db, "FAA")
    assert order.status == COMPLETE_PARTIALLED
    assert order.status_updated_at == max(s.shipping_at for s in order.shipments if s.shipping_at)
    assert sorted((i.item_id, i.quantity) for s in order.shipments for i in s.items) == [("FAA-1", 2), ("FAA-2", 1)]
    assert totals(db, "MUG") == (0, 0) and totals(db, "TEA") == (4, 0)


def test_fill_all_short_waits_then_ships_when_stock_arrives(db: Database) -> None:
    stock(db, "MUG", 2)
    create(db, "FA", line("MUG", "FA-1", 5), fulfillment_policy="FillAll")
    advance(db, timedelta(days=2))
    order = get(db, "FA")
    assert order.status == PROCESSING  # the two units shipped; the rest waits, never declared unfulfillable
    assert [(s.status, [i.quantity for i in s.items]) for s in order.shipments] == [(SHIPPED, [2])]
    assert order.items[0].unfulfillable_quantity == 0
    waited_since = order.status_updated_at
    advance(db, timedelta(hours=12))
    assert status_at(db, "FA") == (PROCESSING, waited_since)
    stock(db, "MUG", 10)  # stock arrives
    arrived = now(db)
    advance(db, timedelta(days=2))
    order = get(db, "FA")
    assert order.status == COMPLETE
    assert [i.quantity for s in order.shipments for i in s.items] == [2, 3]
    second = order.shipments[1]
    assert second.status == SHIPPED and second.shipping_at is not None and second.shipping_at > arrived
    assert order.status_updated_at == second.shipping_at
    assert totals(db, "MUG") == (7, 0)


def test_stock_arriving_before_planning_tops_up_the_reservation(db: Database) -> None:
    """A line partly reserved at a center gets the rest at the same center once stock arrives there."""
    stock(db, "MUG", 2)
    create(db, "TOP", line("MUG", "TOP-1", 5), fulfillment_policy="FillAllAvailable")
    stock(db, "MUG", 10)  # before planning: sellable 10, 2 still reserved
    advance(db, timedelta(days=4))
    order = get(db, "TOP")
    assert order.status == COMPLETE
    assert order.items[0].unfulfillable_quantity == 0
    assert [(s.fc_code, [i.quantity for i in s.items]) for s in order.shipments] == [("BFI4", [5])]
    assert totals(db, "MUG") == (7, 0)


# ------------------------------------------------------------------------------------------------ cancel


def test_cancel_while_received_and_while_planning(db: Database) -> None:
    stock(db, "MUG", 10)
    create(db, "CR", line("MUG", "CR-1", 2))
    create(db, "CP", line("MUG", "CP-1", 3))
    advance(db, 30 * SECOND)
    service.cancel_fulfillment_order(db, SELLER, "CR", now(db))
    assert status_at(db, "CR") == (CANCELLED, T0 + 30 * SECOND)
    advance_to(db, T0 + 5 * MINUTE)
    assert get(db, "CP").status == PLANNING
    cancelled_at = now(db)
    service.cancel_fulfillment_order(db, SELLER, "CP", cancelled_at)
    advance(db, timedelta(days=5))
    for order_id, quantity in (("CR", 2), ("CP", 3)):
        order = get(db, order_id)
        assert order.status == CANCELLED and order.shipments == []
        assert [(i.quantity, i.cancelled_quantity) for i in order.items] == [(quantity, quantity)]
    assert status_at(db, "CP") == (CANCELLED, cancelled_at)
    assert [kind for _at, kind, _d in events(db, "CR")] == []
    assert [kind for _at, kind, _d in events(db, "CP")] == [PLANNING]
    assert totals(db, "MUG") == (10, 0)


# ------------------------------------------------------------------------------------------------ scenarios


@pytest.mark.parametrize("forced", [UNFULFILLABLE, INVALID])
def test_force_status_ends_the_order_and_releases_its_units(db: Database, forced: str) -> None:
    stock(db, "MUG", 10)
    create(db, "F", line("MUG", "F-1", 3))
    advance(db, 30 * SECOND)
    add_scenario(db, "force_status", {"status": forced}, "F")
    advance(db, SECOND)
    order = get(db, "F")
    assert (order.status, order.status_updated_at) == (forced, T0 + 30 * SECOND)
    assert [(i.quantity, i.unfulfillable_quantity) for i in order.items] == [(3, 3)]
    assert totals(db, "MUG") == (10, 0)
    advance(db, timedelta(days=5))
    assert get(db, "F").status == forced and get(db, "F").shipments == []


def test_force_status_while_processing_cancels_the_pending_shipment(db: Database) -> None:
    stock(db, "MUG", 10)
    create(db, "FP", line("MUG", "FP-1", 3))
    advance(db, timedelta(hours=2))
    assert get(db, "FP").status == PROCESSING
    add_scenario(db, "force_status", {"status": INVALID}, "FP")
    advance(db, SECOND)
    order = get(db, "FP")
    assert order.status == UNFULFILLABLE  # INVALID is not reachable from PROCESSING (domain/lifecycle.py)
    [shipment] = order.shipments
    assert (shipment.status, shipment.shipping_at, shipment.estimated_arrival_at) == (
        CANCELLED_BY_FULFILLER,
        None,
        None,
    )
    assert totals(db, "MUG") == (10, 0)


def test_hold_shipment_keeps_it_pending_until_removed(db: Database) -> None:
    stock(db, "MUG", 10)
    create(db, "HB", line("MUG", "HB-1", 2))
    scenario_id = add_scenario(db, "hold_shipment", {}, "HB")
    advance(db, timedelta(days=2))
    order = get(db, "HB")
    assert order.status == PROCESSING
    [shipment] = order.shipments
    assert shipment.status == PENDING and shipment.packages == []
    assert shipment.shipping_at is not None and shipment.shipping_at >= now(db)  # its estimate moved on
    assert totals(db, "MUG") == (8, 2)
    removed_at = now(db)
    assert scenarios.remove(db, scenario_id) == 1
    advance(db, timedelta(days=1))
    order = get(db, "HB")
    assert order.status == COMPLETE
    [shipment] = order.shipments
    assert shipment.shipping_at is not None and removed_at <= shipment.shipping_at <= removed_at + timedelta(hours=1)
    details = tracking(db, shipment.packages[0].package_number)
    assert all(e.at >= shipment.shipping_at.replace(microsecond=0) for e in details.events)  # nothing back-dated
    assert totals(db, "MUG") == (8, 0)


def test_a_speed_multiplier_slows_processing(db: Database) -> None:
    stock(db, "MUG", 10)
    create(db, "SLOW", line("MUG", "SLOW-1", 1))
    add_scenario(db, "speed", {"multiplier": 10}, "SLOW")
    advance(db, 9 * MINUTE)
    assert get(db, "SLOW").status == RECEIVED  # 1-5 minutes × 10
    advance(db, timedelta(days=3))
    [planned] = logged(db, "SLOW", PLANNING)
    [processing] = logged(db, "SLOW", PROCESSING)
    assert T0 + 10 * MINUTE <= planned <= T0 + 50 * MINUTE
    assert planned + 150 * MINUTE <= processing <= planned + 900 * MINUTE
    [shipped] = logged(db, "SLOW", SHIPPED)
    assert shipped >= processing + 600 * MINUTE


@pytest.mark.parametrize(
    ("outcome", "final", "last_code"),
    [
        ("lost", "UNDELIVERABLE", "EVENT_409"),
        ("returned", "RETURNED", "EVENT_309"),
        ("delayed", "DELIVERED", "EVENT_301"),
    ],
)
def test_package_outcome_scenarios(db: Database, outcome: str, final: str, last_code: str) -> None:
    stock(db, "MUG", 10)
    create(db, "PK", line("MUG", "PK-1", 1))
    add_scenario(db, "package", {"outcome": outcome}, "PK")
    advance(db, timedelta(hours=2))
    ship_at = get(db, "PK").shipments[0].shipping_at
    assert ship_at is not None
    advance_to(db, ship_at)
    [package] = get(db, "PK").shipments[0].packages
    details = tracking(db, package.package_number)
    assert details.current_status == "IN_TRANSIT" and [e.code for e in details.events] == ["EVENT_101"]
    assert details.signed_for_by == "" and details.additional_location_info is None
    journey = planned_journey(db, package.package_number)
    assert journey.outcome == tracking_domain.FORCES[outcome]
    if outcome == "delayed":  # the delay shows before the delivery, and the carrier's estimate moves
        delay = next(e for e in journey.events if e.code in ("EVENT_404", "EVENT_418"))
        advance_to(db, delay.at)
        details = tracking(db, package.package_number)
        assert details.current_status == "DELAYED" and details.events[0].code == delay.code
        assert package.estimated_arrival_at is not None and details.estimated_arrival is not None
        assert details.estimated_arrival > package.estimated_arrival_at
    advance(db, timedelta(days=40))
    details = tracking(db, package.package_number)
    assert details.current_status == final
    assert details.events[0].code == last_code  # newest first
    assert len(details.events) == len(journey.events)
    assert {e.code for e in details.events} <= EVENT_CODES
    assert all(e.city and e.country for e in details.events)
    if final == "DELIVERED":
        assert details.additional_location_info is not None
    else:
        assert details.signed_for_by == "" and details.additional_location_info is None


def planned_journey(db: Database, package_number: int) -> tracking_domain.Journey:
    with db.read() as conn:
        package = lifecycle_store.load_package(conn, SELLER, package_number)
    assert package is not None and package.journey is not None
    return journeys.journey_from_json(package.journey)


# ------------------------------------------------------------------------------------------------ reproducibility


def place_orders(db: Database) -> None:
    stock(db, "MUG", 40, "BFI4")
    stock(db, "TEA", 40, "JAX3")
    create(db, "R1", line("MUG", "R1-1", 2))
    create(db, "R2", line("MUG", "R2-1", 25), line("TEA", "R2-2", 3), shipping_speed="Expedited")
    create(db, "R3", line("TEA", "R3-1", 1), shipping_speed="Priority")


def snapshot(db: Database) -> dict[str, Any]:
    return orders_snapshot(db, ("R1", "R2", "R3"))


def test_two_stores_with_the_same_inputs_and_clock_agree(db: Database, tmp_path: Path) -> None:
    other = fresh_sqlite(tmp_path / "other.db")
    try:
        for store in (db, other):
            place_orders(store)
            for step in (timedelta(hours=3), timedelta(days=1), timedelta(days=6)):
                advance(store, step)
        first, second = snapshot(db), snapshot(other)
        assert first == second
        assert first["R2"]["status"] == COMPLETE and len(first["R2"]["tracking"]) == 4  # 25 mugs: three boxes
    finally:
        other.dispose()


def test_receipt_steps_from_the_row_agree_with_steps_on_the_built_order(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine takes a received order's steps from its claimed row (``Steps.from_row``, ``Steps._receipt``); taking them on the
    built order (``Step.received``) instead gives the same orders, times, events and packages."""
    built = fresh_sqlite(tmp_path / "built.db")
    try:
        hops = (2 * MINUTE, 2 * MINUTE, 10 * MINUTE, timedelta(hours=3), timedelta(days=1), timedelta(days=6))
        for store in (db, built):
            place_orders(store)
            add_scenario(store, "speed", {"multiplier": 3}, "R3")
        for hop in hops:
            advance(db, hop)
        monkeypatch.setattr(Steps, "from_row", staticmethod(lambda *_args: False))  # every step on the built order
        for hop in hops:
            advance(built, hop)
        assert snapshot(db) == snapshot(built)
        assert all(get(db, order_id).status == COMPLETE for order_id in ("R1", "R2", "R3"))
    finally:
        built.dispose()


def test_advancing_days_at_once_applies_every_step_at_its_due_time(db: Database, tmp_path: Path) -> None:
    stepwise = fresh_sqlite(tmp_path / "stepwise.db")
    try:
        for store in (db, stepwise):
            place_orders(store)
        advance(db, timedelta(days=8))  # one leap
        while now(stepwise) < T0 + timedelta(days=8):  # the same eight days, a minute or an hour at a time
            advance(stepwise, MINUTE if now(stepwise) < T0 + timedelta(hours=3) else timedelta(hours=1))
        assert snapshot(db) == snapshot(stepwise)
        for order_id in ("R1", "R2", "R3"):
            log = events(db, order_id)
            kinds = [kind for _at, kind, _d in log]
            assert kinds[:2] == [PLANNING, PROCESSING] and kinds[-1] == COMPLETE
            assert [at for at, _k, _d in log] == sorted(at for at, _k, _d in log)
            planned, processing = log[0][0], log[1][0]
            assert T0 + MINUTE <= planned <= T0 + 5 * MINUTE
            assert planned + 15 * MINUTE <= processing <= planned + 90 * MINUTE
            order = get(db, order_id)
            shipped = {detail: at for at, kind, detail in log if kind == SHIPPED}
            assert shipped == {s.amazon_shipment_id: s.shipping_at for s in order.shipments}
            assert log[-1][0] == max(shipped.values()) == order.status_updated_at
    finally:
        stepwise.dispose()


def test_statuses_seen_while_advancing_are_only_the_order_statuses(db: Database) -> None:
    place_orders(db)
    seen: set[str] = set()
    for _ in range(12):
        advance(db, timedelta(hours=2))
        seen |= {get(db, o).status for o in ("R1", "R2", "R3")}
    assert seen <= {RECEIVED, PLANNING, PROCESSING, COMPLETE}
    assert COMPLETE in seen


# ------------------------------------------------------------------------------------------------ carriers


DOMESTIC = {  # marketplace key → (MarketplaceId, center, City, StateOrProvinceCode, PostalCode, CountryCode)
    "US": ("ATVPDKIKX0DER", "BFI4", "Seattle", "WA", "98144", "US"),
    "CA": ("A2EUQ1WTGCTBG2", "YYZ4", "Toronto", "ON", "M5H 1A1", "CA"),
    "UK": ("A1F83G8C2ARO7P", "LTN1", "London", "London", "SW1A 1AA", "GB"),
    "DE": ("A1PA6795UKMFR9", "FRA1", "Berlin", "BE", "10115", "DE"),
    "FR": ("A13V1IB3VIYZZH", "ORY1", "Paris", "75", "75001", "FR"),
    "IT": ("APJ6JRA9NG5V4", "MXP5", "Milano", "MI", "20121", "IT"),
    "ES": ("A1RKKUPIHCS9HS", "MAD4", "Madrid", "M", "28001", "ES"),
    "JP": ("A1VC38T7YXB528", "NRT1", "", "Tokyo", "153-0002", "JP"),
    "AU": ("A39IBJ37TRP1C6", "SYD1", "Sydney", "NSW", "2000", "AU"),
}


def test_every_tracking_number_the_engine_makes_matches_its_carriers_format(db: Database) -> None:
    """Orders shipped in nine marketplaces at every speed: each TrackingNumber fullmatches the ``tracking_regex`` of
    its carrier in data/carriers.json, and the carrier is one the data lists for that marketplace and speed."""
    raw = load_json("carriers")
    patterns = {c["code"]: re.compile(c["tracking_regex"]) for c in raw["carriers"]}
    allowed = raw["by_marketplace_and_speed"]
    add_seller(db, SELLER, ACCESS_KEY, SECRET_KEY, None, [row[0] for row in DOMESTIC.values()])
    placed: list[tuple[str, str, str]] = []
    for market, (marketplace_id, center, city, state, postal, country) in DOMESTIC.items():
        sku = f"SKU-{market}"
        stock(db, sku, 100, center)
        destination = Address(
            {"Name": "A Buyer", "Line1": "1 Main St", "StateOrProvinceCode": state, "PostalCode": postal}
            | {"CountryCode": country}
            | ({"City": city} if city else {})
        )
        for speed in ("Standard", "Expedited", "Priority"):
            for n in range(2):
                order_id = f"{market}-{speed}-{n}"
                create(
                    db,
                    order_id,
                    line(sku, f"{order_id}-1", 12),  # two boxes
                    marketplace_id=marketplace_id,
                    shipping_speed=speed,
                    destination=destination,
                )
                placed.append((order_id, market, speed))
    advance(db, timedelta(days=4))
    seen: set[str] = set()
    for order_id, market, speed in placed:
        order = get(db, order_id)
        assert order.status == COMPLETE, order_id
        packages = [p for s in order.shipments for p in s.packages]
        assert len(packages) == 2
        for package in packages:
            assert package.carrier_code in allowed[market][speed], (order_id, package.carrier_code)
            assert package.tracking_number is not None
            assert patterns[package.carrier_code].fullmatch(package.tracking_number), (order_id, package)
            assert tracking(db, package.package_number).tracking_number == package.tracking_number
            seen.add(package.carrier_code)
    assert len(seen) >= 12  # most of the data's carriers were exercised
