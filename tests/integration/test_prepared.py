"""Driver-level selects (``store/prepared.py``) read exactly what SQLAlchemy's own execution reads, on SQLite and
PostgreSQL: same values, aware UTC datetimes, literals bound, several queries at once in order, inside the caller's
transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import bindparam, select

from outbound.store import Database
from outbound.store.prepared import PreparedQuery, fetch
from outbound.store.schema import access_keys, scenarios, sellers, service_status
from tests.helpers import ACCESS_KEY, SELLER

STATUS = PreparedQuery(select(service_status).where(service_status.c.id == 1))
SELLER_ROW = PreparedQuery(select(sellers).where(sellers.c.seller_id == bindparam("seller")))
FAULTS = (
    PreparedQuery(  # the literal "fault" becomes a parameter SQLAlchemy supplies: the PreparedQuery must supply it too
        select(scenarios.c.id).where(scenarios.c.seller_id == bindparam("seller"), scenarios.c.kind == "fault")
    )
)
KEYS = PreparedQuery(select(access_keys.c.access_key).order_by(access_keys.c.access_key))


def test_rows_match_sqlalchemy_with_aware_utc_datetimes(db: Database) -> None:
    moment = datetime(2026, 3, 4, 5, 6, 7, 891_011, tzinfo=timezone(timedelta(hours=9)))
    with db.transaction() as conn:
        conn.execute(service_status.insert().values(id=1, status="YELLOW", message="slow", updated_at=moment))
    with db.read() as conn:
        ours = STATUS.first(conn)
        theirs = conn.execute(select(service_status).where(service_status.c.id == 1)).one()
    assert tuple(ours) == tuple(theirs)
    assert ours.updated_at == moment and ours.updated_at.tzinfo is UTC
    assert (ours.status, ours.message, ours.message_id) == ("YELLOW", "slow", None)


def test_parameters_literals_and_no_rows(db: Database) -> None:
    with db.read() as conn:
        assert SELLER_ROW.first(conn, {"seller": SELLER}).seller_id == SELLER
        assert SELLER_ROW.first(conn, {"seller": "NOBODY"}) is None
        assert FAULTS.all(conn, {"seller": SELLER}) == []
    with db.transaction() as conn:
        conn.execute(
            scenarios.insert(),
            [
                {"seller_id": SELLER, "kind": k, "params": "{}", "created_at": datetime.now(UTC)}
                for k in ("fault", "speed")
            ],
        )
    with db.read(snapshot=False) as conn:
        assert len(FAULTS.all(conn, {"seller": SELLER})) == 1


def test_several_queries_come_back_in_order(db: Database) -> None:
    with db.read() as conn:
        keys, seller, status, none = fetch(
            conn, (KEYS, None), (SELLER_ROW, {"seller": SELLER}), (STATUS, None), (SELLER_ROW, {"seller": "X"})
        )
    assert [k.access_key for k in keys] == [ACCESS_KEY]
    assert [s.seller_id for s in seller] == [SELLER]
    assert (status, none) == ([], [])


def test_reads_inside_the_callers_transaction(db: Database) -> None:
    """A row written earlier in the same transaction is seen; after a rollback it is gone."""

    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), db.transaction() as conn:
        conn.execute(sellers.insert().values(seller_id="NEW", default_marketplace_id="X", created_at=datetime.now(UTC)))
        assert SELLER_ROW.first(conn, {"seller": "NEW"}) is not None
        assert fetch(conn, (SELLER_ROW, {"seller": "NEW"}), (KEYS, None))[0] != []
        raise Rollback
    with db.read() as conn:
        assert SELLER_ROW.first(conn, {"seller": "NEW"}) is None


def test_single_statement_reads_leave_the_connection_as_they_found_it(db: Database) -> None:
    """``db.read(snapshot=False)`` runs without BEGIN/COMMIT on SQLite and hands back a connection that writers and
    snapshot readers still use normally (the driver's own transaction handling stays off)."""
    with db.read(snapshot=False) as conn:
        assert STATUS.first(conn) is None
        raw = conn.connection.driver_connection
        if db.is_sqlite:
            assert raw is not None and not raw.in_transaction
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    with db.transaction() as conn:
        conn.execute(service_status.insert().values(id=1, status="RED", updated_at=moment))
    with db.read() as conn:
        assert STATUS.first(conn).status == "RED"
    with db.read(snapshot=False) as conn:
        assert STATUS.first(conn).updated_at == moment
        if db.is_sqlite:
            assert conn.connection.driver_connection.isolation_level is None
