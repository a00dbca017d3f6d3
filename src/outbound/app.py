"""Builds the ASGI app: the MWS section endpoint, the SP-API section and its LWA token endpoint, the ping document,
``/health``, ``/metrics``, the admin API, the operators' dashboard (``/dashboard/``), the RMA label page that
``rmaPageURL`` links to (``/mcf/returns/label``), and MWS-style 404s elsewhere."""

from __future__ import annotations

import contextlib
import gc
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import Receive, Scope, Send

from outbound import admin, web
from outbound.config import Settings
from outbound.context import Context
from outbound.mws import xml
from outbound.mws.endpoint import MwsEndpoint, error_response
from outbound.mws.errors import MwsError
from outbound.observability import Metrics, Observed, configure_logging
from outbound.service import health as health_check
from outbound.service import notifications, runtime, simulation, stats
from outbound.spapi.endpoint import SpApiEndpoint
from outbound.spapi.notifications import NotificationsEndpoint
from outbound.spapi.token import TOKEN_PATH, TokenEndpoint

SECTION_PATH = "/FulfillmentOutboundShipment/2010-10-01"
SECTION_PATHS = frozenset((SECTION_PATH, SECTION_PATH + "/"))
SPAPI_PREFIX = "/fba/"  # every path below answers in SP-API's form (unknown ones 404 with its headers)


async def ping(request: Request) -> Response:
    """``GET /`` answers MWS's ping document with the server time (clients use it to measure skew)."""
    stamp = xml.iso_seconds(datetime.now(UTC))
    body = f'<?xml version="1.0"?>\n<PingResponse><Timestamp timestamp="{stamp}"/></PingResponse>\n'
    return Response(body, headers={"content-type": "text/xml"})


class NotFound:
    """Any other path, any method: MWS's 404 ``InvalidAddress``.

    A class, not a function: Starlette would wrap a plain function as a ``request -> response`` endpoint limited to
    GET, which calls it with the wrong arguments (a 500) and answers other methods with its own 405 page.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        err = MwsError("InvalidAddress", "The specified address is invalid.")
        await error_response(err, str(uuid.uuid4()))(scope, receive, send)


class OutboundApp(Starlette):
    """Starlette for the small routes; MWS requests go straight to the section endpoint, ahead of routing and
    middleware: it answers every request with a whole MWS document and catches its own errors, and Starlette's
    layers cost more per request than its cheapest operations (``bench/README.md``). Every HTTP request, MWS or
    not, is timed, counted and logged (``observability.py``)."""

    def __init__(
        self,
        endpoint: MwsEndpoint,
        metrics: Metrics,
        spapi: SpApiEndpoint | None = None,
        token: TokenEndpoint | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.endpoint = endpoint
        self.metrics = metrics
        self.spapi = spapi
        self.token = token
        self.observed = Observed(self._dispatch, metrics)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.observed(scope, receive, send)

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            if path in SECTION_PATHS:  # MWS first, as before: its path costs one set lookup
                await self.endpoint(scope, receive, send)
                return
            if self.spapi is not None:  # SP-API likewise goes straight to its endpoint, ahead of Starlette
                if path.startswith(SPAPI_PREFIX):
                    await self.spapi(scope, receive, send)
                    return
                if path == TOKEN_PATH and self.token is not None:
                    await self.token(scope, receive, send)
                    return
        await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None, ctx: Context | None = None) -> OutboundApp:
    """The app for ``settings`` (default: from the environment), or around an already open ``ctx``."""
    context = ctx or Context.open(settings or Settings.from_env(), migrate=False)
    if ctx is None:  # a server process (tests pass their own context and keep their logging)
        configure_logging(context.settings.log_format, context.settings.log_level)
    endpoint = MwsEndpoint(context)
    metrics = Metrics(lambda: store_figures(context))
    runner: simulation.LifecycleRunner | None = None

    async def health(request: Request) -> Response:
        engine = runner.state if runner is not None else None
        found = await run_in_threadpool(
            health_check.report, context.settings, context.db, context.clock, context.throttle, engine
        )
        return JSONResponse(found, status_code=200 if found["status"] == "ok" else 503)

    async def metrics_page(request: Request) -> Response:
        body = await run_in_threadpool(metrics.render)
        return Response(body, headers={"content-type": CONTENT_TYPE_LATEST})

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        nonlocal runner
        if ctx is None:
            with contextlib.suppress(Exception):  # the store may be away at start: /health will say so
                runtime.record_clock_mode(context.db, context.settings.clock)
        if ctx is None and context.settings.clock == "real" and context.settings.engine:
            # the lifecycle moves on its own in real time
            runner = simulation.lifecycle_runner(context.db, context.clock, on_applied=metrics.steps.inc)
            runner.start()
        # notifications leave from their own thread: a slow or dead destination never holds a request or a step
        delivery = notifications.delivery_runner(context.db) if ctx is None and context.settings.notify else None
        if delivery is not None:
            delivery.start()
        if ctx is None:
            # what a server holds from its start (modules, the app, compiled statements) lives as long as it does:
            # out of the collector's sight, a full collection walks a few thousand objects instead of ~110,000
            # (20-60 us a create over HTTP, bench/README.md)
            gc.freeze()
        yield
        if delivery is not None:
            delivery.stop()
        if runner is not None:
            runner.stop()
        await context.db.close_async()  # the connections this loop's reads awaited on, whoever owns the store
        if ctx is None:
            context.close()

    spapi_on = context.settings.spapi
    app = OutboundApp(
        endpoint,
        metrics,
        SpApiEndpoint(context) if spapi_on else None,
        TokenEndpoint(context) if spapi_on else None,
        routes=[
            Route("/", ping, methods=["GET"]),
            Route("/health", health, methods=["GET"]),
            Route("/metrics", metrics_page, methods=["GET"]),
            *admin.routes(context),
            *web.routes(context, metrics.operation_counts),
            *web.rma_routes(context),
            *([Mount("/notifications/v1", app=NotificationsEndpoint(context))] if spapi_on else []),
            Route("/{path:path}", NotFound()),
        ],
        lifespan=lifespan,
    )
    app.router.default = admin.fallback(app.router.default)
    app.state.ctx = context
    return app


def store_figures(context: Context) -> tuple[dict[str, int], float | None]:
    """Orders by status and the engine's lag in seconds (None: nothing waits), for a metrics scrape."""
    by_status = stats.orders_by_status(context.db)
    due = stats.oldest_due(context.db)
    return by_status, None if due is None else (context.clock.now() - due).total_seconds()
