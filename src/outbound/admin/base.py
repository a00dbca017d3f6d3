"""What every admin route shares: the route table's entries, who may call, checking input against the same schemas
the OpenAPI document publishes, and the one error shape, ``{"error": {"code", "message"}}``.

Handlers are plain functions of a :class:`Call` (run in a worker thread: they call the service layer, which blocks)
returning a status and a JSON value; a refusal is raised (:class:`AdminError`, or a service-layer refusal, mapped
in :func:`refusal`), never returned as a 500.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from outbound.domain.errors import InvalidValue, NotAllowed
from outbound.service.errors import NotFound, Refused
from outbound.service.inventory import InventoryError
from outbound.service.lwa import CredentialError
from outbound.service.simulation import ClockError

log = logging.getLogger("outbound.admin")

Schema = dict[str, Any]
MAX_BODY = 4 * 1024 * 1024  # an inventory CSV of ~100,000 rows

# HTTP status → the error code the body names (SP-API's names where it has one)
CODES = {
    400: "InvalidInput",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    413: "RequestTooLarge",
    500: "InternalFailure",
}


class AdminError(Exception):
    """A refusal with its HTTP status; answered as ``{"error": {"code", "message"}}``."""

    def __init__(
        self, status: int, message: str, headers: Mapping[str, str] | None = None, field: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})
        self.field = field

    def response(self) -> JSONResponse:
        return error_response(self.status, self.message, self.headers, self.field)


def error_response(
    status: int, message: str, headers: Mapping[str, str] | None = None, field: str | None = None
) -> JSONResponse:
    error = {"code": CODES[status], "message": message}
    if field is not None:
        error["field"] = field
    return JSONResponse({"error": error}, status_code=status, headers=headers)


def refusal(exc: Exception) -> AdminError | None:
    """The admin answer for a refusal the service layer raised (``None``: not a refusal, a fault)."""
    if isinstance(exc, AdminError):
        return exc
    if isinstance(exc, NotFound):
        return AdminError(404, str(exc))
    if isinstance(exc, InventoryError):
        return AdminError(400, str(exc))
    if isinstance(exc, InvalidValue):
        reason = f": {exc.reason}" if exc.reason else ""
        return AdminError(400, f"invalid {exc.field} {exc.value!r}{reason}", field=exc.field)
    if isinstance(exc, NotAllowed):
        return AdminError(409, exc.message)
    if isinstance(exc, Refused | ClockError | CredentialError | ValueError):
        return AdminError(400, str(exc))
    return None


# --------------------------------------------------------------------------------------------------- who may call


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class Guard:
    """``OUTBOUND_ADMIN_TOKEN`` set: every call needs ``Authorization: Bearer <token>`` (else 401). Unset: only
    clients on the loopback interface are answered (else 403), so an open admin API never leaves the machine."""

    def __init__(self, token: str | None) -> None:
        self.token = token or None

    def check(self, scope: Scope) -> None:
        if self.token is None:
            client = scope.get("client")
            if not is_loopback(client[0] if client else None):
                raise AdminError(
                    403,
                    "the admin API answers only loopback clients while OUTBOUND_ADMIN_TOKEN is unset; set it on "
                    "the server and send Authorization: Bearer <token>",
                )
            return
        sent = dict(scope.get("headers") or ()).get(b"authorization", b"")
        if not hmac.compare_digest(sent, f"Bearer {self.token}".encode()):
            raise AdminError(
                401,
                "send the server's OUTBOUND_ADMIN_TOKEN as Authorization: Bearer <token>",
                {"WWW-Authenticate": "Bearer"},
            )


# --------------------------------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class Param:
    name: str
    where: str  # "path" or "query"
    schema: Schema
    description: str = ""
    required: bool = False


@dataclass
class Call:
    """One request's checked input."""

    path: dict[str, Any]
    query: dict[str, Any]
    body: Any
    request: Request


Handler = Callable[[Call], tuple[int, Any]]


@dataclass(frozen=True)
class Op:
    """One admin operation: its route, its handler, and what the OpenAPI document says of it (which is also what
    the input is checked against)."""

    method: str
    path: str  # Starlette's form, e.g. /admin/scenarios/{scenario_id:int}
    handler: Handler
    operation_id: str
    summary: str
    tag: str
    answers: dict[int, Schema]  # status → body schema
    params: tuple[Param, ...] = ()
    body: Schema | None = None
    body_media: str = "application/json"
    body_required: bool = True
    errors: tuple[int, ...] = (400,)
    public: bool = False  # answered without the guard (the OpenAPI document)
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def template(self) -> str:
        """The path as OpenAPI writes it (no converters)."""
        return re.sub(r"\{(\w+):\w+\}", r"{\1}", self.path)


# --------------------------------------------------------------------------------------------------- input checks


class Invalid(Exception):
    pass


def check(value: Any, schema: Schema, where: str, components: Mapping[str, Schema]) -> None:
    """``value`` against the subset of JSON Schema the admin document uses; ``Invalid`` names the first fault."""
    if "$ref" in schema:
        check(value, components[schema["$ref"].rsplit("/", 1)[-1]], where, components)
        return
    if "anyOf" in schema:
        faults = []
        for option in schema["anyOf"]:
            try:
                check(value, option, where, components)
                return
            except Invalid as exc:
                faults.append(str(exc))
        raise Invalid(faults[-1])
    kinds = schema.get("type")
    if kinds is not None:
        allowed = kinds if isinstance(kinds, list) else [kinds]
        if not any(_is(value, kind) for kind in allowed):
            raise Invalid(f"{where} must be {' or '.join(_NAMES[k] for k in allowed)}")
    if "enum" in schema and value not in schema["enum"]:
        raise Invalid(f"{where} must be one of {', '.join(map(str, schema['enum']))}")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            raise Invalid(f"{where} must not be empty" if schema["minLength"] == 1 else f"{where} is too short")
        if len(value) > schema.get("maxLength", math.inf):
            raise Invalid(f"{where} must be at most {schema['maxLength']} characters")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            raise Invalid(f"{where} {value!r} is not in the expected form{_hint(schema)}")
        if schema.get("format") == "date" and not _parses(date.fromisoformat, value):
            raise Invalid(f"{where} must be a date (YYYY-MM-DD)")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value < schema.get("minimum", -math.inf) or value > schema.get("maximum", math.inf):
            raise Invalid(f"{where} must be between {schema.get('minimum', '-∞')} and {schema.get('maximum', '∞')}")
        if "exclusiveMinimum" in schema and not value > schema["exclusiveMinimum"]:
            raise Invalid(f"{where} must be above {schema['exclusiveMinimum']}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems", math.inf):
            raise Invalid(f"{where} must hold {schema.get('minItems', 0)} to {schema.get('maxItems', 'any')} items")
        for n, item in enumerate(value):
            check(item, schema.get("items", {}), f"{where}[{n}]", components)
    if isinstance(value, dict):
        _check_object(value, schema, where, components)


def _check_object(value: dict[str, Any], schema: Schema, where: str, components: Mapping[str, Schema]) -> None:
    properties = schema.get("properties", {})
    for name in schema.get("required", ()):
        if name not in value:
            raise Invalid(f"{_at(where, name)} is required")
    if len(value) < schema.get("minProperties", 0):
        raise Invalid(f"{where} must not be empty")
    if len(value) > schema.get("maxProperties", math.inf):
        raise Invalid(f"{where} has too many members (at most {schema['maxProperties']})")
    extra = schema.get("additionalProperties", True)
    for name, item in value.items():
        if name in properties:
            check(item, properties[name], _at(where, name), components)
        elif extra is False:
            known = ", ".join(properties) or "none"
            raise Invalid(f"unknown member {_at(where, name)} (known: {known})")
        elif isinstance(extra, dict):
            check(item, extra, _at(where, name), components)


def _at(where: str, name: str) -> str:
    return name if where in ("", "the body") else f"{where}.{name}"


def _hint(schema: Schema) -> str:
    return f" ({schema['description']})" if "description" in schema else ""


def _parses(parse: Callable[[str], Any], text: str) -> bool:
    try:
        parse(text)
    except ValueError:
        return False
    return True


_NAMES = {
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "an object",
    "array": "an array",
    "null": "null",
}


def _is(value: Any, kind: str) -> bool:
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    return isinstance(
        value,
        {"string": str, "boolean": bool, "object": dict, "array": list, "null": type(None)}[kind],
    )


def parse_instant(text: str, name: str) -> datetime:
    """An ISO 8601 instant; one without a zone is read as UTC."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
        return moment.astimezone(UTC) if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise AdminError(400, f"{name} must be an ISO 8601 instant like 2026-12-01T09:00:00Z, not {text!r}") from None


# --------------------------------------------------------------------------------------------------- dispatching


class Resource:
    """The ASGI app of one path: guards, picks the operation by method (405 with ``Allow`` otherwise), checks the
    input, runs the handler in a worker thread, and answers JSON (errors included)."""

    def __init__(self, ops: list[Op], guard: Guard, components: Mapping[str, Schema]) -> None:
        self.ops = {op.method: op for op in ops}
        self.guard = guard
        self.components = components

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = await self.answer(request)
        await response(scope, receive, send)

    async def answer(self, request: Request) -> Response:
        op = self.ops.get(request.method) or (self.ops.get("GET") if request.method == "HEAD" else None)
        try:
            if op is None or not op.public:
                self.guard.check(request.scope)
            if op is None:
                allow = ", ".join(sorted(self.ops))
                raise AdminError(405, f"{request.method} is not allowed here; use {allow}", {"Allow": allow})
            call = await self.read(op, request)
            status, data = await run_in_threadpool(op.handler, call)
        except Exception as exc:
            refused = refusal(exc)
            if refused is None:
                log.exception("admin request %s %s failed", request.method, request.url.path)
                return error_response(500, "the request failed inside the service; see the server's log")
            return refused.response()
        if isinstance(data, Response):
            return data
        return JSONResponse(data, status_code=status)

    async def read(self, op: Op, request: Request) -> Call:
        path: dict[str, Any] = {}
        query: dict[str, Any] = {}
        for param in op.params:
            if param.where == "path":
                raw = request.path_params.get(param.name)
                try:
                    check(raw, param.schema, param.name, self.components)
                except Invalid as exc:  # the path names nothing that can exist
                    raise AdminError(404, str(exc)) from None
                path[param.name] = raw
            else:
                text = request.query_params.get(param.name)
                if text is None:
                    if param.required:
                        raise AdminError(400, f"query parameter {param.name} is required")
                    continue
                value = _query_value(text, param)
                _checked(value, param.schema, param.name, self.components)
                query[param.name] = value
        body: Any = None
        if op.body is not None:
            raw = await request.body()
            if len(raw) > MAX_BODY:
                raise AdminError(413, f"the body is larger than {MAX_BODY // (1024 * 1024)} MiB")
            if op.body_media == "application/json":
                if raw.strip() or op.body_required:  # an optional body may be left out, not sent as null
                    body = _json(raw)
                    _checked(body, op.body, "the body", self.components)
            else:
                try:
                    body = raw.decode("utf-8")
                except UnicodeDecodeError:
                    raise AdminError(400, "the body must be UTF-8 text") from None
        return Call(path, query, body, request)


def _query_value(text: str, param: Param) -> Any:
    if param.schema.get("type") == "integer":
        if not re.fullmatch(r"-?[0-9]{1,18}", text.strip()):
            raise AdminError(400, f"query parameter {param.name} must be a whole number")
        return int(text)
    return text


def _checked(value: Any, schema: Schema, where: str, components: Mapping[str, Schema]) -> None:
    try:
        check(value, schema, where, components)
    except Invalid as exc:
        raise AdminError(400, str(exc)) from None


def _json(raw: bytes) -> Any:
    if not raw.strip():
        raise AdminError(400, "the body must be a JSON object")
    try:
        return json.loads(raw, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise AdminError(400, "the body is not valid JSON") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class UnknownPath:
    """Any other path under ``/admin``: 404 in the admin's error shape (after the guard, like every route)."""

    def __init__(self, guard: Guard) -> None:
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            self.guard.check(scope)
            raise AdminError(404, f"no admin resource at {scope['path']}; GET /admin/openapi.json lists them")
        except AdminError as exc:
            response = exc.response()
        await response(scope, receive, send)
