"""Builds the ASGI app: the MWS section endpoint, the ping document, ``/health``, the admin API, the operators'
dashboard (``/dashboard/``), and MWS-style 404s."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from outbound import __version__, admin, web
from outbound.config import Settings
from outbound.context import Context
from outbound.mws import xml
from outbound.mws.endpoint import MwsEndpoint, error_response
from outbound.mws.errors import MwsError
from outbound.sim.engine import Engine, Runner

SECTION_PATH = "/FulfillmentOutboundShipment/2010-10-01"
SECTION_PATHS = frozenset((SECTION_PATH, SECTION_PATH + "/"))


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
    layers cost more per request than its cheapest operations (``bench/README.md``)."""

    def __init__(self, endpoint: MwsEndpoint, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.endpoint = endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] in SECTION_PATHS:
            await self.endpoint(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None, ctx: Context | None = None) -> OutboundApp:
    """The app for ``settings`` (default: from the environment), or around an already open ``ctx``."""
    context = ctx or Context.open(settings or Settings.from_env(), migrate=False)
    endpoint = MwsEndpoint(context)

    async def health(request: Request) -> Response:
        try:
            with context.db.read() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:
            return JSONResponse({"status": "unavailable", "error": type(exc).__name__}, status_code=503)
        backend = "sqlite" if context.db.is_sqlite else "postgresql"
        return JSONResponse({"status": "ok", "version": __version__, "database": backend})

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        runner = None
        if ctx is None and context.settings.clock == "real" and context.settings.engine:
            runner = Runner(Engine(context.db), context.clock)  # the lifecycle moves on its own in real time
            runner.start()
        yield
        if runner is not None:
            runner.stop()
        if ctx is None:
            context.close()

    app = OutboundApp(
        endpoint,
        routes=[
            Route("/", ping, methods=["GET"]),
            Route("/health", health, methods=["GET"]),
            *admin.routes(context),
            *web.routes(context),
            Route("/{path:path}", NotFound()),
        ],
        lifespan=lifespan,
    )
    app.state.ctx = context
    return app
