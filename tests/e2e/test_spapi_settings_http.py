"""SP-API settings and package details over real HTTP (SQLite and PostgreSQL): per-operation rate overrides, the
public URL in ``rmaPageURL`` links, and a delivered package's ``deliveryInformation`` showing the order's drop-off."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from outbound.config import Settings, format_rates, parse_rates
from outbound.context import Context
from outbound.service import simulation
from outbound.service.accounts import add_seller
from outbound.sim.clock import VirtualClock
from outbound.store import Database
from outbound.throttle import MemoryThrottle
from tests.helpers import ACCESS_KEY, SECRET_KEY, SELLER, Server, start_clock, start_server, stock
from tests.spapi import BASE, JP, US, call, create_body, error, payload, token_for

PUBLIC = "https://outbound.example.test:8443/"
TOKYO = {
    "name": "Yamada Hanako",
    "addressLine1": "Meguro-ku 2-24-1",
    "stateOrRegion": "Tokyo",
    "countryCode": "JP",
    "postalCode": "153-0064",
}
DROP_OFF = {"type": "FALLBACK_NEIGHBOR_DELIVERY", "attributes": {"neighborName": "Sato", "houseNumber": "2-24-3"}}


def _serve(db: Database, **settings: Any) -> Iterator[Server]:
    """Virtual clock at a known instant, sandbox operations on, throttling on."""
    add_seller(db, SELLER, ACCESS_KEY, SECRET_KEY, None, [US, JP])
    start_clock(db)
    chosen = Settings(database_url=db.url, clock="virtual", engine=False, sandbox_operations=True, **settings)
    ctx = Context(chosen, db, MemoryThrottle(), VirtualClock(db))
    running, thread, port = start_server(ctx)
    yield Server(f"http://127.0.0.1:{port}", port, ctx)
    running.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def server(db: Database) -> Iterator[Server]:
    yield from _serve(db, public_url=PUBLIC)


@pytest.fixture
def rated_server(db: Database) -> Iterator[Server]:
    yield from _serve(db, spapi_rates=parse_rates("getFulfillmentOrder=5/3, deliveryOffers=10/30"))


def test_parse_rates() -> None:
    assert parse_rates("getFulfillmentOrder=5/30,deliveryOffers=10/30") == (
        ("getFulfillmentOrder", 5.0, 30),
        ("deliveryOffers", 10.0, 30),
    )
    assert parse_rates(format_rates(parse_rates("a=0.5/2"))) == (("a", 0.5, 2),)
    assert parse_rates("") == ()
    for bad in ("getFeatures", "getFeatures=2", "getFeatures=0/30", "getFeatures=2/0", "=2/3", "x=a/b"):
        with pytest.raises(ValueError):
            parse_rates(bad)
    env = Settings(spapi_rates=parse_rates("getFeatures=3/9")).to_env()
    assert Settings.from_env(env).spapi_rate_overrides == {"getFeatures": (3.0, 9)}


def test_rate_overrides_per_operation(rated_server: Server) -> None:
    token = token_for(rated_server)
    with httpx.Client(base_url=f"{rated_server.url}{BASE}", headers={"x-amz-access-token": token}) as client:
        answers = [client.get("/fulfillmentOrders/NOPE") for _ in range(5)]
        offers = client.post("/deliveryOffers", json={})
        listed = client.get("/fulfillmentOrders")
    assert [a.status_code for a in answers][:3] == [404, 404, 404]  # burst 3
    assert 429 in [a.status_code for a in answers[3:]]
    assert {a.headers["x-amzn-ratelimit-limit"] for a in answers} == {"5.0"}
    assert offers.headers["x-amzn-ratelimit-limit"] == "10.0"
    assert listed.headers["x-amzn-ratelimit-limit"] == "2.0"  # the model's plan where nothing overrides it


def test_unknown_operation_in_rates_is_refused() -> None:
    from outbound.mws import throttle as throttling
    from outbound.spapi.endpoint import SpApiEndpoint

    settings = Settings(spapi_rates=parse_rates("getFulfilmentOrder=5/30"))
    with pytest.raises(ValueError, match="getFulfilmentOrder"):
        SpApiEndpoint(Context(settings, None, throttling.Unthrottled(), None))  # type: ignore[arg-type]


def _complete(server: Server, token: str, order_id: str) -> None:
    done = call(server, "PUT", f"/fulfillmentOrders/{order_id}/status", token, {"fulfillmentOrderStatus": "Complete"})
    assert done.status_code == 200, done.text


def _packages(found: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for s in found["fulfillmentShipments"] for p in s["fulfillmentShipmentPackage"]]


def test_rma_page_links_use_the_public_url(server: Server) -> None:
    token = token_for(server)
    stock(server.ctx.db, "BLUE-MUG-12OZ", 5)
    assert call(server, "POST", "/fulfillmentOrders", token, create_body("RMA-1")).status_code == 200
    _complete(server, token, "RMA-1")
    shipment = payload(call(server, "GET", "/fulfillmentOrders/RMA-1", token))["fulfillmentShipments"][0]
    simulation.advance(server.ctx.db, timedelta(days=10))
    codes = payload(call(server, "GET", "/returnReasonCodes", token, params={"sellerSku": "BLUE-MUG-12OZ"}))
    item = {
        "sellerReturnItemId": "R-1",
        "sellerFulfillmentOrderItemId": "RMA-1-1",
        "amazonShipmentId": shipment["amazonShipmentId"],
        "returnReasonCode": codes["reasonCodeDetails"][0]["returnReasonCode"],
    }
    created = payload(call(server, "PUT", "/fulfillmentOrders/RMA-1/return", token, {"items": [item]}))
    (authorization,) = created["returnAuthorizations"]
    rma = authorization["amazonRmaId"]
    assert authorization["rmaPageURL"] == f"https://outbound.example.test:8443/mcf/returns/label?rmaId={rma}"
    seen = payload(call(server, "GET", "/fulfillmentOrders/RMA-1", token))["returnAuthorizations"]
    assert [a["rmaPageURL"] for a in seen] == [authorization["rmaPageURL"]]


def test_delivered_packages_show_the_requested_drop_off(server: Server) -> None:
    token = token_for(server)
    stock(server.ctx.db, "MATCHA-TIN", 10, "NRT1")
    common: dict[str, Any] = {"marketplaceId": JP, "destinationAddress": TOKYO, "shippingSpeedCategory": "Standard"}
    preferences = {"deliveryInstructions": "Ring twice", "dropOffLocation": DROP_OFF}
    for order_id, extra in (("DROP-1", {"deliveryPreferences": preferences}), ("PLAIN-1", {})):
        body = create_body(order_id, "MATCHA-TIN", 1, **common, **extra)
        assert call(server, "POST", "/fulfillmentOrders", token, body).status_code == 200, order_id
        _complete(server, token, order_id)
        shipped = _packages(payload(call(server, "GET", f"/fulfillmentOrders/{order_id}", token)))
        assert shipped and all("deliveryInformation" not in p for p in shipped)  # on its way: nothing yet

    simulation.advance(server.ctx.db, timedelta(days=14))
    for order_id in ("DROP-1", "PLAIN-1"):
        for package in _packages(payload(call(server, "GET", f"/fulfillmentOrders/{order_id}", token))):
            tracked = payload(
                call(server, "GET", "/tracking", token, params={"packageNumber": str(package["packageNumber"])})
            )
            if order_id == "DROP-1" and tracked["currentStatus"] == "DELIVERED":
                assert package["deliveryInformation"] == {"dropOffLocation": DROP_OFF}
            else:
                assert "deliveryInformation" not in package, (order_id, tracked["currentStatus"])
    delivered = [
        p
        for p in _packages(payload(call(server, "GET", "/fulfillmentOrders/DROP-1", token)))
        if "deliveryInformation" in p
    ]
    assert delivered  # the check above saw at least one delivered package
    error(call(server, "GET", "/fulfillmentOrders/NOPE", token), 404, "NotFound")
