"""``/admin/sellers``: sellers and the MWS access keys that act for them. A secret is answered once, when a key is
made or rotated; listings never carry one."""

from __future__ import annotations

from typing import Any

from outbound.admin.base import AdminError, Call, Op, Param
from outbound.admin.schemas import ACCESS_KEY, SELLER_ID, ref
from outbound.context import Context
from outbound.service import accounts, dashboard
from outbound.service.errors import unknown_seller

SELLER = Param("seller_id", "path", SELLER_ID, "the seller's id (MWS SellerId)", True)
KEY = Param("access_key", "path", ACCESS_KEY, "an access key of the seller", True)


def seller_json(row: dashboard.SellerRow) -> dict[str, Any]:
    return {
        "seller_id": row.seller_id,
        "default_marketplace_id": row.default_marketplace_id,
        "marketplaces": list(row.marketplaces),
        "created_at": row.created_at.isoformat(),
        "keys": [{"access_key": key, "auth_token_required": needs} for key, needs in row.keys],
    }


def issued(key: accounts.NewKey) -> dict[str, Any]:
    found: dict[str, Any] = {"access_key": key.access_key, "auth_token_required": key.auth_token_required}
    if key.secret_key:
        found["secret_key"] = key.secret_key
    return found


def operations(ctx: Context) -> list[Op]:
    def one(seller_id: str) -> dashboard.SellerRow:
        found = dashboard.sellers(ctx.db, seller_id)
        if not found:
            raise unknown_seller(seller_id)
        return found[0]

    def listing(call: Call) -> tuple[int, Any]:
        return 200, {"sellers": [seller_json(row) for row in dashboard.sellers(ctx.db)]}

    def add(call: Call) -> tuple[int, Any]:
        seller_id = call.body["seller_id"]
        created = accounts.create_seller(ctx.db, seller_id, call.body.get("marketplaces"))
        return (201 if created else 200), seller_json(one(seller_id))

    def show(call: Call) -> tuple[int, Any]:
        return 200, seller_json(one(call.path["seller_id"]))

    def keys(call: Call) -> tuple[int, Any]:
        row = one(call.path["seller_id"])
        return 200, {"seller_id": row.seller_id, "keys": seller_json(row)["keys"]}

    def add_key(call: Call) -> tuple[int, Any]:
        data = call.body or {}
        made = accounts.add_key(
            ctx.db, call.path["seller_id"], data.get("access_key"), data.get("secret_key"), data.get("auth_token")
        )
        return 201, issued(made)

    def rotate(call: Call) -> tuple[int, Any]:
        return 200, issued(accounts.rotate_key(ctx.db, call.path["seller_id"], call.path["access_key"]))

    def remove_key(call: Call) -> tuple[int, Any]:
        seller_id, access_key = call.path["seller_id"], call.path["access_key"]
        if not accounts.remove_key(ctx.db, seller_id, access_key):
            raise AdminError(404, f"seller {seller_id} has no access key {access_key}")
        return 200, {"removed": True}

    tag = "sellers"
    base = "/admin/sellers/{seller_id}"
    return [
        Op(
            "GET",
            "/admin/sellers",
            listing,
            "listSellers",
            "Every seller with its marketplaces and keys (no secrets)",
            tag,
            {200: ref("SellerList")},
            errors=(),
        ),
        Op(
            "POST",
            "/admin/sellers",
            add,
            "addSeller",
            "Create a seller (201), or add marketplaces to an existing one (200); keys are added separately",
            tag,
            {200: ref("Seller"), 201: ref("Seller")},
            body=ref("NewSeller"),
        ),
        Op("GET", base, show, "getSeller", "One seller", tag, {200: ref("Seller")}, params=(SELLER,), errors=(404,)),
        Op(
            "GET",
            f"{base}/keys",
            keys,
            "listKeys",
            "The seller's access keys (never their secrets)",
            tag,
            {200: ref("KeyList")},
            params=(SELLER,),
            errors=(404,),
        ),
        Op(
            "POST",
            f"{base}/keys",
            add_key,
            "addKey",
            "Grant an access key to the seller: generated unless given; the secret is answered this once",
            tag,
            {201: ref("IssuedKey")},
            params=(SELLER,),
            body=ref("NewKey"),
            body_required=False,
            errors=(400, 404),
        ),
        Op(
            "POST",
            f"{base}/keys/{{access_key}}/rotate",
            rotate,
            "rotateKey",
            "A new secret for the key, answered this once; the old one stops at once",
            tag,
            {200: ref("IssuedKey")},
            params=(SELLER, KEY),
            errors=(404,),
        ),
        Op(
            "DELETE",
            f"{base}/keys/{{access_key}}",
            remove_key,
            "removeKey",
            "Stop the key acting for the seller (the key is forgotten when it acts for nobody else)",
            tag,
            {200: ref("Removed")},
            params=(SELLER, KEY),
            errors=(404,),
        ),
    ]
