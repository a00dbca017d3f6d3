"""The lifecycle engine: takes orders whose next step is due and moves them along.

RECEIVED → PLANNING → PROCESSING (shipments made from the reserved units) → shipments leave (packages, carrier,
tracking journey; the units leave the inventory) → COMPLETE or COMPLETE_PARTIALLED; held orders lapse after two
weeks; FillAll orders short of stock wait for it. Every order carries the time of its next step; a step runs at
that time (``due_at``), so advancing a virtual clock by days replays each step at the moment it fell due.

Several engines may share one PostgreSQL database: each batch is claimed with ``FOR NO KEY UPDATE SKIP LOCKED`` and
applied in the same transaction, so no step runs twice and none is skipped. A batch is read and written in a few
statements (``store/batch.py``); how each order takes its step is ``sim/steps.py``; a package's journey is stored
as what it is planned from and planned when read.

Catching up a virtual clock over many orders, the engine hands the steps' computing to helper processes
(``sim/helpers.py``) and keeps to reading and writing the store, so a single SQLite writer uses more than one CPU.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from outbound.domain import shipping, tracking
from outbound.sim import scenarios
from outbound.sim.clock import Clock, VirtualClock
from outbound.sim.helpers import HelperLost, Helpers
from outbound.sim.returns import process_due_returns
from outbound.sim.steps import Steps, Work
from outbound.store import Database, batch, driver
from outbound.store import notifications as notice_store
from outbound.store.outage import is_disconnect

log = logging.getLogger(__name__)
BATCH = 1000  # steps per transaction on the real clock: short transactions, orders locked briefly
# catching up a virtual clock: bigger transactions (a commit costs milliseconds); on PostgreSQL small enough that
# workers catching up together still share the work batch by batch
REPLAY_BATCH = {"sqlite": 5000, "postgresql": 2000}
CHUNK = 250  # steps whose writes are sent together while the batch goes on
HELPER_BATCH = 1000  # steps a helper process takes at once: a task (~0.6 MB) fits in its pipe
WINDOW = 10000  # steps written per transaction while helpers work: the store's write lock is held about a second


@dataclass
class Engine:
    db: Database
    timings: shipping.Timings = shipping.DEFAULT_TIMINGS
    rates: tracking.Rates = field(default_factory=lambda: tracking.DEFAULT_RATES)
    helpers: int | None = None
    """Helper processes that take the steps' computing while this one reads and writes the store, when catching
    up a virtual clock over many orders. None: ``OUTBOUND_ENGINE_HELPERS`` if set, else on SQLite (one writer) one
    per CPU up to three, none on one CPU; none on PostgreSQL, where more ``outbound worker`` processes scale."""

    @property
    def steps(self) -> Steps:
        return Steps(self.timings, self.rates)

    def _replay_batch(self) -> int:
        return REPLAY_BATCH.get(self.db.engine.dialect.name, BATCH)

    # ------------------------------------------------------------------------------------------- driving

    def run_due(self, now: datetime, limit: int = BATCH, *, replay: bool = False) -> int:
        """Apply one batch of due steps in one transaction; the number applied.

        With ``replay`` (virtual clock) each step runs at the time it fell due; otherwise at ``now``.
        """
        with self.db.transaction() as conn:
            work = self._claim(conn, now, limit, None if replay else now)
            if work.due:
                with batch.Writes(conn, heard=work.heard) as writes:
                    self.steps.take(conn, work, writes, chunk=CHUNK)
                    writes.flush(conn)
            # returned units that reached their returns center are processed in the same transaction: they are due
            # steps of the same clock, and counting them keeps run_until looping until nothing at all is due
            return len(work.due) + process_due_returns(conn, now, limit, replay=replay)

    def run_until(self, target: datetime) -> int:
        """Every step due at or before ``target``, batch after batch, in time order (the virtual clock)."""
        limit = self._replay_batch()
        total = 0
        with _without_cycle_collection():
            while True:
                applied = self.run_due(target, limit, replay=True)
                total += applied
                if applied == 0:
                    return total
                if applied >= limit and self._helpers() > 0:  # a long catch-up: worth starting helper processes
                    return total + self._catch_up(target)

    def advance(self, clock: VirtualClock, to: datetime) -> int:
        """Move the virtual clock to ``to`` after applying every step that fell due on the way."""
        steps = self.run_until(to)
        clock.set(to)
        return steps

    def _claim(
        self, conn: Connection, now: datetime, limit: int, at: datetime | None, exclude: Sequence[int] = ()
    ) -> Work:
        """Claim a batch due at ``now``; its steps run ``at`` that time (None: each at its due time)."""
        steering: dict[tuple[str, str], list[scenarios.Scenario]] = {}
        receipts: set[int] = set()

        def needs(rows: list[driver.Row]) -> list[int]:  # the orders whose step reads more than their row
            steering.update(scenarios.for_orders(conn, [(r[batch.SELLER], r[batch.SELLER_ORDER]) for r in rows]))
            wanted = []
            for raw in rows:
                if Steps.from_row(raw, steering.get((raw[batch.SELLER], raw[batch.SELLER_ORDER]), [])):
                    receipts.add(raw[batch.ID])
                else:
                    wanted.append(raw[batch.ID])
            return wanted

        due = batch.claim(conn, now, limit, lock=not self.db.is_sqlite, needs=needs, exclude=exclude)
        heard = notice_store.subscribers(conn) if due else {}  # once per batch: who hears of which seller
        return Work(due, steering, receipts, at, conn.dialect.name, heard)

    # ------------------------------------------------------------------------------------------- helper processes

    def _helpers(self) -> int:
        if self.helpers is not None:
            return self.helpers
        configured = os.environ.get("OUTBOUND_ENGINE_HELPERS", "").strip()
        if configured.isdigit():
            return int(configured)
        if configured:
            log.warning("OUTBOUND_ENGINE_HELPERS=%r is not a number of processes; choosing one", configured)
        if not self.db.is_sqlite:
            return 0
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        return 0 if cpus < 2 else min(cpus, 3)  # two CPUs: two helpers beat one (bench/README.md)

    def _catch_up(self, target: datetime) -> int:
        """:meth:`run_until` with helper processes: while this process writes one batch and claims the next,
        helpers take the steps of the batches claimed before. Falls back to stepping here if a helper can't start
        or ends (the transaction it was in rolls back)."""
        helpers = self._helpers()
        total = 0
        try:
            with Helpers(helpers, _start_helper, self.steps) as pool, self.db.engine.connect() as conn:
                # one more batch here while the helpers start (a fresh interpreter importing the engine: ~0.5 s)
                total += self.run_due(target, self._replay_batch(), replay=True)
                ahead = _Ahead(pool, helpers + 1)
                while applied := self._window(conn, ahead, target):
                    total += applied
            return total
        except HelperLost:
            log.warning("engine helper processes could not run; stepping in this process", exc_info=True)
            while applied := self.run_due(target, self._replay_batch(), replay=True):
                total += applied
            return total

    def _window(self, conn: Connection, ahead: _Ahead, target: datetime) -> int:
        """One transaction writing about ``WINDOW`` steps. Batches are claimed ``ahead.depth`` in advance (each
        excluding the orders of those not yet written), stepped by the helpers and written here in the order
        claimed; receipt steps and steps that read the store are taken here. Batches still out when it commits
        stay valid for the next transaction if no one else wrote in between (SQLite's ``data_version``); on
        PostgreSQL, which can't tell, every batch is written before the commit. The same store and clock give the
        same batches, so the same result."""
        sqlite = self.db.is_sqlite
        with conn.begin():
            if ahead.queue and (not sqlite or _data_version(conn) != ahead.mark):
                ahead.drop()  # claimed from a state someone else has changed since: claimed again below
            applied = 0
            while True:
                while applied < WINDOW and len(ahead.queue) < ahead.depth:
                    work = self._claim(conn, target, HELPER_BATCH, None, ahead.claimed())
                    if not work.due:
                        break
                    ahead.send(work)
                if not ahead.queue or (applied >= WINDOW and sqlite):
                    break
                work, (taken, left) = ahead.receive()
                with batch.Writes(conn, heard=work.heard) as writes:
                    writes.absorb(taken)
                    self.steps.take(conn, work, writes, only=work.receipts.union(left))
                    writes.flush(conn)
                applied += len(work.due)
            applied += process_due_returns(conn, target, HELPER_BATCH, replay=True)
            if sqlite:
                ahead.mark = _data_version(conn)
            return applied or len(ahead.queue)


@dataclass
class _Ahead:
    """Batches claimed and handed to the helpers, not yet written, oldest first."""

    pool: Helpers
    depth: int
    queue: deque[Work] = field(default_factory=deque)
    mark: int | None = None  # SQLite's data_version as the last transaction ended

    def claimed(self) -> list[int]:
        return [order_id for work in self.queue for order_id in work.ids()]

    def send(self, work: Work) -> None:
        """Claimed ``work`` out to a helper (its receipt steps stay: the engine takes them as it writes)."""
        self.pool.submit(_take_in_helper, work.built())
        self.queue.append(work)

    def receive(self) -> tuple[Work, Any]:
        return self.queue.popleft(), self.pool.result()

    def drop(self) -> None:
        while self.queue:
            self.receive()


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """The cycle collector off while catching up: batches hold many thousands of rows, and its passes over them
    took about a tenth of the engine's time. A step's rows and objects hold no cycles; reference counting frees
    them. Whatever cycles the rest of the process makes meanwhile are collected once it is back on."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _data_version(conn: Connection) -> int:
    """Changes whenever another connection commits to the SQLite database (not on this one's own commits)."""
    version: int = conn.exec_driver_sql("PRAGMA data_version").scalar_one()
    return version


_HELPER: Steps | None = None


def _start_helper(steps: Steps) -> None:
    global _HELPER
    _HELPER = steps
    gc.disable()  # a helper only turns rows into rows: nothing it makes holds a cycle (see _without_cycle_collection)


def _take_in_helper(work: Work) -> tuple[Any, list[int]]:
    """A helper process's part: ``work``'s steps into rows, and the orders left for the engine."""
    assert _HELPER is not None
    writes = batch.Writes(dialect=work.dialect, heard=work.heard)
    left = _HELPER.take(None, work, writes)
    return writes.export(), left


class Runner:
    """Runs the engine in the background of ``outbound serve`` (real clock) or as ``outbound worker``."""

    def __init__(
        self, engine: Engine, clock: Clock, interval: float = 1.0, on_applied: Callable[[int], None] | None = None
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.interval = interval
        self.on_applied = on_applied  # the server's metrics count the steps
        self.state = "starting"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_forever(self, should_stop: Callable[[], bool] | None = None) -> None:
        while not self._stop.is_set() and not (should_stop and should_stop()):
            outage = self.engine.db.outage
            try:
                applied = self.engine.run_due(self.clock.now())
            except Exception as exc:  # keep the loop alive; a bad order must not stop the world
                if is_disconnect(exc):  # the database is away: said once, tried again every interval
                    outage.failed(exc)
                    self.engine.db.discard_connections()
                    self.state = "waiting for the database"
                else:
                    log.exception("lifecycle step failed")
                applied = 0
            else:
                self.state = "running"
                if outage.down:
                    outage.recovered()
                if applied and self.on_applied is not None:
                    self.on_applied(applied)
            if applied == 0:
                self._stop.wait(self.interval)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run_forever, name="outbound-engine", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.state = "stopped"
        if self._thread is not None:
            self._thread.join(timeout=10)


def parse_duration(text: str) -> timedelta:
    """``90m``, ``2h``, ``3d``, ``45s``, ``1w`` or combinations like ``1d12h``."""
    units = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
    total = timedelta()
    number = ""
    for char in text.strip().lower():
        if char.isdigit() or char == ".":
            number += char
        elif char in units and number:
            total += timedelta(**{units[char]: float(number)})
            number = ""
        else:
            raise ValueError(f"not a duration: {text!r} (use e.g. 90m, 2h, 3d)")
    if number or total <= timedelta():
        raise ValueError(f"not a duration: {text!r} (use e.g. 90m, 2h, 3d)")
    return total
