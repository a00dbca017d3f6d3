"""submitFulfillmentOrderStatusUpdate: the sandbox moving an order on at once (served only with the
``sandbox_operations`` setting on; the endpoint refuses it otherwise)."""

from __future__ import annotations

from outbound.domain.errors import InvalidValue
from outbound.service import sandbox as service
from outbound.spapi import render
from outbound.spapi.call import SpCall
from outbound.spapi.errors import invalid
from outbound.spapi.handlers.orders import order_id
from outbound.spapi.inputs import Obj

# the model's statuses; "New" is never an order's status here (orders are validated when received)
STATUSES = ("New", *render.ORDER_STATUS.values())
DOMAIN_STATUS = {camel: upper for upper, camel in render.ORDER_STATUS.items()}


def submit_fulfillment_order_status_update(call: SpCall) -> None:
    seller_order_id = order_id(call)
    status = Obj.root(call.body).enum("fulfillmentOrderStatus", STATUSES, required=True)
    assert status is not None
    if status == "New":
        raise invalid("fulfillmentOrderStatus", "An order cannot go back to New: it was validated when received.")
    try:
        service.submit_fulfillment_order_status(
            call.ctx.db, call.caller.seller_id, seller_order_id, DOMAIN_STATUS[status], call.ctx.clock.now()
        )
    except InvalidValue as error:
        if error.field != "fulfillmentOrderStatus":
            raise
        reason = f" Reason: {error.reason}." if error.reason else ""
        message = f"Value {status} for fulfillmentOrderStatus is invalid.{reason}"
        raise invalid("fulfillmentOrderStatus", message) from None
