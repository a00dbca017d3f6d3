"""Helpers for the lifecycle tests: a virtual clock set to a known instant, stock, orders made through the service,
advancing time, and a server (or app) whose service clock is that virtual clock.

Time starts at :data:`T0`, a Monday 08:00 in Seattle, so the promise and the engine's timings are predictable.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from outbound.config import Settings
from outbound.context import Context
from outbound.domain.orders import Address, Order
from outbound.mws import throttle as throttling
from outbound.service import orders as service
from outbound.service import simulation
from outbound.service import tracking as tracking_service
from outbound.service.accounts import Caller, add_seller
from outbound.service.inventory import StockChange, levels, set_inventory
from outbound.sim.clock import VirtualClock
from outbound.store import Database
from outbound.store import lifecycle as lifecycle_store
from outbound.store import orders as order_store
from tests.conftest import ACCESS_KEY, SECRET_KEY, SELLER, Server, start_server

T0 = datetime(2026, 11, 23, 16, 0, 0, tzinfo=UTC)  # Monday 08:00 in Seattle (BFI4)
US = "ATVPDKIKX0DER"
CALLER = Caller(ACCESS_KEY, SELLER, US)
SEATTLE = Address(
    {
        "Name": "Jane Doe",
        "Line1": "1200 12th Ave S",
        "City": "Seattle",
        "StateOrProvinceCode": "WA",
        "CountryCode": "US",
        "PostalCode": "98144",
    }
)
EVENT_CODES = frozenset(
    [
        "EVENT_101",
        "EVENT_102",
        "EVENT_201",
        "EVENT_202",
        "EVENT_203",
        "EVENT_204",
        "EVENT_205",
        "EVENT_206",
        "EVENT_301",
        "EVENT_302",
        "EVENT_304",
        "EVENT_306",
        "EVENT_307",
        "EVENT_308",
        "EVENT_309",
        "EVENT_401",
        "EVENT_402",
        "EVENT_403",
        "EVENT_404",
        "EVENT_405",
        "EVENT_406",
        "EVENT_407",
        "EVENT_408",
        "EVENT_409",
        "EVENT_411",
        "EVENT_412",
        "EVENT_413",
        "EVENT_414",
        "EVENT_415",
        "EVENT_416",
        "EVENT_417",
        "EVENT_418",
        "EVENT_419",
    ]
)  # the 33 MWS codes, written out here rather than taken from the code under test
CURRENT_STATUSES = frozenset(
    [
        "IN_TRANSIT",
        "DELIVERED",
        "RETURNING",
        "RETURNED",
        "UNDELIVERABLE",
        "DELAYED",
        "AVAILABLE_FOR_PICKUP",
        "CUSTOMER_ACTION",
    ]
)


def start_clock(db: Database, at: datetime = T0) -> VirtualClock:
    """The store's virtual clock, set to ``at`` (an emptied store has none: it starts there)."""
    clock = VirtualClock(db)
    clock.set(at)
    return clock


def fresh_sqlite(path: Path) -> Database:
    """A second store, in a SQLite file, with the example seller and its virtual clock at :data:`T0`."""
    other = Database(f"sqlite:///{path}")
    other.migrate()
    add_seller(other, SELLER, ACCESS_KEY, SECRET_KEY)
    start_clock(other)
    return other


def now(db: Database) -> datetime:
    return VirtualClock(db).now()


def stock(db: Database, sku: str, quantity: int, fc: str = "BFI4", seller: str = SELLER) -> None:
    set_inventory(db, StockChange(seller, sku, quantity, fc))


def units(db: Database, sku: str, seller: str = SELLER) -> dict[str, tuple[int, int]]:
    """fc → (sellable, reserved) of one SKU."""
    return {fc: (sellable, reserved) for _sku, fc, sellable, reserved in levels(db, seller, sku)}


def totals(db: Database, sku: str, seller: str = SELLER) -> tuple[int, int]:
    rows = units(db, sku, seller).values()
    return sum(s for s, _ in rows), sum(r for _, r in rows)


def line(sku: str, item_id: str, quantity: int) -> service.ItemRequest:
    return service.ItemRequest(sku, item_id, quantity)


def order_request(order_id: str, *items: service.ItemRequest, **extra: Any) -> service.CreateOrderRequest:
    fields: dict[str, Any] = {
        "seller_order_id": order_id,
        "displayable_order_id": f"WEB-{order_id}",
        "displayable_order_at": T0 - timedelta(minutes=5),
        "displayable_order_comment": "Thank you for shopping at Blue Kettle Tea Co.",
        "shipping_speed": "Standard",
        "destination": SEATTLE,
        "items": items,
    }
    fields.update(extra)
    return service.CreateOrderRequest(**fields)


def create(db: Database, order_id: str, *items: service.ItemRequest, caller: Caller = CALLER, **extra: Any) -> Order:
    """CreateFulfillmentOrder through the service, at the virtual clock's now."""
    created = service.create_fulfillment_order(db, caller, order_request(order_id, *items, **extra), now(db))
    assert not created.replayed
    return created.order


def get(db: Database, order_id: str, seller: str = SELLER) -> Order:
    return service.get_fulfillment_order(db, seller, order_id)


def advance(db: Database, by: timedelta) -> simulation.Moved:
    return simulation.advance(db, by)


def advance_to(db: Database, moment: datetime) -> simulation.Moved:
    return simulation.set_to(db, moment)


def events(db: Database, order_id: str, seller: str = SELLER) -> list[tuple[datetime, str, str | None]]:
    """The order's event log (store/lifecycle.events): (when, status or SHIPPED, shipment id)."""
    with db.read() as conn:
        stored = order_store.load_order(conn, seller, order_id, children=False)
        assert stored is not None
        return lifecycle_store.events(conn, stored.id)


def package_numbers(order: Order) -> list[int]:
    return [p.package_number for s in order.shipments for p in s.packages]


def orders_snapshot(db: Database, order_ids: Iterable[str]) -> dict[str, Any]:
    """Every order with its shipments, carriers, tracking numbers and events; package numbers (row-derived, unique
    per store) replaced by their position."""
    result: dict[str, Any] = {}
    for order_id in order_ids:
        order = get(db, order_id)
        numbers = {n: f"#{k}" for k, n in enumerate(package_numbers(order))}
        data = asdict(order)
        for shipment in data["shipments"]:
            for item in shipment["items"]:
                item["package_number"] = numbers.get(item["package_number"])
            for package in shipment["packages"]:
                package["package_number"] = numbers[package["package_number"]]
        data["tracking"] = [replace(tracking(db, n), package_number=0) for n in package_numbers(order)]
        data["log"] = events(db, order_id)
        result[order_id] = data
    return result


def tracking(db: Database, package_number: int, seller: str = SELLER) -> tracking_service.PackageDetails:
    """GetPackageTrackingDetails through the service, at the virtual clock's now."""
    return tracking_service.get_package_tracking_details(db, seller, package_number, now(db))


def virtual_context(db: Database, throttle: throttling.Throttle | None = None) -> Context:
    """A service context whose clock is the store's virtual clock (as ``outbound serve --clock virtual``)."""
    settings = Settings(database_url=db.url, clock="virtual", throttle=throttle is not None, engine=False)
    return Context(settings, db, throttle or throttling.Unthrottled(), VirtualClock(db))


def virtual_server(db: Database, throttle: throttling.Throttle | None = None) -> Iterator[Server]:
    """A real HTTP server (uvicorn in a thread) on ``db`` with the virtual clock and the admin API."""
    ctx = virtual_context(db, throttle)
    server, thread, port = start_server(ctx)
    yield Server(f"http://127.0.0.1:{port}", port, ctx)
    server.should_exit = True
    thread.join(timeout=10)
