"""LWA tokens over real HTTP: the token endpoint's parameter sources and OAuth errors, and how calls treat missing,
invalid, revoked, expired and grantless tokens (403 ``Unauthorized`` with the details clients match on)."""

from __future__ import annotations

import base64
import re
import time

import httpx
import pytest

from outbound.service import lwa
from tests.helpers import SELLER, Server
from tests.spapi import Credentials, authorize, call, error, exchange, payload


@pytest.fixture
def server(shared_server: Server) -> Server:
    return shared_server


@pytest.fixture
def creds(server: Server) -> Credentials:
    return authorize(server.ctx.db)


def _form(creds: Credentials) -> dict[str, str]:
    return {
        "grant_type": "refresh_token",
        "refresh_token": creds.refresh_token,
        "client_id": creds.client_id,
        "client_secret": creds.client_secret,
    }


def _works(server: Server, token: str) -> None:
    payload(call(server, "GET", "/fulfillmentOrders", token))


def test_form_body(server: Server, creds: Credentials) -> None:
    answer = httpx.post(f"{server.url}/auth/o2/token", data=_form(creds))
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json;charset=UTF-8"
    assert answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    assert body["refresh_token"] == creds.refresh_token
    assert body["access_token"].startswith("Atza|") and len(body["access_token"]) >= 48
    _works(server, body["access_token"])


def test_json_body(server: Server, creds: Credentials) -> None:
    answer = httpx.post(f"{server.url}/auth/o2/token", json=_form(creds))
    assert answer.status_code == 200
    _works(server, answer.json()["access_token"])


def test_json_without_content_type(server: Server, creds: Credentials) -> None:
    import json

    answer = httpx.post(f"{server.url}/auth/o2/token", content=json.dumps(_form(creds)).encode())
    assert answer.status_code == 200


def test_query_string(server: Server, creds: Credentials) -> None:
    answer = httpx.post(f"{server.url}/auth/o2/token", params=_form(creds))
    assert answer.status_code == 200
    _works(server, answer.json()["access_token"])


def test_basic_credentials(server: Server, creds: Credentials) -> None:
    basic = base64.b64encode(f"{creds.client_id}:{creds.client_secret}".encode()).decode()
    form = {"grant_type": "refresh_token", "refresh_token": creds.refresh_token}
    answer = httpx.post(f"{server.url}/auth/o2/token", data=form, headers={"Authorization": f"Basic {basic}"})
    assert answer.status_code == 200
    _works(server, answer.json()["access_token"])


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"grant_type": None}, 400, "invalid_request"),
        ({"refresh_token": None}, 400, "invalid_request"),
        ({"client_secret": None}, 400, "invalid_request"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"client_id": "amzn1.application-oa2-client.nobody"}, 401, "invalid_client"),
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"refresh_token": "Atzr|unknown"}, 400, "invalid_grant"),
    ],
)
def test_oauth_errors(
    server: Server, creds: Credentials, change: dict[str, str | None], status: int, code: str
) -> None:
    form = {k: v for k, v in {**_form(creds), **change}.items() if v is not None}
    answer = httpx.post(f"{server.url}/auth/o2/token", data=form)
    assert answer.status_code == status
    assert answer.json()["error"] == code
    assert answer.json()["error_description"]


def test_another_clients_refresh_token_is_invalid_grant(server: Server, creds: Credentials) -> None:
    other = authorize(server.ctx.db)
    form = {**_form(creds), "refresh_token": other.refresh_token}
    assert httpx.post(f"{server.url}/auth/o2/token", data=form).json()["error"] == "invalid_grant"


def test_unreadable_body_and_other_methods(server: Server) -> None:
    answer = httpx.post(
        f"{server.url}/auth/o2/token", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert (answer.status_code, answer.json()["error"]) == (400, "invalid_request")
    answer = httpx.get(f"{server.url}/auth/o2/token")
    assert answer.status_code == 405 and answer.headers["allow"] == "POST"


def test_client_credentials_grant_is_refused_by_the_operations(server: Server, creds: Credentials) -> None:
    form = {
        "grant_type": "client_credentials",
        "client_id": creds.client_id,
        "client_secret": creds.client_secret,
        "scope": "sellingpartnerapi::notifications",
    }
    answer = httpx.post(f"{server.url}/auth/o2/token", data=form)
    assert answer.status_code == 200
    assert "refresh_token" not in answer.json()
    refused = error(call(server, "GET", "/fulfillmentOrders", answer.json()["access_token"]), 403, "Unauthorized")
    assert refused["details"] == "The access token you provided is not authorized for this operation."
    bad_scope = httpx.post(f"{server.url}/auth/o2/token", data={**form, "scope": "profile"})
    assert (bad_scope.status_code, bad_scope.json()["error"]) == (400, "invalid_scope")


@pytest.mark.parametrize(
    ("token", "details"),
    [
        (None, "The access token is missing."),
        ("", "The access token is missing."),
        ("Atza|not-a-token", "The access token you provided is revoked, malformed or invalid."),
    ],
)
def test_missing_and_invalid_tokens(server: Server, token: str | None, details: str) -> None:
    refused = error(call(server, "GET", "/fulfillmentOrders", token), 403, "Unauthorized")
    assert refused["message"] == "Access to requested resource is denied."
    assert refused["details"] == details
    assert not re.search(r"access token.*expired", refused["details"])


def test_revoked_refresh_token_ends_its_access_tokens(server: Server, creds: Credentials) -> None:
    token = exchange(server, creds)
    _works(server, token)
    assert lwa.revoke(server.ctx.db, SELLER, refresh_token=creds.refresh_token) == 1
    refused = error(call(server, "GET", "/fulfillmentOrders", token), 403, "Unauthorized")
    assert refused["details"] == "The access token you provided is revoked, malformed or invalid."
    answer = httpx.post(f"{server.url}/auth/o2/token", data=_form(creds))
    assert answer.json()["error"] == "invalid_grant"


def test_removed_application_ends_its_tokens(server: Server, creds: Credentials) -> None:
    token = exchange(server, creds)
    assert lwa.remove_app(server.ctx.db, creds.client_id)
    error(call(server, "GET", "/fulfillmentOrders", token), 403, "Unauthorized")


def test_expired_token_then_a_new_exchange_works(server: Server, creds: Credentials) -> None:
    settings = server.ctx.settings
    object.__setattr__(settings, "lwa_token_ttl", 1)
    try:
        answer = httpx.post(f"{server.url}/auth/o2/token", data=_form(creds))
        assert answer.json()["expires_in"] == 1
        token = answer.json()["access_token"]
        _works(server, token)
        time.sleep(1.2)
        refused = error(call(server, "GET", "/fulfillmentOrders", token), 403, "Unauthorized")
        assert re.search(r"access token.*expired", refused["details"])
    finally:
        object.__setattr__(settings, "lwa_token_ttl", 3600)
    _works(server, exchange(server, creds))


def test_sigv4_headers_are_ignored_and_header_name_case_does_not_matter(server: Server, creds: Credentials) -> None:
    token = exchange(server, creds)
    headers = {
        "Authorization": "AWS4-HMAC-SHA256 Credential=AKIA/20261207/us-east-1/execute-api/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=deadbeef",
        "x-amz-security-token": "whatever",
        "x-amz-date": "20261207T000000Z",
        "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
        "X-Amz-Access-Token": token,
    }
    payload(call(server, "GET", "/fulfillmentOrders", None, headers=headers))


def test_a_token_acts_only_for_its_seller(server: Server, creds: Credentials) -> None:
    from outbound.service.accounts import add_seller

    add_seller(server.ctx.db, "A3OTHERSELLER", "AKIAOTHER", "secret-other")
    other = exchange(server, authorize(server.ctx.db, "A3OTHERSELLER"))
    mine = exchange(server, creds)
    from outbound.service.inventory import StockChange, set_inventory
    from tests.spapi import create_body

    set_inventory(server.ctx.db, StockChange(SELLER, "BLUE-MUG-12OZ", 10, "BFI4"))
    assert call(server, "POST", "/fulfillmentOrders", mine, create_body("MINE-1")).status_code == 200
    error(call(server, "GET", "/fulfillmentOrders/MINE-1", other), 404, "NotFound")
    assert payload(call(server, "GET", "/fulfillmentOrders", other))["fulfillmentOrders"] == []
