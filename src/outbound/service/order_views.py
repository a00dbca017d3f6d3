"""Operator views of orders for the CLI and dashboard: every order of a seller, and a readable summary."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime

from rich.console import Group
from rich.table import Table
from rich.text import Text

from outbound.domain.orders import Order
from outbound.service import listing
from outbound.service import tracking as tracking_service
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


def package_tracking(db: Database, order: Order, now: datetime) -> dict[int, tracking_service.PackageDetails]:
    """Each package of the order as GetPackageTrackingDetails would answer at ``now`` (the service clock's)."""
    return {
        p.package_number: tracking_service.get_package_tracking_details(db, order.seller_id, p.package_number, now)
        for s in order.shipments
        for p in s.packages
    }


def describe(order: Order, tracking: Mapping[int, tracking_service.PackageDetails] | None = None) -> Group:
    """The order, its lines, its shipments with packages, and its returns, as Rich renderables; with ``tracking``
    (see :func:`package_tracking`), each package's carrier, status and the tracking events visible so far."""
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
    for number, details in (tracking or {}).items():
        parts.append(_timeline(number, details))
    if order.returns:
        returns = Table("return item", "line", "reason", "status", "condition", title="returns")
        for r in order.returns:
            returns.add_row(
                r.seller_return_item_id, r.item_id, r.seller_reason_code, r.status, r.received_condition or ""
            )
        parts.append(returns)
    return Group(*parts)


def _timeline(number: int, details: tracking_service.PackageDetails) -> Table:
    """One package: carrier, tracking number, current status, and its visible events, oldest first."""
    delivered = f", signed by {details.signed_for_by}" if details.signed_for_by else ""
    left_at = f", left at {details.additional_location_info}" if details.additional_location_info else ""
    table = Table(
        "time",
        "event",
        "where",
        title=f"package {number}: {details.carrier_code} {details.tracking_number} — {details.current_status}",
        caption=f"shipped {stamp(details.ship_date)}, estimated arrival {stamp(details.estimated_arrival)}"
        f"{delivered}{left_at}",
        caption_justify="left",
        min_width=72,
    )
    for event in reversed(details.events):  # the service lists them newest first
        where = ", ".join(part for part in (event.city, event.state, event.country) if part)
        table.add_row(stamp(event.at), event.code, where)
    if not details.events:
        table.add_row("", "no scan yet", "")
    return table
