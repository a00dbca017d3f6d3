"""The demo store: a seller with fixed credentials, a catalog in US, EU and JP centers, and orders in every status.

Everything is made the way a client's calls and the passing of time would make it: orders through
:func:`outbound.service.orders.create_fulfillment_order`, returns through ``create_fulfillment_return``, statuses
the lifecycle cannot reach alone through scenarios (``force_status``, ``hold_shipment``), and the lifecycle engine
moving the virtual clock forward over three weeks. Nothing is written row by row, so the demo shows what the
service really does. A large demo (``orders`` beyond the hand-made set) adds bulk-loaded one-unit orders spread
over the same weeks (``sim/bulk.py``), which the engine then moves like the others.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial

from outbound.domain.orders import Address, Order
from outbound.domain.returns import ReturnRequest
from outbound.service import orders as order_service
from outbound.service import returns as return_service
from outbound.service import scenarios, simulation
from outbound.service.accounts import Caller, add_seller
from outbound.service.inventory import StockChange, set_inventory
from outbound.sim import clock as clocks
from outbound.sim.bulk import bulk_orders
from outbound.store import Database, maintenance

US, UK, DE, JP = "ATVPDKIKX0DER", "A1F83G8C2ARO7P", "A1PA6795UKMFR9", "A1VC38T7YXB528"


@dataclass(frozen=True)
class DemoSeller:
    seller_id: str
    access_key: str
    secret_key: str
    marketplaces: tuple[str, ...]


# Fixed and published (README): a demo store is a sandbox, never a place for real credentials.
SELLER = DemoSeller(
    "A1OUTBOUNDDEMO", "AKIAOUTBOUNDDEMO0001", "outbound-demo/secret/EXAMPLEKEY0000000001", (US, UK, DE, JP)
)
DEFAULT_ORDERS = 60
MAX_ORDERS = 1_000_000
WINDOW = timedelta(days=20)  # the demo's history: its first order this long before the clock's final instant
TICK = timedelta(hours=6)  # the clock moves in steps this long, so a large demo's progress can be followed
BULK_CALL = 50_000  # bulk orders per call (one transaction each)

# (SKU, weight lb, dimensions in, category, {center: units}); BULK carries the large demo's one-unit orders.
CATALOG: tuple[tuple[str, str, tuple[str, str, str], str, dict[str, int]], ...] = (
    ("OB-MUG-12OZ", "0.9", ("5", "4", "4"), "default", {"BFI4": 40, "ONT8": 40, "DFW7": 40, "ABE8": 40, "JAX3": 40}),
    ("OB-TEA-SAMPLER", "0.6", ("8", "5", "3"), "grocery", {"BFI4": 60, "MDW2": 60, "BWI2": 60}),
    ("OB-HOODIE-M", "1.4", ("12", "10", "3"), "apparel", {"ONT8": 25, "IND9": 25}),
    ("OB-EARBUDS", "0.4", ("5", "4", "2"), "electronics", {"PHX6": 30, "ATL6": 30}),
    ("OB-LIMITED-PRINT", "2.0", ("24", "18", "1"), "default", {"SLC1": 2}),
    ("OB-TEA-TIN-UK", "0.5", ("4", "4", "5"), "grocery", {"LTN1": 40, "BHX4": 20}),
    ("OB-MUG-DE", "0.9", ("5", "4", "4"), "default", {"FRA1": 30, "LEJ1": 30}),
    ("OB-MATCHA-JP", "0.3", ("4", "4", "4"), "grocery", {"NRT1": 40, "KIX1": 40}),
    ("OB-BULK-TEE", "0.5", ("10", "8", "1"), "apparel", {"BFI4": 0, "ONT8": 0, "DFW7": 0, "ABE8": 0}),
)
BULK_SKU = "OB-BULK-TEE"

DESTINATIONS = {
    "seattle": {"Name": "Jane Doe", "Line1": "1200 12th Ave S", "City": "Seattle", "StateOrProvinceCode": "WA",
                "CountryCode": "US", "PostalCode": "98144"},
    "brooklyn": {"Name": "Sam Rivera", "Line1": "200 Eastern Pkwy", "City": "Brooklyn", "StateOrProvinceCode": "NY",
                 "CountryCode": "US", "PostalCode": "11238"},
    "austin": {"Name": "Priya Shah", "Line1": "1100 Congress Ave", "City": "Austin", "StateOrProvinceCode": "TX",
               "CountryCode": "US", "PostalCode": "78701"},
    "chicago": {"Name": "Lee Chen", "Line1": "111 S Michigan Ave", "City": "Chicago", "StateOrProvinceCode": "IL",
                "CountryCode": "US", "PostalCode": "60603"},
    "london": {"Name": "Oliver Smith", "Line1": "10 Downing Street", "City": "London",
               "StateOrProvinceCode": "Greater London", "CountryCode": "GB", "PostalCode": "SW1A 2AA"},
    "berlin": {"Name": "Anna Schmidt", "Line1": "Unter den Linden 1", "City": "Berlin",
               "StateOrProvinceCode": "Berlin", "CountryCode": "DE", "PostalCode": "10117"},
    "tokyo": {"Name": "Yamada Hanako", "Line1": "Meguro-ku 2-24-1", "StateOrProvinceCode": "Tokyo",
              "CountryCode": "JP", "PostalCode": "153-0064"},
}  # fmt: skip

# The hand-made orders that complete over the first two weeks: (destination, marketplace, [(sku, qty)], speed).
ROTATION: tuple[tuple[str, str, tuple[tuple[str, int], ...], str], ...] = (
    ("seattle", US, (("OB-MUG-12OZ", 2),), "Standard"),
    ("brooklyn", US, (("OB-TEA-SAMPLER", 1), ("OB-MUG-12OZ", 1)), "Expedited"),
    ("austin", US, (("OB-HOODIE-M", 1),), "Standard"),
    ("chicago", US, (("OB-EARBUDS", 1),), "Priority"),
    ("london", UK, (("OB-TEA-TIN-UK", 2),), "Standard"),
    ("berlin", DE, (("OB-MUG-DE", 1),), "Expedited"),
    ("tokyo", JP, (("OB-MATCHA-JP", 3),), "Standard"),
)
OUTCOMES = ("delivered", "delivered", "delayed", "delivered", "failed_attempt", "delivered", "returned", "lost")
RETURN_MARKETPLACES = (US, UK, DE, JP)


class DemoError(ValueError):
    """The store cannot take the demo (it holds other data, or the size is out of range)."""


Progress = Callable[[str, int, int], None]  # (phase, done, total)


@dataclass
class Summary:
    seller: DemoSeller
    clock: datetime
    seconds: float
    orders: dict[str, int] = field(default_factory=dict)
    shipments: int = 0
    packages: int = 0
    returns: int = 0
    steps: int = 0
    created: bool = True  # False: the store already held the demo, nothing was added


def state(db: Database) -> str:
    """``empty``, ``demo`` (the demo seller is there) or ``other`` (someone else's data)."""
    with db.read() as conn:
        if maintenance.seller_exists(conn, SELLER.seller_id):
            return "demo"
        sellers, order_count = maintenance.counts(conn)
    return "empty" if sellers == 0 and order_count == 0 else "other"


def load(db: Database, orders: int = DEFAULT_ORDERS, progress: Progress | None = None) -> Summary:
    """Fill an empty store with the demo (``orders`` in all, at least the hand-made set); see the module text."""
    if not 1 <= orders <= MAX_ORDERS:
        raise DemoError(f"--orders must be between 1 and {MAX_ORDERS:,}")
    found = state(db)
    if found == "demo":
        return _summary(db, 0.0, 0, created=False)
    if found == "other":
        raise DemoError("the store already holds other sellers or orders; run `outbound reset` or use another --db")
    began = time.perf_counter()
    report = progress or (lambda phase, done, total: None)
    end = _final_instant()
    start = end - WINDOW
    clocks.VirtualClock(db).set(start)  # an empty store: nothing has happened yet that moving the clock could undo
    bulk = max(0, orders - DEFAULT_ORDERS)
    _catalog(db, bulk)
    if bulk:
        _bulk(db, bulk, start, report)
    story = _Story(db, start)
    steps = story.play(end, report, bulk=bulk > 0)
    return _summary(db, time.perf_counter() - began, steps)


def _final_instant() -> datetime:
    """The demo's "now": the wall clock's last whole minute, so the data looks recent."""
    return datetime.now(UTC).replace(second=0, microsecond=0)


def _catalog(db: Database, bulk: int) -> None:
    add_seller(db, SELLER.seller_id, SELLER.access_key, SELLER.secret_key, None, list(SELLER.marketplaces))
    shares = _bulk_shares(bulk)
    for sku, weight, dims, category, stock in CATALOG:
        for fc_code, units in stock.items():
            extra = shares.get(fc_code, 0) if sku == BULK_SKU else 0
            dimensions = (Decimal(dims[0]), Decimal(dims[1]), Decimal(dims[2]))
            change = StockChange(SELLER.seller_id, sku, units + extra, fc_code, Decimal(weight), dimensions, category)
            set_inventory(db, change)


def _bulk_shares(bulk: int) -> dict[str, int]:
    centers = [fc for sku, *_, stock in CATALOG if sku == BULK_SKU for fc in stock]
    share, extra = divmod(bulk, len(centers))
    return {fc: share + (1 if n < extra else 0) for n, fc in enumerate(centers)}


def _bulk(db: Database, count: int, start: datetime, report: Progress) -> None:
    """``count`` one-unit orders received evenly over the first two weeks, each reserved at one US center."""
    spacing = timedelta(days=14) / count
    done = 0
    report("loading orders", 0, count)
    for fc_code, share in _bulk_shares(count).items():
        left = share
        while left:
            chunk = min(BULK_CALL, left)
            bulk_orders(db, SELLER.seller_id, BULK_SKU, fc_code, chunk, start, prefix="BULK-", spacing=spacing,
                        first=done)  # fmt: skip
            done += chunk
            left -= chunk
            report("loading orders", done, count)


class _Story:
    """The hand-made orders, each placed at its moment on the virtual clock, and the clock moved in ticks."""

    def __init__(self, db: Database, start: datetime) -> None:
        self.db = db
        self.start = start
        self.caller = Caller(SELLER.access_key, SELLER.seller_id, US)
        self.counter = 0
        self.steps = 0
        self.now = start

    def play(self, end: datetime, report: Progress, *, bulk: bool) -> int:
        plan = self._plan(end)
        tick = TICK if bulk else timedelta(days=1)  # a large demo moves in smaller steps to show its progress
        ticks = math.ceil((end - self.start) / tick)
        for n in range(ticks + 1):
            moment = min(self.start + n * tick, end)
            due = [(at, action) for at, action in plan if at <= moment]
            plan = [(at, action) for at, action in plan if at > moment]
            for at, action in sorted(due, key=lambda pair: pair[0]):
                self._move_to(at)
                action()
            self._move_to(moment)
            report("moving the clock", n + 1, ticks + 1)
        return self.steps

    def _move_to(self, moment: datetime) -> None:
        if moment > self.now:
            self.steps += simulation.set_to(self.db, moment).steps
            self.now = moment

    def _plan(self, end: datetime) -> list[tuple[datetime, Callable[[], None]]]:
        plan: list[tuple[datetime, Callable[[], None]]] = []
        early = DEFAULT_ORDERS - 10  # completed orders; the ten others end in the other statuses, near the end
        for n in range(early):
            at = self.start + timedelta(days=n * 14 // early, hours=9)  # a few a day: one clock move places them
            plan.append((at, partial(self._complete, n)))
        plan.append((self.start + timedelta(days=15), self._returns))
        plan.append((self.start + timedelta(days=2), self._partial))
        plan.append((end - timedelta(hours=30), self._processing))
        plan.append((end - timedelta(hours=20), lambda: self._forced("UNFULFILLABLE")))
        plan.append((end - timedelta(hours=20, minutes=-1), lambda: self._forced("INVALID")))
        plan.append((end - timedelta(hours=8), self._cancelled))
        plan.append((end - timedelta(hours=7), self._cancelled))
        plan.append((end - timedelta(minutes=10), self._planning))
        plan.append((end - timedelta(minutes=9), self._planning))
        plan.append((end, self._received))
        plan.append((end, lambda: self._received(hold=True)))
        return plan

    # ------------------------------------------------------------------------------------------- the orders

    def _create(
        self,
        where: str,
        marketplace: str,
        lines: tuple[tuple[str, int], ...],
        speed: str = "Standard",
        *,
        action: str = "Ship",
        policy: str = "FillOrKill",
    ) -> Order:
        self.counter += 1
        order_id = f"DEMO-{self.counter:04d}"
        items = tuple(order_service.ItemRequest(sku, f"{order_id}-{n}", qty) for n, (sku, qty) in enumerate(lines, 1))
        request = order_service.CreateOrderRequest(
            seller_order_id=order_id,
            displayable_order_id=order_id,
            displayable_order_at=self.now,
            displayable_order_comment="Thank you for shopping with the Outbound demo store.",
            shipping_speed=speed,
            destination=Address(dict(DESTINATIONS[where])),
            items=items,
            marketplace_id=marketplace,
            fulfillment_action=action,
            fulfillment_policy=policy,
        )
        return order_service.create_fulfillment_order(self.db, self.caller, request, self.now).order

    def _scenario(self, kind: str, params: dict[str, object], order_id: str) -> None:
        scenarios.add(self.db, SELLER.seller_id, kind, params, self.now, seller_order_id=order_id, order_exists=False)

    def _complete(self, n: int) -> None:
        where, marketplace, lines, speed = ROTATION[n % len(ROTATION)]
        order_id = f"DEMO-{self.counter + 1:04d}"
        self._scenario("package", {"outcome": OUTCOMES[n % len(OUTCOMES)]}, order_id)
        self._create(where, marketplace, lines, speed)

    def _partial(self) -> None:
        """FillAllAvailable for more than the stock: what exists ships, the rest is unfulfillable."""
        self._create("austin", US, (("OB-LIMITED-PRINT", 5),), policy="FillAllAvailable")

    def _processing(self) -> None:
        order_id = f"DEMO-{self.counter + 1:04d}"
        self._scenario("hold_shipment", {}, order_id)  # picked and packed, waiting to leave
        self._create("brooklyn", US, (("OB-MUG-12OZ", 1), ("OB-EARBUDS", 1)), "Expedited")

    def _forced(self, status: str) -> None:
        order = self._create("chicago", US, (("OB-TEA-SAMPLER", 2),))
        self._scenario("force_status", {"status": status}, order.seller_order_id)
        simulation.wake(self.db, SELLER.seller_id, order.seller_order_id, self.now)

    def _cancelled(self) -> None:
        order = self._create("seattle", US, (("OB-HOODIE-M", 1),))
        order_service.cancel_fulfillment_order(self.db, SELLER.seller_id, order.seller_order_id, self.now)

    def _planning(self) -> None:
        self._create("london", UK, (("OB-TEA-TIN-UK", 1),))

    def _received(self, hold: bool = False) -> None:
        if hold:  # held: units reserved, nothing planned until the seller says Ship (or two weeks pass)
            self._create("tokyo", JP, (("OB-MATCHA-JP", 1),), action="Hold")
        else:
            self._create("berlin", DE, (("OB-MUG-DE", 2),))

    def _returns(self) -> None:
        """One unit back from the first shipped order of each marketplace that takes returns, and a few more."""
        asked: set[str] = set()
        for n in range(1, self.counter + 1):
            order = order_service.get_fulfillment_order(self.db, SELLER.seller_id, f"DEMO-{n:04d}")
            shipped = [s for s in order.shipments if s.status == "SHIPPED" and s.items]
            if not shipped or (order.marketplace_id in asked and n % 5):
                continue
            asked.add(order.marketplace_id)
            unit = shipped[0].items[0]
            codes = return_service.list_return_reason_codes(
                self.db, SELLER.seller_id, return_service.ReasonCodesRequest(unit.seller_sku, order.marketplace_id)
            )
            request = ReturnRequest(
                f"{order.seller_order_id}-R1", unit.item_id, shipped[0].amazon_shipment_id, codes[0].return_reason_code
            )
            return_service.create_fulfillment_return(self.db, SELLER.seller_id, order.seller_order_id, [request],
                                                     self.now)  # fmt: skip


def _summary(db: Database, seconds: float, steps: int, *, created: bool = True) -> Summary:
    from outbound.service import stats

    found = stats.store_figures(db, SELLER.seller_id)
    return Summary(
        SELLER,
        clocks.VirtualClock(db).now(),
        seconds,
        found.orders_by_status,
        found.shipments,
        found.packages,
        found.returns,
        steps,
        created,
    )


__all__ = ["DEFAULT_ORDERS", "MAX_ORDERS", "SELLER", "DemoError", "DemoSeller", "Summary", "load", "state"]
