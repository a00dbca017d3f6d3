"""``POST /auth/o2/token``: a Login with Amazon stand-in on the service's own port, shaped like Amazon's.

Parameters come from a form body, a JSON body or the query string (the body wins); client credentials also from
HTTP Basic. Errors follow RFC 6749 §5.2. Answers are never cached and never throttled.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import uuid
from typing import Any
from urllib.parse import parse_qsl, unquote

from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from outbound.context import Context
from outbound.service import lwa
from outbound.spapi import wire

log = logging.getLogger(__name__)

TOKEN_PATH = "/auth/o2/token"
MAX_BODY = 64 << 10
CONTENT_TYPE = b"application/json;charset=UTF-8"
NO_STORE = ((b"cache-control", b"no-store"), (b"pragma", b"no-cache"))
_FIELDS = ("grant_type", "client_id", "client_secret", "refresh_token", "scope")


class _Unreadable(Exception):
    pass


def _reply(status: int, value: dict[str, Any], request_id: str, allow: str | None = None) -> wire.Reply:
    return wire.Reply(status, wire.encode(value), request_id, None, allow, CONTENT_TYPE, NO_STORE)


def _oauth_error(error: lwa.OAuthError, request_id: str) -> wire.Reply:
    return _reply(error.status, {"error": error.error, "error_description": error.description}, request_id)


class TokenEndpoint:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = str(uuid.uuid4())
        if scope["method"] != "POST":
            error = {"error": "invalid_request", "error_description": "The token endpoint accepts only POST."}
            await _reply(405, error, request_id, "POST")(scope, receive, send)
            return
        try:
            params = _params(scope, await _read_body(receive))
            request = lwa.TokenRequest(**{name: params.get(name) or None for name in _FIELDS})
            issued = await run_in_threadpool(lwa.exchange, self.ctx.db, request, self.ctx.settings.lwa_token_ttl)
            answer: dict[str, Any] = {
                "access_token": issued.access_token,
                "token_type": "bearer",
                "expires_in": issued.expires_in,
            }
            if issued.refresh_token is not None:
                answer["refresh_token"] = issued.refresh_token
            reply = _reply(200, answer, request_id)
        except _Unreadable as exc:
            reply = _oauth_error(lwa.OAuthError("invalid_request", str(exc)), request_id)
        except lwa.OAuthError as exc:
            reply = _oauth_error(exc, request_id)
        except Exception:
            log.exception("token request %s failed", request_id)
            error = {"error": "server_error", "error_description": "The server encountered an internal error."}
            reply = _reply(500, error, request_id)
        await reply(scope, receive, send)


def _params(scope: Scope, body: bytes) -> dict[str, str]:
    """Query string, then HTTP Basic credentials, then the body (form or JSON), each overriding the one before."""
    found: dict[str, str] = {}
    try:
        found.update(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
    except ValueError:
        raise _Unreadable("The query string cannot be read.") from None
    found.update(_basic(scope))
    content_type = ""
    for key, value in scope.get("headers", ()):
        if key.lower() == b"content-type":
            content_type = value.decode("latin-1").lower()
    text = body.strip()
    if not text:
        return found
    if "json" in content_type or ("form" not in content_type and text.startswith(b"{")):
        try:
            data = json.loads(text)
        except ValueError:
            raise _Unreadable("The request body is not valid JSON.") from None
        if not isinstance(data, dict):
            raise _Unreadable("The request body must be a JSON object.")
        found.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in data.items() if v is not None})
        return found
    try:
        found.update(parse_qsl(text.decode("utf-8"), keep_blank_values=True, errors="strict"))
    except (UnicodeDecodeError, ValueError):
        raise _Unreadable("The request body is not valid form encoding.") from None
    return found


def _basic(scope: Scope) -> dict[str, str]:
    for key, value in scope.get("headers", ()):
        if key.lower() != b"authorization":
            continue
        scheme, _, encoded = value.decode("latin-1").partition(" ")
        if scheme.lower() != "basic":
            return {}
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise _Unreadable("The Basic authorization header cannot be read.") from None
        client_id, sep, secret = decoded.partition(":")
        if not sep:
            raise _Unreadable("The Basic authorization header cannot be read.")
        return {"client_id": unquote(client_id), "client_secret": unquote(secret)}
    return {}


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Unreadable("The request stream was disconnected.")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            raise _Unreadable("The request body is too large.")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)
