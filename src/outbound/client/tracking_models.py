"""Typed result of GetPackageTrackingDetails (docs/mws-protocol.md "Operations"): the package, its carrier and its
tracking events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from outbound.client.models import N, Node, members, number, text, when


@dataclass(frozen=True)
class TrackingAddress:
    """City, State and Country of a TrackingAddress (each an empty string when the server sent it empty)."""

    city: str
    state: str
    country: str

    @classmethod
    def parse(cls, node: Node | None) -> TrackingAddress:
        if node is None:
            return cls("", "", "")
        return cls(text(node, "m:City") or "", text(node, "m:State") or "", text(node, "m:Country") or "")


@dataclass(frozen=True)
class TrackingEvent:
    event_date: datetime
    event_address: TrackingAddress
    event_code: str  # EVENT_101 ... EVENT_419

    @classmethod
    def parse(cls, node: Node) -> TrackingEvent:
        moment = when(node, "m:EventDate")
        if moment is None:
            raise ValueError("a TrackingEvent without an EventDate")
        return cls(moment, TrackingAddress.parse(node.find("m:EventAddress", N)), text(node, "m:EventCode") or "")


@dataclass(frozen=True)
class PackageTrackingDetails:
    """GetPackageTrackingDetails: events as the server listed them (ours: newest first; do not rely on it)."""

    package_number: int
    tracking_number: str
    carrier_code: str
    carrier_phone_number: str
    carrier_url: str
    ship_date: datetime | None
    estimated_arrival_date: datetime | None
    ship_to_address: TrackingAddress
    current_status: str  # IN_TRANSIT, DELIVERED, RETURNING, RETURNED, UNDELIVERABLE, DELAYED, ...
    signed_for_by: str  # empty until delivered (and when nobody signed)
    additional_location_info: str | None  # only once delivered
    tracking_events: tuple[TrackingEvent, ...]

    @property
    def delivered(self) -> bool:
        return self.current_status == "DELIVERED"

    @property
    def latest_event(self) -> TrackingEvent | None:
        return max(self.tracking_events, key=lambda e: e.event_date, default=None)

    @classmethod
    def parse(cls, result: Node) -> PackageTrackingDetails:
        return cls(
            package_number=number(result, "m:PackageNumber") or 0,
            tracking_number=text(result, "m:TrackingNumber") or "",
            carrier_code=text(result, "m:CarrierCode") or "",
            carrier_phone_number=text(result, "m:CarrierPhoneNumber") or "",
            carrier_url=text(result, "m:CarrierURL") or "",
            ship_date=when(result, "m:ShipDate"),
            estimated_arrival_date=when(result, "m:EstimatedArrivalDate"),
            ship_to_address=TrackingAddress.parse(result.find("m:ShipToAddress", N)),
            current_status=text(result, "m:CurrentStatus") or "",
            signed_for_by=text(result, "m:SignedForBy") or "",
            additional_location_info=text(result, "m:AdditionalLocationInfo") or None,
            tracking_events=tuple(TrackingEvent.parse(e) for e in members(result, "m:TrackingEvents")),
        )
