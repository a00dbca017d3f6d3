"""The order status machine: which moves are allowed, and the one function that makes them.

Every status change (a seller's cancel, the simulator's steps) goes through :func:`transition`, so the rules and
``StatusUpdatedDateTime`` are kept in one place.
"""

from __future__ import annotations

from datetime import datetime

from outbound.domain.orders import (
    CANCELLED,
    COMPLETE,
    COMPLETE_PARTIALLED,
    INVALID,
    PLANNING,
    PROCESSING,
    RECEIVED,
    UNFULFILLABLE,
    Order,
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
