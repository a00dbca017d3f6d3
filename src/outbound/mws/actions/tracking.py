"""GetPackageTrackingDetails (docs/mws-protocol.md "Operations")."""

from __future__ import annotations

from outbound.mws import xml
from outbound.mws.call import Call
from outbound.service.tracking import get_package_tracking_details


def _address(parent: xml.Element, tag: str, city: str, state: str, country: str) -> None:
    """A TrackingAddress: City, State and Country always present (empty when unknown)."""
    node = xml.add(parent, tag)
    xml.add(node, "City", city)
    xml.add(node, "State", state)
    xml.add(node, "Country", country)


def get_package_tracking_details_action(call: Call) -> xml.Element:
    number = call.params.integer("PackageNumber", required=True, minimum=0)
    assert number is not None
    details = get_package_tracking_details(call.ctx.db, call.caller.seller_id, number, call.ctx.clock.now())
    result = xml.result(call.action)
    xml.add(result, "PackageNumber", str(details.package_number))
    xml.add(result, "TrackingNumber", details.tracking_number)
    xml.add(result, "CarrierCode", details.carrier_code)
    xml.add(result, "CarrierPhoneNumber", details.carrier_phone)
    xml.add(result, "CarrierURL", details.carrier_url)
    xml.add(result, "ShipDate", xml.iso_seconds(details.ship_date) if details.ship_date else "")
    xml.add(
        result, "EstimatedArrivalDate", xml.iso_seconds(details.estimated_arrival) if details.estimated_arrival else ""
    )
    to = details.ship_to
    _address(result, "ShipToAddress", to.get("City", ""), to.get("State", ""), to.get("Country", ""))
    xml.add(result, "CurrentStatus", details.current_status)
    xml.add(result, "SignedForBy", details.signed_for_by)
    xml.add_opt(result, "AdditionalLocationInfo", details.additional_location_info)
    events = xml.add(result, "TrackingEvents")
    for event in details.events:
        entry = xml.add(events, "member")
        xml.add(entry, "EventDate", xml.iso_seconds(event.at))
        _address(entry, "EventAddress", event.city, event.state, event.country)
        xml.add(entry, "EventCode", event.code)
    return result
