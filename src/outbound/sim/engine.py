"""The lifecycle engine: takes orders whose next step is due and moves them along.

RECEIVED → PLANNING → PROCESSING (shipments made from the reserved units) → shipments leave (packages, carrier,
tracking journey; the units leave the inventory) → COMPLETE or COMPLETE_PARTIALLED; held orders lapse after two
weeks; FillAll orders short of stock wait for it. Every order carries the time of its next step; a step runs at
that time (``due_at``), so advancing a virtual clock by days replays each step at the moment it fell due.

Several engines may share one PostgreSQL database: each batch is claimed with ``FOR UPDATE SKIP LOCKED`` and
applied in the same transaction, so no step runs twice and none is skipped.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import Connection

from outbound.domain import allocation, carriers, geo, lifecycle, shipping, tracking
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
    Shipment,
    ShipmentItem,
)
from outbound.domain.world import WORLD
from outbound.sim import scenarios
from outbound.sim.clock import Clock, VirtualClock
from outbound.store import Database
from outbound.store import inventory as stock_store
from outbound.store import lifecycle as store
from outbound.store import orders as order_store

log = logging.getLogger(__name__)
BATCH = 200


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
            due = store.due_orders(conn, now, limit, skip_locked=not self.db.is_sqlite)
            for item in due:
                self._step(conn, item, item.due_at if replay else now)
            return len(due)

    def run_until(self, target: datetime) -> int:
        """Every step due at or before ``target``, batch after batch, in time order (the virtual clock)."""
        total = 0
        while True:
            applied = self.run_due(target, replay=True)
            total += applied
            if applied == 0:
                return total

    def advance(self, clock: VirtualClock, to: datetime) -> int:
        """Move the virtual clock to ``to`` after applying every step that fell due on the way."""
        steps = self.run_until(to)
        clock.set(to)
        return steps

    # ------------------------------------------------------------------------------------------- one step

    def _step(self, conn: Connection, due: store.Due, now: datetime) -> None:
        stored = order_store.load_order(conn, due.seller_id, due.seller_order_id, lock=not self.db.is_sqlite)
        if stored is None:  # pragma: no cover - the row was just selected
            return
        found = scenarios.for_order(conn, due.seller_id, due.seller_order_id)
        timings = self.timings.scaled(scenarios.multiplier(found))
        forced = scenarios.first(found, "force_status")
        order = stored.order
        if forced is not None and order.status in (RECEIVED, PLANNING, PROCESSING):
            self._end_unshipped(conn, stored, forced.params["status"], now)
            next_at = None
        elif order.status == RECEIVED:
            next_at = self._received(conn, stored, now, timings)
        elif order.status == PLANNING:
            next_at = self._planning(conn, stored, now, timings)
        elif order.status == PROCESSING:
            next_at = self._processing(conn, stored, now, timings, found)
        else:
            next_at = None
        order_store.save_order(conn, stored)
        store.set_next_step(conn, stored.id, next_at)

    def _move(self, conn: Connection, stored: order_store.StoredOrder, status: str, now: datetime) -> None:
        lifecycle.transition(stored.order, status, now)
        store.add_event(conn, stored.id, now, status)

    def _received(
        self, conn: Connection, stored: order_store.StoredOrder, now: datetime, timings: shipping.Timings
    ) -> datetime | None:
        order = stored.order
        if order.on_hold:
            if order.hold_until is not None and order.hold_until > now:
                return order.hold_until
            self._release_reservations(conn, stored)  # a hold lapses after two weeks: cancelled, units released
            for item in order.items:
                item.cancelled_quantity = item.quantity - item.unfulfillable_quantity
                item.estimated_ship_at = item.estimated_arrival_at = None
            self._move(conn, stored, CANCELLED, now)
            return None
        self._move(conn, stored, PLANNING, now)
        rng = shipping.rng_for(order.seller_id, order.seller_order_id, "planning")
        return now + timings.delay(rng, timings.planning_to_processing)

    def _planning(
        self, conn: Connection, stored: order_store.StoredOrder, now: datetime, timings: shipping.Timings
    ) -> datetime | None:
        order = stored.order
        self._reserve_missing(conn, stored)
        held = order_store.load_reservations(conn, stored.id)
        short = self._unreserved(order, held)
        if short and order.fulfillment_policy == "FillOrKill":
            self._end_unshipped(conn, stored, UNFULFILLABLE, now)
            return None
        if short and order.fulfillment_policy == "FillAllAvailable":
            for item_id, units in short.items():
                item = order.item(item_id)
                assert item is not None
                item.unfulfillable_quantity += units
        if not held:
            if order.fulfillment_policy == "FillAll":
                return now + timings.stock_retry  # waits in PLANNING for stock
            self._move(conn, stored, UNFULFILLABLE, now)
            return None
        self._make_shipments(conn, stored, held, now, timings)
        self._move(conn, stored, PROCESSING, now)
        return self._next_ship_time(order)

    def _processing(
        self,
        conn: Connection,
        stored: order_store.StoredOrder,
        now: datetime,
        timings: shipping.Timings,
        found: list[scenarios.Scenario],
    ) -> datetime | None:
        order = stored.order
        held_back = scenarios.first(found, "hold_shipment") is not None
        outcome = scenarios.first(found, "package")
        for shipment in order.shipments:
            if shipment.status == PENDING and not held_back and shipment.shipping_at and shipment.shipping_at <= now:
                self._ship(conn, stored, shipment, now, outcome.params["outcome"] if outcome else None)
        waiting = self._unplanned_units(order)
        if waiting and order.fulfillment_policy == "FillAll":
            self._reserve_missing(conn, stored)
            held = order_store.load_reservations(conn, stored.id)
            if held:
                self._make_shipments(conn, stored, held, now, timings)
        if any(s.status == PENDING for s in order.shipments):
            return self._next_ship_time(order) if not held_back else now + timings.stock_retry
        if self._unplanned_units(order):
            return now + timings.stock_retry
        complete = all(i.cancelled_quantity == 0 and i.unfulfillable_quantity == 0 for i in order.items)
        self._move(conn, stored, COMPLETE if complete else COMPLETE_PARTIALLED, now)
        return None

    # ------------------------------------------------------------------------------------------- helpers

    @staticmethod
    def _next_ship_time(order: Order) -> datetime | None:
        times = [s.shipping_at for s in order.shipments if s.status == PENDING and s.shipping_at]
        return min(times) if times else None

    @staticmethod
    def _unreserved(order: Order, held: list[order_store.Reservation]) -> dict[str, int]:
        """Units of each line neither reserved nor already in a shipment."""
        reserved: dict[int, int] = {}
        for r in held:
            reserved[r.line] = reserved.get(r.line, 0) + r.quantity
        planned = Engine._units_in_shipments(order)
        short = {}
        for line, item in enumerate(order.items):
            missing = item.open_quantity - reserved.get(line, 0) - planned.get(item.item_id, 0)
            if missing > 0:
                short[item.item_id] = missing
        return short

    @staticmethod
    def _units_in_shipments(order: Order) -> dict[str, int]:
        units: dict[str, int] = {}
        for shipment in order.shipments:
            if shipment.status in (PENDING, SHIPPED):
                for item in shipment.items:
                    units[item.item_id] = units.get(item.item_id, 0) + item.quantity
        return units

    def _unplanned_units(self, order: Order) -> int:
        planned = self._units_in_shipments(order)
        return sum(max(0, i.open_quantity - planned.get(i.item_id, 0)) for i in order.items)

    def _reserve_missing(self, conn: Connection, stored: order_store.StoredOrder) -> None:
        """Try to reserve units still short (FillAll / FillAllAvailable orders, or stock that arrived)."""
        order = stored.order
        short = self._unreserved(order, order_store.load_reservations(conn, stored.id))
        if not short or order.fulfillment_policy == "FillOrKill":
            return
        marketplace = WORLD.marketplaces[order.marketplace_id]
        skus = {item.item_id: item.seller_sku for item in order.items}
        lines = [allocation.Line(item_id, skus[item_id], units) for item_id, units in short.items()]
        stock = stock_store.stock(conn, order.seller_id, (line.sku for line in lines), lock=not self.db.is_sqlite)
        centers = [
            c for c in WORLD.centers.values() if (c.country if c.country != "UK" else "GB") == marketplace.country_code
        ]
        point = geo.destination_point(
            order.destination.country_code,
            order.destination.get("StateOrProvinceCode"),
            order.destination.get("PostalCode"),
        )
        plan = allocation.allocate(lines, stock, centers, point)
        index = {item.item_id: n for n, item in enumerate(order.items)}
        fresh = []
        for planned in plan.shipments:
            for pick in planned.picks:
                if stock_store.reserve(conn, order.seller_id, pick.sku, planned.fc_code, pick.quantity):
                    fresh.append(order_store.Reservation(index[pick.item_id], planned.fc_code, pick.sku, pick.quantity))
        current = {(r.line, r.fc_code): r for r in order_store.load_reservations(conn, stored.id)}
        for r in fresh:
            existing = current.get((r.line, r.fc_code))
            if existing is None:
                order_store.insert_reservations(conn, stored.id, [r])
            else:
                order_store.set_reservation(conn, stored.id, replace(existing, quantity=existing.quantity + r.quantity))

    def _make_shipments(
        self,
        conn: Connection,
        stored: order_store.StoredOrder,
        held: list[order_store.Reservation],
        now: datetime,
        timings: shipping.Timings,
    ) -> None:
        """One PENDING shipment per center from the reserved units; the units stay reserved until they ship."""
        order = stored.order
        by_center: dict[str, list[order_store.Reservation]] = {}
        for r in held:
            by_center.setdefault(r.fc_code, []).append(r)
        for n, (fc_code, rows) in enumerate(sorted(by_center.items())):
            rng = shipping.rng_for(order.seller_id, order.seller_order_id, f"shipment/{len(order.shipments)}/{n}")
            latest_ship = _latest(order.items[r.line].estimated_ship_at for r in rows)
            arrival = _latest(order.items[r.line].estimated_arrival_at for r in rows)
            shipment = Shipment(
                amazon_shipment_id=shipping.shipment_id(rng),
                fc_code=fc_code,
                status=PENDING,
                shipping_at=shipping.ship_time(rng, now, latest_ship, timings),
                estimated_arrival_at=arrival,
                items=[ShipmentItem(r.seller_sku, order.items[r.line].item_id, r.quantity) for r in rows],
            )
            order_store.insert_shipment(conn, stored.id, order.seller_id, shipment)
            order.shipments.append(shipment)
            for r in rows:
                order_store.set_reservation(conn, stored.id, replace(r, quantity=0))

    def _ship(
        self, conn: Connection, stored: order_store.StoredOrder, shipment: Shipment, now: datetime, outcome: str | None
    ) -> None:
        """The shipment leaves: boxes, a carrier, tracking numbers and journeys; its units leave the inventory."""
        order = stored.order
        marketplace = WORLD.marketplaces[order.marketplace_id]
        center = WORLD.centers.get(shipment.fc_code)
        row_id = store.shipment_row_id(conn, stored.id, shipment.amazon_shipment_id)
        rng = shipping.rng_for(order.seller_id, order.seller_order_id, f"ship/{shipment.amazon_shipment_id}")
        origin = center.country if center else None
        carrier = carriers.choose_carrier(marketplace.country, order.shipping_speed, rng, origin_country=origin)
        ship_at = shipment.shipping_at or now
        destination = order.destination
        point = geo.destination_point(
            destination.country_code, destination.get("StateOrProvinceCode"), destination.get("PostalCode")
        )
        promised = shipment.estimated_arrival_at or ship_at + timedelta(days=5)
        units = sum(i.quantity for i in shipment.items)
        boxes = shipping.packages_for(units)
        rows = []
        for index in range(boxes):
            number = shipping.package_number(row_id, index)
            journey = tracking.plan_journey(
                f"{order.seller_id}/{order.seller_order_id}/{number}",
                ship_at,
                center or next(iter(WORLD.centers.values())),
                destination.get("City"),
                destination.get("StateOrProvinceCode"),
                destination.country_code,
                point,
                promised,
                self.rates,
                force=outcome,
                earliest_arrival=order.delivery_window.start if order.delivery_window else None,
            )
            rows.append(
                store.PackageRow(
                    number,
                    carrier.code,
                    carriers.tracking_number(carrier, rng, order.shipping_speed),
                    ship_at,
                    tracking.estimated_arrival(journey),
                    tracking.journey_to_json(journey),
                    {
                        "City": destination.get("City") or "",
                        "State": destination.get("StateOrProvinceCode") or "",
                        "Country": destination.country_code,
                    },
                )
            )
        store.insert_packages(conn, order.seller_id, row_id, rows)
        for position, item in enumerate(shipment.items):
            number = rows[position % boxes].package_number
            store.set_item_package(conn, row_id, position, number)
            shipment.items[position] = replace(item, package_number=number)
            store.consume(conn, order.seller_id, item.seller_sku, shipment.fc_code, item.quantity)
        shipment.status = SHIPPED
        shipment.shipping_at = ship_at
        order_store.update_shipment_status(conn, stored.id, shipment)
        store.add_event(conn, stored.id, ship_at, SHIPPED, shipment.amazon_shipment_id)

    def _release_reservations(self, conn: Connection, stored: order_store.StoredOrder) -> None:
        for held in order_store.load_reservations(conn, stored.id):
            stock_store.release(conn, stored.order.seller_id, held.seller_sku, held.fc_code, held.quantity)
            order_store.set_reservation(conn, stored.id, replace(held, quantity=0))

    def _end_unshipped(self, conn: Connection, stored: order_store.StoredOrder, status: str, now: datetime) -> None:
        """UNFULFILLABLE or INVALID: nothing more ships; reserved and pending units go back to stock."""
        order = stored.order
        self._release_reservations(conn, stored)
        for shipment in order.shipments:
            if shipment.status == PENDING:
                for unit in shipment.items:
                    stock_store.release(conn, order.seller_id, unit.seller_sku, shipment.fc_code, unit.quantity)
                shipment.status = CANCELLED_BY_FULFILLER
                shipment.shipping_at = shipment.estimated_arrival_at = None
                order_store.update_shipment_status(conn, stored.id, shipment)
        shipped = self._units_in_shipments(order)
        for item in order.items:
            left = item.quantity - item.cancelled_quantity - shipped.get(item.item_id, 0)
            item.unfulfillable_quantity = max(0, left)
        target = status
        if any(s.status == SHIPPED for s in order.shipments):
            target = COMPLETE_PARTIALLED  # FillOrKill after picking began: the rest is cancelled, the order partial
        if (
            order.status == RECEIVED and target == COMPLETE_PARTIALLED
        ):  # pragma: no cover - nothing ships before PROCESSING
            target = status
        if target == INVALID and not lifecycle.can_move(order.status, INVALID):
            target = UNFULFILLABLE if lifecycle.can_move(order.status, UNFULFILLABLE) else COMPLETE_PARTIALLED
        self._move(conn, stored, target, now)


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
