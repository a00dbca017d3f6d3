"""Group commit (``store/group.py``), on SQLite and PostgreSQL: concurrent creates share commits, a failing one is
undone alone, the others keep their effects, and no unit is sold twice."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, text

from outbound.domain.errors import InsufficientStock
from outbound.service import orders as service
from outbound.service.accounts import Caller
from outbound.service.inventory import StockChange, levels, set_inventory
from outbound.store import Database
from outbound.store.group import GroupCommit
from tests.helpers import ACCESS_KEY, SELLER, line, order_request, reset

CALLER = Caller(ACCESS_KEY, SELLER, "ATVPDKIKX0DER")
SKU = "BLUE-MUG-12OZ"


@pytest.fixture
def store(db_url: str) -> Iterator[Database]:
    """An empty store, on each backend."""
    database = Database(db_url)
    database.migrate()
    yield reset(database)
    database.dispose()


@pytest.fixture
def probe(store: Database) -> Iterator[Database]:
    """The store with an empty table of numbers for works to insert into, dropped afterwards."""
    with store.transaction() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS group_probe (n int primary key)"))
        conn.execute(text("DELETE FROM group_probe"))
    yield store
    with store.transaction() as conn:
        conn.execute(text("DROP TABLE group_probe"))


def insert_refusing_every_third(n: int) -> Callable[[Connection], int]:
    """A work that inserts ``n`` and then, for every third ``n``, fails (what it inserted must be undone)."""

    def work(conn: Connection) -> int:
        conn.execute(text("INSERT INTO group_probe VALUES (:n)"), {"n": n})
        if n % 3 == 0:
            raise ValueError(f"refused {n}")
        return n

    return work


def assert_every_third_refused(futures: list[Future[int]]) -> None:
    for n, future in enumerate(futures):
        if n % 3 == 0:
            with pytest.raises(ValueError, match=f"refused {n}"):
                future.result()
        else:
            assert future.result() == n


def probed(store: Database) -> list[int]:
    with store.read() as conn:
        return sorted(r[0] for r in conn.execute(text("SELECT n FROM group_probe")))


def test_concurrent_creates_share_commits_and_never_oversell(store: Database) -> None:
    set_inventory(store, StockChange(SELLER, SKU, 40, "BFI4"))
    now = datetime.now(UTC)

    def create(n: int) -> str:
        try:
            service.create_fulfillment_order(store, CALLER, order_request(f"G-{n}", line(SKU, "l", 1)), now)
            return "ok"
        except InsufficientStock:
            return "short"

    with ThreadPoolExecutor(16) as pool:
        outcomes = list(pool.map(create, range(60)))
    assert outcomes.count("ok") == 40 and outcomes.count("short") == 20
    assert [(sellable, reserved) for _s, _fc, sellable, reserved in levels(store, SELLER, SKU)] == [(0, 40)]
    group = store._group
    assert group is not None and group.works == 60 and group.batches < 60  # some commits were shared


def test_a_failing_work_is_undone_alone(probe: Database) -> None:
    group = GroupCommit(probe)
    gate = threading.Barrier(8)

    def work(n: int) -> int:
        gate.wait()
        return group.run(insert_refusing_every_third(n))

    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(work, n) for n in range(8)]
    assert_every_third_refused(futures)
    assert probed(probe) == [n for n in range(8) if n % 3]


def test_works_queued_behind_a_batch_share_the_next_commit(probe: Database) -> None:
    """While one batch runs, the works that arrive queue and then run as one batch, in one transaction (each in a
    savepoint): the failing ones are undone alone, the others committed together."""
    group = GroupCommit(probe)
    running, release = threading.Event(), threading.Event()

    def first(conn: Connection) -> int:
        conn.execute(text("INSERT INTO group_probe VALUES (100)"))
        running.set()
        assert release.wait(10)
        return 100

    with ThreadPoolExecutor(7) as pool:
        leader = pool.submit(group.run, first)
        assert running.wait(10)
        futures = [pool.submit(group.run, insert_refusing_every_third(n)) for n in range(6)]
        for _ in range(1000):  # until all six wait for the next batch
            with group._lock:
                if len(group._queue) == 6:
                    break
            threading.Event().wait(0.01)
        release.set()
        assert leader.result() == 100
        assert_every_third_refused(futures)
    assert (group.batches, group.works) == (2, 7)
    assert probed(probe) == [1, 2, 4, 5, 100]
