"""Typed results of ``GetFulfillmentPreview`` (docs/mws-protocol.md "Operations"), parsed from its XML, and the
request's item type.

Names follow the MWS elements in Python spelling; amounts and weights are :class:`~decimal.Decimal` (as sent, so
``0.650`` keeps its three decimals), dates are aware UTC datetimes. Optional elements the server left out are
``None``; lists left out (``EstimatedFees``, ``FulfillmentPreviewShipments``, ``OrderUnfulfillableReasons``) are
empty tuples.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from outbound.client.models import N, Node, members, number, text, when


@dataclass(frozen=True)
class PreviewItem:
    """One line to preview (GetFulfillmentPreviewItem): no price, gift or declared-value fields exist for it."""

    seller_sku: str
    seller_fulfillment_order_item_id: str
    quantity: int

    def to_params(self, prefix: str) -> dict[str, str]:
        return {
            f"{prefix}.SellerSKU": self.seller_sku,
            f"{prefix}.SellerFulfillmentOrderItemId": self.seller_fulfillment_order_item_id,
            f"{prefix}.Quantity": str(self.quantity),
        }


def _decimal(value: str | None) -> Decimal | None:
    if value is None or value.strip() == "":
        return None
    try:
        return Decimal(value.strip())
    except InvalidOperation:
        return None


def _required_when(node: Node, path: str) -> datetime:
    """A date the model requires (the shipment dates, a window's bounds): a ValueError when it is missing."""
    moment = when(node, path)
    if moment is None:
        raise ValueError(f"GetFulfillmentPreview answer without {path.removeprefix('m:')}")
    return moment


@dataclass(frozen=True)
class Weight:
    unit: str  # pounds | kilograms (as sent; Amazon's documentation also names KG / LB)
    value: Decimal

    @classmethod
    def parse(cls, node: Node, path: str) -> Weight | None:
        found = node.find(path, N)
        if found is None:
            return None
        value = _decimal(text(found, "m:Value"))
        return None if value is None else cls(text(found, "m:Unit") or "", value)


@dataclass(frozen=True)
class Fee:
    name: str  # FBAPerUnitFulfillmentFee, FBAPerOrderFulfillmentFee, FBATransportationFee, FBAFulfillmentCODFee
    currency_code: str
    amount: Decimal

    @classmethod
    def parse(cls, node: Node) -> Fee:
        amount = _decimal(text(node, "m:Amount/m:Value"))
        return cls(
            text(node, "m:Name") or "",
            text(node, "m:Amount/m:CurrencyCode") or "",
            amount if amount is not None else Decimal("0"),
        )


@dataclass(frozen=True)
class FulfillmentPreviewItem:
    seller_sku: str
    seller_fulfillment_order_item_id: str
    quantity: int
    estimated_shipping_weight: Weight | None
    shipping_weight_calculation_method: str | None  # Package | Dimensional

    @classmethod
    def parse(cls, node: Node) -> FulfillmentPreviewItem:
        return cls(
            seller_sku=text(node, "m:SellerSKU") or "",
            seller_fulfillment_order_item_id=text(node, "m:SellerFulfillmentOrderItemId") or "",
            quantity=number(node, "m:Quantity") or 0,
            estimated_shipping_weight=Weight.parse(node, "m:EstimatedShippingWeight"),
            shipping_weight_calculation_method=text(node, "m:ShippingWeightCalculationMethod"),
        )


@dataclass(frozen=True)
class FulfillmentPreviewShipment:
    earliest_ship_date: datetime
    latest_ship_date: datetime
    earliest_arrival_date: datetime
    latest_arrival_date: datetime
    items: tuple[FulfillmentPreviewItem, ...]

    @classmethod
    def parse(cls, node: Node) -> FulfillmentPreviewShipment:
        return cls(
            earliest_ship_date=_required_when(node, "m:EarliestShipDate"),
            latest_ship_date=_required_when(node, "m:LatestShipDate"),
            earliest_arrival_date=_required_when(node, "m:EarliestArrivalDate"),
            latest_arrival_date=_required_when(node, "m:LatestArrivalDate"),
            items=tuple(FulfillmentPreviewItem.parse(i) for i in members(node, "m:FulfillmentPreviewItems")),
        )


@dataclass(frozen=True)
class UnfulfillablePreviewItem:
    seller_sku: str
    seller_fulfillment_order_item_id: str
    quantity: int  # the units that cannot be fulfilled (the short part of a line)
    reasons: tuple[str, ...]  # InventoryUnavailable, InvalidSKU, ExportUnsupported, NoDeliveryOption, ...

    @classmethod
    def parse(cls, node: Node) -> UnfulfillablePreviewItem:
        return cls(
            seller_sku=text(node, "m:SellerSKU") or "",
            seller_fulfillment_order_item_id=text(node, "m:SellerFulfillmentOrderItemId") or "",
            quantity=number(node, "m:Quantity") or 0,
            reasons=tuple(m.text or "" for m in members(node, "m:ItemUnfulfillableReasons")),
        )


@dataclass(frozen=True)
class DeliveryWindow:
    start: datetime
    end: datetime


@dataclass(frozen=True)
class ScheduledDeliveryInfo:
    """JP ScheduledDelivery only: the windows CreateFulfillmentOrder will accept in ``DeliveryWindow``."""

    delivery_time_zone: str
    delivery_windows: tuple[DeliveryWindow, ...]

    @classmethod
    def parse(cls, node: Node, path: str) -> ScheduledDeliveryInfo | None:
        found = node.find(path, N)
        if found is None:
            return None
        windows = tuple(
            DeliveryWindow(_required_when(w, "m:StartDateTime"), _required_when(w, "m:EndDateTime"))
            for w in members(found, "m:DeliveryWindows")
        )
        return cls(text(found, "m:DeliveryTimeZone") or "", windows)


@dataclass(frozen=True)
class FulfillmentPreview:
    """One preview: one shipping speed (and, in JP, COD or not)."""

    shipping_speed_category: str
    is_fulfillable: bool
    is_cod_capable: bool
    estimated_shipping_weight: Weight | None
    estimated_fees: tuple[Fee, ...]
    shipments: tuple[FulfillmentPreviewShipment, ...]
    unfulfillable_items: tuple[UnfulfillablePreviewItem, ...]
    order_unfulfillable_reasons: tuple[str, ...]
    marketplace_id: str | None
    scheduled_delivery_info: ScheduledDeliveryInfo | None = None

    @property
    def speed(self) -> str:
        return self.shipping_speed_category

    @property
    def fees(self) -> tuple[Fee, ...]:
        return self.estimated_fees

    def fee(self, name: str) -> Decimal | None:
        """The amount of the fee called ``name``, or ``None`` when the preview carries no such fee."""
        return next((f.amount for f in self.estimated_fees if f.name == name), None)

    @property
    def total_fees(self) -> Decimal:
        return sum((f.amount for f in self.estimated_fees), Decimal("0"))

    @classmethod
    def parse(cls, node: Node) -> FulfillmentPreview:
        return cls(
            shipping_speed_category=text(node, "m:ShippingSpeedCategory") or "",
            is_fulfillable=(text(node, "m:IsFulfillable") or "").lower() == "true",
            is_cod_capable=(text(node, "m:IsCODCapable") or "").lower() == "true",
            estimated_shipping_weight=Weight.parse(node, "m:EstimatedShippingWeight"),
            estimated_fees=tuple(Fee.parse(f) for f in members(node, "m:EstimatedFees")),
            shipments=tuple(
                FulfillmentPreviewShipment.parse(s) for s in members(node, "m:FulfillmentPreviewShipments")
            ),
            unfulfillable_items=tuple(
                UnfulfillablePreviewItem.parse(u) for u in members(node, "m:UnfulfillablePreviewItems")
            ),
            order_unfulfillable_reasons=tuple(m.text or "" for m in members(node, "m:OrderUnfulfillableReasons")),
            marketplace_id=text(node, "m:MarketplaceId"),
            scheduled_delivery_info=ScheduledDeliveryInfo.parse(node, "m:ScheduledDeliveryInfo"),
        )


def parse_previews(result: Node) -> list[FulfillmentPreview]:
    """The previews of a ``GetFulfillmentPreviewResult``, in the order the server sent them."""
    return [FulfillmentPreview.parse(p) for p in members(result, "m:FulfillmentPreviews")]
