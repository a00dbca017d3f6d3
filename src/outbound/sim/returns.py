"""Returned units reaching their returns center: received, graded, ``Processed``; sellable ones restocked.

:meth:`Engine.run_due <outbound.sim.engine.Engine.run_due>` calls :func:`process_due_returns` in the same
transaction as the order steps it applies, so returns move on the same clock (and, with a virtual clock, each unit is
processed at the moment it fell due). Randomness is seeded per order and unit (``shipping.rng_for``): the same
return is graded the same way on every run.

Scenarios of kind ``return`` (the order's own over the seller's) force the condition or keep the unit from ever
arriving. A batch reads the scenarios of its sellers once and writes its results with a few ``executemany``
statements, so a batch costs a handful of round trips, not several per unit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from outbound.domain import notices, shipping
from outbound.domain import returns as rules
from outbound.sim import scenarios
from outbound.store import notifications as notice_store
from outbound.store import returns as store

BATCH = 200
RETURN_PROCESSED = "RETURN_PROCESSED"  # order event kind

OrderKey = tuple[str, str]  # (seller_id, seller_order_id)


def steering_of(conn: Connection, keys: Iterable[OrderKey]) -> dict[OrderKey, dict[str, Any]]:
    """The ``return`` scenario parameters for each order: the seller's, overridden by the order's own."""
    wanted = list(dict.fromkeys(keys))
    found = scenarios.for_orders(conn, wanted)
    steered: dict[OrderKey, dict[str, Any]] = {}
    for key in wanted:
        merged: dict[str, Any] = {}
        mine = [s for s in found.get(key, []) if s.kind == "return"]
        for scenario in sorted(mine, key=lambda s: s.seller_order_id is not None):  # stable: by id within each
            merged.update(scenario.params)
        steered[key] = merged
    return steered


def steering(conn: Connection, seller_id: str, seller_order_id: str) -> dict[str, Any]:
    """The ``return`` scenario parameters that apply to one order."""
    return steering_of(conn, [(seller_id, seller_order_id)])[(seller_id, seller_order_id)]


def process_due_returns(
    conn: Connection,
    now: datetime,
    limit: int = BATCH,
    *,
    replay: bool = False,
    grading: rules.GradingRates = rules.DEFAULT_GRADING,
) -> int:
    """Process one batch of units due at or before ``now``; the number handled.

    With ``replay`` (virtual clock) each unit is processed at the moment it fell due; otherwise at ``now``. On
    PostgreSQL the batch is claimed with ``FOR UPDATE SKIP LOCKED``, so several engines never take the same unit.
    """
    due = store.due_returns(conn, now, limit, skip_locked=conn.dialect.name == "postgresql")
    if not due:
        return 0
    steered = steering_of(conn, ((unit.seller_id, unit.seller_order_id) for unit in due))
    never: list[int] = []
    processed: list[store.Processed] = []
    shelved = Counter[tuple[str, str, str]]()
    for unit in due:
        forced = steered[(unit.seller_id, unit.seller_order_id)]
        if forced.get("arrives") == "never":
            never.append(unit.id)
            continue
        rng = shipping.rng_for(unit.seller_id, unit.seller_order_id, f"return/{unit.seller_return_item_id}/grade")
        condition = forced.get("condition") or rules.grade(rng, grading)
        processed.append(
            store.Processed(
                unit.id,
                unit.order_id,
                unit.seller_return_item_id,
                unit.due_at if replay else now,
                condition,
                rules.amazon_reason_code(condition, unit.seller_reason_code),
                unit.returns_center,
            )
        )
        if condition == rules.SELLABLE and unit.seller_sku is not None and unit.returns_center is not None:
            shelved[(unit.seller_id, unit.seller_sku, unit.returns_center)] += 1
    store.never_due(conn, never)
    store.mark_processed(conn, processed, RETURN_PROCESSED)
    _tell(conn, due, processed, now)
    for (seller_id, seller_sku, fc_code), units in sorted(shelved.items()):  # a stable lock order
        store.restock(conn, seller_id, seller_sku, fc_code, units)
    return len(due)


def _tell(conn: Connection, due: list[store.DueReturn], processed: list[store.Processed], now: datetime) -> None:
    """A Return notice per unit processed, for sellers someone subscribed to (one lookup for the batch)."""
    units = {unit.id: unit for unit in due}
    heard = notice_store.subscribers(conn, {units[p.id].seller_id for p in processed})
    if not heard:
        return
    told = [p for p in processed if units[p.id].seller_id in heard]
    statuses = notice_store.order_statuses(conn, (p.order_id for p in told))
    found = []
    for p in told:
        unit = units[p.id]
        found.append(
            notices.returned(
                p.order_id, unit.seller_id, unit.seller_order_id, statuses.get(p.order_id), unit.seller_sku or "", p.at
            )
        )
    notice_store.record(conn, found)
