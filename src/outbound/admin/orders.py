"""``/admin/orders``: order search with keyset pages (the dashboard's search, ``service/dashboard.py``), and one
order with its shipments, packages, tracking and returns."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from outbound.admin.base import AdminError, Call, Op, Param
from outbound.admin.schemas import ORDER_ID, SELLER_ID, SKU, integer, ref, string
from outbound.admin.sellers import SELLER
from outbound.context import Context
from outbound.domain.orders import ORDER_STATUSES, SPEEDS, Order
from outbound.service import accounts, dashboard
from outbound.service import tracking as tracking_service
from outbound.service.errors import NotFound

MAX_PAGE = 200


def _at(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def summary(row: dashboard.OrderRow) -> dict[str, Any]:
    return {
        "seller_id": row.seller_id,
        "order_id": row.seller_order_id,
        "marketplace_id": row.marketplace_id,
        "displayable_order_id": row.displayable_order_id,
        "status": row.status,
        "shipping_speed": row.shipping_speed,
        "received_at": row.received_at.isoformat(),
        "status_updated_at": row.status_updated_at.isoformat(),
    }


def tracking_json(found: tracking_service.PackageDetails) -> dict[str, Any]:
    return {
        "current_status": found.current_status,
        "ship_date": _at(found.ship_date),
        "estimated_arrival": _at(found.estimated_arrival),
        "signed_for_by": found.signed_for_by,
        "events": [
            {"at": e.at.isoformat(), "code": e.code, "city": e.city, "state": e.state, "country": e.country}
            for e in reversed(found.events)  # the service lists them newest first
        ],
    }


def order_json(order: Order, tracking: dict[int, tracking_service.PackageDetails], zone: str) -> dict[str, Any]:
    return {
        "seller_id": order.seller_id,
        "order_id": order.seller_order_id,
        "marketplace_id": order.marketplace_id,
        "displayable_order_id": order.displayable_order_id,
        "displayable_order_at": order.displayable_order_at.isoformat(),
        "status": order.status,
        "shipping_speed": order.shipping_speed,
        "fulfillment_action": order.fulfillment_action,
        "fulfillment_policy": order.fulfillment_policy,
        "received_at": order.received_at.isoformat(),
        "status_updated_at": order.status_updated_at.isoformat(),
        "time_zone": zone,
        "destination": dict(order.destination.fields),
        "items": [
            {
                "item_id": i.item_id,
                "sku": i.seller_sku,
                "quantity": i.quantity,
                "cancelled_quantity": i.cancelled_quantity,
                "unfulfillable_quantity": i.unfulfillable_quantity,
                "estimated_ship_at": _at(i.estimated_ship_at),
                "estimated_arrival_at": _at(i.estimated_arrival_at),
            }
            for i in order.items
        ],
        "shipments": [
            {
                "shipment_id": s.amazon_shipment_id,
                "fc": s.fc_code,
                "status": s.status,
                "shipping_at": _at(s.shipping_at),
                "estimated_arrival_at": _at(s.estimated_arrival_at),
                "items": [
                    {
                        "item_id": i.item_id,
                        "sku": i.seller_sku,
                        "quantity": i.quantity,
                        "package_number": i.package_number,
                    }
                    for i in s.items
                ],
                "packages": [
                    {
                        "package_number": p.package_number,
                        "carrier_code": p.carrier_code,
                        "tracking_number": p.tracking_number,
                        "estimated_arrival_at": _at(p.estimated_arrival_at),
                        "tracking": tracking_json(tracking[p.package_number]),
                    }
                    for p in s.packages
                ],
            }
            for s in order.shipments
        ],
        "returns": [
            {
                "return_item_id": r.seller_return_item_id,
                "item_id": r.item_id,
                "shipment_id": r.amazon_shipment_id,
                "reason_code": r.seller_reason_code,
                "status": r.status,
                "status_changed_at": r.status_changed_at.isoformat(),
                "authorization_id": r.authorization_id,
                "received_condition": r.received_condition,
                "amazon_reason_code": r.amazon_reason_code,
                "fc": r.fc_code,
            }
            for r in order.returns
        ],
        "return_authorizations": [
            {
                "authorization_id": a.authorization_id,
                "fc": a.fc_code,
                "rma_id": a.rma_id,
                "rma_url": a.rma_url,
                "address": dict(a.address.fields),
            }
            for a in order.authorizations
        ],
    }


def operations(ctx: Context) -> list[Op]:
    def search(call: Call) -> tuple[int, Any]:
        q = call.query
        start, end = (date.fromisoformat(q[k]) if k in q else None for k in ("from", "to"))
        try:
            lower, upper = dashboard.day_bounds(start, end)
        except OverflowError:
            raise AdminError(400, "to must be a day before 9999-12-31") from None
        wanted = dashboard.OrderFilter(
            seller_id=q.get("seller_id"),
            status=q.get("status"),
            speed=q.get("speed"),
            received_from=lower,
            received_before=upper,
            sku=q.get("sku"),
            query=q.get("q"),
        )
        page = dashboard.search_orders(ctx.db, wanted, q.get("cursor"), q.get("limit", dashboard.PAGE_SIZE))
        return 200, {"orders": [summary(row) for row in page.rows], "next": page.next_cursor}

    def show(call: Call) -> tuple[int, Any]:
        seller_id, order_id = call.path["seller_id"], call.path["order_id"]
        accounts.require_seller(ctx.db, seller_id)
        found = dashboard.order_detail(ctx.db, seller_id, order_id, ctx.clock.now())
        if found is None:
            raise NotFound(f"seller {seller_id} has no order {order_id}")
        return 200, order_json(found.order, found.tracking, found.zone)

    tag = "orders"
    query = (
        Param("seller_id", "query", SELLER_ID, "one seller's orders"),
        Param("status", "query", string(enum=list(ORDER_STATUSES))),
        Param("speed", "query", string(enum=list(SPEEDS)), "shipping speed"),
        Param("sku", "query", SKU, "orders with a line of this SKU"),
        Param(
            "q", "query", string(pattern=r"^[^\x00-\x1f\x7f]{1,100}$"), "a SellerFulfillmentOrderId or tracking number"
        ),
        Param("from", "query", string(format="date"), "received on or after this UTC day (YYYY-MM-DD)"),
        Param("to", "query", string(format="date"), "received on or before this UTC day (YYYY-MM-DD)"),
        Param("cursor", "query", string(maxLength=200), "the previous page's next"),
        Param(
            "limit", "query", integer(minimum=1, maximum=MAX_PAGE), f"orders per page (default {dashboard.PAGE_SIZE})"
        ),
    )
    return [
        Op(
            "GET",
            "/admin/orders",
            search,
            "searchOrders",
            "Orders, newest received first, one page at a time (keyset: pass next as cursor)",
            tag,
            {200: ref("OrderPage")},
            params=query,
        ),
        Op(
            "GET",
            "/admin/sellers/{seller_id}/orders/{order_id}",
            show,
            "getOrder",
            "One order: lines, shipments, packages with their tracking at the service clock's now, returns",
            tag,
            {200: ref("Order")},
            params=(SELLER, Param("order_id", "path", ORDER_ID, "SellerFulfillmentOrderId", True)),
            errors=(404,),
        ),
    ]
