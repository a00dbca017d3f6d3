"""The engine's driver-level statements (store/driver.py, store/batch.py) on SQLite and PostgreSQL: what they write
SQLAlchemy reads back the same, and what SQLAlchemy writes they read the same; SQLite's datetime text compares in
time order whichever side wrote it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import DateTime, select, update
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

from outbound.sim.bulk import bulk_orders
from outbound.store import Database, batch, moments
from outbound.store.schema import order_events, orders
from tests.helpers import SELLER, T0, stock

MOMENTS = [
    T0,  # no microseconds: SQLAlchemy still writes ".000000"
    T0 + timedelta(microseconds=1),
    T0 + timedelta(seconds=59, microseconds=999999),
    datetime(2026, 11, 23, 17, 30, 0, 250000, tzinfo=timezone(timedelta(hours=1, minutes=30))),  # not UTC
]


@pytest.mark.parametrize("moment", MOMENTS)
def test_sqlite_text_is_sqlalchemys(moment: datetime) -> None:
    dialect = SQLiteDialect_pysqlite()
    sqlalchemy_text = (
        DateTime().dialect_impl(dialect).bind_processor(dialect)(moment.astimezone(UTC).replace(tzinfo=None))
    )
    assert moments.writer(dialect)(moment) == sqlalchemy_text
    assert moments.reader(dialect)(sqlalchemy_text) == moment
    assert moments.reader(dialect)(sqlalchemy_text).tzinfo is UTC


def test_a_naive_datetime_is_refused() -> None:
    for dialect in (SQLiteDialect_pysqlite(), Database("postgresql://x@localhost/x").engine.dialect):
        with pytest.raises(ValueError):
            moments.writer(dialect)(datetime(2026, 1, 1))


@pytest.fixture
def three(db: Database) -> list[int]:
    stock(db, "TEA-1", 10, "BFI4")
    bulk_orders(db, SELLER, "TEA-1", "BFI4", 3, T0)
    with db.read() as conn:
        return list(conn.execute(select(orders.c.id).order_by(orders.c.id)).scalars())


def test_driver_writes_read_back_through_sqlalchemy(db: Database, three: list[int]) -> None:
    step = batch._order_step(("status", "next_step_at"))
    with db.transaction() as conn:
        at = moments.writer(conn.dialect)
        step.run(conn, [("PLANNING", at(moment), order_id) for moment, order_id in zip(MOMENTS, three, strict=False)])
    with db.read() as conn:
        found = conn.execute(select(orders.c.status, orders.c.next_step_at).order_by(orders.c.id)).all()
        assert [tuple(r) for r in found] == [("PLANNING", m) for m in MOMENTS[:3]]
        # SQLite compares the text: one format on both sides keeps the comparison in time order
        due = select(orders.c.id).where(orders.c.next_step_at <= T0 + timedelta(microseconds=1)).order_by(orders.c.id)
        assert list(conn.execute(due).scalars()) == three[:2]


def test_the_claim_reads_what_sqlalchemy_wrote_in_due_order(db: Database, three: list[int]) -> None:
    first, second, third = three
    with db.transaction() as conn:  # the last order falls due first; the other two at one instant (then by id)
        conn.execute(update(orders).where(orders.c.id == third).values(next_step_at=T0 - timedelta(seconds=1)))
        conn.execute(update(orders).where(orders.c.id != third).values(next_step_at=T0 + timedelta(microseconds=5)))
    with db.transaction() as conn:
        assert len(batch.claim(conn, T0, 10, lock=not db.is_sqlite)) == 1
        claimed = batch.claim(conn, T0 + timedelta(seconds=1), 10, lock=not db.is_sqlite)
        loaded = list(claimed)
    assert [one.id for one in loaded] == [third, first, second]
    assert [one.due_at for one in loaded] == [T0 - timedelta(seconds=1), *[T0 + timedelta(microseconds=5)] * 2]
    assert claimed.keys() == [(SELLER, one.order.seller_order_id) for one in loaded]
    assert all(one.order.received_at == T0 and one.order.items[0].quantity == 1 for one in loaded)
    assert all(len(one.reservations) == 1 and one.reservations[0].fc_code == "BFI4" for one in loaded)


def test_a_failed_write_rolls_the_batch_back_and_leaves_the_store_usable(db: Database, three: list[int]) -> None:
    """On PostgreSQL the writes go down psycopg's pipeline while steps are computed: an error there surfaces when the
    batch is written, the transaction rolls back, and the connection works again."""
    with pytest.raises(Exception), db.transaction() as conn, batch.Writes(conn) as writes:  # noqa: B017
        writes.event(three[0], T0, "PLANNING")
        writes.send(conn)
        writes.event(max(three) + 1000, T0, "PLANNING")  # no such order: the foreign key refuses it
        writes.send(conn)
        writes.flush(conn)
    with db.transaction() as conn:
        assert conn.execute(select(order_events.c.id)).all() == []  # the first event went with the rest
        with batch.Writes(conn) as writes:
            writes.event(three[0], T0, "PLANNING")
            writes.send(conn)
            writes.flush(conn)
    with db.read() as conn:
        assert conn.execute(select(order_events.c.order_id, order_events.c.at)).all() == [(three[0], T0)]
