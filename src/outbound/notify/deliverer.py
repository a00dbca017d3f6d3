"""The delivery loop: claim a batch of outbox rows with a lease, send each, record the outcome.

Every row is claimed in a short transaction of its own (leased until ``now + lease``), sent with no transaction
open, and marked delivered (or failed, with its next attempt after an exponential back-off) afterwards: a deliverer
killed mid-batch leaves leased rows that any deliverer claims again when the lease has run out, so nothing is lost
(a receiver may see a notification twice, never none; ``NotificationId`` tells repeats apart). A destination that
fails puts the rest of its rows in the batch back untried, so a dead destination costs one timeout per batch, and
the loop runs in its own thread or process: the engine and the API never wait for it.
"""

from __future__ import annotations

import logging
import os
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from outbound.notify import render, sinks
from outbound.store import Database
from outbound.store import notifications as store
from outbound.store.outage import is_disconnect

log = logging.getLogger(__name__)


def _seconds(name: str, default: float) -> float:
    text = os.environ.get(name, "").strip()
    try:
        return float(text) if text else default
    except ValueError:
        log.warning("%s=%r is not a number of seconds; using %s", name, text, default)
        return default


@dataclass(frozen=True)
class Settings:
    lease: float = 60.0  # seconds a claimed row is held before another deliverer may take it
    backoff: float = 1.0  # the first retry's delay; doubled each attempt
    backoff_max: float = 600.0
    timeout: float = 10.0  # per send
    batch: int = 100
    interval: float = 0.2  # seconds between polls when nothing is deliverable

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            lease=_seconds("OUTBOUND_NOTIFY_LEASE", cls.lease),
            backoff=_seconds("OUTBOUND_NOTIFY_BACKOFF", cls.backoff),
            backoff_max=_seconds("OUTBOUND_NOTIFY_BACKOFF_MAX", cls.backoff_max),
            timeout=_seconds("OUTBOUND_NOTIFY_TIMEOUT", cls.timeout),
            interval=_seconds("OUTBOUND_NOTIFY_INTERVAL", cls.interval),
        )

    def retry_delay(self, attempts: int) -> timedelta:
        """Exponential back-off with a little jitter, so retries of many rows do not arrive together."""
        delay = min(self.backoff_max, self.backoff * 2 ** min(attempts, 30))
        return timedelta(seconds=delay * random.uniform(0.9, 1.1))


class Deliverer:
    def __init__(self, db: Database, settings: Settings | None = None, sqs: sinks.SqsSettings | None = None) -> None:
        self.db = db
        self.settings = settings or Settings.from_env()
        self.sqs = sinks.Sqs(sqs or sinks.SqsSettings.from_env(), self.settings.timeout)
        self.webhooks = sinks.Webhooks(self.settings.timeout)

    def close(self) -> None:
        self.webhooks.close()

    def run_once(self) -> int:
        """Claim and deliver one batch; the number of rows it claimed."""
        lease = timedelta(seconds=self.settings.lease)
        with self.db.transaction() as conn:
            claimed = store.claim(conn, datetime.now(UTC), self.settings.batch, lease)
        if not claimed:
            return 0
        with self.db.read() as conn:
            boxes = store.shipment_packages(conn, (c.amazon_shipment_id for c in claimed if c.amazon_shipment_id))
        done: list[int] = []
        down: dict[str, str] = {}  # destinations that failed in this batch → their error
        for row in claimed:
            if row.destination_id in down:
                self._failed(row, down[row.destination_id], attempted=False)
                continue
            try:
                self._send(row, boxes.get(row.amazon_shipment_id or "", []))
            except sinks.DeliveryFailed as exc:
                down[row.destination_id] = str(exc)
                self._failed(row, str(exc), attempted=True)
                continue
            except Exception as exc:  # a bug rendering one row must not stop the others
                log.exception("notification %s could not be sent", row.notification_id)
                self._failed(row, f"{type(exc).__name__}: {exc}", attempted=True)
                continue
            done.append(row.id)
            if len(done) >= 20:  # marked as they go: a crash re-sends little
                self._delivered(done)
                done = []
        self._delivered(done)
        return len(claimed)

    def _send(self, row: store.Claimed, packages: render.Packages) -> None:
        body, content_type = render.render(row, packages, datetime.now(UTC))
        if row.kind == "sqs":
            self.sqs.send(row.target, body, f"{row.seller_id}/{row.seller_order_id}", row.notification_id)
        else:
            self.webhooks.send(row.target, body, content_type, row.secret, row.notification_id)

    def _delivered(self, ids: list[int]) -> None:
        if ids:
            with self.db.transaction() as conn:
                store.delivered(conn, ids, datetime.now(UTC))

    def _failed(self, row: store.Claimed, error: str, *, attempted: bool) -> None:
        now = datetime.now(UTC)
        retry_at = now + self.settings.retry_delay(row.attempts if attempted else max(row.attempts - 1, 0))
        with self.db.transaction() as conn:
            store.failed(conn, row.id, error, retry_at, attempted=attempted)


class Runner:
    """The delivery loop in a thread (``outbound serve``, ``outbound worker``) or in the foreground
    (``outbound notify``)."""

    def __init__(self, deliverer: Deliverer) -> None:
        self.deliverer = deliverer
        self.state = "starting"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_forever(self, should_stop: Callable[[], bool] | None = None) -> None:
        interval = self.deliverer.settings.interval
        while not self._stop.is_set() and not (should_stop and should_stop()):
            try:
                claimed = self.deliverer.run_once()
            except Exception as exc:
                if is_disconnect(exc):
                    self.deliverer.db.discard_connections()
                    self.state = "waiting for the database"
                else:
                    log.exception("notification delivery failed")
                claimed = 0
            else:
                self.state = "running"
            if claimed == 0:
                self._stop.wait(interval)
        self.deliverer.close()

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run_forever, name="outbound-notify", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.state = "stopped"
        if self._thread is not None:
            self._thread.join(timeout=10)
