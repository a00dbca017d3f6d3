"""CreateFulfillmentOrder's statements, batched: its independent reads together, its writes together.

A create used to run about ten statements one after another, each a round trip on PostgreSQL and each through
SQLAlchemy's execution machinery (tens of microseconds apiece on SQLite). Here:

- :func:`create_reads`: the seller's marketplaces, whether the order id is taken, the SKUs and their stock (rows
  locked, in the order every writer locks them), whether anyone hears of the seller's orders — on PostgreSQL one
  pipeline, one round trip;
- :func:`insert_created`: the order row, its lines, the stock reservations and the reservation rows, at the driver
  level — on PostgreSQL one pipeline; children find their order by its unique key, so nothing waits for the new id.

A reservation that finds too few free units (stock moved since the read) makes :func:`insert_created` return
``False``: the caller refuses the order and its transaction rolls everything back. Driver errors come out as
SQLAlchemy's (``IntegrityError`` for a concurrent create of the same id), as they would from ``Connection.execute``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, Connection, String, Table, any_, bindparam, func, insert, select
from sqlalchemy import exc as sa_exc

from outbound.domain.orders import Order
from outbound.store import accounts, inventory, notifications
from outbound.store.driver import Compiled
from outbound.store.moments import writer
from outbound.store.orders import item_values, order_values
from outbound.store.outage import is_disconnect
from outbound.store.prepared import PreparedQuery, fetch
from outbound.store.schema import UtcDateTime, order_items, orders, reservations, skus
from outbound.store.schema import inventory as inventory_table


@dataclass(frozen=True, slots=True)
class CreateReads:
    marketplaces: list[str]
    taken: bool  # an order with this SellerFulfillmentOrderId exists (the caller loads it: a replay, or a refusal)
    skus: dict[str, inventory.Sku]
    stock: dict[str, dict[str, int]]  # fc → sku → free units, the rows locked until commit (PostgreSQL)
    heard: bool  # someone subscribed to the seller's notifications: a new order is told to them


@dataclass(frozen=True, slots=True)
class Pick:
    line: int
    fc_code: str
    seller_sku: str
    quantity: int


_TAKEN = PreparedQuery(
    select(orders.c.id).where(orders.c.seller_id == bindparam("seller"), orders.c.seller_order_id == bindparam("order"))
)


def _in_skus(column: ColumnElement[str], dialect_name: str) -> ColumnElement[bool]:
    """``column`` is one of the ``skus`` parameter's: an array on PostgreSQL, a JSON array on SQLite."""
    if dialect_name == "postgresql":
        return column == any_(bindparam("skus", type_=ARRAY(String)))
    return column.in_(select(func.json_each(bindparam("skus")).table_valued("value").c.value))


def _sku_queries(dialect_name: str) -> tuple[PreparedQuery, PreparedQuery]:
    """The SKUs and their stock rows (locked on PostgreSQL, in the order every writer locks them)."""
    found = PreparedQuery(
        select(skus).where(skus.c.seller_id == bindparam("seller"), _in_skus(skus.c.seller_sku, dialect_name))
    )
    stock = PreparedQuery(
        select(inventory_table.c.fc_code, inventory_table.c.seller_sku, inventory_table.c.sellable)
        .where(inventory_table.c.seller_id == bindparam("seller"), _in_skus(inventory_table.c.seller_sku, dialect_name))
        .order_by(inventory_table.c.seller_sku, inventory_table.c.fc_code)
        .with_for_update()
    )
    return found, stock


_SKU_QUERIES = {name: _sku_queries(name) for name in ("postgresql", "sqlite")}


def create_reads(conn: Connection, seller_id: str, seller_order_id: str, seller_skus: Sequence[str]) -> CreateReads:
    """What a create reads before it decides, at the driver level: in one round trip on PostgreSQL."""
    wanted: Any = list(dict.fromkeys(seller_skus))
    dialect = conn.dialect.name
    if dialect != "postgresql":
        wanted = json.dumps(wanted)
    sku_query, stock_query = _SKU_QUERIES[dialect]
    marketplaces, taken, sku_rows, stock_rows, subscribed = fetch(
        conn,
        (accounts.MARKETPLACES, {"seller": seller_id}),
        (_TAKEN, {"seller": seller_id, "order": seller_order_id}),
        (sku_query, {"seller": seller_id, "skus": wanted}),
        (stock_query, {"seller": seller_id, "skus": wanted}),
        (notifications.SELLER_SUBSCRIBED, {"seller": seller_id}),
    )
    found_skus = {
        r.seller_sku: inventory.Sku(
            r.seller_sku,
            r.fnsku,
            Decimal(r.weight_lb),
            Decimal(r.length_in),
            Decimal(r.width_in),
            Decimal(r.height_in),
            None if r.declared_value is None else Decimal(r.declared_value),
            r.category,
        )
        for r in sku_rows
    }
    stock: dict[str, dict[str, int]] = {}
    for r in stock_rows:
        stock.setdefault(r.fc_code, {})[r.seller_sku] = int(r.sellable)
    return CreateReads([r.marketplace_id for r in marketplaces], bool(taken), found_skus, stock, bool(subscribed))


# ----------------------------------------------------------------------------------------------- writes

_ORDER_BY_KEY = (
    select(orders.c.id)
    .where(orders.c.seller_id == bindparam("seller"), orders.c.seller_order_id == bindparam("order"))
    .scalar_subquery()
)
_ORDER_MOMENTS = [c.name for c in orders.columns if isinstance(c.type, UtcDateTime)]
_ITEM_MOMENTS = [c.name for c in order_items.columns if isinstance(c.type, UtcDateTime)]
_RESERVATION_COLUMNS = ("line", "fc_code", "seller_sku", "quantity")
_RESERVE = Compiled(lambda _d: inventory.RESERVE)
_INSERT_RESERVATION = Compiled(
    lambda _d: insert(reservations).values(
        {"order_id": _ORDER_BY_KEY, **{c: bindparam(c) for c in _RESERVATION_COLUMNS}}
    )
)
_inserts: dict[tuple[str, tuple[str, ...]], Compiled] = {}


def _insert(table: Table, columns: tuple[str, ...], under_order: bool) -> Compiled:
    """The insert of exactly the columns the rows carry (built once per column set: the columns ``order_values``
    and ``item_values`` give, so a column added with a server default keeps it)."""
    found = _inserts.get((table.name, columns))
    if found is None:
        values: dict[str, Any] = {c: bindparam(c) for c in columns}
        if under_order:
            values["order_id"] = _ORDER_BY_KEY
        statement = insert(table).values(values)
        found = _inserts[(table.name, columns)] = Compiled(lambda _d: statement)
    return found


def insert_created(
    conn: Connection, order: Order, request_hash: str, next_step_at: datetime | None, picks: Sequence[Pick]
) -> bool:
    """Write a new order, its lines and its reservations, taking the picked units from the free stock; ``False``
    when a center no longer has a pick's units (the caller's transaction must then roll back)."""
    dialect = conn.dialect
    moment = writer(dialect)
    key = {"seller": order.seller_id, "order": order.seller_order_id}
    row = order_values(order)
    row.update(
        seller_id=order.seller_id,
        seller_order_id=order.seller_order_id,
        request_hash=request_hash,
        next_step_at=next_step_at,
    )
    for name in _ORDER_MOMENTS:
        row[name] = moment(row[name])
    lines = []
    for n, item in enumerate(order.items):
        values = item_values(0, n, item)
        del values["order_id"]
        for name in _ITEM_MOMENTS:
            values[name] = moment(values[name])
        lines.append({**values, **key})
    taken = [{"seller": order.seller_id, "sku": p.seller_sku, "fc": p.fc_code, "units": p.quantity} for p in picks]
    held = [
        {"line": p.line, "fc_code": p.fc_code, "seller_sku": p.seller_sku, "quantity": p.quantity, **key} for p in picks
    ]
    item_columns = tuple(lines[0]) if lines else ()
    statements = [
        (_insert(orders, tuple(row), under_order=False).sql(dialect), [row]),
        (_insert(order_items, tuple(c for c in item_columns if c not in key), under_order=True).sql(dialect), lines),
        (_INSERT_RESERVATION.sql(dialect), held),
    ]
    reserve = _RESERVE.sql(dialect)
    driver: Any = conn.connection.driver_connection
    with _driver_errors(conn):
        if dialect.name == "postgresql":
            with driver.pipeline():
                cursors = [driver.cursor() for _ in statements]
                for (sql, params), cursor in zip(statements, cursors, strict=True):
                    if params:
                        cursor.executemany(sql.text, [sql.bind(p) for p in params])
                reserving = [driver.cursor() for _ in taken]
                for units, cursor in zip(taken, reserving, strict=True):
                    cursor.execute(reserve.text, reserve.bind(units))
            counts = [cursor.rowcount for cursor in reserving]
            for cursor in (*cursors, *reserving):
                cursor.close()
        else:
            cursor = driver.cursor()
            try:
                for sql, params in statements:
                    if params:
                        cursor.executemany(sql.text, [sql.bind(p) for p in params])
                counts = []
                for units in taken:
                    cursor.execute(reserve.text, reserve.bind(units))
                    counts.append(cursor.rowcount)
            finally:
                cursor.close()
    return all(count == 1 for count in counts)


@contextmanager
def _driver_errors(conn: Connection) -> Iterator[None]:
    """The driver's errors as ``Connection.execute`` would raise them; a lost connection leaves the pool."""
    try:
        yield
    except Exception as exc:
        if is_disconnect(exc) and not conn.invalidated:
            conn.invalidate(exc)
        dbapi: Any = conn.dialect.dbapi
        if dbapi is not None and isinstance(exc, dbapi.IntegrityError):
            raise sa_exc.IntegrityError("insert of a new order", None, exc) from exc
        raise
