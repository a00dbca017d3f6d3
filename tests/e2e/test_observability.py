"""``/metrics`` after real traffic, access log lines, ``/health`` and the serve banner naming the store."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from outbound.client import OutboundClient
from outbound.config import Settings
from outbound.context import Context
from outbound.mws import throttle as throttling
from outbound.service import runtime
from outbound.sim.clock import RealClock
from outbound.store import Database
from tests.helpers import ACCESS_KEY, CALLER, SECRET_KEY, SELLER, Server, call, free_port, line, order_request, stock
from tests.spapi import call as sp_call
from tests.spapi import token_for

ENV = {k: v for k, v in os.environ.items() if not k.startswith("OUTBOUND_")}
CLI = [sys.executable, "-m", "outbound"]


def samples(base: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    text = httpx.get(f"{base}/metrics").text
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


def test_metrics_count_requests_errors_and_latency(server: Server) -> None:
    before = samples(server.url)
    with httpx.Client(base_url=server.url) as http:
        for _ in range(3):
            assert call(http).status_code == 200
        assert call(http, secret="wrong").status_code == 403
    after = samples(server.url)
    mws_ok = {"protocol": "mws", "operation": "GetServiceStatus", "error_code": "none"}
    mws_bad = mws_ok | {"error_code": "SignatureDoesNotMatch"}
    assert value(after, "outbound_requests_total", **mws_ok) - value(before, "outbound_requests_total", **mws_ok) == 3
    assert value(after, "outbound_requests_total", **mws_bad) - value(before, "outbound_requests_total", **mws_bad) == 1
    timed = {"protocol": "mws", "operation": "GetServiceStatus"}
    count = "outbound_request_duration_seconds_count"
    assert value(after, count, **timed) - value(before, count, **timed) == 4
    assert value(after, "outbound_request_duration_seconds_sum", **timed) > 0


def test_metrics_count_spapi_requests_by_operation_and_error_code(server: Server) -> None:
    token = token_for(server)
    before = samples(server.url)
    assert sp_call(server, "GET", "/fulfillmentOrders/NOPE", token).status_code == 404
    assert sp_call(server, "GET", "/fulfillmentOrders", token).status_code == 200
    after = samples(server.url)
    missing = {"protocol": "spapi", "operation": "getFulfillmentOrder", "error_code": "NotFound"}
    listed = {"protocol": "spapi", "operation": "listAllFulfillmentOrders", "error_code": "none"}
    for labels in (missing, listed):
        assert (
            value(after, "outbound_requests_total", **labels) - value(before, "outbound_requests_total", **labels) == 1
        )


def test_metrics_count_throttled_calls(throttled_server: Server) -> None:
    with httpx.Client(base_url=throttled_server.url) as http:
        codes = [call(http).status_code for _ in range(3)]  # GetServiceStatus: a burst of 2
    assert codes == [200, 200, 503]
    found = samples(throttled_server.url)
    assert value(found, "outbound_throttled_requests_total", protocol="mws", operation="GetServiceStatus") == 1
    labels = {"protocol": "mws", "operation": "GetServiceStatus", "error_code": "RequestThrottled"}
    assert value(found, "outbound_requests_total", **labels) == 1


def test_metrics_orders_by_status_and_engine_lag(server: Server, db: Database) -> None:
    stock(db, "TEA-1", 10)
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    from outbound.service import orders as service

    service.create_fulfillment_order(db, CALLER, order_request("LAG-1", line("TEA-1", "l1", 1)), an_hour_ago)
    found = samples(server.url)
    assert value(found, "outbound_orders", status="RECEIVED") == 1
    assert 3500 < value(found, "outbound_engine_lag_seconds") < 3700  # its first step fell due an hour ago
    assert value(found, "outbound_store_up") == 1


def test_access_log_names_the_operation_status_and_request_id(server: Server, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="outbound.access"), httpx.Client(base_url=server.url) as http:
        response = call(http, "GetFulfillmentOrder", {"SellerFulfillmentOrderId": "NOPE"})
    request_id = response.headers["x-mws-request-id"]
    lines = [r for r in caplog.records if r.name == "outbound.access"]
    assert len(lines) == 1
    message = lines[0].getMessage()
    assert "POST /FulfillmentOutboundShipment/2010-10-01 GetFulfillmentOrder 400" in message
    assert request_id in message
    fields = lines[0].http  # type: ignore[attr-defined]
    assert fields["error_code"] == "InvalidParameterValue" and fields["request_id"] == request_id
    assert "Signature" not in message and ACCESS_KEY not in message


def test_health_names_store_clock_throttle_and_engine(server: Server, db: Database) -> None:
    found = httpx.get(f"{server.url}/health").json()
    assert found["status"] == "ok"
    assert (found["store"] == db.public_url and "@" not in found["store"]) or ":" not in found["store"].split("@")[0][
        13:
    ]
    assert found["clock"]["mode"] == "real" and "now" in found["clock"]
    assert found["throttle"] == "off"
    assert "engine" in found


def test_health_is_503_with_the_reason_while_the_database_is_away() -> None:
    url = f"postgresql://postgres:secret-password@127.0.0.1:{free_port()}/nowhere"
    db = Database(url)
    ctx = Context(Settings(database_url=url, throttle=False), db, throttling.Unthrottled(), RealClock())
    from tests.helpers import start_server

    server, thread, port = start_server(ctx)
    try:
        response = httpx.get(f"http://127.0.0.1:{port}/health")
        assert response.status_code == 503
        found = response.json()
        assert found["status"] == "unavailable"
        assert any("database unreachable" in r for r in found["reasons"])
        assert "secret-password" not in response.text
        assert found["store"] == f"postgresql://postgres@127.0.0.1:{url.split(':')[3].split('/')[0]}/nowhere"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        db.dispose()


def test_serve_banner_json_logs_and_recorded_clock_mode(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'served.db'}"
    assert subprocess.run([*CLI, "seller", "add", SELLER, "--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY,
                           "--db", url], env=ENV, capture_output=True).returncode == 0  # fmt: skip
    port = free_port()
    process = subprocess.Popen(
        [*CLI, "serve", "--db", url, "--port", str(port), "--log-format", "json", "--log-level", "info"],
        env=ENV | {"COLUMNS": "200"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline
            time.sleep(0.1)
        with OutboundClient(base, ACCESS_KEY, SECRET_KEY, SELLER) as mws:
            assert mws.get_service_status().status == "GREEN"
        refused = subprocess.run([*CLI, "clock", "advance", "1h", "--db", url], env=ENV, capture_output=True, text=True)
        assert refused.returncode == 1
        assert "real clock" in refused.stderr and "Traceback" not in refused.stderr
    finally:
        process.terminate()
        out, err = process.communicate(timeout=10)
    assert f"store     sqlite:///{tmp_path / 'served.db'}" in out
    assert "clock     real" in out and "throttle  in-process" in out and "engine    in the server" in out
    access = [json.loads(x) for x in err.splitlines() if x.startswith("{") and '"outbound.access"' in x]
    mws_lines = [a for a in access if a["http"]["protocol"] == "mws"]
    assert mws_lines and mws_lines[0]["http"]["operation"] == "GetServiceStatus"
    assert mws_lines[0]["http"]["status"] == 200 and mws_lines[0]["http"]["request_id"]
    assert SECRET_KEY not in err and "Signature=" not in err
    db = Database(url)
    assert runtime.clock_mode(db) == "real"
    db.dispose()
