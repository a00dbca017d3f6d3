"""The JSON wire: whole answers sent as ASGI messages, with the headers every SP-API answer carries."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from starlette.types import Receive, Scope, Send

from outbound.http_date import http_date
from outbound.spapi.errors import SpApiError

JSON = b"application/json"
EMPTY = b"{}"


def encode(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def rate_text(rate: float) -> str:
    """The rate as clients ``parseFloat`` it, always with a decimal: ``2.0``, ``5.0``."""
    return repr(float(rate))


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: bytes
    request_id: str
    rate: str | None = None  # x-amzn-RateLimit-Limit
    allow: str | None = None
    content_type: bytes = JSON
    extra: tuple[tuple[bytes, bytes], ...] = ()
    code: str | None = None  # the error's code (metrics and access logs), never sent as a header

    def headers(self) -> list[tuple[bytes, bytes]]:
        found = [
            (b"content-type", self.content_type),
            (b"content-length", str(len(self.body)).encode()),
            (b"x-amzn-requestid", self.request_id.encode()),
            (b"date", http_date(time.time())),
        ]
        if self.rate is not None:
            found.append((b"x-amzn-ratelimit-limit", self.rate.encode()))
        if self.allow is not None:
            found.append((b"allow", self.allow.encode()))
        found.extend(self.extra)
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers()})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else self.body})


def success(payload: dict[str, Any] | bytes | None, request_id: str, rate: str) -> Reply:
    """``{"payload": ...}``, or ``{}`` for the operations whose model has no payload; a payload already encoded
    (a kept answer: ``service/order_cache.py``) is spliced in as :func:`encode` would have written it."""
    if payload is None:
        return Reply(200, EMPTY, request_id, rate)
    if isinstance(payload, bytes):
        return Reply(200, b'{"payload":' + payload + b"}", request_id, rate)
    return Reply(200, encode({"payload": payload}), request_id, rate)


def error(err: SpApiError, request_id: str, rate: str | None, allow: str | None = None) -> Reply:
    body = encode({"errors": [{"code": err.code, "message": err.message, "details": err.details}]})
    return Reply(err.status, body, request_id, rate, allow, code=err.code)
