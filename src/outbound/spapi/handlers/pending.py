"""deliveryOffers, the three feature operations and submitFulfillmentOrderStatusUpdate: their inputs are read and
checked here; the service functions that answer them are not part of this service yet, so a well-formed request is
answered 503 ``ServiceUnavailable`` (never a 404 or a 500)."""

from __future__ import annotations

from outbound.domain.features import FEATURES
from outbound.spapi import shapes
from outbound.spapi.call import SpCall
from outbound.spapi.errors import SpApiError, invalid, missing
from outbound.spapi.handlers.orders import order_id
from outbound.spapi.inputs import Obj

ORDER_STATUSES = (
    "New",
    "Received",
    "Planning",
    "Processing",
    "Cancelled",
    "Complete",
    "CompletePartialled",
    "Unfulfillable",
    "Invalid",
)


def _unavailable(operation: str) -> SpApiError:
    return SpApiError("ServiceUnavailable", f"{operation} is not available on this service yet.")


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


def delivery_offers(call: SpCall) -> None:
    body = Obj.root(call.body)
    product = body.obj("product", required=True)
    terms = body.obj("terms", required=True)
    assert product is not None and terms is not None
    identifier = product.obj("productIdentifier", required=True)
    assert identifier is not None
    identifier.require("merchantSku")
    amount = product.obj("amount")
    if amount is not None:
        value = amount.string("value")
        if value is not None and not (value.isdigit() and int(value) >= 1):
            raise invalid(amount.name("value"), "amount.value must be a whole number of units.")
    origin = terms.obj("origin", required=True)
    destination = terms.obj("destination", required=True)
    assert origin is not None and destination is not None
    origin.require("countryCode")
    delivery_address = destination.obj("deliveryAddress", required=True)
    assert delivery_address is not None
    shapes.address(delivery_address)
    raise _unavailable("deliveryOffers")


def get_features(call: SpCall) -> None:
    _marketplace(call)
    raise _unavailable("getFeatures")


def get_feature_inventory(call: SpCall) -> None:
    _marketplace(call)
    _feature(call)
    if "queryStartDate" in call.query:
        Obj(call.query).datetime("queryStartDate")
    raise _unavailable("getFeatureInventory")


def get_feature_sku(call: SpCall) -> None:
    _marketplace(call)
    _feature(call)
    if not call.path["sellerSku"].strip():
        raise missing("sellerSku")
    raise _unavailable("getFeatureSKU")


def submit_fulfillment_order_status_update(call: SpCall) -> None:
    order_id(call)
    Obj.root(call.body).enum("fulfillmentOrderStatus", ORDER_STATUSES, required=True)
    raise _unavailable("submitFulfillmentOrderStatusUpdate")
