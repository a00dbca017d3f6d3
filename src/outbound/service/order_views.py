"""What operators look at, as plain data for the CLI to render: every order of a seller, and each package of an
order as tracking would answer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

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


def package_tracking(db: Database, order: Order, now: datetime) -> dict[int, tracking_service.PackageDetails]:
    """Each package of the order as GetPackageTrackingDetails would answer at ``now`` (the service clock's)."""
    return {
        p.package_number: tracking_service.get_package_tracking_details(db, order.seller_id, p.package_number, now)
        for s in order.shipments
        for p in s.packages
    }
