"""Figures about the store for operators: orders by status, one seller's totals, how far behind the engine is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from outbound.store import Database, maintenance


@dataclass(frozen=True)
class SellerFigures:
    orders_by_status: dict[str, int]
    shipments: int
    packages: int
    returns: int


def orders_by_status(db: Database) -> dict[str, int]:
    """Every order of the store counted by status (an index scan; the metrics endpoint calls it per scrape)."""
    with db.read() as conn:
        return maintenance.orders_by_status(conn)


def oldest_due(db: Database) -> datetime | None:
    """When the oldest lifecycle step still waiting fell (or falls) due: the engine's lag is the clock minus this."""
    with db.read() as conn:
        return maintenance.oldest_due(conn)


def store_figures(db: Database, seller_id: str) -> SellerFigures:
    with db.read() as conn:
        statuses, shipments, packages, returns = maintenance.seller_figures(conn, seller_id)
    return SellerFigures(statuses, shipments, packages, returns)


def store_state(db: Database) -> tuple[int, int]:
    """(sellers, orders): whether the store holds anything."""
    with db.read() as conn:
        return maintenance.counts(conn)


def empty_store(db: Database) -> None:
    """Delete everything in the store, in one transaction (the schema stays)."""
    with db.transaction() as conn:
        maintenance.empty(conn)
