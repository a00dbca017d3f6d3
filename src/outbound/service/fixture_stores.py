"""A store made fresh for a test: nothing from the previous test left, the virtual clock started again."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection

from outbound.service import lwa
from outbound.service.accounts import write_seller
from outbound.store import Database, databases, maintenance
from outbound.store import lwa as lwa_store
from outbound.store.clock import start_clock

APP_NAME = "outbound.testing"


@dataclass(frozen=True)
class App:
    """The LWA application a test server's sellers authorize: made once per server, restored at every reset."""

    client_id: str
    client_secret: str


def new_app() -> App:
    return App(lwa.new_client_id(), lwa.new_client_secret())


def reset(db: Database, start: datetime | None = None, app: App | None = None) -> None:
    """Empty the store in one transaction and restart the virtual clock: at ``start`` if given, otherwise at the
    wall-clock time of its next reading. No order is left, so the next clock move has no step of an earlier test
    to apply. ``app`` is registered again in the same transaction, so the server's sellers keep one client id
    and secret across resets at the cost of one insert."""
    with db.transaction() as conn:
        maintenance.empty(conn, truncate=False)  # the clock's row too
        if start is not None:
            start_clock(conn, start)
        if app is not None:
            _register(conn, app)


def _register(conn: Connection, app: App) -> None:
    lwa_store.insert_app(conn, app.client_id, lwa.digest(app.client_secret), APP_NAME, datetime.now(UTC))


def add_seller(db: Database, seller_id: str, access_key: str, secret_key: str, marketplace: str, app: App) -> str:
    """A new seller with an MWS key and a new refresh token for ``app``, in one transaction; the refresh token.

    The seller and the token are new and random, so :func:`outbound.service.lwa.authorize`'s checks (seller
    known, token not taken) would only cost queries; the app is registered again if a test removed it."""
    token = lwa.new_refresh_token()
    with db.transaction() as conn:
        write_seller(conn, seller_id, access_key, secret_key, None, [marketplace])
        if lwa_store.load_app(conn, app.client_id) is None:
            _register(conn, app)
        lwa_store.insert_authorization(conn, app.client_id, seller_id, lwa.digest(token), token[-4:], datetime.now(UTC))
    return token


def private_database(server_url: str) -> tuple[str, str]:
    """A new, empty database on the PostgreSQL server of ``server_url``: its name and URL (not yet migrated)."""
    name = f"outbound_fixture_{uuid.uuid4().hex[:12]}"
    return name, databases.create_database(server_url, name)


def drop_private_database(server_url: str, name: str) -> None:
    databases.drop_database(server_url, name)
