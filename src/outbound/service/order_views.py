"""Operator views of orders for the CLI and dashboard: every order of a seller, and a readable summary."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from rich.console import Group
from rich.table import Table
from rich.text import Text

from outbound.domain.orders import Order
from outbound.service import listing
from outbound.store import Database
from outbound.store import orders as order_store


def all_orders(db: Database, seller_id: str, start: datetime) -> Iterator[Order]:
    """Every order whose status changed since ``start``, page by page (keyset, so memory stays flat)."""
    after: tuple[datetime, str] | None = None
    far_future = datetime.max.replace(tzinfo=start.tzinfo)
    while True:
        with db.read() as conn:
            page = order_store.list_orders(conn, seller_id, start, far_future, after, (), listing.PAGE_SIZE)
        yield from page
        if len(page) < listing.PAGE_SIZE:
            return
        after = (page[-1].status_updated_at, page[-1].seller_order_id)


def stamp(moment: datetime | None) -> str:
    return "" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%SZ")


def describe(order: Order) -> Group:
    """The order, its lines, its shipments with packages, and its returns, as Rich renderables."""
    where = order.destination
    head = Text.assemble(
        (order.seller_order_id, "bold"),
        f"  {order.status}  {order.shipping_speed}  {order.fulfillment_policy}  action {order.fulfillment_action}\n",
        f"received {stamp(order.received_at)}, status updated {stamp(order.status_updated_at)}\n",
        f"to {where.get('Name')}, {where.get('Line1')}, {where.get('City') or ''} "
        f"{where.get('StateOrProvinceCode') or ''} {where.get('PostalCode') or ''} {where.country_code}",
    )
    lines = Table("item id", "SKU", "qty", "cancelled", "unfulfillable", "est. ship", "est. arrival", title="lines")
    for item in order.items:
        lines.add_row(
            item.item_id,
            item.seller_sku,
            str(item.quantity),
            str(item.cancelled_quantity),
            str(item.unfulfillable_quantity),
            stamp(item.estimated_ship_at),
            stamp(item.estimated_arrival_at),
        )
    parts: list[Text | Table] = [head, lines]
    if order.shipments:
        shipments = Table("shipment", "center", "status", "ships", "arrives", "items", "packages", title="shipments")
        for s in order.shipments:
            shipments.add_row(
                s.amazon_shipment_id,
                s.fc_code,
                s.status,
                stamp(s.shipping_at),
                stamp(s.estimated_arrival_at),
                ", ".join(f"{i.item_id}×{i.quantity}" for i in s.items),
                ", ".join(f"{p.package_number} {p.carrier_code} {p.tracking_number or ''}" for p in s.packages),
            )
        parts.append(shipments)
    if order.returns:
        returns = Table("return item", "line", "reason", "status", "condition", title="returns")
        for r in order.returns:
            returns.add_row(
                r.seller_return_item_id, r.item_id, r.seller_reason_code, r.status, r.received_condition or ""
            )
        parts.append(returns)
    return Group(*parts)
