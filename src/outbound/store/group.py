"""Group commit: concurrent write transactions of one process run one after another in a single transaction, each
in a savepoint of its own, and share one COMMIT.

On PostgreSQL a commit waits for the WAL to reach the disk (about 3 ms on the 2-CPU VM of ``bench/README.md``,
where a whole create's statements take under 1 ms), and creates that reserve the same stock row wait for each
other's commit, the row lock being held until then. Sharing the commit, N waiting creates pay one flush instead of
N. On SQLite a commit flushes nothing here (WAL, ``synchronous=NORMAL``) but writes every page the transaction
touched to the WAL, and a create touches about 17 (the order's row and indexes, its line, its reservation, the
stock row): N creates in one commit write the pages they share once (measured: 72 KB of WAL a create alone, 20 KB
in batches of about five), and the checkpoints that copy the WAL back come as much less often. Each work still sees
its own effects and its predecessors' in the batch (one transaction), and a work that fails is undone alone
(ROLLBACK TO SAVEPOINT): its caller gets its error, the others go on. A batch of one is a transaction of its own,
without a savepoint.

The first thread to arrive leads: it takes every work queued so far, runs the batch and commits; works that arrive
meanwhile queue for the next batch, which the first of them leads. A lost connection or a failed commit fails the
whole batch (nothing of it was committed); a database error inside one work (a deadlock with another process, say)
undoes that work and runs it again alone after the batch.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from outbound.store.outage import is_disconnect

if TYPE_CHECKING:
    from outbound.store.db import Database

T = TypeVar("T")
MAX_BATCH = 64  # works per transaction: bounds the locks one commit holds and the wait of the last in line


@dataclass(eq=False)
class _Pending(Generic[T]):
    work: Callable[[Connection], T]
    again: tuple[type[BaseException], ...]
    done: threading.Event = field(default_factory=threading.Event)
    lead: bool = False
    value: Any = None
    error: BaseException | None = None
    finished: bool = False

    def finish(self, value: Any = None, error: BaseException | None = None) -> None:
        self.value, self.error, self.finished = value, error, True
        self.done.set()


class GroupCommit:
    """One per :class:`Database` (:meth:`Database.grouped`)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._lock = threading.Lock()
        self._queue: list[_Pending[Any]] = []
        self._busy = False
        self.batches = self.works = 0  # for tests and benchmarks: how much was grouped

    def run(self, work: Callable[[Connection], T], again: tuple[type[BaseException], ...] = ()) -> T:
        """``work(conn)`` inside a shared transaction, returned (or raised) once that transaction has committed;
        an exception of a type in ``again`` undoes the work and runs it once more (a unique-key race)."""
        me: _Pending[T] = _Pending(work, again)
        with self._lock:
            self._queue.append(me)
            if not self._busy:
                self._busy = me.lead = True
        while not me.finished:
            if me.lead:
                me.lead = False
                self._lead()
            else:
                me.done.wait()
                me.done.clear()
        if me.error is not None:
            raise me.error
        return me.value  # type: ignore[no-any-return]

    def _lead(self) -> None:
        with self._lock:
            batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
        try:
            self._commit(batch)
        finally:
            with self._lock:
                if self._queue:  # the next batch is led by the first that waits for it
                    successor = self._queue[0]
                    successor.lead = True
                    successor.done.set()
                else:
                    self._busy = False

    def _commit(self, batch: list[_Pending[Any]]) -> None:
        if len(batch) == 1:  # nothing to share: its own transaction, no savepoint
            self._lone(batch[0])
            return
        alone: list[_Pending[Any]] = []
        succeeded: list[tuple[_Pending[Any], Any]] = []
        failed: list[tuple[_Pending[Any], BaseException]] = []
        try:
            with self.db.transaction() as conn:
                for pending in batch:
                    outcome = _attempt(conn, pending)
                    if isinstance(outcome, _Retry):
                        alone.append(pending)
                    elif isinstance(outcome, _Failed):
                        failed.append((pending, outcome.error))
                    else:
                        succeeded.append((pending, outcome))
        except BaseException as exc:  # nothing of the batch was committed: every work fails with it
            for pending in batch:
                if pending not in alone and not pending.finished:
                    pending.finish(error=exc)
            alone.clear()
            if not isinstance(exc, Exception):
                raise
        else:
            self.batches += 1
            self.works += len(batch) - len(alone)
            for pending, value in succeeded:
                pending.finish(value)
            for pending, error in failed:
                pending.finish(error=error)
        for pending in alone:
            _settle(pending, partial(self._alone, pending))

    def _lone(self, pending: _Pending[Any]) -> None:
        """A batch of one: its own transaction, without a savepoint (its failure rolls back all there is)."""
        self.batches += 1
        self.works += 1
        _settle(pending, partial(self._alone_retried, pending))

    def _alone_retried(self, pending: _Pending[Any]) -> Any:
        """:meth:`_alone`, and as in a batch a database error that is not the work's own runs it once more."""
        try:
            return self._alone(pending)
        except DBAPIError as exc:
            if is_disconnect(exc) or isinstance(exc, pending.again):
                raise
            return self._alone(pending)

    def _alone(self, pending: _Pending[Any]) -> Any:
        try:
            with self.db.transaction() as conn:
                return pending.work(conn)
        except pending.again:
            with self.db.transaction() as conn:
                return pending.work(conn)


@dataclass(frozen=True, slots=True)
class _Failed:
    error: BaseException


class _Retry:
    pass


def _attempt(conn: Connection, pending: _Pending[Any]) -> Any:
    """The work in a savepoint: its value, :class:`_Failed` (undone; its caller gets the error) or :class:`_Retry`
    (a database error that is not the work's own: run it alone). A lost connection ends the batch."""
    for attempt in (1, 2):
        try:
            with _savepoint(conn):
                return pending.work(conn)
        except Exception as exc:
            if is_disconnect(exc):
                raise
            if attempt == 1 and isinstance(exc, pending.again):
                continue
            if isinstance(exc, DBAPIError):
                return _Retry()
            return _Failed(exc)
    raise AssertionError("unreachable")


def _settle(pending: _Pending[Any], run: Callable[[], Any]) -> None:
    """Finish ``pending`` with what ``run()`` returns or raises; an interrupt (not an ``Exception``) goes on up
    once its caller has been told."""
    try:
        value = run()
    except BaseException as exc:
        pending.finish(error=exc)
        if not isinstance(exc, Exception):
            raise
    else:
        pending.finish(value)


@contextmanager
def _savepoint(conn: Connection) -> Iterator[None]:
    """A savepoint around one work: SQLAlchemy's on PostgreSQL; on SQLite the driver's own statements, as SQLite
    runs them in microseconds and SQLAlchemy's nested transaction cost tens of them."""
    if conn.dialect.name != "sqlite":
        with conn.begin_nested():
            yield
        return
    driver: Any = conn.connection.dbapi_connection
    driver.execute("SAVEPOINT outbound_work")
    try:
        yield
    except BaseException:
        driver.execute("ROLLBACK TO outbound_work")
        driver.execute("RELEASE outbound_work")
        raise
    driver.execute("RELEASE outbound_work")
