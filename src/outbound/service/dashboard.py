"""What the operators' dashboard shows: order search with keyset pages, the network at a glance, stock, sellers.

Read-only use cases over ``store/search.py``; the web adapter renders them. Every function here reads through an
index, so a page costs about the same at a thousand orders as at a million (``bench/dashboard_bench.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from outbound.domain.orders import ORDER_STATUSES, SPEEDS, Order
from outbound.domain.world import WORLD
from outbound.service import tracking as tracking_service
from outbound.store import Database, search
from outbound.store import inventory as inventory_store
from outbound.store import notifications as notice_store
from outbound.store import orders as order_store
from outbound.store.search import OrderFilter, OrderRow, SellerRow

PAGE_SIZE = 50
CHART_DAYS = 30

__all__ = ["OrderFilter", "OrderRow", "SellerRow"]


class DashboardError(ValueError):
    """A filter or cursor the dashboard cannot use; its message is shown to the operator."""


def marketplace_zone(marketplace_id: str) -> str:
    """The IANA time zone of a marketplace (UTC for one we do not know)."""
    found = WORLD.marketplaces.get(marketplace_id)
    return found.time_zone if found else "UTC"


# --------------------------------------------------------------------------------------------------- orders


@dataclass(frozen=True)
class OrderPage:
    rows: list[OrderRow]
    next_cursor: str | None


def encode_cursor(row: OrderRow) -> str:
    return f"{row.received_at.isoformat()}~{row.id}"


def decode_cursor(text: str) -> tuple[datetime, int]:
    moment, _, last = text.partition("~")
    try:
        at = datetime.fromisoformat(moment)
        if at.tzinfo is None:
            raise ValueError("zone-less")
        row_id = int(last)
        if not 0 <= row_id < 2**63:  # beyond the id column: never a cursor this service made
            raise ValueError("out of range")
        return at.astimezone(UTC), row_id
    except (ValueError, OverflowError):
        raise DashboardError("that page link is not valid any more; start from the first page") from None


def check_filter(wanted: OrderFilter) -> None:
    if wanted.status and wanted.status not in ORDER_STATUSES:
        raise DashboardError(f"status must be one of {', '.join(ORDER_STATUSES)}")
    if wanted.speed and wanted.speed not in SPEEDS:
        raise DashboardError(f"speed must be one of {', '.join(SPEEDS)}")
    if wanted.received_from and wanted.received_before and wanted.received_from >= wanted.received_before:
        raise DashboardError("the date range ends before it starts")


def day_bounds(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """An inclusive range of UTC days as [start, end + 1 day) instants."""
    lower = datetime(start.year, start.month, start.day, tzinfo=UTC) if start else None
    upper = datetime(end.year, end.month, end.day, tzinfo=UTC) + timedelta(days=1) if end else None
    return lower, upper


def search_orders(db: Database, wanted: OrderFilter, cursor: str | None = None, size: int = PAGE_SIZE) -> OrderPage:
    """One page of orders, newest first; ``next_cursor`` fetches the next (``None`` on the last page)."""
    check_filter(wanted)
    after = decode_cursor(cursor) if cursor else None
    with db.read() as conn:
        found = search.search_orders(conn, wanted, after, size + 1)
    rows = found[:size]
    return OrderPage(rows, encode_cursor(rows[-1]) if len(found) > size else None)


@dataclass(frozen=True)
class OrderDetail:
    order: Order
    tracking: dict[int, tracking_service.PackageDetails]
    zone: str
    notifications: list[notice_store.LogEntry]  # what its seller's subscriptions were sent of it, oldest first


def order_detail(db: Database, seller_id: str, seller_order_id: str, now: datetime) -> OrderDetail | None:
    """The seller's order with its lines, shipments, packages (each tracked as of ``now``), returns and
    notifications."""
    with db.read() as conn:
        stored = order_store.load_order(conn, seller_id, seller_order_id)
        sent = [] if stored is None else notice_store.log_of_order(conn, seller_id, stored.id)
    if stored is None:
        return None
    order = stored.order
    tracking = {
        p.package_number: tracking_service.get_package_tracking_details(db, seller_id, p.package_number, now)
        for s in order.shipments
        for p in s.packages
    }
    return OrderDetail(order, tracking, marketplace_zone(order.marketplace_id), sent)


def order_of_package(db: Database, seller_id: str, package_number: int) -> str | None:
    with db.read() as conn:
        return search.order_of_package(conn, seller_id, package_number)


# --------------------------------------------------------------------------------------------------- overview


@dataclass(frozen=True)
class Overview:
    now: datetime
    by_status: dict[str, int]
    days: list[str]  # the last CHART_DAYS UTC days, oldest first, as YYYY-MM-DD
    created: list[int]
    shipped: list[int]  # shipments that left, per day
    by_center: dict[str, int]
    oldest_due: datetime | None

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def lag(self) -> timedelta:
        """How far the engine is behind the clock: the oldest due step's age (zero when nothing is overdue)."""
        if self.oldest_due is None or self.oldest_due >= self.now:
            return timedelta()
        return self.now - self.oldest_due


def overview(db: Database, now: datetime) -> Overview:
    """Orders by status now, orders created and shipments shipped per day over the last CHART_DAYS days (by the
    service clock, in UTC days) and the shipments per center over the same days."""
    today = datetime(now.year, now.month, now.day, tzinfo=UTC)
    starts = [today - timedelta(days=CHART_DAYS - 1 - n) for n in range(CHART_DAYS)]
    since, until = starts[0], today + timedelta(days=1)
    with db.read() as conn:
        by_status = search.count_by_status(conn)
        created = search.created_per_day(conn, starts)
        shipped = search.shipped_per_day(conn, starts)
        centers = search.shipments_by_center(conn, since, until)
        oldest = search.oldest_due(conn)
    ordered = {s: by_status[s] for s in ORDER_STATUSES if s in by_status}
    days = [d.date().isoformat() for d in starts]
    return Overview(now, ordered, days, created, shipped, dict(sorted(centers.items())), oldest)


def count_by_status(db: Database, seller_id: str | None = None) -> dict[str, int]:
    """Orders per status now (one seller's with ``seller_id``), in the status machine's order."""
    with db.read() as conn:
        found = search.count_by_status(conn, seller_id)
    return {s: found[s] for s in ORDER_STATUSES if s in found}


def engine_lag(db: Database, now: datetime) -> tuple[datetime | None, timedelta]:
    """The oldest due lifecycle step and how far it is behind ``now`` (zero when nothing is overdue)."""
    with db.read() as conn:
        oldest = search.oldest_due(conn)
    return oldest, (now - oldest if oldest is not None and oldest < now else timedelta())


# --------------------------------------------------------------------------------------------------- stock, sellers


@dataclass(frozen=True)
class StockLine:
    sku: str
    centers: list[tuple[str, int, int]]  # (center, sellable, reserved)

    @property
    def sellable(self) -> int:
        return sum(c[1] for c in self.centers)

    @property
    def reserved(self) -> int:
        return sum(c[2] for c in self.centers)


def inventory_overview(db: Database, seller_id: str) -> list[StockLine]:
    """A seller's stock per SKU, with each center's sellable and reserved units."""
    with db.read() as conn:
        rows = inventory_store.levels(conn, seller_id)
    lines: dict[str, list[tuple[str, int, int]]] = {}
    for sku, fc, sellable, reserved in rows:
        lines.setdefault(sku, []).append((fc, sellable, reserved))
    return [StockLine(sku, centers) for sku, centers in lines.items()]


def seller_ids(db: Database) -> list[str]:
    with db.read() as conn:
        return search.seller_ids(conn)


def sellers(db: Database, seller_id: str | None = None) -> list[SellerRow]:
    """Sellers with their marketplaces and keys (never the secrets); one seller's row with ``seller_id``."""
    with db.read() as conn:
        return search.sellers_overview(conn, None if seller_id is None else [seller_id])
