"""python-amazon-sp-api 2.1.35, unmodified but for its endpoint and token URL, against the real server: token →
preview → create → get → list (paged to the end) → cancel → get; typed exceptions for errors; tracking after the
virtual clock moves; a return."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sp_api.api import FulfillmentOutbound
from sp_api.auth import AccessTokenClient
from sp_api.base import Marketplaces
from sp_api.base.exceptions import SellingApiBadRequestException, SellingApiNotFoundException

from outbound.service import simulation
from outbound.service.inventory import StockChange, set_inventory
from outbound.store import Database
from tests.helpers import SELLER, Server, serve_virtual
from tests.spapi import authorize, create_body


@pytest.fixture
def server(db: Database) -> Iterator[Server]:
    set_inventory(db, StockChange(SELLER, "BLUE-MUG-12OZ", 500, "BFI4"))
    yield from serve_virtual(db)


def client(server: Server) -> FulfillmentOutbound:
    creds = authorize(server.ctx.db)

    class LocalTokens(AccessTokenClient):  # type: ignore[misc]
        scheme = "http://"
        host = server.url.removeprefix("http://")

    api = FulfillmentOutbound(
        Marketplaces.US,
        credentials={
            "refresh_token": creds.refresh_token,
            "lwa_app_id": creds.client_id,
            "lwa_client_secret": creds.client_secret,
        },
        auth_token_client_class=LocalTokens,
    )
    api.endpoint = server.url  # the client cuts 8 characters off it for Host: the server must not mind
    return api


def test_order_round_trip(server: Server) -> None:
    api = client(server)
    body = create_body("PY-1")
    preview = api.get_fulfillment_preview(address=body["destinationAddress"], items=body["items"])
    assert preview.payload["fulfillmentPreviews"][0]["isFulfillable"] is True
    created = api.create_fulfillment_order(**body)
    assert created.errors is None
    got = api.get_fulfillment_order("PY-1").payload
    assert got["fulfillmentOrder"]["fulfillmentOrderStatus"] == "Received"
    assert got["fulfillmentOrder"]["fulfillmentAction"] == "Ship"
    for n in range(2, 56):
        api.create_fulfillment_order(**create_body(f"PY-{n}", quantity=1))
    seen: list[str] = []
    page = api.list_all_fulfillment_orders().payload
    pages = 1
    while True:
        seen += [o["sellerFulfillmentOrderId"] for o in page["fulfillmentOrders"]]
        if "nextToken" not in page:
            break
        page = api.list_all_fulfillment_orders(nextToken=page["nextToken"]).payload
        pages += 1
    assert pages == 2 and sorted(seen) == sorted(f"PY-{n}" for n in range(1, 56))
    cancelled = api.cancel_fulfillment_order("PY-1")
    assert cancelled.errors is None
    assert api.get_fulfillment_order("PY-1").payload["fulfillmentOrder"]["fulfillmentOrderStatus"] == "Cancelled"


def test_errors_raise_typed_exceptions(server: Server) -> None:
    api = client(server)
    with pytest.raises(SellingApiNotFoundException):
        api.get_fulfillment_order("NOPE")
    with pytest.raises(SellingApiBadRequestException) as refused:
        api.create_fulfillment_order(**create_body("PY-BAD", sku="UNKNOWN"))
    first: dict[str, Any] = refused.value.error[0]
    assert first["details"] == "items[0].sellerSku"


def test_tracking_and_return_after_the_clock_moves(server: Server) -> None:
    api = client(server)
    api.create_fulfillment_order(**create_body("PY-T"))
    simulation.advance(server.ctx.db, timedelta(days=2))
    got = api.get_fulfillment_order("PY-T").payload
    assert got["fulfillmentOrder"]["fulfillmentOrderStatus"] == "Complete"
    shipment = got["fulfillmentShipments"][0]
    number = shipment["fulfillmentShipmentPackage"][0]["packageNumber"]
    simulation.advance(server.ctx.db, timedelta(days=10))
    tracking = api.get_package_tracking_details(packageNumber=number).payload
    assert tracking["packageNumber"] == number
    assert tracking["trackingEvents"] and all(e["eventDescription"] for e in tracking["trackingEvents"])
    codes = api.list_return_reason_codes(sellerSku="BLUE-MUG-12OZ").payload["reasonCodeDetails"]
    assert codes
    returned = api.create_fulfillment_return(
        "PY-T",
        items=[
            {
                "sellerReturnItemId": "R-1",
                "sellerFulfillmentOrderItemId": "PY-T-1",
                "amazonShipmentId": shipment["amazonShipmentId"],
                "returnReasonCode": codes[0]["returnReasonCode"],
            }
        ],
    ).payload
    assert [r["sellerReturnItemId"] for r in returned["returnItems"]] == ["R-1"]
    assert returned["returnAuthorizations"][0]["rmaPageURL"]
    again = api.get_fulfillment_order("PY-T").payload
    assert again["returnItems"][0]["status"] == "New"
