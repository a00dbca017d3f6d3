"""Sellers and the developer keys that act for them (``outbound seller add``, request authorization)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime

from outbound.store import Database
from outbound.store import accounts as store

US_MARKETPLACE = "ATVPDKIKX0DER"
_ABSENT_TOKENS = {"", "undefined", "None"}  # what clients send when they have no MWSAuthToken


class Denial(enum.Enum):
    NO_GRANT = "no grant"
    TOKEN_MISSING = "token missing"
    TOKEN_WRONG = "token wrong"


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
    now = datetime.now(UTC)
    chosen = marketplaces or [US_MARKETPLACE]
    with db.transaction() as conn:
        store.upsert_seller(conn, seller_id, chosen[0], now)
        store.add_marketplaces(conn, seller_id, chosen)
        store.upsert_key(conn, access_key, secret_key, now)
        store.upsert_grant(conn, access_key, seller_id, auth_token or None)


def normalize_token(token: str | None) -> str | None:
    """An empty token, or the literal ``undefined`` / ``None`` some clients send, means no token."""
    return None if token is None or token.strip() in _ABSENT_TOKENS else token.strip()


def check_grant(grant: store.KeyGrant, auth_token: str | None) -> Denial | None:
    """Whether the key may act for the seller with this token (MWS: a delegated key needs the seller's token)."""
    if not grant.granted:
        return Denial.NO_GRANT
    token = normalize_token(auth_token)
    if grant.auth_token is None:
        return None
    if token is None:
        return Denial.TOKEN_MISSING
    return None if token == grant.auth_token else Denial.TOKEN_WRONG


def marketplaces(db: Database, seller_id: str) -> list[str]:
    with db.read() as conn:
        return store.marketplaces_of(conn, seller_id)
