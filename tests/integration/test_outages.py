"""Outages survived: PostgreSQL backends terminated under a running server, a database that is away, and a
private Redis killed and restarted under the shared throttle."""

from __future__ import annotations

import logging
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from outbound.config import Settings
from outbound.context import Context
from outbound.mws import throttle as throttling
from outbound.sim.clock import RealClock
from outbound.store import Database
from tests.helpers import PG_ADMIN_URL, Server, call, document, free_port, make_server, reset, start_server, stock
from tests.helpers import text as xml_text
from tests.spapi import call as sp_call
from tests.spapi import create_body, error, payload, token_for

ADDRESS = {
    "DestinationAddress.Name": "Jane Doe",
    "DestinationAddress.Line1": "1200 12th Ave S",
    "DestinationAddress.City": "Seattle",
    "DestinationAddress.StateOrProvinceCode": "WA",
    "DestinationAddress.CountryCode": "US",
    "DestinationAddress.PostalCode": "98144",
}


def create_params(order_id: str) -> dict[str, str | None]:
    return {
        "SellerFulfillmentOrderId": order_id,
        "DisplayableOrderId": order_id,
        "DisplayableOrderDateTime": "2026-11-23T16:00:00Z",
        "DisplayableOrderComment": "thanks",
        "ShippingSpeedCategory": "Standard",
        "Items.member.1.SellerSKU": "TEA-1",
        "Items.member.1.SellerFulfillmentOrderItemId": "l1",
        "Items.member.1.Quantity": "1",
        **ADDRESS,
    }


@pytest.fixture
def pg_server(pg_url: str) -> Iterator[Server]:
    db = reset(Database(pg_url))
    stock(db, "TEA-1", 50)
    yield from make_server(db)
    db.dispose()


def terminate_backends(pg_url: str) -> int:
    name = pg_url.rsplit("/", 1)[1]
    admin = create_engine(Database(PG_ADMIN_URL).url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        killed = conn.execute(
            text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = :name"), {"name": name}
        ).scalar_one()
    admin.dispose()
    return int(killed)


@pytest.mark.postgres
def test_terminated_backends_reads_retried_writes_unavailable_then_recovered(
    pg_server: Server, pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with httpx.Client(base_url=pg_server.url) as http:
        assert call(http, "CreateFulfillmentOrder", create_params("OUT-1")).status_code == 200
        assert call(http, "GetFulfillmentOrder", {"SellerFulfillmentOrderId": "OUT-1"}).status_code == 200
        assert terminate_backends(pg_url) >= 1
        with caplog.at_level(logging.INFO):
            read = call(http, "GetFulfillmentOrder", {"SellerFulfillmentOrderId": "OUT-1"})
        assert read.status_code == 200  # retried once on a fresh connection: the client saw nothing
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]

        assert terminate_backends(pg_url) >= 1
        with caplog.at_level(logging.INFO):
            write = call(http, "CreateFulfillmentOrder", create_params("OUT-2"))
            assert write.status_code == 503
            assert xml_text(document(write), "m:Error/m:Code") == "ServiceUnavailable"
            again = call(http, "CreateFulfillmentOrder", create_params("OUT-2"))  # the client's retry
            assert again.status_code == 200
        outage_lines = [r for r in caplog.records if r.name == "outbound.outage"]
        assert [r.levelno for r in outage_lines] == [logging.ERROR, logging.WARNING]  # gone once, back once
        assert not [r for r in caplog.records if r.name == "outbound.mws.endpoint"]  # no traceback per request


@pytest.mark.postgres
def test_spapi_survives_terminated_backends_as_mws_does(
    pg_server: Server, pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    token = token_for(pg_server)
    body = create_body("SP-OUT-1", sku="TEA-1", quantity=1)
    assert sp_call(pg_server, "POST", "/fulfillmentOrders", token, body).status_code == 200
    assert sp_call(pg_server, "GET", "/fulfillmentOrders/SP-OUT-1", token).status_code == 200  # a connection kept
    assert terminate_backends(pg_url) >= 1
    with caplog.at_level(logging.INFO):
        read = sp_call(pg_server, "GET", "/fulfillmentOrders/SP-OUT-1", token)
    assert payload(read)["fulfillmentOrder"]["sellerFulfillmentOrderId"] == "SP-OUT-1"  # retried: nothing seen
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]

    assert terminate_backends(pg_url) >= 1
    with caplog.at_level(logging.INFO):
        write = sp_call(pg_server, "POST", "/fulfillmentOrders", token, create_body("SP-OUT-2", sku="TEA-1"))
        error(write, 503, "ServiceUnavailable")
        again = sp_call(pg_server, "POST", "/fulfillmentOrders", token, create_body("SP-OUT-2", sku="TEA-1"))
        assert again.status_code == 200, again.text  # the client's retry
    assert not [r for r in caplog.records if r.name == "outbound.spapi.endpoint"]  # no traceback per request


def test_database_away_one_log_line_for_many_requests(caplog: pytest.LogCaptureFixture) -> None:
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/nowhere"
    db = Database(url)
    ctx = Context(Settings(database_url=url, throttle=False), db, throttling.Unthrottled(), RealClock())
    server, thread, port = start_server(ctx)
    try:
        with caplog.at_level(logging.INFO), httpx.Client(base_url=f"http://127.0.0.1:{port}") as http:
            answers = [call(http, "GetFulfillmentOrder", {"SellerFulfillmentOrderId": "X"}) for _ in range(5)]
            answers.append(call(http, "CreateFulfillmentOrder", create_params("X")))
        assert {a.status_code for a in answers} == {503}
        assert {xml_text(document(a), "m:Error/m:Code") for a in answers} == {"ServiceUnavailable"}
        logged = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(logged) == 1 and "database unreachable" in logged[0].getMessage()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        db.dispose()


class PrivateRedis:
    """A redis-server of this test's own on a free port, that can be killed and started again."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [
            "redis-server",
            "--port",
            str(self.port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.directory),
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis

        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=0.2).ping()
                return
            except Exception:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    found = PrivateRedis(tmp_path)
    found.start()
    yield found
    if found.process is not None and found.process.poll() is None:
        found.kill()


def test_redis_down_fails_open_then_shared_buckets_return(
    db: Database, private_redis: PrivateRedis, caplog: pytest.LogCaptureFixture
) -> None:
    throttle = throttling.RedisThrottle(private_redis.url)
    settings = Settings(database_url=db.url, throttle=True, redis_url=private_redis.url)
    ctx = Context(settings, db, throttle, RealClock())
    server, thread, port = start_server(ctx)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base) as http:
            assert [call(http).status_code for _ in range(3)] == [200, 200, 503]  # GetServiceStatus: burst 2
            assert httpx.get(f"{base}/health").json()["status"] == "ok"

            private_redis.kill()
            with caplog.at_level(logging.WARNING):
                down = [call(http).status_code for _ in range(5)]
            assert down == [200] * 5  # fail open: an empty bucket no longer refuses
            warnings = [r for r in caplog.records if "Redis throttle unreachable" in r.getMessage()]
            assert len(warnings) == 1  # one warning a minute, not one per request
            health = httpx.get(f"{base}/health")
            assert health.status_code == 503 and health.json()["status"] == "degraded"
            assert any("redis unreachable" in r for r in health.json()["reasons"])

            private_redis.start()  # an empty Redis: fresh buckets, shared again
            time.sleep(throttle.RETRY + 0.1)
            assert [call(http).status_code for _ in range(3)] == [200, 200, 503]
            assert httpx.get(f"{base}/health").json()["status"] == "ok"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
