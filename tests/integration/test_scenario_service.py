"""Adding scenarios as an operator does (the CLI and the admin API both call ``scenarios.add_and_wake``): only a
forced status for an order acts at once, every other kind waits for the order's own next step (SQLite and
PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from outbound.domain.orders import PLANNING, UNFULFILLABLE
from outbound.service import scenarios
from outbound.store import Database
from tests.helpers import SELLER, advance, create, get, line, start_clock, stock


@pytest.fixture
def placed(db: Database) -> Database:
    """One order in PLANNING, its next step (processing) due a quarter of an hour or more later."""
    start_clock(db)
    stock(db, "MUG", 10)
    create(db, "S-1", line("MUG", "S-1-1", 1))
    advance(db, timedelta(minutes=10))
    assert get(db, "S-1").status == PLANNING
    return db


def test_a_forced_status_for_an_order_acts_at_once(placed: Database) -> None:
    scenarios.add_and_wake(
        placed, start_clock(placed), SELLER, "force_status", {"status": "UNFULFILLABLE"}, seller_order_id="S-1"
    )
    advance(placed, timedelta(seconds=1))
    assert get(placed, "S-1").status == UNFULFILLABLE


@pytest.mark.parametrize(
    ("kind", "params", "order_id"),
    [
        ("force_status", {"status": "UNFULFILLABLE"}, None),  # seller-wide: no order to wake
        ("package", {"outcome": "lost"}, "S-1"),
        ("hold_shipment", {}, "S-1"),
        ("speed", {"multiplier": 0.5}, "S-1"),
        ("return", {"condition": "Sellable"}, "S-1"),
    ],
)
def test_other_scenarios_wait_for_the_orders_next_step(
    placed: Database, kind: str, params: dict[str, Any], order_id: str | None
) -> None:
    scenarios.add_and_wake(placed, start_clock(placed), SELLER, kind, params, seller_order_id=order_id)
    advance(placed, timedelta(seconds=1))
    assert get(placed, "S-1").status == PLANNING
    [added] = scenarios.listing(placed, SELLER)
    assert (added.kind, added.params, added.seller_order_id) == (kind, params, order_id)


def test_a_refused_scenario_is_not_stored_and_wakes_nothing(placed: Database) -> None:
    with pytest.raises(ValueError, match="force_status needs status"):
        scenarios.add_and_wake(
            placed, start_clock(placed), SELLER, "force_status", {"status": "SHIPPED"}, seller_order_id="S-1"
        )
    advance(placed, timedelta(seconds=1))
    assert get(placed, "S-1").status == PLANNING and scenarios.listing(placed) == []
