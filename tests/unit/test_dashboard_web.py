"""The dashboard's gate (token, session cookie, loopback) and its form parsing, without a server."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from outbound.web import auth
from outbound.web.pages import parse_params


def request(host: str, headers: dict[str, str] | None = None) -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    return Request({"type": "http", "method": "GET", "path": "/dashboard/", "headers": raw, "client": (host, 5000)})


@pytest.mark.parametrize(
    ("host", "allowed"), [("127.0.0.1", True), ("::1", True), ("10.1.2.3", False), ("203.0.113.9", False)]
)
def test_without_a_token_only_the_loopback_is_let_in(host: str, allowed: bool) -> None:
    assert auth.Gate(None).allowed(request(host)) is allowed


def test_with_a_token_even_the_loopback_needs_it() -> None:
    gate = auth.Gate("s3cret")
    assert not gate.allowed(request("127.0.0.1"))
    assert gate.allowed(request("10.1.2.3", {"authorization": "Bearer s3cret"}))
    assert not gate.allowed(request("10.1.2.3", {"authorization": "Bearer s3cret2"}))
    session = gate.session_value()
    assert gate.allowed(request("10.1.2.3", {"cookie": f"{auth.COOKIE}={session}"}))


def test_a_session_lapses_and_belongs_to_its_token() -> None:
    gate = auth.Gate("s3cret")
    value = gate.session_value(now=1_000_000)
    assert gate.valid_session(value, now=1_000_000 + auth.LIFETIME_SECONDS - 1)
    assert not gate.valid_session(value, now=1_000_000 + auth.LIFETIME_SECONDS + 1)
    assert not auth.Gate("another").valid_session(value, now=1_000_000)  # a new token ends every session
    assert not gate.valid_session("garbage") and not gate.valid_session(None)


@pytest.mark.parametrize(
    ("headers", "ok"),
    [
        ({}, True),
        ({"origin": "http://127.0.0.1:8000", "host": "127.0.0.1:8000"}, True),
        ({"origin": "https://evil.example", "host": "127.0.0.1:8000"}, False),
        ({"origin": "null", "host": "127.0.0.1:8000"}, False),
        ({"sec-fetch-site": "cross-site"}, False),
        ({"sec-fetch-site": "same-site"}, False),
        ({"sec-fetch-site": "same-origin", "origin": "http://h:1", "host": "h:1"}, True),
    ],
)
def test_forms_post_from_the_dashboard_only(headers: dict[str, str], ok: bool) -> None:
    assert auth.same_origin(request("127.0.0.1", headers)) is ok


def test_scenario_parameters_from_a_form() -> None:
    assert parse_params("") == {}
    assert parse_params("status=UNFULFILLABLE") == {"status": "UNFULFILLABLE"}
    assert parse_params("multiplier=2.5, action = GetFulfillmentOrder") == {
        "multiplier": 2.5,
        "action": "GetFulfillmentOrder",
    }
    assert parse_params("remaining=3") == {"remaining": 3}
    assert parse_params('{"condition": "Defective"}') == {"condition": "Defective"}
    for bad in ("nonsense", "[1, 2]", "{broken", "=x"):
        with pytest.raises(ValueError):
            parse_params(bad)
