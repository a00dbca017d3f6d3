"""How the CLI shows things: Rich renderings of orders, package timelines and previews (the service layer hands
over plain data)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Group
from rich.table import Table
from rich.text import Text

from outbound.domain.orders import Order
from outbound.domain.world import WORLD
from outbound.service import tracking as tracking_service


def stamp(moment: datetime | None) -> str:
    return "" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%SZ")


def order_details(order: Order, tracking: Mapping[int, tracking_service.PackageDetails] | None = None) -> Group:
    """The order, its lines, its shipments with packages, and its returns, as Rich renderables; with ``tracking``
    (``service.order_views.package_tracking``), each package's carrier, status and the tracking events so far."""
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
        parts.append(timeline(number, details))
    if order.returns:
        returns = Table("return item", "line", "reason", "status", "condition", title="returns")
        for r in order.returns:
            returns.add_row(
                r.seller_return_item_id, r.item_id, r.seller_reason_code, r.status, r.received_condition or ""
            )
        parts.append(returns)
    return Group(*parts)


def timeline(number: int, details: tracking_service.PackageDetails) -> Table:
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


def preview(found: Any) -> Table:
    cod = " (COD)" if found.is_cod_capable else ""
    verdict = "[green]fulfillable[/]" if found.is_fulfillable else "[red]not fulfillable[/]"
    weight = f"{found.weight} {found.weight_unit}" if found.weight is not None else "-"
    fees = ", ".join(f"{name} {amount} {found.currency}" for name, amount in found.fees) or "-"
    caption = [f"weight {weight}", f"fees {fees}"]
    if found.order_reasons:
        caption.append("order: " + ", ".join(found.order_reasons))
    for item in found.unfulfillable:
        caption.append(
            f"[red]unfulfillable[/] {item.item_id} {item.seller_sku} × {item.quantity}: {', '.join(item.reasons)}"
        )
    if found.delivery_windows:
        caption.append(
            f"delivery windows ({found.delivery_time_zone}): "
            + ", ".join(
                f"{local_time(s, found.delivery_time_zone)}–{local_time(e, found.delivery_time_zone)[-5:]}"
                for s, e in found.delivery_windows
            )
        )
    table = Table(
        "center",
        "ships",
        "arrives",
        "items",
        title=f"{found.speed}{cod} in {found.marketplace_id}: {verdict}",
        caption="\n".join(caption),
        caption_justify="left",
        min_width=72,
    )
    if not found.shipments:
        table.add_row("-", "-", "-", "nothing ships")
    for shipment in found.shipments:
        zone = WORLD.centers[shipment.fc_code].time_zone
        dates = shipment.dates
        table.add_row(
            f"{shipment.fc_code} ({zone})",
            span(dates.earliest_ship, dates.latest_ship, zone),
            span(dates.earliest_arrival, dates.latest_arrival, zone),
            "\n".join(
                f"{i.item_id} {i.seller_sku} × {i.quantity} ({i.weight} {found.weight_unit}, {i.method})"
                for i in shipment.items
            ),
        )
    return table


def local_time(moment: datetime, zone: str | None) -> str:
    return moment.astimezone(ZoneInfo(zone or "UTC")).strftime("%Y-%m-%d %H:%M")


def span(start: datetime, end: datetime, zone: str) -> str:
    """Whole local days as dates ("2026-11-23 – 2026-11-24"), anything else with the local time."""
    tz = ZoneInfo(zone)
    first, last = start.astimezone(tz), end.astimezone(tz)
    if first.strftime("%H:%M:%S") == "00:00:00" and last.strftime("%H:%M:%S") == "23:59:59":
        a, b = first.strftime("%Y-%m-%d"), last.strftime("%Y-%m-%d")
        return a if a == b else f"{a} – {b}"
    return f"{local_time(start, zone)} – {local_time(end, zone)}"
