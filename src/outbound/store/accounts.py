"""Queries for sellers, developer access keys and the grants that let a key act for a seller."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, exists, select

from outbound.store import orders
from outbound.store.async_reads import AsyncReads
from outbound.store.prepared import PreparedQuery
from outbound.store.schema import access_keys, grants, scenarios, seller_marketplaces, sellers


@dataclass(frozen=True, slots=True)
class KeyGrant:
    """What one request's key and seller resolve to; ``granted`` is false when the key may not act for them."""

    secret_key: str
    granted: bool
    auth_token: str | None
    default_marketplace_id: str | None
    has_faults: bool = False  # a fault scenario is set for the seller: look it up (most requests need not)


_KEY_GRANT_SELECT = (
    select(
        access_keys.c.secret_key,
        grants.c.seller_id,
        grants.c.auth_token,
        sellers.c.default_marketplace_id,
        exists().where(scenarios.c.seller_id == bindparam("seller"), scenarios.c.kind == "fault").label("has_faults"),
    )
    .select_from(
        access_keys.outerjoin(
            grants,
            and_(grants.c.access_key == access_keys.c.access_key, grants.c.seller_id == bindparam("seller")),
        ).outerjoin(sellers, sellers.c.seller_id == grants.c.seller_id)
    )
    .where(access_keys.c.access_key == bindparam("key"))
)
# Built once and run at the driver level (``store/prepared.py``): the request path runs it for every call.
_KEY_GRANT = PreparedQuery(_KEY_GRANT_SELECT)
# PostgreSQL: the grant with the order's signature, what a GetFulfillmentOrder answered from the cache reads
_KEY_GRANT_AND_SIGNATURE = PreparedQuery(_KEY_GRANT_SELECT.add_columns(orders.signature_column(":seller")))


def key_grant(conn: Connection, access_key: str, seller_id: str | None) -> KeyGrant | None:
    """One query: the key's secret, its grant for the seller if any, and whether faults are set for the seller.
    ``None`` for an unknown key."""
    return _grant_from(_KEY_GRANT.first(conn, {"key": access_key, "seller": seller_id or ""}))


def key_grant_and_signature(
    conn: Connection, access_key: str, seller_id: str, seller_order_id: str
) -> tuple[KeyGrant | None, str | None]:
    """:func:`key_grant` and the order's :func:`outbound.store.orders.order_signature` (``None`` also for an
    unknown key, which is refused before any order is read), in one statement (PostgreSQL)."""
    params = {"key": access_key, "seller": seller_id, "order": seller_order_id}
    return _grant_and_signature(_KEY_GRANT_AND_SIGNATURE.first(conn, params))


async def key_grant_and_signature_awaited(
    reads: AsyncReads, access_key: str, seller_id: str, seller_order_id: str
) -> tuple[KeyGrant | None, str | None]:
    """:func:`key_grant_and_signature`, its round trip awaited on the event loop (``store/async_reads.py``)."""
    params = {"key": access_key, "seller": seller_id, "order": seller_order_id}
    return _grant_and_signature(await reads.first(_KEY_GRANT_AND_SIGNATURE, params))


def _grant_and_signature(row: Any) -> tuple[KeyGrant | None, str | None]:
    return _grant_from(row), orders.signature_in(row)


def _grant_from(row: Any) -> KeyGrant | None:
    if row is None:
        return None
    return KeyGrant(
        row.secret_key, row.seller_id is not None, row.auth_token, row.default_marketplace_id, bool(row.has_faults)
    )


def upsert_seller(conn: Connection, seller_id: str, default_marketplace_id: str, now: datetime) -> None:
    if conn.execute(select(sellers.c.seller_id).where(sellers.c.seller_id == seller_id)).first() is None:
        conn.execute(
            sellers.insert().values(seller_id=seller_id, default_marketplace_id=default_marketplace_id, created_at=now)
        )


def add_marketplaces(conn: Connection, seller_id: str, marketplace_ids: list[str]) -> None:
    known = set(marketplaces_of(conn, seller_id))
    fresh = [m for m in dict.fromkeys(marketplace_ids) if m not in known]
    if fresh:
        conn.execute(seller_marketplaces.insert(), [{"seller_id": seller_id, "marketplace_id": m} for m in fresh])


MARKETPLACES = PreparedQuery(  # every create and preview
    select(seller_marketplaces.c.marketplace_id).where(seller_marketplaces.c.seller_id == bindparam("seller"))
)


def marketplaces_of(conn: Connection, seller_id: str) -> list[str]:
    return [row.marketplace_id for row in MARKETPLACES.all(conn, {"seller": seller_id})]


def upsert_key(conn: Connection, access_key: str, secret_key: str, now: datetime) -> None:
    current = conn.execute(select(access_keys.c.secret_key).where(access_keys.c.access_key == access_key)).first()
    if current is None:
        conn.execute(access_keys.insert().values(access_key=access_key, secret_key=secret_key, created_at=now))
    elif current.secret_key != secret_key:
        conn.execute(access_keys.update().where(access_keys.c.access_key == access_key).values(secret_key=secret_key))


def upsert_grant(conn: Connection, access_key: str, seller_id: str, auth_token: str | None) -> None:
    where = and_(grants.c.access_key == access_key, grants.c.seller_id == seller_id)
    if conn.execute(select(grants.c.seller_id).where(where)).first() is None:
        conn.execute(grants.insert().values(access_key=access_key, seller_id=seller_id, auth_token=auth_token))
    elif auth_token is not None:  # re-running without a token keeps the one already required
        conn.execute(grants.update().where(where).values(auth_token=auth_token))


def default_marketplace(conn: Connection, seller_id: str) -> str | None:
    query = select(sellers.c.default_marketplace_id).where(sellers.c.seller_id == seller_id)
    value: str | None = conn.execute(query).scalar()
    return value


def seller_exists(conn: Connection, seller_id: str) -> bool:
    return conn.execute(select(sellers.c.seller_id).where(sellers.c.seller_id == seller_id)).first() is not None


def is_granted(conn: Connection, access_key: str, seller_id: str) -> bool:
    where = and_(grants.c.access_key == access_key, grants.c.seller_id == seller_id)
    return conn.execute(select(grants.c.seller_id).where(where)).first() is not None


def key_exists(conn: Connection, access_key: str) -> bool:
    query = select(access_keys.c.access_key).where(access_keys.c.access_key == access_key)
    return conn.execute(query).first() is not None


def set_secret(conn: Connection, access_key: str, secret_key: str) -> None:
    conn.execute(access_keys.update().where(access_keys.c.access_key == access_key).values(secret_key=secret_key))


def delete_grant(conn: Connection, access_key: str, seller_id: str) -> bool:
    """Remove the key's grant for the seller, and the key itself when no other seller is left to it."""
    where = and_(grants.c.access_key == access_key, grants.c.seller_id == seller_id)
    if conn.execute(grants.delete().where(where)).rowcount == 0:
        return False
    if conn.execute(select(grants.c.seller_id).where(grants.c.access_key == access_key)).first() is None:
        conn.execute(access_keys.delete().where(access_keys.c.access_key == access_key))
    return True
