"""``/admin/clock``: show the service clock; advance or set the virtual one (refused on a real clock)."""

from __future__ import annotations

from typing import Any

from outbound.admin.base import AdminError, Call, Op, parse_instant
from outbound.admin.schemas import ref
from outbound.context import Context
from outbound.service import simulation


def operations(ctx: Context) -> list[Op]:
    def virtual_only() -> None:
        if ctx.settings.clock != "virtual":  # moving a clock nobody reads would replay steps ahead of real time
            raise AdminError(409, "the service clock is real; start the server with --clock virtual to move time")

    def moved(found: simulation.Moved) -> tuple[int, Any]:
        return 200, {"now": found.now.isoformat(), "steps": found.steps}

    def show(call: Call) -> tuple[int, Any]:
        return 200, {"mode": ctx.settings.clock, "now": ctx.clock.now().isoformat()}

    def advance(call: Call) -> tuple[int, Any]:
        virtual_only()
        return moved(simulation.advance(ctx.db, simulation.duration(call.body["duration"])))

    def set_to(call: Call) -> tuple[int, Any]:
        virtual_only()
        return moved(simulation.set_to(ctx.db, parse_instant(call.body["to"], "to")))

    tag = "clock"
    return [
        Op(
            "GET",
            "/admin/clock",
            show,
            "getClock",
            "The service clock: its mode and now",
            tag,
            {200: ref("Clock")},
            errors=(),
        ),
        Op(
            "POST",
            "/admin/clock/advance",
            advance,
            "advanceClock",
            "Move the virtual clock forward, applying every lifecycle step that falls due",
            tag,
            {200: ref("ClockMove")},
            body=ref("Advance"),
            errors=(400, 409),
        ),
        Op(
            "POST",
            "/admin/clock/set",
            set_to,
            "setClock",
            "Move the virtual clock forward to an instant",
            tag,
            {200: ref("ClockMove")},
            body=ref("SetClock"),
            errors=(400, 409),
        ),
    ]
