"""``/admin/sellers/{seller_id}/inventory`` and ``/admin/inventory/import``: stock per SKU and center, one SKU at a
time or a CSV file in one transaction."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from outbound.admin.base import Call, Op, Param
from outbound.admin.schemas import SKU, ref, string
from outbound.admin.sellers import SELLER
from outbound.context import Context
from outbound.service import accounts
from outbound.service import inventory as stock


def stock_json(seller_id: str, rows: list[tuple[str, str, int, int]]) -> dict[str, Any]:
    skus: dict[str, dict[str, Any]] = {}
    for sku, fc, sellable, reserved in rows:
        line = skus.setdefault(sku, {"sku": sku, "sellable": 0, "reserved": 0, "centers": []})
        line["sellable"] += sellable
        line["reserved"] += reserved
        line["centers"].append({"fc": fc, "sellable": sellable, "reserved": reserved})
    return {"seller_id": seller_id, "skus": list(skus.values())}


def operations(ctx: Context) -> list[Op]:
    def show(call: Call) -> tuple[int, Any]:
        seller_id = call.path["seller_id"]
        accounts.require_seller(ctx.db, seller_id)
        return 200, stock_json(seller_id, stock.levels(ctx.db, seller_id, call.query.get("sku")))

    def set_one(call: Call) -> tuple[int, Any]:
        seller_id, sku, data = call.path["seller_id"], call.path["sku"], call.body
        accounts.require_seller(ctx.db, seller_id)
        dims = data.get("dimensions_in")
        weight = data.get("weight_lb")
        change = stock.StockChange(
            seller_id,
            sku,
            data["quantity"],
            data.get("fc"),
            Decimal(str(weight)) if weight is not None else None,
            stock.parse_dimensions(dims) if dims else None,
            data.get("category"),
        )
        stock.set_inventory(ctx.db, change)
        return 200, stock_json(seller_id, stock.levels(ctx.db, seller_id, sku))

    def import_csv(call: Call) -> tuple[int, Any]:
        found = stock.import_text(ctx.db, call.body)
        return 200, {"rows": found.rows, "sellers": found.sellers, "skus": found.skus, "units": found.units}

    tag = "inventory"
    sku = Param("sku", "path", SKU, "the seller's SKU", True)
    return [
        Op(
            "GET",
            "/admin/sellers/{seller_id}/inventory",
            show,
            "getInventory",
            "The seller's stock per SKU and center",
            tag,
            {200: ref("Inventory")},
            params=(SELLER, Param("sku", "query", SKU, "only this SKU")),
            errors=(400, 404),
        ),
        Op(
            "PUT",
            "/admin/sellers/{seller_id}/inventory/{sku}",
            set_one,
            "setStock",
            "Set a SKU's sellable quantity at one center, or spread over the seller's marketplace",
            tag,
            {200: ref("Inventory")},
            params=(SELLER, sku),
            body=ref("SetStock"),
            errors=(400, 404),
        ),
        Op(
            "POST",
            "/admin/inventory/import",
            import_csv,
            "importInventory",
            "Import a CSV (seller_id,sku,quantity[,fc,weight_lb,dimensions_in,category]) in one transaction: a bad "
            "row refuses the whole file, naming its line and column",
            tag,
            {200: ref("ImportSummary")},
            body=string(),
            body_media="text/csv",
        ),
    ]
