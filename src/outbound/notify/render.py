"""A notice as its subscriber reads it: SP-API's notification JSON, or MWS's ``Notification`` XML envelope.

Statuses are the MWS section's (RECEIVED, PROCESSING, SHIPPED, ...). ``FulfillmentShipment`` is present only for a
Shipment event and ``FulfillmentReturnItem`` only for a Return event, as Amazon describes the notification;
FBA_OUTBOUND_SHIPMENT_STATUS names the fulfillment order by its SellerFulfillmentOrderId (an MCF order has no
Amazon order id of its own).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from lxml import etree

from outbound.domain.notices import FBA_OUTBOUND_SHIPMENT_STATUS, RETURN, SHIPMENT
from outbound.store.notifications import Claimed

JSON_TYPE = "application/json"
XML_TYPE = "text/xml"
DEFAULT_APPLICATION = "outbound"  # ApplicationId of subscriptions an operator made (no LWA application)
MWS_TYPES = {
    "FULFILLMENT_ORDER_STATUS": "FulfillmentOrderStatus",
    FBA_OUTBOUND_SHIPMENT_STATUS: "FBAOutboundShipmentStatus",
}

Packages = list[tuple[int, str, str]]


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds, as Amazon writes notification times."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def render(row: Claimed, packages: Packages, published: datetime) -> tuple[bytes, str]:
    """The body and its content type, in the row's destination's format."""
    if row.format == "mws-xml":
        return to_xml(row, packages, published), XML_TYPE
    return json.dumps(to_json(row, packages, published), separators=(",", ":")).encode(), JSON_TYPE


def payload(row: Claimed, packages: Packages) -> tuple[str, dict[str, Any]]:
    """The payload's element name and content (in Amazon's element order)."""
    if row.notification_type == FBA_OUTBOUND_SHIPMENT_STATUS:
        return "FBAOutboundShipmentStatusNotification", {
            "SellerId": row.seller_id,
            "AmazonOrderId": row.seller_order_id,
            "AmazonShipmentId": row.amazon_shipment_id or "",
            "ShipmentStatus": row.event_type,
        }
    body: dict[str, Any] = {
        "SellerId": row.seller_id,
        "EventType": row.event_type,
        "StatusUpdatedDateTime": iso(row.event_at),
        "SellerFulfillmentOrderId": row.seller_order_id,
        "FulfillmentOrderStatus": row.order_status or "",
    }
    if row.event_type == SHIPMENT:
        shipment: dict[str, Any] = {
            "FulfillmentShipmentStatus": row.shipment_status or "",
            "AmazonShipmentId": row.amazon_shipment_id or "",
        }
        if row.estimated_arrival_at is not None:
            shipment["EstimatedArrivalDateTime"] = iso(row.estimated_arrival_at)
        if packages:
            shipment["FulfillmentShipmentPackages"] = [
                {"PackageNumber": number, "CarrierCode": carrier, "TrackingNumber": tracking}
                for number, carrier, tracking in packages
            ]
        body["FulfillmentShipment"] = shipment
    elif row.event_type == RETURN:
        body["FulfillmentReturnItem"] = {
            "ReceivedDateTime": iso(row.event_at),
            "ReturnedQuantity": row.quantity or 1,
            "SellerSKU": row.seller_sku or "",
        }
    return "FulfillmentOrderStatusNotification", body


def to_json(row: Claimed, packages: Packages, published: datetime) -> dict[str, Any]:
    name, content = payload(row, packages)
    return {
        "NotificationVersion": "1.0",
        "NotificationType": row.notification_type,
        "PayloadVersion": row.payload_version,
        "EventTime": iso(row.event_at),
        "Payload": {name: content},
        "NotificationMetadata": {
            "ApplicationId": row.client_id or DEFAULT_APPLICATION,
            "SubscriptionId": row.subscription_id,
            "PublishTime": iso(published),
            "NotificationId": row.notification_id,
        },
    }


def to_xml(row: Claimed, packages: Packages, published: datetime) -> bytes:
    """MWS's push notification: ``Notification`` with ``NotificationMetaData`` and ``NotificationPayload``."""
    root = etree.Element("Notification")
    meta = etree.SubElement(root, "NotificationMetaData")
    for tag, value in (
        ("NotificationType", MWS_TYPES.get(row.notification_type, row.notification_type)),
        ("PayloadVersion", row.payload_version),
        ("UniqueId", row.notification_id),
        ("PublishTime", iso(published)),
        ("SellerId", row.seller_id),
        ("MarketplaceId", row.marketplace_id or ""),
    ):
        etree.SubElement(meta, tag).text = value
    name, content = payload(row, packages)
    _elements(etree.SubElement(etree.SubElement(root, "NotificationPayload"), name), content)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _elements(parent: etree._Element, content: dict[str, Any]) -> None:
    for tag, value in content.items():
        if isinstance(value, dict):
            _elements(etree.SubElement(parent, tag), value)
        elif isinstance(value, list):  # a list element holds one element per entry, named for the entry
            holder = etree.SubElement(parent, tag)
            for entry in value:
                _elements(etree.SubElement(holder, tag.removesuffix("s")), entry)
        else:
            etree.SubElement(parent, tag).text = str(value)
