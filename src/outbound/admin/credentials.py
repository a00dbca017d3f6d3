"""SP-API credentials: LWA applications (``/admin/lwa-apps``), seller authorizations (refresh tokens) and a seller's
credentials of both kinds. Generated secrets and tokens are answered once; stored ones only masked."""

from __future__ import annotations

from typing import Any

from outbound.admin.base import AdminError, Call, Op, Param
from outbound.admin.schemas import integer, ref, string
from outbound.admin.sellers import SELLER
from outbound.context import Context
from outbound.service import accounts, lwa

CLIENT = Param("client_id", "path", string(pattern=r"^[!-~]{1,512}$"), "the application's client id", True)


def app_json(app: lwa.AppInfo) -> dict[str, Any]:
    found: dict[str, Any] = {
        "clientId": app.client_id,
        "createdAt": app.created_at.isoformat(),
        "authorizations": app.authorizations,
    }
    if app.name is not None:
        found["name"] = app.name
    return found


def operations(ctx: Context) -> list[Op]:
    def app_add(call: Call) -> tuple[int, Any]:
        data = call.body or {}
        made = lwa.add_app(ctx.db, data.get("clientId"), data.get("clientSecret"), data.get("name"))
        answer: dict[str, Any] = {"clientId": made.client_id, "created": made.created}
        if made.client_secret is not None:
            answer["clientSecret"] = made.client_secret
        return (201 if made.created else 200), answer

    def app_list(call: Call) -> tuple[int, Any]:
        return 200, {"apps": [app_json(a) for a in lwa.list_apps(ctx.db)]}

    def app_show(call: Call) -> tuple[int, Any]:
        found = lwa.get_app(ctx.db, call.path["client_id"])
        if found is None:
            raise AdminError(404, f"unknown LWA application {call.path['client_id']}")
        return 200, app_json(found)

    def app_remove(call: Call) -> tuple[int, Any]:
        if not lwa.remove_app(ctx.db, call.path["client_id"]):
            raise AdminError(404, f"unknown LWA application {call.path['client_id']}")
        return 200, {"removed": True}

    def authorize(call: Call) -> tuple[int, Any]:
        seller_id, client_id = call.path["seller_id"], call.body["clientId"]
        accounts.require_seller(ctx.db, seller_id)
        if lwa.get_app(ctx.db, client_id) is None:
            raise AdminError(404, f"unknown LWA application {client_id}; register it first (POST /admin/lwa-apps)")
        granted = lwa.authorize(ctx.db, seller_id, client_id, call.body.get("refreshToken"))
        return 201, {
            "id": granted.authorization_id,
            "clientId": granted.client_id,
            "refreshToken": granted.refresh_token,
        }

    def revoke(call: Call) -> tuple[int, Any]:
        seller_id, authorization_id = call.path["seller_id"], call.path["authorization_id"]
        if authorization_id >= 2**63 or not lwa.revoke(ctx.db, seller_id, authorization_id=authorization_id):
            raise AdminError(404, f"seller {seller_id} has no active authorization {authorization_id}")
        return 200, {"revoked": True}

    def credentials(call: Call) -> tuple[int, Any]:
        seller_id = call.path["seller_id"]
        accounts.require_seller(ctx.db, seller_id)
        found = lwa.credentials(ctx.db, seller_id)
        return 200, {
            "sellerId": found.seller_id,
            "mwsKeys": [{"accessKey": k.access_key, "authTokenRequired": k.needs_auth_token} for k in found.mws_keys],
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

    tag = "SP-API credentials"
    seller = "/admin/sellers/{seller_id}"
    authorization = Param("authorization_id", "path", integer(minimum=0), "the id the authorization answered", True)
    return [
        Op(
            "POST",
            "/admin/lwa-apps",
            app_add,
            "addLwaApp",
            "Register an LWA application (201), or update one (200); a generated secret is answered this once",
            tag,
            {200: ref("LwaAppAdded"), 201: ref("LwaAppAdded")},
            body=ref("NewLwaApp"),
            body_required=False,
        ),
        Op(
            "GET",
            "/admin/lwa-apps",
            app_list,
            "listLwaApps",
            "Every LWA application (no secrets)",
            tag,
            {200: ref("LwaAppList")},
            errors=(),
        ),
        Op(
            "GET",
            "/admin/lwa-apps/{client_id:path}",
            app_show,
            "getLwaApp",
            "One LWA application",
            tag,
            {200: ref("LwaApp")},
            params=(CLIENT,),
            errors=(404,),
        ),
        Op(
            "DELETE",
            "/admin/lwa-apps/{client_id:path}",
            app_remove,
            "removeLwaApp",
            "Remove an application: its authorizations and access tokens end at once",
            tag,
            {200: ref("Removed")},
            params=(CLIENT,),
            errors=(404,),
        ),
        Op(
            "POST",
            f"{seller}/lwa-authorizations",
            authorize,
            "authorizeLwaApp",
            "Let an application act for the seller through a refresh token (generated unless given, answered once)",
            tag,
            {201: ref("Authorization")},
            params=(SELLER,),
            body=ref("NewAuthorization"),
            errors=(400, 404),
        ),
        Op(
            "DELETE",
            f"{seller}/lwa-authorizations/{{authorization_id:int}}",
            revoke,
            "revokeLwaAuthorization",
            "Revoke an authorization; its access tokens stop at once",
            tag,
            {200: ref("Revoked")},
            params=(SELLER, authorization),
            errors=(404,),
        ),
        Op(
            "GET",
            f"{seller}/credentials",
            credentials,
            "getCredentials",
            "Both kinds of credentials that act for the seller (MWS keys, LWA authorizations masked)",
            tag,
            {200: ref("Credentials")},
            params=(SELLER,),
            errors=(404,),
        ),
    ]
