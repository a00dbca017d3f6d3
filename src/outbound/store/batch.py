"""Claiming, loading and writing a batch of orders at once, for the lifecycle engine.

A batch of due orders is claimed and read by one query (on PostgreSQL ``FOR NO KEY UPDATE SKIP LOCKED``), its
lines, reservations and shipments by a few queries taking all the batch's ids as one parameter, and its changes are
written back with one statement per kind of change (``store/driver.py``: ``executemany`` on SQLite, set-based over
``unnest`` on PostgreSQL), stock changes summed per SKU and center. Only what a step changed is written: the order
columns a step owns (status, its time, the next step's time) when they changed, the lines whose quantities or
estimates changed. The rows skip SQLAlchemy's per-value processing: values go to the driver in its own form. On
PostgreSQL the writes are sent as the batch goes (psycopg's pipeline) and applied while the next steps are computed.
"""

from __future__ import annotations

import json
from collections import namedtuple
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import ClauseElement, Connection, Dialect, bindparam, select

from outbound.domain.notices import Notice
from outbound.domain.orders import Order, OrderItem, Package, Shipment, ShipmentItem
from outbound.store import driver, moments
from outbound.store import notifications as notice_store
from outbound.store import orders as order_store
from outbound.store.lifecycle import PackageRow
from outbound.store.schema import (
    UtcDateTime,
    inventory,
    notification_outbox,
    order_events,
    order_items,
    orders,
    packages,
    reservations,
    shipment_items,
    shipments,
)

STEP_COLUMNS = ("status", "status_updated_at", "next_step_at")
"""The order columns a step may change; the rest of the row is the seller's, written by the service."""
ITEM_COLUMNS = ("cancelled_quantity", "unfulfillable_quantity", "estimated_ship_at", "estimated_arrival_at")
"""The line columns a step may change."""

Moment = Callable[[datetime | None], Any]


@dataclass
class Loaded:
    """One order of the batch, with what the engine needs beside the domain object."""

    id: int
    order: Order
    reservations: list[order_store.Reservation]
    shipment_ids: dict[str, int]  # AmazonShipmentId → row id
    due_at: datetime
    step_columns: tuple[Any, ...] = ()  # STEP_COLUMNS as loaded
    item_columns: list[tuple[Any, ...]] = field(default_factory=list)  # ITEM_COLUMNS of each line as loaded


def _step_columns(order: Order, next_step_at: datetime | None) -> tuple[Any, ...]:
    return order.status, order.status_updated_at, next_step_at


def _item_columns(item: OrderItem) -> tuple[Any, ...]:
    return item.cancelled_quantity, item.unfulfillable_quantity, item.estimated_ship_at, item.estimated_arrival_at


# ----------------------------------------------------------------------------------------------- reading


class _RowReader:
    """Driver tuples of one table → named rows with aware datetimes, as ``order_store`` reads SQLAlchemy rows."""

    def __init__(self, name: str, columns: Sequence[Any]) -> None:
        self.make: Any = namedtuple(name, [c.name for c in columns])  # type: ignore[misc]
        self.moments = [n for n, c in enumerate(columns) if isinstance(c.type, UtcDateTime)]

    def __call__(self, row: Sequence[Any], read: Callable[[Any], datetime | None]) -> Any:
        values = list(row)
        for n in self.moments:
            if values[n] is not None:
                values[n] = read(values[n])
        return self.make._make(values)


_ORDER_ROW = _RowReader("OrderRow", list(orders.c))
_ITEM_ROW = _RowReader("ItemRow", list(order_items.c))


def _claim(lock: bool, excluding: bool) -> Callable[[Dialect], ClauseElement]:
    def build(dialect: Dialect) -> ClauseElement:
        query = (
            select(*orders.c)
            .where(orders.c.next_step_at <= bindparam("now"))
            .order_by(orders.c.next_step_at, orders.c.id)
            .limit(bindparam("limit"))
        )
        if excluding:  # orders of batches still being stepped, in this transaction
            query = query.where(~driver.in_ids(orders.c.id, dialect, "skip"))
        # NO KEY: the step never changes the order's key, so rows that reference the order can still be inserted
        return query.with_for_update(skip_locked=True, key_share=True) if lock else query

    return build


_CLAIMS = {
    (lock, excluding): driver.BatchQuery(_claim(lock, excluding))
    for lock in (False, True)
    for excluding in (False, True)
}
_ITEMS = driver.BatchQuery(
    lambda d: (
        select(*order_items.c)
        .where(driver.in_ids(order_items.c.order_id, d))
        .order_by(order_items.c.order_id, order_items.c.line)
    )
)
_RESERVATIONS = driver.BatchQuery(
    lambda d: (
        select(*reservations.c)  # order_id, line, fc_code, seller_sku, quantity
        .where(driver.in_ids(reservations.c.order_id, d))
        .order_by(reservations.c.order_id, reservations.c.line, reservations.c.fc_code)
    )
)
_SHIPMENTS = driver.BatchQuery(
    lambda d: select(*shipments.c).where(driver.in_ids(shipments.c.order_id, d)).order_by(shipments.c.id)
)
_SHIPMENT_ITEMS = driver.BatchQuery(
    lambda d: (
        select(*shipment_items.c)
        .where(driver.in_ids(shipment_items.c.shipment_id, d))
        .order_by(shipment_items.c.shipment_id, shipment_items.c.position)
    )
)
_PACKAGES = driver.BatchQuery(
    lambda d: (
        select(*order_store.PACKAGE_COLUMNS)
        .where(driver.in_ids(packages.c.shipment_id, d))
        .order_by(packages.c.package_number)
    )
)


@dataclass(slots=True)
class Claimed:
    """The claimed orders as the driver's rows, oldest due first. Each order is built when the engine takes its step
    (iterating builds them one by one), so a batch holds plain tuples, not a thousand object graphs at once: less
    for the garbage collector to walk."""

    rows: list[driver.Row]
    items: dict[int, list[driver.Row]]
    reservations: dict[int, list[driver.Row]]
    shipments: dict[int, list[tuple[driver.Row, list[driver.Row], list[driver.Row]]]]  # with items', packages' rows
    read: Callable[[Any], datetime | None]

    def __len__(self) -> int:
        return len(self.rows)

    def keys(self) -> list[tuple[str, str]]:
        """(seller, SellerFulfillmentOrderId) of each order."""
        return [(row[_SELLER], row[_SELLER_ORDER]) for row in self.rows]

    def __iter__(self) -> Iterator[Loaded]:
        for row in self.rows:
            yield self.load(row)

    def load(self, raw: driver.Row) -> Loaded:
        """One claimed row as the order the engine steps, with its lines, reservations and shipments."""
        read = self.read
        row = _ORDER_ROW(raw, read)
        items = [order_store.item_from(_ITEM_ROW(r, read)) for r in self.items.get(row.id, ())]
        order = order_store.order_from(cast(Any, row), items)  # a named row, as order_from reads SQLAlchemy's
        held = [order_store.Reservation(*r[1:]) for r in self.reservations.get(row.id, ())]
        loaded = Loaded(row.id, order, held, {}, row.next_step_at, _step_columns(order, row.next_step_at))
        loaded.item_columns = [_item_columns(item) for item in items]
        for shipment_row, contents, boxes in self.shipments.get(row.id, ()):
            row_id, _order_id, amazon_id, fc_code, status, shipping_at, arrival = shipment_row
            shipment = Shipment(
                amazon_id,
                fc_code,
                status,
                read(shipping_at),
                read(arrival),
                [ShipmentItem(sku, item_id, quantity, box) for _s, _p, sku, item_id, quantity, box in contents],
                [Package(number, carrier, tracking, read(at)) for number, _s, carrier, tracking, at in boxes],
            )
            order.shipments.append(shipment)
            loaded.shipment_ids[amazon_id] = row_id
        return loaded


_SELLER = list(orders.c).index(orders.c.seller_id)
_SELLER_ORDER = list(orders.c).index(orders.c.seller_order_id)
ID = list(orders.c).index(orders.c.id)
SELLER = _SELLER
SELLER_ORDER = _SELLER_ORDER
STATUS = list(orders.c).index(orders.c.status)
STATUS_UPDATED_AT = list(orders.c).index(orders.c.status_updated_at)
ACTION = list(orders.c).index(orders.c.fulfillment_action)
RECEIVED_AT = list(orders.c).index(orders.c.received_at)
NEXT_STEP_AT = list(orders.c).index(orders.c.next_step_at)
"""Positions in a claimed row (``Claimed.rows``) of the columns the engine reads before building the order."""


def claim(
    conn: Connection,
    now: datetime,
    limit: int,
    *,
    lock: bool,
    needs: Callable[[list[driver.Row]], Iterable[int]] | None = None,
    exclude: Sequence[int] = (),
) -> Claimed:
    """The orders whose next step is due at ``now``, oldest first; with ``lock`` (PostgreSQL) each is locked,
    skipping rows other workers hold (``SKIP LOCKED``), so two workers never take the same step.

    ``needs`` gets the claimed rows and names the orders (ids) whose lines, reservations and shipments are read:
    the others can't be :meth:`Claimed.load`-ed (their step needs only the order's row). All of them without it.
    ``exclude``: ids not to claim (orders this transaction claimed already and has not written yet)."""
    dialect = conn.dialect
    read = moments.reader(dialect)
    query = _CLAIMS[lock, bool(exclude)]
    skip = {"skip": driver.ids(dialect, exclude)} if exclude else {}
    rows = query.rows(conn, now=moments.writer(dialect)(now), limit=limit, **skip)
    if not rows:
        return Claimed([], {}, {}, {}, read)
    wanted = [row[0] for row in rows] if needs is None else list(needs(rows))
    if not wanted:
        return Claimed(rows, {}, {}, {}, read)
    ids = driver.ids(dialect, wanted)
    items = _by_order(_ITEMS.rows(conn, ids=ids))
    held = _by_order(_RESERVATIONS.rows(conn, ids=ids))
    return Claimed(rows, items, held, _shipments(conn, ids), read)


def _one(lock: bool) -> driver.BatchQuery:
    query = select(*orders.c).where(orders.c.id == bindparam("id"))
    return driver.BatchQuery(lambda _dialect: query.with_for_update() if lock else query)


_ONE = {lock: _one(lock) for lock in (False, True)}


def load_one(conn: Connection, order_id: int, *, lock: bool) -> Loaded | None:
    """One order as the engine steps it, whether due or not (a step taken on request: the sandbox's status
    update); with ``lock`` (PostgreSQL) the row is held until commit, so no engine steps it meanwhile."""
    dialect = conn.dialect
    rows = _ONE[lock].rows(conn, id=order_id)
    if not rows:
        return None
    ids = driver.ids(dialect, [order_id])
    items = _by_order(_ITEMS.rows(conn, ids=ids))
    held = _by_order(_RESERVATIONS.rows(conn, ids=ids))
    return Claimed(rows, items, held, _shipments(conn, ids), moments.reader(dialect)).load(rows[0])


def _by_order(rows: Iterable[driver.Row]) -> dict[int, list[driver.Row]]:
    """Rows whose first column is the order id, grouped by it (in query order)."""
    grouped: dict[int, list[driver.Row]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(row)
    return grouped


def _shipments(conn: Connection, ids: Any) -> dict[int, list[tuple[driver.Row, list[driver.Row], list[driver.Row]]]]:
    """The batch's shipments (in the order ``order_store.load_shipments`` gives), each with its items' and packages'
    rows; as the driver's tuples, which a helper process takes cheaply (:meth:`Claimed.load` builds the objects)."""
    rows = _SHIPMENTS.rows(conn, ids=ids)
    if not rows:
        return {}
    shipment_ids = driver.ids(conn.dialect, [r[0] for r in rows])
    items: dict[int, list[driver.Row]] = {r[0]: [] for r in rows}
    for row in _SHIPMENT_ITEMS.rows(conn, ids=shipment_ids):
        items[row[0]].append(row)
    boxes: dict[int, list[driver.Row]] = {r[0]: [] for r in rows}
    for row in _PACKAGES.rows(conn, ids=shipment_ids):
        boxes[row[1]].append(row)
    found: dict[int, list[tuple[driver.Row, list[driver.Row], list[driver.Row]]]] = {}
    for row in rows:
        found.setdefault(row[1], []).append((row, items[row[0]], boxes[row[0]]))
    return found


# ----------------------------------------------------------------------------------------------- writing

_ORDER_STEPS: dict[tuple[str, ...], driver.Update] = {}  # one statement per set of changed step columns
_ITEM_STEP = driver.Update(order_items, ("order_id", "line"), ITEM_COLUMNS)
_DROP_RESERVATION = driver.Delete(reservations, ("order_id", "line", "fc_code"))
_NEW_SHIPMENT = driver.Insert(
    shipments, ("order_id", "amazon_shipment_id", "fc_code", "status", "shipping_at", "estimated_arrival_at")
)
_NEW_SHIPMENT_ITEM = driver.InsertUnder(  # under their shipment's row id, which the database just gave it
    shipment_items,
    ("position", "seller_sku", "item_id", "quantity", "package_number"),
    parent=shipments,
    parent_key="amazon_shipment_id",
    foreign_key="shipment_id",
)
_SHIPMENT_STATE = driver.Update(
    shipments, ("order_id", "amazon_shipment_id"), ("status", "shipping_at", "estimated_arrival_at")
)
_NEW_PACKAGE = driver.Insert(
    packages,
    (
        "package_number",
        "seller_id",
        "shipment_id",
        "carrier_code",
        "tracking_number",
        "ship_date",
        "estimated_arrival_at",
        "journey",
        "ship_to",
    ),
)
_ITEM_PACKAGE = driver.Update(shipment_items, ("shipment_id", "position"), ("package_number",))
_STOCK = driver.Update(  # in SKU order on both backends: workers lock inventory rows in one order (no deadlock)
    inventory, ("seller_id", "seller_sku", "fc_code"), ("sellable", "reserved"), add=True, in_order=True
)
_NEW_EVENT = driver.Insert(order_events, ("order_id", "at", "kind", "detail"))
_NEW_NOTICE = driver.Insert(notification_outbox, notice_store.OUTBOX_COLUMNS)


def _order_step(columns: tuple[str, ...]) -> driver.Update:
    found = _ORDER_STEPS.get(columns)
    if found is None:
        found = _ORDER_STEPS[columns] = driver.Update(orders, ("id",), columns)
    return found


class Writes:
    """Everything one engine batch changes, kept as rows in the driver's form. :meth:`send` writes what the steps so
    far changed (on PostgreSQL without waiting: the server applies it while the next steps are computed),
    :meth:`flush` the rest. A context manager: leaving it on an error leaves pipeline mode, so the transaction can
    roll back.

    Made without a connection (``Writes(dialect="sqlite")``), it only keeps rows: a helper process steps orders
    into one and hands back :meth:`export`, which the engine's :meth:`absorb` takes in before it writes.

    Notices (``domain/notices.py``) are kept only for sellers someone subscribed to (``heard``: looked up once per
    batch, by the engine's claim or here when given a connection) and written as outbox rows with the batch."""

    def __init__(
        self,
        conn: Connection | None = None,
        *,
        dialect: str | None = None,
        heard: notice_store.Subscribers | None = None,
    ) -> None:
        name = conn.dialect.name if conn is not None else dialect
        assert name is not None, "a connection or a dialect name"
        if heard is None:
            heard = notice_store.subscribers(conn) if conn is not None else {}
        self.heard = heard
        self.notices: list[Notice] = []
        self.at: Moment = moments.writer(name)
        self.pipeline = driver.Pipeline(conn) if conn is not None and name == "postgresql" else None
        self.orders: dict[tuple[str, ...], list[driver.Row]] = {}  # changed step columns → rows
        self.lines: list[driver.Row] = []
        self.dropped: list[driver.Row] = []  # reservations turned into shipments or released
        self.new_shipments: list[driver.Row] = []
        self.new_shipment_items: list[driver.Row] = []  # under their shipment's AmazonShipmentId
        self.shipment_changes: list[driver.Row] = []
        self.packages: list[driver.Row] = []
        self.item_packages: list[driver.Row] = []
        self.stock: dict[tuple[str, str, str], list[int]] = {}  # (seller, sku, fc) → [Δsellable, Δreserved]
        self.events: list[driver.Row] = []

    def _kept(self) -> tuple[list[driver.Row], ...]:
        """The row lists, in the order :meth:`_write` writes them (rows after the rows they refer to)."""
        return (
            self.lines,
            self.dropped,
            self.new_shipments,
            self.new_shipment_items,
            self.shipment_changes,
            self.packages,
            self.item_packages,
            self.events,
        )

    def export(self) -> tuple[Any, ...]:
        """What was kept, as plain data (picklable): for :meth:`absorb` in the process that writes."""
        return self.orders, self._kept(), self.stock, self.notices

    def absorb(self, exported: tuple[Any, ...]) -> None:
        """Take in another ``Writes``' :meth:`export`, as if its steps had been recorded here."""
        changed, kept, stock, notices = exported
        self.notices.extend(notices)
        for columns, rows in changed.items():
            self.orders.setdefault(columns, []).extend(rows)
        for mine, theirs in zip(self._kept(), kept, strict=True):
            mine.extend(theirs)
        for (seller_id, sku, fc_code), (sellable, reserved) in stock.items():
            self.move_stock(seller_id, sku, fc_code, sellable, reserved)

    def __enter__(self) -> Writes:
        return self

    def __exit__(self, kind: object, error: BaseException | None, trace: object) -> None:
        if error is not None and self.pipeline is not None:
            self.pipeline.settle(error)

    def save(self, loaded: Loaded, next_step_at: datetime | None) -> None:
        """The order after its step: the step columns that changed (rows grouped by which ones), the lines that
        changed. Taken as rows at once, so the order's objects need not live until the batch is written."""
        at = self.at
        order = loaded.order
        self.step_columns(loaded.id, loaded.step_columns, _step_columns(order, next_step_at))
        for line, (item, before) in enumerate(zip(order.items, loaded.item_columns, strict=True)):
            if _item_columns(item) != before:
                self.lines.append(
                    (
                        item.cancelled_quantity,
                        item.unfulfillable_quantity,
                        at(item.estimated_ship_at),
                        at(item.estimated_arrival_at),
                        loaded.id,
                        line,
                    )
                )

    def step_columns(self, order_id: int, before: tuple[Any, ...], after: tuple[Any, ...]) -> None:
        """The order's STEP_COLUMNS that changed from ``before`` to ``after`` (rows grouped by which ones)."""
        status, updated_at, next_step_at = after
        names: list[str] = []
        row: list[Any] = []
        if status != before[0]:
            names.append("status")
            row.append(status)
        if updated_at != before[1]:
            names.append("status_updated_at")
            row.append(self.at(updated_at))
        if next_step_at != before[2]:
            names.append("next_step_at")
            row.append(self.at(next_step_at))
        if names:
            row.append(order_id)
            self.orders.setdefault(tuple(names), []).append(tuple(row))

    def drop_reservation(self, order_id: int, held: order_store.Reservation) -> None:
        self.dropped.append((order_id, held.line, held.fc_code))

    def move_stock(self, seller_id: str, sku: str, fc_code: str, sellable: int, reserved: int) -> None:
        delta = self.stock.setdefault((seller_id, sku, fc_code), [0, 0])
        delta[0] += sellable
        delta[1] += reserved

    def new_shipment(self, order_id: int, shipment: Shipment) -> None:
        """A shipment just planned, with its items (their rows name it by its AmazonShipmentId)."""
        at = self.at
        amazon_id = shipment.amazon_shipment_id
        self.new_shipments.append(
            (
                order_id,
                amazon_id,
                shipment.fc_code,
                shipment.status,
                at(shipment.shipping_at),
                at(shipment.estimated_arrival_at),
            )
        )
        self.new_shipment_items.extend(
            (amazon_id, n, item.seller_sku, item.item_id, item.quantity, item.package_number)
            for n, item in enumerate(shipment.items)
        )

    def shipment(self, order_id: int, shipment: Shipment) -> None:
        at = self.at
        self.shipment_changes.append(
            (
                shipment.status,
                at(shipment.shipping_at),
                at(shipment.estimated_arrival_at),
                order_id,
                shipment.amazon_shipment_id,
            )
        )

    def event(self, order_id: int, at: datetime, kind: str, detail: str | None = None) -> None:
        self.events.append((order_id, self.at(at), kind, detail))

    def heeded(self, seller_id: str) -> bool:
        """Whether anyone hears of this seller's changes (a step builds notices only then)."""
        return seller_id in self.heard

    def notice(self, notices: Iterable[Notice]) -> None:
        self.notices.extend(notices)

    def package_rows(self, seller_id: str, shipment_id: int, rows: Iterable[PackageRow]) -> None:
        at = self.at
        self.packages.extend(
            (
                r.package_number,
                seller_id,
                shipment_id,
                r.carrier_code,
                r.tracking_number,
                at(r.ship_date),
                at(r.estimated_arrival_at),
                r.journey,
                json.dumps(r.ship_to),
            )
            for r in rows
        )

    def item_package(self, shipment_id: int, position: int, package_number: int) -> None:
        self.item_packages.append((package_number, shipment_id, position))

    def settle(self) -> None:
        """Wait until what was sent is written: before a step reads or writes the database itself."""
        if self.pipeline is not None:
            self.pipeline.settle()

    def send(self, conn: Connection) -> None:
        """Write what the steps so far changed (not the stock: summed over the batch, written by :meth:`flush`)."""
        if self.pipeline is None:
            return  # SQLite runs in this thread: nothing to overlap, the batch is written at once by flush
        self._write(conn, self.pipeline)

    def flush(self, conn: Connection) -> None:
        self.settle()
        self._write(conn, None)
        moves = [(d[0], d[1], *key) for key, d in sorted(self.stock.items()) if d != [0, 0]]
        _STOCK.run(conn, moves)
        self.stock.clear()

    def _write(self, conn: Connection, pipeline: driver.Pipeline | None) -> None:
        """Every kind of change kept so far, in an order that puts rows after the rows they refer to."""
        for columns, rows in self.orders.items():
            _order_step(columns).run(conn, rows, pipeline)
        _ITEM_STEP.run(conn, self.lines, pipeline)
        _DROP_RESERVATION.run(conn, self.dropped, pipeline)
        _NEW_SHIPMENT.run(conn, self.new_shipments, pipeline)
        _NEW_SHIPMENT_ITEM.run(conn, self.new_shipment_items, pipeline)
        _SHIPMENT_STATE.run(conn, self.shipment_changes, pipeline)
        _NEW_PACKAGE.run(conn, self.packages, pipeline)
        _ITEM_PACKAGE.run(conn, self.item_packages, pipeline)
        _NEW_EVENT.run(conn, self.events, pipeline)
        if self.notices:
            rows = notice_store.notices_rows(self.notices, self.heard, self.at, datetime.now(UTC))
            _NEW_NOTICE.run(conn, rows, pipeline)
            self.notices.clear()
        self.orders.clear()
        for kept in self._kept():
            kept.clear()
