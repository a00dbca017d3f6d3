"""CreateFulfillmentOrder, UpdateFulfillmentOrder, GetFulfillmentOrder, CancelFulfillmentOrder, ListAll (+ByNextToken).

Each handler decodes and checks the parameters (``docs/mws-protocol.md`` "Operations"), calls one service function,
and renders the result. Business refusals come back from the service as domain errors; the endpoint maps them.
"""

from __future__ import annotations

from outbound.domain.countries import ISO_COUNTRIES
from outbound.domain.errors import InvalidValue
from outbound.domain.orders import (
    ACTIONS,
    CONSUMER,
    DISPOSITIONS,
    EXPEDITED,
    FILL_OR_KILL,
    HOLD,
    METHODS,
    POLICIES,
    PRIORITY,
    SCHEDULED_DELIVERY,
    SHIP,
    SPEEDS,
    STANDARD,
    CODSettings,
    Order,
)
from outbound.mws import order_xml, shapes, xml
from outbound.mws.call import Call
from outbound.mws.errors import MwsError, invalid, missing
from outbound.mws.params import Params
from outbound.service import listing, order_cache
from outbound.service import orders as service

UPDATE_SPEEDS = (STANDARD, EXPEDITED, PRIORITY)


def _displayable_order_id(params: Params, *, required: bool) -> str | None:
    """1–40 characters of ISO 8859-1 text, trimmed, never two spaces in a row."""
    value = params.string("DisplayableOrderId", required=required, max_len=40)
    if value is None:
        return None
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        raise invalid("DisplayableOrderId", value) from None
    if "  " in value:
        raise invalid("DisplayableOrderId", value)
    return value


def _seller_order_id(params: Params) -> str:
    return params.require("SellerFulfillmentOrderId", max_len=40)


def _item_request(member: Params) -> service.ItemRequest:
    quantity = member.integer("Quantity", required=True)
    assert quantity is not None
    return service.ItemRequest(
        seller_sku=member.require("SellerSKU", max_len=50),
        item_id=member.require("SellerFulfillmentOrderItemId", max_len=50),
        quantity=quantity,
        gift_message=member.string("GiftMessage", max_len=512, trim=False),
        displayable_comment=member.string("DisplayableComment", max_len=250, trim=False),
        fnsku=member.string("FulfillmentNetworkSKU", max_len=50),
        disposition=member.enum("OrderItemDisposition", DISPOSITIONS),
        per_unit_declared_value=shapes.money(member, "PerUnitDeclaredValue"),
        per_unit_price=shapes.money(member, "PerUnitPrice"),
        per_unit_tax=shapes.money(member, "PerUnitTax"),
    )


def _cod(params: Params) -> CODSettings | None:
    if not params.has("CODSettings"):
        return None
    part = params.struct("CODSettings")
    return CODSettings(
        is_cod_required=part.boolean("IsCODRequired"),
        cod_charge=shapes.money(part, "CODCharge"),
        cod_charge_tax=shapes.money(part, "CODChargeTax"),
        shipping_charge=shapes.money(part, "ShippingCharge"),
        shipping_charge_tax=shapes.money(part, "ShippingChargeTax"),
    )


def _country(params: Params, field: str) -> str | None:
    value = params.string(field)
    if value is not None and value not in ISO_COUNTRIES:
        raise invalid(field, value)
    return value


def create_request(params: Params) -> service.CreateOrderRequest:
    """Every parameter of CreateFulfillmentOrder, checked in the order a reader of the request would."""
    seller_order_id = _seller_order_id(params)
    displayable_id = _displayable_order_id(params, required=True)
    displayable_at = params.datetime("DisplayableOrderDateTime", required=True, date_only=True)
    comment = params.require("DisplayableOrderComment", max_len=1000, trim=False)
    speed = params.enum("ShippingSpeedCategory", SPEEDS, required=True)
    window = shapes.delivery_window(params)
    if speed == SCHEDULED_DELIVERY and window is None:
        raise missing("DeliveryWindow.StartDateTime")
    if speed != SCHEDULED_DELIVERY and window is not None:
        raise invalid("DeliveryWindow.StartDateTime", params.raw("DeliveryWindow.StartDateTime") or "")
    if not params.has("DestinationAddress"):
        raise missing("DestinationAddress")
    destination = shapes.address(params.struct("DestinationAddress"))
    cod = _cod(params)
    items = [_item_request(member) for member in shapes.order_items(params)]
    if cod is not None and cod.is_cod_required:
        for n, item in enumerate(items, 1):
            if item.per_unit_price is None:
                raise missing(f"Items.member.{n}.PerUnitPrice")
    assert displayable_id is not None and displayable_at is not None and speed is not None
    return service.CreateOrderRequest(
        seller_order_id=seller_order_id,
        displayable_order_id=displayable_id,
        displayable_order_at=displayable_at,
        displayable_order_comment=comment,
        shipping_speed=speed,
        destination=destination,
        items=tuple(items),
        marketplace_id=params.string("MarketplaceId"),
        delivery_window=window,
        fulfillment_action=params.enum("FulfillmentAction", ACTIONS) or SHIP,
        fulfillment_policy=params.enum("FulfillmentPolicy", POLICIES) or FILL_OR_KILL,
        fulfillment_method=params.enum("FulfillmentMethod", METHODS) or CONSUMER,
        cod=cod,
        notification_emails=shapes.emails(params, "NotificationEmailList") or (),
        ship_from_country_code=_country(params, "ShipFromCountryCode"),
    )


def _comment(params: Params) -> str | None:
    """An updated DisplayableOrderComment: free text kept as sent, but never blank (it is required on Create)."""
    value = params.string("DisplayableOrderComment", max_len=1000, trim=False)
    if value is not None and not value.strip():
        raise invalid("DisplayableOrderComment", value)
    return value


def update_request(params: Params) -> service.UpdateOrderRequest:
    seller_order_id = _seller_order_id(params)
    destination = None
    if params.has("DestinationAddress"):
        destination = shapes.address(params.struct("DestinationAddress"))
    items = []
    for member in shapes.order_items(params, required=False):
        quantity = member.integer("Quantity", required=True)
        assert quantity is not None
        items.append(
            service.ItemUpdate(
                item_id=member.require("SellerFulfillmentOrderItemId", max_len=50),
                quantity=quantity,
                seller_sku=member.string("SellerSKU", max_len=50),
                gift_message=member.string("GiftMessage", max_len=512, trim=False),
                displayable_comment=member.string("DisplayableComment", max_len=250, trim=False),
                fnsku=member.string("FulfillmentNetworkSKU", max_len=50),
                disposition=member.enum("OrderItemDisposition", DISPOSITIONS),
                per_unit_declared_value=shapes.money(member, "PerUnitDeclaredValue"),
                per_unit_price=shapes.money(member, "PerUnitPrice"),
                per_unit_tax=shapes.money(member, "PerUnitTax"),
            )
        )
    _country(params, "ShipFromCountryCode")
    return service.UpdateOrderRequest(
        seller_order_id=seller_order_id,
        marketplace_id=params.string("MarketplaceId"),
        fulfillment_action=params.enum("FulfillmentAction", ACTIONS) or HOLD,
        displayable_order_id=_displayable_order_id(params, required=False),
        displayable_order_at=params.datetime("DisplayableOrderDateTime", date_only=True),
        displayable_order_comment=_comment(params),
        shipping_speed=params.enum("ShippingSpeedCategory", UPDATE_SPEEDS),
        destination=destination,
        fulfillment_policy=params.enum("FulfillmentPolicy", POLICIES),
        fulfillment_method=params.enum("FulfillmentMethod", METHODS),
        notification_emails=shapes.emails(params, "NotificationEmailList"),
        items=tuple(items),
    )


def create_fulfillment_order(call: Call) -> None:
    request = create_request(call.params)
    service.create_fulfillment_order(call.ctx.db, call.caller, request, call.ctx.clock.now())


def update_fulfillment_order(call: Call) -> None:
    request = update_request(call.params)
    service.update_fulfillment_order(call.ctx.db, call.caller, request, call.ctx.clock.now())


def cancel_fulfillment_order(call: Call) -> None:
    seller_order_id = _seller_order_id(call.params)
    service.cancel_fulfillment_order(call.ctx.db, call.caller.seller_id, seller_order_id, call.ctx.clock.now())


def get_fulfillment_order_result(order: Order) -> xml.Element:
    result = xml.result("GetFulfillmentOrder")
    order_xml.fulfillment_order(result, "FulfillmentOrder", order, with_action=True)
    order_xml.order_lists(result, order)
    return result


def _order_result(order: Order) -> bytes:
    return xml.written(get_fulfillment_order_result(order))


def get_fulfillment_order(call: Call) -> xml.Element:
    """Through the service's cache of rendered orders (``service/order_cache.py``): only the RequestId is new."""
    seller_order_id = _seller_order_id(call.params)
    db, seller_id = call.ctx.db, call.caller.seller_id
    written = order_cache.order_view(db, seller_id, seller_order_id, "mws", _order_result, call.stamp)
    return xml.Fragment(f"{call.action}Result", written)


def get_fulfillment_order_document(order: Order, request_id: str) -> bytes:
    """The whole GetFulfillmentOrder response body the endpoint would send for ``order`` (the dashboard shows it)."""
    return xml.response("GetFulfillmentOrder", request_id, get_fulfillment_order_result(order))


def _page(call: Call, page: listing.Page) -> xml.Element:
    result = xml.result(call.action)
    xml.add_opt(result, "NextToken", page.next_token)
    orders = xml.add(result, "FulfillmentOrders")
    for order in page.orders:
        order_xml.fulfillment_order(orders, "member", order, with_action=False)
    return result


def list_all_fulfillment_orders(call: Call) -> xml.Element:
    start = call.params.datetime("QueryStartDateTime")
    methods = call.params.values("FulfillmentMethod", METHODS)
    page = listing.list_all_fulfillment_orders(call.ctx.db, call.caller.seller_id, start, methods, call.ctx.clock.now())
    return _page(call, page)


def list_all_fulfillment_orders_by_next_token(call: Call) -> xml.Element:
    token = call.params.require("NextToken")
    try:
        page = listing.list_by_next_token(call.ctx.db, call.caller.seller_id, token)
    except InvalidValue as exc:  # malformed, expired or another seller's: one answer (docs/mws-protocol.md "Paging")
        raise MwsError("InvalidParameterValue", "Invalid NextToken.") from exc
    return _page(call, page)
