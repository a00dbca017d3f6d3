"""GetFulfillmentPreview (docs/mws-protocol.md "Operations"): decode the request, render one preview per speed."""

from __future__ import annotations

from decimal import Decimal

from outbound.domain.orders import SPEEDS
from outbound.mws import shapes, xml
from outbound.mws.call import Call
from outbound.mws.errors import missing
from outbound.mws.params import Params
from outbound.service import preview as service
from outbound.service.orders import ItemRequest


def preview_request(params: Params) -> service.PreviewRequest:
    if not params.has("Address"):
        raise missing("Address")
    address = shapes.address(params.struct("Address"))
    items = []
    for member in shapes.order_items(params):
        quantity = member.integer("Quantity", required=True)
        assert quantity is not None
        item_id = member.require("SellerFulfillmentOrderItemId", max_len=50)
        items.append(ItemRequest(member.require("SellerSKU", max_len=50), item_id, quantity))
    speeds = params.values("ShippingSpeedCategories", SPEEDS)
    return service.PreviewRequest(
        address=address,
        items=tuple(items),
        speeds=tuple(dict.fromkeys(speeds)),
        marketplace_id=params.string("MarketplaceId"),
        include_cod=params.boolean("IncludeCODFulfillmentPreview"),
        include_delivery_windows=params.boolean("IncludeDeliveryWindows"),
    )


def _weight(parent: xml.Element, tag: str, unit: str, value: Decimal) -> None:
    node = xml.add(parent, tag)
    xml.add(node, "Unit", unit)
    xml.add(node, "Value", format(value, "f"))


def render(parent: xml.Element, preview: service.Preview) -> None:
    node = xml.add(parent, "member")
    xml.add(node, "ShippingSpeedCategory", preview.speed)
    if preview.delivery_windows and preview.delivery_time_zone:
        info = xml.add(node, "ScheduledDeliveryInfo")
        xml.add(info, "DeliveryTimeZone", preview.delivery_time_zone)
        windows = xml.add(info, "DeliveryWindows")
        for start, end in preview.delivery_windows:
            window = xml.add(windows, "member")
            xml.add(window, "StartDateTime", xml.iso_seconds(start))
            xml.add(window, "EndDateTime", xml.iso_seconds(end))
    xml.add(node, "IsFulfillable", xml.format_value(preview.is_fulfillable))
    xml.add(node, "IsCODCapable", xml.format_value(preview.is_cod_capable))
    if preview.weight is not None:
        _weight(node, "EstimatedShippingWeight", preview.weight_unit, preview.weight)
    if preview.fees:
        fees = xml.add(node, "EstimatedFees")
        for name, amount in preview.fees:
            fee = xml.add(fees, "member")
            xml.add(fee, "Name", name)
            money = xml.add(fee, "Amount")
            xml.add(money, "CurrencyCode", preview.currency)
            xml.add(money, "Value", format(amount, "f"))
    if preview.shipments:
        shipments = xml.add(node, "FulfillmentPreviewShipments")
        for shipment in preview.shipments:
            entry = xml.add(shipments, "member")
            xml.add(entry, "EarliestShipDate", xml.iso_seconds(shipment.dates.earliest_ship))
            xml.add(entry, "LatestShipDate", xml.iso_seconds(shipment.dates.latest_ship))
            xml.add(entry, "EarliestArrivalDate", xml.iso_seconds(shipment.dates.earliest_arrival))
            xml.add(entry, "LatestArrivalDate", xml.iso_seconds(shipment.dates.latest_arrival))
            items = xml.add(entry, "FulfillmentPreviewItems")
            for item in shipment.items:
                line = xml.add(items, "member")
                xml.add(line, "SellerSKU", item.seller_sku)
                xml.add(line, "Quantity", str(item.quantity))
                xml.add(line, "SellerFulfillmentOrderItemId", item.item_id)
                _weight(line, "EstimatedShippingWeight", preview.weight_unit, item.weight)
                xml.add(line, "ShippingWeightCalculationMethod", item.method)
    unfulfillable = xml.add(node, "UnfulfillablePreviewItems")
    for missing_item in preview.unfulfillable:
        line = xml.add(unfulfillable, "member")
        xml.add(line, "SellerSKU", missing_item.seller_sku)
        xml.add(line, "Quantity", str(missing_item.quantity))
        xml.add(line, "SellerFulfillmentOrderItemId", missing_item.item_id)
        reasons = xml.add(line, "ItemUnfulfillableReasons")
        for reason in missing_item.reasons:
            xml.add(reasons, "member", reason)
    if preview.order_reasons:
        reasons = xml.add(node, "OrderUnfulfillableReasons")
        for reason in preview.order_reasons:
            xml.add(reasons, "member", reason)
    xml.add(node, "MarketplaceId", preview.marketplace_id)


def get_fulfillment_preview(call: Call) -> xml.Element:
    request = preview_request(call.params)
    previews = service.get_fulfillment_preview(call.ctx.db, call.caller, request, call.ctx.clock.now())
    result = xml.result(call.action)
    container = xml.add(result, "FulfillmentPreviews")
    for preview in previews:
        render(container, preview)
    return result
