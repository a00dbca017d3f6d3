"""The SP-API wire over real HTTP: routing (404, 405 with Allow, trailing slash, %2F), headers on every answer,
bodies without null and never mixing payload and errors, leniency, input checks naming the field, limits, dates."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest

from outbound.service.inventory import StockChange, set_inventory
from tests.helpers import SELLER, Server
from tests.spapi import BASE, JANE, US, call, create_body, error, payload, token_for

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture
def server(shared_server: Server) -> Server:
    set_inventory(shared_server.ctx.db, StockChange(SELLER, "BLUE-MUG-12OZ", 50, "BFI4"))
    return shared_server


@pytest.fixture
def token(server: Server) -> str:
    return token_for(server)


def _no_null(value: Any) -> None:
    assert value is not None
    if isinstance(value, dict):
        for v in value.values():
            _no_null(v)
    elif isinstance(value, list):
        for v in value:
            _no_null(v)


def _headers(answer: httpx.Response, rate: str = "2.0") -> None:
    assert UUID.fullmatch(answer.headers["x-amzn-requestid"])
    assert answer.headers["x-amzn-ratelimit-limit"] == rate
    assert answer.headers["date"]
    assert answer.headers["content-type"] == "application/json"


def test_headers_on_every_answer(server: Server, token: str) -> None:
    answers = [
        call(server, "GET", "/fulfillmentOrders", token),
        call(server, "GET", "/fulfillmentOrders/UNKNOWN", token),
        call(server, "GET", "/fulfillmentOrders", None),
        call(server, "GET", "/nowhere", token),
        call(server, "DELETE", "/fulfillmentOrders", token),
        call(server, "POST", "/fulfillmentOrders", token, {"items": []}),
    ]
    for answer in answers:
        _headers(answer)
    request_ids = {a.headers["x-amzn-requestid"] for a in answers}
    assert len(request_ids) == len(answers)


def test_unknown_paths_are_404(server: Server, token: str) -> None:
    for path in ("/nowhere", "/deliveryOfferings", "/fulfillmentOrders/A/B/C", "/features/inventory"):
        first = error(call(server, "GET", path, token), 404, "NotFound")
        assert first["details"] == ""
    other_version = httpx.get(f"{server.url}/fba/outbound/2026-07-04/fulfillmentOrders")
    error(other_version, 404, "NotFound")


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/fulfillmentOrders", "GET, POST"),
        ("HEAD", "/fulfillmentOrders", "GET, POST"),
        ("OPTIONS", "/fulfillmentOrders", "GET, POST"),
        ("POST", "/fulfillmentOrders/X-1", "GET, PUT"),
        ("GET", "/fulfillmentOrders/X-1/cancel", "PUT"),
        ("GET", "/fulfillmentOrders/preview", "POST"),
        ("POST", "/tracking", "GET"),
    ],
)
def test_other_methods_are_405_with_allow(server: Server, token: str, method: str, path: str, allow: str) -> None:
    answer = call(server, method, path, token)
    assert answer.status_code == 405
    assert answer.headers["allow"] == allow
    if method != "HEAD":
        assert answer.json()["errors"][0]["code"] == "MethodNotAllowed"


def test_trailing_slash_and_encoded_slash(server: Server, token: str) -> None:
    assert call(server, "GET", "/fulfillmentOrders/", token).status_code == 200
    assert call(server, "GET", "/fulfillmentOrders//", token).status_code == 404
    payload(call(server, "POST", "/fulfillmentOrders", token, create_body("A/B")))
    found = payload(call(server, "GET", "/fulfillmentOrders/A%2FB", token))
    assert found["fulfillmentOrder"]["sellerFulfillmentOrderId"] == "A/B"
    assert call(server, "GET", "/fulfillmentOrders/A%2FB/", token).status_code == 200


def test_success_bodies(server: Server, token: str) -> None:
    created = call(server, "POST", "/fulfillmentOrders", token, create_body("W-1"))
    assert created.status_code == 200 and created.json() == {}
    _headers(created)
    got = call(server, "GET", "/fulfillmentOrders/W-1", token)
    body = got.json()
    assert set(body) == {"payload"}
    _no_null(body)
    assert body["payload"]["fulfillmentShipments"] == []
    cancelled = call(server, "PUT", "/fulfillmentOrders/W-1/cancel", token)
    assert cancelled.status_code == 200 and cancelled.json() == {}


def test_lenient_marketplace_variants_and_content_types(server: Server, token: str) -> None:
    params = {"MarketplaceId": US, "MarketplaceIds": US, "marketplace_ids": US, "marketplaceIds": US}
    answer = call(
        server, "GET", "/fulfillmentOrders", token, params=params, headers={"content-type": "application/json"}
    )
    payload(answer)
    body = create_body("LEN-1", marketplaceIds=[US], MarketplaceIds=[US], extra={"deep": {"er": [1, None]}})
    body["destinationAddress"]["unknownField"] = "x"
    payload(call(server, "POST", "/fulfillmentOrders", token, body))
    with_body = httpx.put(
        f"{server.url}{BASE}/fulfillmentOrders/LEN-1/cancel",
        content=json.dumps({"marketplaceIds": [US]}),
        headers={"x-amz-access-token": token, "content-type": "application/json"},
    )
    assert with_body.status_code == 200
    text_typed = httpx.post(
        f"{server.url}{BASE}/fulfillmentOrders",
        content=json.dumps(create_body("LEN-2")),
        headers={"x-amz-access-token": token, "content-type": "text/plain"},
    )
    assert text_typed.status_code == 200
    assert call(server, "GET", "/fulfillmentOrders", token, params={"nextToken": ""}).status_code == 200


def test_any_host_header(server: Server, token: str) -> None:
    for host in ("sellingpartnerapi-na.amazon.com", "127.0.0.1:8", "nonsense"):
        payload(call(server, "GET", "/fulfillmentOrders", token, headers={"host": host}))


def test_repeated_query_parameter_with_different_values(server: Server, token: str) -> None:
    url = f"{server.url}{BASE}/tracking?packageNumber=1&packageNumber=2"
    first = error(httpx.get(url, headers={"x-amz-access-token": token}), 400, "InvalidInput")
    assert first["details"] == "packageNumber"


@pytest.mark.parametrize(
    ("change", "details"),
    [
        ({"sellerFulfillmentOrderId": None}, "sellerFulfillmentOrderId"),
        ({"sellerFulfillmentOrderId": "X" * 41}, "sellerFulfillmentOrderId"),
        ({"displayableOrderComment": "c" * 751}, "displayableOrderComment"),
        ({"shippingSpeedCategory": "standard"}, "shippingSpeedCategory"),
        ({"displayableOrderDate": "2026-11-23"}, "displayableOrderDate"),
        ({"fulfillmentAction": "Hold", "shippingSpeedCategory": "ScheduledDelivery"}, "deliveryWindow"),
        ({"notificationEmails": ["not-an-email"]}, "notificationEmails[0]"),
        ({"featureConstraints": [{"featureName": "OVERBOX"}]}, "featureConstraints[0].featureName"),
        ({"featureConstraints": [{"featureName": "BLANK_BOX"}] * 11}, "featureConstraints"),
        ({"items": []}, "items"),
    ],
)
def test_create_refusals_name_the_field(server: Server, token: str, change: dict[str, Any], details: str) -> None:
    first = error(
        call(server, "POST", "/fulfillmentOrders", token, create_body("BAD-1", **change)), 400, "InvalidInput"
    )
    assert first["details"] == details


@pytest.mark.parametrize(
    ("item", "details"),
    [
        ({"quantity": 0}, "items[0].quantity"),
        ({"quantity": 1.5}, "items[0].quantity"),
        ({"quantity": "2"}, "items[0].quantity"),
        ({"quantity": 2**31}, "items[0].quantity"),
        ({"quantity": 251}, "items"),
        ({"sellerSku": "X" * 51}, "items[0].sellerSku"),
        ({"perUnitPrice": {"currencyCode": "USD", "value": 1.5}}, "items[0].perUnitPrice.value"),
    ],
)
def test_item_refusals(server: Server, token: str, item: dict[str, Any], details: str) -> None:
    body = create_body("BAD-2")
    body["items"][0].update(item)
    first = error(call(server, "POST", "/fulfillmentOrders", token, body), 400, "InvalidInput")
    assert first["details"] == details


def test_address_refusals(server: Server, token: str) -> None:
    for field, value, details in (
        ("postalCode", None, "destinationAddress.postalCode"),
        ("city", None, "destinationAddress.city"),
        ("countryCode", "XX", "destinationAddress.countryCode"),
        ("postalCode", "ABC", "destinationAddress.postalCode"),
    ):
        body = create_body("BAD-3")
        if value is None:
            del body["destinationAddress"][field]
        else:
            body["destinationAddress"][field] = value
        first = error(call(server, "POST", "/fulfillmentOrders", token, body), 400, "InvalidInput")
        assert first["details"] == details


def test_unknown_sku_names_the_line(server: Server, token: str) -> None:
    first = error(
        call(server, "POST", "/fulfillmentOrders", token, create_body("BAD-4", sku="NOPE")), 400, "InvalidInput"
    )
    assert first["message"] == "The SellerSKU for Item Id: BAD-4-1 is invalid."
    assert first["details"] == "items[0].sellerSku"


def test_body_problems(server: Server, token: str) -> None:
    headers = {"x-amz-access-token": token, "content-type": "application/json"}
    url = f"{server.url}{BASE}/fulfillmentOrders"
    error(httpx.post(url, content=b"{broken", headers=headers), 400, "InvalidInput")
    error(httpx.post(url, content=b"", headers=headers), 400, "InvalidInput")
    error(httpx.post(url, content=b"[1, 2]", headers=headers), 400, "InvalidInput")
    deep = b"[" * 40 + b"]" * 40
    assert (
        error(httpx.post(url, content=deep, headers=headers), 400, "InvalidInput")["message"] == "Request is too large."
    )
    big = b'{"x": "' + b"a" * (1 << 20) + b'"}'
    assert (
        error(httpx.post(url, content=big, headers=headers), 400, "InvalidInput")["message"] == "Request is too large."
    )
    # an unreadable body is refused before the token is looked at
    error(httpx.post(url, content=b"{broken", headers={"content-type": "application/json"}), 400, "InvalidInput")


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("2026-11-23T15:58:40Z", "2026-11-23T15:58:40Z"),
        ("2026-11-23T15:58:40.987654321Z", "2026-11-23T15:58:40Z"),
        ("2026-11-23t15:58:40z", "2026-11-23T15:58:40Z"),
        ("2026-11-23 15:58:40", "2026-11-23T15:58:40Z"),
        ("2026-11-23T17:58:40+02:00", "2026-11-23T15:58:40Z"),
        ("2026-11-23T17:58:40+0200", "2026-11-23T15:58:40Z"),
        ("2026-11-23T17:58:40+02", "2026-11-23T15:58:40Z"),
        ("2026-11-23T15:58:60Z", "2026-11-23T15:58:59Z"),
    ],
)
def test_date_forms(server: Server, token: str, sent: str, shown: str) -> None:
    payload(call(server, "POST", "/fulfillmentOrders", token, create_body("DATE-1", displayableOrderDate=sent)))
    found = payload(call(server, "GET", "/fulfillmentOrders/DATE-1", token))
    assert found["fulfillmentOrder"]["displayableOrderDate"] == shown


@pytest.mark.parametrize("sent", ["2026-11-23", "0000-01-01T00:00:00Z", "2026-13-01T00:00:00Z", "yesterday"])
def test_bad_dates(server: Server, token: str, sent: str) -> None:
    answer = call(server, "POST", "/fulfillmentOrders", token, create_body("DATE-2", displayableOrderDate=sent))
    assert error(answer, 400, "InvalidInput")["details"] == "displayableOrderDate"


def test_404_for_unknown_order_and_package_and_400_for_long_ids(server: Server, token: str) -> None:
    first = error(call(server, "GET", "/fulfillmentOrders/NOPE", token), 404, "NotFound")
    assert first["message"] == "Fulfillment order NOPE not found."
    error(call(server, "PUT", "/fulfillmentOrders/NOPE/cancel", token), 404, "NotFound")
    error(call(server, "GET", "/tracking", token, params={"packageNumber": "123"}), 404, "NotFound")
    error(call(server, "GET", "/tracking", token, params={"packageNumber": "x"}), 400, "InvalidInput")
    error(call(server, "GET", "/tracking", token), 400, "InvalidInput")
    error(call(server, "GET", "/fulfillmentOrders/" + "L" * 41, token), 400, "InvalidInput")


def test_feature_offer_and_status_operations_check_their_inputs(server: Server, token: str) -> None:
    error(call(server, "GET", "/features", token), 400, "InvalidInput")
    assert payload(call(server, "GET", "/features", token, params={"marketplaceId": US}))["features"]
    error(call(server, "GET", "/features/inventory/NOPE", token, params={"marketplaceId": US}), 400, "InvalidInput")
    answer = call(server, "GET", "/features/inventory/BLANK_BOX/SKU%2F1", token, params={"marketplaceId": US})
    assert payload(answer)["sellerSku"] == "SKU/1"  # the %2F stayed in its segment
    offers = call(server, "POST", "/deliveryOffers", token, {"product": {}, "terms": {}})
    assert error(offers, 400, "InvalidInput")["details"] == "product.productIdentifier"
    _headers(offers, "5.0")
    status = call(server, "PUT", "/fulfillmentOrders/X-1/status", token, {"fulfillmentOrderStatus": "Processing"})
    first = error(status, 403, "Unauthorized")
    assert (
        first["details"]
        == "submitFulfillmentOrderStatusUpdate is a sandbox-only operation and is disabled on this service."
    )


def test_preview_lists_are_always_present(server: Server, token: str) -> None:
    body = {"address": JANE, "items": [{"sellerSku": "NOPE", "sellerFulfillmentOrderItemId": "a", "quantity": 1}]}
    previews = payload(call(server, "POST", "/fulfillmentOrders/preview", token, body))["fulfillmentPreviews"]
    assert previews
    for preview in previews:
        _no_null(preview)
        assert preview["unfulfillablePreviewItems"][0]["itemUnfulfillableReasons"] == ["InvalidSKU"]
        assert preview["isFulfillable"] is False
        assert preview["marketplaceId"] == US
