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

This module holds what a scenario is and the rules about it; ``store/scenarios.py`` keeps them, the service layer
adds and removes them, the simulator reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from outbound.domain.returns import RECEIVED_CONDITIONS

KINDS = ("force_status", "hold_shipment", "package", "speed", "fault", "return")
FORCE_STATUSES = ("UNFULFILLABLE", "INVALID")
OUTCOMES = ("delivered", "delayed", "lost", "returned", "undeliverable", "failed_attempt")
# Only a forced status acts at once; every other kind acts when the order's step comes anyway (a package outcome
# when a package ships, a hold when a shipment would leave, a speed when the next delay is drawn, a return when a
# unit comes back), so waking the order for them would only move its timeline.
ACTS_AT_ONCE = ("force_status",)
# The parameters each kind reads; any other key is refused (a typo would otherwise be silently ignored).
PARAMS = {
    "force_status": ("status",),
    "hold_shipment": (),
    "package": ("outcome",),
    "speed": ("multiplier",),
    "fault": ("action", "code", "message"),
    "return": ("condition", "arrives"),
}
# What a fault's ``action`` may name: the MWS actions, and the SP-API operations that have no MWS counterpart (an
# SP-API call with one answers the fault named by its MWS action).
FAULT_ACTIONS = (
    "GetFulfillmentPreview",
    "CreateFulfillmentOrder",
    "UpdateFulfillmentOrder",
    "GetFulfillmentOrder",
    "ListAllFulfillmentOrders",
    "ListAllFulfillmentOrdersByNextToken",
    "GetPackageTrackingDetails",
    "CancelFulfillmentOrder",
    "ListReturnReasonCodes",
    "CreateFulfillmentReturn",
    "GetServiceStatus",
    "deliveryOffers",
    "submitFulfillmentOrderStatusUpdate",
    "getFeatures",
    "getFeatureInventory",
    "getFeatureSKU",
)


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
        raise ValueError(f"unknown scenario kind {kind!r}; kind must be one of {', '.join(KINDS)}")
    unknown = sorted(set(params) - set(PARAMS[kind]))
    if unknown:
        takes = ", ".join(PARAMS[kind]) or "no parameters"
        raise ValueError(f"{kind} does not take {', '.join(map(repr, unknown))}; it takes {takes}")
    if kind == "force_status" and params.get("status") not in FORCE_STATUSES:
        raise ValueError(f"force_status needs status {' or '.join(FORCE_STATUSES)}")
    if kind == "package" and params.get("outcome") not in OUTCOMES:
        raise ValueError(f"package needs outcome one of {', '.join(OUTCOMES)}")
    if kind == "speed":
        multiplier = params.get("multiplier")
        if isinstance(multiplier, bool) or not isinstance(multiplier, int | float) or not 0 < multiplier <= 1000:
            raise ValueError("speed needs a positive multiplier of at most 1000, e.g. multiplier=10")
    if kind == "fault":
        validate_fault(params)
    if kind == "return":
        validate_return(params)


def validate_fault(params: dict[str, Any]) -> None:
    code, action, message = params.get("code"), params.get("action", "*"), params.get("message")
    if not isinstance(code, str) or not code.strip():
        raise ValueError("fault needs an MWS error code, e.g. code=InternalError or code=RequestThrottled")
    if len(code) > 64 or not code.isprintable():
        raise ValueError("a fault's code is at most 64 printable characters")
    if action != "*" and action not in FAULT_ACTIONS:
        raise ValueError(f"unknown fault action {action!r}; action must be * or one of {', '.join(FAULT_ACTIONS)}")
    if message is not None and (not isinstance(message, str) or len(message) > 1000):
        raise ValueError("a fault's message is text of at most 1000 characters")


def validate_return(params: dict[str, Any]) -> None:
    """A ``return`` scenario forces a condition (one of the ReturnReceivedCondition values) or ``arrives=never``."""
    unknown = set(params) - {"condition", "arrives"}
    if unknown or not params:
        raise ValueError("return takes condition=<ReturnReceivedCondition> and/or arrives=never")
    if "condition" in params and params["condition"] not in RECEIVED_CONDITIONS:
        raise ValueError(f"return condition must be one of {', '.join(RECEIVED_CONDITIONS)}")
    if "arrives" in params and params["arrives"] != "never":
        raise ValueError("return arrives can only be never")


def acts_at_once(kind: str) -> bool:
    """Whether adding a scenario of this kind for an order should make the order's next step due now."""
    return kind in ACTS_AT_ONCE


def fault_matches(fault: Scenario, action: str) -> bool:
    """A fault answers for its one operation, or for every operation with ``*`` (the default)."""
    return fault.params.get("action", "*") in ("*", action)


def multiplier(found: list[Scenario]) -> float:
    value = 1.0
    for scenario in found:
        if scenario.kind == "speed":
            value *= float(scenario.params["multiplier"])
    return value


def first(found: list[Scenario], kind: str) -> Scenario | None:
    return next((s for s in found if s.kind == kind), None)
