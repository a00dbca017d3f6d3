"""ListAllFulfillmentOrders and its NextToken pages: keyset pagination over a snapshot.

A listing is a snapshot taken at its first page: later pages skip orders whose status changed after that instant
(the client's next listing finds them), so no order is listed twice and none that matched is lost, however the
store changes between pages (``docs/mws-protocol.md`` "Paging"). The token is opaque to clients and bound to the seller.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from outbound.domain.errors import InvalidValue
from outbound.domain.orders import Order
from outbound.store import Database
from outbound.store import orders as order_store

PAGE_SIZE = 50
DEFAULT_WINDOW = timedelta(hours=36)
TOKEN_LIFETIME_SECONDS = 24 * 3600
_TOKEN_VERSION = 1
_SCOPED_VERSION = 2  # tokens bound to an operation of another protocol (SP-API): never valid where MWS's are


@dataclass(frozen=True)
class Page:
    orders: list[Order]
    next_token: str | None


@dataclass(frozen=True)
class Cursor:
    seller_id: str
    start: datetime
    snapshot: datetime
    after: tuple[datetime, str]
    methods: tuple[str, ...]
    issued: float  # wall-clock seconds: tokens lapse after a day
    scope: str = ""  # "": an MWS token; else the operation it belongs to (SP-API)

    def encode(self) -> str:
        raw: list[object] = [
            _SCOPED_VERSION if self.scope else _TOKEN_VERSION,
            self.seller_id,
            self.start.isoformat(),
            self.snapshot.isoformat(),
            self.after[0].isoformat(),
            self.after[1],
            list(self.methods),
            int(self.issued),
        ]
        if self.scope:
            raw.append(self.scope)
        return base64.urlsafe_b64encode(json.dumps(raw, separators=(",", ":")).encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str, seller_id: str, scope: str = "") -> Cursor:
        """The cursor in ``token``; malformed, expired, another seller's or another operation's tokens are refused
        alike."""
        try:
            raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            version, owner, start, snapshot, moment, last_id, methods, issued, *rest = raw
            sent_scope = rest[0] if rest and version == _SCOPED_VERSION else ""
            expected = _SCOPED_VERSION if scope else _TOKEN_VERSION
            if version != expected or owner != seller_id or sent_scope != scope or len(rest) > 1:
                raise ValueError("not this seller's token")
            cursor = cls(
                owner,
                datetime.fromisoformat(start),
                datetime.fromisoformat(snapshot),
                (datetime.fromisoformat(moment), str(last_id)),
                tuple(str(m) for m in methods),
                float(issued),
                scope,
            )
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
            raise InvalidValue("NextToken", token) from exc
        if time.time() - cursor.issued > TOKEN_LIFETIME_SECONDS:
            raise InvalidValue("NextToken", token)
        return cursor


def list_all_fulfillment_orders(
    db: Database,
    seller_id: str,
    query_start: datetime | None,
    methods: Sequence[str],
    now: datetime,
    scope: str = "",
) -> Page:
    """The first page; ``scope`` names the operation whose next pages the token serves ("": MWS's)."""
    start = query_start if query_start is not None else now - DEFAULT_WINDOW
    return _page(db, seller_id, start, now, None, tuple(methods), time.time(), scope)


def list_by_next_token(db: Database, seller_id: str, token: str, scope: str = "") -> Page:
    cursor = Cursor.decode(token, seller_id, scope)
    return _page(db, seller_id, cursor.start, cursor.snapshot, cursor.after, cursor.methods, cursor.issued, scope)


def _page(
    db: Database,
    seller_id: str,
    start: datetime,
    snapshot: datetime,
    after: tuple[datetime, str] | None,
    methods: tuple[str, ...],
    issued: float,
    scope: str,
) -> Page:
    with db.read() as conn:
        found = order_store.list_orders(conn, seller_id, start, snapshot, after, methods, PAGE_SIZE + 1)
    page = found[:PAGE_SIZE]
    if len(found) <= PAGE_SIZE:
        return Page(page, None)
    last = page[-1]
    cursor = Cursor(seller_id, start, snapshot, (last.status_updated_at, last.seller_order_id), methods, issued, scope)
    return Page(page, cursor.encode())
