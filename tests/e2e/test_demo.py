"""``outbound demo`` and ``outbound reset`` as real commands, and the demo's content served by a real server."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from outbound.client import OutboundClient
from outbound.domain.orders import ORDER_STATUSES
from outbound.service import demo, stats
from outbound.store import Database
from tests.helpers import free_port

ENV = {k: v for k, v in os.environ.items() if not k.startswith("OUTBOUND_")} | {"COLUMNS": "200"}
CLI = [sys.executable, "-m", "outbound"]
CREDENTIALS = re.compile(r"seller (\S+)\s+access key (\S+)\s+secret key (\S+)")


def outbound(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, env=ENV, input=stdin, timeout=600)


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'demo.db'}"


def test_demo_fills_every_status_and_its_credentials_work_against_a_server(url: str, tmp_path: Path) -> None:
    done = outbound("demo", "--db", url)
    assert done.returncode == 0, done.stderr
    found = CREDENTIALS.search(done.stdout)
    assert found, done.stdout
    seller, access_key, secret_key = found.groups()
    assert (seller, access_key, secret_key) == (demo.SELLER.seller_id, demo.SELLER.access_key, demo.SELLER.secret_key)
    assert f"store: sqlite:///{tmp_path / 'demo.db'}" in done.stdout
    for snippet in (
        "OutboundClient(",
        "mws.MWS(",
        "curl http://127.0.0.1:8000/admin/clock",
        "outbound serve --clock virtual",
    ):
        assert snippet in done.stdout

    db = Database(url)
    figures = stats.store_figures(db, seller)
    db.dispose()
    assert set(figures.orders_by_status) == set(ORDER_STATUSES)  # every status, none made up
    assert sum(figures.orders_by_status.values()) == demo.DEFAULT_ORDERS
    assert figures.shipments > 0 and figures.packages > 0 and figures.returns > 0


def test_demo_store_answers_the_sdk(url: str) -> None:
    assert outbound("demo", "--db", url).returncode == 0
    base = _serve_and_wait(url)
    try:
        with OutboundClient(base, demo.SELLER.access_key, demo.SELLER.secret_key, demo.SELLER.seller_id) as mws:
            assert mws.get_service_status().status == "GREEN"
            statuses: set[str] = set()
            tracked = 0
            returned = 0
            for listed in mws.iter_fulfillment_orders(datetime.now(UTC) - timedelta(days=60)):
                statuses.add(listed.status)
            for n in range(1, 8):  # the first week's orders have shipped and been tracked
                got = mws.get_fulfillment_order(f"DEMO-{n:04d}")
                returned += len(got.return_items)
                for shipment in got.shipments:
                    for package in shipment.packages:
                        details = mws.get_package_tracking_details(package.package_number)
                        tracked += len(details.tracking_events)
        assert statuses == set(ORDER_STATUSES)
        assert tracked > 0 and returned > 0
    finally:
        _stop(base)


_PROCESSES: dict[str, subprocess.Popen[bytes]] = {}


def _serve_and_wait(url: str) -> str:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    _PROCESSES[base] = subprocess.Popen(
        [*CLI, "serve", "--clock", "virtual", "--db", url, "--port", str(port)],
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/health").status_code == 200:
                return base
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.1)


def _stop(base: str) -> None:
    process = _PROCESSES.pop(base)
    process.terminate()
    process.wait(timeout=10)


def test_demo_twice_keeps_the_store_and_a_foreign_store_is_refused(url: str) -> None:
    assert outbound("demo", "--db", url).returncode == 0
    again = outbound("demo", "--db", url)
    assert again.returncode == 0 and "already" in again.stdout
    other = url.replace("demo.db", "other.db")
    added = outbound("seller", "add", "A1OTHER", "--access-key", "K1", "--secret-key", "S1", "--db", other)
    assert added.returncode == 0
    refused = outbound("demo", "--db", other)
    assert refused.returncode == 1
    assert "Traceback" not in refused.stderr
    assert "outbound reset" in refused.stderr


def test_large_demo_uses_the_bulk_path(url: str) -> None:
    done = outbound("demo", "--db", url, "--orders", "400")
    assert done.returncode == 0, done.stderr
    db = Database(url)
    figures = stats.store_figures(db, demo.SELLER.seller_id)
    db.dispose()
    assert sum(figures.orders_by_status.values()) == 400
    assert set(figures.orders_by_status) == set(ORDER_STATUSES)
    assert figures.orders_by_status["COMPLETE"] > 300  # the bulk orders were moved by the engine to the end


def test_reset_asks_then_empties(url: str) -> None:
    assert outbound("demo", "--db", url).returncode == 0
    declined = outbound("reset", "--db", url, stdin="n\n")
    assert declined.returncode == 1
    db = Database(url)
    assert stats.store_state(db) != (0, 0)
    confirmed = outbound("reset", "--db", url, stdin="y\n")
    assert confirmed.returncode == 0 and "emptied" in confirmed.stdout
    assert stats.store_state(db) == (0, 0)
    assert outbound("demo", "--db", url).returncode == 0  # an emptied store takes the demo again
    assert outbound("reset", "--db", url, "--yes").returncode == 0
    assert stats.store_state(db) == (0, 0)
    db.dispose()


def test_demo_on_both_backends(db: Database) -> None:
    """Through the service, on SQLite and PostgreSQL: the store (with the example seller) is refused, then taken
    once emptied."""
    with pytest.raises(demo.DemoError):
        demo.load(db)
    stats.empty_store(db)
    summary = demo.load(db)
    assert set(summary.orders) == set(ORDER_STATUSES)
    assert summary.shipments and summary.packages and summary.returns
