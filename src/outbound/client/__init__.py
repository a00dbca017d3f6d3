"""The Python SDK: a typed MWS client that signs with the same code the server verifies with."""

from outbound.client.client import MwsClientError, OutboundClient, ServiceStatus
from outbound.client.models import (
    Address,
    CreateItem,
    FulfillmentOrder,
    FulfillmentOrderDetails,
    FulfillmentOrderItem,
    FulfillmentShipment,
    Money,
    OrdersPage,
    ReturnAuthorization,
    ReturnItem,
)
from outbound.client.preview_models import (
    DeliveryWindow,
    Fee,
    FulfillmentPreview,
    FulfillmentPreviewItem,
    FulfillmentPreviewShipment,
    PreviewItem,
    ScheduledDeliveryInfo,
    UnfulfillablePreviewItem,
    Weight,
)

__all__ = [
    "Address",
    "CreateItem",
    "DeliveryWindow",
    "Fee",
    "FulfillmentOrder",
    "FulfillmentOrderDetails",
    "FulfillmentOrderItem",
    "FulfillmentPreview",
    "FulfillmentPreviewItem",
    "FulfillmentPreviewShipment",
    "FulfillmentShipment",
    "Money",
    "MwsClientError",
    "OrdersPage",
    "OutboundClient",
    "PreviewItem",
    "ReturnAuthorization",
    "ReturnItem",
    "ScheduledDeliveryInfo",
    "ServiceStatus",
    "UnfulfillablePreviewItem",
    "Weight",
]
