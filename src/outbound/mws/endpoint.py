"""The MWS endpoint: one ASGI app that takes a request through the checks of ``docs/mws-protocol.md`` "Order of checks".

Path and method → body → parameters → access key → signature → freshness → Version and Action → seller grant →
throttle → the operation. Every refusal is an :class:`MwsError` rendered as an ``ErrorResponse``; anything
unexpected is logged and answered ``InternalError``, never a traceback. On PostgreSQL, GetFulfillmentOrder's one round
trip (the key grant and the order's stamp) is awaited on the event loop before the checks that use it.
"""

from __future__ import annotations

import base64
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from starlette.types import Receive, Scope, Send

from outbound.context import Context
from outbound.domain.errors import DomainError
from outbound.http_date import http_date
from outbound.mws import signing, xml
from outbound.mws.call import Call
from outbound.mws.errors import (
    MwsError,
    from_domain,
    internal_error,
    invalid,
    invalid_request,
    missing,
    service_unavailable,
    throttled,
)
from outbound.mws.operations import OPERATIONS, VERSION
from outbound.mws.params import MAX_BODY, Params, collect, parse_datetime, too_large
from outbound.offload import in_thread
from outbound.request_body import read_body
from outbound.service import access, faults, health, order_cache

log = logging.getLogger(__name__)

SKEW = timedelta(minutes=15)
MAX_EXPIRES_AHEAD = timedelta(hours=24)
ALLOWED = "GET, POST"
READ_ORDER = "GetFulfillmentOrder"
_AUTH_PARAMS = ("AWSAccessKeyId", "Signature", "SignatureMethod", "SignatureVersion")

Found = tuple[access.KeyGrant | None, order_cache.Stamp]  # GetFulfillmentOrder's grant and stamp, read ahead


def wall_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Reply:
    """A whole answer: status, body and the MWS headers (plus ``Allow`` on a 405)."""

    status: int
    body: bytes
    request_id: str
    allow: bool = False
    code: str | None = None  # the MWS error code of an ErrorResponse (metrics and access logs)

    def headers(self) -> list[tuple[bytes, bytes]]:
        """The headers MWS sends on every answer, errors included (``docs/mws-protocol.md`` "Answers")."""
        now = time.time()
        request_id = self.request_id.encode()
        found = [
            (b"content-type", b"text/xml"),
            (b"content-length", str(len(self.body)).encode()),
            (b"x-mws-request-id", request_id),
            (b"x-mws-timestamp", xml.iso_millis(datetime.fromtimestamp(now, UTC)).encode()),
            (b"x-mws-response-context", base64.b64encode(b"ctx:" + request_id)),
            (b"date", http_date(now)),
        ]
        if self.allow:
            found.append((b"allow", ALLOWED.encode()))
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Sent straight as ASGI messages: a framework response object costs more than this whole method."""
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers()})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else self.body})


def error_response(err: MwsError, request_id: str) -> Reply:
    body = xml.error(err.code, err.message, err.type, request_id)
    return Reply(err.status, body, request_id, err.status == 405, err.code)


class MwsEndpoint:
    """``/FulfillmentOutboundShipment/2010-10-01`` (with or without the trailing slash), GET and POST."""

    def __init__(self, ctx: Context, wall: Callable[[], datetime] = wall_clock) -> None:
        self.ctx = ctx
        self.wall = wall

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = str(uuid.uuid4())
        method = scope["method"]
        if method not in ("GET", "POST"):
            err = MwsError("InvalidRequest", f"Method {method} is not allowed; use GET or POST.", 405)
            await error_response(err, request_id)(scope, receive, send)
            return
        params: list[tuple[str, str]] = []
        writes = False
        try:
            body = await _read_body(receive) if method == "POST" else None
            params = collect(scope.get("query_string", b""), body)
            host = _header(scope, b"host")
            action = next((v for k, v in params if k == "Action"), "")
            operation = OPERATIONS.get(action)
            scope["outbound.operation"] = action if operation is not None else "unknown"
            writes = operation is not None and operation.writes
            if writes:
                response = await in_thread(self.process, method, host, scope["path"], params, request_id)
            else:  # reads are short: a thread hop would cost more than the work (see bench/README.md)
                ahead = action == READ_ORDER and access.reads_ahead(self.ctx.db)
                found = await self.read_ahead(params) if ahead else None
                response = self.process(method, host, scope["path"], params, request_id, found)
            if self.ctx.db.outage.down:
                self.ctx.db.outage.recovered()
        except MwsError as err:
            response = error_response(err, request_id)
        except Exception as exc:
            response = self.failed(
                exc, request_id, writes, lambda: self.process(method, host, scope["path"], params, request_id)
            )
        if response.code is not None:
            scope["outbound.error"] = response.code
        await response(scope, receive, send)

    def failed(self, exc: Exception, request_id: str, writes: bool, again: Callable[[], Reply]) -> Reply:
        """An unexpected error. A lost database connection is not logged per request: a read runs once more (the
        pool has dropped its dead connections, so on a fresh one); a write, or a read that fails again, answers
        ``ServiceUnavailable`` and the outage is logged once (:func:`outbound.service.health.recover`)."""
        try:
            reply = health.recover(self.ctx.db, exc, writes, again)
        except Exception:
            log.exception("request %s failed", request_id)
            return error_response(internal_error(), request_id)
        return reply if reply is not None else error_response(service_unavailable(), request_id)

    async def read_ahead(self, pairs: list[tuple[str, str]]) -> Found | None:
        """GetFulfillmentOrder's key grant and order stamp, awaited (PostgreSQL: one round trip during which the
        loop serves other requests); ``None`` when a check before the grant refuses the request, which
        :meth:`process` then answers without reading anything, as it would have."""
        params = Params.of(pairs)
        try:
            seller_id, access_key = _presented(params)
        except MwsError:
            return None
        read_order = params.raw("SellerFulfillmentOrderId")
        if not (read_order and seller_id):
            return None
        return await access.read_grant_with_stamp(self.ctx.db, access_key, seller_id, read_order.strip())

    def process(
        self,
        method: str,
        host: str,
        path: str,
        pairs: list[tuple[str, str]],
        request_id: str,
        found: Found | None = None,
    ) -> Reply:
        """Checks 3 to 11; a worker thread runs it for the writing operations, the event loop for the rest.
        ``found``: GetFulfillmentOrder's grant and stamp, read ahead (:meth:`read_ahead`)."""
        try:
            call = self.authenticate(method, host, path, pairs, request_id, found)
            operation = OPERATIONS[call.action]
            if not self.ctx.throttle.take(
                f"{call.caller.access_key}:{call.caller.seller_id}:{operation.bucket_name}", operation.quota
            ):
                raise throttled()
            fault = faults.take_fault(self.ctx.db, call.caller.seller_id, call.action) if call.has_faults else None
            if fault is not None:
                raise injected(fault.params)
            result = operation.handler(call)
            body = xml.response(call.action, request_id, result)
            return Reply(200, body, request_id)
        except MwsError as err:
            return error_response(err, request_id)
        except DomainError as err:
            return error_response(from_domain(err), request_id)

    def authenticate(
        self,
        method: str,
        host: str,
        path: str,
        pairs: list[tuple[str, str]],
        request_id: str,
        found: Found | None = None,
    ) -> Call:
        params = Params.of(pairs)
        seller_id, access_key = _presented(params)
        signature_method = params.require("SignatureMethod")
        timestamp, expires = params.raw("Timestamp"), params.raw("Expires")
        read_order = params.raw("SellerFulfillmentOrderId") if params.raw("Action") == READ_ORDER else None
        stamp = None
        if found is not None:
            grant, stamp = found
        elif read_order and seller_id:  # the order's cache stamp comes with the grant (one round trip)
            grant, stamp = access.find_grant_with_stamp(self.ctx.db, access_key, seller_id, read_order.strip())
        else:
            grant = access.find_grant(self.ctx.db, access_key, seller_id)
        if grant is None:
            raise MwsError("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
        if not signing.verify(
            grant.secret_key,
            params.require("Signature", trim=False),
            method,
            host,
            path,
            pairs,
            signature_method,
        ):
            raise MwsError(
                "SignatureDoesNotMatch",
                "The Signature parameter does not match the signature computed for this request.",
            )
        self._check_freshness(timestamp, expires)
        version = params.raw("Version")
        if version is None:
            raise missing("Version")
        if not version.strip():
            raise invalid_request("parameter Version failed a validation check: value cannot be empty.")
        if version.strip() != VERSION:
            raise invalid("Version", version)
        action = params.require("Action")
        if action not in OPERATIONS:
            raise MwsError("InvalidAddress", f"Invalid action {action}.")
        if seller_id is None:
            raise missing("SellerId")
        denial = access.check_grant(grant, params.raw("MWSAuthToken"))
        if denial is access.Denial.TOKEN_MISSING:
            raise MwsError("AccessDenied", "Missing required MWSAuthToken for Seller.")
        if denial is not None:
            raise MwsError("AccessDenied", "Access denied: this key is not authorized for the seller.")
        caller = access.caller(grant, access_key, seller_id)
        return Call(request_id, action, params, caller, self.ctx, grant.has_faults, stamp)

    def _check_freshness(self, timestamp: str | None, expires: str | None) -> None:
        now = self.wall()
        if timestamp:
            moment = parse_datetime(timestamp)
            if moment is None:
                raise MwsError("InvalidParameterValue", f"Timestamp {timestamp} must be in ISO8601 format")
            if moment < now - SKEW:
                raise MwsError(
                    "RequestExpired",
                    f"Request signature is too far in the past and has expired. Timestamp date: {timestamp}",
                )
            if moment > now + SKEW:
                raise MwsError(
                    "RequestExpired",
                    f"Request signature is too far in the future. Timestamp date: {timestamp}",
                )
            return
        assert expires is not None
        moment = parse_datetime(expires)
        if moment is None:
            raise MwsError("InvalidParameterValue", f"Expires {expires} must be in ISO8601 format")
        if moment < now:
            raise MwsError("RequestExpired", f"Request has expired. Expires date: {expires}")
        if moment > now + MAX_EXPIRES_AHEAD:
            raise MwsError("RequestExpired", f"Request Expires is too far in the future. Expires date: {expires}")


def _presented(params: Params) -> tuple[str | None, str]:
    """Check 3, which reads nothing: the signing parameters and the request's time are there and well formed, and
    the seller is named once. The seller and the access key, for the grant."""
    for name in _AUTH_PARAMS:
        if not params.raw(name):
            raise missing(name)
    signature_method = params.require("SignatureMethod")
    if signature_method not in signing.SIGNATURE_METHODS:
        raise invalid("SignatureMethod", signature_method)
    if params.require("SignatureVersion") != "2":
        raise invalid("SignatureVersion", params.require("SignatureVersion"))
    timestamp, expires = params.raw("Timestamp"), params.raw("Expires")
    if not timestamp and not expires:
        raise missing("Timestamp")
    if timestamp and expires:
        raise MwsError("InvalidParameterValue", "Timestamp and Expires must not be used together.")
    return _seller_id(params), params.require("AWSAccessKeyId")


async def _read_body(receive: Receive) -> bytes:
    return await read_body(
        receive,
        MAX_BODY,
        too_large,
        lambda: MwsError("InputStreamDisconnected", "The request stream was disconnected."),
    )


def injected(params: dict[str, object]) -> MwsError:
    """The MWS error a ``fault`` scenario asked for (503 only for throttling, as real clients expect)."""
    code = str(params.get("code"))
    if code == "RequestThrottled":
        return throttled()
    message = str(params.get("message") or f"Injected fault: {code}.")
    status = params.get("status")
    return MwsError(code, message, int(status) if isinstance(status, int | str) and str(status).isdigit() else None)


def _seller_id(params: Params) -> str | None:
    """``SellerId``, or the older spelling ``Merchant`` (an alias; both and different is refused)."""
    seller, merchant = params.string("SellerId"), params.string("Merchant")
    if seller and merchant and seller != merchant:
        raise invalid("Merchant", merchant, "differs from SellerId")
    return seller or merchant or None


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return ""
