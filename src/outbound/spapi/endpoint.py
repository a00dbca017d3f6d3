"""The SP-API endpoint: one ASGI app for every path under ``/fba/outbound/2020-07-01/``.

Checks in order: route (404/405) → body readable and within limits (400) → access token (403) → throttle (429) →
parameters (400) → business rules (400/404) → 200. Every answer carries ``x-amzn-RequestId`` and
``x-amzn-RateLimit-Limit``; anything unexpected is logged and answered ``InternalFailure``, never a traceback.
Reads run on the event loop (a thread hop would cost more than the work), writes in a worker thread; on PostgreSQL
getFulfillmentOrder's one round trip (the token's owner and the order's stamp) is awaited, not waited for.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from starlette.types import Receive, Scope, Send

from outbound.context import Context
from outbound.domain.errors import DomainError
from outbound.offload import in_thread
from outbound.request_body import read_body
from outbound.service import access, faults, health, lwa, order_cache
from outbound.spapi import wire
from outbound.spapi.call import SpCall
from outbound.spapi.errors import SpApiError, from_domain, internal_failure, missing, quota_exceeded, too_large
from outbound.spapi.inputs import MAX_BODY, parse_body, parse_query
from outbound.spapi.operations import ALL, Operation, Resource, route
from outbound.throttle import Quota

log = logging.getLogger(__name__)

DEFAULT_RATE = wire.rate_text(2.0)
TOKEN_HEADER = b"x-amz-access-token"
REFUSALS = {
    lwa.Refusal.MISSING: "The access token is missing.",
    lwa.Refusal.INVALID: "The access token you provided is revoked, malformed or invalid.",
    lwa.Refusal.EXPIRED: "The access token you provided has expired.",
    lwa.Refusal.NOT_AUTHORIZED: "The access token you provided is not authorized for this operation.",
}
READ_ORDER = "getFulfillmentOrder"
Found = tuple[lwa.TokenCaller | lwa.Refusal, order_cache.Stamp | None]  # getFulfillmentOrder's, read ahead
SANDBOX_ONLY = "{} is a sandbox-only operation and is disabled on this service."
UNAVAILABLE = "The service cannot reach its store right now. Please try again."


class SpApiEndpoint:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        factor = ctx.settings.spapi_quota_multiplier
        overrides = ctx.settings.spapi_rate_overrides
        unknown = sorted(set(overrides) - {op.name for op in ALL})
        if unknown:
            raise ValueError(f"SP-API rates name unknown operations: {', '.join(unknown)}")
        self.quotas: dict[str, Quota] = {}
        self.rates: dict[str, str] = {}
        for op in ALL:
            rate, burst = overrides.get(op.name, op.plan)
            self.quotas[op.name] = Quota(max(1, round(burst * factor)), rate * factor)
            self.rates[op.name] = wire.rate_text(rate * factor)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = str(uuid.uuid4())
        raw_path = scope.get("raw_path") or scope["path"].encode()
        resource = route(raw_path.split(b"?", 1)[0])
        if resource is None:
            err = SpApiError("NotFound", "The requested resource was not found.")
            await wire.error(err, request_id, DEFAULT_RATE)(scope, receive, send)
            return
        op = resource.methods.get(scope["method"])
        if op is None:
            err = SpApiError("MethodNotAllowed", f"Method {scope['method']} is not allowed on this resource.")
            await wire.error(err, request_id, DEFAULT_RATE, resource.allow)(scope, receive, send)
            return
        rate = self.rates[op.name]
        scope["outbound.operation"] = op.name
        args: tuple[Any, ...] = ()
        try:
            body = parse_body(await _read_body(receive), required=False) if op.body else None
            query = parse_query(scope.get("query_string", b""), op.query)
            token = _header(scope, TOKEN_HEADER)
            args = (op, resource, query, body, token, request_id, rate)
            if op.writes:
                reply = await in_thread(self.process, *args)
            else:  # reads run on the event loop: a thread hop would cost more than the work
                ahead = op.name == READ_ORDER and access.reads_ahead(self.ctx.db)
                found = await self.read_ahead(resource, token) if ahead else None
                reply = self.process(*args, found)
        except SpApiError as err:
            reply = wire.error(err, request_id, rate)
        except Exception as exc:
            reply = self.failed(exc, request_id, rate, op.writes, lambda: self.process(*args))
        if reply.code is not None:
            scope["outbound.error"] = reply.code
        await reply(scope, receive, send)

    def failed(
        self, exc: Exception, request_id: str, rate: str, writes: bool, again: Callable[[], wire.Reply]
    ) -> wire.Reply:
        """An unexpected error: a lost database connection is survived as MWS survives it (a read runs once more,
        a write answers ``ServiceUnavailable``, the outage is logged once); anything else is a logged fault."""
        try:
            reply = health.recover(self.ctx.db, exc, writes, again)
        except Exception:
            log.exception("request %s failed", request_id)
            return wire.error(internal_failure(), request_id, rate)
        if reply is None:
            return wire.error(SpApiError("ServiceUnavailable", UNAVAILABLE), request_id, rate)
        return reply

    async def read_ahead(self, resource: Resource, token: str | None) -> Found:
        """getFulfillmentOrder's token owner and order stamp, awaited (PostgreSQL: one round trip during which the
        loop serves other requests)."""
        return await lwa.read_with_stamp(self.ctx.db, token, resource.params["sellerFulfillmentOrderId"])

    def process(
        self,
        op: Operation,
        resource: Resource,
        query: dict[str, str],
        body: Any,
        token: str | None,
        request_id: str,
        rate: str,
        found: Found | None = None,
    ) -> wire.Reply:
        """``found``: getFulfillmentOrder's token owner and stamp, read ahead (:meth:`read_ahead`)."""
        try:
            stamp = None
            if found is not None:
                resolved, stamp = found
            elif op.name == READ_ORDER:  # the order's cache stamp comes with the token's owner (one round trip)
                resolved, stamp = lwa.resolve_with_stamp(
                    self.ctx.db, token, resource.params["sellerFulfillmentOrderId"]
                )
            else:
                resolved = lwa.resolve(self.ctx.db, token)
            if isinstance(resolved, lwa.Refusal):
                raise SpApiError("Unauthorized", "Access to requested resource is denied.", REFUSALS[resolved])
            caller = resolved.caller
            key = f"spapi:{caller.seller_id}:{caller.access_key}:{op.name}"
            if not self.ctx.throttle.take(key, self.quotas[op.name]):
                raise quota_exceeded()
            if op.sandbox and not self.ctx.settings.sandbox_operations:
                raise SpApiError(
                    "Unauthorized", "Access to requested resource is denied.", SANDBOX_ONLY.format(op.name)
                )
            if op.body and body is None:
                raise missing("body")
            if resolved.has_faults:
                fault = faults.take_fault(self.ctx.db, caller.seller_id, op.mws_action or op.name)
                if fault is not None:
                    raise injected(fault.params)
            call = SpCall(request_id, op.name, resource.params, query, body, caller, self.ctx, stamp)
            return wire.success(op.handler(call), request_id, rate)
        except SpApiError as err:
            return wire.error(err, request_id, rate)
        except DomainError as err:
            return wire.error(from_domain(err), request_id, rate)


def injected(params: dict[str, object]) -> SpApiError:
    """A ``fault`` scenario as SP-API answers it: MWS's throttling is a 429, its server errors 500 or 503."""
    code = str(params.get("code"))
    message = str(params.get("message") or f"Injected fault: {code}.")
    if code == "RequestThrottled":
        return quota_exceeded()
    raw_status = params.get("status")
    status = int(raw_status) if isinstance(raw_status, int | str) and str(raw_status).isdigit() else None
    if code in ("ServiceUnavailable",) or status == 503:
        return SpApiError("ServiceUnavailable", message)
    if code in ("InternalError", "InternalFailure") or (status is not None and status >= 500):
        return SpApiError("InternalFailure", message)
    return SpApiError("InvalidInput", message)


async def _read_body(receive: Receive) -> bytes:
    return await read_body(
        receive, MAX_BODY, too_large, lambda: SpApiError("InvalidInput", "The request stream was disconnected.")
    )


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None
