"""The operator's JSON API under ``/admin``: sellers and keys, inventory, orders, the clock, scenarios and faults,
the service status, SP-API credentials, fulfillment features and notification subscriptions, described by
``/admin/openapi.json``.

Set ``OUTBOUND_ADMIN_TOKEN`` to require ``Authorization: Bearer <token>``; without it only loopback clients are
answered (``base.Guard``). Every module holds one resource's operations; ``base`` the shared machinery.
"""

from __future__ import annotations

import os
from typing import Any

from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from outbound.admin import clock, credentials, features, inventory, notifications, orders, scenarios, sellers, status
from outbound.admin.base import Call, Guard, Op, Resource, UnknownPath
from outbound.admin.openapi import document
from outbound.admin.schemas import COMPONENTS
from outbound.context import Context

__all__ = ["fallback", "guard_from_env", "operations", "routes"]


def guard_from_env() -> Guard:
    return Guard(os.environ.get("OUTBOUND_ADMIN_TOKEN"))


def operations(ctx: Context) -> list[Op]:
    """Every admin operation, the OpenAPI document's own included."""
    ops = [
        *sellers.operations(ctx),
        *inventory.operations(ctx),
        *orders.operations(ctx),
        *clock.operations(ctx),
        *scenarios.operations(ctx),
        *status.operations(ctx),
        *credentials.operations(ctx),
        *features.operations(ctx),
        *notifications.operations(ctx),
    ]
    published: dict[str, Any] = {}

    def openapi(call: Call) -> tuple[int, Any]:
        return 200, published

    own = Op(
        "GET",
        "/admin/openapi.json",
        openapi,
        "getOpenApi",
        "This document",
        "meta",
        {200: {"type": "object"}},
        errors=(),
        public=True,
    )
    ops.append(own)
    published.update(document(ops))
    return ops


def fallback(default: ASGIApp) -> ASGIApp:
    """The router's last resort (paths no route's pattern matches, such as one with a newline): an ``/admin`` path
    still answers in the admin's shape."""
    unknown = UnknownPath(guard_from_env())

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (scope["path"] == "/admin" or scope["path"].startswith("/admin/")):
            await unknown(scope, receive, send)
        else:
            await default(scope, receive, send)

    return app


def routes(ctx: Context) -> list[BaseRoute]:
    """One route per path (its methods dispatched inside, so a wrong method answers 405 in the admin's shape), then
    a 404 for any other ``/admin`` path."""
    guard = guard_from_env()
    by_path: dict[str, list[Op]] = {}
    for op in operations(ctx):
        by_path.setdefault(op.path, []).append(op)
    found: list[BaseRoute] = [Route(path, Resource(ops, guard, COMPONENTS)) for path, ops in by_path.items()]
    unknown = UnknownPath(guard)
    found += [Route("/admin", unknown), Route("/admin/{rest:path}", unknown)]
    return found
