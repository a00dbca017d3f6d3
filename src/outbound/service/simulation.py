"""Time travel and scenarios, shared by the CLI and the admin API: show, advance and set the virtual clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update

from outbound.sim.clock import VirtualClock
from outbound.sim.engine import Engine
from outbound.store import Database
from outbound.store import orders as order_store
from outbound.store.schema import orders


class ClockError(ValueError):
    """A refused clock move (backwards in time)."""


@dataclass(frozen=True)
class Moved:
    now: datetime
    steps: int


def show(db: Database) -> datetime:
    return VirtualClock(db).now()


def advance(db: Database, by: timedelta, engine: Engine | None = None) -> Moved:
    """Advance the virtual clock by ``by``, applying every lifecycle step that falls due, in time order."""
    if by <= timedelta():
        raise ClockError("the clock only moves forward")
    clock = VirtualClock(db)
    return set_to(db, clock.now() + by, engine)


def set_to(db: Database, moment: datetime, engine: Engine | None = None) -> Moved:
    """Move the virtual clock forward to ``moment`` (never back: what happened stays happened)."""
    clock = VirtualClock(db)
    if moment < clock.now():
        raise ClockError(f"the clock is at {clock.now().isoformat()} and only moves forward")
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
            conn.execute(
                update(orders).where(orders.c.id == stored.id, orders.c.next_step_at > now).values(next_step_at=now)
            )
