"""Fault injection: whether a ``fault`` scenario makes an operation answer an error now.

Requests ask only when the key lookup said the seller has faults (:func:`outbound.service.access.find_grant`), so
most requests never run these queries.
"""

from __future__ import annotations

from outbound.domain import scenarios as rules
from outbound.domain.scenarios import Scenario
from outbound.store import Database
from outbound.store import scenarios as store


def take_fault(db: Database, seller_id: str, action: str) -> Scenario | None:
    """The fault an operation should answer now, if any; a counted fault is used up one call at a time."""
    with db.read() as conn:
        found = store.faults_of(conn, seller_id)
    for fault in found:
        if not rules.fault_matches(fault, action):
            continue
        if fault.remaining is None:
            return fault
        with db.transaction() as conn:
            used = store.use_up(conn, fault.id)
        if used:
            return fault
    return None
