"""The order status machine (``domain/lifecycle.py``): every move it allows, every move it refuses.

The expected table is written out here from the protocol notes (docs/mws-protocol.md "The order's life", "Operations"),
not copied from the module, so a change to the rules has to change this file too.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from outbound.domain import lifecycle
from outbound.domain.orders import (
    CANCELLED,
    COMPLETE,
    COMPLETE_PARTIALLED,
    INVALID,
    ORDER_STATUSES,
    PLANNING,
    PROCESSING,
    RECEIVED,
    UNFULFILLABLE,
)
from tests.helpers import T0, make_order

LATER = T0 + timedelta(minutes=3)

# status → the statuses it may move to
EXPECTED: dict[str, set[str]] = {
    # accepted → planned; cancelled by the seller or a lapsed hold; invalid after acceptance; nothing can ship
    RECEIVED: {PLANNING, CANCELLED, INVALID, UNFULFILLABLE},
    # planned → released to a center; still cancellable; a FillAll order waiting in PLANNING may end partial
    PLANNING: {PROCESSING, CANCELLED, INVALID, UNFULFILLABLE, COMPLETE_PARTIALLED},
    # after release: no cancel (the FillAll remainder cancel ends COMPLETE_PARTIALLED), no way back
    PROCESSING: {COMPLETE, COMPLETE_PARTIALLED, UNFULFILLABLE},
    CANCELLED: set(),
    COMPLETE: set(),
    COMPLETE_PARTIALLED: set(),
    UNFULFILLABLE: set(),
    INVALID: set(),
}
FINAL = {CANCELLED, COMPLETE, COMPLETE_PARTIALLED, UNFULFILLABLE, INVALID}

ALL_PAIRS = [(a, b) for a in ORDER_STATUSES for b in ORDER_STATUSES]
ALLOWED_PAIRS = [(a, b) for a, b in ALL_PAIRS if b in EXPECTED[a]]
REFUSED_PAIRS = [(a, b) for a, b in ALL_PAIRS if b not in EXPECTED[a]]


def test_the_table_covers_every_status() -> None:
    assert set(EXPECTED) == set(ORDER_STATUSES)
    assert len(ORDER_STATUSES) == 8
    assert lifecycle.FINAL == FINAL
    assert len(ALLOWED_PAIRS) == 12
    assert len(REFUSED_PAIRS) == 64 - 12


@pytest.mark.parametrize(("current", "wanted"), ALLOWED_PAIRS)
def test_allowed_transition_moves_and_stamps(current: str, wanted: str) -> None:
    order = make_order(current)
    assert lifecycle.can_move(current, wanted)
    lifecycle.transition(order, wanted, LATER)
    assert order.status == wanted
    assert order.status_updated_at == LATER
    assert order.received_at == T0  # only the status stamp moves


@pytest.mark.parametrize(("current", "wanted"), REFUSED_PAIRS)
def test_refused_transition_changes_nothing(current: str, wanted: str) -> None:
    order = make_order(current)
    assert not lifecycle.can_move(current, wanted)
    with pytest.raises(lifecycle.IllegalTransition) as err:
        lifecycle.transition(order, wanted, LATER)
    assert (err.value.current, err.value.wanted) == (current, wanted)
    assert current in str(err.value) and wanted in str(err.value)
    assert order.status == current
    assert order.status_updated_at == T0


@pytest.mark.parametrize("status", ORDER_STATUSES)
def test_no_status_moves_to_itself(status: str) -> None:
    """A "transition" to the same status would restamp StatusUpdatedDateTime and relist the order: refused."""
    assert not lifecycle.can_move(status, status)


@pytest.mark.parametrize("status", sorted(FINAL))
def test_final_statuses_are_final(status: str) -> None:
    assert not any(lifecycle.can_move(status, other) for other in ORDER_STATUSES)


def test_no_status_goes_back_to_received_and_processing_is_not_cancellable() -> None:
    assert not any(lifecycle.can_move(s, RECEIVED) for s in ORDER_STATUSES)
    assert not lifecycle.can_move(PROCESSING, CANCELLED)
    assert not lifecycle.can_move(PROCESSING, PLANNING)
    assert not lifecycle.can_move(RECEIVED, PROCESSING)  # planning is never skipped
    assert not lifecycle.can_move(RECEIVED, COMPLETE)


def test_unknown_statuses_are_refused() -> None:
    assert not lifecycle.can_move("SHIPPED", COMPLETE)
    assert not lifecycle.can_move(RECEIVED, "received")
    order = make_order(RECEIVED)
    with pytest.raises(lifecycle.IllegalTransition):
        lifecycle.transition(order, "DONE", LATER)
    assert order.status == RECEIVED


def test_a_path_through_the_life_stamps_each_step() -> None:
    order = make_order(RECEIVED)
    steps = [
        (PLANNING, T0 + timedelta(minutes=2)),
        (PROCESSING, T0 + timedelta(hours=1)),
        (COMPLETE, T0 + timedelta(days=1)),
    ]
    for status, moment in steps:
        lifecycle.transition(order, status, moment)
        assert (order.status, order.status_updated_at) == (status, moment)
    with pytest.raises(lifecycle.IllegalTransition):
        lifecycle.transition(order, CANCELLED, T0 + timedelta(days=2))
    assert (order.status, order.status_updated_at) == (COMPLETE, T0 + timedelta(days=1))
