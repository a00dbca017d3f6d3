"""The sandbox status update seen over MWS: an order created with our SDK on a virtual-clock server is moved to
Processing, then Complete, by the service function the SP-API adapter calls; GetFulfillmentOrder shows its status,
shipments and packages, and GetPackageTrackingDetails tracks them. The setting that lets the adapter serve it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from outbound.client import Address, CreateItem, OutboundClient
from outbound.config import Settings
from outbound.domain.orders import COMPLETE, PROCESSING
from outbound.service.accounts import add_seller
from outbound.service.sandbox import submit_fulfillment_order_status
from outbound.sim.clock import VirtualClock
from outbound.store import Database
from tests.helpers import ACCESS_KEY, SECRET_KEY, SELLER, Server, serve_virtual, start_clock, stock

US = "ATVPDKIKX0DER"
JANE = Address("Jane Doe", "1200 12th Ave S", "Seattle", "WA", "US", "98144")


@pytest.fixture
def server(db: Database) -> Iterator[Server]:
    add_seller(db, SELLER, ACCESS_KEY, SECRET_KEY, None, [US])
    start_clock(db)
    yield from serve_virtual(db)


def test_status_update_seen_over_mws(server: Server) -> None:
    db = server.ctx.db
    stock(db, "MUG", 10)
    with OutboundClient(server.url, ACCESS_KEY, SECRET_KEY, SELLER) as sdk:
        sdk.create_fulfillment_order("SB-1", JANE, [CreateItem("MUG", "SB-1-1", 3)])
        assert sdk.get_fulfillment_order("SB-1").order.status == "RECEIVED"

        now = VirtualClock(db).now()
        submit_fulfillment_order_status(db, SELLER, "SB-1", PROCESSING, now)
        seen = sdk.get_fulfillment_order("SB-1")
        assert seen.order.status == "PROCESSING"
        assert [(s.status, s.packages) for s in seen.shipments] == [("PENDING", ())]

        submit_fulfillment_order_status(db, SELLER, "SB-1", COMPLETE, now)
        seen = sdk.get_fulfillment_order("SB-1")
        assert seen.order.status == "COMPLETE"
        (shipment,) = seen.shipments
        assert shipment.status == "SHIPPED" and shipment.shipping_datetime == now
        assert shipment.packages and all(p.tracking_number for p in shipment.packages)
        assert sum(i.quantity for i in shipment.items) == 3
        assert all(i.package_number in {p.package_number for p in shipment.packages} for i in shipment.items)
        details = sdk.get_package_tracking_details(shipment.packages[0].package_number)
        assert (
            details.current_status == "IN_TRANSIT" and details.tracking_number == shipment.packages[0].tracking_number
        )


def test_the_setting_is_off_unless_turned_on() -> None:
    assert Settings().sandbox_operations is False
    assert Settings.from_env({}).sandbox_operations is False
    assert Settings.from_env({"OUTBOUND_SANDBOX_OPERATIONS": "on"}).sandbox_operations is True
    assert Settings.from_env({"OUTBOUND_SANDBOX_OPERATIONS": "off"}).sandbox_operations is False
    with pytest.raises(ValueError):
        Settings.from_env({"OUTBOUND_SANDBOX_OPERATIONS": "maybe"})
    on = Settings(sandbox_operations=True)
    assert Settings.from_env(on.to_env()).sandbox_operations is True
    assert Settings().with_(sandbox_operations=True).sandbox_operations is True
