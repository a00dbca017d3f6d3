"""Queries for Login with Amazon: applications, the authorizations (refresh tokens) that let one act for a seller,
and the access tokens exchanged for them. Every secret is stored as its SHA-256 hash."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, exists, func, insert, select, update

from outbound.store import orders
from outbound.store.async_reads import AsyncReads
from outbound.store.prepared import PreparedQuery
from outbound.store.schema import (
    access_keys,
    grants,
    lwa_access_tokens,
    lwa_apps,
    lwa_authorizations,
    scenarios,
    sellers,
)


@dataclass(frozen=True, slots=True)
class App:
    client_id: str
    secret_hash: str
    name: str | None
    created_at: datetime
    authorizations: int = 0


@dataclass(frozen=True, slots=True)
class Authorization:
    id: int
    client_id: str
    seller_id: str
    token_hint: str
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class TokenOwner:
    """What one access token resolves to, on every SP-API call."""

    client_id: str
    expires_at: datetime
    grantless: bool  # a client_credentials token: no seller
    revoked: bool
    seller_id: str | None
    default_marketplace_id: str | None  # None when the seller is gone
    has_faults: bool
    scopes: frozenset[str] = frozenset()  # a grantless token's scopes


# ------------------------------------------------------------------------------------------------ applications


def load_app(conn: Connection, client_id: str) -> App | None:
    row = conn.execute(select(lwa_apps).where(lwa_apps.c.client_id == client_id)).first()
    return None if row is None else App(row.client_id, row.secret_hash, row.name, row.created_at)


def insert_app(conn: Connection, client_id: str, secret_hash: str, name: str | None, now: datetime) -> None:
    conn.execute(insert(lwa_apps).values(client_id=client_id, secret_hash=secret_hash, name=name, created_at=now))


def update_app(conn: Connection, client_id: str, secret_hash: str | None, name: str | None) -> None:
    values: dict[str, str] = {}
    if secret_hash is not None:
        values["secret_hash"] = secret_hash
    if name is not None:
        values["name"] = name
    if values:
        conn.execute(update(lwa_apps).where(lwa_apps.c.client_id == client_id).values(**values))


def delete_app(conn: Connection, client_id: str) -> bool:
    """Remove the application; its authorizations and tokens go with it (foreign keys cascade)."""
    conn.execute(delete(lwa_access_tokens).where(lwa_access_tokens.c.client_id == client_id))
    conn.execute(delete(lwa_authorizations).where(lwa_authorizations.c.client_id == client_id))
    return conn.execute(delete(lwa_apps).where(lwa_apps.c.client_id == client_id)).rowcount > 0


def list_apps(conn: Connection) -> list[App]:
    active = and_(lwa_authorizations.c.client_id == lwa_apps.c.client_id, lwa_authorizations.c.revoked_at.is_(None))
    count = select(func.count()).where(active).scalar_subquery()
    query = select(lwa_apps, count.label("authorizations")).order_by(lwa_apps.c.created_at, lwa_apps.c.client_id)
    return [App(r.client_id, r.secret_hash, r.name, r.created_at, int(r.authorizations)) for r in conn.execute(query)]


# ------------------------------------------------------------------------------------------------ authorizations


def authorization_by_hash(conn: Connection, token_hash: str) -> Authorization | None:
    row = conn.execute(select(lwa_authorizations).where(lwa_authorizations.c.token_hash == token_hash)).first()
    return None if row is None else _authorization(row)


def insert_authorization(
    conn: Connection, client_id: str, seller_id: str, token_hash: str, hint: str, now: datetime
) -> int:
    new_id = conn.execute(
        insert(lwa_authorizations)
        .values(client_id=client_id, seller_id=seller_id, token_hash=token_hash, token_hint=hint, created_at=now)
        .returning(lwa_authorizations.c.id)
    ).scalar_one()
    return int(new_id)


def reinstate(conn: Connection, authorization_id: int) -> None:
    conn.execute(update(lwa_authorizations).where(lwa_authorizations.c.id == authorization_id).values(revoked_at=None))


def seller_authorizations(conn: Connection, seller_id: str) -> list[Authorization]:
    query = (
        select(lwa_authorizations)
        .where(lwa_authorizations.c.seller_id == seller_id)
        .order_by(lwa_authorizations.c.created_at, lwa_authorizations.c.id)
    )
    return [_authorization(r) for r in conn.execute(query)]


def revoke(conn: Connection, authorization_ids: list[int], now: datetime) -> None:
    """Revoke the authorizations and end their access tokens at once."""
    if not authorization_ids:
        return
    conn.execute(
        update(lwa_authorizations)
        .where(lwa_authorizations.c.id.in_(authorization_ids), lwa_authorizations.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    conn.execute(delete(lwa_access_tokens).where(lwa_access_tokens.c.authorization_id.in_(authorization_ids)))


def _authorization(r: Any) -> Authorization:
    return Authorization(r.id, r.client_id, r.seller_id, r.token_hint, r.created_at, r.revoked_at)


def mws_keys(conn: Connection, seller_id: str) -> list[tuple[str, bool]]:
    """The MWS access keys that may act for the seller, and whether each needs an MWSAuthToken."""
    query = (
        select(grants.c.access_key, grants.c.auth_token)
        .join(access_keys, access_keys.c.access_key == grants.c.access_key)
        .where(grants.c.seller_id == seller_id)
        .order_by(grants.c.access_key)
    )
    return [(r.access_key, r.auth_token is not None) for r in conn.execute(query)]


def seller_exists(conn: Connection, seller_id: str) -> bool:
    return conn.execute(select(sellers.c.seller_id).where(sellers.c.seller_id == seller_id)).first() is not None


# ------------------------------------------------------------------------------------------------ access tokens


def insert_access_token(
    conn: Connection,
    token_hash: str,
    client_id: str,
    authorization_id: int | None,
    expires_at: datetime,
    scope: str | None = None,
) -> None:
    conn.execute(
        insert(lwa_access_tokens).values(
            token_hash=token_hash,
            client_id=client_id,
            authorization_id=authorization_id,
            expires_at=expires_at,
            scope=scope,
        )
    )


def delete_expired(conn: Connection, before: datetime) -> None:
    conn.execute(delete(lwa_access_tokens).where(lwa_access_tokens.c.expires_at < before))


_OWNER_SELECT = (
    select(
        lwa_access_tokens.c.client_id,
        lwa_access_tokens.c.expires_at,
        lwa_access_tokens.c.authorization_id,
        lwa_access_tokens.c.scope,
        lwa_authorizations.c.seller_id,
        lwa_authorizations.c.revoked_at,
        sellers.c.default_marketplace_id,
        exists()
        .where(scenarios.c.seller_id == lwa_authorizations.c.seller_id, scenarios.c.kind == "fault")
        .label("has_faults"),
    )
    .select_from(
        lwa_access_tokens.outerjoin(
            lwa_authorizations, lwa_authorizations.c.id == lwa_access_tokens.c.authorization_id
        ).outerjoin(sellers, sellers.c.seller_id == lwa_authorizations.c.seller_id)
    )
    .where(lwa_access_tokens.c.token_hash == bindparam("hash"))
)
# Built once and run at the driver level (``store/prepared.py``): every SP-API call resolves its token with it.
_OWNER = PreparedQuery(_OWNER_SELECT)
# PostgreSQL: the owner with the signature of its seller's order (a grantless token's seller is none: no order)
_OWNER_AND_SIGNATURE = PreparedQuery(_OWNER_SELECT.add_columns(orders.signature_column("lwa_authorizations.seller_id")))


def token_owner(conn: Connection, token_hash: str) -> TokenOwner | None:
    return _owner_from(_OWNER.first(conn, {"hash": token_hash}))


def token_owner_and_signature(
    conn: Connection, token_hash: str, seller_order_id: str
) -> tuple[TokenOwner | None, str | None]:
    """:func:`token_owner` and the signature of the order of that owner's seller, in one statement (PostgreSQL)."""
    return _owner_and_signature(_OWNER_AND_SIGNATURE.first(conn, {"hash": token_hash, "order": seller_order_id}))


async def token_owner_and_signature_awaited(
    reads: AsyncReads, token_hash: str, seller_order_id: str
) -> tuple[TokenOwner | None, str | None]:
    """:func:`token_owner_and_signature`, its round trip awaited on the event loop (``store/async_reads.py``)."""
    found = await reads.first(_OWNER_AND_SIGNATURE, {"hash": token_hash, "order": seller_order_id})
    return _owner_and_signature(found)


def _owner_and_signature(row: Any) -> tuple[TokenOwner | None, str | None]:
    return _owner_from(row), orders.signature_in(row)


def _owner_from(row: Any) -> TokenOwner | None:
    if row is None:
        return None
    return TokenOwner(
        row.client_id,
        row.expires_at,
        row.authorization_id is None,
        row.revoked_at is not None,
        row.seller_id,
        row.default_marketplace_id,
        bool(row.has_faults),
        frozenset((row.scope or "").split()),
    )
