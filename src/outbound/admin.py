"""The operator's JSON API under ``/admin``: the clock, scenarios and faults, the service status.

Open on a developer's machine; set ``OUTBOUND_ADMIN_TOKEN`` to require ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

import hmac
import os
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from outbound import admin_features, admin_notifications
from outbound.context import Context
from outbound.mws.params import parse_datetime
from outbound.service import scenarios, simulation, status


def _error(message: str, code: int = 400) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=code)


def routes(ctx: Context) -> list[Route]:
    token = os.environ.get("OUTBOUND_ADMIN_TOKEN")

    def allowed(request: Request) -> bool:
        if not token:
            return True
        sent = request.headers.get("authorization", "")
        return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())

    async def body(request: Request) -> dict[str, Any]:
        try:
            data = await request.json()
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def guarded(handler: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            if not allowed(request):
                return _error("admin token required", 401)
            try:
                result: Response = await handler(request)
                return result
            except (ValueError, simulation.ClockError) as exc:
                return _error(str(exc))

        return endpoint

    async def clock_show(request: Request) -> Response:
        now = await run_in_threadpool(ctx.clock.now)
        return JSONResponse({"mode": ctx.settings.clock, "now": now.isoformat()})

    def virtual_only() -> None:
        if ctx.settings.clock != "virtual":  # moving a clock nobody reads would replay steps ahead of real time
            raise ValueError("the service clock is real; start the server with --clock virtual to move time")

    async def clock_advance(request: Request) -> Response:
        virtual_only()
        data = await body(request)
        by = simulation.duration(str(data.get("duration", "")))
        moved = await run_in_threadpool(simulation.advance, ctx.db, by)
        return JSONResponse({"now": moved.now.isoformat(), "steps": moved.steps})

    async def clock_set(request: Request) -> Response:
        virtual_only()
        data = await body(request)
        moment = parse_datetime(str(data.get("to", "")))
        if moment is None:
            raise ValueError("'to' must be an ISO 8601 instant")
        moved = await run_in_threadpool(simulation.set_to, ctx.db, moment)
        return JSONResponse({"now": moved.now.isoformat(), "steps": moved.steps})

    async def scenario_list(request: Request) -> Response:
        found = await run_in_threadpool(scenarios.listing, ctx.db, request.query_params.get("seller_id"))
        return JSONResponse({"scenarios": [s.__dict__ for s in found]})

    async def scenario_add(request: Request) -> Response:
        data = await body(request)
        seller_id, kind = data.get("seller_id"), data.get("kind")
        if not isinstance(seller_id, str) or not isinstance(kind, str):
            raise ValueError("seller_id and kind are required")
        params = data.get("params") or {}
        if not isinstance(params, dict):
            raise ValueError("params must be an object")
        remaining = data.get("remaining")
        scenario_id = await run_in_threadpool(
            lambda: scenarios.add_and_wake(
                ctx.db,
                ctx.clock,
                seller_id,
                kind,
                params,
                seller_order_id=data.get("order_id"),
                remaining=int(remaining) if remaining is not None else None,
            )
        )
        return JSONResponse({"id": scenario_id}, status_code=201)

    async def scenario_remove(request: Request) -> Response:
        removed = await run_in_threadpool(scenarios.remove, ctx.db, int(request.path_params["scenario_id"]))
        return JSONResponse({"removed": removed}, status_code=200 if removed else 404)

    async def service_status(request: Request) -> Response:
        data = await body(request)
        result = await run_in_threadpool(
            status.set_service_status, ctx.db, str(data.get("status", "")), data.get("message")
        )
        return JSONResponse({"status": result.status, "message": result.message})

    return [
        Route("/admin/clock", guarded(clock_show), methods=["GET"]),
        Route("/admin/clock/advance", guarded(clock_advance), methods=["POST"]),
        Route("/admin/clock/set", guarded(clock_set), methods=["POST"]),
        Route("/admin/scenarios", guarded(scenario_list), methods=["GET"]),
        Route("/admin/scenarios", guarded(scenario_add), methods=["POST"]),
        Route("/admin/scenarios/{scenario_id:int}", guarded(scenario_remove), methods=["DELETE"]),
        Route("/admin/service-status", guarded(service_status), methods=["POST"]),
        *admin_features.routes(ctx, guarded),
        *admin_notifications.routes(ctx, guarded),
    ]
