"""SP-API's Notifications API v1 under ``/notifications/v1/``, on the same JSON wire, errors, tokens and throttling
as the fulfillment section: destinations with a grantless token (``client_credentials``), a seller's subscriptions
with the seller's token, a subscription by id with a grantless token, as Amazon's model has them.

Destinations are SQS queues (``resourceSpecification.sqs.arn``); EventBridge is refused with ``InvalidInput``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from outbound.context import Context
from outbound.domain.errors import DomainError
from outbound.service import lwa
from outbound.service import notifications as service
from outbound.spapi import wire
from outbound.spapi.endpoint import REFUSALS, _read_body
from outbound.spapi.errors import SpApiError, from_domain, internal_failure, invalid, missing, quota_exceeded
from outbound.spapi.inputs import parse_body
from outbound.throttle import Quota

log = logging.getLogger(__name__)

PREFIX = "/notifications/v1/"
QUOTA = Quota(5, 1.0)  # the Notifications API's usage plan: 1 request a second, burst 5
RATE = wire.rate_text(QUOTA.rate)


@dataclass(frozen=True)
class Caller:
    client_id: str
    seller_id: str | None  # none for a grantless token


@dataclass(frozen=True)
class Op:
    name: str
    run: Callable[[Context, Caller, list[str], Any], dict[str, Any] | None]
    grantless: bool
    body: bool = False


# ------------------------------------------------------------------------------------------------ shapes


def _destination(d: service.Destination) -> dict[str, Any]:
    return {"name": d.name, "destinationId": d.destination_id, "resource": {"sqs": {"arn": d.target}}}


def _subscription(s: service.Subscription) -> dict[str, Any]:
    return {"subscriptionId": s.subscription_id, "payloadVersion": s.payload_version, "destinationId": s.destination_id}


def _text(body: Any, name: str) -> str:
    value = body.get(name) if isinstance(body, dict) else None
    if value is None:
        raise missing(name)
    if not isinstance(value, str):
        raise invalid(name)
    return value


# ------------------------------------------------------------------------------------------------ operations


def get_destinations(ctx: Context, caller: Caller, _p: list[str], _b: Any) -> dict[str, Any] | None:
    return {"payload": [_destination(d) for d in service.destinations(ctx.db, caller.client_id)]}


def create_destination(ctx: Context, caller: Caller, _p: list[str], body: Any) -> dict[str, Any] | None:
    name = _text(body, "name")
    spec = body.get("resourceSpecification")
    if not isinstance(spec, dict):
        raise missing("resourceSpecification")
    if "eventBridge" in spec:
        raise invalid("resourceSpecification.eventBridge", "EventBridge destinations are not offered; use sqs.")
    sqs = spec.get("sqs")
    if not isinstance(sqs, dict):
        raise missing("resourceSpecification.sqs")
    arn = _text(sqs, "arn")
    return {"payload": _destination(service.create_destination(ctx.db, caller.client_id, name, arn))}


def get_destination(ctx: Context, caller: Caller, params: list[str], _b: Any) -> dict[str, Any] | None:
    return {"payload": _destination(service.destination(ctx.db, caller.client_id, params[0]))}


def delete_destination(ctx: Context, caller: Caller, params: list[str], _b: Any) -> dict[str, Any] | None:
    service.delete_destination(ctx.db, caller.client_id, params[0])
    return {}


def get_subscription(ctx: Context, caller: Caller, params: list[str], _b: Any) -> dict[str, Any] | None:
    assert caller.seller_id is not None
    found = service.subscription(ctx.db, caller.seller_id, caller.client_id, params[0])
    return {"payload": _subscription(found)}


def create_subscription(ctx: Context, caller: Caller, params: list[str], body: Any) -> dict[str, Any] | None:
    assert caller.seller_id is not None
    made = service.create_subscription(
        ctx.db,
        caller.seller_id,
        caller.client_id,
        params[0],
        _text(body, "destinationId"),
        _text(body, "payloadVersion"),
    )
    return {"payload": _subscription(made)}


def get_subscription_by_id(ctx: Context, caller: Caller, params: list[str], _b: Any) -> dict[str, Any] | None:
    return {"payload": _subscription(service.subscription_by_id(ctx.db, caller.client_id, params[0], params[1]))}


def delete_subscription_by_id(ctx: Context, caller: Caller, params: list[str], _b: Any) -> dict[str, Any] | None:
    service.delete_subscription_by_id(ctx.db, caller.client_id, params[0], params[1])
    return {}


ROUTES: dict[tuple[str, int, str], Op] = {  # (first segment, segments, method)
    ("destinations", 1, "GET"): Op("getDestinations", get_destinations, grantless=True),
    ("destinations", 1, "POST"): Op("createDestination", create_destination, grantless=True, body=True),
    ("destinations", 2, "GET"): Op("getDestination", get_destination, grantless=True),
    ("destinations", 2, "DELETE"): Op("deleteDestination", delete_destination, grantless=True),
    ("subscriptions", 2, "GET"): Op("getSubscription", get_subscription, grantless=False),
    ("subscriptions", 2, "POST"): Op("createSubscription", create_subscription, grantless=False, body=True),
    ("subscriptions", 3, "GET"): Op("getSubscriptionById", get_subscription_by_id, grantless=True),
    ("subscriptions", 3, "DELETE"): Op("deleteSubscriptionById", delete_subscription_by_id, grantless=True),
}


class NotificationsEndpoint:
    """Every path under ``/notifications/v1/``: 404/405 in SP-API's form for the others."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = str(uuid.uuid4())
        raw = (scope.get("raw_path") or scope["path"].encode()).split(b"?", 1)[0].decode("latin-1")
        parts = [unquote(p) for p in raw[len(PREFIX) :].strip("/").split("/")] if raw.startswith(PREFIX) else []
        methods = {m for (first, n, m) in ROUTES if parts and first == parts[0] and n == len(parts)}
        try:
            if not methods or any(not p for p in parts):
                raise SpApiError("NotFound", "The requested resource was not found.")
            op = ROUTES.get((parts[0], len(parts), scope["method"]))
            if op is None:
                err = SpApiError("MethodNotAllowed", f"Method {scope['method']} is not allowed on this resource.")
                await wire.error(err, request_id, RATE, ", ".join(sorted(methods)))(scope, receive, send)
                return
            body = parse_body(await _read_body(receive), required=op.body) if op.body else None
            token = _header(scope, b"x-amz-access-token")
            reply = await run_in_threadpool(self.process, op, parts[1:], body, token, request_id)
        except SpApiError as err:
            reply = wire.error(err, request_id, RATE)
        except Exception:
            log.exception("request %s failed", request_id)
            reply = wire.error(internal_failure(), request_id, RATE)
        await reply(scope, receive, send)

    def process(self, op: Op, params: list[str], body: Any, token: str | None, request_id: str) -> wire.Reply:
        try:
            caller = self._caller(op, token)
            key = f"spapi-notifications:{caller.seller_id or ''}:{caller.client_id}:{op.name}"
            if not self.ctx.throttle.take(key, QUOTA):
                raise quota_exceeded()
            if op.body and not isinstance(body, dict):
                raise missing("body")
            result = op.run(self.ctx, caller, params, body)
            return wire.Reply(200, wire.encode(result or {}), request_id, RATE)
        except SpApiError as err:
            return wire.error(err, request_id, RATE)
        except service.NotFound as err:
            return wire.error(SpApiError("NotFound", err.message), request_id, RATE)
        except service.Conflict as err:
            return wire.error(SpApiError("Conflict", err.message, err.existing, status=409), request_id, RATE)
        except DomainError as err:
            return wire.error(from_domain(err), request_id, RATE)

    def _caller(self, op: Op, token: str | None) -> Caller:
        if op.grantless:
            found = service.grantless_application(self.ctx.db, token)
            if isinstance(found, lwa.Refusal):
                raise SpApiError("Unauthorized", "Access to requested resource is denied.", REFUSALS[found])
            return Caller(found, None)
        resolved = lwa.resolve(self.ctx.db, token)
        if isinstance(resolved, lwa.Refusal):
            raise SpApiError("Unauthorized", "Access to requested resource is denied.", REFUSALS[resolved])
        return Caller(resolved.caller.access_key, resolved.caller.seller_id)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None
