"""GetPackageTrackingDetails: a package's carrier, dates and the tracking events whose time has come."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from outbound.domain import carriers, tracking
from outbound.domain.errors import InvalidValue
from outbound.store import Database, journeys
from outbound.store import lifecycle as store


@dataclass(frozen=True)
class PackageDetails:
    package_number: int
    tracking_number: str
    carrier_code: str
    carrier_phone: str
    carrier_url: str
    ship_date: datetime | None
    estimated_arrival: datetime | None
    ship_to: dict[str, str]
    current_status: str
    signed_for_by: str
    additional_location_info: str | None
    events: tuple[tracking.TrackingEvent, ...]  # newest first
    customer_tracking_link: str = ""  # the carrier's tracking page for this package


def get_package_tracking_details(db: Database, seller_id: str, package_number: int, now: datetime) -> PackageDetails:
    with db.read() as conn:
        package = store.load_package(conn, seller_id, package_number)
    if package is None:
        raise InvalidValue("PackageNumber", str(package_number))
    carrier = carriers.carrier_or_none(package.carrier_code)
    journey = journeys.journey_from_json(package.journey) if package.journey else None
    events = tracking.visible_events(journey, now) if journey else ()
    return PackageDetails(
        package_number=package.package_number,
        tracking_number=package.tracking_number or "",
        carrier_code=package.carrier_code,
        carrier_phone=(carrier.phone if carrier else None) or "",
        carrier_url=carrier.url if carrier else "",
        ship_date=package.ship_date,
        # the carrier's estimate: the promise, revised once a delay or a failed attempt is visible
        estimated_arrival=tracking.estimated_arrival(journey, now) if journey else package.estimated_arrival_at,
        ship_to=package.ship_to,
        current_status=tracking.current_status(journey, now) if journey else tracking.IN_TRANSIT,
        signed_for_by=(tracking.signed_for_by(journey, now) if journey else None) or "",
        additional_location_info=tracking.additional_location_info(journey, now) if journey else None,
        events=tuple(sorted(events, key=lambda e: e.at, reverse=True)),
        customer_tracking_link=carrier.tracking_url(package.tracking_number)
        if carrier and package.tracking_number
        else "",
    )


def delivered_packages(db: Database, seller_id: str, package_numbers: Iterable[int], now: datetime) -> set[int]:
    """Which of the seller's packages have been delivered by ``now`` (what the carrier's timeline shows)."""
    delivered = set()
    with db.read() as conn:
        for number in package_numbers:
            package = store.load_package(conn, seller_id, number)
            if package is None or not package.journey:
                continue
            journey = journeys.journey_from_json(package.journey)
            if tracking.current_status(journey, now) == tracking.DELIVERED_STATUS:
                delivered.add(number)
    return delivered
