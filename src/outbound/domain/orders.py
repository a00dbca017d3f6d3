"""Fulfillment orders as the domain sees them: the order, its lines, shipments, packages and returns.

Plain dataclasses with the field names of the MWS datatypes (Amazon's models) in Python spelling; the MWS adapter
renders them, the store saves them. Enumerations are the MWS values, named once here as constants (they are on
the wire and in the store: use the names, never the bare strings).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from outbound.domain import geo

if TYPE_CHECKING:  # features reads the carriers, which read this module's speed names
    from outbound.domain.features import FeatureConstraint

STANDARD = "Standard"
EXPEDITED = "Expedited"
PRIORITY = "Priority"
SCHEDULED_DELIVERY = "ScheduledDelivery"
SPEEDS = (STANDARD, EXPEDITED, PRIORITY, SCHEDULED_DELIVERY)

SHIP = "Ship"
HOLD = "Hold"
ACTIONS = (SHIP, HOLD)

FILL_OR_KILL = "FillOrKill"  # all units or none: the order is unfulfillable when any unit is short
FILL_ALL = "FillAll"  # every unit, in as many shipments as it takes: waits for stock
FILL_ALL_AVAILABLE = "FillAllAvailable"  # the units in stock; the rest is unfulfillable
POLICIES = (FILL_OR_KILL, FILL_ALL, FILL_ALL_AVAILABLE)

CONSUMER = "Consumer"
REMOVAL = "Removal"
METHODS = (CONSUMER, REMOVAL)
DISPOSITIONS = ("Sellable", "Unsellable")
DROP_OFF_TYPES = (
    "FRONT_DOOR",
    "DELIVERY_BOX",
    "GAS_METER_BOX",
    "BICYCLE_BASKET",
    "GARAGE",
    "RECEPTIONIST",
    "FALLBACK_NEIGHBOR_DELIVERY",
    "DO_NOT_LEAVE_UNATTENDED",
)
MWS = "mws"  # the protocol an order was created over (shown to operators)
SPAPI = "spapi"

RECEIVED = "RECEIVED"
INVALID = "INVALID"
PLANNING = "PLANNING"
PROCESSING = "PROCESSING"
CANCELLED = "CANCELLED"
COMPLETE = "COMPLETE"
COMPLETE_PARTIALLED = "COMPLETE_PARTIALLED"
UNFULFILLABLE = "UNFULFILLABLE"
ORDER_STATUSES = (RECEIVED, INVALID, PLANNING, PROCESSING, CANCELLED, COMPLETE, COMPLETE_PARTIALLED, UNFULFILLABLE)

PENDING = "PENDING"
SHIPPED = "SHIPPED"
CANCELLED_BY_FULFILLER = "CANCELLED_BY_FULFILLER"
CANCELLED_BY_SELLER = "CANCELLED_BY_SELLER"
SHIPMENT_STATUSES = (PENDING, SHIPPED, CANCELLED_BY_FULFILLER, CANCELLED_BY_SELLER)

ADDRESS_FIELDS = (
    "Name",
    "Line1",
    "Line2",
    "Line3",
    "DistrictOrCounty",
    "City",
    "StateOrProvinceCode",
    "CountryCode",
    "PostalCode",
    "PhoneNumber",
)


@dataclass(frozen=True, slots=True)
class Money:
    currency: str
    value: str  # decimal text as given ("2500", "40.00"): MWS echoes amounts as stored


@dataclass(frozen=True, slots=True)
class Address:
    """An Address; ``fields`` maps MWS field names (``ADDRESS_FIELDS``) to values, absent ones left out."""

    fields: dict[str, str]

    def get(self, name: str) -> str | None:
        return self.fields.get(name)

    @property
    def country_code(self) -> str:
        return self.fields.get("CountryCode", "")

    def point(self) -> geo.Point | None:
        """Where the address is, coarsely (region, postal prefix or country): what allocation measures from."""
        return geo.destination_point(self.country_code, self.get("StateOrProvinceCode"), self.get("PostalCode"))


@dataclass(frozen=True, slots=True)
class CODSettings:
    is_cod_required: bool
    cod_charge: Money | None = None
    cod_charge_tax: Money | None = None
    shipping_charge: Money | None = None
    shipping_charge_tax: Money | None = None


@dataclass(frozen=True, slots=True)
class DeliveryWindow:
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class DeliveryPreferences:
    """How the customer wants the delivery made (SP-API only; effective in JP)."""

    instructions: str | None = None
    drop_off_type: str | None = None
    drop_off_attributes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class PaymentInformation:
    transaction_id: str
    mode: str
    date: datetime


@dataclass(slots=True)
class OrderItem:
    seller_sku: str
    item_id: str  # SellerFulfillmentOrderItemId
    quantity: int
    gift_message: str | None = None
    displayable_comment: str | None = None
    fnsku: str | None = None
    disposition: str | None = None
    cancelled_quantity: int = 0
    unfulfillable_quantity: int = 0
    estimated_ship_at: datetime | None = None
    estimated_arrival_at: datetime | None = None
    per_unit_price: Money | None = None
    per_unit_tax: Money | None = None
    per_unit_declared_value: Money | None = None

    @property
    def open_quantity(self) -> int:
        """Units neither cancelled nor declared unfulfillable."""
        return self.quantity - self.cancelled_quantity - self.unfulfillable_quantity


@dataclass(frozen=True, slots=True)
class ShipmentItem:
    seller_sku: str
    item_id: str
    quantity: int
    package_number: int | None = None


@dataclass(frozen=True, slots=True)
class Package:
    package_number: int
    carrier_code: str
    tracking_number: str | None = None
    estimated_arrival_at: datetime | None = None


@dataclass(slots=True)
class Shipment:
    amazon_shipment_id: str
    fc_code: str
    status: str
    shipping_at: datetime | None = None
    estimated_arrival_at: datetime | None = None
    items: list[ShipmentItem] = field(default_factory=list)
    packages: list[Package] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ReturnItem:
    seller_return_item_id: str
    item_id: str
    amazon_shipment_id: str
    seller_reason_code: str
    status: str
    status_changed_at: datetime
    authorization_id: str
    comment: str | None = None
    amazon_reason_code: str | None = None
    received_condition: str | None = None
    fc_code: str | None = None


@dataclass(frozen=True, slots=True)
class ReturnAuthorization:
    authorization_id: str
    fc_code: str
    address: Address
    rma_id: str
    rma_url: str


@dataclass(slots=True)
class Order:
    seller_id: str
    seller_order_id: str  # SellerFulfillmentOrderId
    marketplace_id: str
    displayable_order_id: str
    displayable_order_at: datetime
    displayable_order_comment: str
    shipping_speed: str
    destination: Address
    fulfillment_action: str
    fulfillment_policy: str
    fulfillment_method: str
    received_at: datetime
    status: str
    status_updated_at: datetime
    items: list[OrderItem]
    delivery_window: DeliveryWindow | None = None
    cod: CODSettings | None = None
    notification_emails: list[str] = field(default_factory=list)
    ship_from_country_code: str | None = None
    shipments: list[Shipment] = field(default_factory=list)
    returns: list[ReturnItem] = field(default_factory=list)
    authorizations: list[ReturnAuthorization] = field(default_factory=list)
    hold_until: datetime | None = None
    # inputs only SP-API can send: stored with the order, shown only over SP-API
    feature_constraints: tuple[FeatureConstraint, ...] = ()
    delivery_preferences: DeliveryPreferences | None = None
    payment_information: list[PaymentInformation] = field(default_factory=list)
    origin: str = MWS

    def item(self, item_id: str) -> OrderItem | None:
        return next((i for i in self.items if i.item_id == item_id), None)

    @property
    def on_hold(self) -> bool:
        return self.fulfillment_action == HOLD and self.status == RECEIVED

    def units_in_shipments(self, *, include_pending: bool = True) -> dict[str, int]:
        """Units per line (item id) in shipments that left, and with ``include_pending`` those still to leave."""
        counted = (SHIPPED, PENDING) if include_pending else (SHIPPED,)
        units: dict[str, int] = {}
        for shipment in self.shipments:
            if shipment.status in counted:
                for item in shipment.items:
                    units[item.item_id] = units.get(item.item_id, 0) + item.quantity
        return units

    def unplanned_units(self) -> int:
        """Open units in no shipment yet (a FillAll order waiting for stock)."""
        planned = self.units_in_shipments()
        return sum(max(0, i.open_quantity - planned.get(i.item_id, 0)) for i in self.items)
