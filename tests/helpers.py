"""What the tests share: the example seller, marketplaces and addresses, stores and servers, service calls on a
virtual clock, signed MWS requests by hand, and the readers of MWS answers.

Fixtures live in ``conftest.py``; everything a test imports lives here, defined once.
Time in the lifecycle tests starts at :data:`T0`, a Monday 08:00 in Seattle, so promises and timings are predictable.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
import uuid
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from lxml import etree
from sqlalchemy import func, select

from outbound.app import create_app
from outbound.client import Address as SdkAddress
from outbound.client import OutboundClient
from outbound.config import Settings
from outbound.context import Context
from outbound.domain.orders import Address, Order, OrderItem
from outbound.domain.world import WORLD, Marketplace
from outbound.mws import signing
from outbound.mws import throttle as throttling
from outbound.service import orders as service
from outbound.service import simulation
from outbound.service import tracking as tracking_service
from outbound.service.accounts import Caller, add_seller
from outbound.service.inventory import StockChange, levels, parse_dimensions, set_inventory
from outbound.sim.clock import RealClock, VirtualClock
from outbound.store import Database
from outbound.store import lifecycle as lifecycle_store
from outbound.store import orders as order_store
from outbound.store.schema import metadata

FIXTURES = Path(__file__).resolve().parent / "fixtures"

# ------------------------------------------------------------------------------------------------------- who and where

SELLER = "A2NKEXAMPLEF53"
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

US = "ATVPDKIKX0DER"
CA = "A2EUQ1WTGCTBG2"
BR = "A2Q3Y263D00KWC"
UK = "A1F83G8C2ARO7P"
DE = "A1PA6795UKMFR9"
JP = "A1VC38T7YXB528"
PG_ADMIN_URL = os.environ.get(
    "OUTBOUND_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)  # tests make their own databases on this server

CALLER = Caller(ACCESS_KEY, SELLER, US)

T0 = datetime(2026, 11, 23, 16, 0, 0, tzinfo=UTC)  # Monday 08:00 in Seattle (BFI4)
US_NOW = datetime(2026, 11, 23, 16, 2, 11, tzinfo=UTC)  # preview A of the worked examples, 08:02 Pacific
JP_NOW = datetime(2026, 11, 23, 1, 10, 44, tzinfo=UTC)  # preview B, 10:10 in Tokyo

SEATTLE = Address(
    {
        "Name": "Jane Doe",
        "Line1": "1200 12th Ave S",
        "City": "Seattle",
        "StateOrProvinceCode": "WA",
        "CountryCode": "US",
        "PostalCode": "98144",
    }
)
"""The worked examples' customer as the service sees her."""
JANE = SdkAddress(
    name="Jane Doe",
    line1="1200 12th Ave S",
    line2="Suite 300",
    city="Seattle",
    state_or_province_code="WA",
    country_code="US",
    postal_code="98144",
    phone_number="206-555-0142",
)
"""The same customer as our SDK sends her, with every field of the worked examples."""
JANE_PLAIN = SdkAddress(
    "Jane Doe", "1200 12th Ave S", city="Seattle", state_or_province_code="WA", country_code="US", postal_code="98144"
)
"""The same without suite or phone (what :data:`SEATTLE` holds)."""


def market(country: str) -> Marketplace:
    return next(m for m in WORLD.marketplaces.values() if m.country == country)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class FixedClock:
    """A service clock that never moves."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


# -------------------------------------------------------------------------------------------------------------- stores


def empty(db: Database) -> None:
    with db.transaction() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())


def reset(db: Database) -> Database:
    """Empty the store and register the example seller again."""
    empty(db)
    add_seller(db, SELLER, ACCESS_KEY, SECRET_KEY)
    return db


def count(db: Database, table: Any) -> int:
    with db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


# ------------------------------------------------------------------------------------------------------------- servers


@dataclass
class Server:
    url: str
    port: int
    ctx: Context


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(ctx: Context, port: int | None = None) -> tuple[uvicorn.Server, threading.Thread, int]:
    """``port``: one chosen beforehand (a test whose settings must name the server's own address); else a free one."""
    port = port or free_port()
    config = uvicorn.Config(
        create_app(ctx=ctx),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        date_header=False,
        server_header=False,
        lifespan="on",  # as a real server: stopping closes what the app holds on its loop (the awaited reads)
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.01)
    return server, thread, port


def serve(ctx: Context) -> Iterator[Server]:
    """A real HTTP server (uvicorn, in a thread) for ``ctx``, stopped when the generator is closed."""
    server, thread, port = start_server(ctx)
    yield Server(f"http://127.0.0.1:{port}", port, ctx)
    server.should_exit = True
    thread.join(timeout=10)


def make_server(db: Database, throttle: throttling.Throttle | None = None) -> Iterator[Server]:
    """A server on ``db`` with the real clock; throttling off unless ``throttle`` is given."""
    settings = Settings(database_url=db.url, throttle=throttle is not None)
    yield from serve(Context(settings, db, throttle or throttling.Unthrottled(), RealClock()))


def virtual_context(db: Database, throttle: throttling.Throttle | None = None) -> Context:
    """A service context whose clock is the store's virtual clock (as ``outbound serve --clock virtual``)."""
    settings = Settings(database_url=db.url, clock="virtual", throttle=throttle is not None, engine=False)
    return Context(settings, db, throttle or throttling.Unthrottled(), VirtualClock(db))


def serve_virtual(db: Database, throttle: throttling.Throttle | None = None) -> Iterator[Server]:
    """A server on ``db`` whose clock is the virtual one, with the admin API: nothing moves until a test advances
    the clock, so orders ship, packages travel and returns come back exactly when the test says."""
    yield from serve(virtual_context(db, throttle))


# ------------------------------------------------------------------------------------------------------------- clients


def sdk_for(server: Server, **options: Any) -> OutboundClient:
    """Our SDK, signed in as the example seller."""
    return OutboundClient(server.url, ACCESS_KEY, SECRET_KEY, SELLER, **options)


def python_amazon_mws(server: Server) -> Any:
    """python-amazon-mws (PyPI ``mws``) pointed at ``server``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from mws import mws as m

    return m.MWS(ACCESS_KEY, SECRET_KEY, SELLER, domain=server.url, uri=PATH, version="2010-10-01")


def boto_connection(server: Server, secret: str = SECRET_KEY) -> Any:
    """boto 2's MWSConnection pointed at ``server``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from boto.mws.connection import MWSConnection

    return MWSConnection(
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=secret,
        Merchant=SELLER,
        host="127.0.0.1",
        port=server.port,
        is_secure=False,
    )


CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith("OUTBOUND_")}
"""The environment without any ``OUTBOUND_*`` setting, for the ``outbound`` command run as a subprocess."""


# -------------------------------------------------------------------------------------- the service on a virtual clock

EVENT_CODES = frozenset(
    [
        "EVENT_101",
        "EVENT_102",
        "EVENT_201",
        "EVENT_202",
        "EVENT_203",
        "EVENT_204",
        "EVENT_205",
        "EVENT_206",
        "EVENT_301",
        "EVENT_302",
        "EVENT_304",
        "EVENT_306",
        "EVENT_307",
        "EVENT_308",
        "EVENT_309",
        "EVENT_401",
        "EVENT_402",
        "EVENT_403",
        "EVENT_404",
        "EVENT_405",
        "EVENT_406",
        "EVENT_407",
        "EVENT_408",
        "EVENT_409",
        "EVENT_411",
        "EVENT_412",
        "EVENT_413",
        "EVENT_414",
        "EVENT_415",
        "EVENT_416",
        "EVENT_417",
        "EVENT_418",
        "EVENT_419",
    ]
)  # the 33 MWS codes, written out here rather than taken from the code under test
CURRENT_STATUSES = frozenset(
    [
        "IN_TRANSIT",
        "DELIVERED",
        "RETURNING",
        "RETURNED",
        "UNDELIVERABLE",
        "DELAYED",
        "AVAILABLE_FOR_PICKUP",
        "CUSTOMER_ACTION",
    ]
)


def start_clock(db: Database, at: datetime = T0) -> VirtualClock:
    """The store's virtual clock, set to ``at`` (an emptied store has none: it starts there)."""
    clock = VirtualClock(db)
    clock.set(at)
    return clock


def fresh_sqlite(path: Path) -> Database:
    """A second store, in a SQLite file, with the example seller and its virtual clock at :data:`T0`."""
    other = Database(f"sqlite:///{path}")
    other.migrate()
    add_seller(other, SELLER, ACCESS_KEY, SECRET_KEY)
    start_clock(other)
    return other


def now(db: Database) -> datetime:
    return VirtualClock(db).now()


def stock(
    db: Database,
    sku: str,
    quantity: int,
    fc: str = "BFI4",
    seller: str = SELLER,
    *,
    weight: str | None = None,
    dims: str | None = None,
) -> None:
    """Set ``quantity`` sellable units at ``fc``; ``weight`` in lb and ``dims`` as ``LxWxH`` in inches, if given."""
    sizes = None if dims is None else parse_dimensions(dims)
    set_inventory(db, StockChange(seller, sku, quantity, fc, None if weight is None else Decimal(weight), sizes))


EXAMPLE_SPECS = {
    "BLUE-MUG-12OZ": ("0.85", "5x4.5x4"),  # large standard, 1.1 lb packed, Package
    "TEA-SAMPLER-6": ("0.3", "8x5x1.39"),  # dimensional 0.4 + 0.25 lb, Dimensional
    "JP-TEA-TIN-100G": ("0.434", "4x4x0.75"),  # small standard, 0.684 lb = 0.310 kg
}
"""The worked examples' SKUs: weight and size that give the examples' shipping weights."""


def stock_example(db: Database, sku: str, quantity: int, fc: str) -> None:
    """:func:`stock` for one of the worked examples' SKUs, with its weight and size."""
    weight, dims = EXAMPLE_SPECS[sku]
    stock(db, sku, quantity, fc, weight=weight, dims=dims)


def units(db: Database, sku: str, seller: str = SELLER) -> dict[str, tuple[int, int]]:
    """fc → (sellable, reserved) of one SKU."""
    return {fc: (sellable, reserved) for _sku, fc, sellable, reserved in levels(db, seller, sku)}


def totals(db: Database, sku: str, seller: str = SELLER) -> tuple[int, int]:
    rows = units(db, sku, seller).values()
    return sum(s for s, _ in rows), sum(r for _, r in rows)


def line(sku: str, item_id: str, quantity: int) -> service.ItemRequest:
    return service.ItemRequest(sku, item_id, quantity)


def order_request(order_id: str, *items: service.ItemRequest, **extra: Any) -> service.CreateOrderRequest:
    fields: dict[str, Any] = {
        "seller_order_id": order_id,
        "displayable_order_id": f"WEB-{order_id}",
        "displayable_order_at": T0 - timedelta(minutes=5),
        "displayable_order_comment": "Thank you for shopping at Blue Kettle Tea Co.",
        "shipping_speed": "Standard",
        "destination": SEATTLE,
        "items": items,
    }
    fields.update(extra)
    return service.CreateOrderRequest(**fields)


def create(db: Database, order_id: str, *items: service.ItemRequest, caller: Caller = CALLER, **extra: Any) -> Order:
    """CreateFulfillmentOrder through the service, at the virtual clock's now."""
    created = service.create_fulfillment_order(db, caller, order_request(order_id, *items, **extra), now(db))
    assert not created.replayed
    return created.order


def get(db: Database, order_id: str, seller: str = SELLER) -> Order:
    return service.get_fulfillment_order(db, seller, order_id)


def advance(db: Database, by: timedelta) -> simulation.Moved:
    return simulation.advance(db, by)


def advance_to(db: Database, moment: datetime) -> simulation.Moved:
    return simulation.set_to(db, moment)


def events(db: Database, order_id: str, seller: str = SELLER) -> list[tuple[datetime, str, str | None]]:
    """The order's event log (store/lifecycle.events): (when, status or SHIPPED, shipment id)."""
    with db.read() as conn:
        stored = order_store.load_order(conn, seller, order_id, children=False)
        assert stored is not None
        return lifecycle_store.events(conn, stored.id)


def package_numbers(order: Order) -> list[int]:
    return [p.package_number for s in order.shipments for p in s.packages]


def orders_snapshot(db: Database, order_ids: Iterable[str]) -> dict[str, Any]:
    """Every order with its shipments, carriers, tracking numbers and events; package numbers (row-derived, unique
    per store) replaced by their position."""
    result: dict[str, Any] = {}
    for order_id in order_ids:
        order = get(db, order_id)
        numbers = {n: f"#{k}" for k, n in enumerate(package_numbers(order))}
        data = asdict(order)
        for shipment in data["shipments"]:
            for item in shipment["items"]:
                item["package_number"] = numbers.get(item["package_number"])
            for package in shipment["packages"]:
                package["package_number"] = numbers[package["package_number"]]
        data["tracking"] = [replace(tracking(db, n), package_number=0) for n in package_numbers(order)]
        data["log"] = events(db, order_id)
        result[order_id] = data
    return result


def tracking(db: Database, package_number: int, seller: str = SELLER) -> tracking_service.PackageDetails:
    """GetPackageTrackingDetails through the service, at the virtual clock's now."""
    return tracking_service.get_package_tracking_details(db, seller, package_number, now(db))


def make_order(status: str) -> Order:
    """An order in ``status`` as the domain holds it, received at :data:`T0` (no store involved)."""
    return Order(
        seller_id=SELLER,
        seller_order_id="MCF-1001",
        marketplace_id=US,
        displayable_order_id="WEB-48213",
        displayable_order_at=T0,
        displayable_order_comment="Thanks",
        shipping_speed="Standard",
        destination=Address({"Name": "Jane", "Line1": "1 Main St", "StateOrProvinceCode": "WA", "CountryCode": "US"}),
        fulfillment_action="Ship",
        fulfillment_policy="FillOrKill",
        fulfillment_method="Consumer",
        received_at=T0,
        status=status,
        status_updated_at=T0,
        items=[OrderItem("BLUE-MUG-12OZ", "MCF-1001-1", 2)],
    )


# --------------------------------------------------------------------------------------------------------- MWS by hand
# Unlike the SDK, these let a test choose every detail a real client may vary: the method, where the parameters go
# (query string or form body), the path, the Timestamp, and which parameters are left out or tampered with after
# signing.

PATH = "/FulfillmentOutboundShipment/2010-10-01"
# Requests signed by real MWS clients (see fixtures/client-requests/README.md)
VECTOR_DIR = FIXTURES / "client-requests"
VECTORS = sorted(VECTOR_DIR.glob("*.json"))
NS = "http://mws.amazonaws.com/FulfillmentOutboundShipment/2010-10-01/"
N = {"m": NS}
FORM = "application/x-www-form-urlencoded; charset=utf-8"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
MILLIS = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_iso(offset: timedelta = timedelta(0)) -> str:
    return iso(datetime.now(UTC) + offset)


def form(pairs: Iterable[tuple[str, str]]) -> str:
    """``name=value&...`` RFC 3986-encoded, as the documented clients send it."""
    return "&".join(f"{signing.encode(k)}={signing.encode(v)}" for k, v in pairs)


def signed_pairs(
    host: str,
    action: str = "GetServiceStatus",
    params: Mapping[str, str | None] | None = None,
    *,
    method: str = "POST",
    path: str = PATH,
    secret: str = SECRET_KEY,
    sign_host: str | None = None,
    sign_path: str | None = None,
    sign_method: str | None = None,
) -> list[tuple[str, str]]:
    """The common parameters plus ``params`` (a ``None`` value removes a parameter), signed last.

    ``sign_*`` sign for another host line, path or method than the one the request will use.
    """
    full: dict[str, str | None] = {
        "AWSAccessKeyId": ACCESS_KEY,
        "Action": action,
        "SellerId": SELLER,
        "SignatureMethod": "HmacSHA256",
        "SignatureVersion": "2",
        "Timestamp": now_iso(),
        "Version": "2010-10-01",
    }
    full.update(params or {})
    pairs = [(k, v) for k, v in full.items() if v is not None]
    algorithm = dict(pairs).get("SignatureMethod", "HmacSHA256")
    message = signing.string_to_sign(sign_method or method, sign_host or host, sign_path or path, pairs)
    signature = signing.sign(secret, message, algorithm if algorithm in signing.SIGNATURE_METHODS else "HmacSHA256")
    return [*pairs, ("Signature", signature)]


def send(
    http: httpx.Client,
    pairs: Iterable[tuple[str, str]],
    *,
    method: str = "POST",
    path: str = PATH,
    where: str = "body",
    headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    """Send ``pairs`` in the form body (``where="body"``) or the query string (``where="query"``)."""
    encoded = form(pairs)
    if where == "query":
        return http.request(method, f"{path}?{encoded}", content=b"", headers=dict(headers or {}))
    return http.request(
        method, path, content=encoded.encode("ascii"), headers={"Content-Type": FORM, **(headers or {})}
    )


def call(
    http: httpx.Client,
    action: str = "GetServiceStatus",
    params: Mapping[str, str | None] | None = None,
    *,
    method: str = "POST",
    path: str = PATH,
    where: str | None = None,
    after: Mapping[str, str | None] | None = None,
    **sign_options: str,
) -> httpx.Response:
    """Sign and send one request; ``after`` changes (or, with ``None``, drops) parameters once signed."""
    host = http.base_url.netloc.decode("ascii")
    pairs = signed_pairs(host, action, params, method=method, path=path, **sign_options)
    if after:
        changed = dict(pairs) | dict(after)
        pairs = [(k, v) for k, v in changed.items() if v is not None]
    return send(http, pairs, method=method, path=path, where=where or ("query" if method == "GET" else "body"))


def document(response: httpx.Response) -> etree._Element:
    return etree.fromstring(response.content)


def text(node: etree._Element, path: str) -> str | None:
    found = node.find(path, N)
    return None if found is None else (found.text or "")


def check_headers(response: httpx.Response) -> str:
    """The headers every MWS answer carries (docs/mws-protocol.md "Answers"); returns the request id."""
    assert response.headers["content-type"] == "text/xml"
    request_id = response.headers["x-mws-request-id"]
    assert UUID.fullmatch(request_id)
    assert MILLIS.fullmatch(response.headers["x-mws-timestamp"])
    assert response.headers["x-mws-response-context"]
    date = parsedate_to_datetime(response.headers["date"])
    assert abs((date - datetime.now(UTC)).total_seconds()) < 60
    assert int(response.headers["content-length"]) == len(response.content)
    assert not any(name.startswith("x-mws-quota") for name in response.headers)
    return request_id


@dataclass(frozen=True)
class Error:
    status: int
    type: str
    code: str
    message: str


def error(response: httpx.Response) -> Error:
    """Check an ``ErrorResponse`` completely (headers, declaration, namespace, fields) and return its content."""
    request_id = check_headers(response)
    assert response.content.startswith(b'<?xml version="1.0"?>\n<ErrorResponse xmlns="' + NS.encode() + b'">\n')
    root = document(response)
    assert root.tag == f"{{{NS}}}ErrorResponse"
    errors = root.findall("m:Error", N)
    assert len(errors) == 1
    fields = [child.tag.split("}")[1] for child in errors[0]]
    assert fields == ["Type", "Code", "Message"]
    assert text(root, "m:RequestID") == request_id  # capital D, like real MWS error bodies
    assert root.find("m:RequestId", N) is None
    found = Error(
        response.status_code,
        text(errors[0], "m:Type") or "",
        text(errors[0], "m:Code") or "",
        text(errors[0], "m:Message") or "",
    )
    assert found.type == ("Receiver" if found.status >= 500 and found.code != "RequestThrottled" else "Sender")
    assert found.message
    return found


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10].upper()}"


def local(node: etree._Element) -> str:
    """An element's name without its namespace."""
    return etree.QName(node).localname


def tags(node: etree._Element) -> list[str]:
    """The names of an element's children, in document order."""
    return [local(child) for child in node]


# The element order of a ReturnItem and a ReturnAuthorization (Amazon's models), written out rather than taken from
# the code under test.
RETURN_ITEM_ORDER = [
    "SellerReturnItemId",
    "SellerFulfillmentOrderItemId",
    "AmazonShipmentId",
    "SellerReturnReasonCode",
    "ReturnComment",
    "AmazonReturnReasonCode",
    "Status",
    "StatusChangedDate",
    "ReturnAuthorizationId",
    "ReturnReceivedCondition",
    "FulfillmentCenterId",
]
AUTHORIZATION_ORDER = ["ReturnAuthorizationId", "FulfillmentCenterId", "ReturnToAddress", "AmazonRmaId", "RmaPageURL"]
