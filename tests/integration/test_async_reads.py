"""The credentials and order stamp a kept GetFulfillmentOrder reads, awaited on the event loop (PostgreSQL:
``store/async_reads.py``), are what the synchronous read gives, for every kind of caller; and a server stopping
closes the connections those reads held."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from outbound.app import create_app
from outbound.service import access, lwa
from outbound.store import Database
from tests.helpers import (
    ACCESS_KEY,
    FORM,
    PATH,
    SELLER,
    create,
    form,
    line,
    reset,
    signed_pairs,
    start_clock,
    stock,
    virtual_context,
)
from tests.spapi import authorize

OTHER_SELLER = "A3OTHERSELLER1"


def issue_token(db: Database, seller: str = SELLER) -> str:
    creds = authorize(db, seller)
    request = lwa.TokenRequest("refresh_token", creds.client_id, creds.client_secret, creds.refresh_token)
    return lwa.exchange(db, request).access_token


def test_awaited_grant_and_stamp_equal_the_synchronous_read(db: Database) -> None:
    start_clock(db)
    stock(db, "TEA-1", 10)
    create(db, "ORDER-1", line("TEA-1", "l1", 1))
    cases = [
        (ACCESS_KEY, SELLER, "ORDER-1"),  # a kept answer's read
        (ACCESS_KEY, SELLER, "NO-SUCH-ORDER"),  # the stamp says there is no order
        ("NO-SUCH-KEY", SELLER, "ORDER-1"),  # no grant: refused before the order
        (ACCESS_KEY, OTHER_SELLER, "ORDER-1"),  # a key without a grant for that seller
    ]

    async def awaited() -> list[Any]:
        found = [await access.read_grant_with_stamp(db, *case) for case in cases]
        await db.close_async()
        return found

    expected = [access.find_grant_with_stamp(db, *case) for case in cases]
    assert asyncio.run(awaited()) == expected
    (granted, stamp), (_, no_order), (unknown, _), (foreign, _) = expected
    assert granted is not None and granted.granted and stamp.value is not None
    assert unknown is None
    assert foreign is not None and not foreign.granted
    if not db.is_sqlite:  # the order's signature (SQLite's stamp is the store's commit counter)
        assert no_order.value is None


def test_awaited_token_owner_and_stamp_equal_the_synchronous_read(db: Database) -> None:
    start_clock(db)
    stock(db, "TEA-1", 10)
    create(db, "ORDER-1", line("TEA-1", "l1", 1))
    token = issue_token(db)
    cases = [
        (token, "ORDER-1"),
        (token, "NO-SUCH-ORDER"),
        ("Atza|not-a-token-we-issued", "ORDER-1"),
        (None, "ORDER-1"),  # refused without reading
    ]

    async def awaited() -> list[Any]:
        found = [await lwa.read_with_stamp(db, *case) for case in cases]
        await db.close_async()
        return found

    expected = [lwa.resolve_with_stamp(db, *case) for case in cases]
    assert asyncio.run(awaited()) == expected
    (owner, stamp), (_, no_order), (unknown, _), (missing, _) = expected
    assert isinstance(owner, lwa.TokenCaller) and stamp is not None and stamp.value is not None
    assert (unknown, missing) == (lwa.Refusal.INVALID, lwa.Refusal.MISSING)
    if not db.is_sqlite:
        assert no_order is not None and no_order.value is None


@pytest.mark.postgres
def test_a_stopping_server_closes_the_connections_its_reads_awaited_on(pg_url: str) -> None:
    db = reset(Database(pg_url))
    start_clock(db)
    stock(db, "TEA-1", 10)
    create(db, "ORDER-1", line("TEA-1", "l1", 1))
    assert db.async_reads is not None
    opened: list[Any] = []
    connect = db.async_reads._connect

    async def spied() -> Any:
        opened.append(await connect())
        return opened[-1]

    db.async_reads._connect = spied  # type: ignore[method-assign]
    app = create_app(ctx=virtual_context(db))
    body = form(signed_pairs("127.0.0.1", "GetFulfillmentOrder", {"SellerFulfillmentOrderId": "ORDER-1"}))

    async def serve_then_stop() -> list[int]:
        messages: asyncio.Queue[dict[str, str]] = asyncio.Queue()
        said: list[str] = []

        async def send(message: dict[str, str]) -> None:
            said.append(message["type"])

        await messages.put({"type": "lifespan.startup"})
        lifespan = asyncio.create_task(app({"type": "lifespan", "asgi": {"version": "3.0"}}, messages.get, send))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
            answers = await asyncio.gather(
                *(http.post(PATH, content=body, headers={"Content-Type": FORM}) for _ in range(6))
            )
        await messages.put({"type": "lifespan.shutdown"})
        await lifespan
        assert said == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
        return [a.status_code for a in answers]

    try:
        assert asyncio.run(serve_then_stop()) == [200] * 6
        assert opened and all(conn.closed for conn in opened)  # six reads at once: more than one connection held
    finally:
        db.dispose()
