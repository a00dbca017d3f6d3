"""ListAllFulfillmentOrders and ListAllFulfillmentOrdersByNextToken over real HTTP (SQLite and PostgreSQL).

The selection window (default 36 hours, QueryStartDateTime "at or after"), pages of 50 with a NextToken that leads
page by page to a last page without one, the snapshot rule (orders that change or appear while a client pages are
not listed twice and not lost: the next listing finds them), and refused tokens (docs/mws-protocol.md
"Paging"). Orders are written straight into the store: listing reads rows, however they were made.
"""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from lxml import etree
from sqlalchemy import update

from outbound.client import MwsClientError, OutboundClient
from outbound.domain.orders import CANCELLED, RECEIVED, Order, OrderItem
from outbound.service import listing
from outbound.service.accounts import add_seller
from outbound.store import Database
from outbound.store import orders as order_store
from outbound.store.schema import orders as orders_table
from tests.helpers import (
    SEATTLE,
    SELLER,
    US,
    N,
    Server,
    call,
    check_headers,
    document,
    error,
    iso,
    sdk_for,
    text,
)


@pytest.fixture
def server(shared_server: Server) -> Server:
    return shared_server


OTHER_SELLER = "A3LISTINGOTHER"
OTHER_KEY = "AKIALISTINGOTHERKEY0"
OTHER_SECRET = "listing-other-secret"


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def insert(db: Database, rows: list[tuple[str, datetime]], *, seller: str = SELLER, method: str = "Consumer") -> None:
    """Orders (id, StatusUpdatedDateTime) written in one transaction, as the simulator would have left them."""
    with db.transaction() as conn:
        for order_id, moment in rows:
            order = Order(
                seller_id=seller,
                seller_order_id=order_id,
                marketplace_id=US,
                displayable_order_id=f"WEB-{order_id}",
                displayable_order_at=moment,
                displayable_order_comment="Thanks",
                shipping_speed="Standard",
                destination=SEATTLE,
                fulfillment_action="Ship",
                fulfillment_policy="FillOrKill",
                fulfillment_method=method,
                received_at=moment - timedelta(minutes=5),
                status=RECEIVED,
                status_updated_at=moment,
                items=[OrderItem("MUG", f"{order_id}-1", 1)],
            )
            order_store.insert_order(conn, order, f"hash-{order_id}", None)


def restamp(db: Database, order_id: str, moment: datetime, status: str = CANCELLED) -> None:
    """A status change: what moves an order in the listing order."""
    with db.transaction() as conn:
        conn.execute(
            update(orders_table)
            .where(orders_table.c.seller_id == SELLER, orders_table.c.seller_order_id == order_id)
            .values(status=status, status_updated_at=moment)
        )


class Listed:
    """One page as the wire gave it."""

    def __init__(self, response: httpx.Response, action: str) -> None:
        assert response.status_code == 200, response.text
        check_headers(response)
        self.raw = response.content
        result = document(response).find(f"m:{action}Result", N)
        assert result is not None
        self.children = [etree.QName(c).localname for c in result]
        self.ids = [
            text(m, "m:SellerFulfillmentOrderId") or "" for m in result.iterfind("m:FulfillmentOrders/m:member", N)
        ]
        self.stamps = [
            text(m, "m:StatusUpdatedDateTime") or "" for m in result.iterfind("m:FulfillmentOrders/m:member", N)
        ]
        self.token = text(result, "m:NextToken")
        if self.token is not None:
            assert self.children == ["NextToken", "FulfillmentOrders"]  # first child, and never empty
            assert self.token
            assert self.ids, "a page that carries a NextToken is never empty"
        else:
            assert self.children == ["FulfillmentOrders"]


def list_all(http: httpx.Client, **params: str) -> Listed:
    return Listed(call(http, "ListAllFulfillmentOrders", params), "ListAllFulfillmentOrders")


def by_token(http: httpx.Client, token: str) -> Listed:
    return Listed(
        call(http, "ListAllFulfillmentOrdersByNextToken", {"NextToken": token}), "ListAllFulfillmentOrdersByNextToken"
    )


def every_page(http: httpx.Client, **params: str) -> list[Listed]:
    pages = [list_all(http, **params)]
    while pages[-1].token is not None:
        assert len(pages) < 20, "pagination must terminate"
        pages.append(by_token(http, pages[-1].token))
    return pages


def ids_of(pages: list[Listed]) -> list[str]:
    return [order_id for page in pages for order_id in page.ids]


# ------------------------------------------------------------------------------------------------ the window


def test_default_window_is_36_hours(server: Server, http: httpx.Client) -> None:
    now = utcnow()
    insert(
        server.ctx.db,
        [
            ("OLD-37H", now - timedelta(hours=37)),
            ("OLD-36H-1M", now - timedelta(hours=36, minutes=1)),
            ("IN-35H59M", now - timedelta(hours=35, minutes=59)),
            ("IN-1H", now - timedelta(hours=1)),
            ("IN-NOW", now - timedelta(seconds=1)),
        ],
    )
    page = list_all(http)
    assert page.ids == ["IN-35H59M", "IN-1H", "IN-NOW"]  # ascending StatusUpdatedDateTime
    assert page.token is None
    assert b"<FulfillmentAction>" not in page.raw


def test_query_start_is_at_or_after(server: Server, http: httpx.Client) -> None:
    now = utcnow()
    edge = now - timedelta(hours=40)
    insert(
        server.ctx.db,
        [
            ("BEFORE", edge - timedelta(seconds=1)),
            ("AT", edge),
            ("AFTER", edge + timedelta(seconds=1)),
            ("OLD", now - timedelta(days=30)),
        ],
    )
    assert list_all(http, QueryStartDateTime=iso(edge)).ids == ["AT", "AFTER"]
    assert list_all(http, QueryStartDateTime=iso(edge + timedelta(seconds=1))).ids == ["AFTER"]
    assert list_all(http, QueryStartDateTime=iso(now - timedelta(days=31))).ids == ["OLD", "BEFORE", "AT", "AFTER"]
    # an offset form of the same instant selects the same orders
    offset = (edge - timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M:%S-07:00")
    assert list_all(http, QueryStartDateTime=offset).ids == ["AT", "AFTER"]


def test_query_start_in_the_future_is_an_empty_list(server: Server, http: httpx.Client) -> None:
    insert(server.ctx.db, [("NOW", utcnow())])
    page = list_all(http, QueryStartDateTime=iso(utcnow() + timedelta(days=1)))
    assert page.ids == [] and page.token is None
    assert b"<FulfillmentOrders/>" in page.raw


def test_unreadable_query_start_is_refused(http: httpx.Client) -> None:
    found = error(call(http, "ListAllFulfillmentOrders", {"QueryStartDateTime": "last tuesday"}))
    assert (found.status, found.code) == (400, "InvalidParameterValue")
    assert found.message == "Value last tuesday for parameter QueryStartDateTime is invalid."


def test_fulfillment_method_filter(server: Server, http: httpx.Client) -> None:
    now = utcnow()
    insert(server.ctx.db, [("C-1", now - timedelta(minutes=3)), ("C-2", now - timedelta(minutes=1))])
    insert(server.ctx.db, [("R-1", now - timedelta(minutes=2))], method="Removal")
    assert list_all(http).ids == ["C-1", "R-1", "C-2"]
    assert list_all(http, **{"FulfillmentMethod.member.1": "Removal"}).ids == ["R-1"]
    both = {"FulfillmentMethod.member.1": "Consumer", "FulfillmentMethod.member.2": "Removal"}
    assert list_all(http, **both).ids == ["C-1", "R-1", "C-2"]
    found = error(call(http, "ListAllFulfillmentOrders", {"FulfillmentMethod.member.1": "Gift"}))
    assert found.message == "Value Gift for parameter FulfillmentMethod.member.1 is invalid."


# ------------------------------------------------------------------------------------------------ pages


def spread(count: int, prefix: str, start: datetime) -> list[tuple[str, datetime]]:
    """``count`` orders, three at a time sharing one StatusUpdatedDateTime (ties are broken by id)."""
    return [(f"{prefix}-{n:03d}", start + timedelta(minutes=n // 3)) for n in range(count)]


def test_120_orders_come_in_pages_of_50_50_20(server: Server, http: httpx.Client) -> None:
    rows = spread(120, "P", utcnow() - timedelta(hours=3))
    insert(server.ctx.db, list(reversed(rows)))  # insertion order must not matter
    pages = every_page(http)
    assert [len(p.ids) for p in pages] == [50, 50, 20]
    assert [p.token is not None for p in pages] == [True, True, False]
    assert ids_of(pages) == [order_id for order_id, _ in rows]  # each once, none lost, in (time, id) order
    stamps = [s for p in pages for s in p.stamps]
    assert stamps == sorted(stamps)
    assert len({p.token for p in pages[:2]}) == 2


@pytest.mark.parametrize(("count", "sizes"), [(50, [50]), (51, [50, 1]), (100, [50, 50]), (0, [0])])
def test_page_boundaries(server: Server, http: httpx.Client, count: int, sizes: list[int]) -> None:
    insert(server.ctx.db, spread(count, "B", utcnow() - timedelta(hours=2)))
    pages = every_page(http)
    assert [len(p.ids) for p in pages] == sizes
    assert len(set(ids_of(pages))) == count


def test_the_listing_is_a_snapshot_while_orders_change_between_pages(server: Server, http: httpx.Client) -> None:
    db = server.ctx.db
    rows = spread(120, "S", utcnow() - timedelta(hours=3))
    insert(db, rows)
    before_first = utcnow() - timedelta(seconds=1)
    first = list_all(http)
    assert first.ids == [order_id for order_id, _ in rows[:50]]
    assert first.token is not None

    time.sleep(0.01)  # what follows happens strictly after the first page's instant
    insert(db, [(f"NEW-{n}", datetime.now(UTC)) for n in range(10)])  # created while paging
    restamp(db, "S-010", datetime.now(UTC))  # listed already, then cancelled: must not come again
    restamp(db, "S-100", datetime.now(UTC))  # not yet listed, then cancelled: moves past the snapshot

    second = by_token(http, first.token)
    assert second.token is not None
    third = by_token(http, second.token)
    assert third.token is None
    listed = first.ids + second.ids + third.ids
    assert len(listed) == len(set(listed)), "an order was listed twice"
    assert not any(order_id.startswith("NEW-") for order_id in listed)
    assert "S-100" not in listed

    original = {order_id for order_id, _ in rows}
    assert original - set(listed) == {"S-100"}
    # the client's next listing, from the moment it started the first one, finds what the snapshot left out
    following = ids_of(every_page(http, QueryStartDateTime=iso(before_first)))
    assert {f"NEW-{n}" for n in range(10)} | {"S-100", "S-010"} <= set(following)
    assert original <= set(listed) | set(following)  # none lost


def test_sdk_iterates_every_page(server: Server) -> None:
    rows = spread(120, "SDK", utcnow() - timedelta(hours=3))
    insert(server.ctx.db, rows)
    with sdk_for(server) as client:
        first = client.list_all_fulfillment_orders()
        assert len(first.orders) == 50 and first.next_token
        listed = [o.seller_fulfillment_order_id for o in client.iter_fulfillment_orders()]
    assert listed == [order_id for order_id, _ in rows]


# ------------------------------------------------------------------------------------------------ tokens


def bad_token(http: httpx.Client, token: str) -> None:
    found = error(call(http, "ListAllFulfillmentOrdersByNextToken", {"NextToken": token}))
    assert (found.status, found.type, found.code) == (400, "Sender", "InvalidParameterValue")
    assert "NextToken" in found.message
    assert found.message == "Invalid NextToken."


def test_missing_next_token(http: httpx.Client) -> None:
    for params in ({}, {"NextToken": ""}):
        found = error(call(http, "ListAllFulfillmentOrdersByNextToken", params))
        assert (found.status, found.code) == (400, "InvalidParameterValue")
        assert found.message == "Missing required parameter NextToken."


def test_garbled_tokens_are_refused(server: Server, http: httpx.Client) -> None:
    insert(server.ctx.db, spread(60, "G", utcnow() - timedelta(hours=1)))
    good = list_all(http).token
    assert good is not None
    raw = json.loads(base64.urlsafe_b64decode(good + "=" * (-len(good) % 4)))

    def encode(value: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    for token in (
        "garbage",
        "%%%not-base64%%%",
        "H4sIAAAAAAAAAKtWSs7PS8tMLy1KLUpVslIqS8wpTtVRSs7PBwDaJtBMGAAAAA==",  # gzip, Amazon-style, not ours
        good[:-6],
        good + "AAAA",
        encode({"seller": SELLER}),
        encode([*raw[:-1], "not-a-number"]),
        encode([99, *raw[1:]]),  # unknown version
        encode([raw[0], raw[1], "yesterday", *raw[3:]]),
    ):
        bad_token(http, token)
    assert len(by_token(http, good).ids) == 10  # the real one still works


def test_expired_token_is_refused(server: Server, http: httpx.Client) -> None:
    insert(server.ctx.db, spread(60, "E", utcnow() - timedelta(hours=1)))
    good = list_all(http).token
    assert good is not None
    cursor = listing.Cursor.decode(good, SELLER)
    stale = listing.Cursor(
        cursor.seller_id, cursor.start, cursor.snapshot, cursor.after, cursor.methods, time.time() - 25 * 3600
    )
    bad_token(http, stale.encode())


def test_another_sellers_token_is_refused(server: Server, http: httpx.Client) -> None:
    add_seller(server.ctx.db, OTHER_SELLER, OTHER_KEY, OTHER_SECRET)
    insert(server.ctx.db, spread(60, "MINE", utcnow() - timedelta(hours=1)))
    insert(server.ctx.db, spread(60, "THEIRS", utcnow() - timedelta(hours=1)), seller=OTHER_SELLER)
    with OutboundClient(server.url, OTHER_KEY, OTHER_SECRET, OTHER_SELLER) as other:
        page = other.list_all_fulfillment_orders()
        assert {o.seller_fulfillment_order_id[:6] for o in page.orders} == {"THEIRS"}
        theirs = page.next_token
        assert theirs is not None
        mine = list_all(http).token
        assert mine is not None
        with pytest.raises(MwsClientError) as err:
            other.list_all_fulfillment_orders_by_next_token(mine)
        assert (err.value.status, err.value.code, err.value.message) == (
            400,
            "InvalidParameterValue",
            "Invalid NextToken.",
        )
        assert {
            o.seller_fulfillment_order_id[:6] for o in other.list_all_fulfillment_orders_by_next_token(theirs).orders
        } == {"THEIRS"}
    bad_token(http, theirs)
    assert all(order_id.startswith("MINE") for order_id in ids_of(every_page(http)))


def test_stamps_are_whole_seconds(server: Server, http: httpx.Client) -> None:
    insert(server.ctx.db, [("FRACTION", datetime.now(UTC) - timedelta(minutes=1))])
    (stamp,) = list_all(http).stamps
    assert datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ")
