"""Rendering orders, previews, tracking, returns, features and delivery offers as the model's JSON shapes.

Absent optional values are left out (never ``null``); the lists clients rely on are always present, ``[]`` when
empty; order statuses are CamelCase; date-times are UTC seconds with ``Z``.
"""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from outbound.domain.orders import (
    CANCELLED_BY_FULFILLER,
    CANCELLED_BY_SELLER,
    Address,
    DeliveryPreferences,
    Money,
    Order,
    OrderItem,
    Package,
    ReturnAuthorization,
    ReturnItem,
    Shipment,
)
from outbound.service import delivery_offers as offers_service
from outbound.service import features as features_service
from outbound.service import preview as preview_service
from outbound.service import tracking as tracking_service
from outbound.spapi import model
from outbound.spapi.inputs import stamp
from outbound.spapi.shapes import ADDRESS_FIELDS

ORDER_STATUS = {
    "RECEIVED": "Received",
    "INVALID": "Invalid",
    "PLANNING": "Planning",
    "PROCESSING": "Processing",
    "CANCELLED": "Cancelled",
    "COMPLETE": "Complete",
    "COMPLETE_PARTIALLED": "CompletePartialled",
    "UNFULFILLABLE": "Unfulfillable",
}
WEIGHT_UNITS = {"pounds": "POUNDS", "kilograms": "KILOGRAMS"}
AMAZON_LOGISTICS = "AMZL_"

Json = dict[str, Any]


def _put(target: Json, key: str, value: Any) -> None:
    if value is not None:
        target[key] = value


def money(value: Money) -> Json:
    return {"currencyCode": value.currency, "value": value.value}


def address(value: Address) -> Json:
    found: Json = {}
    for name, (mws_name, _) in ADDRESS_FIELDS.items():
        _put(found, name, value.get(mws_name))
    found.setdefault("postalCode", "")
    found.setdefault("name", "")
    found.setdefault("addressLine1", "")
    found.setdefault("countryCode", value.country_code)
    return found


def fulfillment_order(order: Order) -> Json:
    found: Json = {
        "sellerFulfillmentOrderId": order.seller_order_id,
        "marketplaceId": order.marketplace_id,
        "displayableOrderId": order.displayable_order_id,
        "displayableOrderDate": stamp(order.displayable_order_at),
        "displayableOrderComment": order.displayable_order_comment,
        "shippingSpeedCategory": order.shipping_speed,
    }
    if order.delivery_window is not None:
        found["deliveryWindow"] = {
            "startDate": stamp(order.delivery_window.start),
            "endDate": stamp(order.delivery_window.end),
        }
    found["destinationAddress"] = address(order.destination)
    found["fulfillmentAction"] = order.fulfillment_action
    found["fulfillmentPolicy"] = order.fulfillment_policy
    if order.cod is not None:
        cod: Json = {"isCodRequired": order.cod.is_cod_required}
        for key, amount in (
            ("codCharge", order.cod.cod_charge),
            ("codChargeTax", order.cod.cod_charge_tax),
            ("shippingCharge", order.cod.shipping_charge),
            ("shippingChargeTax", order.cod.shipping_charge_tax),
        ):
            if amount is not None:
                cod[key] = money(amount)
        found["codSettings"] = cod
    found["receivedDate"] = stamp(order.received_at)
    found["fulfillmentOrderStatus"] = ORDER_STATUS.get(order.status, order.status)
    found["statusUpdatedDate"] = stamp(order.status_updated_at)
    if order.notification_emails:
        found["notificationEmails"] = list(order.notification_emails)
    if order.feature_constraints:
        found["featureConstraints"] = [feature(c.name, c.policy) for c in order.feature_constraints]
    return found


def feature(name: str, policy: str | None) -> Json:
    found: Json = {"featureName": name}
    _put(found, "featureFulfillmentPolicy", policy)
    return found


def order_item(item: OrderItem) -> Json:
    found: Json = {
        "sellerSku": item.seller_sku,
        "sellerFulfillmentOrderItemId": item.item_id,
        "quantity": item.quantity,
    }
    _put(found, "giftMessage", item.gift_message)
    _put(found, "displayableComment", item.displayable_comment)
    _put(found, "fulfillmentNetworkSku", item.fnsku)
    _put(found, "orderItemDisposition", item.disposition)
    found["cancelledQuantity"] = item.cancelled_quantity
    found["unfulfillableQuantity"] = item.unfulfillable_quantity
    if item.estimated_ship_at is not None:
        found["estimatedShipDate"] = stamp(item.estimated_ship_at)
    if item.estimated_arrival_at is not None:
        found["estimatedArrivalDate"] = stamp(item.estimated_arrival_at)
    for key, amount in (
        ("perUnitPrice", item.per_unit_price),
        ("perUnitTax", item.per_unit_tax),
        ("perUnitDeclaredValue", item.per_unit_declared_value),
    ):
        if amount is not None:
            found[key] = money(amount)
    return found


def _package(package: Package, delivery: Json | None) -> Json:
    found: Json = {"packageNumber": package.package_number, "carrierCode": package.carrier_code}
    _put(found, "trackingNumber", package.tracking_number)
    if package.tracking_number and package.carrier_code.startswith(AMAZON_LOGISTICS):
        found["amazonFulfillmentTrackingNumber"] = package.tracking_number
    if package.estimated_arrival_at is not None:
        found["estimatedArrivalDate"] = stamp(package.estimated_arrival_at)
    if delivery is not None:
        found["deliveryInformation"] = delivery
    return found


def drop_off_location(preferences: DeliveryPreferences | None) -> Json | None:
    """The order's requested drop-off place, as a delivered package's ``deliveryInformation`` shows it."""
    if preferences is None or preferences.drop_off_type is None:
        return None
    location: Json = {"type": preferences.drop_off_type}
    if preferences.drop_off_attributes:
        location["attributes"] = dict(preferences.drop_off_attributes)
    return {"dropOffLocation": location}


def shipment(value: Shipment, delivered: Collection[int] = (), delivery: Json | None = None) -> Json:
    found: Json = {
        "amazonShipmentId": value.amazon_shipment_id,
        "fulfillmentCenterId": value.fc_code,
        "fulfillmentShipmentStatus": value.status,
    }
    if value.status not in (CANCELLED_BY_FULFILLER, CANCELLED_BY_SELLER):
        if value.shipping_at is not None:
            found["shippingDate"] = stamp(value.shipping_at)
        if value.estimated_arrival_at is not None:
            found["estimatedArrivalDate"] = stamp(value.estimated_arrival_at)
    items = []
    for item in value.items:
        entry: Json = {
            "sellerSku": item.seller_sku,
            "sellerFulfillmentOrderItemId": item.item_id,
            "quantity": item.quantity,
        }
        _put(entry, "packageNumber", item.package_number)
        items.append(entry)
    found["fulfillmentShipmentItem"] = items
    if value.packages:
        found["fulfillmentShipmentPackage"] = [
            _package(p, delivery if p.package_number in delivered else None) for p in value.packages
        ]
    return found


def return_item(item: ReturnItem) -> Json:
    found: Json = {
        "sellerReturnItemId": item.seller_return_item_id,
        "sellerFulfillmentOrderItemId": item.item_id,
        "amazonShipmentId": item.amazon_shipment_id,
        "sellerReturnReasonCode": item.seller_reason_code,
    }
    _put(found, "returnComment", item.comment)
    _put(found, "amazonReturnReasonCode", item.amazon_reason_code)
    found["status"] = item.status
    found["statusChangedDate"] = stamp(item.status_changed_at)
    _put(found, "returnAuthorizationId", item.authorization_id)
    _put(found, "returnReceivedCondition", item.received_condition)
    _put(found, "fulfillmentCenterId", item.fc_code)
    return found


def rma_page_url(stored: str, public_url: str | None) -> str:
    """The RMA page link: with a public URL set, the same page on this service (clients cannot reach Seller
    Central for a simulated RMA); else the stored link, as MWS shows it."""
    if not public_url:
        return stored
    parts = urlsplit(stored)
    page = urlunsplit(("", "", parts.path, parts.query, ""))
    return public_url.rstrip("/") + page


def return_authorization(value: ReturnAuthorization, public_url: str | None = None) -> Json:
    return {
        "returnAuthorizationId": value.authorization_id,
        "fulfillmentCenterId": value.fc_code,
        "returnToAddress": address(value.address),
        "amazonRmaId": value.rma_id,
        "rmaPageURL": rma_page_url(value.rma_url, public_url),
    }


def get_order_result(order: Order, delivered: Collection[int] = (), public_url: str | None = None) -> Json:
    """``delivered``: the numbers of the order's packages delivered by now (they show the requested drop-off)."""
    delivery = drop_off_location(order.delivery_preferences)
    found: Json = {
        "fulfillmentOrder": fulfillment_order(order),
        "fulfillmentOrderItems": [order_item(i) for i in order.items],
        "fulfillmentShipments": [shipment(s, delivered, delivery) for s in order.shipments],
        "returnItems": [return_item(r) for r in order.returns],
        "returnAuthorizations": [return_authorization(a, public_url) for a in order.authorizations],
    }
    if order.payment_information:
        found["paymentInformation"] = [
            {"paymentTransactionId": p.transaction_id, "paymentMode": p.mode, "paymentDate": stamp(p.date)}
            for p in order.payment_information
        ]
    return found


# ------------------------------------------------------------------------------------------------ preview


def _weight(unit: str, value: Decimal) -> Json:
    return {"unit": WEIGHT_UNITS.get(unit, unit.upper()), "value": format(value, "f")}


def preview(value: preview_service.Preview, features: list[Json]) -> Json:
    found: Json = {"shippingSpeedCategory": value.speed}
    if value.delivery_windows and value.delivery_time_zone:
        found["scheduledDeliveryInfo"] = {
            "deliveryTimeZone": value.delivery_time_zone,
            "deliveryWindows": [{"startDate": stamp(s), "endDate": stamp(e)} for s, e in value.delivery_windows],
        }
    found["isFulfillable"] = value.is_fulfillable
    found["isCODCapable"] = value.is_cod_capable
    if value.weight is not None:
        found["estimatedShippingWeight"] = _weight(value.weight_unit, value.weight)
    if value.fees:
        found["estimatedFees"] = [
            {"name": name, "amount": {"currencyCode": value.currency, "value": format(amount, "f")}}
            for name, amount in value.fees
        ]
    shipments = []
    for planned in value.shipments:
        shipments.append(
            {
                "earliestShipDate": stamp(planned.dates.earliest_ship),
                "latestShipDate": stamp(planned.dates.latest_ship),
                "earliestArrivalDate": stamp(planned.dates.earliest_arrival),
                "latestArrivalDate": stamp(planned.dates.latest_arrival),
                "fulfillmentPreviewItems": [
                    {
                        "sellerSku": item.seller_sku,
                        "quantity": item.quantity,
                        "sellerFulfillmentOrderItemId": item.item_id,
                        "estimatedShippingWeight": _weight(value.weight_unit, item.weight),
                        "shippingWeightCalculationMethod": item.method,
                    }
                    for item in planned.items
                ],
            }
        )
    if shipments:
        found["fulfillmentPreviewShipments"] = shipments
    found["unfulfillablePreviewItems"] = [
        {
            "sellerSku": item.seller_sku,
            "quantity": item.quantity,
            "sellerFulfillmentOrderItemId": item.item_id,
            "itemUnfulfillableReasons": list(item.reasons),
        }
        for item in value.unfulfillable
    ]
    if value.order_reasons:
        found["orderUnfulfillableReasons"] = list(value.order_reasons)
    found["marketplaceId"] = value.marketplace_id
    if features:
        found["featureConstraints"] = features
    return found


# ------------------------------------------------------------------------------------------------ tracking


def _tracking_address(city: str, state: str, country: str) -> Json:
    return {"city": city, "state": state, "country": country}


def tracking(details: tracking_service.PackageDetails) -> Json:
    events = model.event_descriptions()
    found: Json = {
        "packageNumber": details.package_number,
        "trackingNumber": details.tracking_number,
    }
    if details.customer_tracking_link:
        found["customerTrackingLink"] = details.customer_tracking_link
    found["carrierCode"] = details.carrier_code
    found["carrierPhoneNumber"] = details.carrier_phone
    found["carrierURL"] = details.carrier_url
    if details.ship_date is not None:
        found["shipDate"] = stamp(details.ship_date)
    if details.estimated_arrival is not None:
        found["estimatedArrivalDate"] = stamp(details.estimated_arrival)
    to = details.ship_to
    found["shipToAddress"] = _tracking_address(to.get("City", ""), to.get("State", ""), to.get("Country", ""))
    found["currentStatus"] = details.current_status
    found["currentStatusDescription"] = model.status_descriptions().get(details.current_status, "")
    if details.signed_for_by:
        found["signedForBy"] = details.signed_for_by
    _put(found, "additionalLocationInfo", details.additional_location_info)
    found["trackingEvents"] = [
        {
            "eventDate": stamp(event.at),
            "eventAddress": _tracking_address(event.city, event.state, event.country),
            "eventCode": event.code,
            "eventDescription": events.get(event.code, ""),
        }
        for event in details.events
    ]
    return found


# ------------------------------------------------------------------------------------------------ features


def feature_entry(value: features_service.Feature) -> Json:
    return {
        "featureName": value.name,
        "featureDescription": value.description,
        "sellerEligible": value.seller_eligible,
    }


def _feature_sku(value: features_service.FeatureSku) -> Json:
    found: Json = {"sellerSku": value.seller_sku, "fnSku": value.fnsku}
    _put(found, "asin", value.asin)
    found["skuCount"] = value.sku_count
    if value.overlapping_skus:
        found["overlappingSkus"] = list(value.overlapping_skus)
    return found


def feature_inventory(value: features_service.FeatureInventory) -> Json:
    found: Json = {"marketplaceId": value.marketplace_id, "featureName": value.feature_name}
    _put(found, "nextToken", value.next_token or None)
    found["featureSkus"] = [_feature_sku(s) for s in value.skus]
    return found


def feature_sku_standing(value: features_service.FeatureSkuStanding) -> Json:
    found: Json = {
        "marketplaceId": value.marketplace_id,
        "featureName": value.feature_name,
        "isEligible": value.is_eligible,
    }
    if value.ineligible_reasons:
        found["ineligibleReasons"] = list(value.ineligible_reasons)
    found["sellerSku"] = value.seller_sku
    if value.sku is not None:
        found["fnSku"] = value.sku.fnsku
        _put(found, "asin", value.sku.asin)
        found["skuCount"] = value.sku.sku_count
    return found


# ------------------------------------------------------------------------------------------------ delivery offers


def delivery_offer(value: offers_service.DeliveryOffer) -> Json:
    return {
        "expiresAt": stamp(value.expires_at),
        "dateRange": {"earliest": stamp(value.earliest), "latest": stamp(value.latest)},
        "policy": {"message": {"text": value.message, "locale": value.locale}},
    }
