"""createFulfillmentOrder, getFulfillmentOrder, listAllFulfillmentOrders, updateFulfillmentOrder,
cancelFulfillmentOrder: the MWS operations' service functions behind the model's JSON."""

from __future__ import annotations

from outbound.domain.errors import InvalidValue
from outbound.domain.orders import ACTIONS, DISPOSITIONS, POLICIES, SPAPI, SPEEDS, Order
from outbound.service import listing, order_cache, tracking
from outbound.service import orders as service
from outbound.spapi import render, shapes, wire
from outbound.spapi.call import SpCall
from outbound.spapi.errors import SpApiError, invalid, missing
from outbound.spapi.handlers.preview import items as read_items
from outbound.spapi.inputs import Obj

LIST_SCOPE = "listAllFulfillmentOrders"  # binds next tokens to this operation (MWS's are refused, and theirs ours)
MAX_COMMENT = 750
UPDATE_SPEEDS = ("Standard", "Expedited", "Priority", "ScheduledDelivery")


def order_id(call: SpCall) -> str:
    """The path's ``sellerFulfillmentOrderId``: at most 40 characters (longer is a bad request, not unknown)."""
    value = call.path["sellerFulfillmentOrderId"]
    if not value.strip() or len(value) > 40:
        raise invalid("sellerFulfillmentOrderId", "sellerFulfillmentOrderId must be 1 to 40 characters.")
    return value


def _displayable_id(body: Obj, *, required: bool) -> str | None:
    """1–40 characters of ISO 8859-1 text, never two spaces in a row (the MWS rule)."""
    value = body.string("displayableOrderId", required=required, max_len=40)
    if value is None:
        return None
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        raise invalid("displayableOrderId") from None
    if "  " in value or not value:
        raise invalid("displayableOrderId")
    return value


def create_request(body: Obj) -> service.CreateOrderRequest:
    seller_order_id = body.require("sellerFulfillmentOrderId", max_len=40)
    displayable_id = _displayable_id(body, required=True)
    displayable_at = body.datetime("displayableOrderDate", required=True)
    comment = body.require("displayableOrderComment", max_len=MAX_COMMENT, trim=False)
    speed = body.enum("shippingSpeedCategory", SPEEDS, required=True)
    window = shapes.delivery_window(body)
    if speed == "ScheduledDelivery" and window is None:
        raise missing("deliveryWindow")
    if speed != "ScheduledDelivery" and window is not None:
        raise invalid("deliveryWindow", "deliveryWindow is only for the ScheduledDelivery speed.")
    destination_part = body.obj("destinationAddress", required=True)
    assert destination_part is not None
    destination = shapes.address(destination_part)
    action = body.enum("fulfillmentAction", ACTIONS) or "Ship"
    if action == "Hold" and speed == "ScheduledDelivery":
        raise invalid("fulfillmentAction", "A ScheduledDelivery order cannot be held.")
    cod = shapes.cod(body)
    lines = read_items(body)
    by_id = {e.require("sellerFulfillmentOrderItemId"): e for e in body.objects("items")}
    full = []
    for n, line in enumerate(lines):
        entry = by_id[line.item_id]
        item = service.ItemRequest(
            seller_sku=line.seller_sku,
            item_id=line.item_id,
            quantity=line.quantity,
            gift_message=entry.string("giftMessage", max_len=512, trim=False),
            displayable_comment=entry.string("displayableComment", max_len=250, trim=False),
            fnsku=entry.string("fulfillmentNetworkSku", max_len=50),
            per_unit_declared_value=line.per_unit_declared_value,
            per_unit_price=shapes.money(entry, "perUnitPrice"),
            per_unit_tax=shapes.money(entry, "perUnitTax"),
        )
        if cod is not None and cod.is_cod_required and item.per_unit_price is None:
            raise missing(f"items[{n}].perUnitPrice")
        full.append(item)
    assert displayable_id is not None and displayable_at is not None and speed is not None
    return service.CreateOrderRequest(
        seller_order_id=seller_order_id,
        displayable_order_id=displayable_id,
        displayable_order_at=displayable_at,
        displayable_order_comment=comment,
        shipping_speed=speed,
        destination=destination,
        items=tuple(full),
        marketplace_id=body.string("marketplaceId") or None,
        delivery_window=window,
        fulfillment_action=action,
        fulfillment_policy=body.enum("fulfillmentPolicy", POLICIES) or "FillOrKill",
        cod=cod,
        notification_emails=shapes.emails(body) or (),
        ship_from_country_code=shapes.country(body, "shipFromCountryCode"),
        feature_constraints=shapes.feature_constraints(body) or (),
        delivery_preferences=shapes.delivery_preferences(body),
        payment_information=shapes.payment_information(body),
    )


def _sku_error(error: InvalidValue, items: tuple[service.ItemRequest, ...]) -> SpApiError | None:
    """An unknown SKU or FNSKU named by the line that carries it."""
    for n, item in enumerate(items):
        if error.field == "SellerSKU" and item.seller_sku == error.value:
            return invalid(f"items[{n}].sellerSku", f"The SellerSKU for Item Id: {item.item_id} is invalid.")
        if error.field == "FulfillmentNetworkSKU" and item.fnsku == error.value:
            return invalid(f"items[{n}].fulfillmentNetworkSku")
    return None


def create_fulfillment_order(call: SpCall) -> None:
    request = create_request(Obj.root(call.body))
    try:
        service.create_fulfillment_order(call.ctx.db, call.caller, request, call.ctx.clock.now(), origin=SPAPI)
    except InvalidValue as error:
        raise _sku_error(error, request.items) or error from None


def get_fulfillment_order(call: SpCall) -> bytes:
    """The payload, encoded, through the same service cache as MWS's GetFulfillmentOrder (its own rendering). An
    order with a drop-off location shows it once a package is delivered, which the clock decides: never kept."""
    db, seller_id = call.ctx.db, call.caller.seller_id

    def payload(order: Order) -> bytes:
        delivered: set[int] = set()
        if not timeless(order):
            numbers = [p.package_number for s in order.shipments for p in s.packages]
            delivered = tracking.delivered_packages(db, seller_id, numbers, call.ctx.clock.now())
        return wire.encode(render.get_order_result(order, delivered, call.ctx.settings.public_url))

    return order_cache.order_view(db, seller_id, order_id(call), "spapi", payload, call.stamp, kept=timeless)


def timeless(order: Order) -> bool:
    return render.drop_off_location(order.delivery_preferences) is None


def list_all_fulfillment_orders(call: SpCall) -> render.Json:
    token = call.query.get("nextToken", "")
    if token:
        try:
            page = listing.list_by_next_token(call.ctx.db, call.caller.seller_id, token, LIST_SCOPE)
        except InvalidValue:  # malformed, expired, another seller's or MWS's: one answer
            raise invalid("nextToken", "Invalid nextToken.") from None
    else:
        start = None
        if "queryStartDate" in call.query:
            start = Obj(call.query).datetime("queryStartDate")
        page = listing.list_all_fulfillment_orders(
            call.ctx.db, call.caller.seller_id, start, (), call.ctx.clock.now(), LIST_SCOPE
        )
    found: render.Json = {}
    if page.next_token:
        found["nextToken"] = page.next_token
    found["fulfillmentOrders"] = [render.fulfillment_order(o) for o in page.orders]
    return found


def update_request(seller_order_id: str, body: Obj) -> service.UpdateOrderRequest:
    destination = None
    part = body.obj("destinationAddress")
    if part is not None:
        destination = shapes.address(part)
    changes = []
    seen: set[str] = set()
    for entry in body.objects("items", limit=shapes.MAX_ITEMS):
        item_id = entry.require("sellerFulfillmentOrderItemId", max_len=50)
        if item_id in seen:
            raise invalid(entry.name("sellerFulfillmentOrderItemId"), f"Item id {item_id} is given more than once.")
        seen.add(item_id)
        quantity = entry.integer("quantity", required=True)
        assert quantity is not None
        changes.append(
            service.ItemUpdate(
                item_id=item_id,
                quantity=quantity,
                seller_sku=entry.string("sellerSku", max_len=50),
                gift_message=entry.string("giftMessage", max_len=512, trim=False),
                displayable_comment=entry.string("displayableComment", max_len=250, trim=False),
                fnsku=entry.string("fulfillmentNetworkSku", max_len=50),
                disposition=entry.enum("orderItemDisposition", DISPOSITIONS),
                per_unit_declared_value=shapes.money(entry, "perUnitDeclaredValue"),
                per_unit_price=shapes.money(entry, "perUnitPrice"),
                per_unit_tax=shapes.money(entry, "perUnitTax"),
            )
        )
    comment = body.string("displayableOrderComment", max_len=MAX_COMMENT, trim=False)
    if comment is not None and not comment.strip():
        raise invalid("displayableOrderComment")
    shapes.country(body, "shipFromCountryCode")  # checked, no effect (as on MWS)
    return service.UpdateOrderRequest(
        seller_order_id=seller_order_id,
        marketplace_id=body.string("marketplaceId") or None,
        fulfillment_action=body.enum("fulfillmentAction", ACTIONS) or "Hold",
        displayable_order_id=_displayable_id(body, required=False),
        displayable_order_at=body.datetime("displayableOrderDate"),
        displayable_order_comment=comment,
        shipping_speed=body.enum("shippingSpeedCategory", UPDATE_SPEEDS),
        destination=destination,
        fulfillment_policy=body.enum("fulfillmentPolicy", POLICIES),
        notification_emails=shapes.emails(body),
        items=tuple(changes),
        feature_constraints=shapes.feature_constraints(body),
    )


def update_fulfillment_order(call: SpCall) -> None:
    request = update_request(order_id(call), Obj.root(call.body if call.body is not None else {}))
    service.update_fulfillment_order(call.ctx.db, call.caller, request, call.ctx.clock.now())


def cancel_fulfillment_order(call: SpCall) -> None:
    service.cancel_fulfillment_order(call.ctx.db, call.caller.seller_id, order_id(call), call.ctx.clock.now())
