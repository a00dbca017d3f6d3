"""``/admin/notifications``: the operator's subscriptions (a seller's notifications sent to an SQS queue or a
webhook), every subscription SP-API clients made as well, and the delivery log with the outbox's counts."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from outbound.admin.base import AdminError, Call, Op, Param
from outbound.admin.schemas import SELLER_ID, SUBSCRIPTION_ID, integer, ref, string
from outbound.context import Context
from outbound.service import accounts
from outbound.service import notifications as service

MAX_ID = 2**63 - 1
SUBSCRIPTION = Param("subscription_id", "path", SUBSCRIPTION_ID, "the id the subscription answered", True)


def subscription_json(found: service.Subscribed) -> dict[str, Any]:
    sub, to = found.subscription, found.destination
    return {
        "subscriptionId": sub.subscription_id,
        "sellerId": sub.seller_id,
        "notificationType": sub.notification_type,
        "payloadVersion": sub.payload_version,
        "clientId": sub.client_id,
        "destination": {
            "destinationId": to.destination_id,
            "kind": to.kind,
            "target": to.target,
            "format": to.format,
            "signed": to.secret is not None,
        },
        "createdAt": sub.created_at.isoformat(),
    }


def delivery_json(e: service.LogEntry) -> dict[str, Any]:
    return {
        "id": e.id,
        "notificationId": e.notification_id,
        "subscriptionId": e.subscription_id,
        "sellerId": e.seller_id,
        "notificationType": e.notification_type,
        "eventType": e.event_type,
        "eventTime": e.event_at.isoformat(),
        "sellerFulfillmentOrderId": e.seller_order_id,
        "orderStatus": e.order_status,
        "shipmentStatus": e.shipment_status,
        "state": e.state,
        "attempts": e.attempts,
        "lastError": e.last_error,
        "createdAt": e.created_at.isoformat(),
        "deliveredAt": e.delivered_at.isoformat() if e.delivered_at else None,
        "nextAttemptAt": e.available_at.isoformat() if e.state == "pending" else None,
    }


def operations(ctx: Context) -> list[Op]:
    def subscribe(call: Call) -> tuple[int, Any]:
        data = call.body
        # a JSON Schema subset without oneOf cannot say "exactly one of": checked here
        kinds = [kind for kind in service.KINDS if data.get(kind) is not None]
        if len(kinds) != 1:
            raise AdminError(400, "give exactly one of sqs (a queue's ARN or URL) and webhook (an http(s) URL)")
        accounts.require_seller(ctx.db, data["sellerId"])
        made = service.subscribe(
            ctx.db,
            data["sellerId"],
            data["notificationType"],
            kinds[0],
            data[kinds[0]],
            secret=data.get("secret"),
            format=data.get("format") or "json",
        )
        return 201, subscription_json(made)

    def listing(call: Call) -> tuple[int, Any]:
        found = service.listing(ctx.db, call.query.get("sellerId"))
        return 200, {"subscriptions": [subscription_json(f) for f in found]}

    def unsubscribe(call: Call) -> tuple[int, Any]:
        try:
            service.unsubscribe(ctx.db, call.path["subscription_id"])
        except service.NotFound as exc:
            raise AdminError(404, exc.message) from None
        return 204, Response(status_code=204)

    def deliveries(call: Call) -> tuple[int, Any]:
        q = call.query
        found = service.delivery_log(
            ctx.db,
            seller_id=q.get("sellerId"),
            subscription_id=q.get("subscriptionId"),
            state=q.get("state"),
            after=q.get("after", 0),
            limit=q.get("limit", 100),
        )
        return 200, {"deliveries": [delivery_json(e) for e in found]}

    def outbox(call: Call) -> tuple[int, Any]:
        return 200, {"outbox": service.outbox_counts(ctx.db)}

    tag = "notifications"
    base = "/admin/notifications"
    return [
        Op(
            "POST",
            f"{base}/subscriptions",
            subscribe,
            "addNotificationSubscription",
            "Send a seller's notifications of one type to an SQS queue or a webhook (signed when given a secret)",
            tag,
            {201: ref("Subscription")},
            body=ref("NewSubscription"),
            errors=(400, 404),
        ),
        Op(
            "GET",
            f"{base}/subscriptions",
            listing,
            "listNotificationSubscriptions",
            "Every subscription, the operator's and SP-API applications', oldest first",
            tag,
            {200: ref("SubscriptionList")},
            params=(Param("sellerId", "query", SELLER_ID, "only this seller's"),),
        ),
        Op(
            "DELETE",
            f"{base}/subscriptions/{{subscription_id}}",
            unsubscribe,
            "removeNotificationSubscription",
            "Remove any subscription; its notifications not yet delivered are dropped",
            tag,
            {204: {}},
            params=(SUBSCRIPTION,),
            errors=(404,),
        ),
        Op(
            "GET",
            f"{base}/deliveries",
            deliveries,
            "listNotificationDeliveries",
            "The delivery log: each notification with its state, attempts and last error, oldest first",
            tag,
            {200: ref("DeliveryList")},
            params=(
                Param("sellerId", "query", SELLER_ID, "only this seller's"),
                Param("subscriptionId", "query", SUBSCRIPTION_ID, "only this subscription's"),
                Param("state", "query", string(enum=list(service.STATES)), "only notifications in this state"),
                Param(
                    "after",
                    "query",
                    integer(minimum=0, maximum=2**63 - 1),
                    "only entries after this id (the last one seen)",
                ),
                Param("limit", "query", integer(minimum=1, maximum=1000), "entries per answer (default 100)"),
            ),
        ),
        Op(
            "GET",
            f"{base}/outbox",
            outbox,
            "getNotificationOutbox",
            "How many notifications are pending, delivered and dropped",
            tag,
            {200: ref("Outbox")},
            errors=(),
        ),
    ]
