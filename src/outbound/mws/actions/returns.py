"""ListReturnReasonCodes and CreateFulfillmentReturn (docs/mws-protocol.md "Operations").

A missing required parameter fails the call (``Missing required parameter ...``); a present but bad value inside
an ``Items`` member (unknown line, too long, a reason code the SKU does not take) only refuses that unit, which
comes back in ``InvalidReturnItemList``.
"""

from __future__ import annotations

from outbound.domain import returns as rules
from outbound.mws import order_xml, xml
from outbound.mws.call import Call
from outbound.mws.errors import missing
from outbound.mws.params import Params
from outbound.service import returns as service


def _optional(params: Params, field: str, max_len: int | None = None) -> str | None:
    """An optional identifier; an empty value counts as absent."""
    return params.string(field, max_len=max_len) or None


def list_return_reason_codes(call: Call) -> xml.Element:
    params = call.params
    request = service.ReasonCodesRequest(
        seller_sku=params.require("SellerSKU", max_len=50),
        marketplace_id=_optional(params, "MarketplaceId"),
        seller_order_id=_optional(params, "SellerFulfillmentOrderId", max_len=40),
        language=_optional(params, "Language"),
    )
    if request.marketplace_id is None and request.seller_order_id is None:
        raise missing("MarketplaceId")
    details = service.list_return_reason_codes(call.ctx.db, call.caller.seller_id, request)
    result = xml.result(call.action)
    entries = xml.add(result, "ReasonCodeDetailsList")
    for detail in details:
        entry = xml.add(entries, "member")
        xml.add(entry, "ReturnReasonCode", detail.return_reason_code)
        xml.add(entry, "Description", detail.description)
        xml.add_opt(entry, "TranslatedDescription", detail.translated_description)
    return result


def _return_request(member: Params) -> rules.ReturnRequest:
    """One unit; lengths are the domain's to check (a too-long value refuses the unit, not the call)."""
    return rules.ReturnRequest(
        seller_return_item_id=member.require("SellerReturnItemId"),
        item_id=member.require("SellerFulfillmentOrderItemId"),
        amazon_shipment_id=member.require("AmazonShipmentId"),
        reason_code=member.require("ReturnReasonCode"),
        comment=member.string("ReturnComment", trim=False) or None,
    )


def create_fulfillment_return(call: Call) -> xml.Element:
    params = call.params
    seller_order_id = params.require("SellerFulfillmentOrderId", max_len=40)
    members = params.members("Items")
    if not members:
        raise missing("Items")
    items = [_return_request(member) for member in members]
    created = service.create_fulfillment_return(
        call.ctx.db, call.caller.seller_id, seller_order_id, items, call.ctx.clock.now()
    )
    result = xml.result(call.action)
    accepted = xml.add(result, "ReturnItemList")
    for item in created.return_items:
        order_xml.return_item(accepted, item)
    refused = xml.add(result, "InvalidReturnItemList")
    for invalid in created.invalid_items:
        entry = xml.add(refused, "member")
        xml.add(entry, "SellerReturnItemId", invalid.seller_return_item_id)
        xml.add(entry, "SellerFulfillmentOrderItemId", invalid.item_id)
        reason = xml.add(entry, "InvalidItemReason")
        xml.add(reason, "InvalidItemReasonCode", invalid.reason_code)
        xml.add(reason, "Description", invalid.description)
    authorizations = xml.add(result, "ReturnAuthorizationList")
    for authorization in created.authorizations:
        order_xml.return_authorization(authorizations, authorization)
    return result
