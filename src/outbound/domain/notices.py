"""What a subscriber is told: one :class:`Notice` per change of an order's status, of a shipment's status, per
returned unit processed, and per shipment created or cancelled. Plain facts taken at the moment of the change; how
they are worded (SP-API JSON, MWS XML) and where they go is the notifier's business (``outbound.notify``)."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from outbound.domain.orders import CANCELLED_BY_FULFILLER, CANCELLED_BY_SELLER, Order, Shipment

FULFILLMENT_ORDER_STATUS = "FULFILLMENT_ORDER_STATUS"
FBA_OUTBOUND_SHIPMENT_STATUS = "FBA_OUTBOUND_SHIPMENT_STATUS"
TYPES = (FULFILLMENT_ORDER_STATUS, FBA_OUTBOUND_SHIPMENT_STATUS)

ORDER, SHIPMENT, RETURN = "Order", "Shipment", "Return"  # FULFILLMENT_ORDER_STATUS's EventType
CREATED, CANCELLED = "Created", "Cancelled"  # FBA_OUTBOUND_SHIPMENT_STATUS's ShipmentStatus


class Notice(NamedTuple):
    """One change; ``kind`` is the EventType (or the ShipmentStatus of FBA_OUTBOUND_SHIPMENT_STATUS)."""

    notification_type: str
    kind: str
    order_id: int  # the store's row id: one order's notices keep their order
    seller_id: str
    seller_order_id: str
    at: datetime
    order_status: str | None
    amazon_shipment_id: str | None = None
    shipment_status: str | None = None
    estimated_arrival_at: datetime | None = None
    seller_sku: str | None = None
    quantity: int | None = None


def order_changed(order_id: int, seller_id: str, seller_order_id: str, status: str, at: datetime) -> Notice:
    return Notice(FULFILLMENT_ORDER_STATUS, ORDER, order_id, seller_id, seller_order_id, at, status)


def of_order(order_id: int, order: Order, at: datetime) -> Notice:
    return order_changed(order_id, order.seller_id, order.seller_order_id, order.status, at)


def shipment_changed(order_id: int, order: Order, shipment: Shipment, at: datetime) -> list[Notice]:
    """A shipment's new status; a cancelled one also as FBA_OUTBOUND_SHIPMENT_STATUS ``Cancelled``."""
    found = [
        Notice(
            FULFILLMENT_ORDER_STATUS,
            SHIPMENT,
            order_id,
            order.seller_id,
            order.seller_order_id,
            at,
            order.status,
            shipment.amazon_shipment_id,
            shipment.status,
            shipment.estimated_arrival_at,
        )
    ]
    if shipment.status in (CANCELLED_BY_FULFILLER, CANCELLED_BY_SELLER):
        found.append(shipment_status(order_id, order, shipment, CANCELLED, at))
    return found


def shipment_created(order_id: int, order: Order, shipment: Shipment, at: datetime) -> list[Notice]:
    """A shipment just planned: its PENDING status and FBA_OUTBOUND_SHIPMENT_STATUS ``Created``."""
    return [
        *shipment_changed(order_id, order, shipment, at),
        shipment_status(order_id, order, shipment, CREATED, at),
    ]


def shipment_status(order_id: int, order: Order, shipment: Shipment, status: str, at: datetime) -> Notice:
    return Notice(
        FBA_OUTBOUND_SHIPMENT_STATUS,
        status,
        order_id,
        order.seller_id,
        order.seller_order_id,
        at,
        order.status,
        shipment.amazon_shipment_id,
        shipment.status,
    )


def returned(
    order_id: int, seller_id: str, seller_order_id: str, order_status: str | None, sku: str, at: datetime
) -> Notice:
    """One returned unit received and processed at its returns center."""
    return Notice(
        FULFILLMENT_ORDER_STATUS,
        RETURN,
        order_id,
        seller_id,
        seller_order_id,
        at,
        order_status,
        seller_sku=sku,
        quantity=1,
    )
