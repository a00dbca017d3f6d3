"""Queries for the scenarios and faults a tester sets (what they mean: ``domain/scenarios.py``)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from outbound.domain.scenarios import Scenario
from outbound.store.schema import scenarios


def _row(r: Any) -> Scenario:
    return Scenario(r.id, r.seller_id, r.seller_order_id, r.kind, json.loads(r.params), r.remaining)


def insert_scenario(
    conn: Connection,
    seller_id: str,
    kind: str,
    params: dict[str, Any],
    created_at: datetime,
    seller_order_id: str | None,
    remaining: int | None,
) -> int:
    """The new scenario's id."""
    query = (
        insert(scenarios)
        .values(
            seller_id=seller_id,
            seller_order_id=seller_order_id,
            kind=kind,
            params=json.dumps(params),
            remaining=remaining,
            created_at=created_at,
        )
        .returning(scenarios.c.id)
    )
    return int(conn.execute(query).scalar_one())


def delete_scenarios(conn: Connection, scenario_id: int | None, seller_id: str | None) -> int:
    """Delete one scenario, every scenario of a seller, or both filters at once; the number deleted."""
    query = delete(scenarios)
    if scenario_id is not None:
        query = query.where(scenarios.c.id == scenario_id)
    if seller_id is not None:
        query = query.where(scenarios.c.seller_id == seller_id)
    return int(conn.execute(query).rowcount)


def list_scenarios(conn: Connection, seller_id: str | None) -> list[Scenario]:
    """Every scenario (of one seller), oldest first."""
    query = select(scenarios).order_by(scenarios.c.id)
    if seller_id is not None:
        query = query.where(scenarios.c.seller_id == seller_id)
    return [_row(r) for r in conn.execute(query)]


def for_sellers(conn: Connection, seller_ids: list[str]) -> list[Scenario]:
    """Every scenario of these sellers but their faults, oldest first (one query for a batch of orders)."""
    query = select(scenarios).where(scenarios.c.seller_id.in_(seller_ids), scenarios.c.kind != "fault")
    return [_row(r) for r in conn.execute(query.order_by(scenarios.c.id))]


def faults_of(conn: Connection, seller_id: str) -> list[Scenario]:
    """The seller's fault scenarios."""
    query = select(scenarios).where(scenarios.c.seller_id == seller_id, scenarios.c.kind == "fault")
    return [_row(r) for r in conn.execute(query)]


def use_up(conn: Connection, scenario_id: int) -> bool:
    """Count one use of a counted fault, deleting it once used up; false when no use was left."""
    left = conn.execute(
        update(scenarios)
        .where(scenarios.c.id == scenario_id, scenarios.c.remaining > 0)
        .values(remaining=scenarios.c.remaining - 1)
    ).rowcount
    conn.execute(delete(scenarios).where(scenarios.c.id == scenario_id, scenarios.c.remaining <= 0))
    return bool(left)
