"""The lifecycle engine: takes orders whose next step is due and moves them along.

RECEIVED → PLANNING → PROCESSING (shipments made from the reserved units) → shipments leave (packages, carrier,
tracking journey; the units leave the inventory) → COMPLETE or COMPLETE_PARTIALLED; held orders lapse after two
weeks; FillAll orders short of stock wait for it. Every order carries the time of its next step; a step runs at
that time (``due_at``), so advancing a virtual clock by days replays each step at the moment it fell due.

Several engines may share one PostgreSQL database: each batch is claimed with ``FOR NO KEY UPDATE SKIP LOCKED`` and
applied in the same transaction, so no step runs twice and none is skipped. A batch is read and written in a few
statements (``store/batch.py``); a package's journey is stored as what it is planned from and planned when read.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Connection

from outbound.domain import allocation, carriers, lifecycle, shipping, tracking
from outbound.domain.orders import (
    CANCELLED,
    CANCELLED_BY_FULFILLER,
    COMPLETE,
    COMPLETE_PARTIALLED,
    INVALID,
    PENDING,
    PLANNING,
    PROCESSING,
    RECEIVED,
    SHIPPED,
    UNFULFILLABLE,
    Order,
    Package,
    Shipment,
    ShipmentItem,
)
from outbound.domain.world import WORLD
from outbound.sim import scenarios
from outbound.sim.clock import Clock, VirtualClock
from outbound.sim.returns import process_due_returns
from outbound.store import Database, batch, driver
from outbound.store import inventory as stock_store
from outbound.store import lifecycle as store
from outbound.store import orders as order_store

log = logging.getLogger(__name__)
BATCH = 1000  # steps per transaction on the real clock: short transactions, orders locked briefly
# catching up a virtual clock: bigger transactions (a commit costs milliseconds); on PostgreSQL small enough that
# workers catching up together still share the work batch by batch
REPLAY_BATCH = {"sqlite": 5000, "postgresql": 2000}
CHUNK = 250  # steps whose writes are sent together while the batch goes on


@dataclass
class Engine:
    db: Database
    timings: shipping.Timings = shipping.DEFAULT_TIMINGS
    rates: tracking.Rates = field(default_factory=lambda: tracking.DEFAULT_RATES)

    # ------------------------------------------------------------------------------------------- driving

    def run_due(self, now: datetime, limit: int = BATCH, *, replay: bool = False) -> int:
        """Apply one batch of due steps in one transaction; the number applied.

        With ``replay`` (virtual clock) each step runs at the time it fell due; otherwise at ``now``.
        """
        with self.db.transaction() as conn:
            read = driver.reader(conn.dialect)
            steering: dict[tuple[str, str], list[scenarios.Scenario]] = {}
            receipts: dict[int, _Receipt | None] = {}  # order id → its receipt step, None: a step on the built order

            def needs(rows: list[driver.Row]) -> list[int]:  # the orders whose step reads more than their row
                steering.update(scenarios.for_orders(conn, [(r[batch.SELLER], r[batch.SELLER_ORDER]) for r in rows]))
                for raw in rows:
                    at = read(raw[batch.NEXT_STEP_AT]) if replay else now
                    assert at is not None
                    found = steering.get((raw[batch.SELLER], raw[batch.SELLER_ORDER]), [])
                    receipts[raw[batch.ID]] = self._receipt(raw, found, at, read)
                return [order_id for order_id, receipt in receipts.items() if receipt is None]

            due = batch.claim(conn, now, limit, lock=not self.db.is_sqlite, needs=needs)
            if due:
                with batch.Writes(conn) as writes:
                    for n, raw in enumerate(due.rows, start=1):
                        receipt = receipts[raw[batch.ID]]
                        if receipt is not None:
                            receipt.write(raw[batch.ID], writes)
                        else:
                            found = steering.get((raw[batch.SELLER], raw[batch.SELLER_ORDER]), [])
                            at = read(raw[batch.NEXT_STEP_AT]) if replay else now
                            assert at is not None
                            self._step(conn, due.load(raw), found, writes, at)
                        if n % CHUNK == 0:
                            writes.send(conn)  # PostgreSQL writes these while the next steps are computed
                    writes.flush(conn)
            return len(due) + process_due_returns(conn, now, limit, replay=replay)  # issue 6: returned units due

    def run_until(self, target: datetime) -> int:
        """Every step due at or before ``target``, batch after batch, in time order (the virtual clock)."""
        total = 0
        while True:
            applied = self.run_due(target, REPLAY_BATCH.get(self.db.engine.dialect.name, BATCH), replay=True)
            total += applied
            if applied == 0:
                return total

    def advance(self, clock: VirtualClock, to: datetime) -> int:
        """Move the virtual clock to ``to`` after applying every step that fell due on the way."""
        steps = self.run_until(to)
        clock.set(to)
        return steps

    # ------------------------------------------------------------------------------------------- one step

    def _receipt(
        self, raw: driver.Row, found: list[scenarios.Scenario], now: datetime, read: Callable[[Any], datetime | None]
    ) -> _Receipt | None:
        """A received order's step (``Step.received`` when the order is not held) from the claimed row alone,
        without building the order: the receipt delay still running (only the next step's time may change) or over
        (→ PLANNING). None for any other step: the engine builds the order and takes it."""
        if raw[batch.STATUS] != RECEIVED or raw[batch.ACTION] == "Hold" or scenarios.first(found, "force_status"):
            return None
        multiplier = scenarios.multiplier(found)
        timings = self.timings.scaled(multiplier) if multiplier != 1 else self.timings
        seller_id, seller_order_id = raw[batch.SELLER], raw[batch.SELLER_ORDER]
        received_at = read(raw[batch.RECEIVED_AT])
        assert received_at is not None
        rng = shipping.rng_for(seller_id, seller_order_id, "received")
        ready = received_at + timings.delay(rng, timings.received_to_planning)  # as Step.received draws it
        before = (RECEIVED, read(raw[batch.STATUS_UPDATED_AT]), read(raw[batch.NEXT_STEP_AT]))
        if ready > now:
            return _Receipt(before, (RECEIVED, before[1], ready), None)
        rng = shipping.rng_for(seller_id, seller_order_id, "planning")
        next_at = now + timings.delay(rng, timings.planning_to_processing)
        return _Receipt(before, (PLANNING, now, next_at), now)  # lifecycle.transition's change

    def _step(
        self,
        conn: Connection,
        loaded: batch.Loaded,
        found: list[scenarios.Scenario],
        writes: batch.Writes,
        now: datetime,
    ) -> None:
        multiplier = scenarios.multiplier(found)
        timings = self.timings.scaled(multiplier) if multiplier != 1 else self.timings
        forced = scenarios.first(found, "force_status")
        order = loaded.order
        step = Step(self, conn, loaded, writes, now, timings)
        if forced is not None and order.status in (RECEIVED, PLANNING, PROCESSING):
            step.end_unshipped(forced.params["status"])
            next_at = None
        elif order.status == RECEIVED:
            next_at = step.received()
        elif order.status == PLANNING:
            next_at = step.planning()
        elif order.status == PROCESSING:
            next_at = step.processing(found)
        else:
            next_at = None
        writes.save(loaded, next_at)


class _Receipt(NamedTuple):
    """A receipt step worked out from the order's row: its step columns before and after, the time it was planned."""

    before: tuple[Any, ...]
    after: tuple[Any, ...]
    planned_at: datetime | None

    def write(self, order_id: int, writes: batch.Writes) -> None:
        writes.step_columns(order_id, self.before, self.after)
        if self.planned_at is not None:
            writes.event(order_id, self.planned_at, PLANNING)


@dataclass(slots=True)
class Step:
    """One order's step: reads the loaded order, records its changes in the batch's writes."""

    engine: Engine
    conn: Connection
    loaded: batch.Loaded
    writes: batch.Writes
    now: datetime
    timings: shipping.Timings

    @property
    def order(self) -> Order:
        return self.loaded.order

    def move(self, status: str) -> None:
        lifecycle.transition(self.order, status, self.now)
        self.writes.event(self.loaded.id, self.now, status)

    def received(self) -> datetime | None:
        order = self.order
        if order.on_hold:
            if order.hold_until is not None and order.hold_until > self.now:
                return order.hold_until
            self.release_reservations()  # a hold lapses after two weeks: cancelled, units released
            for item in order.items:
                item.cancelled_quantity = item.quantity - item.unfulfillable_quantity
                item.estimated_ship_at = item.estimated_arrival_at = None
            self.move(CANCELLED)
            return None
        # planning starts 1-5 minutes after receipt (world.md); a hold released later is planned at once
        received = shipping.rng_for(order.seller_id, order.seller_order_id, "received")
        ready = order.received_at + self.timings.delay(received, self.timings.received_to_planning)
        if ready > self.now:
            return ready
        self.move(PLANNING)
        rng = shipping.rng_for(order.seller_id, order.seller_order_id, "planning")
        return self.now + self.timings.delay(rng, self.timings.planning_to_processing)

    def planning(self) -> datetime | None:
        order = self.order
        self.reserve_missing()
        short = self.unreserved()
        if short and order.fulfillment_policy == "FillOrKill":
            self.end_unshipped(UNFULFILLABLE)
            return None
        if short and order.fulfillment_policy == "FillAllAvailable":
            for item_id, units in short.items():
                item = order.item(item_id)
                assert item is not None
                item.unfulfillable_quantity += units
        if not self.loaded.reservations:
            if order.fulfillment_policy == "FillAll":
                return self.now + self.timings.stock_retry  # waits in PLANNING for stock
            self.move(UNFULFILLABLE)
            return None
        self.make_shipments()
        self.move(PROCESSING)
        return self.next_ship_time()

    def processing(self, found: list[scenarios.Scenario]) -> datetime | None:
        order = self.order
        held_back = scenarios.first(found, "hold_shipment") is not None
        outcome = scenarios.first(found, "package")
        for shipment in order.shipments:
            if shipment.status == PENDING and shipment.shipping_at and shipment.shipping_at <= self.now:
                if held_back:  # its departure (ShippingDateTime) moves on while held: it never leaves "in the past"
                    shipment.shipping_at = self.now + self.timings.stock_retry
                    self.writes.shipment(self.loaded.id, shipment)
                else:
                    self.ship(shipment, outcome.params["outcome"] if outcome else None)
        if self.order.unplanned_units() and order.fulfillment_policy == "FillAll":
            self.reserve_missing()
            if self.loaded.reservations:
                self.make_shipments()
        if any(s.status == PENDING for s in order.shipments):
            return self.next_ship_time()
        if self.order.unplanned_units():
            return self.now + self.timings.stock_retry
        complete = all(i.cancelled_quantity == 0 and i.unfulfillable_quantity == 0 for i in order.items)
        self.move(COMPLETE if complete else COMPLETE_PARTIALLED)
        return None

    # ------------------------------------------------------------------------------------------- helpers

    def next_ship_time(self) -> datetime | None:
        return _earliest(s.shipping_at for s in self.order.shipments if s.status == PENDING)

    def unreserved(self) -> dict[str, int]:
        """Units of each line neither reserved nor already in a shipment."""
        reserved: dict[int, int] = {}
        for r in self.loaded.reservations:
            reserved[r.line] = reserved.get(r.line, 0) + r.quantity
        planned = self.order.units_in_shipments()
        short = {}
        for line, item in enumerate(self.order.items):
            missing = item.open_quantity - reserved.get(line, 0) - planned.get(item.item_id, 0)
            if missing > 0:
                short[item.item_id] = missing
        return short

    def reserve_missing(self) -> None:
        """Try to reserve units still short (FillAll / FillAllAvailable orders, or stock that arrived since)."""
        order = self.order
        short = self.unreserved()
        if not short or order.fulfillment_policy == "FillOrKill":
            return
        self.writes.settle()  # the statements below need the connection to themselves
        marketplace = WORLD.marketplaces[order.marketplace_id]
        skus = {item.item_id: item.seller_sku for item in order.items}
        lines = [allocation.Line(item_id, skus[item_id], units) for item_id, units in short.items()]
        lock = not self.engine.db.is_sqlite
        stock = stock_store.stock(self.conn, order.seller_id, (line.sku for line in lines), lock=lock)
        plan = allocation.allocate(lines, stock, WORLD.centers_in(marketplace.country_code), order.destination.point())
        index = {item.item_id: n for n, item in enumerate(order.items)}
        fresh = []
        for planned in plan.shipments:
            for pick in planned.picks:
                if stock_store.reserve(self.conn, order.seller_id, pick.sku, planned.fc_code, pick.quantity):
                    fresh.append(order_store.Reservation(index[pick.item_id], planned.fc_code, pick.sku, pick.quantity))
        held = self.loaded.reservations
        for r in fresh:  # a line already reserved at that center is topped up (one row per line and center)
            at = next((n for n, h in enumerate(held) if (h.line, h.fc_code) == (r.line, r.fc_code)), None)
            if at is None:
                order_store.insert_reservations(self.conn, self.loaded.id, [r])
                held.append(r)
            else:
                held[at] = replace(held[at], quantity=held[at].quantity + r.quantity)
                order_store.set_reservation(self.conn, self.loaded.id, held[at])

    def make_shipments(self) -> None:
        """One PENDING shipment per center from the reserved units; the units stay reserved until they ship."""
        order = self.order
        by_center: dict[str, list[order_store.Reservation]] = {}
        for r in self.loaded.reservations:
            by_center.setdefault(r.fc_code, []).append(r)
        for n, (fc_code, rows) in enumerate(sorted(by_center.items())):
            rng = shipping.rng_for(order.seller_id, order.seller_order_id, f"shipment/{len(order.shipments)}/{n}")
            latest_ship = _latest(order.items[r.line].estimated_ship_at for r in rows)
            items: dict[int, ShipmentItem] = {}
            for r in rows:  # a line reserved twice at one center travels as one item
                before = items.get(r.line)
                quantity = r.quantity + (before.quantity if before else 0)
                items[r.line] = ShipmentItem(r.seller_sku, order.items[r.line].item_id, quantity)
            shipment = Shipment(
                amazon_shipment_id=shipping.shipment_id(rng),
                fc_code=fc_code,
                status=PENDING,
                shipping_at=shipping.ship_time(rng, self.now, latest_ship, self.timings),
                estimated_arrival_at=_latest(order.items[r.line].estimated_arrival_at for r in rows),
                items=list(items.values()),
            )
            self.writes.new_shipments.append((self.loaded.id, shipment))
            order.shipments.append(shipment)
            for r in rows:
                self.writes.drop_reservation(self.loaded.id, r)
        self.loaded.reservations.clear()

    def ship(self, shipment: Shipment, outcome: str | None) -> None:
        """The shipment leaves: boxes, a carrier, tracking numbers and journeys; its units leave the inventory."""
        order = self.order
        marketplace = WORLD.marketplaces[order.marketplace_id]
        center = WORLD.centers.get(shipment.fc_code) or next(iter(WORLD.centers.values()))
        row_id = self.loaded.shipment_ids[shipment.amazon_shipment_id]
        rng = shipping.rng_for(order.seller_id, order.seller_order_id, f"ship/{shipment.amazon_shipment_id}")
        carrier = carriers.choose_carrier(marketplace.country, order.shipping_speed, rng, origin_country=center.country)
        ship_at = shipment.shipping_at or self.now
        destination = order.destination
        promised = shipment.estimated_arrival_at or ship_at + timedelta(days=5)
        boxes = shipping.packages_for(sum(i.quantity for i in shipment.items))
        ship_to = {
            "City": destination.get("City") or "",
            "State": destination.get("StateOrProvinceCode") or "",
            "Country": destination.country_code,
        }
        point = destination.point()
        rows = []
        for index in range(boxes):
            number = shipping.package_number(row_id, index)
            journey = tracking.JourneyInputs(  # seeded by the order's identity, not by the store's row ids
                f"{order.seller_id}/{order.seller_order_id}/{shipment.amazon_shipment_id}/{index}",
                ship_at,
                center.code,
                destination.get("City"),
                destination.get("StateOrProvinceCode"),
                destination.country_code,
                point,
                promised,
                self.engine.rates,
                force=outcome,
                earliest_arrival=order.delivery_window.start if order.delivery_window else None,
            )
            number_text = carriers.tracking_number(carrier, rng, order.shipping_speed)
            estimate = journey.estimated_arrival()
            rows.append(
                store.PackageRow(
                    number, carrier.code, number_text, ship_at, estimate, tracking.inputs_to_json(journey), ship_to
                )
            )
            shipment.packages.append(Package(number, carrier.code, number_text, estimate))
        self.writes.package_rows(order.seller_id, row_id, rows)
        for position, item in enumerate(shipment.items):
            number = rows[position % boxes].package_number
            self.writes.item_package(row_id, position, number)
            shipment.items[position] = replace(item, package_number=number)
            self.writes.move_stock(order.seller_id, item.seller_sku, shipment.fc_code, 0, -item.quantity)
        shipment.status = SHIPPED
        shipment.shipping_at = ship_at
        self.writes.shipment(self.loaded.id, shipment)
        self.writes.event(self.loaded.id, ship_at, SHIPPED, shipment.amazon_shipment_id)

    def release_reservations(self) -> None:
        for held in self.loaded.reservations:
            self.writes.move_stock(self.order.seller_id, held.seller_sku, held.fc_code, held.quantity, -held.quantity)
            self.writes.drop_reservation(self.loaded.id, held)
        self.loaded.reservations.clear()

    def end_unshipped(self, status: str) -> None:
        """UNFULFILLABLE or INVALID: nothing more ships; reserved and pending units go back to stock."""
        order = self.order
        self.release_reservations()
        for shipment in order.shipments:
            if shipment.status == PENDING:
                for unit in shipment.items:
                    self.writes.move_stock(
                        order.seller_id, unit.seller_sku, shipment.fc_code, unit.quantity, -unit.quantity
                    )
                shipment.status = CANCELLED_BY_FULFILLER
                shipment.shipping_at = shipment.estimated_arrival_at = None
                self.writes.shipment(self.loaded.id, shipment)
        shipped = self.order.units_in_shipments()
        for item in order.items:
            left = item.quantity - item.cancelled_quantity - shipped.get(item.item_id, 0)
            item.unfulfillable_quantity = max(0, left)
        target = status
        if any(s.status == SHIPPED for s in order.shipments):
            target = COMPLETE_PARTIALLED  # FillOrKill after picking began: the rest is cancelled, the order partial
        if target == INVALID and not lifecycle.can_move(order.status, INVALID):
            target = UNFULFILLABLE if lifecycle.can_move(order.status, UNFULFILLABLE) else COMPLETE_PARTIALLED
        self.move(target)


def _earliest(moments: Iterable[datetime | None]) -> datetime | None:
    known = [m for m in moments if m is not None]
    return min(known) if known else None


def _latest(moments: Iterable[datetime | None]) -> datetime | None:
    known = [m for m in moments if m is not None]
    return max(known) if known else None


class Runner:
    """Runs the engine in the background of ``outbound serve`` (real clock) or as ``outbound worker``."""

    def __init__(self, engine: Engine, clock: Clock, interval: float = 1.0) -> None:
        self.engine = engine
        self.clock = clock
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_forever(self, should_stop: Callable[[], bool] | None = None) -> None:
        while not self._stop.is_set() and not (should_stop and should_stop()):
            try:
                applied = self.engine.run_due(self.clock.now())
            except Exception:  # keep the loop alive; a bad order must not stop the world
                log.exception("lifecycle step failed")
                applied = 0
            if applied == 0:
                self._stop.wait(self.interval)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run_forever, name="outbound-engine", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)


def parse_duration(text: str) -> timedelta:
    """``90m``, ``2h``, ``3d``, ``45s``, ``1w`` or combinations like ``1d12h``."""
    units = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
    total = timedelta()
    number = ""
    for char in text.strip().lower():
        if char.isdigit() or char == ".":
            number += char
        elif char in units and number:
            total += timedelta(**{units[char]: float(number)})
            number = ""
        else:
            raise ValueError(f"not a duration: {text!r} (use e.g. 90m, 2h, 3d)")
    if number or total <= timedelta():
        raise ValueError(f"not a duration: {text!r} (use e.g. 90m, 2h, 3d)")
    return total
