"""The preview keeps its word: an order created right after a preview, with the same items, address and speed, gets
the preview's centers, quantities and dates (docs/mws-protocol.md "Operations").

Each test previews over HTTP with the SDK, creates the order over HTTP, then compares:

* GetFulfillmentOrder's per-item ``EstimatedShipDateTime`` / ``EstimatedArrivalDateTime`` with the latest ship and
  arrival dates of the preview shipments that carry the item;
* the order's reservations (center, line, units) with the preview's shipments: the wire preview says which units
  travel together; the service preview at the same instant names their centers, and it must be the same preview.

The server's service clock is frozen at one instant for the whole test (a promise changes at day and cut-off
boundaries only, but a frozen clock makes "right after" exact). Both the wall-clock instant and a fixed instant in
Thanksgiving week (holidays, a long-haul extra day) are exercised.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from outbound.client import CreateItem, OutboundClient
from outbound.domain.orders import Address as DomainAddress
from outbound.service import inventory
from outbound.service.accounts import Caller
from outbound.service.orders import ItemRequest
from outbound.service.preview import Preview, PreviewRequest, get_fulfillment_preview
from outbound.store import Database
from outbound.store import orders as order_store
from tests.helpers import ACCESS_KEY, JANE_PLAIN, SELLER, US, US_NOW, FixedClock, Server, sdk_for, stock, unique

THANKSGIVING_WEEK = US_NOW  # preview A's instant, 08:02 Pacific on the Monday
INSTANTS = [pytest.param(None, id="now"), pytest.param(THANKSGIVING_WEEK, id="thanksgiving-week")]


@pytest.fixture
def mws(server: Server) -> Iterator[OutboundClient]:
    with sdk_for(server) as client:
        yield client


def service_preview(db: Database, items: list[CreateItem], speed: str, now: datetime) -> Preview:
    address = DomainAddress({wire.removeprefix("."): value for wire, value in JANE_PLAIN.to_params("").items()})
    lines = tuple(ItemRequest(i.seller_sku, i.seller_fulfillment_order_item_id, i.quantity) for i in items)
    [found] = get_fulfillment_preview(db, Caller(ACCESS_KEY, SELLER, US), PreviewRequest(address, lines, (speed,)), now)
    return found


def check_consistency(
    server: Server, mws: OutboundClient, items: list[CreateItem], speed: str, moment: datetime | None
) -> list[tuple[str, str, int]]:
    """Preview, create, compare; returns the reservations as sorted (center, item id, units)."""
    now = moment or datetime.now(UTC).replace(microsecond=0)
    server.ctx.clock = FixedClock(now)
    db = server.ctx.db

    named = service_preview(db, items, speed, now)  # the same computation, with the centers' names
    [found] = mws.get_fulfillment_preview(JANE_PLAIN, items, shipping_speed_categories=[speed])
    assert found.is_fulfillable and found.speed == speed and named.is_fulfillable
    assert [
        (s.earliest_ship_date, s.latest_ship_date, s.earliest_arrival_date, s.latest_arrival_date)
        for s in found.shipments
    ] == [
        (s.dates.earliest_ship, s.dates.latest_ship, s.dates.earliest_arrival, s.dates.latest_arrival)
        for s in named.shipments
    ]
    assert [[(i.seller_fulfillment_order_item_id, i.quantity) for i in s.items] for s in found.shipments] == [
        [(i.item_id, i.quantity) for i in s.items] for s in named.shipments
    ]

    order_id = unique("CONSISTENT-")
    mws.create_fulfillment_order(order_id, JANE_PLAIN, items, shipping_speed_category=speed)
    details = mws.get_fulfillment_order(order_id)

    # dates: each line's estimate is the latest of the preview shipments that carry it
    assert [i.seller_fulfillment_order_item_id for i in details.items] == [
        i.seller_fulfillment_order_item_id for i in items
    ]
    for line in details.items:
        line_id = line.seller_fulfillment_order_item_id
        carrying = [s for s in found.shipments if line_id in {i.seller_fulfillment_order_item_id for i in s.items}]
        assert carrying, line_id
        assert line.estimated_ship_datetime == max(s.latest_ship_date for s in carrying)
        assert line.estimated_arrival_datetime == max(s.latest_arrival_date for s in carrying)

    # centers and units: the order's reservations are exactly the preview's shipments
    with db.read() as conn:
        stored = order_store.load_order(conn, SELLER, order_id)
        assert stored is not None
        held = order_store.load_reservations(conn, stored.id)
    line_ids = [item.item_id for item in stored.order.items]
    reserved = sorted((r.fc_code, line_ids[r.line], r.quantity) for r in held if r.quantity)
    previewed = sorted((s.fc_code, i.item_id, i.quantity) for s in named.shipments for i in s.items)
    assert reserved == previewed
    # and the stock moved accordingly: reserved units per center are the previewed ones
    per_center: Counter[tuple[str, str]] = Counter()
    for shipment in named.shipments:
        for item in shipment.items:
            per_center[(item.seller_sku, shipment.fc_code)] += item.quantity
    levels = {(sku, fc): reserved for sku, fc, _sellable, reserved in inventory.levels(db, SELLER) if reserved}
    assert levels == dict(per_center)
    return reserved


@pytest.mark.parametrize("moment", INSTANTS)
@pytest.mark.parametrize("speed", ["Standard", "Expedited"])
def test_single_center_order(
    server: Server, db: Database, mws: OutboundClient, moment: datetime | None, speed: str
) -> None:
    stock(db, "MUG", 10, "BFI4", weight="0.85", dims="5x4.5x4")
    stock(db, "TEA", 10, "BFI4", weight="0.3", dims="8x5x1.39")
    stock(
        db, "MUG", 40, "ABE8", weight="0.85", dims="5x4.5x4"
    )  # more mugs far away: the nearest center holding all wins
    items = [CreateItem("MUG", "line-1", 2), CreateItem("TEA", "line-2", 1)]
    reserved = check_consistency(server, mws, items, speed, moment)
    assert reserved == [("BFI4", "line-1", 2), ("BFI4", "line-2", 1)]


@pytest.mark.parametrize("moment", INSTANTS)
@pytest.mark.parametrize("speed", ["Standard", "Priority"])
def test_multi_center_order(
    server: Server, db: Database, mws: OutboundClient, moment: datetime | None, speed: str
) -> None:
    stock(db, "MUG", 4, "BFI4", weight="0.5", dims="6x4x3")  # Kent, WA (Pacific)
    stock(db, "TEA", 3, "ABE8", weight="0.5", dims="6x4x3")  # Florence, NJ (Eastern): the only one with tea
    stock(db, "CUP", 3, "BFI4", weight="0.5", dims="6x4x3")
    stock(db, "CUP", 3, "DFW7", weight="0.5", dims="6x4x3")  # Coppell, TX (Central): 5 cups need both
    items = [CreateItem("MUG", "line-1", 2), CreateItem("TEA", "line-2", 3), CreateItem("CUP", "line-3", 5)]
    reserved = check_consistency(server, mws, items, speed, moment)
    assert reserved == [
        ("ABE8", "line-2", 3),
        ("BFI4", "line-1", 2),
        ("BFI4", "line-3", 3),
        ("DFW7", "line-3", 2),
    ]


def test_thanksgiving_week_dates_differ_per_center(server: Server, db: Database, mws: OutboundClient) -> None:
    """The multi-center case really has different dates per shipment, so the max per line is exercised."""
    stock(db, "MUG", 4, "BFI4", weight="0.5", dims="6x4x3")
    stock(db, "CUP", 3, "BFI4", weight="0.5", dims="6x4x3")
    stock(db, "CUP", 3, "DFW7", weight="0.5", dims="6x4x3")
    server.ctx.clock = FixedClock(THANKSGIVING_WEEK)
    [found] = mws.get_fulfillment_preview(
        JANE_PLAIN,
        [CreateItem("MUG", "line-1", 2), CreateItem("CUP", "line-3", 5)],
        shipping_speed_categories=["Standard"],
    )
    kent, coppell = found.shipments
    assert kent.latest_arrival_date == datetime(2026, 12, 2, 7, 59, 59, tzinfo=UTC)  # Tue 1 Dec, Pacific
    assert coppell.latest_arrival_date == datetime(2026, 12, 3, 5, 59, 59, tzinfo=UTC)  # long haul: Wed 2 Dec, Central
