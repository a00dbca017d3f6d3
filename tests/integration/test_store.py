"""The store on SQLite and PostgreSQL: migrations, sellers, keys and grants, the service status, plain URLs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from outbound.service import accounts
from outbound.service.access import Denial, check_grant, normalize_token
from outbound.service.accounts import add_seller
from outbound.service.status import get_service_status, set_service_status
from outbound.store import Database
from outbound.store import accounts as store
from outbound.store import status as status_store
from outbound.store.db import normalize_url
from outbound.store.schema import access_keys, grants, seller_marketplaces, sellers, service_status
from tests.helpers import ACCESS_KEY, SECRET_KEY, SELLER, count

FOUNDATION_TABLES = {"sellers", "seller_marketplaces", "access_keys", "grants", "service_status", "alembic_version"}


def test_migrations_create_the_schema_idempotently(db: Database) -> None:
    db.migrate()
    db.migrate()
    with db.read() as conn:
        names = set(inspect(conn).get_table_names())
        versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    assert names >= FOUNDATION_TABLES
    assert len(versions) == 1
    # the schema the migrations built is the one the code queries
    with db.read() as conn:
        columns = {c["name"] for c in inspect(conn).get_columns("grants")}
    assert columns == {"access_key", "seller_id", "auth_token"}


def test_migrate_a_fresh_sqlite_file(tmp_path: Path) -> None:
    fresh = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        fresh.migrate()
        fresh.migrate()
        with fresh.read() as conn:
            assert set(inspect(conn).get_table_names()) >= FOUNDATION_TABLES
    finally:
        fresh.dispose()


def test_add_seller_is_idempotent(db: Database) -> None:
    for _ in range(2):
        add_seller(db, SELLER, ACCESS_KEY, SECRET_KEY)
    assert (count(db, sellers), count(db, access_keys), count(db, grants), count(db, seller_marketplaces)) == (
        1,
        1,
        1,
        1,
    )
    assert accounts.marketplaces(db, SELLER) == ["ATVPDKIKX0DER"]


def test_add_seller_updates_the_secret(db: Database) -> None:
    add_seller(db, SELLER, ACCESS_KEY, "new-secret")
    with db.read() as conn:
        grant = store.key_grant(conn, ACCESS_KEY, SELLER)
    assert grant is not None and grant.secret_key == "new-secret"
    assert count(db, access_keys) == 1


def test_marketplaces(db: Database) -> None:
    add_seller(db, "A1EUSELLER", "AKIAEUKEY", "eu-secret", marketplaces=["A1PA6795UKMFR9", "A1F83G8C2ARO7P"])
    with db.read() as conn:
        grant = store.key_grant(conn, "AKIAEUKEY", "A1EUSELLER")
    assert grant is not None and grant.default_marketplace_id == "A1PA6795UKMFR9"  # the first is home
    add_seller(db, "A1EUSELLER", "AKIAEUKEY", "eu-secret", marketplaces=["A1F83G8C2ARO7P", "A13V1IB3VIYZZH"])
    assert sorted(accounts.marketplaces(db, "A1EUSELLER")) == ["A13V1IB3VIYZZH", "A1F83G8C2ARO7P", "A1PA6795UKMFR9"]


def test_key_grant(db: Database) -> None:
    add_seller(db, "A1OTHER", "AKIAOTHER", "other-secret")
    with db.read() as conn:
        own = store.key_grant(conn, ACCESS_KEY, SELLER)
        foreign = store.key_grant(conn, ACCESS_KEY, "A1OTHER")
        no_seller = store.key_grant(conn, ACCESS_KEY, None)
        unknown_seller = store.key_grant(conn, ACCESS_KEY, "A0NOBODY")
        unknown_key = store.key_grant(conn, "AKIANOBODY", SELLER)
    assert own == store.KeyGrant(SECRET_KEY, True, None, "ATVPDKIKX0DER")
    for grant in (foreign, no_seller, unknown_seller):
        assert grant is not None
        assert grant.secret_key == SECRET_KEY  # the key is known: its secret checks the signature
        assert not grant.granted
        assert check_grant(grant, None) is Denial.NO_GRANT
    assert unknown_key is None


def test_one_key_for_several_sellers(db: Database) -> None:
    add_seller(db, "A1SECOND", ACCESS_KEY, SECRET_KEY, auth_token="amzn.mws.second")
    with db.read() as conn:
        first = store.key_grant(conn, ACCESS_KEY, SELLER)
        second = store.key_grant(conn, ACCESS_KEY, "A1SECOND")
    assert first is not None and first.granted and first.auth_token is None
    assert second is not None and second.granted and second.auth_token == "amzn.mws.second"


def test_auth_tokens(db: Database) -> None:
    add_seller(db, "A1DELEGATED", "AKIADEV", "dev-secret", auth_token="amzn.mws.abc")
    with db.read() as conn:
        grant = store.key_grant(conn, "AKIADEV", "A1DELEGATED")
    assert grant is not None and grant.auth_token == "amzn.mws.abc"
    assert check_grant(grant, "amzn.mws.abc") is None
    assert check_grant(grant, " amzn.mws.abc ") is None
    for absent in (None, "", "  ", "undefined", "None"):
        assert check_grant(grant, absent) is Denial.TOKEN_MISSING
    assert check_grant(grant, "amzn.mws.abd") is Denial.TOKEN_WRONG
    assert check_grant(grant, "AMZN.MWS.ABC") is Denial.TOKEN_WRONG

    add_seller(db, "A1DELEGATED", "AKIADEV", "dev-secret", auth_token="amzn.mws.new")
    with db.read() as conn:
        grant = store.key_grant(conn, "AKIADEV", "A1DELEGATED")
    assert grant is not None and check_grant(grant, "amzn.mws.abc") is Denial.TOKEN_WRONG
    assert count(db, grants) == 2


def test_normalize_token() -> None:
    assert normalize_token(None) is None
    assert normalize_token("undefined") is None
    assert normalize_token("None") is None
    assert normalize_token(" ") is None
    assert normalize_token(" amzn.mws.x ") == "amzn.mws.x"
    assert normalize_token("none") == "none"  # only the literal strings clients send


def test_service_status_round_trip(db: Database) -> None:
    default = get_service_status(db)
    assert (default.status, default.message_id, default.message, default.has_message) == ("GREEN", None, None, False)

    saved = set_service_status(db, "YELLOW", "Delays ahead")
    loaded = get_service_status(db)
    assert (loaded.status, loaded.message) == ("YELLOW", "Delays ahead")
    assert loaded.message_id == saved.message_id and loaded.message_id
    assert loaded.has_message

    set_service_status(db, "GREEN", "kept but not sent")
    green = get_service_status(db)
    assert (green.status, green.message, green.has_message) == ("GREEN", "kept but not sent", False)

    set_service_status(db, "RED")
    red = get_service_status(db)
    assert (red.status, red.message_id, red.message, red.has_message) == ("RED", None, None, False)
    assert count(db, service_status) == 1


def test_service_status_refuses_unknown_values(db: Database) -> None:
    with pytest.raises(ValueError):
        set_service_status(db, "BLUE")
    assert get_service_status(db).status == "GREEN"


def test_stored_datetimes_are_aware_utc(db: Database) -> None:
    moment = datetime(2026, 11, 23, 16, 0, 0, 412000, tzinfo=UTC)
    with db.transaction() as conn:
        status_store.save(conn, status_store.StoredStatus("GREEN", None, None, moment))
    with db.read() as conn:
        stored = status_store.load(conn)
    assert stored is not None
    assert stored.updated_at == moment
    assert stored.updated_at.utcoffset() == timedelta(0)


def test_transaction_rolls_back_on_error(db: Database) -> None:
    with pytest.raises(RuntimeError), db.transaction() as conn:
        store.upsert_key(conn, "AKIAROLLBACK", "s", datetime.now(UTC))
        raise RuntimeError("boom")
    with db.read() as conn:
        assert store.key_grant(conn, "AKIAROLLBACK", None) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://postgres@127.0.0.1:5432/outbound", "postgresql+psycopg://postgres@127.0.0.1:5432/outbound"),
        ("postgres://user:pw@db:5432/x", "postgresql+psycopg://user:pw@db:5432/x"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
        ("sqlite:///relative.db", "sqlite:///relative.db"),
        ("sqlite:////abs/path/outbound.db", "sqlite:////abs/path/outbound.db"),
    ],
)
def test_normalize_url(url: str, expected: str) -> None:
    assert normalize_url(url) == expected


def test_plain_url_forms_work(db_url: str) -> None:
    """The db_url fixture hands the plain forms: ``sqlite:///path`` and ``postgresql://user@host:port/db``."""
    assert db_url.startswith(("sqlite:///", "postgresql://"))
    database = Database(db_url)
    try:
        database.migrate()
        with database.read() as conn:
            assert conn.execute(text("SELECT 1")).scalar_one() == 1
        assert database.is_sqlite == db_url.startswith("sqlite")
    finally:
        database.dispose()


def test_postgresql_sessions_are_in_utc(pg_url: str) -> None:
    """Every pooled PostgreSQL connection reads ``timestamptz`` as ``datetime.UTC`` datetimes, whatever the server's
    zone: the hot reads take them as they come, without converting each one."""
    db = Database(pg_url)
    try:
        for _ in range(2):  # a fresh connection and a reused one
            with db.engine.connect() as conn:
                assert conn.exec_driver_sql("SHOW TIME ZONE").scalar_one() == "UTC"
                moment = conn.exec_driver_sql("SELECT TIMESTAMPTZ '2026-11-30 08:00:00+09'").scalar_one()
                assert moment.tzinfo is UTC and moment == datetime(2026, 11, 29, 23, 0, tzinfo=UTC)
    finally:
        db.dispose()
