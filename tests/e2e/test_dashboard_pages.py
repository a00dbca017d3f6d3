"""The dashboard's pages over real HTTP (uvicorn on SQLite and PostgreSQL): who may see them, what a seller-scoped
page shows, that stored text is shown as text, and that the order's XML is the endpoint's own."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from outbound.service import notifications
from outbound.sim.clock import VirtualClock
from outbound.store import Database
from tests.e2e import dashboard_world
from tests.e2e.dashboard_world import OTHER_SELLER, SCRIPT_COMMENT
from tests.helpers import SELLER, Server, call, make_server, serve_virtual
from tests.spapi import call as sp_call
from tests.spapi import token_for

TOKEN = "page-test-token"


@pytest.fixture
def world(db: Database) -> dashboard_world.World:
    return dashboard_world.build(db)


@pytest.fixture
def guarded(db: Database, world: dashboard_world.World, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    """A virtual-clock server that requires the admin token."""
    monkeypatch.setenv("OUTBOUND_ADMIN_TOKEN", TOKEN)
    yield from serve_virtual(db)


@pytest.fixture
def open_server(db: Database, world: dashboard_world.World, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    """No token set: open on the loopback (the test client is on it)."""
    monkeypatch.delenv("OUTBOUND_ADMIN_TOKEN", raising=False)
    yield from serve_virtual(db)


def client(server: Server, **kwargs: object) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=30, **kwargs)  # type: ignore[arg-type]


def same_site(server: Server) -> dict[str, str]:
    return {"origin": server.url}


def login(http: httpx.Client, server: Server) -> httpx.Response:
    return http.post("/dashboard/login", data={"token": TOKEN, "next": "/dashboard/orders"}, headers=same_site(server))


# ------------------------------------------------------------------------------------------------ authorization


PAGES = [
    "/dashboard/",
    "/dashboard/orders",
    f"/dashboard/orders/{SELLER}/SHIP-1",
    "/dashboard/inventory",
    "/dashboard/time",
    "/dashboard/sellers",
    f"/dashboard/sellers/{SELLER}",
]


def test_every_page_is_refused_without_the_token(guarded: Server, world: dashboard_world.World) -> None:
    with client(guarded) as http:
        for path in PAGES:
            answer = http.get(path)
            assert answer.status_code == 401, path
            assert 'name="token"' in answer.text  # the login form instead
            # no data: the only trace of the page is its address, kept to return to after logging in
            assert world.tracking_number not in answer.text and "Blue Kettle" not in answer.text
            assert "COMPLETE" not in answer.text and "TEA-1" not in answer.text
        wrong = http.get("/dashboard/orders", headers={"authorization": "Bearer not-the-token"})
        assert wrong.status_code == 401
    with client(guarded, cookies={"outbound_dashboard": "9999999999.deadbeef"}) as forger:
        assert forger.get("/dashboard/orders").status_code == 401
    with client(guarded) as http:
        bearer = http.get("/dashboard/orders", headers={"authorization": f"Bearer {TOKEN}"})
        assert bearer.status_code == 200 and "SHIP-1" in bearer.text


def test_forms_are_refused_without_the_token(guarded: Server, db: Database) -> None:
    before = VirtualClock(db).now()
    with client(guarded) as http:
        answer = http.post("/dashboard/time/advance", data={"duration": "1d"}, headers=same_site(guarded))
        assert answer.status_code == 401
        added = http.post(
            "/dashboard/scenarios", data={"seller_id": SELLER, "kind": "hold_shipment"}, headers=same_site(guarded)
        )
        assert added.status_code == 401
    assert VirtualClock(db).now() == before


def test_login_sets_a_signed_http_only_strict_cookie(guarded: Server) -> None:
    with client(guarded) as http:
        refused = http.post("/dashboard/login", data={"token": "guess"}, headers=same_site(guarded))
        assert refused.status_code == 401 and "set-cookie" not in refused.headers
        answer = login(http, guarded)
        assert answer.status_code == 303 and answer.headers["location"] == "/dashboard/orders"
        cookie = answer.headers["set-cookie"]
        assert cookie.startswith("outbound_dashboard=")
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
        assert "Path=/dashboard" in cookie
        value = http.cookies["outbound_dashboard"]
        assert TOKEN not in value  # a signature, not the token
        page = http.get("/dashboard/orders")
        assert page.status_code == 200 and "SHIP-1" in page.text
        # a tampered expiry no longer matches its signature
        expires, signature = value.split(".")
        http.cookies.clear()
        http.cookies.set("outbound_dashboard", f"{int(expires) + 1}.{signature}", path="/dashboard")
        assert http.get("/dashboard/orders").status_code == 401
        http.cookies.clear()
        # logging out ends the session in the browser
        http.cookies.set("outbound_dashboard", value, path="/dashboard")
        out = http.post("/dashboard/logout", headers=same_site(guarded))
        assert out.status_code == 303 and 'outbound_dashboard=""' in out.headers["set-cookie"]


def test_login_returns_only_to_a_dashboard_page(guarded: Server) -> None:
    with client(guarded) as http:
        answer = http.post(
            "/dashboard/login", data={"token": TOKEN, "next": "https://evil.example/"}, headers=same_site(guarded)
        )
        assert answer.status_code == 303 and answer.headers["location"] == "/dashboard/"


def test_a_form_posted_from_another_site_is_refused(open_server: Server, db: Database) -> None:
    before = VirtualClock(db).now()
    with client(open_server) as http:
        answer = http.post(
            "/dashboard/time/advance", data={"duration": "1d"}, headers={"origin": "https://evil.example"}
        )
        assert answer.status_code == 403
        fetched = http.post(
            "/dashboard/time/advance", data={"duration": "1d"}, headers={"sec-fetch-site": "cross-site"}
        )
        assert fetched.status_code == 403
    assert VirtualClock(db).now() == before


def test_without_a_token_the_dashboard_is_open_on_the_loopback(open_server: Server) -> None:
    with client(open_server) as http:
        assert http.get("/dashboard/").status_code == 200
        assert http.get("/dashboard/login").status_code == 303  # nothing to log in to


def test_the_static_files_are_served_from_the_package(open_server: Server) -> None:
    with client(open_server) as http:
        for name in ("chart.umd.min.js", "htmx.min.js", "dashboard.js", "dashboard.css", "chart.js.LICENSE.md"):
            answer = http.get(f"/dashboard/static/{name}")
            assert answer.status_code == 200 and len(answer.content) > 500, name
        page = http.get("/dashboard/")
    # every script and stylesheet the page loads is ours: nothing from another origin
    assert not re.search(r'(src|href)="(https?:)?//', page.text)
    assert "default-src 'self'" in page.headers["content-security-policy"]


# ------------------------------------------------------------------------------------------------ seller scope


def test_a_seller_scoped_view_never_shows_another_sellers_data(
    open_server: Server, world: dashboard_world.World
) -> None:
    with client(open_server) as http:
        listed = http.get("/dashboard/orders", params={"seller": OTHER_SELLER})
        assert listed.status_code == 200
        assert world.other in listed.text
        assert "SHIP-1" not in listed.text and "FRESH-1" not in listed.text and "MARKUP-1" not in listed.text
        seller_page = http.get(f"/dashboard/sellers/{OTHER_SELLER}")
        assert world.other in seller_page.text and "SHIP-1" not in seller_page.text
        assert http.get(f"/dashboard/inventory?seller={OTHER_SELLER}").text.count("TEA-1") == 0
        # another seller's order or package under this seller's path is not found
        assert http.get(f"/dashboard/orders/{OTHER_SELLER}/SHIP-1").status_code == 404
        assert http.get(f"/dashboard/packages/{OTHER_SELLER}/{world.package_number}").status_code == 404
        found = http.get("/dashboard/orders", params={"seller": OTHER_SELLER, "q": world.tracking_number})
        assert "SHIP-1" not in found.text and "No order matches." in found.text
        own = http.get(f"/dashboard/packages/{SELLER}/{world.package_number}")
        assert own.status_code == 303
        assert own.headers["location"] == f"/dashboard/orders/{SELLER}/SHIP-1#package-{world.package_number}"


def test_secrets_are_shown_once_at_creation_and_never_listed(open_server: Server) -> None:
    with client(open_server) as http:
        made = http.post(
            "/dashboard/sellers",
            data={"seller_id": "A3NEWSELLER1", "marketplace": ["A2EUQ1WTGCTBG2"]},
            headers=same_site(open_server),
        )
        assert made.status_code == 201
        secret = re.search(r'id="new-secret-key">([^<]+)<', made.text)
        key = re.search(r'id="new-access-key">([^<]+)<', made.text)
        assert secret and key
        listing = http.get("/dashboard/sellers").text
        assert key.group(1) in listing and secret.group(1) not in listing
        assert "A2EUQ1WTGCTBG2" in http.get("/dashboard/sellers/A3NEWSELLER1").text
        assert dashboard_world.OTHER_SECRET not in listing
        bad = http.post("/dashboard/sellers", data={"seller_id": "no spaces"}, headers=same_site(open_server))
        assert bad.status_code == 400


# ------------------------------------------------------------------------------------------------ content


def test_stored_markup_is_shown_as_text(open_server: Server) -> None:
    with client(open_server) as http:
        page = http.get(f"/dashboard/orders/{SELLER}/MARKUP-1")
    assert page.status_code == 200
    assert "<script>document.title" not in page.text
    shown = [html.unescape(m) for m in re.findall(r'<dd class="comment">(.*?)</dd>', page.text, re.S)]
    assert shown == [SCRIPT_COMMENT]  # escaped in the page, the very text once the browser reads it


def test_the_orders_xml_is_what_the_endpoint_answers(open_server: Server) -> None:
    with client(open_server) as http:
        page = http.get(f"/dashboard/orders/{SELLER}/SHIP-1")
        wire = call(http, "GetFulfillmentOrder", {"SellerFulfillmentOrderId": "SHIP-1"})
    shown = html.unescape(re.search(r'<pre class="xml"><code>(.*?)</code></pre>', page.text, re.S).group(1))  # type: ignore[union-attr]
    request_id = re.compile(r"<RequestId>[^<]+</RequestId>")
    assert request_id.sub("", shown) == request_id.sub("", wire.text)


def test_the_orders_spapi_json_is_what_the_endpoint_answers(open_server: Server) -> None:
    with client(open_server) as http:
        page = http.get(f"/dashboard/orders/{SELLER}/SHIP-1")
    blocks = re.findall(r'<pre class="xml"><code>(.*?)</code></pre>', page.text, re.S)
    shown = json.loads(html.unescape(blocks[1]))
    answer = sp_call(open_server, "GET", "/fulfillmentOrders/SHIP-1", token_for(open_server))
    assert answer.status_code == 200 and shown == answer.json()


def test_the_order_lists_its_notifications(open_server: Server, db: Database) -> None:
    notifications.subscribe(db, SELLER, "FULFILLMENT_ORDER_STATUS", "webhook", "http://127.0.0.1:9/nobody")
    with client(open_server) as http:
        assert http.get(f"/dashboard/orders/{SELLER}/SHIP-1").text.count("FULFILLMENT_ORDER_STATUS") == 0
        cancelled = call(http, "CancelFulfillmentOrder", {"SellerFulfillmentOrderId": "FRESH-1"})
        page = http.get(f"/dashboard/orders/{SELLER}/FRESH-1")
    assert cancelled.status_code == 200, cancelled.text
    rows = re.findall(r"<td>FULFILLMENT_ORDER_STATUS</td><td>(\w+)</td>\s*<td>(\w+)</td><td>(\w+)</td>", page.text)
    assert rows == [("Order", "CANCELLED", "pending")]  # the webhook is down: still to deliver


def test_bad_filters_get_a_message_not_an_error(open_server: Server) -> None:
    with client(open_server) as http:
        for params in (
            {"from": "yesterday"},
            {"status": "SHIPPED-ISH"},
            {"speed": "Warp"},
            {"after": "garbage"},
            {"from": "2026-12-01", "to": "2026-11-01"},
        ):
            answer = http.get("/dashboard/orders", params=params)
            assert answer.status_code == 400, params
            assert 'class="message error"' in answer.text
        assert http.get(f"/dashboard/orders/{SELLER}/NOPE").status_code == 404


def test_the_clock_moves_from_the_page_and_the_order_with_it(open_server: Server, db: Database) -> None:
    with client(open_server) as http:
        assert "RECEIVED" in http.get(f"/dashboard/orders/{SELLER}/FRESH-1").text
        before = VirtualClock(db).now()
        moved = http.post("/dashboard/time/advance", data={"duration": "1d"}, headers=same_site(open_server))
        assert moved.status_code == 303 and "steps=" in moved.headers["location"]
        assert VirtualClock(db).now() == before + timedelta(days=1)
        status = re.search(r'id="order-status">.*?>([A-Z_]+)<', http.get(f"/dashboard/orders/{SELLER}/FRESH-1").text)
        assert status and status.group(1) in ("PROCESSING", "COMPLETE")
        refused = http.post("/dashboard/time/advance", data={"duration": "soon"}, headers=same_site(open_server))
        assert refused.status_code == 400 and "not a duration" in refused.text


def test_scenarios_are_validated_as_the_admin_api_does(open_server: Server) -> None:
    with client(open_server) as http:
        for form, message in (
            ({"seller_id": SELLER, "kind": "package", "params": "outcome=teleported"}, "outcome"),
            ({"seller_id": SELLER, "kind": "weather"}, "kind must be one of"),
            ({"seller_id": "NOBODY", "kind": "hold_shipment"}, "no seller"),
            ({"seller_id": SELLER, "kind": "speed", "params": "{not json"}, "JSON"),
        ):
            answer = http.post("/dashboard/scenarios", data=form, headers=same_site(open_server))
            assert answer.status_code == 400 and message in html.unescape(answer.text), form
        added = http.post(
            "/dashboard/scenarios",
            data={"seller_id": SELLER, "kind": "speed", "params": "multiplier=2"},
            headers=same_site(open_server),
        )
        assert added.status_code == 303
        listed = http.get("/admin/scenarios").json()["scenarios"]
        assert [(s["kind"], s["params"]) for s in listed] == [("speed", {"multiplier": 2})]
        removed = http.post(f"/dashboard/scenarios/{listed[0]['id']}/remove", headers=same_site(open_server))
        assert removed.status_code == 303
        assert http.get("/admin/scenarios").json()["scenarios"] == []
        assert http.post("/dashboard/scenarios/999/remove", headers=same_site(open_server)).status_code == 404


def test_the_overview_counts_calls_throttles_and_errors(open_server: Server) -> None:
    with client(open_server) as http:
        call(http, "GetServiceStatus")
        fault = {
            "seller_id": SELLER,
            "kind": "fault",
            "params": {"action": "GetServiceStatus", "code": "RequestThrottled"},
        }
        assert http.post("/admin/scenarios", json={**fault, "remaining": 1}).status_code == 201
        call(http, "GetServiceStatus")
        call(http, "GetFulfillmentOrder", {"SellerFulfillmentOrderId": "NO-SUCH"})
        page = http.get("/dashboard/").text
        metrics = http.get("/metrics").text
    rows = dict(re.findall(r"<tr><td>(\w+)</td>((?:<td class=\"num\">\d+</td>){3})</tr>", page))
    assert re.findall(r"\d+", rows["GetServiceStatus"]) == ["2", "1", "0"]
    assert 'outbound_throttled_requests_total{operation="GetServiceStatus",protocol="mws"} 1.0' in metrics
    assert re.findall(r"\d+", rows["GetFulfillmentOrder"]) == ["1", "0", "1"]
    assert "COMPLETE" in page and "RECEIVED" in page


@pytest.fixture
def real_server(db: Database, world: dashboard_world.World, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    monkeypatch.delenv("OUTBOUND_ADMIN_TOKEN", raising=False)
    yield from make_server(db)


def test_a_real_clock_is_not_moved_from_the_page(real_server: Server) -> None:
    with client(real_server) as http:
        answer = http.post("/dashboard/time/advance", data={"duration": "1d"}, headers=same_site(real_server))
    assert answer.status_code == 409
    assert "The service clock is real" in answer.text
