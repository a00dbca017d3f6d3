"""GetFulfillmentOrder against Amazon's documented example (``tests/fixtures/responses/GetFulfillmentOrder-seed.xml``).

The seed's example order (JP, COD, ScheduledDelivery, two lines, a PENDING and a SHIPPED shipment with a package, a
processed return and its authorization) is read out of the seed's XML, written through the store layer, read back
over HTTP and compared element by element, value by value, with the seed. The only differences allowed are the
ones docs/mws-protocol.md "Where our answers differ from Amazon's examples" lists; each of them is applied to the
seed's tree explicitly (and counted, so the test notices if the seed or the decisions change):

- ``ReturnItemList``/``ReturnAuthorizationList`` entries are ``<member>``; the reason is ``SellerReturnReasonCode``;
- ``ReturnToAddress`` carries ``StateOrProvinceCode``, not ``StateOrRegionCode``;
- an unpacked item's ``<PackageNumber>0</PackageNumber>`` is omitted;
- whitespace around values (and in ``</AmazonShipmentId >``) is the documentation's, not the wire's;
- element order inside a structure is the model's (compared here as a set; list entries keep their order);
- the declaration has no ``encoding``.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import httpx
import pytest
from lxml import etree

from outbound.domain.orders import (
    Address,
    CODSettings,
    DeliveryWindow,
    Money,
    Order,
    OrderItem,
    Package,
    ReturnAuthorization,
    ReturnItem,
    Shipment,
    ShipmentItem,
)
from outbound.store import Database
from outbound.store import orders as order_store
from tests import store_helpers
from tests.helpers import (
    AUTHORIZATION_ORDER,
    FIXTURES,
    NS,
    RETURN_ITEM_ORDER,
    SELLER,
    UUID,
    Server,
    call,
    check_headers,
    local,
)


@pytest.fixture
def server(shared_server: Server) -> Server:
    return shared_server


SEED = FIXTURES / "responses/GetFulfillmentOrder-seed.xml"
Node = etree._Element


def seed_document() -> Node:
    """The example response, exactly as the documentation prints it (declaration, whitespace and all)."""
    xml_text = SEED.read_text(encoding="utf-8")
    assert 'encoding="UTF-8"' in xml_text.splitlines()[0]
    return etree.fromstring(xml_text.strip().encode("utf-8"))


# ------------------------------------------------------------------------------------------------ reading the seed


def child(node: Node, name: str) -> Node | None:
    return next((c for c in node if local(c) == name), None)


def value(node: Node, path: str) -> str | None:
    """The trimmed text at ``a/b/c`` (namespace ignored), or None when absent."""
    current: Node | None = node
    for part in path.split("/"):
        current = child(current, part) if current is not None else None
    return None if current is None else (current.text or "").strip()


def need(node: Node, path: str) -> str:
    found = value(node, path)
    assert found is not None, path
    return found


def when(text: str | None) -> datetime | None:
    return None if text is None else datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def at(node: Node, path: str) -> datetime:
    moment = when(need(node, path))
    assert moment is not None
    return moment


def money(node: Node, path: str) -> Money | None:
    if value(node, path) is None:
        return None
    return Money(need(node, f"{path}/CurrencyCode"), need(node, f"{path}/Value"))


def address(node: Node) -> Address:
    return Address({local(c): (c.text or "").strip() for c in node})


def members(node: Node | None) -> list[Node]:
    return [] if node is None else list(node)


def order_from_seed(result: Node) -> Order:
    o = child(result, "FulfillmentOrder")
    assert o is not None
    window = child(o, "DeliveryWindow")
    cod = child(o, "CODSettings")
    dest = child(o, "DestinationAddress")
    assert window is not None and cod is not None and dest is not None
    items = [
        OrderItem(
            seller_sku=need(m, "SellerSKU"),
            item_id=need(m, "SellerFulfillmentOrderItemId"),
            quantity=int(need(m, "Quantity")),
            gift_message=value(m, "GiftMessage"),
            displayable_comment=value(m, "DisplayableComment"),
            fnsku=value(m, "FulfillmentNetworkSKU"),
            cancelled_quantity=int(need(m, "CancelledQuantity")),
            unfulfillable_quantity=int(need(m, "UnfulfillableQuantity")),
            estimated_ship_at=when(value(m, "EstimatedShipDateTime")),
            estimated_arrival_at=when(value(m, "EstimatedArrivalDateTime")),
            per_unit_price=money(m, "PerUnitPrice"),
            per_unit_tax=money(m, "PerUnitTax"),
            per_unit_declared_value=money(m, "PerUnitDeclaredValue"),
        )
        for m in members(child(result, "FulfillmentOrderItem"))
    ]
    emails = [(e.text or "").strip() for e in members(child(o, "NotificationEmailList"))]
    return Order(
        seller_id=SELLER,
        seller_order_id=need(o, "SellerFulfillmentOrderId"),
        marketplace_id=need(o, "MarketplaceId"),
        displayable_order_id=need(o, "DisplayableOrderId"),
        displayable_order_at=at(o, "DisplayableOrderDateTime"),
        displayable_order_comment=need(o, "DisplayableOrderComment"),
        shipping_speed=need(o, "ShippingSpeedCategory"),
        destination=address(dest),
        fulfillment_action=need(o, "FulfillmentAction"),
        fulfillment_policy=need(o, "FulfillmentPolicy"),
        fulfillment_method=value(o, "FulfillmentMethod") or "",  # the seed has none: stored as absent
        received_at=at(o, "ReceivedDateTime"),
        status=need(o, "FulfillmentOrderStatus"),
        status_updated_at=at(o, "StatusUpdatedDateTime"),
        items=items,
        delivery_window=DeliveryWindow(at(window, "StartDateTime"), at(window, "EndDateTime")),
        cod=CODSettings(
            need(cod, "IsCODRequired") == "true",
            money(cod, "CODCharge"),
            money(cod, "CODChargeTax"),
            money(cod, "ShippingCharge"),
            money(cod, "ShippingChargeTax"),
        ),
        notification_emails=emails,
    )


def shipments_from_seed(result: Node) -> list[Shipment]:
    shipments = []
    for m in members(child(result, "FulfillmentShipment")):
        items = []
        for i in members(child(m, "FulfillmentShipmentItem")):
            package = value(i, "PackageNumber")
            items.append(
                ShipmentItem(
                    need(i, "SellerSKU"),
                    need(i, "SellerFulfillmentOrderItemId"),
                    int(need(i, "Quantity")),
                    int(package) if package not in (None, "0") else None,  # 0 = not packed yet
                )
            )
        packages = [
            Package(
                int(need(p, "PackageNumber")),
                need(p, "CarrierCode"),
                value(p, "TrackingNumber"),
                when(value(p, "EstimatedArrivalDateTime")),
            )
            for p in members(child(m, "FulfillmentShipmentPackage"))
        ]
        shipments.append(
            Shipment(
                need(m, "AmazonShipmentId"),
                need(m, "FulfillmentCenterId"),
                need(m, "FulfillmentShipmentStatus"),
                when(value(m, "ShippingDateTime")),
                when(value(m, "EstimatedArrivalDateTime")),
                items,
                packages,
            )
        )
    return shipments


def returns_from_seed(result: Node) -> tuple[list[ReturnItem], list[ReturnAuthorization]]:
    items = [
        ReturnItem(
            seller_return_item_id=need(r, "SellerReturnItemId"),
            item_id=need(r, "SellerFulfillmentOrderItemId"),
            amazon_shipment_id=need(r, "AmazonShipmentId"),
            seller_reason_code=need(r, "ReturnReasonCode"),
            status=need(r, "Status"),
            status_changed_at=at(r, "StatusChangedDate"),
            authorization_id=need(r, "ReturnAuthorizationId"),
            comment=value(r, "ReturnComment"),
            amazon_reason_code=value(r, "AmazonReturnReasonCode"),
            received_condition=value(r, "ReturnReceivedCondition"),
            fc_code=value(r, "FulfillmentCenterId"),
        )
        for r in members(child(result, "ReturnItemList"))
    ]
    authorizations = []
    for a in members(child(result, "ReturnAuthorizationList")):
        to = child(a, "ReturnToAddress")
        assert to is not None
        fields = address(to).fields
        fields["StateOrProvinceCode"] = fields.pop("StateOrRegionCode")  # the Address field (discrepancy 2)
        authorizations.append(
            ReturnAuthorization(
                need(a, "ReturnAuthorizationId"),
                need(a, "FulfillmentCenterId"),
                Address(fields),
                need(a, "AmazonRmaId"),
                need(a, "RmaPageURL"),
            )
        )
    return items, authorizations


def store_seed_order(db: Database, seed: Node) -> str:
    result = child(seed, "GetFulfillmentOrderResult")
    assert result is not None
    order = order_from_seed(result)
    return_items, authorizations = returns_from_seed(result)
    with db.transaction() as conn:
        order_id = order_store.insert_order(conn, order, "seed-003", None)
        for shipment in shipments_from_seed(result):
            order_store.insert_shipment(conn, order_id, SELLER, shipment)
        for authorization in authorizations:
            store_helpers.insert_return_authorization(conn, order_id, authorization, order.status_updated_at)
        for item in return_items:
            store_helpers.insert_return_item(conn, order_id, item)
    return order.seller_order_id


# ------------------------------------------------------------------------------------------------ comparing


def allow_known_discrepancies(seed: Node) -> Counter[str]:
    """Rewrite the seed's tree into what we decide to send; returns how often each rule applied."""
    applied: Counter[str] = Counter()
    result = child(seed, "GetFulfillmentOrderResult")
    assert result is not None
    for list_name, entry_name in (("ReturnItemList", "ReturnItem"), ("ReturnAuthorizationList", "ReturnAuthorization")):
        for entry in members(child(result, list_name)):
            assert local(entry) == entry_name
            entry.tag = f"{{{NS}}}member"
            applied[f"{entry_name} -> member"] += 1
    for entry in members(child(result, "ReturnItemList")):
        reason = child(entry, "ReturnReasonCode")
        assert reason is not None
        reason.tag = f"{{{NS}}}SellerReturnReasonCode"
        applied["ReturnReasonCode -> SellerReturnReasonCode"] += 1
    for entry in members(child(result, "ReturnAuthorizationList")):
        to = child(entry, "ReturnToAddress")
        region = None if to is None else child(to, "StateOrRegionCode")
        assert region is not None
        region.tag = f"{{{NS}}}StateOrProvinceCode"
        applied["StateOrRegionCode -> StateOrProvinceCode"] += 1
    for shipment in members(child(result, "FulfillmentShipment")):
        for item in members(child(shipment, "FulfillmentShipmentItem")):
            number = child(item, "PackageNumber")
            if number is not None and (number.text or "").strip() == "0":
                item.remove(number)
                applied["PackageNumber 0 omitted"] += 1
    return applied


def flatten(node: Node, path: str = "") -> Counter[str]:
    """Every element as ``path`` (containers) or ``path=value`` (leaves), values trimmed; list entries indexed.

    A Counter of these lines is insensitive to the order of fields within a structure but not to the order of list
    entries, nor to a field given twice.
    """
    here = f"{path}/{local(node)}"
    lines: Counter[str] = Counter()
    kids = list(node)
    if not kids:
        lines[f"{here}={(node.text or '').strip()}"] += 1
        return lines
    lines[here] += 1
    index = 0
    for kid in kids:
        if local(kid) == "member":
            lines += flatten(kid, f"{here}[{index}]")
            index += 1
        else:
            lines += flatten(kid, here)
    return lines


def test_get_fulfillment_order_matches_the_seed_example(server: Server) -> None:
    seed = seed_document()
    order_id = store_seed_order(server.ctx.db, seed)
    assert order_id == "extern_id_1154539615776"  # trimmed: the seed wraps it over a line

    with httpx.Client(base_url=server.url, timeout=10) as http:
        response = call(http, "GetFulfillmentOrder", {"SellerFulfillmentOrderId": order_id})
    assert response.status_code == 200, response.text
    request_id = check_headers(response)
    assert response.content.startswith(b'<?xml version="1.0"?>\n')  # no encoding in the declaration
    ours = etree.fromstring(response.content)

    applied = allow_known_discrepancies(seed)
    assert applied == Counter(
        {
            "ReturnItem -> member": 1,
            "ReturnAuthorization -> member": 1,
            "ReturnReasonCode -> SellerReturnReasonCode": 1,
            "StateOrRegionCode -> StateOrProvinceCode": 1,
            "PackageNumber 0 omitted": 1,
        }
    )
    # the request id is per request
    seed_id = seed.find(f"{{{NS}}}ResponseMetadata/{{{NS}}}RequestId")
    assert seed_id is not None and ours.findtext(f"{{{NS}}}ResponseMetadata/{{{NS}}}RequestId") == request_id
    assert UUID.fullmatch(request_id)
    seed_id.text = request_id

    assert ours.tag == seed.tag == f"{{{NS}}}GetFulfillmentOrderResponse"
    expected, found = flatten(seed), flatten(ours)
    assert sorted((found - expected).elements()) == [], "elements we send that the seed does not have"
    assert sorted((expected - found).elements()) == [], "elements of the seed we do not send"
    assert found == expected


def test_seed_order_comes_back_in_model_order(server: Server) -> None:
    """Same data; our layout is the model's, where the seed's is scrambled."""
    seed = seed_document()
    order_id = store_seed_order(server.ctx.db, seed)
    with httpx.Client(base_url=server.url, timeout=10) as http:
        response = call(http, "GetFulfillmentOrder", {"SellerFulfillmentOrderId": order_id})
    result = etree.fromstring(response.content)[0]
    assert [local(c) for c in result] == [
        "FulfillmentOrder",
        "FulfillmentOrderItem",
        "FulfillmentShipment",
        "ReturnItemList",
        "ReturnAuthorizationList",
    ]
    order = result[0]
    assert [local(c) for c in order] == [
        "SellerFulfillmentOrderId",
        "MarketplaceId",
        "DisplayableOrderId",
        "DisplayableOrderDateTime",
        "DisplayableOrderComment",
        "ShippingSpeedCategory",
        "DeliveryWindow",
        "DestinationAddress",
        "FulfillmentAction",
        "FulfillmentPolicy",
        "CODSettings",
        "ReceivedDateTime",
        "FulfillmentOrderStatus",
        "StatusUpdatedDateTime",
        "NotificationEmailList",
    ]
    cod = child(order, "CODSettings")
    assert cod is not None
    assert [local(c) for c in cod] == [
        "IsCODRequired",
        "CODCharge",
        "CODChargeTax",
        "ShippingCharge",
        "ShippingChargeTax",
    ]
    assert [local(c) for c in cod[1]] == ["CurrencyCode", "Value"]
    pending, shipped = list(result[2])
    assert [local(c) for c in pending] == [
        "AmazonShipmentId",
        "FulfillmentCenterId",
        "FulfillmentShipmentStatus",
        "ShippingDateTime",
        "EstimatedArrivalDateTime",
        "FulfillmentShipmentItem",
    ]
    assert [local(c) for c in shipped][-1] == "FulfillmentShipmentPackage"
    (returned,) = list(result[3])
    assert [local(c) for c in returned] == RETURN_ITEM_ORDER
    (authorization,) = list(result[4])
    assert [local(c) for c in authorization] == AUTHORIZATION_ORDER
    to = child(authorization, "ReturnToAddress")
    assert to is not None
    assert [local(c) for c in to] == ["Name", "Line1", "City", "StateOrProvinceCode", "CountryCode", "PostalCode"]
    # values are single text nodes without padding
    for node in result.iter():
        if len(node) == 0:
            assert node.text is not None and node.text == node.text.strip() and node.text
