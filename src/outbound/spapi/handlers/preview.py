"""getFulfillmentPreview: the same preview MWS answers, in the model's shapes."""

from __future__ import annotations

from outbound.domain.orders import SPEEDS
from outbound.service import preview as service
from outbound.service.orders import ItemRequest
from outbound.spapi import render, shapes
from outbound.spapi.call import SpCall
from outbound.spapi.errors import invalid
from outbound.spapi.inputs import Obj


def items(body: Obj, *, declared: bool = True) -> list[ItemRequest]:
    """A preview's or order's lines: at most 100, 250 units in all, each line id once."""
    found = []
    seen: set[str] = set()
    for entry in body.objects("items", required=True, limit=shapes.MAX_ITEMS):
        item_id = entry.require("sellerFulfillmentOrderItemId", max_len=50)
        if item_id in seen:
            raise invalid(entry.name("sellerFulfillmentOrderItemId"), f"Item id {item_id} is given more than once.")
        seen.add(item_id)
        quantity = entry.integer("quantity", required=True)
        assert quantity is not None
        value = shapes.money(entry, "perUnitDeclaredValue") if declared else None
        found.append(
            ItemRequest(entry.require("sellerSku", max_len=50), item_id, quantity, per_unit_declared_value=value)
        )
    if sum(i.quantity for i in found) > shapes.MAX_UNITS:
        raise invalid("items", f"An order may hold at most {shapes.MAX_UNITS} units.")
    return found


def preview_request(body: Obj) -> service.PreviewRequest:
    address_part = body.obj("address", required=True)
    assert address_part is not None
    address = shapes.address(address_part)
    lines = items(body)
    speeds = body.strings("shippingSpeedCategories") or []
    for n, speed in enumerate(speeds):
        if speed not in SPEEDS:
            raise invalid(f"shippingSpeedCategories[{n}]")
    return service.PreviewRequest(
        address=address,
        # the declared value is checked and ignored, as on MWS
        items=tuple(ItemRequest(i.seller_sku, i.item_id, i.quantity) for i in lines),
        speeds=tuple(dict.fromkeys(speeds)),
        marketplace_id=body.string("marketplaceId") or None,
        include_cod=bool(body.boolean("includeCODFulfillmentPreview")),
        include_delivery_windows=bool(body.boolean("includeDeliveryWindows")),
        feature_constraints=shapes.feature_constraints(body) or (),
    )


def get_fulfillment_preview(call: SpCall) -> render.Json:
    request = preview_request(Obj.root(call.body))
    previews = service.get_fulfillment_preview(call.ctx.db, call.caller, request, call.ctx.clock.now())
    features = [render.feature(c.name, c.policy) for c in request.feature_constraints]
    return {"fulfillmentPreviews": [render.preview(p, features) for p in previews]}
