"""The operator's JSON API for SP-API credentials: LWA applications, seller authorizations (refresh tokens), and a
seller's credentials of both kinds. Guarded like the rest of ``/admin`` (``OUTBOUND_ADMIN_TOKEN``)."""

from __future__ import annotations

import hmac
import os
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from outbound.context import Context
from outbound.service import lwa

Handler = Callable[[Request], Awaitable[Response]]


def _error(message: str, code: int = 400) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=code)


async def _body(request: Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise lwa.CredentialError(f"{key} must be a string")
    return value


def routes(ctx: Context) -> list[Route]:
    token = os.environ.get("OUTBOUND_ADMIN_TOKEN")

    def guarded(handler: Handler) -> Handler:
        async def endpoint(request: Request) -> Response:
            if token and not hmac.compare_digest(
                request.headers.get("authorization", "").encode(), f"Bearer {token}".encode()
            ):
                return _error("admin token required", 401)
            try:
                return await handler(request)
            except lwa.CredentialError as exc:
                return _error(str(exc))

        return endpoint

    async def app_add(request: Request) -> Response:
        data = await _body(request)
        made = await run_in_threadpool(
            lwa.add_app, ctx.db, _text(data, "clientId"), _text(data, "clientSecret"), _text(data, "name")
        )
        answer: dict[str, Any] = {"clientId": made.client_id, "created": made.created}
        if made.client_secret is not None:
            answer["clientSecret"] = made.client_secret
        return JSONResponse(answer, status_code=201 if made.created else 200)

    def _app_json(app: lwa.AppInfo) -> dict[str, Any]:
        found: dict[str, Any] = {
            "clientId": app.client_id,
            "createdAt": app.created_at.isoformat(),
            "authorizations": app.authorizations,
        }
        if app.name is not None:
            found["name"] = app.name
        return found

    async def app_list(request: Request) -> Response:
        apps = await run_in_threadpool(lwa.list_apps, ctx.db)
        return JSONResponse({"apps": [_app_json(a) for a in apps]})

    async def app_show(request: Request) -> Response:
        app = await run_in_threadpool(lwa.get_app, ctx.db, request.path_params["client_id"])
        return JSONResponse(_app_json(app)) if app else _error("unknown LWA application", 404)

    async def app_remove(request: Request) -> Response:
        removed = await run_in_threadpool(lwa.remove_app, ctx.db, request.path_params["client_id"])
        return JSONResponse({"removed": removed}, status_code=200 if removed else 404)

    async def authorization_add(request: Request) -> Response:
        data = await _body(request)
        client_id = _text(data, "clientId")
        if not client_id:
            raise lwa.CredentialError("clientId is required")
        granted = await run_in_threadpool(
            lwa.authorize, ctx.db, request.path_params["seller_id"], client_id, _text(data, "refreshToken")
        )
        return JSONResponse(
            {"id": granted.authorization_id, "clientId": granted.client_id, "refreshToken": granted.refresh_token},
            status_code=201,
        )

    async def authorization_remove(request: Request) -> Response:
        revoked = await run_in_threadpool(
            lambda: lwa.revoke(
                ctx.db, request.path_params["seller_id"], authorization_id=request.path_params["authorization_id"]
            )
        )
        return JSONResponse({"revoked": revoked}, status_code=200 if revoked else 404)

    async def credentials(request: Request) -> Response:
        found = await run_in_threadpool(lwa.credentials, ctx.db, request.path_params["seller_id"])
        return JSONResponse(
            {
                "sellerId": found.seller_id,
                "mwsKeys": [
                    {"accessKey": k.access_key, "authTokenRequired": k.needs_auth_token} for k in found.mws_keys
                ],
                "lwaAuthorizations": [
                    {
                        "id": a.authorization_id,
                        "clientId": a.client_id,
                        "refreshToken": a.refresh_token,
                        "createdAt": a.created_at.isoformat(),
                        "revoked": a.revoked,
                    }
                    for a in found.lwa_authorizations
                ],
            }
        )

    seller = "/admin/sellers/{seller_id}"
    return [
        Route("/admin/lwa-apps", guarded(app_add), methods=["POST"]),
        Route("/admin/lwa-apps", guarded(app_list), methods=["GET"]),
        Route("/admin/lwa-apps/{client_id:path}", guarded(app_show), methods=["GET"]),
        Route("/admin/lwa-apps/{client_id:path}", guarded(app_remove), methods=["DELETE"]),
        Route(f"{seller}/lwa-authorizations", guarded(authorization_add), methods=["POST"]),
        Route(
            f"{seller}/lwa-authorizations/{{authorization_id:int}}", guarded(authorization_remove), methods=["DELETE"]
        ),
        Route(f"{seller}/credentials", guarded(credentials), methods=["GET"]),
    ]
