"""Fulfillment orders over real HTTP: our SDK, hand-signed requests, python-amazon-mws and boto 2.

create → get → list → cancel with each client (SQLite and PostgreSQL); the exact XML of GetFulfillmentOrder and
ListAllFulfillmentOrders for a new order (docs/mws-protocol.md "Operations", "Answers"); and every parameter refusal
of CreateFulfillmentOrder with its message, which names the offending parameter by its wire name.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from outbound.client import CreateItem, MwsClientError
from outbound.service.accounts import add_seller
from outbound.service.inventory import levels
from outbound.store import Database
from outbound.store.schema import orders
from tests.helpers import (
    ACCESS_KEY,
    JANE,
    JP,
    NS,
    SECRET_KEY,
    SELLER,
    US,
    UUID,
    N,
    Server,
    boto_connection,
    call,
    check_headers,
    document,
    error,
    make_server,
    python_amazon_mws,
    sdk_for,
    stock,
    tags,
    text,
    totals,
)


@pytest.fixture
def server(shared_server: Server) -> Server:
    return shared_server


def create_params(order_id: str, **changes: str | None) -> dict[str, str | None]:
    """The example exchange's CreateFulfillmentOrder (docs/mws-protocol.md "Worked examples"); ``None`` drops a key."""
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
        "Items.member.1.DisplayableComment": "Handle with care",
        "Items.member.2.SellerSKU": "TEA-SAMPLER-6",
        "Items.member.2.SellerFulfillmentOrderItemId": f"{order_id}-2",
        "Items.member.2.Quantity": "1",
    }
    params.update(changes)
    return params


# ------------------------------------------------------------------------------------------------ our SDK


def test_sdk_create_get_list_cancel(server: Server) -> None:
    db = server.ctx.db
    stock(db, "BLUE-MUG-12OZ", 10)
    stock(db, "TEA-SAMPLER-6", 10)
    with sdk_for(server) as client:
        request_id = client.create_fulfillment_order(
            "MCF-1001",
            JANE,
            [
                CreateItem("BLUE-MUG-12OZ", "MCF-1001-1", 2, gift_message="Happy birthday, Sam!"),
                CreateItem("TEA-SAMPLER-6", "MCF-1001-2", 1),
            ],
            displayable_order_id="WEB-48213",
            displayable_order_datetime=datetime(2026, 11, 23, 15, 58, 40, tzinfo=UTC),
            notification_emails=["jane.doe@example.com"],
        )
        assert UUID.fullmatch(request_id)
        assert totals(db, "BLUE-MUG-12OZ") == (8, 2) and totals(db, "TEA-SAMPLER-6") == (9, 1)

        details = client.get_fulfillment_order("MCF-1001")
        order = details.order
        assert (order.seller_fulfillment_order_id, order.displayable_order_id) == ("MCF-1001", "WEB-48213")
        assert order.status == "RECEIVED" and order.fulfillment_action == "Ship"
        assert order.marketplace_id == US and order.fulfillment_policy == "FillOrKill"
        assert order.destination_address == JANE
        assert order.notification_emails == ("jane.doe@example.com",)
        assert order.displayable_order_datetime == datetime(2026, 11, 23, 15, 58, 40, tzinfo=UTC)
        assert order.received_datetime == order.status_updated_datetime
        assert order.received_datetime is not None
        assert abs((order.received_datetime - datetime.now(UTC)).total_seconds()) < 60
        assert [(i.seller_fulfillment_order_item_id, i.quantity, i.cancelled_quantity) for i in details.items] == [
            ("MCF-1001-1", 2, 0),
            ("MCF-1001-2", 1, 0),
        ]
        assert details.items[0].gift_message == "Happy birthday, Sam!"
        assert details.shipments == () and details.return_items == () and details.return_authorizations == ()

        listed = list(client.iter_fulfillment_orders())
        assert [o.seller_fulfillment_order_id for o in listed] == ["MCF-1001"]
        assert listed[0].fulfillment_action is None  # ListAll entries carry no FulfillmentAction
        assert listed[0].status == "RECEIVED"

        client.cancel_fulfillment_order("MCF-1001")
        cancelled = client.get_fulfillment_order("MCF-1001")
        assert cancelled.order.status == "CANCELLED"
        assert [i.cancelled_quantity for i in cancelled.items] == [2, 1]
        assert totals(db, "BLUE-MUG-12OZ") == (10, 0) and totals(db, "TEA-SAMPLER-6") == (10, 0)
        client.cancel_fulfillment_order("MCF-1001")  # twice: still 200, nothing changes
        again = client.get_fulfillment_order("MCF-1001")
        assert again.order.status_updated_datetime == cancelled.order.status_updated_datetime
        assert totals(db, "BLUE-MUG-12OZ") == (10, 0)
        (listed_after,) = client.list_all_fulfillment_orders().orders
        assert listed_after.status == "CANCELLED"


def test_sdk_hold_update_ship(server: Server) -> None:
    db = server.ctx.db
    stock(db, "TEA-SAMPLER-6", 5)
    with sdk_for(server) as client:
        client.create_fulfillment_order(
            "MCF-1003", JANE, [CreateItem("TEA-SAMPLER-6", "MCF-1003-1", 2)], fulfillment_action="Hold"
        )
        assert client.get_fulfillment_order("MCF-1003").order.fulfillment_action == "Hold"
        assert totals(db, "TEA-SAMPLER-6") == (3, 2)
        with pytest.raises(MwsClientError) as err:
            client.update_fulfillment_order("MCF-1003", quantities={"MCF-1003-1": 3})
        assert (err.value.status, err.value.code) == (400, "InvalidParameterValue")
        assert err.value.message == "Value 3 for parameter Items.member.1.Quantity is invalid."
        client.update_fulfillment_order(
            "MCF-1003",
            fulfillment_action="Ship",
            quantities={"MCF-1003-1": 1},
            extra={"ShippingSpeedCategory": "Expedited", "Items.member.1.GiftMessage": "Enjoy the tea!"},
        )
        details = client.get_fulfillment_order("MCF-1003")
        assert details.order.fulfillment_action == "Ship"
        assert details.order.shipping_speed_category == "Expedited"
        assert (details.items[0].quantity, details.items[0].gift_message) == (1, "Enjoy the tea!")
        assert totals(db, "TEA-SAMPLER-6") == (4, 1)
        with pytest.raises(MwsClientError) as err:
            client.update_fulfillment_order("MCF-1003", fulfillment_action="Ship")
        assert (err.value.status, err.value.code) == (400, "InvalidRequest")
        assert err.value.message == "Fulfillment order MCF-1003 cannot be updated."


def test_sdk_update_of_the_speed_gives_new_promises(server: Server) -> None:
    """A held order moved from Standard to Priority is promised as a Priority order placed now (the preview says)."""
    db = server.ctx.db
    stock(db, "TEA-SAMPLER-6", 10)
    line = CreateItem("TEA-SAMPLER-6", "MCF-1004-1", 2)
    with sdk_for(server) as client:
        client.create_fulfillment_order("MCF-1004", JANE, [line], fulfillment_action="Hold")
        (standard,) = client.get_fulfillment_order("MCF-1004").items
        assert standard.estimated_arrival_datetime is not None

        def priority_arrival() -> datetime:
            (preview,) = client.get_fulfillment_preview(JANE, [line], shipping_speed_categories=["Priority"])
            (shipment,) = preview.shipments
            return shipment.latest_arrival_date

        before = priority_arrival()
        client.update_fulfillment_order("MCF-1004", extra={"ShippingSpeedCategory": "Priority"})
        after = priority_arrival()
        details = client.get_fulfillment_order("MCF-1004")
        assert details.order.shipping_speed_category == "Priority" and details.order.fulfillment_action == "Hold"
        (priority,) = details.items
        assert priority.estimated_arrival_datetime is not None
        assert priority.estimated_arrival_datetime < standard.estimated_arrival_datetime
        assert priority.estimated_arrival_datetime in (before, after)  # the clock may cross a cut-off in between
        assert totals(db, "TEA-SAMPLER-6") == (8, 2)


# ------------------------------------------------------------------------------------------------ exact XML


ORDER_FIELDS = [
    "SellerFulfillmentOrderId",
    "MarketplaceId",
    "DisplayableOrderId",
    "DisplayableOrderDateTime",
    "DisplayableOrderComment",
    "ShippingSpeedCategory",
    "DestinationAddress",
    "FulfillmentAction",
    "FulfillmentPolicy",
    "FulfillmentMethod",
    "ReceivedDateTime",
    "FulfillmentOrderStatus",
    "StatusUpdatedDateTime",
    "NotificationEmailList",
]
ADDRESS_FIELDS = ["Name", "Line1", "Line2", "City", "StateOrProvinceCode", "CountryCode", "PostalCode", "PhoneNumber"]
ITEM_FIELDS = [
    "SellerSKU",
    "SellerFulfillmentOrderItemId",
    "Quantity",
    "GiftMessage",
    "DisplayableComment",
    "FulfillmentNetworkSKU",
    "CancelledQuantity",
    "UnfulfillableQuantity",
    "EstimatedShipDateTime",
    "EstimatedArrivalDateTime",
]


def test_get_fulfillment_order_xml_of_a_new_order(server: Server, http: httpx.Client) -> None:
    db = server.ctx.db
    stock(db, "BLUE-MUG-12OZ", 10)
    stock(db, "TEA-SAMPLER-6", 10)
    created = call(http, "CreateFulfillmentOrder", create_params("MCF-1001"))
    assert created.status_code == 200, created.text
    request_id = check_headers(created)
    assert created.content == (
        b'<?xml version="1.0"?>\n'
        b'<CreateFulfillmentOrderResponse xmlns="' + NS.encode() + b'">\n'
        b"  <ResponseMetadata>\n"
        b"    <RequestId>" + request_id.encode() + b"</RequestId>\n"
        b"  </ResponseMetadata>\n"
        b"</CreateFulfillmentOrderResponse>\n"
    )

    response = call(http, "GetFulfillmentOrder", {"SellerFulfillmentOrderId": "MCF-1001"})
    assert response.status_code == 200
    request_id = check_headers(response)
    assert response.content.startswith(
        b'<?xml version="1.0"?>\n<GetFulfillmentOrderResponse xmlns="' + NS.encode() + b'">\n'
        b"  <GetFulfillmentOrderResult>\n    <FulfillmentOrder>\n"
    )
    root = document(response)
    assert tags(root) == ["GetFulfillmentOrderResult", "ResponseMetadata"]
    assert text(root, "m:ResponseMetadata/m:RequestId") == request_id
    result = root.find("m:GetFulfillmentOrderResult", N)
    assert result is not None
    assert tags(result) == [
        "FulfillmentOrder",
        "FulfillmentOrderItem",
        "FulfillmentShipment",
        "ReturnItemList",
        "ReturnAuthorizationList",
    ]
    for name in ("FulfillmentShipment", "ReturnItemList", "ReturnAuthorizationList"):
        empty = result.find(f"m:{name}", N)
        assert empty is not None and len(empty) == 0 and empty.text is None
        assert f"<{name}/>".encode() in response.content

    order = result.find("m:FulfillmentOrder", N)
    assert order is not None
    assert tags(order) == ORDER_FIELDS
    values = {tag: text(order, f"m:{tag}") for tag in ORDER_FIELDS if tag not in ("DestinationAddress",)}
    assert values["SellerFulfillmentOrderId"] == "MCF-1001"
    assert values["MarketplaceId"] == US
    assert values["DisplayableOrderId"] == "WEB-48213"
    assert values["DisplayableOrderDateTime"] == "2026-11-23T15:58:40Z"
    assert values["DisplayableOrderComment"] == "Thank you for shopping at Blue Kettle Tea Co."
    assert values["ShippingSpeedCategory"] == "Standard"
    assert (values["FulfillmentAction"], values["FulfillmentPolicy"], values["FulfillmentMethod"]) == (
        "Ship",
        "FillOrKill",
        "Consumer",
    )
    assert values["FulfillmentOrderStatus"] == "RECEIVED"
    assert values["ReceivedDateTime"] == values["StatusUpdatedDateTime"]
    received = datetime.strptime(values["ReceivedDateTime"] or "", "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert abs((received - datetime.now(UTC)).total_seconds()) < 60
    address = order.find("m:DestinationAddress", N)
    assert address is not None and tags(address) == ADDRESS_FIELDS
    assert [a.text for a in address] == [
        "Jane Doe",
        "1200 12th Ave S",
        "Suite 300",
        "Seattle",
        "WA",
        "US",
        "98144",
        "206-555-0142",
    ]
    emails = order.find("m:NotificationEmailList", N)
    assert emails is not None and tags(emails) == ["member"] and emails[0].text == "jane.doe@example.com"

    items = result.findall("m:FulfillmentOrderItem/m:member", N)
    assert len(items) == 2
    assert tags(items[0]) == ITEM_FIELDS
    assert tags(items[1]) == [t for t in ITEM_FIELDS if t not in ("GiftMessage", "DisplayableComment")]
    assert [text(i, "m:SellerFulfillmentOrderItemId") for i in items] == ["MCF-1001-1", "MCF-1001-2"]
    assert [
        (text(i, "m:Quantity"), text(i, "m:CancelledQuantity"), text(i, "m:UnfulfillableQuantity")) for i in items
    ] == [
        ("2", "0", "0"),
        ("1", "0", "0"),
    ]
    assert text(items[0], "m:GiftMessage") == "Happy birthday, Sam!"
    assert (text(items[0], "m:FulfillmentNetworkSKU") or "").startswith("X00")

    # every text node is a single value with no padding, and nothing is an empty enumeration
    for node in root.iter():
        if len(node) == 0 and node.text is not None:
            assert node.text == node.text.strip()
            assert node.text != ""


def test_list_all_xml_has_no_action_and_no_next_token(server: Server, http: httpx.Client) -> None:
    stock(server.ctx.db, "BLUE-MUG-12OZ", 10)
    stock(server.ctx.db, "TEA-SAMPLER-6", 10)
    assert call(http, "CreateFulfillmentOrder", create_params("MCF-1001")).status_code == 200
    assert call(http, "CreateFulfillmentOrder", create_params("MCF-1002", FulfillmentAction="Hold")).status_code == 200
    response = call(http, "ListAllFulfillmentOrders")
    assert response.status_code == 200
    check_headers(response)
    root = document(response)
    result = root.find("m:ListAllFulfillmentOrdersResult", N)
    assert result is not None
    assert tags(result) == ["FulfillmentOrders"]  # one page: no NextToken element at all
    assert b"NextToken" not in response.content
    members = result.findall("m:FulfillmentOrders/m:member", N)
    assert sorted(text(m, "m:SellerFulfillmentOrderId") or "" for m in members) == ["MCF-1001", "MCF-1002"]
    for member in members:
        assert tags(member) == [t for t in ORDER_FIELDS if t != "FulfillmentAction"]
        assert member.find("m:FulfillmentOrderItem", N) is None


def test_empty_list_has_an_empty_fulfillment_orders_element(http: httpx.Client) -> None:
    response = call(http, "ListAllFulfillmentOrders")
    assert response.status_code == 200
    result = document(response).find("m:ListAllFulfillmentOrdersResult", N)
    assert result is not None and tags(result) == ["FulfillmentOrders"]
    assert len(result[0]) == 0
    assert b"<FulfillmentOrders/>" in response.content


def test_get_and_cancel_errors(server: Server, http: httpx.Client) -> None:
    for action in ("GetFulfillmentOrder", "CancelFulfillmentOrder", "UpdateFulfillmentOrder"):
        missing = error(call(http, action))
        assert (missing.status, missing.code) == (400, "InvalidParameterValue")
        assert missing.message == "Missing required parameter SellerFulfillmentOrderId."
        unknown = error(call(http, action, {"SellerFulfillmentOrderId": "MCF-9999"}))
        assert (unknown.status, unknown.code) == (400, "InvalidParameterValue")
        assert unknown.message == "Value MCF-9999 for parameter SellerFulfillmentOrderId is invalid."


def test_cancel_in_processing_is_invalid_request(server: Server, http: httpx.Client) -> None:
    stock(server.ctx.db, "BLUE-MUG-12OZ", 10)
    stock(server.ctx.db, "TEA-SAMPLER-6", 10)
    assert call(http, "CreateFulfillmentOrder", create_params("MCF-1001")).status_code == 200
    with server.ctx.db.transaction() as conn:
        conn.execute(update(orders).where(orders.c.seller_order_id == "MCF-1001").values(status="PROCESSING"))
    found = error(call(http, "CancelFulfillmentOrder", {"SellerFulfillmentOrderId": "MCF-1001"}))
    assert (found.status, found.type, found.code) == (400, "Sender", "InvalidRequest")
    assert found.message == "Fulfillment order MCF-1001 cannot be cancelled in status PROCESSING."


# ------------------------------------------------------------------------------------------------ refusals


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One SQLite server for the many refusal cases (parameter checks do not depend on the store)."""
    db = Database(f"sqlite:///{tmp_path_factory.mktemp('orders-http') / 'outbound.db'}")
    db.migrate()
    add_seller(db, SELLER, ACCESS_KEY, SECRET_KEY)
    stock(db, "BLUE-MUG-12OZ", 1000)
    stock(db, "TEA-SAMPLER-6", 1000)
    stock(db, "EMPTY-SKU", 0)
    stock(db, "SCARCE-SKU", 1)
    yield from make_server(db)
    db.dispose()


@pytest.fixture(scope="module")
def shared_http(shared: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=shared.url, timeout=30) as client:
        yield client


LONG_ID = "W" * 41
LONG_COMMENT = "x" * 1001
FIVE_HUNDRED_13 = "g" * 513
WINDOW = {
    "DeliveryWindow.StartDateTime": "2026-12-01T03:00:00Z",
    "DeliveryWindow.EndDateTime": "2026-12-01T05:00:00Z",
}
NO_ADDRESS = {k: None for k in create_params("X") if k.startswith("DestinationAddress.")}
NO_ITEMS = {k: None for k in create_params("X") if k.startswith("Items.")}


def invalid(value: str, name: str, reason: str | None = None) -> str:
    message = f"Value {value} for parameter {name} is invalid."
    return f"{message} Reason: {reason}." if reason else message


def missing(name: str) -> str:
    return f"Missing required parameter {name}."


PARAMETER_ERRORS: list[tuple[str, Mapping[str, str | None], str]] = [
    ("no-order-id", {"SellerFulfillmentOrderId": None}, missing("SellerFulfillmentOrderId")),
    (
        "long-order-id",
        {"SellerFulfillmentOrderId": LONG_ID},
        invalid(LONG_ID, "SellerFulfillmentOrderId", "exceeds maximum length 40"),
    ),
    ("no-displayable-id", {"DisplayableOrderId": None}, missing("DisplayableOrderId")),
    ("blank-displayable-id", {"DisplayableOrderId": "   "}, missing("DisplayableOrderId")),
    ("two-spaces", {"DisplayableOrderId": "WEB  48213"}, invalid("WEB  48213", "DisplayableOrderId")),
    (
        "long-displayable-id",
        {"DisplayableOrderId": LONG_ID},
        invalid(LONG_ID, "DisplayableOrderId", "exceeds maximum length 40"),
    ),
    ("not-latin-1", {"DisplayableOrderId": "注文-1"}, invalid("注文-1", "DisplayableOrderId")),
    ("no-date", {"DisplayableOrderDateTime": None}, missing("DisplayableOrderDateTime")),
    ("bad-date", {"DisplayableOrderDateTime": "yesterday"}, invalid("yesterday", "DisplayableOrderDateTime")),
    ("no-comment", {"DisplayableOrderComment": None}, missing("DisplayableOrderComment")),
    (
        "long-comment",
        {"DisplayableOrderComment": LONG_COMMENT},
        invalid(LONG_COMMENT, "DisplayableOrderComment", "exceeds maximum length 1000"),
    ),
    ("no-speed", {"ShippingSpeedCategory": None}, missing("ShippingSpeedCategory")),
    ("bad-speed", {"ShippingSpeedCategory": "Overnight"}, invalid("Overnight", "ShippingSpeedCategory")),
    ("lower-case-speed", {"ShippingSpeedCategory": "standard"}, invalid("standard", "ShippingSpeedCategory")),
    ("bad-action", {"FulfillmentAction": "ship"}, invalid("ship", "FulfillmentAction")),
    ("bad-policy", {"FulfillmentPolicy": "FillSome"}, invalid("FillSome", "FulfillmentPolicy")),
    ("bad-method", {"FulfillmentMethod": "Gift"}, invalid("Gift", "FulfillmentMethod")),
    ("no-address", NO_ADDRESS, missing("DestinationAddress")),
    ("no-name", {"DestinationAddress.Name": None}, missing("DestinationAddress.Name")),
    (
        "long-name",
        {"DestinationAddress.Name": "N" * 51},
        invalid("N" * 51, "DestinationAddress.Name", "exceeds maximum length 50"),
    ),
    ("no-line1", {"DestinationAddress.Line1": None}, missing("DestinationAddress.Line1")),
    ("no-city-us", {"DestinationAddress.City": None}, missing("DestinationAddress.City")),
    ("no-state", {"DestinationAddress.StateOrProvinceCode": None}, missing("DestinationAddress.StateOrProvinceCode")),
    ("no-country", {"DestinationAddress.CountryCode": None}, missing("DestinationAddress.CountryCode")),
    ("country-uk", {"DestinationAddress.CountryCode": "UK"}, invalid("UK", "DestinationAddress.CountryCode")),
    ("us-no-postal-code", {"DestinationAddress.PostalCode": None}, missing("DestinationAddress.PostalCode")),
    (
        "us-bad-postal-code",
        {"DestinationAddress.PostalCode": "ABCDE"},
        invalid("ABCDE", "DestinationAddress.PostalCode"),
    ),
    (
        "long-phone",
        {"DestinationAddress.PhoneNumber": "1" * 21},
        invalid("1" * 21, "DestinationAddress.PhoneNumber", "exceeds maximum length 20"),
    ),
    ("no-items", NO_ITEMS, missing("Items")),
    ("no-sku", {"Items.member.2.SellerSKU": None}, missing("Items.member.2.SellerSKU")),
    (
        "no-item-id",
        {"Items.member.2.SellerFulfillmentOrderItemId": None},
        missing("Items.member.2.SellerFulfillmentOrderItemId"),
    ),
    (
        "duplicate-item-id",
        {"Items.member.2.SellerFulfillmentOrderItemId": "X-1"},
        invalid("X-1", "SellerFulfillmentOrderItemId", "Duplicate"),
    ),
    ("no-quantity", {"Items.member.1.Quantity": None}, missing("Items.member.1.Quantity")),
    ("quantity-0", {"Items.member.1.Quantity": "0"}, invalid("0", "Items.member.1.Quantity")),
    ("quantity-abc", {"Items.member.1.Quantity": "abc"}, invalid("abc", "Items.member.1.Quantity")),
    ("quantity-negative", {"Items.member.2.Quantity": "-3"}, invalid("-3", "Items.member.2.Quantity")),
    ("quantity-decimal", {"Items.member.1.Quantity": "1.5"}, invalid("1.5", "Items.member.1.Quantity")),
    ("quantity-overflow", {"Items.member.1.Quantity": "2147483648"}, invalid("2147483648", "Items.member.1.Quantity")),
    (
        "long-gift-message",
        {"Items.member.1.GiftMessage": FIVE_HUNDRED_13},
        invalid(FIVE_HUNDRED_13, "Items.member.1.GiftMessage", "exceeds maximum length 512"),
    ),
    (
        "long-item-comment",
        {"Items.member.1.DisplayableComment": "c" * 251},
        invalid("c" * 251, "Items.member.1.DisplayableComment", "exceeds maximum length 250"),
    ),
    (
        "bad-disposition",
        {"Items.member.1.OrderItemDisposition": "Broken"},
        invalid("Broken", "Items.member.1.OrderItemDisposition"),
    ),
    (
        "price-without-currency",
        {"Items.member.1.PerUnitPrice.Value": "10.00"},
        missing("Items.member.1.PerUnitPrice.CurrencyCode"),
    ),
    (
        "bad-price",
        {"Items.member.1.PerUnitPrice.CurrencyCode": "USD", "Items.member.1.PerUnitPrice.Value": "1.234"},
        invalid("1.234", "Items.member.1.PerUnitPrice.Value"),
    ),
    (
        "negative-price",
        {"Items.member.1.PerUnitPrice.CurrencyCode": "USD", "Items.member.1.PerUnitPrice.Value": "-1"},
        invalid("-1", "Items.member.1.PerUnitPrice.Value"),
    ),
    (
        "bad-email",
        {"NotificationEmailList.member.1": "jane.doe"},
        invalid("jane.doe", "NotificationEmailList.member.1"),
    ),
    (
        "bad-second-email",
        {"NotificationEmailList.member.2": "a b@c.d"},
        invalid("a b@c.d", "NotificationEmailList.member.2"),
    ),
    ("window-without-scheduled-delivery", WINDOW, invalid("2026-12-01T03:00:00Z", "DeliveryWindow.StartDateTime")),
    (
        "scheduled-delivery-without-window",
        {"ShippingSpeedCategory": "ScheduledDelivery"},
        missing("DeliveryWindow.StartDateTime"),
    ),
    ("cod-without-price", {"CODSettings.IsCODRequired": "true"}, missing("Items.member.1.PerUnitPrice")),
    ("cod-flag-not-boolean", {"CODSettings.IsCODRequired": "maybe"}, invalid("maybe", "CODSettings.IsCODRequired")),
    ("ship-from-uk", {"ShipFromCountryCode": "UK"}, invalid("UK", "ShipFromCountryCode")),
    # checked by the service, after the parameters
    ("unknown-sku", {"Items.member.2.SellerSKU": "NO-SUCH-SKU"}, invalid("NO-SUCH-SKU", "SellerSKU")),
    ("not-the-sellers-marketplace", {"MarketplaceId": JP}, invalid(JP, "MarketplaceId")),
    ("brazil", {"MarketplaceId": "A2Q3Y263D00KWC"}, invalid("A2Q3Y263D00KWC", "MarketplaceId")),
    (
        "cod-outside-jp",
        {
            "CODSettings.IsCODRequired": "true",
            "Items.member.1.PerUnitPrice.CurrencyCode": "USD",
            "Items.member.1.PerUnitPrice.Value": "10.00",
            "Items.member.2.PerUnitPrice.CurrencyCode": "USD",
            "Items.member.2.PerUnitPrice.Value": "4.00",
        },
        invalid("true", "CODSettings.IsCODRequired"),
    ),
    (
        "scheduled-delivery-outside-jp",
        {"ShippingSpeedCategory": "ScheduledDelivery", **WINDOW},
        invalid("ScheduledDelivery", "ShippingSpeedCategory"),
    ),
    (
        "export-to-gb",
        {"DestinationAddress.CountryCode": "GB", "DestinationAddress.PostalCode": "SW1A 1AA"},
        invalid("GB", "DestinationAddress.CountryCode"),
    ),
]


def fix_ids(order_id: str, changes: Mapping[str, str | None]) -> dict[str, str | None]:
    """Cases written with the placeholder id X refer to the case's own order id."""
    return {
        k: (v.replace("X-", f"{order_id}-") if v is not None and v.startswith("X-") else v) for k, v in changes.items()
    }


@pytest.mark.parametrize(("case", "changes", "message"), PARAMETER_ERRORS, ids=[c[0] for c in PARAMETER_ERRORS])
def test_create_parameter_errors(
    shared: Server, shared_http: httpx.Client, case: str, changes: Mapping[str, str | None], message: str
) -> None:
    order_id = f"BAD-{case}"[:40] if case != "long-order-id" else "unused"
    params = create_params(order_id, **fix_ids(order_id, changes))
    before = (totals(shared.ctx.db, "BLUE-MUG-12OZ"), totals(shared.ctx.db, "TEA-SAMPLER-6"))
    found = error(call(shared_http, "CreateFulfillmentOrder", params))
    assert (found.status, found.type, found.code) == (400, "Sender", "InvalidParameterValue")
    assert found.message == message.replace("X-1", f"{order_id}-1")
    assert (totals(shared.ctx.db, "BLUE-MUG-12OZ"), totals(shared.ctx.db, "TEA-SAMPLER-6")) == before
    if params.get("SellerFulfillmentOrderId"):
        gone = error(
            call(shared_http, "GetFulfillmentOrder", {"SellerFulfillmentOrderId": params["SellerFulfillmentOrderId"]})
        )
        assert gone.code == "InvalidParameterValue"  # nothing was created


def test_too_many_items(shared: Server, shared_http: httpx.Client) -> None:
    params = create_params("BAD-too-many", **{k: None for k in create_params("X") if k.startswith("Items.")})
    for n in range(1, 252):
        params[f"Items.member.{n}.SellerSKU"] = "TEA-SAMPLER-6"
        params[f"Items.member.{n}.SellerFulfillmentOrderItemId"] = f"line-{n}"
        params[f"Items.member.{n}.Quantity"] = "1"
    found = error(call(shared_http, "CreateFulfillmentOrder", params))
    assert (found.status, found.code) == (400, "InvalidParameterValue")
    assert found.message == invalid("251", "Items", "at most 250 items")
    del params["Items.member.251.SellerSKU"], params["Items.member.251.SellerFulfillmentOrderItemId"]
    del params["Items.member.251.Quantity"]
    params["SellerFulfillmentOrderId"] = "OK-250-items"
    before = totals(shared.ctx.db, "TEA-SAMPLER-6")
    assert call(shared_http, "CreateFulfillmentOrder", params).status_code == 200  # 250 is the limit, not 249
    assert totals(shared.ctx.db, "TEA-SAMPLER-6") == (before[0] - 250, before[1] + 250)


def test_too_many_notification_emails(shared_http: httpx.Client) -> None:
    emails = {f"NotificationEmailList.member.{n}": f"user{n}@example.com" for n in range(1, 22)}
    found = error(call(shared_http, "CreateFulfillmentOrder", create_params("BAD-emails", **emails)))
    assert found.message == invalid("21", "NotificationEmailList", "at most 20 addresses")


@pytest.mark.parametrize("policy", ["FillOrKill", "FillAll", "FillAllAvailable"])
def test_no_stock_at_all_is_all_quantity_zero(shared: Server, shared_http: httpx.Client, policy: str) -> None:
    params = create_params(
        f"ZERO-{policy}",
        FulfillmentPolicy=policy,
        **{"Items.member.1.SellerSKU": "EMPTY-SKU", "Items.member.2.SellerSKU": "EMPTY-SKU"},
    )
    found = error(call(shared_http, "CreateFulfillmentOrder", params))
    assert (found.status, found.type, found.code) == (400, "Sender", "InvalidRequestException")
    assert found.message == "Value AllQuantityZero for parameter  is invalid."  # sic: two spaces, as Amazon's


def test_fill_or_kill_short_is_insufficient_inventory(shared: Server, shared_http: httpx.Client) -> None:
    params = create_params("SHORT-FOK", **{"Items.member.2.SellerSKU": "SCARCE-SKU", "Items.member.2.Quantity": "2"})
    found = error(call(shared_http, "CreateFulfillmentOrder", params))
    assert (found.status, found.code) == (400, "InvalidRequestException")
    assert found.message == "Value InsufficientInventory for parameter Items is invalid."
    assert levels(shared.ctx.db, SELLER, "SCARCE-SKU")[0][2:] == (1, 0)


def test_same_id_is_idempotent_and_other_content_is_refused(shared: Server, shared_http: httpx.Client) -> None:
    before = totals(shared.ctx.db, "BLUE-MUG-12OZ")
    first = call(shared_http, "CreateFulfillmentOrder", create_params("IDEM-1"))
    second = call(shared_http, "CreateFulfillmentOrder", create_params("IDEM-1"))
    assert first.status_code == second.status_code == 200
    assert check_headers(first) != check_headers(second)  # a new RequestId each time
    assert totals(shared.ctx.db, "BLUE-MUG-12OZ") == (before[0] - 2, before[1] + 2)
    found = error(
        call(shared_http, "CreateFulfillmentOrder", create_params("IDEM-1", **{"Items.member.1.Quantity": "3"}))
    )
    assert (found.status, found.code) == (400, "InvalidParameterValue")
    assert found.message == invalid("IDEM-1", "SellerFulfillmentOrderId", "an order with this id already exists")
    assert totals(shared.ctx.db, "BLUE-MUG-12OZ") == (before[0] - 2, before[1] + 2)


def test_accepted_edge_values(shared: Server, shared_http: httpx.Client) -> None:
    """The limits themselves are accepted: 40-character ids, a 1000-character comment, a date-only date."""
    params = create_params(
        "E" * 40,
        DisplayableOrderId="D" * 40,
        DisplayableOrderComment="c" * 1000,
        DisplayableOrderDateTime="2013-12-29",
        **{"NotificationEmailList.member.1": None, "Items.member.1.Quantity": "1"},
    )
    response = call(shared_http, "CreateFulfillmentOrder", params)
    assert response.status_code == 200, response.text
    with sdk_for(shared) as client:
        order = client.get_fulfillment_order("E" * 40).order
    assert order.displayable_order_comment == "c" * 1000
    assert order.displayable_order_datetime == datetime(2013, 12, 29, tzinfo=UTC)
    assert order.notification_emails == ()


# ------------------------------------------------------------------------------------------------ third-party clients


def value(node: Any) -> str:
    """python-amazon-mws hands a leaf element over as its text."""
    assert isinstance(node, str), node
    return node.strip()


def test_python_amazon_mws_create_get_list_cancel(server: Server) -> None:
    from mws import mws as m

    db = server.ctx.db
    stock(db, "BLUE-MUG-12OZ", 10)
    stock(db, "TEA-SAMPLER-6", 10)
    api = python_amazon_mws(server)
    params = {k: v for k, v in create_params("PYMWS-1").items() if v is not None}
    created = api.make_request({**params, "Action": "CreateFulfillmentOrder"}, method="POST")
    assert created.response.status_code == 200
    assert created.parsed is None  # no CreateFulfillmentOrderResult element
    assert totals(db, "BLUE-MUG-12OZ") == (8, 2)

    got = api.make_request({"Action": "GetFulfillmentOrder", "SellerFulfillmentOrderId": "PYMWS-1"}, method="POST")
    order = got.parsed["FulfillmentOrder"]
    assert value(order["SellerFulfillmentOrderId"]) == "PYMWS-1"
    assert value(order["FulfillmentOrderStatus"]) == "RECEIVED"
    assert value(order["DestinationAddress"]["PostalCode"]) == "98144"
    members = got.parsed["FulfillmentOrderItem"]["member"]
    assert [value(i["SellerSKU"]) for i in members] == ["BLUE-MUG-12OZ", "TEA-SAMPLER-6"]

    listed = api.make_request({"Action": "ListAllFulfillmentOrders"}, method="POST")
    entry = listed.parsed["FulfillmentOrders"]["member"]
    assert value(entry["SellerFulfillmentOrderId"]) == "PYMWS-1"
    assert "FulfillmentAction" not in entry and "NextToken" not in listed.parsed

    cancelled = api.make_request(
        {"Action": "CancelFulfillmentOrder", "SellerFulfillmentOrderId": "PYMWS-1"}, method="POST"
    )
    assert cancelled.response.status_code == 200
    got = api.make_request({"Action": "GetFulfillmentOrder", "SellerFulfillmentOrderId": "PYMWS-1"}, method="POST")
    assert value(got.parsed["FulfillmentOrder"]["FulfillmentOrderStatus"]) == "CANCELLED"
    assert [value(i["CancelledQuantity"]) for i in got.parsed["FulfillmentOrderItem"]["member"]] == ["2", "1"]
    assert totals(db, "BLUE-MUG-12OZ") == (10, 0)

    with pytest.raises(m.MWSError) as err:
        api.make_request({**params, "Action": "CreateFulfillmentOrder", "DisplayableOrderId": "A  B"}, method="POST")
    assert err.value.response.status_code == 400
    assert "Value A  B for parameter DisplayableOrderId is invalid." in str(err.value)


@pytest.fixture
def boto_on_py311(monkeypatch: pytest.MonkeyPatch) -> None:
    """boto 2 destructures structures with ``collections.Mapping``/``Iterable``, gone since Python 3.10."""
    import collections
    import collections.abc

    monkeypatch.setattr(collections, "Mapping", collections.abc.Mapping, raising=False)
    monkeypatch.setattr(collections, "Iterable", collections.abc.Iterable, raising=False)


@pytest.mark.usefixtures("boto_on_py311")
def test_boto_create_get_list_cancel(server: Server) -> None:
    db = server.ctx.db
    stock(db, "BLUE-MUG-12OZ", 10)
    stock(db, "TEA-SAMPLER-6", 10)
    connection = boto_connection(server)
    address = {k.split(".", 1)[1]: v for k, v in create_params("B").items() if k.startswith("DestinationAddress.")}
    connection.create_fulfillment_order(
        SellerFulfillmentOrderId="BOTO-1",
        DisplayableOrderId="WEB-1",
        DisplayableOrderDateTime="2026-11-23T15:58:40Z",
        DisplayableOrderComment="Thanks",
        ShippingSpeedCategory="Standard",
        DestinationAddress=address,  # DestinationAddress.Name, ...
        Items={  # explicit Items.member.N.* (boto's own list form would be Items.N.*)
            "member": [
                {"SellerSKU": "BLUE-MUG-12OZ", "SellerFulfillmentOrderItemId": "BOTO-1-1", "Quantity": "2"},
                {"SellerSKU": "TEA-SAMPLER-6", "SellerFulfillmentOrderItemId": "BOTO-1-2", "Quantity": "1"},
            ]
        },
    )
    assert totals(db, "BLUE-MUG-12OZ") == (8, 2) and totals(db, "TEA-SAMPLER-6") == (9, 1)

    result = connection.get_fulfillment_order(SellerFulfillmentOrderId="BOTO-1").GetFulfillmentOrderResult
    assert result.FulfillmentOrder.SellerFulfillmentOrderId == "BOTO-1"
    assert result.FulfillmentOrder.FulfillmentOrderStatus == "RECEIVED"
    assert result.FulfillmentOrder.DestinationAddress.City == "Seattle"
    assert [i.SellerFulfillmentOrderItemId for i in result.FulfillmentOrderItem] == ["BOTO-1-1", "BOTO-1-2"]

    listed = connection.list_all_fulfillment_orders().ListAllFulfillmentOrdersResult
    assert [o.SellerFulfillmentOrderId for o in listed.FulfillmentOrders] == ["BOTO-1"]
    assert getattr(listed, "NextToken", None) is None

    connection.cancel_fulfillment_order(SellerFulfillmentOrderId="BOTO-1")
    result = connection.get_fulfillment_order(SellerFulfillmentOrderId="BOTO-1").GetFulfillmentOrderResult
    assert result.FulfillmentOrder.FulfillmentOrderStatus == "CANCELLED"
    assert [i.CancelledQuantity for i in result.FulfillmentOrderItem] == ["2", "1"]
    assert totals(db, "BLUE-MUG-12OZ") == (10, 0)


def test_boto_error(server: Server) -> None:
    from boto.mws.exception import ResponseError

    connection = boto_connection(server)
    with pytest.raises(ResponseError) as err:
        connection.get_fulfillment_order(SellerFulfillmentOrderId="NOPE")
    assert err.value.status == 400
    assert err.value.error_code == "InvalidParameterValue"
    assert "SellerFulfillmentOrderId" in err.value.error_message
