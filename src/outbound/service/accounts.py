"""Sellers and the developer keys that act for them (``outbound seller add``; checking a request's key:
``service/access.py``)."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection

from outbound.domain.world import WORLD
from outbound.service.errors import NotFound, Refused, unknown_seller
from outbound.store import Database
from outbound.store import accounts as store

US_MARKETPLACE = "ATVPDKIKX0DER"


@dataclass(frozen=True, slots=True)
class Caller:
    """A key that may act for a seller, resolved once per request."""

    access_key: str
    seller_id: str
    default_marketplace_id: str


def add_seller(
    db: Database,
    seller_id: str,
    access_key: str,
    secret_key: str,
    auth_token: str | None = None,
    marketplaces: list[str] | None = None,
) -> None:
    """Create or update a seller, a key and the key's grant for the seller; running it twice changes nothing."""
    with db.transaction() as conn:
        write_seller(conn, seller_id, access_key, secret_key, auth_token, marketplaces)


def write_seller(
    conn: Connection,
    seller_id: str,
    access_key: str,
    secret_key: str,
    auth_token: str | None = None,
    marketplaces: list[str] | None = None,
) -> None:
    """:func:`add_seller`'s writes, for a caller that adds more to the same transaction."""
    now = datetime.now(UTC)
    chosen = marketplaces or [US_MARKETPLACE]
    store.upsert_seller(conn, seller_id, chosen[0], now)
    store.add_marketplaces(conn, seller_id, chosen)
    store.upsert_key(conn, access_key, secret_key, now)
    store.upsert_grant(conn, access_key, seller_id, auth_token or None)


def marketplaces(db: Database, seller_id: str) -> list[str]:
    with db.read() as conn:
        return store.marketplaces_of(conn, seller_id)


def default_marketplace(db: Database, seller_id: str) -> str | None:
    """The seller's home marketplace; ``None`` for an unknown seller."""
    with db.read() as conn:
        return store.default_marketplace(conn, seller_id)


def seller_exists(db: Database, seller_id: str) -> bool:
    with db.read() as conn:
        return store.seller_exists(conn, seller_id)


def require_seller(db: Database, seller_id: str) -> None:
    """``NotFound`` naming the fix for a seller nobody added."""
    if not seller_exists(db, seller_id):
        raise unknown_seller(seller_id)


def check_marketplaces(marketplaces: list[str]) -> None:
    for marketplace_id in marketplaces:
        if marketplace_id not in WORLD.marketplaces:
            raise Refused(f"unknown MarketplaceId {marketplace_id} (known: {', '.join(sorted(WORLD.marketplaces))})")


def create_seller(db: Database, seller_id: str, marketplaces: list[str] | None = None) -> bool:
    """Create a seller without a key (idempotent: more marketplaces are added); whether it is new."""
    chosen = marketplaces or [US_MARKETPLACE]
    check_marketplaces(chosen)
    with db.transaction() as conn:
        created = not store.seller_exists(conn, seller_id)
        store.upsert_seller(conn, seller_id, chosen[0], datetime.now(UTC))
        store.add_marketplaces(conn, seller_id, chosen)
    return created


@dataclass(frozen=True, slots=True)
class NewKey:
    """A key and its secret, as shown once when the key is made or its secret replaced."""

    access_key: str
    secret_key: str
    auth_token_required: bool


_KEY_ALPHABET = string.ascii_uppercase + string.digits


def new_access_key() -> str:
    return "AKIA" + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(16))


def new_secret_key() -> str:
    return secrets.token_urlsafe(30)  # 40 characters, as long as an AWS secret


def add_key(
    db: Database,
    seller_id: str,
    access_key: str | None = None,
    secret_key: str | None = None,
    auth_token: str | None = None,
) -> NewKey:
    """Grant a key to an existing seller: a generated key and secret unless given. Giving an existing key without a
    secret grants it with the secret it has (which is then not shown: ``secret_key`` is empty)."""
    chosen = access_key or new_access_key()
    now = datetime.now(UTC)
    with db.transaction() as conn:
        if not store.seller_exists(conn, seller_id):
            raise unknown_seller(seller_id)
        secret = secret_key or ("" if access_key and store.key_exists(conn, chosen) else new_secret_key())
        if secret:
            store.upsert_key(conn, chosen, secret, now)
        store.upsert_grant(conn, chosen, seller_id, auth_token or None)
    return NewKey(chosen, secret, bool(auth_token))


def rotate_key(db: Database, seller_id: str, access_key: str) -> NewKey:
    """A new secret for a key of the seller (the old one stops at once; every seller the key acts for sees it)."""
    secret = new_secret_key()
    with db.transaction() as conn:
        if not store.is_granted(conn, access_key, seller_id):
            raise NotFound(f"seller {seller_id} has no access key {access_key}")
        store.set_secret(conn, access_key, secret)
        needs_token = store.key_grant(conn, access_key, seller_id)
    return NewKey(access_key, secret, bool(needs_token and needs_token.auth_token))


def remove_key(db: Database, seller_id: str, access_key: str) -> bool:
    """Stop a key acting for the seller (and forget it when it acts for nobody else); whether it did."""
    with db.transaction() as conn:
        return store.delete_grant(conn, access_key, seller_id)
