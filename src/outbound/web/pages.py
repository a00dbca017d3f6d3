"""The dashboard's pages and forms, mounted by ``app.py`` under ``/dashboard/``.

Reading pages are plain GETs that work without JavaScript; the forms post back and redirect (so a reload does not
post twice). Every handler calls service functions only, in a worker thread, and renders a packaged template.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from importlib import resources
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from outbound.context import Context
from outbound.domain.orders import ORDER_STATUSES, SPEEDS
from outbound.domain.world import WORLD
from outbound.mws.actions.orders import get_fulfillment_order_document
from outbound.observability import OperationCounts
from outbound.service import accounts, dashboard, scenarios, simulation
from outbound.service.dashboard import DashboardError, OrderFilter
from outbound.spapi.render import get_order_result
from outbound.web import auth
from outbound.web.render import page

PREFIX = "/dashboard"
Handler = Callable[[Request], Awaitable[Response]]
_SELLER_ID = re.compile(r"^[A-Za-z0-9]{1,64}$")
ADVANCES = ("1h", "6h", "1d", "7d")


def _local_next(value: str | None, default: str) -> str:
    """Where a form returns to: a dashboard path only (never another site)."""
    if value and value.startswith(PREFIX + "/") and not value.startswith("//") and "\\" not in value:
        return value
    return default


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _date(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DashboardError(f"{name} must be a date like 2026-01-31") from None


def parse_params(text: str) -> dict[str, Any]:
    """A scenario's parameters from the form: a JSON object, or ``key=value`` pairs separated by commas (numbers
    become numbers), as ``outbound scenario add`` takes them."""
    text = text.strip()
    if not text:
        return {}
    if text.startswith("{"):
        try:
            value = json.loads(text)
        except ValueError:
            raise ValueError("params must be a JSON object or key=value pairs") from None
        if not isinstance(value, dict):
            raise ValueError("params must be a JSON object or key=value pairs")
        return value
    params: dict[str, Any] = {}
    for part in text.split(","):
        key, sep, raw = part.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"not a key=value pair: {part.strip()!r}")
        raw = raw.strip()
        try:
            params[key.strip()] = int(raw) if raw.isdigit() else float(raw)
        except ValueError:
            params[key.strip()] = raw
    return params


def routes(ctx: Context, calls: Callable[[], list[OperationCounts]] = list) -> list[BaseRoute]:
    """The dashboard's routes; ``calls`` reads the API calls per operation (the app's Prometheus counters)."""
    gate = auth.Gate(os.environ.get("OUTBOUND_ADMIN_TOKEN"))
    virtual = ctx.settings.clock == "virtual"

    async def base(request: Request, section: str) -> dict[str, Any]:
        now = await run_in_threadpool(ctx.clock.now)
        return {
            "section": section,
            "now": now,
            "clock_mode": ctx.settings.clock,
            "logged_in": gate.token is not None,
            "path": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        }

    def refused(request: Request) -> Response:
        if gate.token is None:
            message = (
                "The dashboard is open only on this machine's loopback interface while no admin token is set; "
                "set OUTBOUND_ADMIN_TOKEN to open it to the network."
            )
            return page("login.html", {"section": "", "message": message, "form": False}, 403)
        wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return page("login.html", {"section": "", "next": wanted, "form": True}, 401)

    def guarded(handler: Handler, *, form: bool = False) -> Handler:
        async def endpoint(request: Request) -> Response:
            if not gate.allowed(request):
                return refused(request)
            if form and not auth.same_origin(request):
                return page("error.html", {"section": "", "message": "Forms post from the dashboard only."}, 403)
            try:
                return await handler(request)
            except DashboardError as exc:
                context = await base(request, "")
                return page("error.html", {**context, "message": str(exc)}, 400)

        return endpoint

    # ------------------------------------------------------------------------------------------- login

    async def login_form(request: Request) -> Response:
        if gate.token is None:
            return RedirectResponse(PREFIX + "/", 303)
        nxt = _local_next(request.query_params.get("next"), PREFIX + "/")
        return page("login.html", {"section": "", "next": nxt, "form": True})

    async def login(request: Request) -> Response:
        if gate.token is None:
            return RedirectResponse(PREFIX + "/", 303)
        if not auth.same_origin(request):
            return page("error.html", {"section": "", "message": "Forms post from the dashboard only."}, 403)
        form = await request.form()
        nxt = _local_next(_text(form, "next"), PREFIX + "/")
        if not gate.token_matches(_text(form, "token")):
            context = {"section": "", "next": nxt, "form": True, "message": "That token is not the admin token."}
            return page("login.html", context, 401)
        response = RedirectResponse(nxt, 303)
        response.set_cookie(
            auth.COOKIE,
            gate.session_value(),
            max_age=auth.LIFETIME_SECONDS,
            path=PREFIX,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        return response

    async def logout(request: Request) -> Response:
        response = RedirectResponse(PREFIX + "/login", 303)
        response.delete_cookie(auth.COOKIE, path=PREFIX, httponly=True, samesite="strict")
        return response

    # ------------------------------------------------------------------------------------------- overview

    async def overview(request: Request) -> Response:
        context = await base(request, "overview")
        view = await run_in_threadpool(dashboard.overview, ctx.db, context["now"])
        charts = {
            "days": view.days,
            "created": view.created,
            "shipped": view.shipped,
            "centers": list(view.by_center),
            "center_counts": list(view.by_center.values()),
        }
        return page(
            "overview.html",
            {**context, "view": view, "charts": json.dumps(charts), "calls": calls()},
        )

    # ------------------------------------------------------------------------------------------- orders

    async def orders_page(request: Request) -> Response:
        context = await base(request, "orders")
        q = request.query_params
        params = {k: q.get(k, "").strip() for k in ("seller", "status", "speed", "from", "to", "sku", "q")}
        lower, upper = dashboard.day_bounds(_date(params["from"], "from"), _date(params["to"], "to"))
        wanted = OrderFilter(
            seller_id=params["seller"] or None,
            status=params["status"] or None,
            speed=params["speed"] or None,
            received_from=lower,
            received_before=upper,
            sku=params["sku"] or None,
            query=params["q"] or None,
        )
        found = await run_in_threadpool(dashboard.search_orders, ctx.db, wanted, q.get("after") or None)
        sellers = await run_in_threadpool(dashboard.seller_ids, ctx.db)
        return page(
            "orders.html",
            {
                **context,
                "params": params,
                "rows": found.rows,
                "next_cursor": found.next_cursor,
                "first_page": not q.get("after"),
                "sellers": sellers,
                "statuses": ORDER_STATUSES,
                "speeds": SPEEDS,
                "zone": dashboard.marketplace_zone,
            },
        )

    async def order_page(request: Request) -> Response:
        context = await base(request, "orders")
        seller_id = request.path_params["seller_id"]
        order_id = request.path_params["order_id"]
        detail = await run_in_threadpool(dashboard.order_detail, ctx.db, seller_id, order_id, context["now"])
        if detail is None:
            message = f"Seller {seller_id} has no order {order_id}."
            return page("error.html", {**context, "message": message}, 404)
        document = get_fulfillment_order_document(detail.order, str(uuid.uuid4())).decode()
        spapi = json.dumps({"payload": get_order_result(detail.order)}, indent=2, ensure_ascii=False)
        return page(
            "order.html",
            {**context, "detail": detail, "order": detail.order, "zone": detail.zone, "xml": document, "json": spapi},
        )

    async def package_page(request: Request) -> Response:
        seller_id = request.path_params["seller_id"]
        number = request.path_params["package_number"]
        order_id = await run_in_threadpool(dashboard.order_of_package, ctx.db, seller_id, number)
        if order_id is None:
            context = await base(request, "orders")
            return page("error.html", {**context, "message": f"Seller {seller_id} has no package {number}."}, 404)
        return RedirectResponse(f"{PREFIX}/orders/{quote(seller_id)}/{quote(order_id)}#package-{number}", 303)

    # ------------------------------------------------------------------------------------------- inventory

    async def inventory_page(request: Request) -> Response:
        context = await base(request, "inventory")
        sellers = await run_in_threadpool(dashboard.seller_ids, ctx.db)
        chosen = request.query_params.get("seller") or (sellers[0] if sellers else "")
        lines = await run_in_threadpool(dashboard.inventory_overview, ctx.db, chosen) if chosen else []
        return page("inventory.html", {**context, "sellers": sellers, "seller": chosen, "lines": lines})

    # ------------------------------------------------------------------------------------------- time, scenarios
    # The clock and scenario calls are these few; they move with the functions they call.

    async def time_page(request: Request, message: str | None = None, status_code: int = 200) -> Response:
        context = await base(request, "time")
        found = await run_in_threadpool(scenarios.listing, ctx.db, None)
        sellers = await run_in_threadpool(dashboard.seller_ids, ctx.db)
        oldest, lag = await run_in_threadpool(dashboard.engine_lag, ctx.db, context["now"])
        steps = request.query_params.get("steps")
        done = f"The clock moved; {steps} lifecycle steps applied." if steps and steps.isdigit() else None
        return page(
            "time.html",
            {
                **context,
                "scenarios": found,
                "sellers": sellers,
                "kinds": scenarios.KINDS,
                "advances": ADVANCES,
                "virtual": virtual,
                "lag": lag,
                "oldest_due": oldest,
                "message": message,
                "done": done or request.query_params.get("done"),
            },
            status_code,
        )

    async def time_show(request: Request) -> Response:
        return await time_page(request)

    async def clock_advance(request: Request) -> Response:
        form = await request.form()
        if not virtual:
            message = "The service clock is real; start the server with --clock virtual to move time."
            return await time_page(request, message, 409)
        try:
            by = simulation.duration(_text(form, "duration"))
            moved = await run_in_threadpool(simulation.advance, ctx.db, by)
        except ValueError as exc:
            return await time_page(request, str(exc), 400)
        return RedirectResponse(f"{PREFIX}/time?steps={moved.steps}", 303)

    async def scenario_add(request: Request) -> Response:
        form = await request.form()
        seller_id, kind, order_id = _text(form, "seller_id"), _text(form, "kind"), _text(form, "order_id")
        remaining = _text(form, "remaining")
        try:
            if seller_id not in await run_in_threadpool(dashboard.seller_ids, ctx.db):
                raise ValueError(f"no seller {seller_id!r}")
            params = parse_params(_text(form, "params"))
            if remaining and not remaining.isdigit():
                raise ValueError("remaining must be a whole number")
            added = await run_in_threadpool(
                lambda: scenarios.add_and_wake(
                    ctx.db,
                    ctx.clock,
                    seller_id,
                    kind,
                    params,
                    seller_order_id=order_id or None,
                    remaining=int(remaining) if remaining else None,
                )
            )
        except ValueError as exc:
            return await time_page(request, str(exc), 400)
        return RedirectResponse(f"{PREFIX}/time?done=" + quote(f"Scenario {added} added."), 303)

    async def scenario_remove(request: Request) -> Response:
        scenario_id = request.path_params["scenario_id"]
        removed = await run_in_threadpool(scenarios.remove, ctx.db, scenario_id)
        if not removed:
            return await time_page(request, f"There is no scenario {scenario_id}.", 404)
        return RedirectResponse(f"{PREFIX}/time?done=" + quote(f"Scenario {scenario_id} removed."), 303)

    # ------------------------------------------------------------------------------------------- sellers

    async def sellers_page(
        request: Request, created: dict[str, str] | None = None, message: str | None = None, status_code: int = 200
    ) -> Response:
        context = await base(request, "sellers")
        rows = await run_in_threadpool(dashboard.sellers, ctx.db, None)
        return page(
            "sellers.html",
            {
                **context,
                "sellers": rows,
                "created": created,
                "message": message,
                "marketplaces": sorted(WORLD.marketplaces.values(), key=lambda m: m.country),
            },
            status_code,
        )

    async def sellers_show(request: Request) -> Response:
        return await sellers_page(request)

    async def seller_add(request: Request) -> Response:
        """Create a seller (or add a key to one): the secret is shown on this one answer and never again."""
        form = await request.form()
        seller_id = _text(form, "seller_id")
        chosen = [m for m in form.getlist("marketplace") if isinstance(m, str) and m]
        if not _SELLER_ID.match(seller_id):
            return await sellers_page(request, message="A seller id is 1 to 64 letters and digits.", status_code=400)
        unknown = [m for m in chosen if m not in WORLD.marketplaces]
        if unknown:
            return await sellers_page(request, message=f"Unknown marketplace {unknown[0]}.", status_code=400)
        access_key = "AKIA" + secrets.token_hex(8).upper()
        secret_key = secrets.token_urlsafe(30)
        await run_in_threadpool(accounts.add_seller, ctx.db, seller_id, access_key, secret_key, None, chosen or None)
        created = {"seller_id": seller_id, "access_key": access_key, "secret_key": secret_key}
        return await sellers_page(request, created=created, status_code=201)

    async def seller_page(request: Request) -> Response:
        context = await base(request, "sellers")
        seller_id = request.path_params["seller_id"]
        rows = await run_in_threadpool(dashboard.sellers, ctx.db, seller_id)
        if not rows:
            return page("error.html", {**context, "message": f"There is no seller {seller_id}."}, 404)
        by_status = await run_in_threadpool(dashboard.count_by_status, ctx.db, seller_id)
        found = await run_in_threadpool(scenarios.listing, ctx.db, seller_id)
        latest = await run_in_threadpool(dashboard.search_orders, ctx.db, OrderFilter(seller_id=seller_id), None, 10)
        return page(
            "seller.html",
            {
                **context,
                "seller": rows[0],
                "by_status": by_status,
                "scenarios": found,
                "latest": latest.rows,
                "zone": dashboard.marketplace_zone,
            },
        )

    async def root_redirect(request: Request) -> Response:
        return RedirectResponse(PREFIX + "/", 307)

    static = StaticFiles(directory=str(resources.files("outbound.web") / "static"))
    return [
        Route(PREFIX, root_redirect, methods=["GET"]),
        Route(PREFIX + "/login", login_form, methods=["GET"]),
        Route(PREFIX + "/login", login, methods=["POST"]),
        Route(PREFIX + "/logout", logout, methods=["POST"]),
        Mount(PREFIX + "/static", app=static, name="dashboard-static"),
        Route(PREFIX + "/", guarded(overview), methods=["GET"]),
        Route(PREFIX + "/orders", guarded(orders_page), methods=["GET"]),
        Route(PREFIX + "/orders/{seller_id}/{order_id:path}", guarded(order_page), methods=["GET"]),
        Route(PREFIX + "/packages/{seller_id}/{package_number:int}", guarded(package_page), methods=["GET"]),
        Route(PREFIX + "/inventory", guarded(inventory_page), methods=["GET"]),
        Route(PREFIX + "/time", guarded(time_show), methods=["GET"]),
        Route(PREFIX + "/time/advance", guarded(clock_advance, form=True), methods=["POST"]),
        Route(PREFIX + "/scenarios", guarded(scenario_add, form=True), methods=["POST"]),
        Route(PREFIX + "/scenarios/{scenario_id:int}/remove", guarded(scenario_remove, form=True), methods=["POST"]),
        Route(PREFIX + "/sellers", guarded(sellers_show), methods=["GET"]),
        Route(PREFIX + "/sellers", guarded(seller_add, form=True), methods=["POST"]),
        Route(PREFIX + "/sellers/{seller_id}", guarded(seller_page), methods=["GET"]),
    ]
