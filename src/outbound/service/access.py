"""Who is calling: an access key, its secret, and whether it may act for the seller it names.

Every request runs :func:`find_grant` first, so it is one prepared query that also says whether fault scenarios are
set for the seller (then :func:`outbound.service.faults.take_fault` looks them up; most requests need not).
"""

from __future__ import annotations

import enum

from outbound.service import order_cache
from outbound.service.accounts import Caller
from outbound.service.recent import remembered
from outbound.store import Database
from outbound.store import accounts as store
from outbound.store.accounts import KeyGrant

__all__ = ["Denial", "KeyGrant", "caller", "check_grant", "find_grant", "normalize_token"]

_ABSENT_TOKENS = {"", "undefined", "None"}  # what clients send when they have no MWSAuthToken


class Denial(enum.Enum):
    NO_GRANT = "no grant"
    TOKEN_MISSING = "token missing"
    TOKEN_WRONG = "token wrong"


def find_grant(db: Database, access_key: str, seller_id: str | None, version: int | None = -1) -> KeyGrant | None:
    """The key's secret and its grant for the seller (if any), in one single-statement read; ``None`` for a key
    nobody issued. Remembered while nothing is committed (``service/recent.py``)."""

    def load() -> KeyGrant | None:
        with db.read(snapshot=False) as conn:
            return store.key_grant(conn, access_key, seller_id)

    return remembered(db, ("grant", access_key, seller_id), load, version)


def find_grant_with_stamp(
    db: Database, access_key: str, seller_id: str, seller_order_id: str
) -> tuple[KeyGrant | None, order_cache.Stamp]:
    """:func:`find_grant` and the order's cache stamp, read before the order (GetFulfillmentOrder): on SQLite one
    commit-counter read serves both, on PostgreSQL both statements go in one round trip."""
    version = db.change_version()
    stamp = order_cache.stamp_of(version, db, seller_id, seller_order_id)
    if stamp is not None:
        return find_grant(db, access_key, seller_id, version), stamp
    with db.read(snapshot=False) as conn:
        grant, signature = store.key_grant_and_signature(conn, access_key, seller_id, seller_order_id)
    return grant, order_cache.Stamp(seller_id, seller_order_id, signature)


def reads_ahead(db: Database) -> bool:
    """Whether a GetFulfillmentOrder's credentials and stamp are read ahead and awaited (PostgreSQL:
    :func:`read_grant_with_stamp`, :func:`outbound.service.lwa.read_with_stamp`); elsewhere they are read where
    they are needed, synchronously (SQLite: a local counter, no round trip to wait for)."""
    return db.async_reads is not None


async def read_grant_with_stamp(
    db: Database, access_key: str, seller_id: str, seller_order_id: str
) -> tuple[KeyGrant | None, order_cache.Stamp]:
    """:func:`find_grant_with_stamp` for the event loop: on PostgreSQL its round trip is awaited
    (``store/async_reads.py``), so that concurrent requests' round trips overlap instead of the loop idling through
    each; a store without awaited reads (SQLite, where the stamp is a local counter) reads as before."""
    if db.async_reads is None:
        return find_grant_with_stamp(db, access_key, seller_id, seller_order_id)
    grant, signature = await store.key_grant_and_signature_awaited(
        db.async_reads, access_key, seller_id, seller_order_id
    )
    return grant, order_cache.Stamp(seller_id, seller_order_id, signature)


def normalize_token(token: str | None) -> str | None:
    """An empty token, or the literal ``undefined`` / ``None`` some clients send, means no token."""
    return None if token is None or token.strip() in _ABSENT_TOKENS else token.strip()


def check_grant(grant: KeyGrant, auth_token: str | None) -> Denial | None:
    """Whether the key may act for the seller with this token (MWS: a delegated key needs the seller's token)."""
    if not grant.granted:
        return Denial.NO_GRANT
    token = normalize_token(auth_token)
    if grant.auth_token is None:
        return None
    if token is None:
        return Denial.TOKEN_MISSING
    return None if token == grant.auth_token else Denial.TOKEN_WRONG


def caller(grant: KeyGrant, access_key: str, seller_id: str) -> Caller:
    """The caller a granted key acts as (:func:`check_grant` said yes), with the seller's home marketplace."""
    assert grant.default_marketplace_id is not None  # a grant joins an existing seller
    return Caller(access_key, seller_id, grant.default_marketplace_id)
