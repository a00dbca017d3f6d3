"""One service, two protocols: an order created over MWS is seen field by field over SP-API and the reverse;
cancels, held-order updates and returns on one side are seen on the other; the same preview inputs give the same
preview; an identical create over the other protocol is a replay; each side refuses the other's next-tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from lxml import etree

from outbound.domain.orders import Address
from outbound.service.accounts import Caller
from outbound.service.inventory import StockChange, set_inventory
from outbound.service.orders import CreateOrderRequest, ItemRequest, create_fulfillment_order
from tests.helpers import SELLER, N, Server, call, document, text
from tests.spapi import JANE, US, create_body, error, payload, token_for
from tests.spapi import call as sp


@pytest.fixture
def server(shared_server: Server) -> Server:
    set_inventory(shared_server.ctx.db, StockChange(SELLER, "BLUE-MUG-12OZ", 500, "BFI4"))
    return shared_server


@pytest.fixture
def token(server: Server) -> str:
    return token_for(server)


@pytest.fixture
def http(server: Server) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=10)


def mws_params(order_id: str, **changes: str | None) -> dict[str, str | None]:
    """The MWS spelling of ``tests.spapi.create_body``: the same order, field for field."""
    params: dict[str, str | None] = {
        "MarketplaceId": US,
        "SellerFulfillmentOrderId": order_id,
        "DisplayableOrderId": "WEB-48213",
        "DisplayableOrderDateTime": "2026-11-23T15:58:40Z",
        "DisplayableOrderComment": "Thank you for shopping at Blue Kettle Tea Co.",
        "ShippingSpeedCategory": "Standard",
        "DestinationAddress.Name": "Jane Doe",
        "DestinationAddress.Line1": "1200 12th Ave S",
        "DestinationAddress.Line2": "Suite 300",
        "DestinationAddress.City": "Seattle",
        "DestinationAddress.StateOrProvinceCode": "WA",
        "DestinationAddress.CountryCode": "US",
        "DestinationAddress.PostalCode": "98144",
        "DestinationAddress.PhoneNumber": "206-555-0142",
        "FulfillmentAction": "Ship",
        "FulfillmentPolicy": "FillOrKill",
        "NotificationEmailList.member.1": "jane.doe@example.com",
        "Items.member.1.SellerSKU": "BLUE-MUG-12OZ",
        "Items.member.1.SellerFulfillmentOrderItemId": f"{order_id}-1",
        "Items.member.1.Quantity": "2",
        "Items.member.1.GiftMessage": "Happy birthday, Sam!",
        "Items.member.1.DisplayableComment": "Gift wrap",
    }
    params.update(changes)
    return params


def mws_order(http: httpx.Client, order_id: str) -> etree._Element:
    answer = call(http, "GetFulfillmentOrder", {"SellerFulfillmentOrderId": order_id})
    assert answer.status_code == 200, answer.text
    return document(answer)


def test_mws_order_seen_over_spapi_field_by_field(server: Server, token: str, http: httpx.Client) -> None:
    assert call(http, "CreateFulfillmentOrder", mws_params("X-MWS-1")).status_code == 200
    mws = mws_order(http, "X-MWS-1")
    got = payload(sp(server, "GET", "/fulfillmentOrders/X-MWS-1", token))
    order = got["fulfillmentOrder"]
    head = "m:GetFulfillmentOrderResult/m:FulfillmentOrder/"
    assert order["sellerFulfillmentOrderId"] == "X-MWS-1"
    assert order["marketplaceId"] == US
    assert order["displayableOrderId"] == "WEB-48213"
    assert order["displayableOrderDate"] == text(mws, head + "m:DisplayableOrderDateTime")
    assert order["displayableOrderComment"] == "Thank you for shopping at Blue Kettle Tea Co."
    assert order["destinationAddress"] == JANE
    assert order["fulfillmentAction"] == "Ship"
    assert order["fulfillmentPolicy"] == "FillOrKill"
    assert order["fulfillmentOrderStatus"] == "Received" and text(mws, head + "m:FulfillmentOrderStatus") == "RECEIVED"
    assert order["receivedDate"] == text(mws, head + "m:ReceivedDateTime")
    assert order["statusUpdatedDate"] == text(mws, head + "m:StatusUpdatedDateTime")
    assert order["notificationEmails"] == ["jane.doe@example.com"]
    assert "featureConstraints" not in order
    item = got["fulfillmentOrderItems"][0]
    mws_item = "m:GetFulfillmentOrderResult/m:FulfillmentOrderItem/m:member/"
    assert item["sellerSku"] == "BLUE-MUG-12OZ" and item["quantity"] == 2
    assert item["fulfillmentNetworkSku"] == text(mws, mws_item + "m:FulfillmentNetworkSKU")
    assert item["estimatedShipDate"] == text(mws, mws_item + "m:EstimatedShipDateTime")
    assert item["estimatedArrivalDate"] == text(mws, mws_item + "m:EstimatedArrivalDateTime")
    assert (item["cancelledQuantity"], item["unfulfillableQuantity"]) == (0, 0)
    assert got["fulfillmentShipments"] == [] and got["returnItems"] == [] and got["returnAuthorizations"] == []
    listed = payload(sp(server, "GET", "/fulfillmentOrders", token))["fulfillmentOrders"]
    assert [o["sellerFulfillmentOrderId"] for o in listed] == ["X-MWS-1"]
    assert listed[0] == order


def test_spapi_order_seen_over_mws(server: Server, token: str, http: httpx.Client) -> None:
    body = create_body(
        "X-SP-1",
        featureConstraints=[{"featureName": "BLANK_BOX", "featureFulfillmentPolicy": "Required"}],
        deliveryPreferences={"deliveryInstructions": "Back door"},
        paymentInformation=[
            {"paymentTransactionId": "T1", "paymentMode": "Other", "paymentDate": "2026-11-23T15:00:00Z"}
        ],
    )
    payload(sp(server, "POST", "/fulfillmentOrders", token, body))
    mws = mws_order(http, "X-SP-1")
    head = "m:GetFulfillmentOrderResult/m:FulfillmentOrder/"
    assert text(mws, head + "m:FulfillmentMethod") == "Consumer"
    assert text(mws, head + "m:FulfillmentOrderStatus") == "RECEIVED"
    assert text(mws, head + "m:DestinationAddress/m:Line1") == "1200 12th Ave S"
    assert text(mws, head + "m:DestinationAddress/m:StateOrProvinceCode") == "WA"
    assert b"BLANK_BOX" not in etree.tostring(mws) and b"Back door" not in etree.tostring(mws)
    got = payload(sp(server, "GET", "/fulfillmentOrders/X-SP-1", token))
    assert got["fulfillmentOrder"]["featureConstraints"] == [
        {"featureName": "BLANK_BOX", "featureFulfillmentPolicy": "Required"}
    ]
    assert got["paymentInformation"][0]["paymentTransactionId"] == "T1"
    listed = call(http, "ListAllFulfillmentOrders", {})
    assert b"X-SP-1" in listed.content


def test_cancel_on_one_side_seen_on_the_other(server: Server, token: str, http: httpx.Client) -> None:
    payload(sp(server, "POST", "/fulfillmentOrders", token, create_body("X-C-1")))
    assert call(http, "CancelFulfillmentOrder", {"SellerFulfillmentOrderId": "X-C-1"}).status_code == 200
    got = payload(sp(server, "GET", "/fulfillmentOrders/X-C-1", token))
    assert got["fulfillmentOrder"]["fulfillmentOrderStatus"] == "Cancelled"
    assert got["fulfillmentOrderItems"][0]["cancelledQuantity"] == 2
    assert call(http, "CreateFulfillmentOrder", mws_params("X-C-2")).status_code == 200
    assert sp(server, "PUT", "/fulfillmentOrders/X-C-2/cancel", token).json() == {}
    status = "m:GetFulfillmentOrderResult/m:FulfillmentOrder/m:FulfillmentOrderStatus"
    assert text(mws_order(http, "X-C-2"), status) == "CANCELLED"


def test_held_order_created_over_mws_released_over_spapi(server: Server, token: str, http: httpx.Client) -> None:
    assert call(http, "CreateFulfillmentOrder", mws_params("X-H-1", FulfillmentAction="Hold")).status_code == 200
    held = payload(sp(server, "GET", "/fulfillmentOrders/X-H-1", token))["fulfillmentOrder"]
    assert held["fulfillmentAction"] == "Hold"
    update = {"fulfillmentAction": "Ship", "items": [{"sellerFulfillmentOrderItemId": "X-H-1-1", "quantity": 1}]}
    assert sp(server, "PUT", "/fulfillmentOrders/X-H-1", token, update).json() == {}
    mws = mws_order(http, "X-H-1")
    assert text(mws, "m:GetFulfillmentOrderResult/m:FulfillmentOrder/m:FulfillmentAction") == "Ship"
    assert text(mws, "m:GetFulfillmentOrderResult/m:FulfillmentOrderItem/m:member/m:Quantity") == "1"
    # a released order is no longer held: a second update is refused on both sides
    error(sp(server, "PUT", "/fulfillmentOrders/X-H-1", token, update), 400, "InvalidInput")


def test_idempotent_create_across_protocols(server: Server, token: str, http: httpx.Client) -> None:
    assert call(http, "CreateFulfillmentOrder", mws_params("X-I-1")).status_code == 200
    replay = sp(server, "POST", "/fulfillmentOrders", token, create_body("X-I-1"))
    assert replay.status_code == 200 and replay.json() == {}
    different = sp(server, "POST", "/fulfillmentOrders", token, create_body("X-I-1", quantity=3))
    assert error(different, 400, "InvalidInput")["details"] == "sellerFulfillmentOrderId"
    payload(sp(server, "POST", "/fulfillmentOrders", token, create_body("X-I-2")))
    assert call(http, "CreateFulfillmentOrder", mws_params("X-I-2")).status_code == 200
    assert (
        call(http, "CreateFulfillmentOrder", mws_params("X-I-2", **{"Items.member.1.Quantity": "1"})).status_code == 400
    )
    listed = payload(sp(server, "GET", "/fulfillmentOrders", token))["fulfillmentOrders"]
    assert sorted(o["sellerFulfillmentOrderId"] for o in listed) == ["X-I-1", "X-I-2"]


def test_preview_parity(server: Server, token: str, http: httpx.Client) -> None:
    mws = call(
        http,
        "GetFulfillmentPreview",
        {
            "Address.Name": "Jane Doe",
            "Address.Line1": "1200 12th Ave S",
            "Address.City": "Seattle",
            "Address.StateOrProvinceCode": "WA",
            "Address.CountryCode": "US",
            "Address.PostalCode": "98144",
            "Items.member.1.SellerSKU": "BLUE-MUG-12OZ",
            "Items.member.1.SellerFulfillmentOrderItemId": "a",
            "Items.member.1.Quantity": "3",
        },
    )
    previews = document(mws).findall(".//m:FulfillmentPreviews/m:member", N)
    address = {k: v for k, v in JANE.items() if k not in ("addressLine2", "phone")}
    body = {
        "address": address,
        "items": [{"sellerSku": "BLUE-MUG-12OZ", "sellerFulfillmentOrderItemId": "a", "quantity": 3}],
    }
    sp_previews = payload(sp(server, "POST", "/fulfillmentOrders/preview", token, body))["fulfillmentPreviews"]
    assert [p["shippingSpeedCategory"] for p in sp_previews] == [text(p, "m:ShippingSpeedCategory") for p in previews]
    for mine, theirs in zip(sp_previews, previews, strict=True):
        assert str(mine["isFulfillable"]).lower() == text(theirs, "m:IsFulfillable")
        assert mine["estimatedShippingWeight"]["value"] == text(theirs, "m:EstimatedShippingWeight/m:Value")
        fees = [(f["name"], f["amount"]["value"]) for f in mine["estimatedFees"]]
        assert fees == [
            (text(f, "m:Name"), text(f, "m:Amount/m:Value")) for f in theirs.findall("m:EstimatedFees/m:member", N)
        ]
        shipment = mine["fulfillmentPreviewShipments"][0]
        theirs_shipment = theirs.find("m:FulfillmentPreviewShipments/m:member", N)
        assert theirs_shipment is not None
        assert shipment["latestArrivalDate"] == text(theirs_shipment, "m:LatestArrivalDate")
        assert shipment["earliestShipDate"] == text(theirs_shipment, "m:EarliestShipDate")


def test_each_side_refuses_the_others_next_token(server: Server, token: str, http: httpx.Client) -> None:
    now = datetime.now(UTC)
    caller = Caller("key", SELLER, US)
    address = Address(
        {
            "Name": "A",
            "Line1": "1 Main St",
            "City": "Seattle",
            "StateOrProvinceCode": "WA",
            "CountryCode": "US",
            "PostalCode": "98144",
        }
    )
    for n in range(52):
        request = CreateOrderRequest(
            f"P-{n:03}", "D", now - timedelta(days=1), "c", "Standard", address, (ItemRequest("BLUE-MUG-12OZ", "1", 1),)
        )
        create_fulfillment_order(server.ctx.db, caller, request, now)
    first = payload(sp(server, "GET", "/fulfillmentOrders", token))
    assert len(first["fulfillmentOrders"]) == 50 and first["nextToken"]
    mws_first = document(call(http, "ListAllFulfillmentOrders", {}))
    mws_token = text(mws_first, "m:ListAllFulfillmentOrdersResult/m:NextToken")
    assert mws_token
    refused = sp(server, "GET", "/fulfillmentOrders", token, params={"nextToken": mws_token})
    assert error(refused, 400, "InvalidInput")["details"] == "nextToken"
    answer = call(http, "ListAllFulfillmentOrdersByNextToken", {"NextToken": first["nextToken"]})
    assert answer.status_code == 400 and b"Invalid NextToken" in answer.content
    second = payload(sp(server, "GET", "/fulfillmentOrders", token, params={"nextToken": first["nextToken"]}))
    assert len(second["fulfillmentOrders"]) == 2 and "nextToken" not in second
