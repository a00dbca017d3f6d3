"""listReturnReasonCodes and createFulfillmentReturn."""

from __future__ import annotations

from outbound.domain import returns as rules
from outbound.service import returns as service
from outbound.spapi import render, shapes
from outbound.spapi.call import SpCall
from outbound.spapi.errors import invalid, missing
from outbound.spapi.inputs import Obj


def list_return_reason_codes(call: SpCall) -> render.Json:
    query = Obj(call.query)
    sku = query.string("sellerSku", max_len=50)
    if not sku:
        raise missing("sellerSku")
    marketplace_id = query.string("marketplaceId") or None
    order_id = query.string("sellerFulfillmentOrderId", max_len=40) or None
    if marketplace_id is None and order_id is None:
        marketplace_id = call.caller.default_marketplace_id  # our choice: the seller's home marketplace
    request = service.ReasonCodesRequest(sku, marketplace_id, order_id, query.string("language") or None)
    details = service.list_return_reason_codes(call.ctx.db, call.caller.seller_id, request)
    codes = []
    for detail in details:
        entry: render.Json = {"returnReasonCode": detail.return_reason_code, "description": detail.description}
        if detail.translated_description:
            entry["translatedDescription"] = detail.translated_description
        codes.append(entry)
    return {"reasonCodeDetails": codes}


def _return_request(entry: Obj) -> rules.ReturnRequest:
    return rules.ReturnRequest(
        seller_return_item_id=entry.require("sellerReturnItemId", max_len=80),
        item_id=entry.require("sellerFulfillmentOrderItemId"),
        amazon_shipment_id=entry.require("amazonShipmentId"),
        reason_code=entry.require("returnReasonCode"),
        comment=entry.string("returnComment", max_len=1000, trim=False) or None,
    )


def create_fulfillment_return(call: SpCall) -> render.Json:
    order_id = call.path["sellerFulfillmentOrderId"]
    if not order_id.strip():
        raise invalid("sellerFulfillmentOrderId")
    body = Obj.root(call.body)
    items = [_return_request(entry) for entry in body.objects("items", required=True, limit=shapes.MAX_ITEMS)]
    created = service.create_fulfillment_return(
        call.ctx.db, call.caller.seller_id, order_id, items, call.ctx.clock.now()
    )
    return {
        "returnItems": [render.return_item(i) for i in created.return_items],
        "invalidReturnItems": [
            {
                "sellerReturnItemId": i.seller_return_item_id,
                "sellerFulfillmentOrderItemId": i.item_id,
                "invalidItemReason": {"invalidItemReasonCode": i.reason_code, "description": i.description},
            }
            for i in created.invalid_items
        ],
        "returnAuthorizations": [
            render.return_authorization(a, call.ctx.settings.public_url) for a in created.authorizations
        ],
    }
