"""getFeatures, getFeatureInventory and getFeatureSKU: the seller's fulfillment features, the SKUs with units
usable for one, and one SKU's standing."""

from __future__ import annotations

from outbound.domain.errors import InvalidValue
from outbound.domain.features import FEATURES
from outbound.service import features as service
from outbound.spapi import render
from outbound.spapi.call import SpCall
from outbound.spapi.errors import invalid, missing
from outbound.spapi.inputs import Obj


def _marketplace(call: SpCall) -> str:
    value = call.query.get("marketplaceId", "").strip()
    if not value:
        raise missing("marketplaceId")
    return value


def _feature(call: SpCall) -> str:
    name = call.path["featureName"]
    if name not in FEATURES:
        raise invalid("featureName", f"Value {name} for featureName is invalid.")
    return name


def get_features(call: SpCall) -> render.Json:
    found = service.get_features(call.ctx.db, call.caller.seller_id, _marketplace(call))
    return {"features": [render.feature_entry(f) for f in found]}


def get_feature_inventory(call: SpCall) -> render.Json:
    marketplace_id = _marketplace(call)
    name = _feature(call)
    token = call.query.get("nextToken", "").strip() or None
    start = None
    if token is None and "queryStartDate" in call.query:
        start = Obj(call.query).datetime("queryStartDate")  # with a token, the token's own query applies
    try:
        found = service.get_feature_inventory(call.ctx.db, call.caller.seller_id, marketplace_id, name, start, token)
    except InvalidValue as error:
        if error.field == "nextToken":  # malformed, expired, another seller's or query's: one answer
            raise invalid("nextToken", "Invalid nextToken.") from None
        raise
    return render.feature_inventory(found)


def get_feature_sku(call: SpCall) -> render.Json:
    marketplace_id = _marketplace(call)
    name = _feature(call)
    sku = call.path["sellerSku"]
    if not sku.strip():
        raise missing("sellerSku")
    if len(sku) > 50:
        raise invalid("sellerSku", "sellerSku is longer than 50 characters.")
    standing = service.get_feature_sku(call.ctx.db, call.caller.seller_id, marketplace_id, name, sku)
    return render.feature_sku_standing(standing)
