"""Whole-store queries for operators: is the store empty, empty it, count orders by status, how late the engine is."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, func, insert, select, text, update

from outbound.store.schema import metadata, orders, packages, return_items, sellers, shipments, sim_clock


def counts(conn: Connection) -> tuple[int, int]:
    """(sellers, orders) in the store."""
    seller_count = conn.execute(select(func.count()).select_from(sellers)).scalar_one()
    order_count = conn.execute(select(func.count()).select_from(orders)).scalar_one()
    return int(seller_count), int(order_count)


def seller_exists(conn: Connection, seller_id: str) -> bool:
    return conn.execute(select(sellers.c.seller_id).where(sellers.c.seller_id == seller_id)).first() is not None


def empty(conn: Connection, *, truncate: bool = True) -> None:
    """Delete every row of every table (the schema and its Alembic revision stay). ``truncate`` (PostgreSQL) is
    for big stores; a test suite's few rows go faster with plain ``DELETE``, as ``TRUNCATE`` replaces files."""
    if truncate and conn.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        return
    for table in reversed(metadata.sorted_tables):
        conn.execute(table.delete())


def orders_by_status(conn: Connection) -> dict[str, int]:
    """How many orders are in each status (read from ``ix_orders_status``)."""
    rows = conn.execute(select(orders.c.status, func.count()).group_by(orders.c.status)).all()
    return {str(status): int(n) for status, n in rows}


def oldest_due(conn: Connection) -> datetime | None:
    """The earliest time a lifecycle step (an order's next step or a returned unit's arrival) is due."""
    order_due = conn.execute(select(func.min(orders.c.next_step_at))).scalar_one()
    return_due = conn.execute(select(func.min(return_items.c.due_at))).scalar_one()
    found = [m for m in (order_due, return_due) if m is not None]
    return min(found) if found else None


def seller_figures(conn: Connection, seller_id: str) -> tuple[dict[str, int], int, int, int]:
    """One seller's orders by status, and its shipments, packages and returned units."""
    mine = select(orders.c.id).where(orders.c.seller_id == seller_id).scalar_subquery()
    statuses = conn.execute(
        select(orders.c.status, func.count()).where(orders.c.seller_id == seller_id).group_by(orders.c.status)
    ).all()
    theirs = select(shipments.c.id).where(shipments.c.order_id.in_(mine)).scalar_subquery()
    counted = [
        int(conn.execute(select(func.count()).where(where)).scalar_one())
        for where in (
            shipments.c.order_id.in_(mine),
            packages.c.shipment_id.in_(theirs),
            return_items.c.order_id.in_(mine),
        )
    ]
    return {str(s): int(n) for s, n in statuses}, counted[0], counted[1], counted[2]


_CLOCK_ROW = 1  # the one row of sim_clock (the virtual clock keeps its instant there too)


def record_clock_mode(conn: Connection, mode: str) -> None:
    found = conn.execute(update(sim_clock).where(sim_clock.c.id == _CLOCK_ROW).values(mode=mode)).rowcount
    if not found:  # the virtual clock starts at the wall clock's now when first read: start it so
        conn.execute(insert(sim_clock).values(id=_CLOCK_ROW, now=datetime.now(UTC), mode=mode))


def clock_mode(conn: Connection) -> str | None:
    mode = conn.execute(select(sim_clock.c.mode).where(sim_clock.c.id == _CLOCK_ROW)).scalar_one_or_none()
    return None if mode is None else str(mode)
