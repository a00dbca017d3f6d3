"""Sellers and the developer keys that act for them (``outbound seller add``; checking a request's key:
``service/access.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection

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
