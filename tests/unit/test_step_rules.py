"""The rules a step decides by (domain/lifecycle.py): receipt, hold lapse, the fill policies, how an order ends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from outbound.domain import lifecycle, shipping
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
    OrderItem,
)

T0 = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)


def test_a_received_order_is_planned_once_its_receipt_delay_is_over() -> None:
    timings = shipping.DEFAULT_TIMINGS
    waiting = lifecycle.after_receipt("S", "O-1", T0, T0, timings)
    assert not waiting.planned
    assert T0 + timedelta(minutes=1) <= waiting.next_step_at <= T0 + timedelta(minutes=5)
    assert lifecycle.after_receipt("S", "O-1", T0, T0, timings) == waiting  # seeded by the order, not by chance
    later = waiting.next_step_at
    planned = lifecycle.after_receipt("S", "O-1", T0, later, timings)
    assert planned.planned
    assert later + timedelta(minutes=15) <= planned.next_step_at <= later + timedelta(minutes=90)


def test_a_slowed_seller_waits_longer_for_planning() -> None:
    fast = lifecycle.after_receipt("S", "O-2", T0, T0, shipping.DEFAULT_TIMINGS)
    slow = lifecycle.after_receipt("S", "O-2", T0, T0, shipping.DEFAULT_TIMINGS.scaled(10))
    assert (slow.next_step_at - T0).total_seconds() == pytest.approx((fast.next_step_at - T0).total_seconds() * 10)


def test_a_hold_lapses_at_its_end() -> None:
    end = T0 + lifecycle.HOLD_LIFETIME
    assert timedelta(days=14) == lifecycle.HOLD_LIFETIME
    assert not lifecycle.hold_lapsed(end, end - timedelta(seconds=1))
    assert lifecycle.hold_lapsed(end, end)
    assert lifecycle.hold_lapsed(None, T0)


@pytest.mark.parametrize(
    ("policy", "short", "reserved", "action", "unfulfillable"),
    [
        (FILL_OR_KILL, {"a": 1}, True, lifecycle.KILL, {}),
        (FILL_OR_KILL, {}, True, lifecycle.SHIP, {}),
        (FILL_OR_KILL, {}, False, lifecycle.NOTHING, {}),
        (FILL_ALL, {"a": 1}, True, lifecycle.SHIP, {}),
        (FILL_ALL, {"a": 1}, False, lifecycle.WAIT, {}),
        (FILL_ALL_AVAILABLE, {"a": 1}, True, lifecycle.SHIP, {"a": 1}),
        (FILL_ALL_AVAILABLE, {"a": 2, "b": 1}, False, lifecycle.NOTHING, {"a": 2, "b": 1}),
    ],
)
def test_planning_by_fill_policy(
    policy: str, short: dict[str, int], reserved: bool, action: str, unfulfillable: dict[str, int]
) -> None:
    assert lifecycle.planning_decision(policy, short, reserved) == (action, unfulfillable)


def test_only_fill_all_waits_and_only_fill_or_kill_never_tops_up() -> None:
    assert [lifecycle.waits_for_stock(p) for p in (FILL_OR_KILL, FILL_ALL, FILL_ALL_AVAILABLE)] == [0, 1, 0]
    assert [lifecycle.tops_up(p) for p in (FILL_OR_KILL, FILL_ALL, FILL_ALL_AVAILABLE)] == [0, 1, 1]


def test_an_order_completes_partially_when_a_unit_did_not_ship() -> None:
    whole = [OrderItem("SKU", "1", 2), OrderItem("SKU", "2", 1)]
    assert lifecycle.completed_status(whole) == COMPLETE
    assert lifecycle.completed_status([*whole, OrderItem("SKU", "3", 2, unfulfillable_quantity=1)]) == (
        COMPLETE_PARTIALLED
    )
    assert lifecycle.completed_status([OrderItem("SKU", "4", 2, cancelled_quantity=2)]) == COMPLETE_PARTIALLED


@pytest.mark.parametrize(
    ("current", "wanted", "shipped", "ends"),
    [
        (RECEIVED, INVALID, False, INVALID),
        (PLANNING, UNFULFILLABLE, False, UNFULFILLABLE),
        (PROCESSING, INVALID, False, UNFULFILLABLE),  # INVALID only before processing
        (PROCESSING, UNFULFILLABLE, True, COMPLETE_PARTIALLED),  # a shipment left: the rest is cancelled
        (PLANNING, INVALID, True, COMPLETE_PARTIALLED),
    ],
)
def test_how_an_order_ends_unshipped(current: str, wanted: str, shipped: bool, ends: str) -> None:
    assert lifecycle.unshipped_end(current, wanted, shipped) == ends
    assert lifecycle.can_move(current, ends) and ends != CANCELLED
