"""Scenarios and faults: switches a tester sets per seller or per order to steer the simulation.

Kinds (``params`` is a small JSON object):

- ``force_status`` ``{"status": "UNFULFILLABLE" | "INVALID"}``: the order ends so at its next step (at once);
- ``hold_shipment`` ``{}``: the order's shipments do not leave until the scenario is removed;
- ``package`` ``{"outcome": "delayed" | "lost" | "returned" | "undeliverable" | "failed_attempt" | "delivered"}``:
  the packages that ship from then on take that path (packages already on their way keep theirs);
- ``speed`` ``{"multiplier": 2.0}``: processing takes that many times as long (seller-wide or one order);
- ``fault`` ``{"action": "GetFulfillmentOrder" | "*", "code": "InternalError", "message": "..."}``: the operation
  answers that MWS error (``RequestThrottled`` for a throttle), ``remaining`` times or until removed;
- ``return`` ``{"condition": "Sellable" | "Defective" | "CustomerDamaged" | "CarrierDamaged" | "FulfillerDamaged"}``
  and/or ``{"arrives": "never"}``: the order's (or seller's) returned units are graded so, or never come back
  (they stay ``New``; see ``sim/returns.py``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, or_, select, update

from outbound.domain.returns import RECEIVED_CONDITIONS
from outbound.store import Database
from outbound.store.schema import scenarios

KINDS = ("force_status", "hold_shipment", "package", "speed", "fault", "return")
FORCE_STATUSES = ("UNFULFILLABLE", "INVALID")
OUTCOMES = ("delivered", "delayed", "lost", "returned", "undeliverable", "failed_attempt")


@dataclass(frozen=True)
class Scenario:
    id: int
    seller_id: str
    seller_order_id: str | None
    kind: str
    params: dict[str, Any]
    remaining: int | None


def validate(kind: str, params: dict[str, Any]) -> None:
    """Refuse a scenario that could never apply, with a message for the CLI and the admin API."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    if kind == "force_status" and params.get("status") not in FORCE_STATUSES:
        raise ValueError(f"force_status needs status {' or '.join(FORCE_STATUSES)}")
    if kind == "package" and params.get("outcome") not in OUTCOMES:
        raise ValueError(f"package needs outcome one of {', '.join(OUTCOMES)}")
    if kind == "speed":
        multiplier = params.get("multiplier")
        if not isinstance(multiplier, int | float) or multiplier <= 0:
            raise ValueError("speed needs a positive multiplier")
    if kind == "fault" and not params.get("code"):
        raise ValueError("fault needs an MWS error code, e.g. InternalError or RequestThrottled")
    if kind == "return":
        validate_return(params)


def validate_return(params: dict[str, Any]) -> None:
    """A ``return`` scenario forces a condition (one of the ReturnReceivedCondition values) or ``arrives=never``."""
    unknown = set(params) - {"condition", "arrives"}
    if unknown or not params:
        raise ValueError("return takes condition=<ReturnReceivedCondition> and/or arrives=never")
    if "condition" in params and params["condition"] not in RECEIVED_CONDITIONS:
        raise ValueError(f"return condition must be one of {', '.join(RECEIVED_CONDITIONS)}")
    if "arrives" in params and params["arrives"] != "never":
        raise ValueError("return arrives can only be never")


def add(
    db: Database,
    seller_id: str,
    kind: str,
    params: dict[str, Any],
    now: datetime,
    *,
    seller_order_id: str | None = None,
    remaining: int | None = None,
) -> int:
    validate(kind, params)
    with db.transaction() as conn:
        return int(
            conn.execute(
                insert(scenarios)
                .values(
                    seller_id=seller_id,
                    seller_order_id=seller_order_id,
                    kind=kind,
                    params=json.dumps(params),
                    remaining=remaining,
                    created_at=now,
                )
                .returning(scenarios.c.id)
            ).scalar_one()
        )


def remove(db: Database, scenario_id: int | None = None, *, seller_id: str | None = None) -> int:
    """Remove one scenario, or every scenario of a seller; the number removed."""
    with db.transaction() as conn:
        query = delete(scenarios)
        if scenario_id is not None:
            query = query.where(scenarios.c.id == scenario_id)
        if seller_id is not None:
            query = query.where(scenarios.c.seller_id == seller_id)
        return int(conn.execute(query).rowcount)


def _row(r: Any) -> Scenario:
    return Scenario(r.id, r.seller_id, r.seller_order_id, r.kind, json.loads(r.params), r.remaining)


def listing(db: Database, seller_id: str | None = None) -> list[Scenario]:
    with db.read() as conn:
        query = select(scenarios).order_by(scenarios.c.id)
        if seller_id is not None:
            query = query.where(scenarios.c.seller_id == seller_id)
        return [_row(r) for r in conn.execute(query)]


def for_order(conn: Connection, seller_id: str, seller_order_id: str) -> list[Scenario]:
    """The scenarios that steer one order: its own and its seller's (faults excluded)."""
    query = select(scenarios).where(
        scenarios.c.seller_id == seller_id,
        scenarios.c.kind != "fault",
        or_(scenarios.c.seller_order_id.is_(None), scenarios.c.seller_order_id == seller_order_id),
    )
    return [_row(r) for r in conn.execute(query.order_by(scenarios.c.id))]


def take_fault(db: Database, seller_id: str, action: str) -> Scenario | None:
    """The fault an operation should answer now, if any; a counted fault is used up one call at a time."""
    with db.read() as conn:
        rows = conn.execute(
            select(scenarios).where(scenarios.c.seller_id == seller_id, scenarios.c.kind == "fault")
        ).all()
    for row in rows:
        fault = _row(row)
        if fault.params.get("action", "*") not in ("*", action):
            continue
        if fault.remaining is None:
            return fault
        with db.transaction() as conn:
            left = conn.execute(
                update(scenarios)
                .where(scenarios.c.id == fault.id, scenarios.c.remaining > 0)
                .values(remaining=scenarios.c.remaining - 1)
            ).rowcount
            conn.execute(delete(scenarios).where(scenarios.c.id == fault.id, scenarios.c.remaining <= 0))
        if left:
            return fault
    return None


def multiplier(found: list[Scenario]) -> float:
    value = 1.0
    for scenario in found:
        if scenario.kind == "speed":
            value *= float(scenario.params["multiplier"])
    return value


def first(found: list[Scenario], kind: str) -> Scenario | None:
    return next((s for s in found if s.kind == kind), None)


def for_orders(conn: Connection, keys: list[tuple[str, str]]) -> dict[tuple[str, str], list[Scenario]]:
    """:func:`for_order` for a whole batch in one query: (seller, order id) → its scenarios."""
    sellers = sorted({seller for seller, _ in keys})
    query = select(scenarios).where(scenarios.c.seller_id.in_(sellers), scenarios.c.kind != "fault")
    found = [_row(r) for r in conn.execute(query.order_by(scenarios.c.id))]
    result: dict[tuple[str, str], list[Scenario]] = {}
    for key in keys:
        seller, order_id = key
        matching = [s for s in found if s.seller_id == seller and s.seller_order_id in (None, order_id)]
        if matching:
            result[key] = matching
    return result
