"""The lifecycle end to end over HTTP, on a server whose service clock is virtual: an order is created, the clock
is moved with the admin API, and GetFulfillmentOrder and GetPackageTrackingDetails change, seen through our SDK, raw
XML and python-amazon-mws (docs/mws-protocol.md "Operations", "Real clients").
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from lxml import etree

from outbound.client import (
    Address,
    AdminClient,
    AdminError,
    CreateItem,
    MwsClientError,
    OutboundClient,
    PackageTrackingDetails,
)
from outbound.context import Context
from outbound.domain import tracking as tracking_domain
from outbound.service.accounts import add_seller
from outbound.sim.clock import VirtualClock
from outbound.store import Database, journeys
from outbound.store import lifecycle as lifecycle_store
from tests.helpers import (
    ACCESS_KEY,
    CURRENT_STATUSES,
    EVENT_CODES,
    JANE_PLAIN,
    JP,
    PATH,
    SECRET_KEY,
    SELLER,
    T0,
    US,
    N,
    Server,
    call,
    document,
    empty,
    error,
    sdk_for,
    serve_virtual,
    start_clock,
    start_server,
    stock,
    text,
    virtual_context,
)

TARO = Address("Yamada Taro", "Meguro-ku Shimomeguro 12-34-56", None, "Tokyo", "JP", "153-0002")
OTHER_SELLER, OTHER_KEY, OTHER_SECRET = (
    "A1OTHERSELLER9",
    "AKIAOTHERKEYEXAMPLE1",
    "otherSecretKeyExampleValue000000000000000",
)
TRACKING_FIELDS = [
    "PackageNumber",
    "TrackingNumber",
    "CarrierCode",
    "CarrierPhoneNumber",
    "CarrierURL",
    "ShipDate",
    "EstimatedArrivalDate",
    "ShipToAddress",
    "CurrentStatus",
    "SignedForBy",
    "TrackingEvents",
]
ADDITIONAL_LOCATION_INFO = frozenset(
    [
        "AS_INSTRUCTED",
        "CARPORT",
        "CUSTOMER_PICKUP",
        "DECK",
        "DOOR_PERSON",
        "FRONT_DESK",
        "FRONT_DOOR",
        "GARAGE",
        "GUARD",
        "MAIL_ROOM",
        "MAIL_SLOT",
        "MAILBOX",
        "MC_BOY",
        "MC_GIRL",
        "MC_MAN",
        "MC_WOMAN",
        "NEIGHBOR",
        "OFFICE",
        "OUTBUILDING",
        "PATIO",
        "PORCH",
        "REAR_DOOR",
        "RECEPTIONIST",
        "RECEIVER",
        "SECURE_LOCATION",
        "SIDE_DOOR",
    ]
)


@pytest.fixture(scope="module")
def module_server(module_store: Database) -> Iterator[Server]:
    """The module's server on its store, on the virtual clock."""
    yield from serve_virtual(module_store)


@pytest.fixture
def server(module_server: Server) -> Server:
    db = module_server.ctx.db
    empty(db)
    add_seller(db, SELLER, ACCESS_KEY, SECRET_KEY, None, [US, JP])
    start_clock(db)
    return module_server


@pytest.fixture
def sdk(server: Server) -> Iterator[OutboundClient]:
    with sdk_for(server) as client:
        yield client


@pytest.fixture
def admin(server: Server) -> Iterator[AdminClient]:
    with AdminClient(server.url) as client:
        yield client


def place(sdk: OutboundClient, order_id: str, quantity: int = 2, **extra: Any) -> None:
    sdk.create_fulfillment_order(order_id, JANE_PLAIN, [CreateItem("MUG", f"{order_id}-1", quantity)], **extra)


def shipped(sdk: OutboundClient, admin: AdminClient, order_id: str) -> list[int]:
    """Advance until the order's shipments have left; its package numbers."""
    admin.advance("2h")
    departures = [s.shipping_datetime for s in sdk.get_fulfillment_order(order_id).shipments]
    assert departures and all(departures)
    admin.set_clock(max(d for d in departures if d is not None))
    return [p.package_number for s in sdk.get_fulfillment_order(order_id).shipments for p in s.packages]


def planned(db: Database, number: int, seller: str = SELLER) -> tracking_domain.Journey:
    with db.read() as conn:
        package = lifecycle_store.load_package(conn, seller, number)
    assert package is not None and package.journey is not None
    return journeys.journey_from_json(package.journey)


def check_details(details: PackageTrackingDetails, now: datetime) -> None:
    assert details.current_status in CURRENT_STATUSES
    assert details.tracking_events, "EVENT_101 is there from the moment the package is packed"
    for event in details.tracking_events:
        assert event.event_code in EVENT_CODES
        assert event.event_date <= now  # only events whose time has come
        assert event.event_address.city and event.event_address.country
    dates = [e.event_date for e in details.tracking_events]
    assert dates == sorted(dates, reverse=True)  # newest first
    if details.current_status == "DELIVERED":
        assert details.additional_location_info in ADDITIONAL_LOCATION_INFO
    else:
        assert details.signed_for_by == "" and details.additional_location_info is None


# ------------------------------------------------------------------------------------------------ the SDK


def test_an_order_moves_with_the_clock_and_its_package_is_tracked(
    server: Server, sdk: OutboundClient, admin: AdminClient
) -> None:
    db = server.ctx.db
    stock(db, "MUG", 10)
    assert admin.clock().mode == "virtual" and admin.clock().now == T0
    place(sdk, "LIFE-1")
    admin.add_scenario(SELLER, "package", {"outcome": "delivered"}, order_id="LIFE-1")
    got = sdk.get_fulfillment_order("LIFE-1")
    assert (got.order.status, got.order.status_updated_datetime, got.shipments) == ("RECEIVED", T0, ())

    moved = admin.advance("5m")
    assert moved.now == T0 + timedelta(minutes=5) and moved.steps >= 1
    got = sdk.get_fulfillment_order("LIFE-1")
    assert got.order.status == "PLANNING"
    assert got.order.status_updated_datetime is not None
    assert T0 + timedelta(minutes=1) <= got.order.status_updated_datetime <= T0 + timedelta(minutes=5)

    admin.advance("2h")
    got = sdk.get_fulfillment_order("LIFE-1")
    assert got.order.status == "PROCESSING"
    [shipment] = got.shipments
    assert shipment.status == "PENDING" and shipment.packages == ()
    assert [(i.seller_sku, i.quantity, i.package_number) for i in shipment.items] == [("MUG", 2, None)]
    assert shipment.shipping_datetime is not None and shipment.estimated_arrival_datetime is not None

    admin.set_clock(shipment.shipping_datetime)
    got = sdk.get_fulfillment_order("LIFE-1")
    assert got.order.status == "COMPLETE"
    [shipment] = got.shipments
    [package] = shipment.packages
    assert shipment.status == "SHIPPED" and [i.package_number for i in shipment.items] == [package.package_number]

    details = sdk.get_package_tracking_details(package.package_number)
    assert details.package_number == package.package_number
    assert (details.carrier_code, details.tracking_number) == (package.carrier_code, package.tracking_number)
    assert details.ship_date is not None and details.ship_date.replace(microsecond=0) == details.ship_date
    assert details.ship_to_address.city == "Seattle" and details.ship_to_address.country == "US"
    assert [e.event_code for e in details.tracking_events] == ["EVENT_101"]
    assert details.current_status == "IN_TRANSIT" and details.signed_for_by == ""
    assert details.carrier_url.startswith("https://") and details.carrier_url.endswith("/")

    journey = planned(db, package.package_number)
    seen = 1
    while details.current_status != "DELIVERED":
        now = admin.advance("12h").now
        details = sdk.get_package_tracking_details(package.package_number)
        check_details(details, now)
        expected = [e for e in journey.events if e.at <= now]
        assert [(e.event_date, e.event_code) for e in reversed(details.tracking_events)] == [
            (e.at, e.code) for e in expected
        ]
        assert len(details.tracking_events) >= seen
        seen = len(details.tracking_events)
        assert now < T0 + timedelta(days=30), "never delivered"
    assert details.tracking_events[0].event_code == "EVENT_301"
    assert details.delivered and details.latest_event == details.tracking_events[0]
    assert sdk.get_fulfillment_order("LIFE-1").order.status == "COMPLETE"


def test_python_amazon_mws_sees_the_same_life(server: Server, admin: AdminClient) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from mws import mws as m

    stock(server.ctx.db, "MUG", 10)
    api = m.MWS(ACCESS_KEY, SECRET_KEY, SELLER, domain=server.url, uri=PATH, version="2010-10-01")
    params = {
        "Action": "CreateFulfillmentOrder",
        "SellerFulfillmentOrderId": "PY-1",
        "DisplayableOrderId": "PY-1",
        "DisplayableOrderDateTime": "2026-11-23T15:00:00Z",
        "DisplayableOrderComment": "Thanks",
        "ShippingSpeedCategory": "Standard",
        **JANE_PLAIN.to_params("DestinationAddress"),
        "Items.member.1.SellerSKU": "MUG",
        "Items.member.1.SellerFulfillmentOrderItemId": "PY-1-1",
        "Items.member.1.Quantity": "1",
    }
    assert api.make_request(params, method="POST").response.status_code == 200

    def order() -> Any:
        return api.make_request(
            {"Action": "GetFulfillmentOrder", "SellerFulfillmentOrderId": "PY-1"}, method="POST"
        ).parsed

    assert order()["FulfillmentOrder"]["FulfillmentOrderStatus"] == "RECEIVED"
    admin.advance("3h")
    got = order()
    assert got["FulfillmentOrder"]["FulfillmentOrderStatus"] == "PROCESSING"
    shipment = got["FulfillmentShipment"]["member"]
    assert shipment["FulfillmentShipmentStatus"] == "PENDING"
    assert "PackageNumber" not in shipment["FulfillmentShipmentItem"]["member"]
    admin.set_clock(str(shipment["ShippingDateTime"]))
    got = order()
    assert got["FulfillmentOrder"]["FulfillmentOrderStatus"] == "COMPLETE"
    package = got["FulfillmentShipment"]["member"]["FulfillmentShipmentPackage"]["member"]
    number = str(package["PackageNumber"])
    assert got["FulfillmentShipment"]["member"]["FulfillmentShipmentItem"]["member"]["PackageNumber"] == number

    def track() -> Any:
        return api.make_request({"Action": "GetPackageTrackingDetails", "PackageNumber": number}, method="POST").parsed

    first = track()
    assert first["PackageNumber"] == number and first["CarrierCode"] == package["CarrierCode"]
    assert first["CurrentStatus"] == "IN_TRANSIT"
    assert first["TrackingEvents"]["member"]["EventCode"] == "EVENT_101"  # one event: a dict, not a list
    admin.advance("2d")
    later = track()
    events = later["TrackingEvents"]["member"]
    assert isinstance(events, list) and len(events) > 1
    assert all(e["EventCode"] in EVENT_CODES and e["EventAddress"]["City"] for e in events)
    assert later["CurrentStatus"] in CURRENT_STATUSES

    with pytest.raises(m.MWSError) as err:
        api.make_request({"Action": "GetPackageTrackingDetails", "PackageNumber": "12345"}, method="POST")
    assert err.value.response.status_code == 400
    assert "Value 12345 for parameter PackageNumber is invalid." in str(err.value)


# ------------------------------------------------------------------------------------------------ the XML


def tracking_xml(http: httpx.Client, number: int | str) -> etree._Element:
    response = call(http, "GetPackageTrackingDetails", {"PackageNumber": str(number)})
    assert response.status_code == 200, response.text
    assert response.content.startswith(b'<?xml version="1.0"?>\n')
    result = document(response).find("m:GetPackageTrackingDetailsResult", N)
    assert result is not None
    return result


def names(node: etree._Element) -> list[str]:
    return [etree.QName(child).localname for child in node]


def check_address(node: etree._Element | None) -> tuple[str, str, str]:
    assert node is not None and names(node) == ["City", "State", "Country"]
    return (text(node, "m:City") or "", text(node, "m:State") or "", text(node, "m:Country") or "")


def test_tracking_xml_has_every_element_before_and_after_delivery(
    server: Server, sdk: OutboundClient, admin: AdminClient, http: httpx.Client
) -> None:
    stock(server.ctx.db, "MUG", 10)
    place(sdk, "XML-1")
    admin.add_scenario(SELLER, "package", {"outcome": "delivered"}, order_id="XML-1")
    [number] = shipped(sdk, admin, "XML-1")

    result = tracking_xml(http, number)
    assert names(result) == TRACKING_FIELDS  # model order, no AdditionalLocationInfo before delivery
    signed = result.find("m:SignedForBy", N)
    assert signed is not None and signed.text is None and len(signed) == 0  # <SignedForBy/>
    assert text(result, "m:CurrentStatus") == "IN_TRANSIT"
    assert text(result, "m:PackageNumber") == str(number)
    assert check_address(result.find("m:ShipToAddress", N)) == ("Seattle", "WA", "US")
    for name in ("ShipDate", "EstimatedArrivalDate"):
        value = text(result, f"m:{name}") or ""
        assert len(value) == 20 and value.endswith("Z")  # whole seconds, UTC
    [member] = result.findall("m:TrackingEvents/m:member", N)
    assert names(member) == ["EventDate", "EventAddress", "EventCode"]
    assert text(member, "m:EventCode") == "EVENT_101"
    city, _state, country = check_address(member.find("m:EventAddress", N))
    assert city and country == "US"  # the fulfillment center's town

    admin.advance("20d")
    result = tracking_xml(http, number)
    assert names(result) == [*TRACKING_FIELDS[:10], "AdditionalLocationInfo", "TrackingEvents"]
    assert text(result, "m:CurrentStatus") == "DELIVERED"
    assert text(result, "m:AdditionalLocationInfo") in ADDITIONAL_LOCATION_INFO
    members = result.findall("m:TrackingEvents/m:member", N)
    assert text(members[0], "m:EventCode") == "EVENT_301"
    for event in members:
        assert names(event) == ["EventDate", "EventAddress", "EventCode"]
        assert text(event, "m:EventCode") in EVENT_CODES
        city, _state, country = check_address(event.find("m:EventAddress", N))
        assert city and country


@pytest.mark.parametrize("outcome", ["lost", "returned"])
def test_tracking_xml_of_a_package_that_never_arrives(
    server: Server, sdk: OutboundClient, admin: AdminClient, http: httpx.Client, outcome: str
) -> None:
    stock(server.ctx.db, "MUG", 10)
    place(sdk, "BAD-1")
    admin.add_scenario(SELLER, "package", {"outcome": outcome}, order_id="BAD-1")
    [number] = shipped(sdk, admin, "BAD-1")
    admin.advance("30d")
    result = tracking_xml(http, number)
    assert names(result) == TRACKING_FIELDS  # still no AdditionalLocationInfo, SignedForBy still empty
    assert text(result, "m:SignedForBy") == ""
    assert text(result, "m:CurrentStatus") == ("UNDELIVERABLE" if outcome == "lost" else "RETURNED")
    codes = [text(m, "m:EventCode") for m in result.findall("m:TrackingEvents/m:member", N)]
    assert codes[0] == ("EVENT_409" if outcome == "lost" else "EVENT_309") and "EVENT_301" not in codes


def test_a_japanese_address_has_an_empty_city(
    server: Server, sdk: OutboundClient, admin: AdminClient, http: httpx.Client
) -> None:
    stock(server.ctx.db, "JP-TEA", 10, "NRT1")
    sdk.create_fulfillment_order("JP-1", TARO, [CreateItem("JP-TEA", "JP-1-1", 1)], marketplace_id=JP)
    [number] = shipped(sdk, admin, "JP-1")
    result = tracking_xml(http, number)
    ship_to = result.find("m:ShipToAddress", N)
    assert check_address(ship_to) == ("", "Tokyo", "JP")
    city = ship_to.find("m:City", N) if ship_to is not None else None
    assert city is not None and city.text is None  # <City/>, never left out
    details = sdk.get_package_tracking_details(number)
    assert details.ship_to_address.city == "" and details.carrier_code


def test_get_fulfillment_order_xml_shows_items_and_packages_once_packed(
    server: Server, sdk: OutboundClient, admin: AdminClient, http: httpx.Client
) -> None:
    stock(server.ctx.db, "MUG", 30)
    place(sdk, "BOX-1", quantity=15)  # two boxes

    def shipment_xml() -> etree._Element:
        response = call(http, "GetFulfillmentOrder", {"SellerFulfillmentOrderId": "BOX-1"})
        assert response.status_code == 200
        result = document(response).find("m:GetFulfillmentOrderResult", N)
        assert result is not None
        found = result.find("m:FulfillmentShipment", N)
        assert found is not None
        return found

    assert len(shipment_xml()) == 0  # <FulfillmentShipment/> before planning
    admin.advance("3h")
    member = shipment_xml().find("m:member", N)
    assert member is not None
    assert text(member, "m:FulfillmentShipmentStatus") == "PENDING"
    assert member.find("m:FulfillmentShipmentPackage", N) is None
    item = member.find("m:FulfillmentShipmentItem/m:member", N)
    assert item is not None and item.find("m:PackageNumber", N) is None  # omitted until packed
    admin.set_clock(text(member, "m:ShippingDateTime") or "")
    member = shipment_xml().find("m:member", N)
    assert member is not None and text(member, "m:FulfillmentShipmentStatus") == "SHIPPED"
    packages = member.findall("m:FulfillmentShipmentPackage/m:member", N)
    assert len(packages) == 2
    numbers = {text(p, "m:PackageNumber") for p in packages}
    for package in packages:
        assert names(package)[:3] == ["PackageNumber", "CarrierCode", "TrackingNumber"]
    item = member.find("m:FulfillmentShipmentItem/m:member", N)
    assert item is not None and text(item, "m:PackageNumber") in numbers
    for number in numbers:
        assert sdk.get_package_tracking_details(int(number or 0)).current_status == "IN_TRANSIT"


def test_unknown_or_another_sellers_package_is_invalid(
    server: Server, sdk: OutboundClient, admin: AdminClient, http: httpx.Client
) -> None:
    db = server.ctx.db
    add_seller(db, OTHER_SELLER, OTHER_KEY, OTHER_SECRET)
    stock(db, "MUG", 10, seller=OTHER_SELLER)
    with OutboundClient(server.url, OTHER_KEY, OTHER_SECRET, OTHER_SELLER) as other:
        place(other, "THEIRS")
        [theirs] = shipped(other, admin, "THEIRS")
        assert other.get_package_tracking_details(theirs).package_number == theirs
    for number in (theirs, 999_999, 0):
        with pytest.raises(MwsClientError) as err:
            sdk.get_package_tracking_details(number)
        assert (err.value.status, err.value.code) == (400, "InvalidParameterValue")
        assert err.value.message == f"Value {number} for parameter PackageNumber is invalid."
    found = error(call(http, "GetPackageTrackingDetails", {}))
    assert (found.status, found.code, found.message) == (
        400,
        "InvalidParameterValue",
        "Missing required parameter PackageNumber.",
    )
    found = error(call(http, "GetPackageTrackingDetails", {"PackageNumber": "12ab"}))
    assert (found.code, found.message) == (
        "InvalidParameterValue",
        "Value 12ab for parameter PackageNumber is invalid.",
    )


# ------------------------------------------------------------------------------------------------ the admin API


def test_admin_clock_moves_forward_only(server: Server, admin: AdminClient) -> None:
    assert admin.clock().now == T0
    assert admin.advance(timedelta(hours=1, minutes=30)).now == T0 + timedelta(minutes=90)
    assert admin.advance("1d12h").now == T0 + timedelta(days=1, hours=13, minutes=30)
    for bad in ("", "soon", "-1h", "0m", "3x"):
        with pytest.raises(AdminError) as err:
            admin.advance(bad)
        assert err.value.status == 400 and "duration" in err.value.message
    with pytest.raises(AdminError) as err:
        admin.set_clock(T0)
    assert err.value.status == 400 and "only moves forward" in err.value.message
    with pytest.raises(AdminError) as err:
        admin.set_clock("yesterday")
    assert err.value.status == 400
    target = T0 + timedelta(days=3)
    assert admin.set_clock(target).now == target
    assert admin.clock().now == target == VirtualClock(server.ctx.db).now()


def test_admin_scenarios_steer_orders(server: Server, sdk: OutboundClient, admin: AdminClient) -> None:
    stock(server.ctx.db, "MUG", 10)
    place(sdk, "FORCED")
    place(sdk, "HELD")
    forced = admin.add_scenario(SELLER, "force_status", {"status": "UNFULFILLABLE"}, order_id="FORCED")
    held = admin.add_scenario(SELLER, "hold_shipment", {}, order_id="HELD")
    listed = admin.scenarios(SELLER)
    assert [(s.id, s.kind, s.order_id) for s in listed] == [
        (forced, "force_status", "FORCED"),
        (held, "hold_shipment", "HELD"),
    ]
    admin.advance("1s")  # a forced status applies at once
    got = sdk.get_fulfillment_order("FORCED")
    assert got.order.status == "UNFULFILLABLE" and got.items[0].unfulfillable_quantity == 2
    admin.advance("2d")
    got = sdk.get_fulfillment_order("HELD")
    assert got.order.status == "PROCESSING" and got.shipments[0].status == "PENDING"
    assert admin.remove_scenario(held) is True
    assert admin.remove_scenario(held) is False
    admin.advance("1d")
    assert sdk.get_fulfillment_order("HELD").order.status == "COMPLETE"
    for kind, params in (("nonsense", {}), ("force_status", {"status": "COMPLETE"}), ("speed", {"multiplier": -1})):
        with pytest.raises(AdminError) as err:
            admin.add_scenario(SELLER, kind, params)
        assert err.value.status == 400


def test_admin_faults_answer_mws_errors_a_counted_number_of_times(
    server: Server, sdk: OutboundClient, admin: AdminClient
) -> None:
    stock(server.ctx.db, "MUG", 10)
    place(sdk, "FAULTY")
    fault = admin.add_scenario(SELLER, "fault", {"action": "GetFulfillmentOrder", "code": "InternalError"}, remaining=2)
    for _ in range(2):
        with pytest.raises(MwsClientError) as err:
            sdk.get_fulfillment_order("FAULTY")
        assert (err.value.status, err.value.code, err.value.type) == (500, "InternalError", "Receiver")
    assert admin.scenarios(SELLER) == []  # used up
    assert sdk.get_fulfillment_order("FAULTY").order.status == "RECEIVED"
    assert admin.remove_scenario(fault) is False

    throttled = admin.add_scenario(SELLER, "fault", {"action": "*", "code": "RequestThrottled"})
    for _ in range(3):  # until removed
        with pytest.raises(MwsClientError) as err:
            sdk.get_service_status()
        assert (err.value.status, err.value.code) == (503, "RequestThrottled")
    [listed] = admin.scenarios(SELLER)
    assert (listed.id, listed.remaining) == (throttled, None)
    assert admin.remove_scenario(throttled) is True
    assert sdk.get_service_status().status == "GREEN"

    only_tracking = admin.add_scenario(
        SELLER, "fault", {"action": "GetPackageTrackingDetails", "code": "InternalError"}
    )
    assert sdk.get_fulfillment_order("FAULTY").order.status == "RECEIVED"  # other operations are untouched
    with pytest.raises(MwsClientError) as err:
        sdk.get_package_tracking_details(1)
    assert err.value.code == "InternalError"
    admin.remove_scenario(only_tracking)


@contextmanager
def app_on(ctx: Context) -> Iterator[str]:
    """``create_app(ctx=...)`` served by uvicorn in a thread (``start_server``); its base URL."""
    running, thread, port = start_server(ctx)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        running.should_exit = True
        thread.join(timeout=10)


def test_admin_token_and_a_real_clock(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    """A token guards /admin when OUTBOUND_ADMIN_TOKEN is set; a real service clock cannot be moved."""
    db = server.ctx.db
    monkeypatch.setenv("OUTBOUND_ADMIN_TOKEN", "s3cret")
    with app_on(virtual_context(db)) as url:
        with pytest.raises(AdminError) as err:
            AdminClient(url).clock()
        assert err.value.status == 401
        with pytest.raises(AdminError):
            AdminClient(url, token="wrong").advance("1h")
        assert AdminClient(url, token="s3cret").advance("1h").now == T0 + timedelta(hours=1)
    monkeypatch.delenv("OUTBOUND_ADMIN_TOKEN")
    real = virtual_context(db)
    real.settings = real.settings.with_(clock="real")
    with app_on(real) as url:
        client = AdminClient(url)
        assert client.clock().mode == "real"
        for move in (lambda: client.advance("1h"), lambda: client.set_clock(T0 + timedelta(days=1))):
            with pytest.raises(AdminError) as err:
                move()
            assert (err.value.status, err.value.code) == (409, "Conflict") and "--clock virtual" in err.value.message
    assert VirtualClock(db).now() == T0 + timedelta(hours=1)
