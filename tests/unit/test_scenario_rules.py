"""The scenario rules' list of operations a fault may name is every operation both protocols answer."""

from __future__ import annotations

import pytest

from outbound.domain import scenarios
from outbound.mws.operations import OPERATIONS
from outbound.spapi import operations as spapi


def test_fault_actions_are_the_operations_served() -> None:
    served = set(OPERATIONS) | {op.mws_action or op.name for op in spapi.ALL}
    assert set(scenarios.FAULT_ACTIONS) == served


@pytest.mark.parametrize(
    ("kind", "params", "words"),
    [
        ("weather", {}, "unknown scenario kind 'weather'"),
        ("hold_shipment", {"for": "ever"}, "takes no parameters"),
        ("package", {"outcome": "lost", "speed": 2}, "does not take 'speed'"),
        ("fault", {"action": "GetEverything", "code": "InternalError"}, "unknown fault action"),
        ("fault", {"action": "*"}, "needs an MWS error code"),
        ("speed", {"multiplier": float("nan")}, "positive multiplier"),
        ("speed", {"multiplier": True}, "positive multiplier"),
    ],
)
def test_refusals_name_the_fault(kind: str, params: dict[str, object], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        scenarios.validate(kind, params)
