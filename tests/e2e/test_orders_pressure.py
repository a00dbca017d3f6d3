"""Concurrency and isolation over real HTTP, on SQLite and PostgreSQL.

Many CreateFulfillmentOrder calls racing for the same few units must never reserve more units than exist
(stock is locked while it is allocated); and two sellers never see each other's orders, even under the same
SellerFulfillmentOrderId (docs/mws-protocol.md "Operations": another seller's order is answered exactly like a
missing one).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import httpx
import pytest

from outbound.client import CreateItem, MwsClientError, OutboundClient
from outbound.service.accounts import add_seller
from outbound.service.inventory import levels
from outbound.store import Database
from tests.helpers import JANE_PLAIN, SELLER, Server, sdk_for, stock


@pytest.fixture
def server(shared_server: Server) -> Server:
    return shared_server


ORDER_DATE = datetime(2026, 11, 23, 15, 58, 40, tzinfo=UTC)
ALL_QUANTITY_ZERO = (400, "InvalidRequestException", "Value AllQuantityZero for parameter  is invalid.")
INSUFFICIENT = (400, "InvalidRequestException", "Value InsufficientInventory for parameter Items is invalid.")

SECOND_SELLER = "A3SECONDSELLER9"
SECOND_KEY = "AKIASECONDSELLERKEY0"
SECOND_SECRET = "second-seller-secret"

Outcome = str | tuple[int, str, str]


def stock_totals(db: Database, sku: str, seller: str = SELLER) -> tuple[int, int]:
    rows = levels(db, seller, sku)
    return sum(r[2] for r in rows), sum(r[3] for r in rows)


@pytest.fixture
def pool(server: Server) -> Iterator[httpx.Client]:
    """One HTTP connection pool shared by all threads (big enough that none waits for a connection)."""
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    with httpx.Client(timeout=60, limits=limits) as http:
        yield http


def race(count: int, attempt: Callable[[int], Outcome]) -> list[Outcome]:
    """Run ``attempt(0..count-1)`` in ``count`` threads released together."""
    start = threading.Barrier(count)

    def run(n: int) -> Outcome:
        start.wait(timeout=30)
        return attempt(n)

    with ThreadPoolExecutor(max_workers=count) as executor:
        return list(executor.map(run, range(count)))


def creator(
    server: Server, http: httpx.Client, sku: str, quantity: int, prefix: str, policy: str | None = None
) -> Callable[[int], Outcome]:
    client = sdk_for(server, http=http)

    def attempt(n: int) -> Outcome:
        order_id = f"{prefix}-{n:02d}"
        try:
            client.create_fulfillment_order(
                order_id,
                JANE_PLAIN,
                [CreateItem(sku, f"{order_id}-1", quantity)],
                displayable_order_datetime=ORDER_DATE,
                fulfillment_policy=policy,
            )
        except MwsClientError as err:
            return (err.status, err.code, err.message)
        return "ok"

    return attempt


def test_fifty_concurrent_one_unit_orders_take_exactly_the_twenty_units(server: Server, pool: httpx.Client) -> None:
    db = server.ctx.db
    stock(db, "HOT-SKU", 20, "BFI4")
    outcomes = race(50, creator(server, pool, "HOT-SKU", 1, "RUSH"))
    counted = Counter(o if o == "ok" else "refused" for o in outcomes)
    assert counted["ok"] == 20, outcomes
    assert {o for o in outcomes if o != "ok"} == {ALL_QUANTITY_ZERO}
    assert levels(db, SELLER, "HOT-SKU") == [("HOT-SKU", "BFI4", 0, 20)]
    client = sdk_for(server, http=pool)
    listed = list(client.iter_fulfillment_orders())
    accepted = {f"RUSH-{n:02d}" for n, o in enumerate(outcomes) if o == "ok"}
    assert {o.seller_fulfillment_order_id for o in listed} == accepted  # exactly the answered-200 ones exist
    for order_id in accepted:
        assert [i.quantity for i in client.get_fulfillment_order(order_id).items] == [1]
    refused = next(f"RUSH-{n:02d}" for n, o in enumerate(outcomes) if o != "ok")
    with pytest.raises(MwsClientError):
        client.get_fulfillment_order(refused)


def test_concurrent_multi_unit_orders_never_oversell(server: Server, pool: httpx.Client) -> None:
    db = server.ctx.db
    stock(db, "HOT-SKU", 11, "BFI4")
    stock(db, "HOT-SKU", 9, "ONT8")
    outcomes = race(30, creator(server, pool, "HOT-SKU", 3, "TRIO"))
    accepted = sum(1 for o in outcomes if o == "ok")
    assert accepted == 6  # 6 × 3 = 18 of 20 units; the 2 left over cannot make a FillOrKill order of 3
    assert {o for o in outcomes if o != "ok"} <= {ALL_QUANTITY_ZERO, INSUFFICIENT}
    sellable, reserved = stock_totals(db, "HOT-SKU")
    assert (sellable, reserved) == (2, 18)


def test_concurrent_fill_all_orders_reserve_what_is_left(server: Server, pool: httpx.Client) -> None:
    db = server.ctx.db
    stock(db, "HOT-SKU", 20, "BFI4")
    outcomes = race(30, creator(server, pool, "HOT-SKU", 3, "FILL", policy="FillAll"))
    accepted = sum(1 for o in outcomes if o == "ok")
    assert accepted == 7  # six whole orders and one that gets the last 2 units
    assert {o for o in outcomes if o != "ok"} == {ALL_QUANTITY_ZERO}
    assert stock_totals(db, "HOT-SKU") == (0, 20)


def test_cancels_racing_creates_keep_the_books_balanced(server: Server, pool: httpx.Client) -> None:
    db = server.ctx.db
    stock(db, "HOT-SKU", 10, "BFI4")
    first = race(10, creator(server, pool, "HOT-SKU", 1, "OLD"))
    assert first == ["ok"] * 10
    client = sdk_for(server, http=pool)
    make = creator(server, pool, "HOT-SKU", 1, "NEW")

    def attempt(n: int) -> Outcome:
        if n % 2:
            client.cancel_fulfillment_order(f"OLD-{n // 2:02d}")
            return "cancelled"
        return make(n // 2)

    outcomes = race(20, attempt)
    assert outcomes.count("cancelled") == 10
    created = outcomes.count("ok")
    assert {o for o in outcomes if o not in ("ok", "cancelled")} <= {ALL_QUANTITY_ZERO}
    sellable, reserved = stock_totals(db, "HOT-SKU")
    assert sellable + reserved == 10
    assert reserved == created  # every OLD order gave its unit back; every NEW one holds one
    statuses = Counter(o.status for o in client.iter_fulfillment_orders())
    assert statuses == Counter({"CANCELLED": 10, "RECEIVED": created})


def test_concurrent_retries_of_one_order_create_it_once(server: Server, pool: httpx.Client) -> None:
    """Clients retry timeouts: the same request arriving ten times at once is one order and one reservation."""
    db = server.ctx.db
    stock(db, "HOT-SKU", 20, "BFI4")
    client = sdk_for(server, http=pool)

    def attempt(_n: int) -> Outcome:
        try:
            client.create_fulfillment_order(
                "RETRIED", JANE_PLAIN, [CreateItem("HOT-SKU", "RETRIED-1", 2)], displayable_order_datetime=ORDER_DATE
            )
        except MwsClientError as err:
            return (err.status, err.code, err.message)
        return "ok"

    outcomes = race(10, attempt)
    assert outcomes == ["ok"] * 10
    assert stock_totals(db, "HOT-SKU") == (18, 2)
    assert [o.seller_fulfillment_order_id for o in client.iter_fulfillment_orders()] == ["RETRIED"]


# ------------------------------------------------------------------------------------------------ isolation


@pytest.fixture
def two_sellers(server: Server, pool: httpx.Client) -> tuple[OutboundClient, OutboundClient]:
    db = server.ctx.db
    add_seller(db, SECOND_SELLER, SECOND_KEY, SECOND_SECRET)
    stock(db, "MUG", 10, "BFI4")
    stock(db, "MUG", 10, "BFI4", SECOND_SELLER)
    first = sdk_for(server, http=pool)
    second = OutboundClient(server.url, SECOND_KEY, SECOND_SECRET, SECOND_SELLER, http=pool)
    return first, second


def refusal(action: Callable[[], object]) -> tuple[int, str, str, str]:
    with pytest.raises(MwsClientError) as err:
        action()
    return err.value.status, err.value.type, err.value.code, err.value.message


def test_two_sellers_may_use_the_same_order_id(
    server: Server, two_sellers: tuple[OutboundClient, OutboundClient]
) -> None:
    first, second = two_sellers
    first.create_fulfillment_order("SHARED-1", JANE_PLAIN, [CreateItem("MUG", "L1", 1)], displayable_order_id="FIRST")
    second.create_fulfillment_order("SHARED-1", JANE_PLAIN, [CreateItem("MUG", "L1", 3)], displayable_order_id="SECOND")
    a, b = first.get_fulfillment_order("SHARED-1"), second.get_fulfillment_order("SHARED-1")
    assert (a.order.displayable_order_id, a.items[0].quantity) == ("FIRST", 1)
    assert (b.order.displayable_order_id, b.items[0].quantity) == ("SECOND", 3)
    assert stock_totals(server.ctx.db, "MUG") == (9, 1)
    assert stock_totals(server.ctx.db, "MUG", SECOND_SELLER) == (7, 3)

    second.cancel_fulfillment_order("SHARED-1")
    assert first.get_fulfillment_order("SHARED-1").order.status == "RECEIVED"
    assert second.get_fulfillment_order("SHARED-1").order.status == "CANCELLED"
    assert stock_totals(server.ctx.db, "MUG") == (9, 1)
    assert stock_totals(server.ctx.db, "MUG", SECOND_SELLER) == (10, 0)


def test_another_sellers_order_is_answered_like_a_missing_one(
    server: Server, two_sellers: tuple[OutboundClient, OutboundClient]
) -> None:
    first, second = two_sellers
    first.create_fulfillment_order(
        "ONLY-FIRST",
        JANE_PLAIN,
        [CreateItem("MUG", "L1", 2)],
        fulfillment_action="Hold",
        displayable_order_id="PRIVATE",
    )

    def same_as_missing(action: Callable[[str], object]) -> None:
        foreign = refusal(lambda: action("ONLY-FIRST"))
        absent = refusal(lambda: action("NEVER-EXISTED"))
        assert foreign[:3] == absent[:3] == (400, "Sender", "InvalidParameterValue")
        assert foreign[3] == absent[3].replace("NEVER-EXISTED", "ONLY-FIRST")
        assert foreign[3] == "Value ONLY-FIRST for parameter SellerFulfillmentOrderId is invalid."

    same_as_missing(second.get_fulfillment_order)
    same_as_missing(second.cancel_fulfillment_order)
    same_as_missing(lambda oid: second.update_fulfillment_order(oid, fulfillment_action="Ship"))
    same_as_missing(lambda oid: second.update_fulfillment_order(oid, quantities={"L1": 1}))

    # the first seller's order is untouched by all of that
    details = first.get_fulfillment_order("ONLY-FIRST")
    assert (details.order.status, details.order.fulfillment_action, details.items[0].quantity) == (
        "RECEIVED",
        "Hold",
        2,
    )
    assert stock_totals(server.ctx.db, "MUG") == (8, 2)

    assert list(second.iter_fulfillment_orders()) == []
    assert [o.seller_fulfillment_order_id for o in first.iter_fulfillment_orders()] == ["ONLY-FIRST"]
    second.create_fulfillment_order("ONLY-SECOND", JANE_PLAIN, [CreateItem("MUG", "L1", 1)])
    assert [o.seller_fulfillment_order_id for o in second.iter_fulfillment_orders()] == ["ONLY-SECOND"]
    assert [o.seller_fulfillment_order_id for o in first.iter_fulfillment_orders()] == ["ONLY-FIRST"]


def test_a_sellers_sku_is_not_anothers(server: Server, two_sellers: tuple[OutboundClient, OutboundClient]) -> None:
    _first, second = two_sellers
    stock(server.ctx.db, "FIRST-ONLY-SKU", 5, "BFI4")
    found = refusal(lambda: second.create_fulfillment_order("X", JANE_PLAIN, [CreateItem("FIRST-ONLY-SKU", "L1", 1)]))
    assert found == (400, "Sender", "InvalidParameterValue", "Value FIRST-ONLY-SKU for parameter SellerSKU is invalid.")
    assert stock_totals(server.ctx.db, "FIRST-ONLY-SKU") == (5, 0)
