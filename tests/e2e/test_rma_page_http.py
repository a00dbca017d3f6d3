"""The RMA label page over real HTTP (SQLite and PostgreSQL): the ``rmaPageURL`` of a createReturn answer, with a
public URL set, is followed to a printable page showing the RMA and where to send the parcel; an unknown or
malformed RMA id is a 404 page; without a public URL the link stays the stored Seller Central one."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import lxml.html
import pytest

from outbound.config import Settings
from outbound.context import Context
from outbound.service import simulation
from outbound.service.accounts import add_seller
from outbound.sim.clock import VirtualClock
from outbound.store import Database
from outbound.throttle import MemoryThrottle
from tests.helpers import ACCESS_KEY, PATH, SECRET_KEY, SELLER, Server, free_port, start_clock, start_server, stock
from tests.helpers import call as mws_call
from tests.spapi import JANE, US, call, create_body, payload, token_for

LABEL_PATH = "/mcf/returns/label"
TOKEN = "dashboard-only-token"


def _serve(db: Database, public: bool) -> Iterator[Server]:
    """Virtual clock, sandbox operations on; with ``public`` the public URL is the server's own address."""
    add_seller(db, SELLER, ACCESS_KEY, SECRET_KEY, None, [US])
    start_clock(db)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = Settings(
        database_url=db.url,
        clock="virtual",
        engine=False,
        sandbox_operations=True,
        public_url=url + "/" if public else None,
    )
    ctx = Context(settings, db, MemoryThrottle(), VirtualClock(db))
    running, thread, _ = start_server(ctx, port)
    yield Server(url, port, ctx)
    running.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def public(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    # the dashboard wants this token; the label page must not (its readers never hold it)
    monkeypatch.setenv("OUTBOUND_ADMIN_TOKEN", TOKEN)
    yield from _serve(db, public=True)


@pytest.fixture
def plain(db: Database) -> Iterator[Server]:
    yield from _serve(db, public=False)


def _returned(server: Server, order_id: str, units: int) -> dict[str, Any]:
    """An order shipped in full, ``units`` of it asked back over SP-API: the createReturn payload."""
    token = token_for(server)
    stock(server.ctx.db, "BLUE-MUG-12OZ", 5)
    assert call(server, "POST", "/fulfillmentOrders", token, create_body(order_id)).status_code == 200
    done = call(server, "PUT", f"/fulfillmentOrders/{order_id}/status", token, {"fulfillmentOrderStatus": "Complete"})
    assert done.status_code == 200, done.text
    shipment = payload(call(server, "GET", f"/fulfillmentOrders/{order_id}", token))["fulfillmentShipments"][0]
    simulation.advance(server.ctx.db, timedelta(days=10))
    items = [
        {
            "sellerReturnItemId": f"R-{n}",
            "sellerFulfillmentOrderItemId": f"{order_id}-1",
            "amazonShipmentId": shipment["amazonShipmentId"],
            "returnReasonCode": "CR-DEFECTIVE",
        }
        for n in range(1, units + 1)
    ]
    created: dict[str, Any] = payload(
        call(server, "PUT", f"/fulfillmentOrders/{order_id}/return", token, {"items": items})
    )
    return created


def _page(answer: httpx.Response) -> Any:
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.headers["cache-control"] == "no-store"
    assert "noindex" in answer.headers["x-robots-tag"]
    return lxml.html.fromstring(answer.text)


def _words(node: Any) -> str:
    return " ".join(node.text_content().split())


def test_the_rma_link_is_followed_to_its_label_page(public: Server) -> None:
    created = _returned(public, "RMA-1", 2)
    (authorization,) = created["returnAuthorizations"]
    rma, link = authorization["amazonRmaId"], authorization["rmaPageURL"]
    assert link == f"{public.url}{LABEL_PATH}?rmaId={rma}"

    answer = httpx.get(link)  # as a client given the link does: no token, no cookie
    assert answer.status_code == 200, answer.text
    page = _page(answer)
    assert _words(page.get_element_by_id("rma-id")) == rma
    (sheet,) = page.xpath("//link[@rel='stylesheet']/@href")
    assert httpx.get(f"{public.url}{sheet}").status_code == 200  # its style is served to the same anonymous reader
    address = authorization["returnToAddress"]
    shown = _words(page.get_element_by_id("return-to"))
    for part in (address["name"], address["addressLine1"], address["city"], address["postalCode"]):
        assert part in shown, (part, shown)
    text = _words(page)
    assert authorization["returnAuthorizationId"] in text and "WEB-48213" in text  # the displayable order id
    assert text.count("BLUE-MUG-12OZ") == 2 and "R-1" in text and "R-2" in text
    assert "defective" in text.lower() and "What to do" in text
    # a label, not the order: nothing of the customer's address, the seller or the seller's own order id
    for private in (JANE["name"], JANE["addressLine1"], JANE["phone"], SELLER, "RMA-1"):
        assert private not in answer.text, private

    # operators reach it from the order's dashboard page
    shown = httpx.get(f"{public.url}/dashboard/orders/{SELLER}/RMA-1", headers={"authorization": f"Bearer {TOKEN}"})
    assert shown.status_code == 200 and f'href="{LABEL_PATH}?rmaId={rma}"' in shown.text

    with httpx.Client(base_url=public.url) as http:  # MWS keeps the stored Seller Central link, byte for byte
        mws = mws_call(http, "GetFulfillmentOrder", {"SellerFulfillmentOrderId": "RMA-1"}, path=PATH)
    assert f"<RmaPageURL>https://sellercentral.amazon.com{LABEL_PATH}?rmaId={rma}</RmaPageURL>" in mws.text

    # the units reach the returns center within 14 days: then the page says there is nothing left to send
    simulation.advance(public.ctx.db, timedelta(days=15))
    later = _words(_page(httpx.get(link)))
    assert "Nothing left to send" in later and "What to do" not in later and later.count("Received") == 2


def test_unknown_or_malformed_rma_ids_are_a_404_page(public: Server) -> None:
    rma = _returned(public, "RMA-2", 1)["returnAuthorizations"][0]["amazonRmaId"]
    assert httpx.get(f"{public.url}{LABEL_PATH}", params={"rmaId": rma}).status_code == 200
    wrong = [
        {"rmaId": rma.swapcase()},  # the exact id only
        {"rmaId": "DZZZZZZZRRMA"},
        {"rmaId": rma + " "},
        {"rmaId": "<script>alert(1)</script>"},
        {"rmaId": "x" * 5000},
        {"rmaId": ""},
        {},
        [("rmaId", rma), ("rmaId", rma)],
        {"rmaid": rma},
    ]
    for params in wrong:
        answer = httpx.get(f"{public.url}{LABEL_PATH}", params=params)
        assert answer.status_code == 404, params
        text = _words(_page(answer))
        assert "No such return" in text, params
        assert "<script>" not in answer.text, params
    # an id-shaped one is repeated, to check against what was copied
    assert "DZZZZZZZRRMA" in httpx.get(f"{public.url}{LABEL_PATH}?rmaId=DZZZZZZZRRMA").text


def test_without_a_public_url_the_stored_link_is_kept(plain: Server) -> None:
    (authorization,) = _returned(plain, "RMA-3", 1)["returnAuthorizations"]
    rma = authorization["amazonRmaId"]
    stored = f"https://sellercentral.amazon.com{LABEL_PATH}?rmaId={rma}"
    assert authorization["rmaPageURL"] == stored
    seen = payload(call(plain, "GET", "/fulfillmentOrders/RMA-3", token_for(plain)))["returnAuthorizations"]
    assert [a["rmaPageURL"] for a in seen] == [stored]
    with httpx.Client(base_url=plain.url) as http:  # and over MWS, as always
        answer = mws_call(http, "GetFulfillmentOrder", {"SellerFulfillmentOrderId": "RMA-3"}, path=PATH)
    assert f"<RmaPageURL>{stored}</RmaPageURL>" in answer.text
    # the page itself is served all the same (operators reach it from the dashboard)
    assert httpx.get(f"{plain.url}{LABEL_PATH}", params={"rmaId": rma}).status_code == 200
