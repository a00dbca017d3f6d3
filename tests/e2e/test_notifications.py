"""Notifications end to end: orders created over real HTTP on a virtual clock, moved through shipping, delivery and a
return; their FULFILLMENT_ORDER_STATUS and FBA_OUTBOUND_SHIPMENT_STATUS notifications delivered to a real SQS-
compatible server (moto's, over the SQS protocol) and to real webhook receivers, each valid against Amazon's JSON
schema, the XML form parsed as MWS's envelope, signatures checked, a receiver down for a while, one seller's
subscription never hearing of another's orders."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from lxml import etree

from outbound.client import Address, CreateItem, CreateReturnItem, OutboundClient
from outbound.notify import sinks
from outbound.service import notifications, simulation
from outbound.service.accounts import add_seller
from outbound.service.inventory import StockChange, set_inventory
from outbound.store import Database
from tests.helpers import ACCESS_KEY, SECRET_KEY, SELLER, Server, serve_virtual
from tests.notify_helpers import (
    FAST,
    Receiver,
    Sqs,
    deliver_all,
    receiver,  # noqa: F401  (a fixture)
    sqs_server,  # noqa: F401  (a fixture)
    summary,
    validate,
)

MUG = "BLUE-MUG-12OZ"
OTHER, OTHER_KEY, OTHER_SECRET = "A3OTHERSELLER9", "AKIAOTHERSELLER00001", "other/secret/EXAMPLEKEY000000000000001"
SECRET = "whsec-test-0123456789"
JANE = Address(
    "Jane Doe", "1200 12th Ave S", city="Seattle", state_or_province_code="WA", country_code="US", postal_code="98144"
)
FOS, FBA = "FULFILLMENT_ORDER_STATUS", "FBA_OUTBOUND_SHIPMENT_STATUS"


@pytest.fixture
def virtual_server(db: Database) -> Iterator[Server]:
    add_seller(db, OTHER, OTHER_KEY, OTHER_SECRET)
    set_inventory(db, StockChange(SELLER, MUG, 20, "BFI4"))
    set_inventory(db, StockChange(OTHER, MUG, 20, "BFI4"))
    yield from serve_virtual(db)


def shipped_and_returned(server: Server) -> None:
    """MCF-1 (two mugs) shipped, delivered and one unit returned; MCF-2 created and cancelled; the other seller's
    OTHER-1 shipped."""
    db = server.ctx.db
    with (
        OutboundClient(server.url, ACCESS_KEY, SECRET_KEY, SELLER) as mws,
        OutboundClient(server.url, OTHER_KEY, OTHER_SECRET, OTHER) as other,
    ):
        mws.create_fulfillment_order("MCF-1", JANE, [CreateItem(MUG, "MCF-1-1", 2)])
        mws.create_fulfillment_order("MCF-2", JANE, [CreateItem(MUG, "MCF-2-1", 1)])
        other.create_fulfillment_order("OTHER-1", JANE, [CreateItem(MUG, "OTHER-1-1", 1)])
        mws.cancel_fulfillment_order("MCF-2")
        simulation.advance(db, timedelta(days=5))
        (shipment,) = mws.get_fulfillment_order("MCF-1").shipments
        mws.create_fulfillment_return(
            "MCF-1", [CreateReturnItem("RET-1", "MCF-1-1", shipment.amazon_shipment_id, "CR-DEFECTIVE")]
        )
        simulation.advance(db, timedelta(days=21))


EXPECTED_MCF1 = [
    ("MCF-1", "Order", "RECEIVED"),
    ("MCF-1", "Order", "PLANNING"),
    ("MCF-1", "Shipment", "PENDING"),
    ("MCF-1", "Order", "PROCESSING"),
    ("MCF-1", "Shipment", "SHIPPED"),
    ("MCF-1", "Order", "COMPLETE"),
    ("MCF-1", "Return", MUG),
]
EXPECTED_MCF2 = [("MCF-2", "Order", "RECEIVED"), ("MCF-2", "Order", "CANCELLED")]


def by_order(found: list[tuple[str, ...]], order: str) -> list[tuple[str, ...]]:
    return [s for s in found if s[0] == order]


def test_the_lifecycle_reaches_sqs_and_webhooks_in_order_valid_and_signed(
    virtual_server: Server,
    receiver: Receiver,  # noqa: F811
    sqs_server: Sqs,  # noqa: F811
) -> None:
    db = virtual_server.ctx.db
    queue_url, queue_arn = sqs_server.queue(f"fos-{db.is_sqlite}")
    notifications.subscribe(db, SELLER, FOS, "sqs", queue_arn)
    notifications.subscribe(db, SELLER, FOS, "webhook", receiver.url + "/json", secret=SECRET)
    notifications.subscribe(db, SELLER, FOS, "webhook", receiver.url + "/xml", format="mws-xml")
    notifications.subscribe(db, SELLER, FBA, "webhook", receiver.url + "/fba")
    notifications.subscribe(db, OTHER, FOS, "webhook", receiver.url + "/other")

    shipped_and_returned(virtual_server)
    deliver_all(db, sqs_server)

    hooked = receiver.bodies("/json")
    for notification in hooked:
        validate(notification)
        assert notification["NotificationType"] == FOS
    seen = [summary(n) for n in hooked]
    assert by_order(seen, "MCF-1") == EXPECTED_MCF1
    assert by_order(seen, "MCF-2") == EXPECTED_MCF2
    assert sorted(seen) == sorted(EXPECTED_MCF1 + EXPECTED_MCF2)  # nothing of the other seller's
    assert len({n["NotificationMetadata"]["NotificationId"] for n in hooked}) == len(hooked)

    shipped = next(n for n in hooked if summary(n) == ("MCF-1", "Shipment", "SHIPPED"))
    inner = shipped["Payload"]["FulfillmentOrderStatusNotification"]
    packages = inner["FulfillmentShipment"]["FulfillmentShipmentPackages"]
    assert packages and all(p["CarrierCode"] and p["TrackingNumber"] for p in packages)
    with OutboundClient(virtual_server.url, ACCESS_KEY, SECRET_KEY, SELLER) as mws:
        (shipment,) = mws.get_fulfillment_order("MCF-1").shipments
    assert {p["PackageNumber"] for p in packages} == {p.package_number for p in shipment.packages}
    assert {p["TrackingNumber"] for p in packages} == {p.tracking_number for p in shipment.packages}
    assert inner["FulfillmentShipment"]["AmazonShipmentId"] == shipment.amazon_shipment_id
    # the event time is the simulated time of the change: the shipment left at its ShippingDateTime
    assert shipment.shipping_datetime is not None
    assert inner["StatusUpdatedDateTime"][:19] == shipment.shipping_datetime.strftime("%Y-%m-%dT%H:%M:%S")

    for received in receiver.at("/json"):  # signed: HMAC-SHA256 of "<timestamp>.<body>"
        stamp = received.headers["x-outbound-timestamp"]
        assert sinks.verify(SECRET, stamp, received.body, received.headers["x-outbound-signature"])
        assert not sinks.verify("another secret", stamp, received.body, received.headers["x-outbound-signature"])
    assert all("x-outbound-signature" not in r.headers for r in receiver.at("/xml"))

    queued = sqs_server.drain(queue_url)
    for notification in queued:
        validate(notification)
    assert [summary(n) for n in queued] == seen  # the FIFO queue keeps the order sent

    documents = [etree.fromstring(r.body) for r in receiver.at("/xml")]
    xml_seen = []
    for doc in documents:
        assert doc.tag == "Notification"
        assert [c.tag for c in doc] == ["NotificationMetaData", "NotificationPayload"]
        meta = doc.find("NotificationMetaData")
        assert meta is not None
        assert [c.tag for c in meta] == [
            "NotificationType",
            "PayloadVersion",
            "UniqueId",
            "PublishTime",
            "SellerId",
            "MarketplaceId",
        ]
        assert meta.findtext("NotificationType") == "FulfillmentOrderStatus"
        assert meta.findtext("MarketplaceId") == "ATVPDKIKX0DER"
        body = doc.find("NotificationPayload/FulfillmentOrderStatusNotification")
        assert body is not None and body.findtext("SellerId") == SELLER
        event = body.findtext("EventType")
        status = {
            "Order": body.findtext("FulfillmentOrderStatus"),
            "Shipment": body.findtext("FulfillmentShipment/FulfillmentShipmentStatus"),
            "Return": body.findtext("FulfillmentReturnItem/SellerSKU"),
        }[event or ""]
        xml_seen.append((body.findtext("SellerFulfillmentOrderId"), event, status))
        if status == "SHIPPED":
            numbers = body.findall("FulfillmentShipment/FulfillmentShipmentPackages/FulfillmentShipmentPackage")
            assert len(numbers) == len(packages)
    assert xml_seen == seen

    fba = receiver.bodies("/fba")
    for notification in fba:
        validate(notification)
    assert [summary(n) for n in fba] == [("MCF-1", "FBA", "Created")]

    others = [summary(n) for n in receiver.bodies("/other")]
    assert by_order(others, "OTHER-1")[:2] == [("OTHER-1", "Order", "RECEIVED"), ("OTHER-1", "Order", "PLANNING")]
    assert {s[0] for s in others} == {"OTHER-1"}

    log = notifications.delivery_log(db, limit=1000)
    assert log and all(e.state == "delivered" and e.attempts == 1 and e.last_error is None for e in log)


def test_a_receiver_down_for_a_while_then_back_gets_everything_in_order(
    virtual_server: Server,
    receiver: Receiver,  # noqa: F811
) -> None:
    db = virtual_server.ctx.db
    notifications.subscribe(db, SELLER, FOS, "webhook", receiver.url + "/hook")
    receiver.up = False
    shipped_and_returned(virtual_server)
    from outbound.notify import deliverer

    loop = deliverer.Deliverer(db, FAST)
    for _ in range(10):  # tried, refused, backed off
        loop.run_once()
        import time

        time.sleep(0.05)
    pending = notifications.delivery_log(db, state="pending")
    assert len(pending) == len(EXPECTED_MCF1) + len(EXPECTED_MCF2)
    assert any(e.attempts >= 2 for e in pending)
    assert all("HTTP 503" in (e.last_error or "") for e in pending if e.attempts)
    assert receiver.refused >= 2 and not receiver.got
    loop.close()

    receiver.up = True
    deliver_all(db)
    seen = [summary(n) for n in receiver.bodies("/hook")]
    assert by_order(seen, "MCF-1") == EXPECTED_MCF1
    assert by_order(seen, "MCF-2") == EXPECTED_MCF2
    assert len(seen) == len(EXPECTED_MCF1) + len(EXPECTED_MCF2)


def test_a_seller_without_subscription_costs_no_outbox_rows(virtual_server: Server, receiver: Receiver) -> None:  # noqa: F811
    db = virtual_server.ctx.db
    notifications.subscribe(db, OTHER, FOS, "webhook", receiver.url + "/other")
    with OutboundClient(virtual_server.url, ACCESS_KEY, SECRET_KEY, SELLER) as mws:
        mws.create_fulfillment_order("MCF-1", JANE, [CreateItem(MUG, "MCF-1-1", 2)])
    simulation.advance(db, timedelta(days=5))
    assert notifications.outbox_counts(db) == {}
