"""SP-API's Notifications API v1 over real HTTP: destinations with grantless tokens, subscriptions with a seller's
token, by id with grantless ones, each refused with the other kind; then an order's notifications reaching the
subscribed queue with the application's id. Also the operator's admin API."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import jsonschema
import pytest

from outbound.service import simulation
from outbound.service.inventory import StockChange, set_inventory
from outbound.store import Database
from tests.helpers import SELLER, Server, serve_virtual
from tests.notify_helpers import Sqs, deliver_all, sqs_server, summary, validate  # noqa: F401
from tests.spapi import authorize, create_body, error, exchange, payload

BASE = "/notifications/v1"
FOS = "FULFILLMENT_ORDER_STATUS"


@pytest.fixture
def server(db: Database) -> Iterator[Server]:
    set_inventory(db, StockChange(SELLER, "BLUE-MUG-12OZ", 20, "BFI4"))
    yield from serve_virtual(db)


def grantless(server: Server, client_id: str, secret: str, scope: str = "sellingpartnerapi::notifications") -> str:
    answer = httpx.post(
        f"{server.url}/auth/o2/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret, "scope": scope},
    )
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


def call(server: Server, method: str, path: str, token: str | None, body: Any = None) -> httpx.Response:
    headers = {"x-amz-access-token": token} if token else {}
    return httpx.request(method, f"{server.url}{BASE}{path}", json=body, headers=headers)


def test_destinations_and_subscriptions_over_http(server: Server, sqs_server: Sqs) -> None:  # noqa: F811
    creds = authorize(server.ctx.db)
    app_token = grantless(server, creds.client_id, creds.client_secret)
    seller_token = exchange(server, creds)
    queue_url, arn = sqs_server.queue(f"api-{server.ctx.db.is_sqlite}")
    spec = {"name": "orders", "resourceSpecification": {"sqs": {"arn": arn}}}

    error(call(server, "POST", "/destinations", seller_token, spec), 403, "Unauthorized")
    error(call(server, "POST", "/destinations", None, spec), 403, "Unauthorized")
    elsewhere = grantless(server, creds.client_id, creds.client_secret, scope="sellingpartnerapi::migration")
    error(call(server, "POST", "/destinations", elsewhere, spec), 403, "Unauthorized")  # granted for another API
    error(call(server, "GET", "/destinations", elsewhere), 403, "Unauthorized")
    both = "sellingpartnerapi::migration sellingpartnerapi::notifications"
    assert call(server, "GET", "/destinations", grantless(server, creds.client_id, creds.client_secret, both)).json()
    error(call(server, "POST", "/destinations", app_token, {"name": "x"}), 400, "InvalidInput")
    bad = {"name": "x", "resourceSpecification": {"sqs": {"arn": "not-an-arn"}}}
    error(call(server, "POST", "/destinations", app_token, bad), 400, "InvalidInput")
    made = payload(call(server, "POST", "/destinations", app_token, spec))
    assert made["resource"] == {"sqs": {"arn": arn}} and made["name"] == "orders"
    destination_id = made["destinationId"]
    assert payload(call(server, "GET", "/destinations", app_token)) == [made]
    assert payload(call(server, "GET", f"/destinations/{destination_id}", app_token)) == made
    error(call(server, "GET", "/destinations/nope", app_token), 404, "NotFound")

    sub_body = {"payloadVersion": "1.0", "destinationId": destination_id}
    error(call(server, "POST", f"/subscriptions/{FOS}", app_token, sub_body), 403, "Unauthorized")
    error(call(server, "POST", "/subscriptions/ANY_OFFER_CHANGED", seller_token, sub_body), 400, "InvalidInput")
    sub = payload(call(server, "POST", f"/subscriptions/{FOS}", seller_token, sub_body))
    assert sub["destinationId"] == destination_id and sub["payloadVersion"] == "1.0"
    error(call(server, "POST", f"/subscriptions/{FOS}", seller_token, sub_body), 409, "Conflict")
    assert payload(call(server, "GET", f"/subscriptions/{FOS}", seller_token)) == sub
    error(call(server, "GET", f"/subscriptions/{FOS}/{sub['subscriptionId']}", seller_token), 403, "Unauthorized")
    assert payload(call(server, "GET", f"/subscriptions/{FOS}/{sub['subscriptionId']}", app_token)) == sub
    error(call(server, "GET", "/subscriptions/FBA_OUTBOUND_SHIPMENT_STATUS", seller_token), 404, "NotFound")
    error(call(server, "PUT", "/destinations", app_token), 405, "MethodNotAllowed")
    error(call(server, "GET", "/elsewhere", app_token), 404, "NotFound")

    # another application sees nothing of this one's
    other = authorize(server.ctx.db)
    other_token = grantless(server, other.client_id, other.client_secret)
    assert payload(call(server, "GET", "/destinations", other_token)) == []
    error(call(server, "GET", f"/subscriptions/{FOS}/{sub['subscriptionId']}", other_token), 404, "NotFound")

    # an order created over SP-API reaches the queue, with the application's id
    answer = httpx.post(
        f"{server.url}/fba/outbound/2020-07-01/fulfillmentOrders",
        json=create_body("SP-1"),
        headers={"x-amz-access-token": seller_token},
    )
    assert answer.status_code == 200, answer.text
    simulation.advance(server.ctx.db, timedelta(days=5))
    deliver_all(server.ctx.db, sqs_server)
    queued = sqs_server.drain(queue_url)
    for n in queued:
        validate(n)
        assert n["NotificationMetadata"]["ApplicationId"] == creds.client_id
        assert n["NotificationMetadata"]["SubscriptionId"] == sub["subscriptionId"]
    assert [summary(n)[2] for n in queued] == ["RECEIVED", "PLANNING", "PENDING", "PROCESSING", "SHIPPED", "COMPLETE"]

    assert call(server, "DELETE", f"/subscriptions/{FOS}/{sub['subscriptionId']}", app_token).json() == {}
    error(call(server, "GET", f"/subscriptions/{FOS}", seller_token), 404, "NotFound")
    assert call(server, "DELETE", f"/destinations/{destination_id}", app_token).json() == {}
    assert payload(call(server, "GET", "/destinations", app_token)) == []


def test_admin_api_subscribes_lists_logs_and_unsubscribes(server: Server) -> None:
    with httpx.Client(base_url=server.url) as http:
        components = http.get("/admin/openapi.json").json()["components"]

        def conforms(answer: httpx.Response, name: str) -> None:
            schema = {"$ref": f"#/components/schemas/{name}", "components": components}
            jsonschema.validate(answer.json(), schema, format_checker=jsonschema.FormatChecker())

        bad = http.post("/admin/notifications/subscriptions", json={"sellerId": SELLER, "notificationType": FOS})
        assert bad.status_code == 400 and bad.json()["error"]["code"] == "InvalidInput"
        assert "sqs" in bad.json()["error"]["message"] and "webhook" in bad.json()["error"]["message"]
        bad = http.post(
            "/admin/notifications/subscriptions",
            json={"sellerId": SELLER, "notificationType": FOS, "webhook": "ftp://nowhere"},
        )
        assert bad.status_code == 400 and bad.json()["error"]["field"] == "destination"
        bad = http.post(
            "/admin/notifications/subscriptions",
            json={"sellerId": "A1NOBODY", "notificationType": FOS, "sqs": "arn:aws:sqs:us-east-1:1:q"},
        )
        assert bad.status_code == 404 and bad.json()["error"]["code"] == "NotFound"
        bad = http.get("/admin/notifications/deliveries", params={"state": "lost"})
        assert bad.status_code == 400 and "state" in bad.json()["error"]["message"]
        made = http.post(
            "/admin/notifications/subscriptions",
            json={"sellerId": SELLER, "notificationType": FOS, "webhook": "http://127.0.0.1:9/x", "secret": "s"},
        )
        assert made.status_code == 201, made.text
        conforms(made, "Subscription")
        sub_id = made.json()["subscriptionId"]
        listed = http.get("/admin/notifications/subscriptions")
        conforms(listed, "SubscriptionList")
        assert [s["subscriptionId"] for s in listed.json()["subscriptions"]] == [sub_id]
        answer = httpx.post(
            f"{server.url}/fba/outbound/2020-07-01/fulfillmentOrders",
            json=create_body("SP-2"),
            headers={"x-amz-access-token": exchange(server, authorize(server.ctx.db))},
        )
        assert answer.status_code == 200
        logged = http.get("/admin/notifications/deliveries", params={"sellerId": SELLER})
        conforms(logged, "DeliveryList")
        log = logged.json()["deliveries"]
        assert [(e["eventType"], e["orderStatus"], e["state"]) for e in log] == [("Order", "RECEIVED", "pending")]
        assert http.get("/admin/notifications/outbox").json() == {"outbox": {"pending": 1}}
        assert http.delete(f"/admin/notifications/subscriptions/{sub_id}").status_code == 204
        gone = http.delete(f"/admin/notifications/subscriptions/{sub_id}")
        assert gone.status_code == 404 and gone.json()["error"] == {
            "code": "NotFound",
            "message": f"Subscription {sub_id} not found.",
        }
        assert http.get("/admin/notifications/outbox").json() == {"outbox": {"dropped": 1}}


def test_cli_subscribes_lists_and_unsubscribes(db: Database) -> None:
    from click.testing import CliRunner

    from outbound.cli import main

    cli = CliRunner()
    url = ["--db", db.url]
    done = cli.invoke(main, ["notifications", "subscribe", SELLER, FOS, "--sqs", "arn:aws:sqs:us-east-1:1:q", *url])
    assert done.exit_code == 0, done.output
    sub_id = re.search(r"subscription ([0-9a-f-]{36}):", done.output).group(1)  # type: ignore[union-attr]
    refused = cli.invoke(main, ["notifications", "subscribe", SELLER, FOS, "--webhook", "nope", *url])
    assert refused.exit_code == 1 and "invalid destination" in refused.output and "Traceback" not in refused.output
    both = cli.invoke(main, ["notifications", "subscribe", SELLER, FOS, *url])
    assert both.exit_code == 2
    listed = cli.invoke(main, ["notifications", "list", SELLER, *url], env={"COLUMNS": "250"})
    assert listed.exit_code == 0 and sub_id in listed.output
    assert cli.invoke(main, ["notifications", "unsubscribe", sub_id, *url]).exit_code == 0
    again = cli.invoke(main, ["notifications", "unsubscribe", sub_id, *url])
    assert again.exit_code == 1 and "not found" in again.output
