"""Admin API for notifications: an operator's subscriptions and the delivery log.

- ``POST /admin/notifications/subscriptions`` with ``{"sellerId", "notificationType", "sqs": QUEUE_URL_OR_ARN}`` or
  ``{"sellerId", "notificationType", "webhook": URL, "secret": S}``, and optionally ``"format": "json"|"mws-xml"``;
- ``GET /admin/notifications/subscriptions[?sellerId=]`` (every subscription, SP-API's too);
- ``DELETE /admin/notifications/subscriptions/{subscriptionId}``;
- ``GET /admin/notifications/deliveries[?sellerId=&subscriptionId=&state=pending|delivered|dropped&after=ID&limit=N]``:
  each notification with its attempts, state and last error, oldest first; ``GET /admin/notifications/outbox``
  counts rows by state.

Mounted by ``admin.py`` behind its token check (``guarded``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from outbound.context import Context
from outbound.domain.errors import InvalidValue
from outbound.service import notifications as service


def _refused(exc: InvalidValue) -> JSONResponse:
    reason = f": {exc.reason}" if exc.reason else ""
    return JSONResponse({"error": f"invalid {exc.field} {exc.value!r}{reason}", "field": exc.field}, status_code=400)


def _subscribed(found: service.Subscribed) -> dict[str, Any]:
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


def _entry(e: service.LogEntry) -> dict[str, Any]:
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


def routes(ctx: Context, guarded: Callable[[Any], Any]) -> list[Route]:
    db = ctx.db

    async def subscribe(request: Request) -> Response:
        try:
            data = await request.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            return JSONResponse({"error": "the body must be a JSON object"}, status_code=400)
        kinds = [k for k in service.KINDS if data.get(k) is not None]
        values = [data.get(k) for k in ("sellerId", "notificationType", *kinds, "secret", "format")]
        if len(kinds) != 1 or not all(isinstance(v, str) for v in values if v is not None):
            return JSONResponse({"error": "give sellerId, notificationType and one of sqs, webhook"}, status_code=400)
        if not data.get("sellerId") or not data.get("notificationType"):
            return JSONResponse({"error": "sellerId and notificationType are required"}, status_code=400)
        try:
            made = await run_in_threadpool(
                service.subscribe,
                db,
                data["sellerId"],
                data["notificationType"],
                kinds[0],
                data[kinds[0]],
                secret=data.get("secret"),
                format=data.get("format") or "json",
            )
        except InvalidValue as exc:
            return _refused(exc)
        return JSONResponse(_subscribed(made), status_code=201)

    async def listing(request: Request) -> Response:
        found = await run_in_threadpool(service.listing, db, request.query_params.get("sellerId"))
        return JSONResponse({"subscriptions": [_subscribed(f) for f in found]})

    async def unsubscribe(request: Request) -> Response:
        try:
            await run_in_threadpool(service.unsubscribe, db, request.path_params["subscription_id"])
        except service.NotFound as exc:
            return JSONResponse({"error": exc.message}, status_code=404)
        return Response(status_code=204)

    async def deliveries(request: Request) -> Response:
        q = request.query_params
        after, limit = q.get("after", "0"), q.get("limit", "100")
        if not after.isdigit() or not limit.isdigit() or int(limit) < 1:
            return JSONResponse({"error": "after and limit must be whole numbers"}, status_code=400)
        try:
            found = await run_in_threadpool(
                lambda: service.delivery_log(
                    db,
                    seller_id=q.get("sellerId"),
                    subscription_id=q.get("subscriptionId"),
                    state=q.get("state"),
                    after=int(after),
                    limit=int(limit),
                )
            )
        except InvalidValue as exc:
            return _refused(exc)
        return JSONResponse({"deliveries": [_entry(e) for e in found]})

    async def outbox(request: Request) -> Response:
        return JSONResponse({"outbox": await run_in_threadpool(service.outbox_counts, db)})

    return [
        Route("/admin/notifications/subscriptions", guarded(subscribe), methods=["POST"]),
        Route("/admin/notifications/subscriptions", guarded(listing), methods=["GET"]),
        Route("/admin/notifications/subscriptions/{subscription_id}", guarded(unsubscribe), methods=["DELETE"]),
        Route("/admin/notifications/deliveries", guarded(deliveries), methods=["GET"]),
        Route("/admin/notifications/outbox", guarded(outbox), methods=["GET"]),
    ]
