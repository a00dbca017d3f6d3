"""The 14 operations: their paths and methods, usage plans, handlers, and how each reads its request.

Routing splits the raw path into segments before percent-decoding each (a ``%2F`` in a SKU stays in its segment),
tolerates one trailing slash, and never looks at ``Host``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from outbound.spapi import model
from outbound.spapi.call import SpCall
from outbound.spapi.handlers import delivery_offers, features, orders, preview, returns, sandbox, tracking

PREFIX = ("fba", "outbound", "2020-07-01")
Handler = Callable[[SpCall], dict[str, Any] | bytes | None]  # bytes: a payload already encoded


@dataclass(frozen=True, slots=True)
class Operation:
    name: str
    handler: Handler
    query: tuple[str, ...] = ()  # the query parameters it reads
    body: bool = False  # it takes a JSON body (required: the model marks every body required)
    writes: bool = False  # runs in a worker thread: a write may wait for the database's write lock
    mws_action: str = ""  # the MWS operation a fault scenario names for it
    sandbox: bool = False  # served only with ``sandbox_operations`` on

    @property
    def plan(self) -> tuple[float, int]:
        """(rate per second, burst): the model's usage plan; 2/30 where it gives none."""
        return model.usage_plans().get(self.name, (2.0, 30))


def _op(name: str, handler: Handler, **kwargs: Any) -> Operation:
    return Operation(name, handler, **kwargs)


PREVIEW = _op("getFulfillmentPreview", preview.get_fulfillment_preview, body=True, mws_action="GetFulfillmentPreview")
DELIVERY_OFFERS = _op("deliveryOffers", delivery_offers.delivery_offers, body=True)
LIST = _op(
    "listAllFulfillmentOrders",
    orders.list_all_fulfillment_orders,
    query=("queryStartDate", "nextToken"),
    mws_action="ListAllFulfillmentOrders",
)
CREATE = _op(
    "createFulfillmentOrder",
    orders.create_fulfillment_order,
    body=True,
    writes=True,
    mws_action="CreateFulfillmentOrder",
)
TRACKING = _op(
    "getPackageTrackingDetails",
    tracking.get_package_tracking_details,
    query=("packageNumber",),
    mws_action="GetPackageTrackingDetails",
)
REASON_CODES = _op(
    "listReturnReasonCodes",
    returns.list_return_reason_codes,
    query=("sellerSku", "marketplaceId", "sellerFulfillmentOrderId", "language"),
    mws_action="ListReturnReasonCodes",
)
RETURN = _op(
    "createFulfillmentReturn",
    returns.create_fulfillment_return,
    body=True,
    writes=True,
    mws_action="CreateFulfillmentReturn",
)
GET = _op("getFulfillmentOrder", orders.get_fulfillment_order, mws_action="GetFulfillmentOrder")
UPDATE = _op(
    "updateFulfillmentOrder",
    orders.update_fulfillment_order,
    body=True,
    writes=True,
    mws_action="UpdateFulfillmentOrder",
)
CANCEL = _op(
    "cancelFulfillmentOrder", orders.cancel_fulfillment_order, writes=True, mws_action="CancelFulfillmentOrder"
)
STATUS = _op(
    "submitFulfillmentOrderStatusUpdate",
    sandbox.submit_fulfillment_order_status_update,
    body=True,
    writes=True,
    sandbox=True,
)
FEATURES = _op("getFeatures", features.get_features, query=("marketplaceId",))
FEATURE_INVENTORY = _op(
    "getFeatureInventory", features.get_feature_inventory, query=("marketplaceId", "nextToken", "queryStartDate")
)
FEATURE_SKU = _op("getFeatureSKU", features.get_feature_sku, query=("marketplaceId",))

ALL = (
    PREVIEW,
    DELIVERY_OFFERS,
    LIST,
    CREATE,
    TRACKING,
    REASON_CODES,
    RETURN,
    GET,
    UPDATE,
    CANCEL,
    STATUS,
    FEATURES,
    FEATURE_INVENTORY,
    FEATURE_SKU,
)


@dataclass(frozen=True, slots=True)
class Resource:
    methods: dict[str, Operation]
    params: dict[str, str]

    @property
    def allow(self) -> str:
        return ", ".join(self.methods)


def route(raw_path: bytes) -> Resource | None:
    """The resource at a raw (still percent-encoded) path under the section, or None (404)."""
    segments = raw_path.split(b"/")[1:]
    if len(segments) > len(PREFIX) + 1 and segments[-1] == b"":
        segments.pop()  # one trailing slash
    try:
        parts = [unquote(s.decode("ascii"), errors="strict") for s in segments]
    except (UnicodeDecodeError, ValueError):
        return None
    if tuple(parts[: len(PREFIX)]) != PREFIX or any(not p for p in parts):
        return None
    rest = parts[len(PREFIX) :]
    match rest:
        case ["fulfillmentOrders"]:
            return Resource({"GET": LIST, "POST": CREATE}, {})
        case ["fulfillmentOrders", "preview"]:
            return Resource({"POST": PREVIEW}, {})
        case ["fulfillmentOrders", order_id]:
            return Resource({"GET": GET, "PUT": UPDATE}, {"sellerFulfillmentOrderId": order_id})
        case ["fulfillmentOrders", order_id, "cancel"]:
            return Resource({"PUT": CANCEL}, {"sellerFulfillmentOrderId": order_id})
        case ["fulfillmentOrders", order_id, "return"]:
            return Resource({"PUT": RETURN}, {"sellerFulfillmentOrderId": order_id})
        case ["fulfillmentOrders", order_id, "status"]:
            return Resource({"PUT": STATUS}, {"sellerFulfillmentOrderId": order_id})
        case ["deliveryOffers"]:
            return Resource({"POST": DELIVERY_OFFERS}, {})
        case ["tracking"]:
            return Resource({"GET": TRACKING}, {})
        case ["returnReasonCodes"]:
            return Resource({"GET": REASON_CODES}, {})
        case ["features"]:
            return Resource({"GET": FEATURES}, {})
        case ["features", "inventory", name]:
            return Resource({"GET": FEATURE_INVENTORY}, {"featureName": name})
        case ["features", "inventory", name, sku]:
            return Resource({"GET": FEATURE_SKU}, {"featureName": name, "sellerSku": sku})
    return None
