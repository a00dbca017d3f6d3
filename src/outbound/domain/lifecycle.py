"""The order status machine: which moves are allowed, the one function that makes them, and the rules that
decide each step an order takes.

Every status change (a seller's cancel, the simulator's steps) goes through :func:`transition`, so the rules and
``StatusUpdatedDateTime`` are kept in one place. What a step decides (when a received order is planned, when a hold
lapses, what each fill policy does with units short of stock, how an order ends) is decided by the functions below,
which the simulator's steps (``sim/steps.py``) call: they hold no store, clock or randomness of their own (draws
come from ``shipping.rng_for``, seeded by the order's identity).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import NamedTuple

from outbound.domain import shipping
from outbound.domain.orders import (
    CANCELLED,
    COMPLETE,
    COMPLETE_PARTIALLED,
    FILL_ALL,
    FILL_ALL_AVAILABLE,
    FILL_OR_KILL,
    INVALID,
    PLANNING,
    PROCESSING,
    RECEIVED,
    UNFULFILLABLE,
    Order,
    OrderItem,
)

FINAL = frozenset({CANCELLED, COMPLETE, COMPLETE_PARTIALLED, UNFULFILLABLE, INVALID})

ALLOWED: dict[str, frozenset[str]] = {
    RECEIVED: frozenset({PLANNING, CANCELLED, INVALID, UNFULFILLABLE}),
    PLANNING: frozenset({PROCESSING, CANCELLED, INVALID, UNFULFILLABLE, COMPLETE_PARTIALLED}),
    PROCESSING: frozenset({COMPLETE, COMPLETE_PARTIALLED, UNFULFILLABLE}),
    **{status: frozenset() for status in FINAL},
}


class IllegalTransition(Exception):
    def __init__(self, current: str, wanted: str) -> None:
        super().__init__(f"an order in {current} cannot become {wanted}")
        self.current = current
        self.wanted = wanted


def can_move(current: str, wanted: str) -> bool:
    return wanted in ALLOWED.get(current, frozenset())


def transition(order: Order, wanted: str, now: datetime) -> None:
    """Move ``order`` to ``wanted`` at ``now``, or raise :class:`IllegalTransition`."""
    if not can_move(order.status, wanted):
        raise IllegalTransition(order.status, wanted)
    order.status = wanted
    order.status_updated_at = now


# --------------------------------------------------------------------------------------------- the receipt

HOLD_LIFETIME = timedelta(days=14)
"""A held order not released within this time lapses: it is cancelled and its units go back to stock."""


def hold_lapsed(hold_until: datetime | None, now: datetime) -> bool:
    """Whether a held order's hold is over at ``now`` (a hold without an end lapses at its next step)."""
    return hold_until is None or hold_until <= now


class Receipt(NamedTuple):
    """A received order's step: planned now (→ PLANNING) or not yet, and when its next step is due."""

    planned: bool
    next_step_at: datetime


def after_receipt(
    seller_id: str, seller_order_id: str, received_at: datetime, now: datetime, timings: shipping.Timings
) -> Receipt:
    """A received order that is not held: planning starts 1-5 minutes after receipt (docs/world.md), so before then
    the step only sets the moment it will; once it has come, the order moves to PLANNING and its processing is
    due 15-90 minutes later. A hold released late is planned at once (its receipt delay is long over)."""
    rng = shipping.rng_for(seller_id, seller_order_id, "received")
    ready = received_at + timings.delay(rng, timings.received_to_planning)
    if ready > now:
        return Receipt(False, ready)
    rng = shipping.rng_for(seller_id, seller_order_id, "planning")
    return Receipt(True, now + timings.delay(rng, timings.planning_to_processing))


# ---------------------------------------------------------------------------------------- the fill policies


def tops_up(policy: str) -> bool:
    """Whether units short at receipt may still be reserved later (all policies but FillOrKill)."""
    return policy != FILL_OR_KILL


def waits_for_stock(policy: str) -> bool:
    """Whether units short of stock are waited for (FillAll), rather than given up."""
    return policy == FILL_ALL


KILL = "kill"  # the order ends UNFULFILLABLE with nothing shipped (FillOrKill, a unit short)
WAIT = "wait"  # nothing reserved yet: look for stock again later (FillAll)
NOTHING = "nothing"  # nothing reserved and nothing to wait for: the order is UNFULFILLABLE
SHIP = "ship"  # shipments are made from what is reserved: the order moves to PROCESSING


class PlanningDecision(NamedTuple):
    """What planning does (:data:`KILL`, :data:`WAIT`, :data:`NOTHING`, :data:`SHIP`) and the units of each line
    (by item id) declared unfulfillable on the way."""

    action: str
    unfulfillable: Mapping[str, int]


def planning_decision(policy: str, short: Mapping[str, int], reserved: bool) -> PlanningDecision:
    """What a PLANNING order's step does, by its fill policy, once stock was reserved for it: ``short`` are the
    units per line still without stock, ``reserved`` whether any unit is reserved.

    FillOrKill: a unit short ends the order. FillAllAvailable: the short units are unfulfillable, the rest ships.
    FillAll: the rest ships, the short units wait (:func:`waits_for_stock`); with nothing reserved it waits."""
    if short and policy == FILL_OR_KILL:
        return PlanningDecision(KILL, {})
    dropped = dict(short) if policy == FILL_ALL_AVAILABLE else {}
    if not reserved:
        return PlanningDecision(WAIT if waits_for_stock(policy) else NOTHING, dropped)
    return PlanningDecision(SHIP, dropped)


# ---------------------------------------------------------------------------------------------- the end


def completed_status(items: Iterable[OrderItem]) -> str:
    """How an order whose shipments have all left ends: COMPLETE when every unit shipped, else
    COMPLETE_PARTIALLED (some were cancelled or unfulfillable)."""
    whole = all(i.cancelled_quantity == 0 and i.unfulfillable_quantity == 0 for i in items)
    return COMPLETE if whole else COMPLETE_PARTIALLED


def unshipped_end(current: str, wanted: str, any_shipped: bool) -> str:
    """The status an order takes when it ends before the rest of it ships (``wanted``: UNFULFILLABLE or INVALID).
    Once a shipment has left it is COMPLETE_PARTIALLED (the rest is cancelled); INVALID is only reachable before
    processing, so later it is UNFULFILLABLE, or COMPLETE_PARTIALLED where even that is not allowed."""
    if any_shipped:
        return COMPLETE_PARTIALLED
    if wanted == INVALID and not can_move(current, INVALID):
        return UNFULFILLABLE if can_move(current, UNFULFILLABLE) else COMPLETE_PARTIALLED
    return wanted
