"""GetFulfillmentOrder's kept answers are never stale: writes over MWS and SP-API, engine steps from a second engine
and from another process (``outbound clock advance``) are interleaved with reads over both protocols, and every read
is compared, byte for byte, with the answer built from an uncached read of the same moment."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from outbound.mws import order_xml, xml
from outbound.service import order_cache, simulation
from outbound.service import orders as service
from outbound.spapi import render
from outbound.store import Database
from tests.helpers import SELLER, Server, call, serve_virtual, start_clock, stock
from tests.spapi import call as sp
from tests.spapi import create_body, token_for

SKU = "BLUE-MUG-12OZ"
CLI = [sys.executable, "-m", "outbound"]
ENV = {k: v for k, v in os.environ.items() if not k.startswith("OUTBOUND_")}


@pytest.fixture
def server(db: Database) -> Iterator[Server]:
    start_clock(db)
    stock(db, SKU, 10_000)
    yield from serve_virtual(db)


def mws_create(http: httpx.Client, order_id: str, action: str) -> None:
    params = {
        "SellerFulfillmentOrderId": order_id,
        "DisplayableOrderId": f"WEB-{order_id}",
        "DisplayableOrderDateTime": "2026-11-23T15:58:40Z",
        "DisplayableOrderComment": "Thank you",
        "ShippingSpeedCategory": "Standard",
        "DestinationAddress.Name": "Jane Doe",
        "DestinationAddress.Line1": "1200 12th Ave S",
        "DestinationAddress.City": "Seattle",
        "DestinationAddress.StateOrProvinceCode": "WA",
        "DestinationAddress.CountryCode": "US",
        "DestinationAddress.PostalCode": "98144",
        "FulfillmentAction": action,
        "Items.member.1.SellerSKU": SKU,
        "Items.member.1.SellerFulfillmentOrderItemId": f"{order_id}-1",
        "Items.member.1.Quantity": "3",
        "Items.member.2.SellerSKU": SKU,
        "Items.member.2.SellerFulfillmentOrderItemId": f"{order_id}-2",
        "Items.member.2.Quantity": "1",
    }
    answer = call(http, "CreateFulfillmentOrder", params)
    assert answer.status_code == 200, answer.text


def expected_mws(db: Database, order_id: str, request_id: str) -> bytes:
    """The whole document as the uncached path builds it (load, render the tree, serialize)."""
    order = service.get_fulfillment_order(db, SELLER, order_id)
    result = xml.result("GetFulfillmentOrder")
    order_xml.fulfillment_order(result, "FulfillmentOrder", order, with_action=True)
    order_xml.order_lists(result, order)
    return xml.response("GetFulfillmentOrder", request_id, result)


def count_awaited_reads(db: Database, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every read the event loop awaits on ``db`` (PostgreSQL), as it happens."""
    seen: list[object] = []
    if db.async_reads is not None:
        first = db.async_reads.first

        async def counted(*args: Any) -> Any:
            seen.append(args)
            return await first(*args)

        monkeypatch.setattr(db.async_reads, "first", counted)
    return seen


class Checker:
    def __init__(self, server: Server, http: httpx.Client, token: str) -> None:
        self.server, self.http, self.token = server, http, token
        self.db = server.ctx.db
        self.reads = 0

    def read(self, order_id: str) -> None:
        """Both protocols, each compared with an uncached read made right after (nothing writes in between)."""
        answer = call(self.http, "GetFulfillmentOrder", {"SellerFulfillmentOrderId": order_id})
        assert answer.status_code == 200, answer.text
        assert answer.content == expected_mws(self.db, order_id, answer.headers["x-mws-request-id"]), order_id
        got = sp(self.server, "GET", f"/fulfillmentOrders/{order_id}", self.token)
        assert got.status_code == 200, got.text
        uncached = render.get_order_result(service.get_fulfillment_order(self.db, SELLER, order_id))
        assert got.json() == {"payload": json.loads(json.dumps(uncached))}, order_id
        self.reads += 2


def test_cached_reads_equal_uncached_reads_under_interleaved_writes(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = server.ctx.db
    awaited = count_awaited_reads(db, monkeypatch)
    cache = order_cache.cache_of(db)
    cache.clear()
    hits_before = cache.hits
    http = httpx.Client(base_url=server.url, timeout=30)
    check = Checker(server, http, token_for(server))
    other = Database(db.url)  # a second engine on the same store, as another worker would hold
    rng = random.Random(7)
    held = [f"H-{n}" for n in range(4)]
    shipping = [f"S-{n}" for n in range(4)]
    for n, order_id in enumerate(held):
        if n % 2:
            body = create_body(order_id, quantity=2, fulfillmentAction="Hold")
            assert sp(server, "POST", "/fulfillmentOrders", check.token, body).status_code == 200
        else:
            mws_create(http, order_id, "Hold")
    for order_id in shipping:
        mws_create(http, order_id, "Ship")
    orders = held + shipping
    cancelled: set[str] = set()
    released: set[str] = set()
    for order_id in orders:  # fill the cache: every later read must notice what changed since
        check.read(order_id)
        check.read(order_id)
    for step in range(40):
        kind = rng.choice(["update-mws", "update-sp", "cancel", "engine", "engine", "read", "release"])
        open_held = [o for o in held if o not in cancelled and o not in released]
        if kind == "update-mws" and open_held:
            target = rng.choice(open_held)
            params = {"SellerFulfillmentOrderId": target, "DisplayableOrderComment": f"changed {step} over MWS"}
            answer = call(http, "UpdateFulfillmentOrder", params)
            assert answer.status_code == 200, answer.text
        elif kind == "update-sp" and open_held:
            target = rng.choice(open_held)
            body = {"displayableOrderComment": f"changed {step} over SP-API"}
            assert sp(server, "PUT", f"/fulfillmentOrders/{target}", check.token, body).status_code == 200
        elif kind == "release" and open_held:
            target = rng.choice(open_held)
            body = {"fulfillmentAction": "Ship"}
            assert sp(server, "PUT", f"/fulfillmentOrders/{target}", check.token, body).status_code == 200
            released.add(target)
        elif kind == "cancel":
            target = rng.choice(orders)
            if rng.random() < 0.5:
                answer = call(http, "CancelFulfillmentOrder", {"SellerFulfillmentOrderId": target})
                refused = answer.status_code != 200
            else:
                answer = sp(server, "PUT", f"/fulfillmentOrders/{target}/cancel", check.token)
                refused = answer.status_code != 200
            if not refused:
                cancelled.add(target)
        elif kind == "engine":
            # steps applied by another engine: PLANNING, PROCESSING (shipments), shipments leaving (packages)
            simulation.advance(other, timedelta(minutes=rng.choice([3, 20, 45, 90, 240])))
        for order_id in rng.sample(orders, 4):
            check.read(order_id)
    for hours in ("6h", "2d"):  # steps applied by another process
        done = subprocess.run(
            [*CLI, "clock", "advance", hours, "--db", db.url], env=ENV, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        for order_id in orders:
            check.read(order_id)
    other.dispose()
    # the comparison above is only worth something if the cache answered most reads
    assert cache.hits - hits_before > check.reads // 4, (cache.hits, check.reads)
    if not db.is_sqlite:  # and, on PostgreSQL, if every stamp was read as the server reads it: awaited on its loop
        assert len(awaited) == check.reads
    shown = {service.get_fulfillment_order(db, SELLER, o).status for o in orders}
    assert len(shown) > 1  # the run went through several statuses
