"""``/admin/scenarios``: scenarios and faults (what each kind does: ``domain/scenarios.py``)."""

from __future__ import annotations

from typing import Any

from outbound.admin.base import AdminError, Call, Op, Param
from outbound.admin.schemas import SELLER_ID, integer, ref
from outbound.context import Context
from outbound.service import scenarios

MAX_ID = 2**63 - 1


def operations(ctx: Context) -> list[Op]:
    def listing(call: Call) -> tuple[int, Any]:
        found = scenarios.listing(ctx.db, call.query.get("seller_id"))
        return 200, {
            "scenarios": [
                {
                    "id": s.id,
                    "seller_id": s.seller_id,
                    "seller_order_id": s.seller_order_id,
                    "kind": s.kind,
                    "params": s.params,
                    "remaining": s.remaining,
                }
                for s in found
            ]
        }

    def add(call: Call) -> tuple[int, Any]:
        data = call.body
        scenario_id = scenarios.add_and_wake(
            ctx.db,
            ctx.clock,
            data["seller_id"],
            data["kind"],
            data.get("params") or {},
            seller_order_id=data.get("order_id"),
            remaining=data.get("remaining"),
        )
        return 201, {"id": scenario_id}

    def remove(call: Call) -> tuple[int, Any]:
        scenario_id = call.path["scenario_id"]
        if not (scenario_id <= MAX_ID and scenarios.remove(ctx.db, scenario_id)):
            raise AdminError(404, f"no scenario {scenario_id} (used up, removed, or never added)")
        return 200, {"removed": True}

    tag = "scenarios"
    scenario_id = Param("scenario_id", "path", integer(minimum=0), "the id the add answered", True)
    return [
        Op(
            "GET",
            "/admin/scenarios",
            listing,
            "listScenarios",
            "Every scenario (of one seller), oldest first",
            tag,
            {200: ref("ScenarioList")},
            params=(Param("seller_id", "query", SELLER_ID, "only this seller's"),),
        ),
        Op(
            "POST",
            "/admin/scenarios",
            add,
            "addScenario",
            "Add a scenario; refused with a message for an unknown seller or order (404), or one that could never "
            "apply (400)",
            tag,
            {201: ref("Created")},
            body=ref("NewScenario"),
            errors=(400, 404),
        ),
        Op(
            "DELETE",
            "/admin/scenarios/{scenario_id:int}",
            remove,
            "removeScenario",
            "Remove a scenario",
            tag,
            {200: ref("Removed")},
            params=(scenario_id,),
            errors=(404,),
        ),
    ]
