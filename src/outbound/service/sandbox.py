"""The sandbox's order status update (submitFulfillmentOrderStatusUpdate): move an order on at once, by the
lifecycle's own steps at ``now`` (simulated time), never by writing a status.

- PLANNING, PROCESSING: the order is planned as the engine plans it (a hold is released first); PROCESSING makes
  its shipments from the reserved units.
- COMPLETE: planned, then every pending shipment leaves now (packages, carriers, tracking numbers as the engine
  makes them), and the order ends COMPLETE (COMPLETE_PARTIALLED when units were declared unfulfillable).
- CANCELLED: the seller's cancel, with its rules.
- UNFULFILLABLE, INVALID: only from RECEIVED or PLANNING, as the ``force_status`` scenario ends an order.
- The order's own status: nothing changes. Backward moves, COMPLETE_PARTIALLED and moves from a final status are
  refused, as is a target the steps cannot reach now (stock missing): then nothing changes.

Statuses are the domain's (``domain/orders.py``); each protocol adapter maps its own names.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import Connection

from outbound.domain import lifecycle, shipping, tracking
from outbound.domain.errors import InvalidValue, NotAllowed
from outbound.domain.orders import (
    CANCELLED,
    COMPLETE,
    COMPLETE_PARTIALLED,
    INVALID,
    ORDER_STATUSES,
    PENDING,
    PLANNING,
    PROCESSING,
    RECEIVED,
    UNFULFILLABLE,
    Order,
)
from outbound.service.orders import cancel_fulfillment_order, get_fulfillment_order
from outbound.sim import scenarios
from outbound.sim.steps import Step
from outbound.store import Database, batch
from outbound.store import orders as order_store

_PROGRESS = {RECEIVED: 0, PLANNING: 1, PROCESSING: 2, COMPLETE: 3}
# planning starts the moment it is asked for; the rest of the lifecycle keeps the engine's timings
_AT_ONCE = replace(shipping.DEFAULT_TIMINGS, received_to_planning=(0.0, 0.0))


def submit_fulfillment_order_status(
    db: Database, seller_id: str, seller_order_id: str, status: str, now: datetime
) -> Order:
    """Move the order to ``status`` (a domain status) by the lifecycle's steps at ``now``; the order after."""
    if status not in ORDER_STATUSES:
        raise InvalidValue("fulfillmentOrderStatus", status)
    current = get_fulfillment_order(db, seller_id, seller_order_id)
    if current.status == status:
        return current
    if status == CANCELLED:
        return cancel_fulfillment_order(db, seller_id, seller_order_id, now)
    with db.transaction() as conn:
        loaded = _load(db, conn, seller_id, seller_order_id)
        order = loaded.order
        if order.status == status:
            return order
        if order.status in lifecycle.FINAL:
            raise NotAllowed(f"Fulfillment order {seller_order_id} is {order.status} and cannot change.")
        if status == COMPLETE_PARTIALLED:
            raise InvalidValue("fulfillmentOrderStatus", status, "reached only by shipping part of an order")
        if status in (UNFULFILLABLE, INVALID):
            _end(conn, loaded, status, now)
        else:
            if _PROGRESS[status] < _PROGRESS[order.status]:
                raise NotAllowed(f"Fulfillment order {seller_order_id} cannot go back from {order.status}.")
            _advance(db, conn, loaded, status, now)
    return get_fulfillment_order(db, seller_id, seller_order_id)


def _load(db: Database, conn: Connection, seller_id: str, seller_order_id: str) -> batch.Loaded:
    stored = order_store.load_order(conn, seller_id, seller_order_id, children=False)
    loaded = batch.load_one(conn, stored.id, lock=not db.is_sqlite) if stored is not None else None
    if loaded is None:
        raise InvalidValue("SellerFulfillmentOrderId", seller_order_id)
    return loaded


def _step(conn: Connection, loaded: batch.Loaded, writes: batch.Writes, now: datetime) -> Step:
    return Step(tracking.DEFAULT_RATES, conn, loaded, writes, now, _AT_ONCE)


def _end(conn: Connection, loaded: batch.Loaded, status: str, now: datetime) -> None:
    if loaded.order.status not in (RECEIVED, PLANNING):
        raise NotAllowed(
            f"Fulfillment order {loaded.order.seller_order_id} is {loaded.order.status}: only an order not yet "
            f"processing can become {status}."
        )
    with batch.Writes(conn) as writes:
        _step(conn, loaded, writes, now).end_unshipped(status)
        writes.save(loaded, None)
        writes.flush(conn)


def _advance(db: Database, conn: Connection, loaded: batch.Loaded, status: str, now: datetime) -> None:
    order = loaded.order
    next_at: datetime | None = loaded.due_at
    with batch.Writes(conn) as writes:
        step = _step(conn, loaded, writes, now)
        if order.status == RECEIVED:
            if order.on_hold:
                order.fulfillment_action, order.hold_until = "Ship", None
                order_store.release_hold(conn, loaded.id)
            next_at = step.received()
        if _PROGRESS[status] >= _PROGRESS[PROCESSING] and order.status == PLANNING:
            next_at = step.planning()
            if order.status != PROCESSING:
                raise NotAllowed(
                    f"Fulfillment order {order.seller_order_id} cannot be planned now: its units are not available."
                )
        writes.save(loaded, next_at)
        writes.flush(conn)
    if status != COMPLETE:
        return
    # shipments made just now have their rows only now: read the order again, as the engine's next step would
    again = _load(db, conn, order.seller_id, order.seller_order_id)
    key = (order.seller_id, order.seller_order_id)
    steering = [s for s in scenarios.for_orders(conn, [key]).get(key, []) if s.kind != "hold_shipment"]
    with batch.Writes(conn) as writes:
        step = _step(conn, again, writes, now)
        for shipment in again.order.shipments:
            if shipment.status == PENDING and (shipment.shipping_at is None or shipment.shipping_at > now):
                shipment.shipping_at = now  # packed and handed to the carrier now
        after = step.processing(steering)
        if again.order.status not in (COMPLETE, COMPLETE_PARTIALLED):
            raise NotAllowed(
                f"Fulfillment order {order.seller_order_id} cannot be completed now: some units are not available."
            )
        writes.save(again, after)
        writes.flush(conn)
