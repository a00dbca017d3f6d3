"""The Python SDK: a typed MWS client that signs with the same code the server verifies with."""

from outbound.client.admin import AdminClient, AdminError
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
from outbound.client.return_models import (
    CreateReturnItem,
    FulfillmentReturnResult,
    InvalidReturnItem,
    ReasonCodeDetails,
)
from outbound.client.tracking_models import PackageTrackingDetails, TrackingAddress, TrackingEvent

__all__ = [
    "Address",
    "AdminClient",
    "AdminError",
    "CreateItem",
    "CreateReturnItem",
    "DeliveryWindow",
    "Fee",
    "FulfillmentOrder",
    "FulfillmentOrderDetails",
    "FulfillmentOrderItem",
    "FulfillmentPreview",
    "FulfillmentPreviewItem",
    "FulfillmentPreviewShipment",
    "FulfillmentReturnResult",
    "FulfillmentShipment",
    "InvalidReturnItem",
    "Money",
    "MwsClientError",
    "OrdersPage",
    "OutboundClient",
    "PackageTrackingDetails",
    "PreviewItem",
    "ReasonCodeDetails",
    "ReturnAuthorization",
    "ReturnItem",
    "ScheduledDeliveryInfo",
    "ServiceStatus",
    "TrackingAddress",
    "TrackingEvent",
    "UnfulfillablePreviewItem",
    "Weight",
]
