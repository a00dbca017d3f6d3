"""Queries for the seller's catalog (SKUs and their attributes) and stock per fulfillment center."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection, and_, bindparam, select

from outbound.store.schema import inventory, skus


@dataclass(frozen=True, slots=True)
class Sku:
    seller_sku: str
    fnsku: str
    weight_lb: Decimal
    length_in: Decimal
    width_in: Decimal
    height_in: Decimal
    declared_value: Decimal | None
    category: str


# Built once (the order and preview paths run them on every call): no statement to rebuild per request.
_SKUS = select(skus).where(
    skus.c.seller_id == bindparam("seller"), skus.c.seller_sku.in_(bindparam("skus", expanding=True))
)
_STOCK = (
    select(inventory.c.fc_code, inventory.c.seller_sku, inventory.c.sellable)
    .where(inventory.c.seller_id == bindparam("seller"), inventory.c.seller_sku.in_(bindparam("skus", expanding=True)))
    .order_by(inventory.c.seller_sku, inventory.c.fc_code)
)
_STOCK_LOCKED = _STOCK.with_for_update()


def load_skus(conn: Connection, seller_id: str, seller_skus: Iterable[str]) -> dict[str, Sku]:
    wanted = list(dict.fromkeys(seller_skus))
    query, values = _SKUS, {"seller": seller_id, "skus": wanted}
    return {
        row.seller_sku: Sku(
            row.seller_sku,
            row.fnsku,
            Decimal(row.weight_lb),
            Decimal(row.length_in),
            Decimal(row.width_in),
            Decimal(row.height_in),
            None if row.declared_value is None else Decimal(row.declared_value),
            row.category,
        )
        for row in conn.execute(query, values)
    }


def upsert_sku(conn: Connection, seller_id: str, sku: Sku, now: datetime) -> None:
    values = {
        "fnsku": sku.fnsku,
        "weight_lb": sku.weight_lb,
        "length_in": sku.length_in,
        "width_in": sku.width_in,
        "height_in": sku.height_in,
        "declared_value": sku.declared_value,
        "category": sku.category,
        "stock_changed_at": now,  # every caller sets the SKU's stock with it (inventory set or import)
    }
    where = and_(skus.c.seller_id == seller_id, skus.c.seller_sku == sku.seller_sku)
    if conn.execute(select(skus.c.seller_sku).where(where)).first() is None:
        conn.execute(skus.insert().values(seller_id=seller_id, seller_sku=sku.seller_sku, created_at=now, **values))
    else:
        conn.execute(skus.update().where(where).values(**values))


def set_sellable(conn: Connection, seller_id: str, seller_sku: str, fc_code: str, quantity: int) -> None:
    """Set the free units of a SKU at a center (what an inventory count or a receipt says)."""
    values = {"seller": seller_id, "sku": seller_sku, "fc": fc_code, "units": quantity}
    if conn.execute(_SET_SELLABLE, values).rowcount == 0:
        conn.execute(_NEW_STOCK, values)


def stock(
    conn: Connection, seller_id: str, seller_skus: Iterable[str], *, lock: bool = False
) -> dict[str, dict[str, int]]:
    """Free units per center and SKU (``fc → sku → sellable``); ``lock`` holds the rows until commit (PostgreSQL)."""
    values = {"seller": seller_id, "skus": list(dict.fromkeys(seller_skus))}
    result: dict[str, dict[str, int]] = {}
    for row in conn.execute(_STOCK_LOCKED if lock else _STOCK, values):
        result.setdefault(row.fc_code, {})[row.seller_sku] = int(row.sellable)
    return result


_ROW = and_(
    inventory.c.seller_id == bindparam("seller"),
    inventory.c.seller_sku == bindparam("sku"),
    inventory.c.fc_code == bindparam("fc"),
)
# Built once: every create reserves and every cancel releases; a stock count sets one row per center
_SET_SELLABLE = inventory.update().where(_ROW).values(sellable=bindparam("units"))
_NEW_STOCK = inventory.insert().values(
    seller_id=bindparam("seller"),
    seller_sku=bindparam("sku"),
    fc_code=bindparam("fc"),
    sellable=bindparam("units"),
    reserved=0,
)
RESERVE = (
    inventory.update()
    .where(_ROW, inventory.c.sellable >= bindparam("units"))
    .values(sellable=inventory.c.sellable - bindparam("units"), reserved=inventory.c.reserved + bindparam("units"))
)
_RELEASE = (
    inventory.update()
    .where(_ROW)
    .values(sellable=inventory.c.sellable + bindparam("units"), reserved=inventory.c.reserved - bindparam("units"))
)


def reserve(conn: Connection, seller_id: str, seller_sku: str, fc_code: str, quantity: int) -> bool:
    """Move free units to reserved; False (nothing changed) when fewer than ``quantity`` are free."""
    result = conn.execute(RESERVE, {"seller": seller_id, "sku": seller_sku, "fc": fc_code, "units": quantity})
    return result.rowcount == 1


def release(conn: Connection, seller_id: str, seller_sku: str, fc_code: str, quantity: int) -> None:
    """Give reserved units back to the free stock (cancel, lowered quantity)."""
    conn.execute(_RELEASE, {"seller": seller_id, "sku": seller_sku, "fc": fc_code, "units": quantity})


def levels(conn: Connection, seller_id: str, seller_sku: str | None = None) -> list[tuple[str, str, int, int]]:
    """(sku, fc, sellable, reserved) rows for a seller, for the CLI and tests."""
    query = select(inventory.c.seller_sku, inventory.c.fc_code, inventory.c.sellable, inventory.c.reserved).where(
        inventory.c.seller_id == seller_id
    )
    if seller_sku is not None:
        query = query.where(inventory.c.seller_sku == seller_sku)
    rows = conn.execute(query.order_by(inventory.c.seller_sku, inventory.c.fc_code))
    return [(row.seller_sku, row.fc_code, int(row.sellable), int(row.reserved)) for row in rows]
