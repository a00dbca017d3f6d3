"""GetFulfillmentPreview: what an order would cost and when it would arrive, for each shipping speed.

The preview runs the very allocation and promise code CreateFulfillmentOrder runs (``plan_order``,
``promise.promise``), without locking or reserving, so an order created right after with the same items, address and
speed gets the same shipments and the same estimated dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from outbound.domain import fees, geo, promise
from outbound.domain.allocation import Plan
from outbound.domain.orders import Address, FeatureConstraint
from outbound.domain.world import WORLD, Marketplace
from outbound.service.accounts import Caller
from outbound.service.orders import ItemRequest, export_allowed, plan_order, resolve_marketplace
from outbound.store import Database
from outbound.store import inventory as stock_store

COD_SPEEDS = frozenset({"Standard"})  # JP: the speeds that can be paid cash on delivery (Amazon's example)


@dataclass(frozen=True)
class PreviewRequest:
    address: Address
    items: tuple[ItemRequest, ...]
    speeds: tuple[str, ...] = ()  # none: every speed the marketplace offers
    marketplace_id: str | None = None
    include_cod: bool = False
    include_delivery_windows: bool = False
    feature_constraints: tuple[FeatureConstraint, ...] = ()  # SP-API only


@dataclass(frozen=True)
class PreviewItem:
    seller_sku: str
    item_id: str
    quantity: int
    weight: Decimal
    method: str  # Package | Dimensional


@dataclass(frozen=True)
class PreviewShipment:
    fc_code: str
    dates: promise.Promise
    items: tuple[PreviewItem, ...]


@dataclass(frozen=True)
class UnfulfillableItem:
    seller_sku: str
    item_id: str
    quantity: int
    reasons: tuple[str, ...]


@dataclass
class Preview:
    speed: str
    marketplace_id: str
    weight_unit: str
    currency: str
    is_cod_capable: bool = False
    weight: Decimal | None = None
    fees: list[tuple[str, Decimal]] = field(default_factory=list)
    shipments: list[PreviewShipment] = field(default_factory=list)
    unfulfillable: list[UnfulfillableItem] = field(default_factory=list)
    order_reasons: list[str] = field(default_factory=list)
    delivery_time_zone: str | None = None
    delivery_windows: list[tuple[datetime, datetime]] = field(default_factory=list)

    @property
    def is_fulfillable(self) -> bool:
        return not self.unfulfillable and not self.order_reasons and bool(self.shipments)


def get_fulfillment_preview(db: Database, caller: Caller, request: PreviewRequest, now: datetime) -> list[Preview]:
    with db.read() as conn:
        marketplace = resolve_marketplace(conn, caller, request.marketplace_id)
        specs = {
            sku.seller_sku: fees.ItemSpec(
                sku.seller_sku, sku.weight_lb, fees.Dimensions(sku.length_in, sku.width_in, sku.height_in)
            )
            for sku in stock_store.load_skus(conn, caller.seller_id, (i.seller_sku for i in request.items)).values()
        }
        unfulfillable: list[UnfulfillableItem] = []
        exportable = request.address.country_code == marketplace.country_code or export_allowed(
            marketplace.country_code, request.address.country_code
        )
        known = []
        for item in request.items:
            if item.seller_sku not in specs:
                unfulfillable.append(UnfulfillableItem(item.seller_sku, item.item_id, item.quantity, ("InvalidSKU",)))
            elif not exportable:
                reason = ("ExportUnsupported",)
                unfulfillable.append(UnfulfillableItem(item.seller_sku, item.item_id, item.quantity, reason))
            else:
                known.append(item)
        plan = plan_order(conn, caller.seller_id, known, request.address, marketplace)
    for item in known:
        short = plan.short.get(item.item_id, 0)
        if short:
            reason = ("InventoryUnavailable",)
            unfulfillable.append(UnfulfillableItem(item.seller_sku, item.item_id, short, reason))
    unfulfillable.sort(key=lambda u: [i.item_id for i in request.items].index(u.item_id))
    point = request.address.point()
    packed = _pack(plan, specs, fees.weight_unit(marketplace))
    previews = []
    for speed in request.speeds or promise.offered_speeds(marketplace):
        preview = _preview(speed, marketplace, packed, unfulfillable, point, now, request, cod=False)
        previews.append(preview)
        if request.include_cod and marketplace.cod_and_scheduled_delivery and speed in COD_SPEEDS:
            previews.append(_preview(speed, marketplace, packed, unfulfillable, point, now, request, cod=True))
    return previews


@dataclass(frozen=True)
class _Packed:
    """What does not depend on the speed, computed once per request: the lines of each planned shipment with their
    weights, the (spec, units) that would ship, and their order weight."""

    unit: str
    shipments: tuple[tuple[str, tuple[PreviewItem, ...]], ...]  # (fc_code, items)
    shipped: tuple[tuple[fees.ItemSpec, int], ...]
    weight: Decimal | None  # None when nothing ships


def _pack(plan: Plan, specs: dict[str, fees.ItemSpec], unit: str) -> _Packed:
    shipments = []
    shipped: list[tuple[fees.ItemSpec, int]] = []
    for planned in plan.shipments:
        items = []
        for pick in planned.picks:
            spec = specs[pick.sku]
            line_weight, method = fees.line_weight(spec, pick.quantity, unit)
            items.append(PreviewItem(pick.sku, pick.item_id, pick.quantity, line_weight, method))
            shipped.append((spec, pick.quantity))
        shipments.append((planned.fc_code, tuple(items)))
    order_weight = fees.order_shipping_weight(shipped, unit) if shipped else None
    return _Packed(unit, tuple(shipments), tuple(shipped), order_weight)


def _preview(
    speed: str,
    marketplace: Marketplace,
    packed: _Packed,
    unfulfillable: list[UnfulfillableItem],
    point: geo.Point | None,
    now: datetime,
    request: PreviewRequest,
    *,
    cod: bool,
) -> Preview:
    preview = Preview(speed, marketplace.marketplace_id, packed.unit, marketplace.currency, is_cod_capable=cod)
    preview.unfulfillable = list(unfulfillable)
    if speed not in promise.offered_speeds(marketplace):
        preview.order_reasons.append("DeliverySLAUnavailable")
        return preview
    for fc_code, items in packed.shipments:
        dates = promise.promise(WORLD.centers[fc_code], marketplace, speed, now, point)
        if dates is None:  # pragma: no cover - offered speeds always have a promise
            preview.order_reasons.append("DeliverySLAUnavailable")
            return preview
        preview.shipments.append(PreviewShipment(fc_code, dates, items))
    if packed.shipped:
        preview.fees = fees.estimate_fees(packed.shipped, speed, marketplace.currency, cod=cod)
    if preview.is_fulfillable:
        preview.weight = packed.weight
    if speed == "ScheduledDelivery" and request.include_delivery_windows:
        preview.delivery_time_zone = marketplace.time_zone
        preview.delivery_windows = promise.delivery_windows(marketplace, now)
    return preview
