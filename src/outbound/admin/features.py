"""Fulfillment features: a seller's enrolment per marketplace and a SKU's eligibility."""

from __future__ import annotations

from typing import Any

from outbound.admin.base import Call, Op, Param
from outbound.admin.schemas import SKU, ref, string
from outbound.admin.sellers import SELLER
from outbound.context import Context
from outbound.service import accounts
from outbound.service import features as feature_service

FEATURE = string(pattern=r"^[A-Z_]{1,40}$", description="e.g. BLOCK_AMZL, BLANK_BOX, SIGNATURE_CONFIRMATION")


def operations(ctx: Context) -> list[Op]:
    def enrolment(call: Call) -> tuple[int, Any]:
        seller_id, marketplace_id = call.path["seller_id"], call.path["marketplace_id"]
        accounts.require_seller(ctx.db, seller_id)
        switches: dict[str, bool] = call.body["features"]
        now = ctx.clock.now()
        found = []
        for enrolled in (True, False):
            names = [name for name, value in switches.items() if value is enrolled]
            if names:
                found = feature_service.set_enrolment(ctx.db, seller_id, marketplace_id, names, enrolled, now)
        return 200, {
            "sellerId": seller_id,
            "marketplaceId": marketplace_id,
            "features": [{"featureName": f.name, "sellerEligible": f.seller_eligible} for f in found],
        }

    def eligibility(call: Call) -> tuple[int, Any]:
        seller_id, sku, name = (call.path[k] for k in ("seller_id", "sku", "name"))
        accounts.require_seller(ctx.db, seller_id)
        eligible = call.body["eligible"]
        feature_service.set_sku_eligibility(ctx.db, seller_id, sku, name, eligible, ctx.clock.now())
        return 200, {"sellerId": seller_id, "sellerSku": sku, "featureName": name, "eligible": eligible}

    tag = "features"
    marketplace = Param("marketplace_id", "path", string(pattern=r"^[A-Z0-9]{1,32}$"), "a MarketplaceId", True)
    return [
        Op(
            "PUT",
            "/admin/sellers/{seller_id}/features/{marketplace_id}",
            enrolment,
            "setEnrolment",
            "Enrol the seller in (true) or withdraw it from (false) features of a marketplace; the marketplace's "
            "features after",
            tag,
            {200: ref("EnrolmentResult")},
            params=(SELLER, marketplace),
            body=ref("Enrolment"),
            errors=(400, 404),
        ),
        Op(
            "PUT",
            "/admin/sellers/{seller_id}/skus/{sku}/features/{name}",
            eligibility,
            "setSkuEligibility",
            "Whether a SKU's units may serve a feature",
            tag,
            {200: ref("EligibilityResult")},
            params=(
                SELLER,
                Param("sku", "path", SKU, "the seller's SKU", True),
                Param("name", "path", FEATURE, "", True),
            ),
            body=ref("Eligibility"),
            errors=(400, 404),
        ),
    ]
