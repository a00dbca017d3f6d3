"""Fulfillment features, deliveryOffers and the sandbox status update over real HTTP (SQLite and PostgreSQL), on a
virtual-clock server at a known instant: the three feature operations per enrolment and eligibility (set with the
functions the CLI calls), ``Required`` constraints honoured by preview and create, delivery offers, and the status
update refused when the setting is off and, when on, seen over MWS."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from outbound.client import OutboundClient
from outbound.config import Settings
from outbound.context import Context
from outbound.mws import throttle as throttling
from outbound.service import features as feature_service
from outbound.service.accounts import add_seller
from outbound.sim.clock import VirtualClock
from outbound.store import Database
from tests.helpers import (
    ACCESS_KEY,
    SECRET_KEY,
    SELLER,
    T0,
    Server,
    reset,
    serve_virtual,
    start_clock,
    start_server,
    stock,
    totals,
)
from tests.spapi import JANE, JP, US, call, create_body, error, payload, token_for

CA = "A2EUQ1WTGCTBG2"
TORONTO = {
    "name": "Ann Lee",
    "addressLine1": "1 Front St",
    "city": "Toronto",
    "stateOrRegion": "ON",
    "countryCode": "CA",
    "postalCode": "M5J 2N1",
}
BLOCK = {"featureName": "BLOCK_AMZL", "featureFulfillmentPolicy": "Required"}
BOX = {"featureName": "BLANK_BOX", "featureFulfillmentPolicy": "Required"}
SANDBOX_ONLY = "submitFulfillmentOrderStatusUpdate is a sandbox-only operation and is disabled on this service."


@pytest.fixture(scope="module")
def sandbox_server(module_store: Database) -> Iterator[Server]:
    """``outbound serve --clock virtual --sandbox-operations on`` on the module's store."""
    settings = Settings(database_url=module_store.url, clock="virtual", engine=False, sandbox_operations=True)
    ctx = Context(settings, module_store, throttling.Unthrottled(), VirtualClock(module_store))
    running, thread, port = start_server(ctx)
    yield Server(f"http://127.0.0.1:{port}", port, ctx)
    running.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def server(sandbox_server: Server) -> Server:
    db = reset(sandbox_server.ctx.db)
    add_seller(db, SELLER, ACCESS_KEY, SECRET_KEY, None, [US, JP, CA])
    start_clock(db)  # T0: Monday 08:00 in Seattle
    return sandbox_server


@pytest.fixture
def token(server: Server) -> str:
    return token_for(server)


def _features(server: Server, token: str, marketplace: str) -> dict[str, Any]:
    found = payload(call(server, "GET", "/features", token, params={"marketplaceId": marketplace}))["features"]
    for entry in found:
        assert set(entry) == {"featureName", "featureDescription", "sellerEligible"} and entry["featureDescription"]
    return {entry["featureName"]: entry["sellerEligible"] for entry in found}


def _inventory(server: Server, token: str, feature: str, **params: str) -> dict[str, Any]:
    answer = call(server, "GET", f"/features/inventory/{feature}", token, params={"marketplaceId": US, **params})
    found: dict[str, Any] = payload(answer)
    assert (found["marketplaceId"], found["featureName"]) == (US, feature)
    return found


def _sku(server: Server, token: str, feature: str, sku: str) -> dict[str, Any]:
    answer = call(server, "GET", f"/features/inventory/{feature}/{sku}", token, params={"marketplaceId": US})
    found: dict[str, Any] = payload(answer)
    assert (found["marketplaceId"], found["featureName"], found["sellerSku"]) == (US, feature, sku)
    return found


# ------------------------------------------------------------------------------------------------ features


def test_get_features_follows_enrolment(server: Server, token: str) -> None:
    db = server.ctx.db
    assert _features(server, token, US) == {"BLOCK_AMZL": True, "BLANK_BOX": True, "SIGNATURE_CONFIRMATION": True}
    assert "SIGNATURE_CONFIRMATION" not in _features(server, token, JP)  # offered in the US only
    feature_service.set_enrolment(db, SELLER, US, ["BLANK_BOX"], False, T0)
    assert _features(server, token, US)["BLANK_BOX"] is False
    assert _features(server, token, JP)["BLANK_BOX"] is True  # enrolment is per marketplace
    feature_service.set_enrolment(db, SELLER, US, ["BLANK_BOX"], True, T0)
    assert _features(server, token, US)["BLANK_BOX"] is True
    # a marketplace the seller does not sell in
    error(call(server, "GET", "/features", token, params={"marketplaceId": "A1F83G8C2ARO7P"}), 400, "InvalidInput")


def test_get_feature_inventory_follows_enrolment_and_eligibility(server: Server, token: str) -> None:
    db = server.ctx.db
    stock(db, "TEA-1", 5)
    stock(db, "TEA-2", 3)
    stock(db, "TEA-EMPTY", 0)
    stock(db, "TEA-JP", 4, "NRT1")  # not in the US marketplace's centers
    feature_service.set_sku_asin(db, SELLER, "TEA-1", "B00TEA0001")
    found = _inventory(server, token, "BLANK_BOX")
    assert "nextToken" not in found
    skus = {s["sellerSku"]: s for s in found["featureSkus"]}
    assert set(skus) == {"TEA-1", "TEA-2"}
    assert skus["TEA-1"]["skuCount"] == 5 and skus["TEA-1"]["asin"] == "B00TEA0001"
    assert skus["TEA-2"]["skuCount"] == 3 and "asin" not in skus["TEA-2"] and skus["TEA-2"]["fnSku"]
    assert "overlappingSkus" not in skus["TEA-1"]  # no other SKU shares its FNSKU

    feature_service.set_sku_eligibility(db, SELLER, "TEA-2", "BLANK_BOX", False, T0 + timedelta(minutes=5))
    assert [s["sellerSku"] for s in _inventory(server, token, "BLANK_BOX")["featureSkus"]] == ["TEA-1"]
    assert len(_inventory(server, token, "BLOCK_AMZL")["featureSkus"]) == 2  # eligibility is per feature
    # changed since: after everything above, only TEA-2 is made eligible again
    since = max(datetime.now(UTC), T0) + timedelta(minutes=1)
    feature_service.set_sku_eligibility(db, SELLER, "TEA-2", "BLANK_BOX", True, since + timedelta(minutes=5))
    changed = _inventory(server, token, "BLANK_BOX", queryStartDate=since.strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert [s["sellerSku"] for s in changed["featureSkus"]] == ["TEA-2"]
    assert len(_inventory(server, token, "BLANK_BOX")["featureSkus"]) == 2

    feature_service.set_enrolment(db, SELLER, US, ["BLANK_BOX"], False, T0)
    assert _inventory(server, token, "BLANK_BOX")["featureSkus"] == []  # the list stays, empty
    bad = call(server, "GET", "/features/inventory/BLANK_BOX", token, params={"marketplaceId": US, "nextToken": "x"})
    assert error(bad, 400, "InvalidInput")["details"] == "nextToken"
    error(call(server, "GET", "/features/inventory/OVERBOX", token, params={"marketplaceId": US}), 400, "InvalidInput")


def test_get_feature_inventory_pages_by_50(server: Server, token: str) -> None:
    for n in range(52):
        stock(server.ctx.db, f"SKU-{n:02d}", 1)
    first = _inventory(server, token, "BLANK_BOX")
    assert len(first["featureSkus"]) == 50 and first["nextToken"]
    second = _inventory(server, token, "BLANK_BOX", nextToken=first["nextToken"])
    assert [s["sellerSku"] for s in second["featureSkus"]] == ["SKU-50", "SKU-51"] and "nextToken" not in second
    # a token is bound to its query: another feature refuses it
    other = call(
        server,
        "GET",
        "/features/inventory/BLOCK_AMZL",
        token,
        params={"marketplaceId": US, "nextToken": first["nextToken"]},
    )
    error(other, 400, "InvalidInput")


def test_get_feature_sku_gives_the_reasons(server: Server, token: str) -> None:
    db = server.ctx.db
    stock(db, "TEA-1", 5)
    stock(db, "TEA-2", 3)
    eligible = _sku(server, token, "BLANK_BOX", "TEA-1")
    assert eligible["isEligible"] is True and "ineligibleReasons" not in eligible
    assert eligible["skuCount"] == 5 and eligible["fnSku"]

    feature_service.set_sku_eligibility(db, SELLER, "TEA-2", "BLANK_BOX", False, T0)
    ineligible = _sku(server, token, "BLANK_BOX", "TEA-2")
    assert ineligible["isEligible"] is False and ineligible["ineligibleReasons"] == ["SKU_NOT_ELIGIBLE"]
    assert ineligible["skuCount"] == 0

    feature_service.set_enrolment(db, SELLER, US, ["BLANK_BOX"], False, T0)
    both = _sku(server, token, "BLANK_BOX", "TEA-2")
    assert set(both["ineligibleReasons"]) == {"MERCHANT_NOT_ENROLLED", "SKU_NOT_ELIGIBLE"}
    assert _sku(server, token, "BLOCK_AMZL", "TEA-2")["isEligible"] is True

    unknown = _sku(server, token, "BLOCK_AMZL", "NO-SUCH-SKU")  # 200, not 404
    assert unknown["isEligible"] is False and unknown["ineligibleReasons"] == ["INVALID_SKU"]
    assert "fnSku" not in unknown and "skuCount" not in unknown


# ------------------------------------------------------------------------------------------------ constraints


def _preview(server: Server, token: str, *constraints: dict[str, str], **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "marketplaceId": US,
        "address": JANE,
        "items": [
            {"sellerSku": "TEA-1", "sellerFulfillmentOrderItemId": "a", "quantity": 2},
            {"sellerSku": "TEA-2", "sellerFulfillmentOrderItemId": "b", "quantity": 1},
        ],
        "shippingSpeedCategories": ["Standard"],
        "featureConstraints": list(constraints),
    }
    body.update(changes)
    previews = payload(call(server, "POST", "/fulfillmentOrders/preview", token, body))["fulfillmentPreviews"]
    return {p["shippingSpeedCategory"]: p for p in previews}


def test_required_feature_limits_preview_and_create_to_usable_units(server: Server, token: str) -> None:
    db = server.ctx.db
    stock(db, "TEA-1", 5)
    stock(db, "TEA-2", 5)
    assert _preview(server, token, BOX)["Standard"]["isFulfillable"] is True
    feature_service.set_sku_eligibility(db, SELLER, "TEA-2", "BLANK_BOX", False, T0)
    standard = _preview(server, token, BOX)["Standard"]
    assert standard["isFulfillable"] is False and standard["featureConstraints"] == [BOX]
    assert [
        (u["sellerFulfillmentOrderItemId"], u["itemUnfulfillableReasons"])
        for u in standard["unfulfillablePreviewItems"]
    ] == [("b", ["InventoryUnavailable"])]
    not_required = {"featureName": "BLANK_BOX", "featureFulfillmentPolicy": "NotRequired"}
    assert _preview(server, token, not_required)["Standard"]["isFulfillable"] is True

    two_lines = [
        {"sellerSku": "TEA-1", "sellerFulfillmentOrderItemId": "a", "quantity": 1},
        {"sellerSku": "TEA-2", "sellerFulfillmentOrderItemId": "b", "quantity": 1},
    ]
    refused = call(
        server, "POST", "/fulfillmentOrders", token, create_body("FK-1", items=two_lines, featureConstraints=[BOX])
    )
    error(refused, 400, "InvalidInput")
    assert totals(db, "TEA-1") == (5, 0) and totals(db, "TEA-2") == (5, 0)  # nothing reserved
    body = create_body("FAA-1", items=two_lines, featureConstraints=[BOX], fulfillmentPolicy="FillAllAvailable")
    assert payload(call(server, "POST", "/fulfillmentOrders", token, body)) is None
    assert totals(db, "TEA-1") == (4, 1) and totals(db, "TEA-2") == (5, 0)
    seen = payload(call(server, "GET", "/fulfillmentOrders/FAA-1", token))["fulfillmentOrder"]
    assert seen["featureConstraints"] == [BOX]


def test_block_amzl_keeps_amazon_logistics_away(server: Server, token: str) -> None:
    db = server.ctx.db
    # Canada: only Amazon Logistics carries Priority, so a blocked Priority cannot be promised or created
    stock(db, "TEA-1", 5, "YYZ4")
    items = [{"sellerSku": "TEA-1", "sellerFulfillmentOrderItemId": "a", "quantity": 1}]
    canada = _preview(server, token, BLOCK, marketplaceId=CA, address=TORONTO, items=items, shippingSpeedCategories=[])
    assert canada["Priority"]["isFulfillable"] is False
    assert canada["Priority"]["orderUnfulfillableReasons"] == ["DeliverySLAUnavailable"]
    assert canada["Standard"]["isFulfillable"] is True
    body = create_body(
        "CA-1", "TEA-1", 1, marketplaceId=CA, destinationAddress=TORONTO, shippingSpeedCategory="Priority"
    )
    refused = error(
        call(server, "POST", "/fulfillmentOrders", token, {**body, "featureConstraints": [BLOCK]}), 400, "InvalidInput"
    )
    assert refused["details"].startswith("featureConstraints")
    assert totals(db, "TEA-1") == (5, 0)

    # the US: blocked orders ship with other carriers, the same orders without the block also with AMZL_US
    stock(db, "TEA-US", 40)
    carriers: dict[str, set[str]] = {"BLOCKED": set(), "PLAIN": set()}
    for n in range(12):
        for kind, constraints in (("BLOCKED", [BLOCK]), ("PLAIN", [])):
            order_id = f"{kind}-{n}"
            body = create_body(order_id, "TEA-US", 1, shippingSpeedCategory="Priority", featureConstraints=constraints)
            assert call(server, "POST", "/fulfillmentOrders", token, body).status_code == 200
            done = call(
                server, "PUT", f"/fulfillmentOrders/{order_id}/status", token, {"fulfillmentOrderStatus": "Complete"}
            )
            assert done.status_code == 200, done.text
            for shipment in payload(call(server, "GET", f"/fulfillmentOrders/{order_id}", token))[
                "fulfillmentShipments"
            ]:
                carriers[kind].update(p["carrierCode"] for p in shipment["fulfillmentShipmentPackage"])
    assert carriers["BLOCKED"] and not any(c.startswith("AMZL_") for c in carriers["BLOCKED"])
    assert "AMZL_US" in carriers["PLAIN"]  # else the check above could not fail


# ------------------------------------------------------------------------------------------------ delivery offers


def _offers_body(sku: str = "TEA-1", quantity: str = "2", **address: str) -> dict[str, Any]:
    return {
        "product": {
            "productIdentifier": {"merchantSku": sku},
            "amount": {"unitOfMeasure": "Eaches", "value": quantity},
        },
        "terms": {
            "origin": {"countryCode": "US"},
            "destination": {"deliveryAddress": {"countryCode": "US", "postalCode": "98144", **address}},
        },
    }


def test_delivery_offers_fastest_first(server: Server, token: str) -> None:
    stock(server.ctx.db, "TEA-1", 5)  # in Kent, WA
    answer = call(server, "POST", "/deliveryOffers", token, _offers_body(stateOrRegion="WA", city="Seattle"))
    assert answer.headers["x-amzn-ratelimit-limit"] == "5.0"
    offers = payload(answer)["deliveryOffers"]
    assert [o["policy"]["message"]["text"].rsplit(" ", 1)[1] for o in offers] == [
        "(Priority)",
        "(Expedited)",
        "(Standard)",
    ]
    priority = offers[0]
    assert priority == {
        "expiresAt": "2026-11-23T21:00:00Z",  # 13:00 in Kent: Priority's cut-off
        "dateRange": {"earliest": "2026-11-24T08:00:00Z", "latest": "2026-11-25T07:59:59Z"},
        "policy": {"message": {"text": "Get it as soon as Tue, Nov 24 (Priority)", "locale": "en_US"}},
    }
    assert offers[1]["expiresAt"] == "2026-11-23T23:00:00Z"
    earliest = [o["dateRange"]["earliest"] for o in offers]
    assert earliest == sorted(earliest)
    # the amount defaults to one unit; a postal code alone locates the address
    assert (
        len(
            payload(
                call(
                    server,
                    "POST",
                    "/deliveryOffers",
                    token,
                    {
                        "product": {"productIdentifier": {"merchantSku": "TEA-1"}},
                        "terms": {
                            "origin": {"countryCode": "US"},
                            "destination": {"deliveryAddress": {"countryCode": "US", "postalCode": "98144"}},
                        },
                    },
                )
            )["deliveryOffers"]
        )
        == 3
    )


def test_delivery_offers_refusals_and_empty_answer(server: Server, token: str) -> None:
    stock(server.ctx.db, "TEA-1", 2)
    unknown = error(call(server, "POST", "/deliveryOffers", token, _offers_body("NOPE")), 400, "InvalidInput")
    assert unknown["details"] == "product.productIdentifier.merchantSku"
    assert payload(call(server, "POST", "/deliveryOffers", token, _offers_body(quantity="3"))) == {"deliveryOffers": []}
    for quantity in ("0", "1.5", "x"):
        answer = call(server, "POST", "/deliveryOffers", token, _offers_body(quantity=quantity))
        assert error(answer, 400, "InvalidInput")["details"] == "product.amount.value"
    body = _offers_body()
    body["terms"]["origin"]["countryCode"] = "DE"  # the seller sells nowhere in Germany
    assert error(call(server, "POST", "/deliveryOffers", token, body), 400, "InvalidInput")["details"] == (
        "terms.origin.countryCode"
    )
    body = _offers_body()
    del body["terms"]["destination"]["deliveryAddress"]["postalCode"]
    error(call(server, "POST", "/deliveryOffers", token, body), 400, "InvalidInput")


# ------------------------------------------------------------------------------------------------ status update


def test_status_update_refused_when_the_setting_is_off(module_store: Database, server: Server) -> None:
    for off in serve_virtual(module_store):  # the same store, served without --sandbox-operations
        token = token_for(off)
        stock(module_store, "MUG", 5)
        assert call(off, "POST", "/fulfillmentOrders", token, create_body("OFF-1", "MUG", 1)).status_code == 200
        answer = call(off, "PUT", "/fulfillmentOrders/OFF-1/status", token, {"fulfillmentOrderStatus": "Complete"})
        refused = error(answer, 403, "Unauthorized")
        assert refused["message"] == "Access to requested resource is denied."
        assert refused["details"] == SANDBOX_ONLY
        status = payload(call(off, "GET", "/fulfillmentOrders/OFF-1", token))["fulfillmentOrder"]
        assert status["fulfillmentOrderStatus"] == "Received"


def test_status_update_moves_the_order_and_mws_sees_it(server: Server, token: str) -> None:
    db = server.ctx.db
    stock(db, "MUG", 10)
    assert call(server, "POST", "/fulfillmentOrders", token, create_body("SB-1", "MUG", 3)).status_code == 200

    def update(status: str, order_id: str = "SB-1") -> Any:
        return call(server, "PUT", f"/fulfillmentOrders/{order_id}/status", token, {"fulfillmentOrderStatus": status})

    with OutboundClient(server.url, ACCESS_KEY, SECRET_KEY, SELLER) as mws:
        moved = update("Processing")
        assert moved.status_code == 200 and moved.json() == {}
        seen = mws.get_fulfillment_order("SB-1")
        assert seen.order.status == "PROCESSING"
        assert [(s.status, s.packages) for s in seen.shipments] == [("PENDING", ())]

        assert update("Complete").status_code == 200
        seen = mws.get_fulfillment_order("SB-1")
        assert seen.order.status == "COMPLETE"
        (shipment,) = seen.shipments
        assert shipment.status == "SHIPPED" and shipment.shipping_datetime == T0
        assert shipment.packages and all(p.tracking_number for p in shipment.packages)
        assert sum(i.quantity for i in shipment.items) == 3

    sp = payload(call(server, "GET", "/fulfillmentOrders/SB-1", token))
    assert sp["fulfillmentOrder"]["fulfillmentOrderStatus"] == "Complete"
    assert [p["packageNumber"] for p in sp["fulfillmentShipments"][0]["fulfillmentShipmentPackage"]] == [
        p.package_number for p in shipment.packages
    ]
    assert update("Complete").status_code == 200  # its own status: nothing changes
    for status in ("Processing", "New", "CompletePartialled"):  # backward, never emitted, only by shipping part
        error(update(status), 400, "InvalidInput")
    error(update("Shipped"), 400, "InvalidInput")  # not one of the model's statuses
    missing = error(update("Processing", "NO-SUCH-ORDER"), 404, "NotFound")
    assert missing["message"] == "Fulfillment order NO-SUCH-ORDER not found."
