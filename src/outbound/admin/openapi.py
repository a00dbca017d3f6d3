"""The OpenAPI 3.1 document of ``/admin``, built from the route table: every operation's parameters, body and
answers come from the same :class:`~outbound.admin.base.Op` entries the server routes and checks input with."""

from __future__ import annotations

from typing import Any

from outbound import __version__
from outbound.admin.base import CODES, Op
from outbound.admin.schemas import COMPONENTS, ref

AUTH_ERRORS = (401, 403)
SUCCESS = {200: "OK", 201: "Created", 204: "No Content"}
WHY = {
    400: "The input is refused; the message says what is wrong and how to fix it.",
    401: "OUTBOUND_ADMIN_TOKEN is set on the server and the request did not send it as a bearer token.",
    403: "OUTBOUND_ADMIN_TOKEN is unset and the client is not on the loopback interface.",
    404: "Something the request names does not exist.",
    409: "The service's state does not allow it (the clock is real).",
    413: "The body is too large.",
}


def _operation(op: Op) -> dict[str, Any]:
    found: dict[str, Any] = {"operationId": op.operation_id, "summary": op.summary, "tags": [op.tag]}
    if op.description:
        found["description"] = op.description
    params = [
        {
            "name": p.name,
            "in": p.where,
            "required": p.where == "path" or p.required,
            "schema": p.schema,
            **({"description": p.description} if p.description else {}),
        }
        for p in op.params
    ]
    if params:
        found["parameters"] = params
    if op.body is not None:
        found["requestBody"] = {"required": op.body_required, "content": {op.body_media: {"schema": op.body}}}
    answers: dict[str, Any] = {
        str(status): {"description": SUCCESS[status], "content": {"application/json": {"schema": schema}}}
        if status != 204
        else {"description": SUCCESS[status]}  # no body
        for status, schema in sorted(op.answers.items())
    }
    errors = set(op.errors) | (set() if op.public else set(AUTH_ERRORS))
    if op.body is not None and op.body_media == "application/json":
        errors.add(400)  # a body that is not JSON, or not of the schema
    if op.body is not None:
        errors.add(413)
    if any(p.where == "query" for p in op.params):
        errors.add(400)
    for status in sorted(errors):
        answers[str(status)] = {"$ref": f"#/components/responses/{CODES[status]}"}
    found["responses"] = answers
    if op.public:
        found["security"] = []
    return found


def document(ops: list[Op]) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for op in ops:
        paths.setdefault(op.template, {})[op.method.lower()] = _operation(op)
    responses = {
        CODES[status]: {"description": why, "content": {"application/json": {"schema": ref("Error")}}}
        for status, why in WHY.items()
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Outbound admin API",
            "version": __version__,
            "description": "The operator's JSON API of an Outbound server: sellers and keys, inventory, orders, the "
            "virtual clock, scenarios and faults, the service status, SP-API credentials, fulfillment features, "
            "notification subscriptions and their delivery log. "
            "With OUTBOUND_ADMIN_TOKEN set every call needs Authorization: Bearer <token>; without it only "
            'loopback clients are answered. Every error is {"error": {"code", "message"}}.',
        },
        "paths": paths,
        "components": {
            "schemas": COMPONENTS,
            "responses": responses,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}, {}],
    }
