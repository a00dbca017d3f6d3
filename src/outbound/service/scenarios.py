"""Adding, listing and removing scenarios (what each kind does: ``domain/scenarios.py``), for the CLI, the admin
API and tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from outbound.domain import scenarios as rules
from outbound.domain.scenarios import Scenario
from outbound.service import simulation
from outbound.sim.clock import Clock
from outbound.store import Database
from outbound.store import scenarios as store

KINDS = rules.KINDS


def add(
    db: Database,
    seller_id: str,
    kind: str,
    params: dict[str, Any],
    now: datetime,
    *,
    seller_order_id: str | None = None,
    remaining: int | None = None,
) -> int:
    """Store a scenario (``ValueError`` with a readable message for one that could never apply); its id."""
    rules.validate(kind, params)
    with db.transaction() as conn:
        return store.insert_scenario(conn, seller_id, kind, params, now, seller_order_id, remaining)


def add_and_wake(
    db: Database,
    clock: Clock,
    seller_id: str,
    kind: str,
    params: dict[str, Any],
    *,
    seller_order_id: str | None = None,
    remaining: int | None = None,
) -> int:
    """What an operator's "add a scenario" does, from the CLI or the admin API alike: store it (stamped with the wall
    clock), and if it acts at once (:func:`outbound.domain.scenarios.acts_at_once`) make its order's next step due at
    ``clock``'s now."""
    scenario_id = add(
        db, seller_id, kind, params, datetime.now(UTC), seller_order_id=seller_order_id, remaining=remaining
    )
    if seller_order_id and rules.acts_at_once(kind):
        simulation.wake(db, seller_id, str(seller_order_id), clock.now())
    return scenario_id


def remove(db: Database, scenario_id: int | None = None, *, seller_id: str | None = None) -> int:
    """Remove one scenario, or every scenario of a seller; the number removed."""
    with db.transaction() as conn:
        return store.delete_scenarios(conn, scenario_id, seller_id)


def listing(db: Database, seller_id: str | None = None) -> list[Scenario]:
    """Every scenario (of one seller), oldest first."""
    with db.read() as conn:
        return store.list_scenarios(conn, seller_id)
