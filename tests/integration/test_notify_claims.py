"""Claiming outbox rows: each claimed once while its lease runs, the first of its lane only, claimed again once the
lease has run out; two deliverers on PostgreSQL claiming at the same moment never share a row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from outbound.domain import notices
from outbound.service import notifications
from outbound.store import Database
from outbound.store import notifications as store
from tests.helpers import SELLER

AT = datetime(2026, 11, 23, 12, tzinfo=UTC)


def fill(db: Database, orders: int) -> None:
    notifications.subscribe(db, SELLER, notices.FULFILLMENT_ORDER_STATUS, "webhook", "http://127.0.0.1:9/x")
    with db.transaction() as conn:
        store.record(
            conn,
            [
                notices.order_changed(n, SELLER, f"MCF-{n}", status, AT)
                for n in range(1, orders + 1)
                for status in ("RECEIVED", "PLANNING")
            ],
        )


def test_a_lane_gives_one_row_at_a_time_and_a_lease_holds_it(db: Database) -> None:
    fill(db, 5)
    lease = timedelta(seconds=30)
    now = datetime.now(UTC)
    with db.transaction() as conn:
        first = store.claim(conn, now, 100, lease)
    assert sorted(c.order_status for c in first) == ["RECEIVED"] * 5  # the second of each lane waits
    with db.transaction() as conn:
        assert store.claim(conn, now, 100, lease) == []  # leased
    with db.transaction() as conn:
        store.delivered(conn, [c.id for c in first[:2]], now)
    with db.transaction() as conn:
        second = store.claim(conn, now, 100, lease)
    assert {c.seller_order_id for c in second} == {c.seller_order_id for c in first[:2]}
    assert {c.order_status for c in second} == {"PLANNING"}
    with db.transaction() as conn:  # the leases of the undelivered ones have run out: claimed again
        again = store.claim(conn, now + lease + timedelta(seconds=1), 100, lease)
    assert {c.id for c in again} == {c.id for c in first[2:]} | {c.id for c in second}


def test_two_deliverers_at_once_never_share_a_row(db: Database) -> None:
    if db.is_sqlite:  # one writer at a time: the second claim waits for the first's commit
        return
    fill(db, 40)
    now, lease = datetime.now(UTC), timedelta(seconds=30)
    with db.engine.connect() as a, db.engine.connect() as b, a.begin():
        mine = store.claim(a, now, 10, lease)  # still locked: its transaction is open
        with b.begin():
            theirs = store.claim(b, now, 100, lease)
    assert len(mine) == 10 and len(theirs) == 30
    assert not {c.id for c in mine} & {c.id for c in theirs}
