"""The simulator's reading of scenarios: which ones steer each order of a batch (what they are and mean:
``domain/scenarios.py``; adding and removing them: ``service/scenarios.py``)."""

from __future__ import annotations

from sqlalchemy import Connection

from outbound.domain.scenarios import Scenario, first, multiplier
from outbound.store import scenarios as store

__all__ = ["Scenario", "first", "for_orders", "multiplier"]


def for_orders(conn: Connection, keys: list[tuple[str, str]]) -> dict[tuple[str, str], list[Scenario]]:
    """For a whole batch in one query: (seller, order id) → the scenarios that steer that order, its own and its
    seller's (faults excluded: they steer requests, not orders)."""
    found = store.for_sellers(conn, sorted({seller for seller, _ in keys}))
    result: dict[tuple[str, str], list[Scenario]] = {}
    for key in keys:
        seller, order_id = key
        matching = [s for s in found if s.seller_id == seller and s.seller_order_id in (None, order_id)]
        if matching:
            result[key] = matching
    return result
