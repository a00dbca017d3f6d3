"""Typed results of the SDK: what each operation's response carries, parsed from its XML."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import etree

NS = "http://mws.amazonaws.com/FulfillmentOutboundShipment/2010-10-01/"
N = {"m": NS}
Node = etree._Element


def text(node: Node, path: str) -> str | None:
    found = node.find(path, N)
    return None if found is None else (found.text or "")


def when(node: Node, path: str) -> datetime | None:
    value = text(node, path)
    return None if not value else datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def number(node: Node, path: str) -> int | None:
    value = text(node, path)
    return None if value is None or value == "" else int(value)


def members(node: Node, path: str) -> list[Node]:
    return list(node.iterfind(f"{path}/m:member", N))


@dataclass(frozen=True)
class Money:
    currency_code: str
    value: str

    @classmethod
    def parse(cls, node: Node, path: str) -> Money | None:
        found = node.find(path, N)
        if found is None:
            return None
        return cls(text(found, "m:CurrencyCode") or "", text(found, "m:Value") or "")


@dataclass(frozen=True)
class Address:
    name: str
    line1: str
    city: str | None = None
    state_or_province_code: str = ""
    country_code: str = ""
    postal_code: str | None = None
    line2: str | None = None
    line3: str | None = None
    district_or_county: str | None = None
    phone_number: str | None = None

    WIRE = (
        ("name", "Name"),
        ("line1", "Line1"),
        ("line2", "Line2"),
        ("line3", "Line3"),
        ("district_or_county", "DistrictOrCounty"),
        ("city", "City"),
        ("state_or_province_code", "StateOrProvinceCode"),
        ("country_code", "CountryCode"),
        ("postal_code", "PostalCode"),
        ("phone_number", "PhoneNumber"),
    )

    def to_params(self, prefix: str) -> dict[str, str]:
        return {f"{prefix}.{wire}": getattr(self, attr) for attr, wire in self.WIRE if getattr(self, attr)}

    @classmethod
    def parse(cls, node: Node) -> Address:
        return cls(
            name=text(node, "m:Name") or "",
            line1=text(node, "m:Line1") or "",
            city=text(node, "m:City"),
            state_or_province_code=text(node, "m:StateOrProvinceCode") or "",
            country_code=text(node, "m:CountryCode") or "",
            postal_code=text(node, "m:PostalCode"),
            line2=text(node, "m:Line2"),
            line3=text(node, "m:Line3"),
            district_or_county=text(node, "m:DistrictOrCounty"),
            phone_number=text(node, "m:PhoneNumber"),
        )


@dataclass(frozen=True)
class FulfillmentOrder:
    seller_fulfillment_order_id: str
    marketplace_id: str | None
    displayable_order_id: str
    displayable_order_datetime: datetime | None
    displayable_order_comment: str
    shipping_speed_category: str
    destination_address: Address
    fulfillment_policy: str | None
    fulfillment_method: str | None
    received_datetime: datetime | None
    status: str
    status_updated_datetime: datetime | None
    fulfillment_action: str | None = None
    notification_emails: tuple[str, ...] = ()

    @classmethod
    def parse(cls, node: Node) -> FulfillmentOrder:
        address = node.find("m:DestinationAddress", N)
        return cls(
            seller_fulfillment_order_id=text(node, "m:SellerFulfillmentOrderId") or "",
            marketplace_id=text(node, "m:MarketplaceId"),
            displayable_order_id=text(node, "m:DisplayableOrderId") or "",
            displayable_order_datetime=when(node, "m:DisplayableOrderDateTime"),
            displayable_order_comment=text(node, "m:DisplayableOrderComment") or "",
            shipping_speed_category=text(node, "m:ShippingSpeedCategory") or "",
            destination_address=Address.parse(address) if address is not None else Address("", ""),
            fulfillment_policy=text(node, "m:FulfillmentPolicy"),
            fulfillment_method=text(node, "m:FulfillmentMethod"),
            received_datetime=when(node, "m:ReceivedDateTime"),
            status=text(node, "m:FulfillmentOrderStatus") or "",
            status_updated_datetime=when(node, "m:StatusUpdatedDateTime"),
            fulfillment_action=text(node, "m:FulfillmentAction"),
            notification_emails=tuple(m.text or "" for m in members(node, "m:NotificationEmailList")),
        )


@dataclass(frozen=True)
class FulfillmentOrderItem:
    seller_sku: str
    seller_fulfillment_order_item_id: str
    quantity: int
    cancelled_quantity: int
    unfulfillable_quantity: int
    fulfillment_network_sku: str | None = None
    estimated_ship_datetime: datetime | None = None
    estimated_arrival_datetime: datetime | None = None
    gift_message: str | None = None
    displayable_comment: str | None = None
    per_unit_price: Money | None = None
    per_unit_tax: Money | None = None
    per_unit_declared_value: Money | None = None

    @classmethod
    def parse(cls, node: Node) -> FulfillmentOrderItem:
        return cls(
            seller_sku=text(node, "m:SellerSKU") or "",
            seller_fulfillment_order_item_id=text(node, "m:SellerFulfillmentOrderItemId") or "",
            quantity=number(node, "m:Quantity") or 0,
            cancelled_quantity=number(node, "m:CancelledQuantity") or 0,
            unfulfillable_quantity=number(node, "m:UnfulfillableQuantity") or 0,
            fulfillment_network_sku=text(node, "m:FulfillmentNetworkSKU"),
            estimated_ship_datetime=when(node, "m:EstimatedShipDateTime"),
            estimated_arrival_datetime=when(node, "m:EstimatedArrivalDateTime"),
            gift_message=text(node, "m:GiftMessage"),
            displayable_comment=text(node, "m:DisplayableComment"),
            per_unit_price=Money.parse(node, "m:PerUnitPrice"),
            per_unit_tax=Money.parse(node, "m:PerUnitTax"),
            per_unit_declared_value=Money.parse(node, "m:PerUnitDeclaredValue"),
        )


@dataclass(frozen=True)
class ShipmentItem:
    seller_sku: str
    seller_fulfillment_order_item_id: str
    quantity: int
    package_number: int | None


@dataclass(frozen=True)
class ShipmentPackage:
    package_number: int
    carrier_code: str
    tracking_number: str | None
    estimated_arrival_datetime: datetime | None


@dataclass(frozen=True)
class FulfillmentShipment:
    amazon_shipment_id: str
    fulfillment_center_id: str
    status: str
    shipping_datetime: datetime | None
    estimated_arrival_datetime: datetime | None
    items: tuple[ShipmentItem, ...]
    packages: tuple[ShipmentPackage, ...]

    @classmethod
    def parse(cls, node: Node) -> FulfillmentShipment:
        return cls(
            amazon_shipment_id=text(node, "m:AmazonShipmentId") or "",
            fulfillment_center_id=text(node, "m:FulfillmentCenterId") or "",
            status=text(node, "m:FulfillmentShipmentStatus") or "",
            shipping_datetime=when(node, "m:ShippingDateTime"),
            estimated_arrival_datetime=when(node, "m:EstimatedArrivalDateTime"),
            items=tuple(
                ShipmentItem(
                    text(i, "m:SellerSKU") or "",
                    text(i, "m:SellerFulfillmentOrderItemId") or "",
                    number(i, "m:Quantity") or 0,
                    number(i, "m:PackageNumber"),
                )
                for i in members(node, "m:FulfillmentShipmentItem")
            ),
            packages=tuple(
                ShipmentPackage(
                    number(p, "m:PackageNumber") or 0,
                    text(p, "m:CarrierCode") or "",
                    text(p, "m:TrackingNumber"),
                    when(p, "m:EstimatedArrivalDateTime"),
                )
                for p in members(node, "m:FulfillmentShipmentPackage")
            ),
        )


@dataclass(frozen=True)
class ReturnItem:
    seller_return_item_id: str
    seller_fulfillment_order_item_id: str
    amazon_shipment_id: str
    seller_return_reason_code: str
    status: str
    status_changed_date: datetime | None
    return_authorization_id: str | None = None
    return_comment: str | None = None
    amazon_return_reason_code: str | None = None
    return_received_condition: str | None = None
    fulfillment_center_id: str | None = None

    @classmethod
    def parse(cls, node: Node) -> ReturnItem:
        return cls(
            seller_return_item_id=text(node, "m:SellerReturnItemId") or "",
            seller_fulfillment_order_item_id=text(node, "m:SellerFulfillmentOrderItemId") or "",
            amazon_shipment_id=text(node, "m:AmazonShipmentId") or "",
            seller_return_reason_code=text(node, "m:SellerReturnReasonCode") or "",
            status=text(node, "m:Status") or "",
            status_changed_date=when(node, "m:StatusChangedDate"),
            return_authorization_id=text(node, "m:ReturnAuthorizationId"),
            return_comment=text(node, "m:ReturnComment"),
            amazon_return_reason_code=text(node, "m:AmazonReturnReasonCode"),
            return_received_condition=text(node, "m:ReturnReceivedCondition"),
            fulfillment_center_id=text(node, "m:FulfillmentCenterId"),
        )


@dataclass(frozen=True)
class ReturnAuthorization:
    return_authorization_id: str
    fulfillment_center_id: str
    return_to_address: Address
    amazon_rma_id: str
    rma_page_url: str

    @classmethod
    def parse(cls, node: Node) -> ReturnAuthorization:
        address = node.find("m:ReturnToAddress", N)
        return cls(
            return_authorization_id=text(node, "m:ReturnAuthorizationId") or "",
            fulfillment_center_id=text(node, "m:FulfillmentCenterId") or "",
            return_to_address=Address.parse(address) if address is not None else Address("", ""),
            amazon_rma_id=text(node, "m:AmazonRmaId") or "",
            rma_page_url=text(node, "m:RmaPageURL") or "",
        )


@dataclass(frozen=True)
class FulfillmentOrderDetails:
    """GetFulfillmentOrder: the order with its lines, shipments and returns."""

    order: FulfillmentOrder
    items: tuple[FulfillmentOrderItem, ...]
    shipments: tuple[FulfillmentShipment, ...]
    return_items: tuple[ReturnItem, ...] = ()
    return_authorizations: tuple[ReturnAuthorization, ...] = ()

    @classmethod
    def parse(cls, result: Node) -> FulfillmentOrderDetails:
        order = result.find("m:FulfillmentOrder", N)
        assert order is not None
        return cls(
            order=FulfillmentOrder.parse(order),
            items=tuple(FulfillmentOrderItem.parse(i) for i in members(result, "m:FulfillmentOrderItem")),
            shipments=tuple(FulfillmentShipment.parse(s) for s in members(result, "m:FulfillmentShipment")),
            return_items=tuple(ReturnItem.parse(r) for r in members(result, "m:ReturnItemList")),
            return_authorizations=tuple(
                ReturnAuthorization.parse(a) for a in members(result, "m:ReturnAuthorizationList")
            ),
        )


@dataclass(frozen=True)
class OrdersPage:
    orders: tuple[FulfillmentOrder, ...]
    next_token: str | None = None

    @classmethod
    def parse(cls, result: Node) -> OrdersPage:
        return cls(
            orders=tuple(FulfillmentOrder.parse(o) for o in members(result, "m:FulfillmentOrders")),
            next_token=text(result, "m:NextToken"),
        )


@dataclass(frozen=True)
class CreateItem:
    """One line of a new order (CreateFulfillmentOrderItem)."""

    seller_sku: str
    seller_fulfillment_order_item_id: str
    quantity: int
    gift_message: str | None = None
    displayable_comment: str | None = None
    fulfillment_network_sku: str | None = None
    per_unit_declared_value: Money | None = None
    per_unit_price: Money | None = None
    per_unit_tax: Money | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def to_params(self, prefix: str) -> dict[str, str]:
        params = {
            f"{prefix}.SellerSKU": self.seller_sku,
            f"{prefix}.SellerFulfillmentOrderItemId": self.seller_fulfillment_order_item_id,
            f"{prefix}.Quantity": str(self.quantity),
        }
        for wire, value in (
            ("GiftMessage", self.gift_message),
            ("DisplayableComment", self.displayable_comment),
            ("FulfillmentNetworkSKU", self.fulfillment_network_sku),
        ):
            if value is not None:
                params[f"{prefix}.{wire}"] = value
        for wire, money in (
            ("PerUnitDeclaredValue", self.per_unit_declared_value),
            ("PerUnitPrice", self.per_unit_price),
            ("PerUnitTax", self.per_unit_tax),
        ):
            if money is not None:
                params[f"{prefix}.{wire}.CurrencyCode"] = money.currency_code
                params[f"{prefix}.{wire}.Value"] = money.value
        params.update({f"{prefix}.{k}": v for k, v in self.extra.items()})
        return params
