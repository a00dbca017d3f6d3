"""Allocation of order lines to fulfillment centers: nearest single center, fewest centers, shortfalls, determinism."""

from __future__ import annotations

import itertools
import random

from outbound.domain.allocation import Line, Pick, Plan, PlannedShipment, allocate, rank_centers
from outbound.domain.geo import US_STATES, destination_point
from outbound.domain.world import WORLD, FulfillmentCenter

US_CENTERS = [c for c in WORLD.centers.values() if c.country == "US"]
SEATTLE = destination_point("US", "WA", "98144")
NEWARK = destination_point("US", "NJ", "07102")


def center(code: str, lat: float, lon: float) -> FulfillmentCenter:
    return FulfillmentCenter(code, "US", "Town", "XX", "00000", lat, lon, "America/New_York", False)


# Four synthetic centers on a line east of the origin: A nearest, D farthest.
A, B, C, D = (center(code, 0.0, lon) for code, lon in (("A", 1.0), ("B", 2.0), ("C", 3.0), ("D", 4.0)))
ORIGIN = (0.0, 0.0)


def test_single_center_nearest_to_the_destination() -> None:
    stock = {"BFI4": {"MUG": 5}, "ABE8": {"MUG": 5}, "DFW7": {"MUG": 5}}
    lines = [Line("1", "MUG", 2)]
    west = allocate(lines, stock, US_CENTERS, SEATTLE)
    east = allocate(lines, stock, US_CENTERS, NEWARK)
    assert west == Plan((PlannedShipment("BFI4", (Pick("1", "MUG", 2),)),), {})
    assert east.fc_codes == ("ABE8",)
    assert west.is_complete and west.allocated("1") == 2


def test_a_farther_center_holding_everything_beats_a_split() -> None:
    stock = {"A": {"X": 1, "Y": 1}, "C": {"X": 1, "Y": 1, "Z": 1}, "B": {"Z": 1}}
    plan = allocate([Line("1", "X", 1), Line("2", "Y", 1), Line("3", "Z", 1)], stock, [A, B, C], ORIGIN)
    assert plan.fc_codes == ("C",)
    assert [p.item_id for p in plan.shipments[0].picks] == ["1", "2", "3"]


def test_split_across_two_centers_ordered_by_distance() -> None:
    stock = {"B": {"X": 3}, "C": {"Y": 2}, "A": {"Z": 9}}
    plan = allocate([Line("1", "Y", 2), Line("2", "X", 3)], stock, [C, B, A], ORIGIN)
    assert plan == Plan(
        (PlannedShipment("B", (Pick("2", "X", 3),)), PlannedShipment("C", (Pick("1", "Y", 2),))),
        {},
    )


def test_fewest_centers_by_units_covered() -> None:
    # B covers 3 of the 4 units; A (nearer) only 2. The greedy cover takes B first, then whatever covers the rest.
    stock = {"A": {"X": 2}, "B": {"X": 2, "Y": 1}, "C": {"Z": 1}, "D": {"Z": 1, "Y": 1}}
    plan = allocate([Line("1", "X", 2), Line("2", "Y", 1), Line("3", "Z", 1)], stock, [A, B, C, D], ORIGIN)
    assert plan.fc_codes == ("B", "C")
    assert plan.is_complete


def test_one_line_is_not_split_when_one_center_can_take_it() -> None:
    # Both centers are needed. Taking the first line from the nearer A would leave the 4-unit line split over
    # A and B; placing the biggest line first keeps every line whole.
    stock = {"A": {"X": 4, "Y": 1}, "B": {"X": 2}}
    plan = allocate([Line("small", "X", 2), Line("big", "X", 4), Line("other", "Y", 1)], stock, [A, B], ORIGIN)
    assert plan.shipments == (
        PlannedShipment("A", (Pick("big", "X", 4), Pick("other", "Y", 1))),
        PlannedShipment("B", (Pick("small", "X", 2),)),
    )


def test_a_line_no_center_can_hold_is_split_over_the_fewest_centers() -> None:
    stock = {"A": {"X": 1}, "B": {"X": 2}, "C": {"X": 4}}
    plan = allocate([Line("1", "X", 6)], stock, [A, B, C], ORIGIN)
    assert plan.shipments == (
        PlannedShipment("B", (Pick("1", "X", 2),)),
        PlannedShipment("C", (Pick("1", "X", 4),)),
    )


def test_a_split_line_takes_the_biggest_chunks_first() -> None:
    # The cover needs A (for Y), B (for Z) and C; the 6-unit line then comes from C and B, not from all three.
    stock = {"A": {"X": 1, "Y": 1}, "B": {"X": 2, "Z": 1}, "C": {"X": 5}}
    plan = allocate([Line("1", "X", 6), Line("2", "Y", 1), Line("3", "Z", 1)], stock, [A, B, C], ORIGIN)
    assert plan.shipments == (
        PlannedShipment("A", (Pick("2", "Y", 1),)),
        PlannedShipment("B", (Pick("1", "X", 1), Pick("3", "Z", 1))),
        PlannedShipment("C", (Pick("1", "X", 5),)),
    )


def test_same_sku_on_two_lines_does_not_double_count_stock() -> None:
    stock = {"A": {"X": 3}}
    plan = allocate([Line("1", "X", 2), Line("2", "X", 2)], stock, [A], ORIGIN)
    assert plan.short == {"2": 1}
    assert plan.allocated("1") == 2 and plan.allocated("2") == 1
    assert sum(p.quantity for s in plan.shipments for p in s.picks) == 3


def test_same_sku_on_two_lines_fits_when_there_is_enough() -> None:
    stock = {"A": {"X": 2}, "B": {"X": 4}}
    plan = allocate([Line("1", "X", 4), Line("2", "X", 2)], stock, [A, B], ORIGIN)
    assert plan.is_complete
    assert plan.shipments == (
        PlannedShipment("A", (Pick("2", "X", 2),)),
        PlannedShipment("B", (Pick("1", "X", 4),)),
    )


def test_shortfalls_unknown_sku_partial_and_none() -> None:
    stock = {"A": {"X": 1}, "B": {"X": 1, "Y": 0}}
    plan = allocate([Line("1", "X", 3), Line("2", "Y", 1), Line("3", "NOPE", 2)], stock, [A, B], ORIGIN)
    assert plan.short == {"1": 1, "2": 1, "3": 2}
    assert not plan.is_complete
    assert plan.allocated("1") == 2 and plan.allocated("3") == 0
    assert plan.fc_codes == ("A", "B")


def test_nothing_in_stock_gives_no_shipments() -> None:
    plan = allocate([Line("1", "X", 1)], {}, [A, B], ORIGIN)
    assert plan.shipments == () and plan.short == {"1": 1}


def test_stock_outside_the_candidate_centers_is_ignored() -> None:
    plan = allocate([Line("1", "X", 1)], {"D": {"X": 5}}, [A, B], ORIGIN)
    assert plan.short == {"1": 1}


def test_zero_quantity_lines_and_negative_stock_are_harmless() -> None:
    plan = allocate([Line("1", "X", 0), Line("2", "X", 1)], {"A": {"X": -4}, "B": {"X": 1}}, [A, B], ORIGIN)
    assert plan.shipments == (PlannedShipment("B", (Pick("2", "X", 1),)),)
    assert plan.short == {}


def test_ties_are_broken_by_code_and_no_destination_orders_by_code() -> None:
    twin_a, twin_b = center("ZZ1", 0.0, 1.0), center("AA1", 0.0, 1.0)
    stock = {"ZZ1": {"X": 1}, "AA1": {"X": 1}}
    assert allocate([Line("1", "X", 1)], stock, [twin_a, twin_b], ORIGIN).fc_codes == ("AA1",)
    assert [c.code for c in rank_centers([D, A, C, B], None)] == ["A", "B", "C", "D"]
    assert [c.code for c in rank_centers([D, A, C, B], (0.0, 5.0))] == ["D", "C", "B", "A"]
    plan = allocate([Line("1", "X", 1)], {"D": {"X": 1}, "C": {"X": 1}}, [D, C], None)
    assert plan.fc_codes == ("C",)


def test_deterministic_whatever_the_input_order() -> None:
    lines = [Line("1", "X", 3), Line("2", "Y", 2), Line("3", "X", 2), Line("4", "Z", 1)]
    stock = {"A": {"X": 2, "Y": 1}, "B": {"X": 2, "Z": 1}, "C": {"Y": 2, "X": 1}, "D": {"X": 5}}
    expected = allocate(lines, stock, [A, B, C, D], ORIGIN)
    rng = random.Random(7)
    for centers in itertools.permutations([A, B, C, D]):
        shuffled = {code: dict(rng.sample(sorted(skus.items()), len(skus))) for code, skus in stock.items()}
        shuffled = dict(rng.sample(sorted(shuffled.items()), len(shuffled)))
        assert allocate(lines, shuffled, list(centers), ORIGIN) == expected
    # and the plan keeps its promises: every unit placed once, never beyond a center's stock
    used: dict[tuple[str, str], int] = {}
    for shipment in expected.shipments:
        for pick in shipment.picks:
            used[shipment.fc_code, pick.sku] = used.get((shipment.fc_code, pick.sku), 0) + pick.quantity
    assert all(units <= stock[fc][sku] for (fc, sku), units in used.items())
    assert sum(used.values()) + sum(expected.short.values()) == sum(line.quantity for line in lines)


def test_real_network_seattle_prefers_kent() -> None:
    ranked = rank_centers(US_CENTERS, US_STATES["WA"])
    assert ranked[0].code == "BFI4"
    assert ranked[-1].code in {"JAX3", "ABE8", "BWI2", "ATL6"}
