"""The operation registry: for each of the 11 actions, its throttle bucket, its quota and its handler.

A handler takes the :class:`Call` and returns the ``{Action}Result`` element, or ``None`` for the operations whose
response carries only ``ResponseMetadata`` (Create, Update and Cancel).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from outbound.mws import xml
from outbound.mws.actions import orders, preview, returns
from outbound.mws.actions.status import get_service_status_action
from outbound.mws.actions.tracking import get_package_tracking_details_action
from outbound.mws.call import Call
from outbound.mws.throttle import Quota

VERSION = "2010-10-01"
Handler = Callable[[Call], xml.Element | None]

STANDARD = Quota.per(30, 2, 1)  # 30 requests, 2 restored per second


@dataclass(frozen=True, slots=True)
class Operation:
    action: str
    quota: Quota
    handler: Handler
    bucket: str = ""  # operations that share a bucket name it; otherwise the action is the bucket
    writes: bool = False  # runs in a worker thread: a write may wait for the database's write lock

    @property
    def bucket_name(self) -> str:
        return self.bucket or self.action


def _registry(*operations: Operation) -> dict[str, Operation]:
    return {op.action: op for op in operations}


OPERATIONS = _registry(
    Operation("GetFulfillmentPreview", STANDARD, preview.get_fulfillment_preview),
    Operation("CreateFulfillmentOrder", STANDARD, orders.create_fulfillment_order, writes=True),
    Operation("UpdateFulfillmentOrder", STANDARD, orders.update_fulfillment_order, writes=True),
    Operation("GetFulfillmentOrder", STANDARD, orders.get_fulfillment_order),
    Operation("ListAllFulfillmentOrders", STANDARD, orders.list_all_fulfillment_orders, "ListAllFulfillmentOrders"),
    Operation(
        "ListAllFulfillmentOrdersByNextToken",
        STANDARD,
        orders.list_all_fulfillment_orders_by_next_token,
        "ListAllFulfillmentOrders",
    ),
    Operation("GetPackageTrackingDetails", STANDARD, get_package_tracking_details_action),
    Operation("CancelFulfillmentOrder", STANDARD, orders.cancel_fulfillment_order, writes=True),
    Operation("ListReturnReasonCodes", STANDARD, returns.list_return_reason_codes),
    Operation("CreateFulfillmentReturn", STANDARD, returns.create_fulfillment_return, writes=True),
    Operation("GetServiceStatus", Quota.per(2, 1, 300), get_service_status_action),
)
