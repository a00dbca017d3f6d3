"""Rendering orders, shipments and returns as the MWS datatypes, in the model's element order.

Absent optional values are omitted; the lists a client cannot do without are emitted even when empty
(``docs/mws-protocol.md`` "Answers").
"""

from __future__ import annotations

from outbound.domain.orders import (
    ADDRESS_FIELDS,
    CANCELLED_BY_FULFILLER,
    CANCELLED_BY_SELLER,
    Address,
    Money,
    Order,
    OrderItem,
    ReturnAuthorization,
    ReturnItem,
    Shipment,
)
from outbound.mws.xml import Element, add, add_opt


def money(parent: Element, tag: str, value: Money | None) -> None:
    if value is not None:
        node = add(parent, tag)
        add(node, "CurrencyCode", value.currency)
        add(node, "Value", value.value)


def address(parent: Element, tag: str, value: Address) -> None:
    node = add(parent, tag)
    for name in ADDRESS_FIELDS:
        if name == "StateOrProvinceCode":  # required over MWS: empty for an SP-API order sent without one
            add(node, name, value.get(name) or "")
        else:
            add_opt(node, name, value.get(name))


def fulfillment_order(parent: Element, tag: str, order: Order, *, with_action: bool) -> Element:
    """A FulfillmentOrder; ``FulfillmentAction`` only for GetFulfillmentOrder (ListAll omits it)."""
    node = add(parent, tag)
    add(node, "SellerFulfillmentOrderId", order.seller_order_id)
    add(node, "MarketplaceId", order.marketplace_id)
    add(node, "DisplayableOrderId", order.displayable_order_id)
    add_opt(node, "DisplayableOrderDateTime", order.displayable_order_at)
    add(node, "DisplayableOrderComment", order.displayable_order_comment)
    add(node, "ShippingSpeedCategory", order.shipping_speed)
    if order.delivery_window is not None:
        window = add(node, "DeliveryWindow")
        add_opt(window, "StartDateTime", order.delivery_window.start)
        add_opt(window, "EndDateTime", order.delivery_window.end)
    address(node, "DestinationAddress", order.destination)
    if with_action:
        add(node, "FulfillmentAction", order.fulfillment_action)
    add(node, "FulfillmentPolicy", order.fulfillment_policy)
    add_opt(node, "FulfillmentMethod", order.fulfillment_method)  # legacy, optional: never an empty element
    if order.cod is not None:
        cod = add(node, "CODSettings")
        add_opt(cod, "IsCODRequired", order.cod.is_cod_required)
        money(cod, "CODCharge", order.cod.cod_charge)
        money(cod, "CODChargeTax", order.cod.cod_charge_tax)
        money(cod, "ShippingCharge", order.cod.shipping_charge)
        money(cod, "ShippingChargeTax", order.cod.shipping_charge_tax)
    add_opt(node, "ReceivedDateTime", order.received_at)
    add(node, "FulfillmentOrderStatus", order.status)
    add_opt(node, "StatusUpdatedDateTime", order.status_updated_at)
    if order.notification_emails:
        emails = add(node, "NotificationEmailList")
        for email in order.notification_emails:
            add(emails, "member", email)
    return node


def order_item(parent: Element, item: OrderItem) -> None:
    node = add(parent, "member")
    add(node, "SellerSKU", item.seller_sku)
    add(node, "SellerFulfillmentOrderItemId", item.item_id)
    add_opt(node, "Quantity", item.quantity)
    add_opt(node, "GiftMessage", item.gift_message)
    add_opt(node, "DisplayableComment", item.displayable_comment)
    add_opt(node, "FulfillmentNetworkSKU", item.fnsku)
    add_opt(node, "OrderItemDisposition", item.disposition)
    add_opt(node, "CancelledQuantity", item.cancelled_quantity)
    add_opt(node, "UnfulfillableQuantity", item.unfulfillable_quantity)
    add_opt(node, "EstimatedShipDateTime", item.estimated_ship_at)
    add_opt(node, "EstimatedArrivalDateTime", item.estimated_arrival_at)
    money(node, "PerUnitPrice", item.per_unit_price)
    money(node, "PerUnitTax", item.per_unit_tax)
    money(node, "PerUnitDeclaredValue", item.per_unit_declared_value)


def shipment(parent: Element, value: Shipment) -> None:
    node = add(parent, "member")
    add(node, "AmazonShipmentId", value.amazon_shipment_id)
    add(node, "FulfillmentCenterId", value.fc_code)
    add(node, "FulfillmentShipmentStatus", value.status)
    if value.status not in (CANCELLED_BY_FULFILLER, CANCELLED_BY_SELLER):
        add_opt(node, "ShippingDateTime", value.shipping_at)
        add_opt(node, "EstimatedArrivalDateTime", value.estimated_arrival_at)
    items = add(node, "FulfillmentShipmentItem")
    for item in value.items:
        entry = add(items, "member")
        add(entry, "SellerSKU", item.seller_sku)
        add(entry, "SellerFulfillmentOrderItemId", item.item_id)
        add_opt(entry, "Quantity", item.quantity)
        add_opt(entry, "PackageNumber", item.package_number)
    if value.packages:
        boxes = add(node, "FulfillmentShipmentPackage")
        for package in value.packages:
            entry = add(boxes, "member")
            add_opt(entry, "PackageNumber", package.package_number)
            add(entry, "CarrierCode", package.carrier_code)
            add_opt(entry, "TrackingNumber", package.tracking_number)
            add_opt(entry, "EstimatedArrivalDateTime", package.estimated_arrival_at)


def return_item(parent: Element, item: ReturnItem) -> None:
    node = add(parent, "member")
    add(node, "SellerReturnItemId", item.seller_return_item_id)
    add(node, "SellerFulfillmentOrderItemId", item.item_id)
    add(node, "AmazonShipmentId", item.amazon_shipment_id)
    add(node, "SellerReturnReasonCode", item.seller_reason_code)
    add_opt(node, "ReturnComment", item.comment)
    add_opt(node, "AmazonReturnReasonCode", item.amazon_reason_code)
    add(node, "Status", item.status)
    add_opt(node, "StatusChangedDate", item.status_changed_at)
    add_opt(node, "ReturnAuthorizationId", item.authorization_id)
    add_opt(node, "ReturnReceivedCondition", item.received_condition)
    add_opt(node, "FulfillmentCenterId", item.fc_code)


def return_authorization(parent: Element, value: ReturnAuthorization) -> None:
    node = add(parent, "member")
    add(node, "ReturnAuthorizationId", value.authorization_id)
    add(node, "FulfillmentCenterId", value.fc_code)
    address(node, "ReturnToAddress", value.address)
    add(node, "AmazonRmaId", value.rma_id)
    add(node, "RmaPageURL", value.rma_url)


def order_lists(result: Element, order: Order) -> None:
    """The four lists of GetFulfillmentOrderResult after FulfillmentOrder, each always present."""
    items = add(result, "FulfillmentOrderItem")
    for item in order.items:
        order_item(items, item)
    shipments = add(result, "FulfillmentShipment")
    for value in order.shipments:
        shipment(shipments, value)
    returns = add(result, "ReturnItemList")
    for returned in order.returns:
        return_item(returns, returned)
    authorizations = add(result, "ReturnAuthorizationList")
    for authorization in order.authorizations:
        return_authorization(authorizations, authorization)
