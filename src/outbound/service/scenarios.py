"""Adding, listing and removing scenarios (what each kind does: ``domain/scenarios.py``), for the CLI, the admin
API and tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from outbound.domain import scenarios as rules
from outbound.domain.orders import PLANNING, PROCESSING, RECEIVED
from outbound.domain.scenarios import Scenario
from outbound.service import simulation
from outbound.service.errors import NotFound, Refused, unknown_seller
from outbound.sim.clock import Clock
from outbound.store import Database
from outbound.store import accounts as account_store
from outbound.store import orders as order_store
from outbound.store import scenarios as store

KINDS = rules.KINDS
OPEN_STATUSES = (RECEIVED, PLANNING, PROCESSING)  # a forced status can still end these
MAX_REMAINING = 1_000_000


def add(
    db: Database,
    seller_id: str,
    kind: str,
    params: dict[str, Any],
    now: datetime,
    *,
    seller_order_id: str | None = None,
    remaining: int | None = None,
    order_exists: bool = True,
) -> int:
    """Store a scenario; its id. One that could never apply is refused with a message naming the fix: ``Refused``
    for a bad kind, parameter or count, or a forced status on an order already finished; ``NotFound`` for an
    unknown seller or order. ``order_exists=False`` lets a caller that is about to create the order (the demo)
    prepare its scenario first."""
    try:
        rules.validate(kind, params)
    except ValueError as exc:
        raise Refused(str(exc)) from None
    if remaining is not None and not 1 <= remaining <= MAX_REMAINING:
        raise Refused(f"remaining (--times) must be between 1 and {MAX_REMAINING:,}, not {remaining}")
    with db.transaction() as conn:
        if not account_store.seller_exists(conn, seller_id):
            raise unknown_seller(seller_id)
        if seller_order_id is not None:
            found = order_store.load_order(conn, seller_id, seller_order_id, children=False)
            if found is None and order_exists:
                raise NotFound(f"seller {seller_id} has no order {seller_order_id}")
            if found is not None and kind == "force_status" and found.order.status not in OPEN_STATUSES:
                raise Refused(
                    f"order {seller_order_id} is already {found.order.status}; force_status only ends an order "
                    f"that is still {', '.join(OPEN_STATUSES)}"
                )
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
