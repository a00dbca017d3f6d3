"""The moves the simulator and the seller make (domain/lifecycle.py), and how shipments come about
(domain/shipping.py): seeded randomness, shipment ids, package numbers, ship times.

The full 8 × 8 table of allowed and refused status moves is in ``test_lifecycle.py``; this file checks that every
move a documented path of the order's life needs is among the allowed ones, and that the paths the protocol forbids
are refused.
"""

from __future__ import annotations

import random
from datetime import timedelta
from itertools import pairwise

import pytest

from outbound.domain import lifecycle, shipping
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

# Paths of the order's life (docs/mws-protocol.md "The order's life", "Operations") and who takes them.
PATHS: dict[str, list[str]] = {
    "shipped in full": [RECEIVED, PLANNING, PROCESSING, COMPLETE],
    "FillAllAvailable, some units short": [RECEIVED, PLANNING, PROCESSING, COMPLETE_PARTIALLED],
    "FillOrKill short after picking began": [RECEIVED, PLANNING, PROCESSING, COMPLETE_PARTIALLED],
    "FillAll remainder cancelled by the seller": [RECEIVED, PLANNING, PROCESSING, COMPLETE_PARTIALLED],
    "FillOrKill short while planning": [RECEIVED, PLANNING, UNFULFILLABLE],
    "FillAllAvailable, nothing available": [RECEIVED, PLANNING, UNFULFILLABLE],
    "forced unfulfillable while processing": [RECEIVED, PLANNING, PROCESSING, UNFULFILLABLE],
    "a hold that lapses (or a cancel before planning)": [RECEIVED, CANCELLED],
    "cancelled while planning": [RECEIVED, PLANNING, CANCELLED],
    "invalid after acceptance": [RECEIVED, INVALID],
    "invalid while planning": [RECEIVED, PLANNING, INVALID],
    "forced unfulfillable at once": [RECEIVED, UNFULFILLABLE],
}
FORBIDDEN: list[tuple[str, str, str]] = [
    (PROCESSING, CANCELLED, "no cancel once processing (only the FillAll remainder, which ends partial)"),
    (PROCESSING, INVALID, "validation is over once processing"),
    (RECEIVED, PROCESSING, "planning is never skipped"),
    (RECEIVED, COMPLETE, "nothing ships before processing"),
    (RECEIVED, COMPLETE_PARTIALLED, "nothing ships before processing"),
    (PLANNING, COMPLETE, "nothing ships while planning"),
    (PLANNING, RECEIVED, "no way back"),
    (PROCESSING, PLANNING, "no way back"),
    (COMPLETE, CANCELLED, "a final status is final"),
    (CANCELLED, PLANNING, "a cancelled order is not revived"),
    (UNFULFILLABLE, PLANNING, "stock arriving later does not revive an ended order"),
]


@pytest.mark.parametrize("path", list(PATHS.values()), ids=list(PATHS))
def test_each_documented_path_is_allowed_and_stamps_each_step(path: list[str]) -> None:
    order = make_order(path[0])
    for n, status in enumerate(path[1:], 1):
        lifecycle.transition(order, status, T0 + timedelta(minutes=n))
        assert (order.status, order.status_updated_at) == (status, T0 + timedelta(minutes=n))
    assert order.status in lifecycle.FINAL


def test_the_paths_use_every_allowed_move() -> None:
    used = {(a, b) for path in PATHS.values() for a, b in pairwise(path)}
    allowed = {(a, b) for a in ORDER_STATUSES for b in ORDER_STATUSES if lifecycle.can_move(a, b)}
    # PLANNING → COMPLETE_PARTIALLED: a FillAll order still waiting in PLANNING whose remainder is cancelled
    assert allowed - used == {(PLANNING, COMPLETE_PARTIALLED)}
    assert used <= allowed


@pytest.mark.parametrize(("current", "wanted", "why"), FORBIDDEN, ids=[f"{a}->{b}" for a, b, _ in FORBIDDEN])
def test_forbidden_moves_are_refused(current: str, wanted: str, why: str) -> None:
    order = make_order(current)
    with pytest.raises(lifecycle.IllegalTransition, match=f"an order in {current} cannot become {wanted}"):
        lifecycle.transition(order, wanted, T0 + timedelta(minutes=3))
    assert (order.status, order.status_updated_at) == (current, T0), why  # the order's own stamp, untouched


# ------------------------------------------------------------------------------------------------ shipping


def draws(rng: random.Random, n: int = 5) -> list[float]:
    return [rng.random() for _ in range(n)]


def test_rng_is_seeded_by_seller_order_and_step() -> None:
    assert draws(shipping.rng_for("S", "O", "planning")) == draws(shipping.rng_for("S", "O", "planning"))
    base = draws(shipping.rng_for("S", "O", "planning"))
    for other in (("S2", "O", "planning"), ("S", "O2", "planning"), ("S", "O", "received")):
        assert draws(shipping.rng_for(*other)) != base


def test_shipment_ids_look_like_amazons_and_are_reproducible() -> None:
    ids = {shipping.shipment_id(shipping.rng_for("S", f"O{n}", "shipment/0/0")) for n in range(500)}
    assert len(ids) == 500
    for value in ids:
        assert len(value) == 9 and value[0] == "D"
        assert set(value[1:]) <= set(shipping.SHIPMENT_ID_ALPHABET)
    assert shipping.shipment_id(shipping.rng_for("S", "O", "s")) == shipping.shipment_id(
        shipping.rng_for("S", "O", "s")
    )


def test_package_numbers_are_unique_per_shipment_row_and_box() -> None:
    numbers = [shipping.package_number(row, box) for row in range(1, 2001) for box in range(8)]
    assert len(set(numbers)) == len(numbers)
    assert min(numbers) > shipping.PACKAGE_BASE
    assert max(numbers) < 2**31  # PackageNumber is an xs:int
    assert shipping.package_number(1, 0) == 185_528_008
    assert numbers == sorted(numbers)


@pytest.mark.parametrize(("units", "boxes"), [(1, 1), (10, 1), (11, 2), (25, 3), (80, 8), (500, 8)])
def test_packages_for(units: int, boxes: int) -> None:
    assert shipping.packages_for(units) == boxes


def test_delays_stay_in_their_bounds_and_scale() -> None:
    timings = shipping.DEFAULT_TIMINGS
    slow = timings.scaled(3.0)
    assert slow.multiplier == 3.0 and timings.scaled(2).scaled(1.5).multiplier == 3.0
    for n in range(200):
        rng = shipping.rng_for("S", f"O{n}", "planning")
        delay = timings.delay(rng, timings.planning_to_processing)
        assert timedelta(minutes=15) <= delay <= timedelta(minutes=90)
        slow_delay = slow.delay(shipping.rng_for("S", f"O{n}", "planning"), slow.planning_to_processing)
        assert abs(slow_delay - delay * 3) < timedelta(milliseconds=1)
        received = timings.delay(shipping.rng_for("S", f"O{n}", "received"), timings.received_to_planning)
        assert timedelta(minutes=1) <= received <= timedelta(minutes=5)


@pytest.mark.parametrize("multiplier", [1.0, 2.5])
def test_ship_time_bounds(multiplier: float) -> None:
    timings = shipping.DEFAULT_TIMINGS.scaled(multiplier)
    earliest_gap = timedelta(minutes=60 * multiplier)
    latest_gap = timedelta(minutes=240 * multiplier)
    processing_at = T0 + timedelta(microseconds=123_456)
    for n in range(300):
        latest_ship = T0 + timedelta(hours=n % 40)  # from "already past" to "days ahead"
        ship = shipping.ship_time(shipping.rng_for("S", f"O{n}", "s"), processing_at, latest_ship, timings)
        again = shipping.ship_time(shipping.rng_for("S", f"O{n}", "s"), processing_at, latest_ship, timings)
        assert ship == again  # same draws, same time
        assert ship.microsecond == 0  # whole seconds, as the wire shows it
        assert ship >= processing_at + earliest_gap  # picking and packing first
        earliest = processing_at + shipping.DEFAULT_TIMINGS.scaled(multiplier).delay(
            shipping.rng_for("S", f"O{n}", "s"), timings.processing_to_ship
        )
        if latest_ship > earliest + timedelta(seconds=2):
            assert ship <= earliest + (latest_ship - earliest) / 2 + timedelta(seconds=1)
            assert ship <= latest_ship  # by the promised latest ship date
        else:
            assert ship - earliest < timedelta(seconds=1)  # no room: as soon as packed
            assert ship <= processing_at + latest_gap + timedelta(seconds=1)


def test_ship_time_without_a_promise_is_as_soon_as_packed() -> None:
    timings = shipping.DEFAULT_TIMINGS
    ship = shipping.ship_time(shipping.rng_for("S", "O", "s"), T0, None, timings)
    assert timedelta(minutes=60) <= ship - T0 <= timedelta(minutes=240, seconds=1)
