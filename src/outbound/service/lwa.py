"""Login with Amazon for SP-API: applications, seller authorizations (refresh tokens), the token exchange, and
resolving an access token to the seller it acts for.

An LWA application plays the MWS developer key's role and a refresh token the ``MWSAuthToken``'s: it authorizes one
application for one seller. Secrets and tokens are random, shown once, and stored as SHA-256 hashes so every worker
process accepts them. Token expiry follows the wall clock, never the simulated one.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from outbound.service import order_cache
from outbound.service.accounts import Caller
from outbound.service.recent import remembered
from outbound.store import Database
from outbound.store import lwa as store

CLIENT_ID_PREFIX = "amzn1.application-oa2-client."
CLIENT_SECRET_PREFIX = "amzn1.oa2-cs.v1."
ACCESS_PREFIX = "Atza|"
REFRESH_PREFIX = "Atzr|"
SCOPE_PREFIX = "sellingpartnerapi::"
DEFAULT_TTL = 3600
EXPIRED_KEPT = timedelta(days=1)  # expired tokens answer "expired" for a day, then read as unknown
_GIVEN = re.compile(r"[\x21-\x7e]{1,512}")  # a given id, secret or token: printable, no spaces


class CredentialError(ValueError):
    """An operator's request the credentials cannot honour (unknown seller or application, bad value)."""


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _given(value: str, what: str) -> str:
    if not _GIVEN.fullmatch(value):
        raise CredentialError(f"{what} must be 1 to 512 printable characters without spaces")
    return value


def mask(value: str) -> str:
    """Enough of a secret to recognise it, never enough to use it."""
    return "…" + value[-4:] if len(value) > 8 else "…"


# ------------------------------------------------------------------------------------------------ applications


@dataclass(frozen=True)
class NewApp:
    client_id: str
    client_secret: str | None  # shown once when generated or given; None when an existing one was kept
    created: bool


def new_client_id() -> str:
    return CLIENT_ID_PREFIX + secrets.token_hex(16)


def new_client_secret() -> str:
    return CLIENT_SECRET_PREFIX + secrets.token_hex(32)


def new_refresh_token() -> str:
    return REFRESH_PREFIX + secrets.token_urlsafe(48)


def add_app(
    db: Database, client_id: str | None = None, client_secret: str | None = None, name: str | None = None
) -> NewApp:
    """Register an application (idempotent): a generated id and secret unless given; re-running with the same id
    keeps its secret unless a new one is given."""
    chosen_id = _given(client_id, "client id") if client_id else new_client_id()
    if client_secret is not None:
        _given(client_secret, "client secret")
    now = datetime.now(UTC)
    with db.transaction() as conn:
        existing = store.load_app(conn, chosen_id)
        if existing is not None:
            store.update_app(conn, chosen_id, digest(client_secret) if client_secret else None, name)
            return NewApp(chosen_id, client_secret, created=False)
        secret = client_secret or new_client_secret()
        store.insert_app(conn, chosen_id, digest(secret), name, now)
        return NewApp(chosen_id, secret, created=True)


@dataclass(frozen=True)
class AppInfo:
    client_id: str
    name: str | None
    created_at: datetime
    authorizations: int


def list_apps(db: Database) -> list[AppInfo]:
    with db.read() as conn:
        return [AppInfo(a.client_id, a.name, a.created_at, a.authorizations) for a in store.list_apps(conn)]


def get_app(db: Database, client_id: str) -> AppInfo | None:
    return next((a for a in list_apps(db) if a.client_id == client_id), None)


def remove_app(db: Database, client_id: str) -> bool:
    """Remove an application: its authorizations and access tokens end at once."""
    with db.transaction() as conn:
        return store.delete_app(conn, client_id)


# ------------------------------------------------------------------------------------------------ authorizations


@dataclass(frozen=True)
class Granted:
    authorization_id: int
    client_id: str
    seller_id: str
    refresh_token: str


def authorize(db: Database, seller_id: str, client_id: str, refresh_token: str | None = None) -> Granted:
    """Let the application act for the seller through a refresh token (given, or generated and shown once).
    Giving a token that already authorizes this application for this seller changes nothing."""
    token = _given(refresh_token, "refresh token") if refresh_token else new_refresh_token()
    now = datetime.now(UTC)
    with db.transaction() as conn:
        if not store.seller_exists(conn, seller_id):
            raise CredentialError(f"unknown seller {seller_id}")
        if store.load_app(conn, client_id) is None:
            raise CredentialError(f"unknown LWA application {client_id}")
        existing = store.authorization_by_hash(conn, digest(token))
        if existing is not None:
            if existing.client_id != client_id or existing.seller_id != seller_id:
                raise CredentialError("this refresh token already authorizes another application or seller")
            if existing.revoked_at is not None:
                store.reinstate(conn, existing.id)
            return Granted(existing.id, client_id, seller_id, token)
        new_id = store.insert_authorization(conn, client_id, seller_id, digest(token), token[-4:], now)
        return Granted(new_id, client_id, seller_id, token)


def revoke(
    db: Database,
    seller_id: str,
    *,
    refresh_token: str | None = None,
    client_id: str | None = None,
    authorization_id: int | None = None,
) -> int:
    """Revoke the seller's authorizations matching one of the selectors; their access tokens end at once.
    Returns how many were revoked (already revoked ones are not counted)."""
    now = datetime.now(UTC)
    with db.transaction() as conn:
        by_token = store.authorization_by_hash(conn, digest(refresh_token)) if refresh_token is not None else None
        chosen = [
            a.id
            for a in store.seller_authorizations(conn, seller_id)
            if a.revoked_at is None
            and (
                (by_token is not None and a.id == by_token.id)
                or (client_id is not None and a.client_id == client_id)
                or (authorization_id is not None and a.id == authorization_id)
            )
        ]
        store.revoke(conn, chosen, now)
        return len(chosen)


@dataclass(frozen=True)
class AuthorizationInfo:
    authorization_id: int
    client_id: str
    refresh_token: str  # masked
    created_at: datetime
    revoked: bool


@dataclass(frozen=True)
class MwsKeyInfo:
    access_key: str
    needs_auth_token: bool


@dataclass(frozen=True)
class Credentials:
    seller_id: str
    mws_keys: list[MwsKeyInfo]
    lwa_authorizations: list[AuthorizationInfo]


def credentials(db: Database, seller_id: str) -> Credentials:
    """Both kinds of credentials that act for the seller: MWS keys and LWA authorizations."""
    with db.read() as conn:
        if not store.seller_exists(conn, seller_id):
            raise CredentialError(f"unknown seller {seller_id}")
        keys = [MwsKeyInfo(key, token) for key, token in store.mws_keys(conn, seller_id)]
        authorizations = [
            AuthorizationInfo(a.id, a.client_id, "…" + a.token_hint, a.created_at, a.revoked_at is not None)
            for a in store.seller_authorizations(conn, seller_id)
        ]
    return Credentials(seller_id, keys, authorizations)


# ------------------------------------------------------------------------------------------------ token exchange


@dataclass(frozen=True)
class TokenRequest:
    grant_type: str | None
    client_id: str | None
    client_secret: str | None
    refresh_token: str | None = None
    scope: str | None = None


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    refresh_token: str | None  # echoed for the refresh_token grant (no rotation)


class OAuthError(Exception):
    """An RFC 6749 §5.2 error answer."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status


GRANT_TYPES = ("refresh_token", "client_credentials")


def exchange(db: Database, request: TokenRequest, ttl: int = DEFAULT_TTL) -> IssuedToken:
    """A new access token for a refresh token or, grantless, for the application's own credentials."""
    if not request.grant_type:
        raise OAuthError("invalid_request", "The request is missing a required parameter : grant_type")
    if request.grant_type not in GRANT_TYPES:
        raise OAuthError("unsupported_grant_type", "The authorization grant type is not supported.")
    needed = ["client_id", "client_secret"]
    if request.grant_type == "refresh_token":
        needed.insert(0, "refresh_token")
    else:
        needed.append("scope")
    for name in needed:
        if not getattr(request, name):
            raise OAuthError("invalid_request", f"The request is missing a required parameter : {name}")
    assert request.client_id is not None and request.client_secret is not None
    if request.grant_type == "client_credentials":
        scopes = (request.scope or "").split()
        if not scopes or not all(s.startswith(SCOPE_PREFIX) and len(s) > len(SCOPE_PREFIX) for s in scopes):
            raise OAuthError("invalid_scope", "The request has an invalid scope.")
    now = datetime.now(UTC)
    with db.transaction() as conn:
        app = store.load_app(conn, request.client_id)
        if app is None or not hmac.compare_digest(app.secret_hash, digest(request.client_secret)):
            raise OAuthError("invalid_client", "Client authentication failed", 401)
        authorization_id = None
        if request.grant_type == "refresh_token":
            assert request.refresh_token is not None
            found = store.authorization_by_hash(conn, digest(request.refresh_token))
            if found is None or found.revoked_at is not None or found.client_id != app.client_id:
                raise OAuthError("invalid_grant", "The request has an invalid grant parameter : refresh_token")
            authorization_id = found.id
        token = ACCESS_PREFIX + secrets.token_urlsafe(48)
        scope = " ".join((request.scope or "").split()) if request.grant_type == "client_credentials" else None
        expires = now + timedelta(seconds=ttl)
        store.insert_access_token(conn, digest(token), app.client_id, authorization_id, expires, scope)
        store.delete_expired(conn, now - EXPIRED_KEPT)
    refresh = request.refresh_token if request.grant_type == "refresh_token" else None
    return IssuedToken(token, ttl, refresh)


# ------------------------------------------------------------------------------------------------ calls


class Refusal(enum.Enum):
    MISSING = "missing"
    INVALID = "invalid"  # unknown, malformed or revoked
    EXPIRED = "expired"
    NOT_AUTHORIZED = "not authorized"  # grantless, or the seller is gone


@dataclass(frozen=True, slots=True)
class TokenCaller:
    caller: Caller  # ``access_key`` is the LWA application's client id
    has_faults: bool


def resolve(db: Database, access_token: str | None, now: datetime | None = None) -> TokenCaller | Refusal:
    """The seller and application an access token acts for, or why it may not act (one query)."""
    hashed = _hashed(access_token)
    if isinstance(hashed, Refusal):
        return hashed
    return _judge(_owner(db, hashed, -1), now)


def resolve_with_stamp(
    db: Database, access_token: str | None, seller_order_id: str, now: datetime | None = None
) -> tuple[TokenCaller | Refusal, order_cache.Stamp | None]:
    """:func:`resolve` and the cache stamp of the caller's order (getFulfillmentOrder), read before the order: on
    SQLite one commit-counter read serves both, on PostgreSQL both statements go in one round trip."""
    hashed = _hashed(access_token)
    if isinstance(hashed, Refusal):
        return hashed, None
    version = db.change_version()
    if version is not None or db.is_sqlite:
        resolved = _judge(_owner(db, hashed, version), now)
        if isinstance(resolved, Refusal):
            return resolved, None
        return resolved, order_cache.stamp_of(version, db, resolved.caller.seller_id, seller_order_id)
    with db.read(snapshot=False) as conn:
        owner, signature = store.token_owner_and_signature(conn, hashed, seller_order_id)
    return _judged_with_stamp(owner, signature, seller_order_id, now)


async def read_with_stamp(
    db: Database, access_token: str | None, seller_order_id: str, now: datetime | None = None
) -> tuple[TokenCaller | Refusal, order_cache.Stamp | None]:
    """:func:`resolve_with_stamp` for the event loop: on PostgreSQL its round trip is awaited
    (``store/async_reads.py``), so that concurrent requests' round trips overlap instead of the loop idling through
    each; a store without awaited reads (SQLite, where the stamp is a local counter) reads as before."""
    hashed = _hashed(access_token)
    if db.async_reads is None or isinstance(hashed, Refusal):
        return resolve_with_stamp(db, access_token, seller_order_id, now)
    owner, signature = await store.token_owner_and_signature_awaited(db.async_reads, hashed, seller_order_id)
    return _judged_with_stamp(owner, signature, seller_order_id, now)


def _judged_with_stamp(
    owner: store.TokenOwner | None, signature: str | None, seller_order_id: str, now: datetime | None
) -> tuple[TokenCaller | Refusal, order_cache.Stamp | None]:
    resolved = _judge(owner, now)
    if isinstance(resolved, Refusal):
        return resolved, None
    return resolved, order_cache.Stamp(resolved.caller.seller_id, seller_order_id, signature)


def _hashed(access_token: str | None) -> str | Refusal:
    token = (access_token or "").strip()
    if not token:
        return Refusal.MISSING
    if len(token) > 2048:
        return Refusal.INVALID
    return digest(token)


def _owner(db: Database, hashed: str, version: int | None) -> store.TokenOwner | None:
    """The token's owner, remembered while nothing is committed (``service/recent.py``)."""

    def load() -> store.TokenOwner | None:
        with db.read(snapshot=False) as conn:
            return store.token_owner(conn, hashed)

    return remembered(db, ("token", hashed), load, version)


def _judge(owner: store.TokenOwner | None, now: datetime | None) -> TokenCaller | Refusal:
    if owner is None or owner.revoked:
        return Refusal.INVALID
    if owner.expires_at <= (now or datetime.now(UTC)):  # checked on every call: a remembered owner expires too
        return Refusal.EXPIRED
    if owner.grantless or owner.seller_id is None or owner.default_marketplace_id is None:
        return Refusal.NOT_AUTHORIZED
    return TokenCaller(Caller(owner.client_id, owner.seller_id, owner.default_marketplace_id), owner.has_faults)
