"""Helpers for the SP-API tests: an LWA application authorized for the example seller, tokens, and calls."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from outbound.service import lwa
from outbound.store import Database
from tests.helpers import SELLER, Server

BASE = "/fba/outbound/2020-07-01"
US = "ATVPDKIKX0DER"
JP = "A1VC38T7YXB528"


@dataclass(frozen=True)
class Credentials:
    client_id: str
    client_secret: str
    refresh_token: str


def authorize(db: Database, seller: str = SELLER) -> Credentials:
    app = lwa.add_app(db)
    assert app.client_secret is not None
    granted = lwa.authorize(db, seller, app.client_id)
    return Credentials(app.client_id, app.client_secret, granted.refresh_token)


def exchange(server: Server, creds: Credentials) -> str:
    answer = httpx.post(
        f"{server.url}/auth/o2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": creds.refresh_token,
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
        },
    )
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


def token_for(server: Server, seller: str = SELLER) -> str:
    return exchange(server, authorize(server.ctx.db, seller))


def call(
    server: Server,
    method: str,
    path: str,
    token: str | None,
    body: Any = None,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    sent = dict(headers or {})
    if token is not None:
        sent["x-amz-access-token"] = token
    return httpx.request(method, f"{server.url}{BASE}{path}", json=body, params=params, headers=sent)


def payload(answer: httpx.Response) -> Any:
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert "errors" not in data
    return data.get("payload")


def error(answer: httpx.Response, status: int, code: str) -> dict[str, str]:
    assert answer.status_code == status, answer.text
    data = answer.json()
    assert set(data) == {"errors"}, data
    first: dict[str, str] = data["errors"][0]
    assert first["code"] == code, data
    assert "details" in first
    return first


JANE = {
    "name": "Jane Doe",
    "addressLine1": "1200 12th Ave S",
    "addressLine2": "Suite 300",
    "city": "Seattle",
    "stateOrRegion": "WA",
    "countryCode": "US",
    "postalCode": "98144",
    "phone": "206-555-0142",
}


def create_body(order_id: str, sku: str = "BLUE-MUG-12OZ", quantity: int = 2, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "marketplaceId": US,
        "sellerFulfillmentOrderId": order_id,
        "displayableOrderId": "WEB-48213",
        "displayableOrderDate": "2026-11-23T15:58:40Z",
        "displayableOrderComment": "Thank you for shopping at Blue Kettle Tea Co.",
        "shippingSpeedCategory": "Standard",
        "destinationAddress": dict(JANE),
        "fulfillmentAction": "Ship",
        "fulfillmentPolicy": "FillOrKill",
        "notificationEmails": ["jane.doe@example.com"],
        "items": [
            {
                "sellerSku": sku,
                "sellerFulfillmentOrderItemId": f"{order_id}-1",
                "quantity": quantity,
                "giftMessage": "Happy birthday, Sam!",
                "displayableComment": "Gift wrap",
            }
        ],
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}
