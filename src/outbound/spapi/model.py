"""What the adapter takes from Amazon's model file (shipped in ``model/``): each operation's usage plan and the
texts of tracking event codes and package statuses."""

from __future__ import annotations

import functools
import json
import re
from importlib import resources
from typing import Any

MODEL_FILE = "fulfillmentOutbound_2020-07-01.json"
_PLAN = re.compile(r"\|\s*([0-9.]+)\s*\|\s*([0-9]+)\s*\|")


@functools.cache
def document() -> dict[str, Any]:
    text = (resources.files("outbound.spapi") / "model" / MODEL_FILE).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@functools.cache
def usage_plans() -> dict[str, tuple[float, int]]:
    """operationId → (rate per second, burst), from the table in each operation's description."""
    plans = {}
    for methods in document()["paths"].values():
        for op in methods.values():
            if isinstance(op, dict) and "operationId" in op:
                found = _PLAN.search(op.get("description", ""))
                if found:
                    plans[op["operationId"]] = (float(found.group(1)), int(found.group(2)))
    return plans


def _enum_texts(name: str) -> dict[str, str]:
    table = document()["definitions"][name].get("x-docgen-enum-table-extension", [])
    return {entry["value"]: entry["description"] for entry in table}


@functools.cache
def event_descriptions() -> dict[str, str]:
    return _enum_texts("EventCode")


@functools.cache
def status_descriptions() -> dict[str, str]:
    return _enum_texts("CurrentStatus")
