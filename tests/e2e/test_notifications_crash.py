"""``outbound notify`` killed with SIGKILL in the middle of delivering, then started again: every notification still
arrives (at least once, each order's in order), on SQLite and PostgreSQL. Leases free what the dead process held."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from outbound.client import CreateItem, OutboundClient
from outbound.service import notifications, simulation
from outbound.service.inventory import StockChange, set_inventory
from outbound.store import Database
from tests.e2e.test_notifications import JANE, MUG
from tests.helpers import ACCESS_KEY, SECRET_KEY, SELLER, Server, serve_virtual
from tests.notify_helpers import Receiver, receiver, summary  # noqa: F401

OUTBOUND = str(Path(sys.executable).parent / "outbound")


@pytest.fixture
def virtual_server(db: Database) -> Iterator[Server]:
    set_inventory(db, StockChange(SELLER, MUG, 100, "BFI4"))
    yield from serve_virtual(db)


def start(db: Database) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "OUTBOUND_NOTIFY_LEASE": "2",
        "OUTBOUND_NOTIFY_BACKOFF": "0.1",
        "OUTBOUND_NOTIFY_INTERVAL": "0.05",
    }
    return subprocess.Popen(
        [OUTBOUND, "notify", "--db", db.url], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def test_kill_9_mid_delivery_then_restart_loses_nothing(virtual_server: Server, receiver: Receiver) -> None:  # noqa: F811
    db = virtual_server.ctx.db
    notifications.subscribe(db, SELLER, "FULFILLMENT_ORDER_STATUS", "webhook", receiver.url + "/hook")
    with OutboundClient(virtual_server.url, ACCESS_KEY, SECRET_KEY, SELLER) as mws:
        for n in range(8):
            mws.create_fulfillment_order(f"MCF-{n}", JANE, [CreateItem(MUG, f"MCF-{n}-1", 1)])
    simulation.advance(db, timedelta(days=5))
    expected = {e.notification_id: e for e in notifications.delivery_log(db, limit=1000)}
    assert len(expected) == 8 * 6  # RECEIVED, PLANNING, PENDING, PROCESSING, SHIPPED, COMPLETE

    receiver.delay = 0.05  # slow enough to be killed in the middle
    first = start(db)
    deadline = time.monotonic() + 60
    while len(receiver.got) < 10:
        assert time.monotonic() < deadline and first.poll() is None, "the deliverer did not start delivering"
        time.sleep(0.01)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert notifications.outbox_counts(db).get("pending", 0) > 0  # killed with work left

    second = start(db)
    try:
        while notifications.outbox_counts(db).get("pending", 0):
            assert time.monotonic() < deadline + 60, "delivery did not resume"
            time.sleep(0.1)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=10)

    got = receiver.bodies("/hook")
    ids = [n["NotificationMetadata"]["NotificationId"] for n in got]
    assert set(ids) == set(expected)  # every one arrived; repeats (at least once) carry the same id
    for n in range(8):  # each order's notifications in order (first arrival of each)
        order = f"MCF-{n}"
        firsts: list[tuple[str, ...]] = []
        seen: set[str] = set()
        for notification, nid in zip(got, ids, strict=True):
            if nid not in seen and summary(notification)[0] == order:
                firsts.append(summary(notification))
            seen.add(nid)
        assert [s[2] for s in firsts] == ["RECEIVED", "PLANNING", "PENDING", "PROCESSING", "SHIPPED", "COMPLETE"]
