"""The admin API over real HTTP, on SQLite and PostgreSQL: who may call, each resource, the one error shape, and a
document that lists every route."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from starlette.routing import Route

from outbound.app import create_app
from outbound.client import AdminClient, CreateItem, OutboundClient
from outbound.client.admin import AdminError
from outbound.store import Database
from tests.helpers import (
    ACCESS_KEY,
    JANE_PLAIN,
    SELLER,
    T0,
    Server,
    serve_virtual,
    start_clock,
    stock,
    virtual_context,
)


@pytest.fixture
def server(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    monkeypatch.delenv("OUTBOUND_ADMIN_TOKEN", raising=False)
    start_clock(db)
    yield from serve_virtual(db)


@pytest.fixture
def http(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def refused(answer: httpx.Response, status: int, code: str, *words: str) -> None:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"error"} and body["error"]["code"] == code, body
    for word in words:
        assert word in body["error"]["message"], body


# ------------------------------------------------------------------------------------------------ who may call


def test_a_token_is_required_when_one_is_set(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OUTBOUND_ADMIN_TOKEN", "s3cret")
    start_clock(db)
    for running in serve_virtual(db):
        with httpx.Client(base_url=running.url) as http:
            for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret"}):
                answer = http.get("/admin/sellers", headers=headers)
                refused(answer, 401, "Unauthorized", "OUTBOUND_ADMIN_TOKEN")
                assert answer.headers["www-authenticate"] == "Bearer"
            refused(http.get("/admin/nowhere"), 401, "Unauthorized")  # unknown paths are guarded too
            ok = http.get("/admin/sellers", headers={"Authorization": "Bearer s3cret"})
            assert ok.status_code == 200 and ok.json()["sellers"][0]["seller_id"] == SELLER
            assert http.get("/admin/openapi.json").status_code == 200  # the document is public
        assert AdminClient(running.url, token="s3cret").clock().now == T0


def _asgi_get(app: Any, path: str, client: tuple[str, int], headers: dict[str, str] | None = None) -> tuple[int, Any]:
    """One request straight to the ASGI app with the given client address (no traffic leaves the process)."""
    import asyncio
    import json

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
        "client": client,
        "server": ("127.0.0.1", 8000),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], json.loads(body)


def test_without_a_token_only_loopback_clients_are_answered(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OUTBOUND_ADMIN_TOKEN", raising=False)
    start_clock(db)
    app = create_app(ctx=virtual_context(db))
    status, body = _asgi_get(app, "/admin/clock", ("10.0.0.5", 51000))
    assert status == 403 and body["error"]["code"] == "Forbidden"
    assert "loopback" in body["error"]["message"] and "OUTBOUND_ADMIN_TOKEN" in body["error"]["message"]
    assert _asgi_get(app, "/admin/nowhere", ("10.0.0.5", 51000))[0] == 403
    for loopback in ("127.0.0.1", "127.8.9.10", "::1"):
        assert _asgi_get(app, "/admin/clock", (loopback, 51000))[0] == 200
    monkeypatch.setenv("OUTBOUND_ADMIN_TOKEN", "s3cret")
    guarded = create_app(ctx=virtual_context(db))
    assert _asgi_get(guarded, "/admin/clock", ("10.0.0.5", 51000), {"Authorization": "Bearer s3cret"})[0] == 200
    assert _asgi_get(guarded, "/admin/clock", ("127.0.0.1", 51000))[0] == 401


def test_the_serve_banner_says_who_is_answered(monkeypatch: pytest.MonkeyPatch) -> None:
    from outbound.serving import admin_access

    monkeypatch.delenv("OUTBOUND_ADMIN_TOKEN", raising=False)
    assert "loopback clients only" in admin_access()
    monkeypatch.setenv("OUTBOUND_ADMIN_TOKEN", "s3cret")
    assert "bearer token required" in admin_access()


# ------------------------------------------------------------------------------------------------ the document


def test_the_document_lists_every_admin_route(server: Server, http: httpx.Client) -> None:
    document = http.get("/admin/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    documented = {(path, method.upper()) for path, ops in document["paths"].items() for method in ops}
    app = create_app(ctx=server.ctx)
    served: set[tuple[str, str]] = set()
    for route in app.routes:
        if isinstance(route, Route) and route.path.startswith("/admin/") and "{rest" not in route.path:
            template = route.path.replace(":int", "").replace(":path", "")
            served |= {(template, method) for method in route.app.ops}  # type: ignore[attr-defined]
    assert documented == served
    assert len(served) == 35  # the document itself included
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            assert op["responses"], (path, method)
            named = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert named == set(part[1:-1] for part in path.split("/") if part.startswith("{")), (path, method)


def test_errors_share_one_shape(http: httpx.Client) -> None:
    refused(http.get("/admin/nowhere"), 404, "NotFound", "/admin/openapi.json")
    answer = http.patch("/admin/clock")
    refused(answer, 405, "MethodNotAllowed")
    assert answer.headers["allow"] == "GET"
    refused(http.post("/admin/clock/advance", content=b"{not json"), 400, "InvalidInput", "not valid JSON")
    refused(http.post("/admin/clock/advance", json=[1]), 400, "InvalidInput", "must be an object")
    refused(http.post("/admin/clock/advance", json={"duration": "1h", "extra": 1}), 400, "InvalidInput", "extra")
    refused(http.post("/admin/service-status", json={"status": "PURPLE"}), 400, "InvalidInput", "GREEN")
    refused(http.delete("/admin/scenarios/999"), 404, "NotFound", "999")
    refused(http.delete("/admin/lwa-apps/nobody"), 404, "NotFound")


# ------------------------------------------------------------------------------------------------ resources


def test_sellers_and_keys(http: httpx.Client, server: Server) -> None:
    made = http.post("/admin/sellers", json={"seller_id": "A3NEWSELLER", "marketplaces": ["A1F83G8C2ARO7P"]})
    assert made.status_code == 201
    assert made.json()["default_marketplace_id"] == "A1F83G8C2ARO7P" and made.json()["keys"] == []
    again = http.post("/admin/sellers", json={"seller_id": "A3NEWSELLER", "marketplaces": ["A1PA6795UKMFR9"]})
    assert again.status_code == 200 and again.json()["marketplaces"] == ["A1F83G8C2ARO7P", "A1PA6795UKMFR9"]
    refused(http.post("/admin/sellers", json={"seller_id": "X", "marketplaces": ["NOPE"]}), 400, "InvalidInput")
    refused(http.post("/admin/sellers", json={"seller_id": "has space"}), 400, "InvalidInput", "seller_id")
    key = http.post("/admin/sellers/A3NEWSELLER/keys", json={})
    assert key.status_code == 201
    issued = key.json()
    assert issued["access_key"].startswith("AKIA") and len(issued["secret_key"]) == 40
    listed = http.get("/admin/sellers").json()["sellers"]
    assert [s["seller_id"] for s in listed] == ["A2NKEXAMPLEF53", "A3NEWSELLER"]
    assert "secret" not in str(listed) and issued["secret_key"] not in http.get("/admin/sellers/A3NEWSELLER").text
    assert http.get("/admin/sellers/A3NEWSELLER/keys").json()["keys"] == [
        {"access_key": issued["access_key"], "auth_token_required": False}
    ]
    with OutboundClient(server.url, issued["access_key"], issued["secret_key"], "A3NEWSELLER") as mws:
        assert mws.get_service_status().status == "GREEN"
    rotated = http.post(f"/admin/sellers/A3NEWSELLER/keys/{issued['access_key']}/rotate").json()
    assert rotated["access_key"] == issued["access_key"] and rotated["secret_key"] != issued["secret_key"]
    with OutboundClient(server.url, issued["access_key"], rotated["secret_key"], "A3NEWSELLER") as mws:
        assert mws.get_service_status().status == "GREEN"
    stale = OutboundClient(server.url, issued["access_key"], issued["secret_key"], "A3NEWSELLER")
    with stale, pytest.raises(Exception, match="SignatureDoesNotMatch"):
        stale.get_service_status()
    assert http.delete(f"/admin/sellers/A3NEWSELLER/keys/{issued['access_key']}").json() == {"removed": True}
    refused(http.delete(f"/admin/sellers/A3NEWSELLER/keys/{issued['access_key']}"), 404, "NotFound")
    refused(http.post(f"/admin/sellers/A3NEWSELLER/keys/{ACCESS_KEY}/rotate"), 404, "NotFound", ACCESS_KEY)
    refused(http.get("/admin/sellers/NOBODY"), 404, "NotFound", "unknown seller NOBODY")
    refused(http.post("/admin/sellers/NOBODY/keys"), 404, "NotFound", "unknown seller NOBODY")
    given = http.post("/admin/sellers/A3NEWSELLER/keys", json={"access_key": "AKGIVEN", "secret_key": "s/1+2"})
    assert given.json() == {"access_key": "AKGIVEN", "secret_key": "s/1+2", "auth_token_required": False}


def test_inventory(http: httpx.Client) -> None:
    answer = http.put(f"/admin/sellers/{SELLER}/inventory/TEA-1", json={"quantity": 7, "fc": "BFI4", "weight_lb": 0.6})
    assert answer.status_code == 200
    assert answer.json()["skus"] == [
        {"sku": "TEA-1", "sellable": 7, "reserved": 0, "centers": [{"fc": "BFI4", "sellable": 7, "reserved": 0}]}
    ]
    refused(
        http.put(f"/admin/sellers/{SELLER}/inventory/TEA-1", json={"quantity": -5}), 400, "InvalidInput", "quantity"
    )
    refused(
        http.put(f"/admin/sellers/{SELLER}/inventory/TEA-1", json={"quantity": 1, "fc": "XXX9"}),
        400,
        "InvalidInput",
        "XXX9",
    )
    refused(http.put("/admin/sellers/NOBODY/inventory/TEA-1", json={"quantity": 1}), 404, "NotFound")
    csv = f"seller_id,sku,quantity,fc\n{SELLER},TEA-2,4,BFI4\n{SELLER},TEA-3,6,ONT8\n"
    imported = http.post("/admin/inventory/import", content=csv, headers={"content-type": "text/csv"})
    assert imported.json() == {"rows": 2, "sellers": 1, "skus": 2, "units": 10}
    bad = f"seller_id,sku,quantity,fc\n{SELLER},TEA-4,4,BFI4\n{SELLER},TEA-5,many,BFI4\n"
    refused(http.post("/admin/inventory/import", content=bad), 400, "InvalidInput", "line:3, column quantity")
    shown = http.get(f"/admin/sellers/{SELLER}/inventory").json()
    assert [s["sku"] for s in shown["skus"]] == ["TEA-1", "TEA-2", "TEA-3"]  # nothing of the bad file
    assert [
        s["sku"] for s in http.get(f"/admin/sellers/{SELLER}/inventory", params={"sku": "TEA-3"}).json()["skus"]
    ] == ["TEA-3"]
    refused(http.get("/admin/sellers/NOBODY/inventory"), 404, "NotFound")


def place(server: Server, order_id: str, quantity: int = 1) -> None:
    from tests.helpers import sdk_for

    with sdk_for(server) as sdk:
        sdk.create_fulfillment_order(order_id, JANE_PLAIN, [CreateItem("MUG", f"{order_id}-1", quantity)])


def test_orders_search_pages_and_detail(http: httpx.Client, server: Server) -> None:
    stock(server.ctx.db, "MUG", 50)
    for n in range(5):
        place(server, f"ORD-{n}")
        AdminClient(server.url).advance("1m")
    admin = AdminClient(server.url)
    admin.add_scenario(SELLER, "package", {"outcome": "delivered"}, order_id="ORD-0")
    admin.advance("3d")
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"seller_id": SELLER, "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = http.get("/admin/orders", params=params).json()
        seen += [o["order_id"] for o in page["orders"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == [f"ORD-{n}" for n in reversed(range(5))]
    assert http.get("/admin/orders", params={"status": "RECEIVED"}).json()["orders"] == []
    complete = http.get("/admin/orders", params={"status": "COMPLETE", "sku": "MUG"}).json()["orders"]
    assert len(complete) == 5
    day = T0.date().isoformat()
    assert len(http.get("/admin/orders", params={"from": day, "to": day}).json()["orders"]) == 5
    later = (T0 + timedelta(days=1)).date().isoformat()
    assert http.get("/admin/orders", params={"from": later}).json()["orders"] == []
    assert http.get("/admin/orders", params={"sku": "OTHER"}).json()["orders"] == []
    refused(http.get("/admin/orders", params={"status": "DONE"}), 400, "InvalidInput", "status")
    refused(http.get("/admin/orders", params={"from": "yesterday"}), 400, "InvalidInput", "from")
    refused(http.get("/admin/orders", params={"cursor": "garbage"}), 400, "InvalidInput", "first page")
    refused(http.get("/admin/orders", params={"limit": "0"}), 400, "InvalidInput", "limit")
    order = http.get(f"/admin/sellers/{SELLER}/orders/ORD-0").json()
    assert order["status"] == "COMPLETE" and order["items"][0]["sku"] == "MUG"
    [shipment] = order["shipments"]
    [package] = shipment["packages"]
    assert shipment["status"] == "SHIPPED" and package["tracking_number"]
    events = package["tracking"]["events"]
    assert events and [e["at"] for e in events] == sorted(e["at"] for e in events)
    assert order["returns"] == [] and order["return_authorizations"] == []
    refused(http.get(f"/admin/sellers/{SELLER}/orders/NOPE"), 404, "NotFound", "no order NOPE")
    refused(http.get("/admin/sellers/NOBODY/orders/ORD-0"), 404, "NotFound", "unknown seller")


def test_clock_scenarios_and_status(http: httpx.Client, server: Server) -> None:
    assert http.get("/admin/clock").json()["mode"] == "virtual"
    assert (
        http.post("/admin/clock/advance", json={"duration": "90m"})
        .json()["now"]
        .startswith((T0 + timedelta(minutes=90)).isoformat()[:16])
    )
    refused(http.post("/admin/clock/advance", json={"duration": "soon"}), 400, "InvalidInput", "duration")
    refused(http.post("/admin/clock/set", json={"to": T0.isoformat()}), 400, "InvalidInput", "only moves forward")
    refused(http.post("/admin/clock/advance", json={"duration": "100000w"}), 400, "InvalidInput")
    stock(server.ctx.db, "MUG", 5)
    place(server, "SC-1")
    cases = [
        ({"seller_id": "NOBODY", "kind": "hold_shipment"}, 404, "unknown seller NOBODY"),
        ({"seller_id": SELLER, "kind": "hold_shipment", "order_id": "NOPE"}, 404, "no order NOPE"),
        ({"seller_id": SELLER, "kind": "weather"}, 400, "kind must be one of"),
        (
            {"seller_id": SELLER, "kind": "fault", "params": {"action": "Nope", "code": "X"}},
            400,
            "unknown fault action",
        ),
        ({"seller_id": SELLER, "kind": "package", "params": {"outcme": "lost"}}, 400, "does not take 'outcme'"),
        ({"seller_id": SELLER, "kind": "speed", "params": {"multiplier": -1}}, 400, "positive multiplier"),
    ]
    for body, status, words in cases:
        refused(
            http.post("/admin/scenarios", json=body), status, "NotFound" if status == 404 else "InvalidInput", words
        )
    forced = http.post(
        "/admin/scenarios",
        json={"seller_id": SELLER, "kind": "force_status", "params": {"status": "UNFULFILLABLE"}, "order_id": "SC-1"},
    )
    assert forced.status_code == 201
    http.post("/admin/clock/advance", json={"duration": "1s"})
    again = {"seller_id": SELLER, "kind": "force_status", "params": {"status": "INVALID"}, "order_id": "SC-1"}
    refused(http.post("/admin/scenarios", json=again), 400, "InvalidInput", "already UNFULFILLABLE")
    listed = http.get("/admin/scenarios", params={"seller_id": SELLER}).json()["scenarios"]
    assert [s["kind"] for s in listed] == ["force_status"]
    assert http.delete(f"/admin/scenarios/{listed[0]['id']}").json() == {"removed": True}
    assert http.get("/admin/service-status").json() == {"status": "GREEN", "message": None}
    set_to = http.post("/admin/service-status", json={"status": "YELLOW", "message": "slow"}).json()
    assert set_to == {"status": "YELLOW", "message": "slow"} == http.get("/admin/service-status").json()


def test_sp_api_credentials_and_features(http: httpx.Client, server: Server) -> None:
    app = http.post("/admin/lwa-apps", json={"name": "mine"})
    assert app.status_code == 201
    client_id = app.json()["clientId"]
    assert [a["clientId"] for a in http.get("/admin/lwa-apps").json()["apps"]] == [client_id]
    assert "clientSecret" not in http.get(f"/admin/lwa-apps/{client_id}").json()
    granted = http.post(f"/admin/sellers/{SELLER}/lwa-authorizations", json={"clientId": client_id})
    assert granted.status_code == 201 and granted.json()["refreshToken"].startswith("Atzr|")
    refused(http.post("/admin/sellers/NOBODY/lwa-authorizations", json={"clientId": client_id}), 404, "NotFound")
    refused(http.post(f"/admin/sellers/{SELLER}/lwa-authorizations", json={"clientId": "nobody"}), 404, "NotFound")
    found = http.get(f"/admin/sellers/{SELLER}/credentials").json()
    assert found["mwsKeys"] == [{"accessKey": ACCESS_KEY, "authTokenRequired": False}]
    assert found["lwaAuthorizations"][0]["refreshToken"].startswith("…")
    revoke = f"/admin/sellers/{SELLER}/lwa-authorizations/{granted.json()['id']}"
    assert http.delete(revoke).json() == {"revoked": True}
    refused(http.delete(revoke), 404, "NotFound")
    assert http.delete(f"/admin/lwa-apps/{client_id}").json() == {"removed": True}
    refused(http.get(f"/admin/lwa-apps/{client_id}"), 404, "NotFound")
    enrolled = http.put(f"/admin/sellers/{SELLER}/features/ATVPDKIKX0DER", json={"features": {"BLOCK_AMZL": False}})
    assert {"featureName": "BLOCK_AMZL", "sellerEligible": False} in enrolled.json()["features"]
    answer = http.put(f"/admin/sellers/{SELLER}/features/ATVPDKIKX0DER", json={"features": {"OVERBOX": True}})
    refused(answer, 400, "InvalidInput", "OVERBOX")
    assert answer.json()["error"]["field"] == "featureName"
    stock(server.ctx.db, "MUG", 1)
    sku = http.put(f"/admin/sellers/{SELLER}/skus/MUG/features/BLANK_BOX", json={"eligible": False})
    assert sku.json() == {"sellerId": SELLER, "sellerSku": "MUG", "featureName": "BLANK_BOX", "eligible": False}
    refused(
        http.put(f"/admin/sellers/{SELLER}/skus/NONE/features/BLANK_BOX", json={"eligible": False}), 400, "InvalidInput"
    )


def test_the_python_client_reads_the_error_shape(server: Server) -> None:
    admin = AdminClient(server.url)
    with pytest.raises(AdminError) as err:
        admin.add_scenario("NOBODY", "hold_shipment")
    assert (err.value.status, err.value.code) == (404, "NotFound") and "unknown seller NOBODY" in err.value.message
    assert admin.remove_scenario(12345) is False
