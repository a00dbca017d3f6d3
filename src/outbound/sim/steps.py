"""How one order takes its step: the receipt steps from the claimed row alone, the others on the built order
(planning, shipments, shipping with packages, carriers and journeys, the end of an order). ``Steps`` holds only
plain data (timings, tracking rates), so a helper process takes a batch's steps as well as the engine: without a
connection, a step that would read the store itself is left for the engine (``Step.needs_store``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Connection

from outbound.domain import allocation, carriers, features, lifecycle, notices, shipping, tracking
from outbound.domain.orders import (
    CANCELLED,
    CANCELLED_BY_FULFILLER,
    HOLD,
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
from outbound.store import batch, driver, journeys
from outbound.store import features as feature_store
from outbound.store import inventory as stock_store
from outbound.store import lifecycle as store
from outbound.store import notifications as notice_store
from outbound.store import orders as order_store


@dataclass(frozen=True)
class Steps:
    """How orders take their steps: the timings and tracking rates, without the store. Plain data, so a helper
    process can take a batch's steps as well (:meth:`take` without a connection)."""

    timings: shipping.Timings = shipping.DEFAULT_TIMINGS
    rates: tracking.Rates = field(default_factory=lambda: tracking.DEFAULT_RATES)

    def take(
        self,
        conn: Connection | None,
        work: Work,
        writes: batch.Writes,
        *,
        only: Collection[int] | None = None,
        chunk: int = 0,
    ) -> list[int]:
        """Every step of ``work`` (or of the orders ``only`` names), recorded in ``writes``, ``chunk`` at a time
        sent. Without a connection (a helper process) the steps that read or write the store themselves are left
        for the engine: the ids of their orders are returned."""
        read, due = work.due.read, work.due
        left: list[int] = []
        for n, raw in enumerate(due.rows, start=1):
            order_id = raw[batch.ID]
            if only is not None and order_id not in only:
                continue
            found = work.steering.get((raw[batch.SELLER], raw[batch.SELLER_ORDER]), [])
            if order_id in work.receipts:
                due_at = read(raw[batch.NEXT_STEP_AT])
                assert due_at is not None
                self._receipt(raw, found, work.now or due_at, due_at, read).write(order_id, writes)
            else:  # the built order has its due time already read
                loaded = due.load(raw)
                if not self._step(conn, loaded, found, writes, work.now or loaded.due_at):
                    left.append(order_id)
            if chunk and n % chunk == 0 and conn is not None:
                writes.send(conn)  # PostgreSQL writes these while the next steps are computed
        return left

    @staticmethod
    def from_row(raw: driver.Row, found: list[scenarios.Scenario]) -> bool:
        """Whether the order's step is a receipt step, taken from its claimed row alone (:meth:`_receipt`)."""
        return (
            raw[batch.STATUS] == RECEIVED and raw[batch.ACTION] != HOLD and not scenarios.first(found, "force_status")
        )

    def _receipt(
        self,
        raw: driver.Row,
        found: list[scenarios.Scenario],
        now: datetime,
        due_at: datetime,
        read: Callable[[Any], datetime | None],
    ) -> _Receipt:
        """A received order's step (``Step.received`` when the order is not held) from the claimed row alone,
        without building the order: the same rule (``lifecycle.after_receipt``), its result written as the step
        columns before and after (only the next step's time while the receipt delay runs; then → PLANNING)."""
        multiplier = scenarios.multiplier(found)
        timings = self.timings.scaled(multiplier) if multiplier != 1 else self.timings
        received_at = read(raw[batch.RECEIVED_AT])
        assert received_at is not None
        planned, next_at = lifecycle.after_receipt(
            raw[batch.SELLER], raw[batch.SELLER_ORDER], received_at, now, timings
        )
        before = (RECEIVED, read(raw[batch.STATUS_UPDATED_AT]), due_at)
        key = (raw[batch.SELLER], raw[batch.SELLER_ORDER])
        if not planned:
            return _Receipt(before, (RECEIVED, before[1], next_at), None, key)
        return _Receipt(before, (PLANNING, now, next_at), now, key)  # lifecycle.transition's change

    def _step(
        self,
        conn: Connection | None,
        loaded: batch.Loaded,
        found: list[scenarios.Scenario],
        writes: batch.Writes,
        now: datetime,
    ) -> bool:
        """The order's step on the built order; False (nothing recorded) when it needs the store and has no
        connection."""
        multiplier = scenarios.multiplier(found)
        timings = self.timings.scaled(multiplier) if multiplier != 1 else self.timings
        forced = scenarios.first(found, "force_status")
        order = loaded.order
        step = Step(self.rates, conn, loaded, writes, now, timings)
        if forced is not None and order.status in (RECEIVED, PLANNING, PROCESSING):
            step.end_unshipped(forced.params["status"])
            next_at = None
        elif conn is None and step.needs_store():
            return False
        elif order.status == RECEIVED:
            next_at = step.received()
        elif order.status == PLANNING:
            next_at = step.planning()
        elif order.status == PROCESSING:
            next_at = step.processing(found)
        else:
            next_at = None
        writes.save(loaded, next_at)
        return True


@dataclass(slots=True)
class Work:
    """A claimed batch and what its steps read besides the rows: each order's scenarios, the orders whose step is
    taken from the row (:meth:`Steps.from_row`), the time the steps run at (None: each at its due time)."""

    due: batch.Claimed
    steering: dict[tuple[str, str], list[scenarios.Scenario]]
    receipts: set[int]
    now: datetime | None
    dialect: str
    heard: notice_store.Subscribers = field(default_factory=dict)  # who hears of which seller (notifications)

    def ids(self) -> list[int]:
        return [raw[batch.ID] for raw in self.due.rows]

    def built(self) -> Work:
        """The part whose steps build the order (not the receipt steps): what is worth a helper's time. A receipt
        step costs less than carrying its row to a helper and its changes back."""
        rows = [raw for raw in self.due.rows if raw[batch.ID] not in self.receipts]
        keys = {(raw[batch.SELLER], raw[batch.SELLER_ORDER]) for raw in rows}
        steering = {key: found for key, found in self.steering.items() if key in keys}
        return Work(replace(self.due, rows=rows), steering, set(), self.now, self.dialect, self.heard)


class _Receipt(NamedTuple):
    """A receipt step worked out from the order's row: its step columns before and after, the time it was planned."""

    before: tuple[Any, ...]
    after: tuple[Any, ...]
    planned_at: datetime | None
    key: tuple[str, str]  # seller, SellerFulfillmentOrderId

    def write(self, order_id: int, writes: batch.Writes) -> None:
        writes.step_columns(order_id, self.before, self.after)
        if self.planned_at is not None:
            writes.event(order_id, self.planned_at, PLANNING)
            if writes.heeded(self.key[0]):
                writes.notice([notices.order_changed(order_id, *self.key, PLANNING, self.planned_at)])


@dataclass(slots=True)
class Step:
    """One order's step: reads the loaded order, records its changes in the batch's writes."""

    rates: tracking.Rates
    conn: Connection | None
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
        if self.writes.heeded(self.order.seller_id):
            self.writes.notice([notices.of_order(self.loaded.id, self.order, self.now)])

    def shipment_notices(self, shipment: Shipment, at: datetime, *, created: bool = False) -> None:
        """A shipment's new status told to its seller's subscribers (and, made or cancelled, as such)."""
        if self.writes.heeded(self.order.seller_id):
            told = notices.shipment_created if created else notices.shipment_changed
            self.writes.notice(told(self.loaded.id, self.order, shipment, at))

    def received(self) -> datetime | None:
        order = self.order
        if order.on_hold:
            if not lifecycle.hold_lapsed(order.hold_until, self.now):
                return order.hold_until
            self.release_reservations()  # a lapsed hold: cancelled, units released
            for item in order.items:
                item.cancelled_quantity = item.quantity - item.unfulfillable_quantity
                item.estimated_ship_at = item.estimated_arrival_at = None
            self.move(CANCELLED)
            return None
        planned, next_at = lifecycle.after_receipt(
            order.seller_id, order.seller_order_id, order.received_at, self.now, self.timings
        )
        if planned:
            self.move(PLANNING)
        return next_at

    def planning(self) -> datetime | None:
        order = self.order
        self.reserve_missing()
        action, unfulfillable = lifecycle.planning_decision(
            order.fulfillment_policy, self.unreserved(), bool(self.loaded.reservations)
        )
        if action == lifecycle.KILL:
            self.end_unshipped(UNFULFILLABLE)
            return None
        for item_id, units in unfulfillable.items():
            item = order.item(item_id)
            assert item is not None
            item.unfulfillable_quantity += units
        if action == lifecycle.WAIT:
            return self.now + self.timings.stock_retry  # waits in PLANNING for stock
        if action == lifecycle.NOTHING:
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
        if self.order.unplanned_units() and lifecycle.waits_for_stock(order.fulfillment_policy):
            self.reserve_missing()
            if self.loaded.reservations:
                self.make_shipments()
        if any(s.status == PENDING for s in order.shipments):
            return self.next_ship_time()
        if self.order.unplanned_units():
            return self.now + self.timings.stock_retry
        self.move(lifecycle.completed_status(order.items))
        return None

    def needs_store(self) -> bool:
        """Whether this step may reserve stock (:meth:`reserve_missing`), which reads and writes the store at once."""
        order = self.order
        if order.status == PLANNING:
            return lifecycle.tops_up(order.fulfillment_policy) and bool(self.unreserved())
        waits = lifecycle.waits_for_stock(order.fulfillment_policy)
        return order.status == PROCESSING and waits and bool(order.unplanned_units())

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
        if not short or not lifecycle.tops_up(order.fulfillment_policy):
            return
        assert self.conn is not None, "a step that reads the store runs in the engine (needs_store)"
        self.writes.settle()  # the statements below need the connection to themselves
        marketplace = WORLD.marketplaces[order.marketplace_id]
        skus = {item.item_id: item.seller_sku for item in order.items}
        lines = [allocation.Line(item_id, skus[item_id], units) for item_id, units in short.items()]
        lock = self.conn.dialect.name != "sqlite"
        stock = stock_store.stock(self.conn, order.seller_id, (line.sku for line in lines), lock=lock)
        required = features.required(order.feature_constraints)
        if required:  # only units usable for the features the order requires
            standing = feature_store.standing(self.conn, order.seller_id, marketplace, (line.sku for line in lines))
            stock = standing.restrict(stock, required)
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
            self.writes.new_shipment(self.loaded.id, shipment)
            order.shipments.append(shipment)
            self.shipment_notices(shipment, self.now, created=True)
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
        required = features.required(order.feature_constraints)
        carrier = carriers.choose_carrier(
            marketplace.country,
            order.shipping_speed,
            rng,
            origin_country=center.country,
            allowed=(lambda code: features.carrier_allowed(code, required)) if required else None,
        )
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
                self.rates,
                force=outcome,
                earliest_arrival=order.delivery_window.start if order.delivery_window else None,
                signature=features.SIGNATURE_CONFIRMATION in required,
            )
            number_text = carriers.tracking_number(carrier, rng, order.shipping_speed)
            estimate = journey.estimated_arrival()
            rows.append(
                store.PackageRow(
                    number, carrier.code, number_text, ship_at, estimate, journeys.inputs_to_json(journey), ship_to
                )
            )
            shipment.packages.append(Package(number, carrier.code, number_text, estimate))
        self.writes.package_rows(order.seller_id, row_id, rows)
        for position, item in enumerate(shipment.items):
            number = rows[position % boxes].package_number
            self.writes.item_package(row_id, position, number)
            shipment.items[position] = ShipmentItem(item.seller_sku, item.item_id, item.quantity, number)
            self.writes.move_stock(order.seller_id, item.seller_sku, shipment.fc_code, 0, -item.quantity)
        shipment.status = SHIPPED
        shipment.shipping_at = ship_at
        self.writes.shipment(self.loaded.id, shipment)
        self.writes.event(self.loaded.id, ship_at, SHIPPED, shipment.amazon_shipment_id)
        self.shipment_notices(shipment, ship_at)

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
                self.shipment_notices(shipment, self.now)
        shipped = self.order.units_in_shipments()
        for item in order.items:
            left = item.quantity - item.cancelled_quantity - shipped.get(item.item_id, 0)
            item.unfulfillable_quantity = max(0, left)
        any_shipped = any(s.status == SHIPPED for s in order.shipments)
        self.move(lifecycle.unshipped_end(order.status, status, any_shipped))


def _earliest(moments: Iterable[datetime | None]) -> datetime | None:
    known = [m for m in moments if m is not None]
    return min(known) if known else None


def _latest(moments: Iterable[datetime | None]) -> datetime | None:
    known = [m for m in moments if m is not None]
    return max(known) if known else None
