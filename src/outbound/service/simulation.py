"""The virtual clock and the lifecycle it drives, shared by the CLI and the admin API: show, advance and set the
clock, wake an order, and the service clock and worker the composition roots start."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from outbound.sim import clock as clocks
from outbound.sim.clock import Clock, VirtualClock
from outbound.sim.engine import Engine, Runner, parse_duration
from outbound.store import Database
from outbound.store import orders as order_store


class ClockError(ValueError):
    """A refused clock move (backwards in time)."""


@dataclass(frozen=True)
class Moved:
    now: datetime
    steps: int


def service_clock(kind: str, db: Database) -> Clock:
    """The clock every time-dependent rule reads: ``real`` (wall time) or ``virtual`` (stored in ``db``)."""
    return clocks.build(kind, db)


MAX_MOVE = timedelta(days=3660)  # one move of the clock: ten years is more than any test needs


def duration(text: str) -> timedelta:
    """A duration as operators write it (90m, 2h, 3d, 1w, 1d12h); ``ValueError`` with a readable message if not."""
    try:
        found = parse_duration(text)
    except (ValueError, OverflowError):
        raise ValueError(f"not a duration: {text!r} (use e.g. 90m, 2h, 3d, 1d12h)") from None
    if found > MAX_MOVE:
        raise ValueError(f"a duration of at most {MAX_MOVE.days} days, not {text!r}")
    return found


def show(db: Database) -> datetime:
    return VirtualClock(db).now()


def advance(db: Database, by: timedelta, engine: Engine | None = None) -> Moved:
    """Advance the virtual clock by ``by``, applying every lifecycle step that falls due, in time order."""
    if by <= timedelta():
        raise ClockError("the clock only moves forward")
    clock = VirtualClock(db)
    try:
        target = clock.now() + by
    except OverflowError:
        raise ClockError(f"the clock is at {clock.now().isoformat()} and can't move {by} further") from None
    return set_to(db, target, engine)


def set_to(db: Database, moment: datetime, engine: Engine | None = None) -> Moved:
    """Move the virtual clock forward to ``moment`` (never back: what happened stays happened)."""
    clock = VirtualClock(db)
    if moment < clock.now():
        raise ClockError(f"the clock is at {clock.now().isoformat()} and only moves forward")
    if moment - clock.now() > MAX_MOVE:
        raise ClockError(f"the clock moves at most {MAX_MOVE.days} days at once; it is at {clock.now().isoformat()}")
    steps = (engine or Engine(db)).advance(clock, moment)
    return Moved(moment, steps)


def wake(db: Database, seller_id: str, seller_order_id: str, now: datetime) -> None:
    """Make an order's next step due now (a scenario that should apply at once).

    Only ever earlier: an order whose next step is already due stays so, and an ended order (no next step) stays
    ended — a caller whose ``now`` comes from another clock than the store's cannot push a step into the future.
    """
    with db.transaction() as conn:
        stored = order_store.load_order(conn, seller_id, seller_order_id, children=False)
        if stored is not None:
            order_store.bring_step_forward(conn, stored.id, now)


LifecycleRunner = Runner  # the type adapters hold a running engine by


def lifecycle_runner(
    db: Database, clock: Clock, interval: float = 1.0, on_applied: Callable[[int], None] | None = None
) -> Runner:
    """The lifecycle engine, polling ``clock`` every ``interval`` seconds while nothing is due (``outbound worker``,
    and ``outbound serve`` on the real clock); ``on_applied`` hears how many steps each pass applied (metrics)."""
    return Runner(Engine(db), clock, interval, on_applied=on_applied)
