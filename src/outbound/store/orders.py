"""Saving and loading fulfillment orders: the order row, its lines, reservations, shipments, packages, returns.

GetFulfillmentOrder is a handful of indexed queries (order by its unique key, then its children by order id), not an
object-graph walk; listing reads order rows only, keyset-paginated.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Label, String, and_, bindparam, column, delete, insert, or_, select, text, update

from outbound.domain.features import FeatureConstraint
from outbound.domain.orders import (
    Address,
    CODSettings,
    DeliveryPreferences,
    DeliveryWindow,
    Money,
    Order,
    OrderItem,
    Package,
    PaymentInformation,
    ReturnAuthorization,
    ReturnItem,
    Shipment,
    ShipmentItem,
)
from outbound.store.prepared import DialectQuery, PreparedQuery, fetch
from outbound.store.schema import (
    order_items,
    orders,
    packages,
    reservations,
    return_authorizations,
    return_items,
    shipment_items,
    shipments,
)


@dataclass(frozen=True, slots=True)
class Reservation:
    line: int
    fc_code: str
    seller_sku: str
    quantity: int


@dataclass(slots=True)
class StoredOrder:
    id: int
    order: Order
    request_hash: str


# ----------------------------------------------------------------------------------------------- JSON columns


def _money(value: Money | None) -> list[str] | None:
    return None if value is None else [value.currency, value.value]


def _money_from(value: Any) -> Money | None:
    return None if value is None else Money(value[0], value[1])


def _cod_json(cod: CODSettings | None) -> str | None:
    if cod is None:
        return None
    return json.dumps(
        {
            "required": cod.is_cod_required,
            "charge": _money(cod.cod_charge),
            "charge_tax": _money(cod.cod_charge_tax),
            "shipping": _money(cod.shipping_charge),
            "shipping_tax": _money(cod.shipping_charge_tax),
        }
    )


def _cod_from(text: str | None) -> CODSettings | None:
    if text is None:
        return None
    raw = json.loads(text)
    return CODSettings(
        raw["required"],
        _money_from(raw["charge"]),
        _money_from(raw["charge_tax"]),
        _money_from(raw["shipping"]),
        _money_from(raw["shipping_tax"]),
    )


def _spapi_inputs_json(order: Order) -> str | None:
    """What only SP-API sends, as JSON; ``None`` when nothing was sent (every MWS order). The feature constraints
    have a column of their own: the engine reads them."""
    found: dict[str, Any] = {}
    if order.delivery_preferences is not None:
        prefs = order.delivery_preferences
        found["delivery"] = [prefs.instructions, prefs.drop_off_type, [list(a) for a in prefs.drop_off_attributes]]
    if order.payment_information:
        found["payments"] = [[p.transaction_id, p.mode, p.date.isoformat()] for p in order.payment_information]
    return json.dumps(found) if found else None


def _apply_spapi_inputs(order: Order, text: str | None) -> None:
    if not text:
        return
    raw = json.loads(text)
    if "delivery" in raw:
        instructions, drop_off, attributes = raw["delivery"]
        order.delivery_preferences = DeliveryPreferences(
            instructions, drop_off, tuple((str(k), str(v)) for k, v in attributes)
        )
    order.payment_information = [
        PaymentInformation(t, m, datetime.fromisoformat(d)) for t, m, d in raw.get("payments", ())
    ]


def _item_money(item: OrderItem) -> str | None:
    money = {
        "price": _money(item.per_unit_price),
        "tax": _money(item.per_unit_tax),
        "declared": _money(item.per_unit_declared_value),
    }
    return json.dumps(money) if any(money.values()) else None


# ----------------------------------------------------------------------------------------------- rows


def order_values(order: Order) -> dict[str, Any]:
    return {
        "marketplace_id": order.marketplace_id,
        "displayable_order_id": order.displayable_order_id,
        "displayable_order_at": order.displayable_order_at,
        "displayable_order_comment": order.displayable_order_comment,
        "shipping_speed": order.shipping_speed,
        "delivery_window_start": order.delivery_window.start if order.delivery_window else None,
        "delivery_window_end": order.delivery_window.end if order.delivery_window else None,
        "address": json.dumps(order.destination.fields),
        "fulfillment_action": order.fulfillment_action,
        "fulfillment_policy": order.fulfillment_policy,
        "fulfillment_method": order.fulfillment_method,
        "cod_settings": _cod_json(order.cod),
        "notification_emails": json.dumps(order.notification_emails) if order.notification_emails else None,
        "ship_from_country_code": order.ship_from_country_code,
        "received_at": order.received_at,
        "status": order.status,
        "status_updated_at": order.status_updated_at,
        "hold_until": order.hold_until,
        "feature_constraints": _constraints_json(order.feature_constraints),
        "origin": order.origin,
        "spapi_inputs": _spapi_inputs_json(order),
    }


def _constraints_json(constraints: tuple[FeatureConstraint, ...]) -> str | None:
    return json.dumps([[c.name, c.policy] for c in constraints]) if constraints else None


def _constraints_from(text: str | None) -> tuple[FeatureConstraint, ...]:
    return tuple(FeatureConstraint(name, policy) for name, policy in json.loads(text)) if text else ()


def item_values(order_id: int, line: int, item: OrderItem) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "line": line,
        "seller_sku": item.seller_sku,
        "item_id": item.item_id,
        "quantity": item.quantity,
        "gift_message": item.gift_message,
        "displayable_comment": item.displayable_comment,
        "fnsku": item.fnsku,
        "disposition": item.disposition,
        "cancelled_quantity": item.cancelled_quantity,
        "unfulfillable_quantity": item.unfulfillable_quantity,
        "estimated_ship_at": item.estimated_ship_at,
        "estimated_arrival_at": item.estimated_arrival_at,
        "money": _item_money(item),
    }


def order_from(row: Any, items: list[OrderItem]) -> Order:
    window = None
    if row.delivery_window_start is not None and row.delivery_window_end is not None:
        window = DeliveryWindow(row.delivery_window_start, row.delivery_window_end)
    order = Order(
        seller_id=row.seller_id,
        seller_order_id=row.seller_order_id,
        marketplace_id=row.marketplace_id,
        displayable_order_id=row.displayable_order_id,
        displayable_order_at=row.displayable_order_at,
        displayable_order_comment=row.displayable_order_comment,
        shipping_speed=row.shipping_speed,
        destination=Address(json.loads(row.address)),
        fulfillment_action=row.fulfillment_action,
        fulfillment_policy=row.fulfillment_policy,
        fulfillment_method=row.fulfillment_method,
        received_at=row.received_at,
        status=row.status,
        status_updated_at=row.status_updated_at,
        items=items,
        delivery_window=window,
        cod=_cod_from(row.cod_settings),
        notification_emails=json.loads(row.notification_emails) if row.notification_emails else [],
        ship_from_country_code=row.ship_from_country_code,
        hold_until=row.hold_until,
        feature_constraints=_constraints_from(row.feature_constraints),
        origin=row.origin,
    )
    _apply_spapi_inputs(order, row.spapi_inputs)
    return order


def item_from(row: Any) -> OrderItem:
    money = json.loads(row.money) if row.money else {}
    return OrderItem(
        seller_sku=row.seller_sku,
        item_id=row.item_id,
        quantity=row.quantity,
        gift_message=row.gift_message,
        displayable_comment=row.displayable_comment,
        fnsku=row.fnsku,
        disposition=row.disposition,
        cancelled_quantity=row.cancelled_quantity,
        unfulfillable_quantity=row.unfulfillable_quantity,
        estimated_ship_at=row.estimated_ship_at,
        estimated_arrival_at=row.estimated_arrival_at,
        per_unit_price=_money_from(money.get("price")),
        per_unit_tax=_money_from(money.get("tax")),
        per_unit_declared_value=_money_from(money.get("declared")),
    )


# ----------------------------------------------------------------------------------------------- writes


_INSERT_ORDER = insert(orders).returning(orders.c.id)  # built once: CreateFulfillmentOrder runs it every call
_INSERT_ITEMS = insert(order_items)


def insert_order(conn: Connection, order: Order, request_hash: str, next_step_at: datetime | None) -> int:
    values = order_values(order)
    values.update(
        seller_id=order.seller_id,
        seller_order_id=order.seller_order_id,
        request_hash=request_hash,
        next_step_at=next_step_at,
    )
    order_id = conn.execute(_INSERT_ORDER, values).scalar_one()
    conn.execute(_INSERT_ITEMS, [item_values(order_id, n, item) for n, item in enumerate(order.items)])
    return int(order_id)


def save_order(conn: Connection, stored: StoredOrder, next_step_at: datetime | None = None) -> None:
    """Write back the order row and its lines (lines are never added or removed after creation)."""
    values = order_values(stored.order)
    if next_step_at is not None:
        values["next_step_at"] = next_step_at
    conn.execute(update(orders).where(orders.c.id == stored.id).values(**values))
    for line, item in enumerate(stored.order.items):
        row = item_values(stored.id, line, item)
        conn.execute(
            update(order_items)
            .where(and_(order_items.c.order_id == stored.id, order_items.c.line == line))
            .values({k: v for k, v in row.items() if k not in ("order_id", "line")})
        )


def release_hold(conn: Connection, order_id: int) -> None:
    """A held order goes ahead: its action becomes Ship and the hold's lapse is gone."""
    conn.execute(update(orders).where(orders.c.id == order_id).values(fulfillment_action="Ship", hold_until=None))


def clear_next_step(conn: Connection, order_id: int) -> None:
    conn.execute(update(orders).where(orders.c.id == order_id).values(next_step_at=None))


def bring_step_forward(conn: Connection, order_id: int, now: datetime) -> None:
    """Make the order's next step due at ``now`` if it was due later (never later, and an ended order, with no next
    step, stays ended)."""
    conn.execute(update(orders).where(orders.c.id == order_id, orders.c.next_step_at > now).values(next_step_at=now))


def insert_reservations(conn: Connection, order_id: int, rows: Sequence[Reservation]) -> None:
    if rows:
        conn.execute(
            insert(reservations),
            [
                {
                    "order_id": order_id,
                    "line": r.line,
                    "fc_code": r.fc_code,
                    "seller_sku": r.seller_sku,
                    "quantity": r.quantity,
                }
                for r in rows
            ],
        )


def load_reservations(conn: Connection, order_id: int) -> list[Reservation]:
    query = (
        select(reservations)
        .where(reservations.c.order_id == order_id)
        .order_by(reservations.c.line, reservations.c.fc_code)
    )
    return [Reservation(r.line, r.fc_code, r.seller_sku, r.quantity) for r in conn.execute(query)]


def set_reservation(conn: Connection, order_id: int, reservation: Reservation) -> None:
    """Store a reservation's new quantity; zero removes it."""
    where = and_(
        reservations.c.order_id == order_id,
        reservations.c.line == reservation.line,
        reservations.c.fc_code == reservation.fc_code,
    )
    if reservation.quantity <= 0:
        conn.execute(delete(reservations).where(where))
    else:
        conn.execute(update(reservations).where(where).values(quantity=reservation.quantity))


def insert_shipment(conn: Connection, order_id: int, seller_id: str, shipment: Shipment) -> int:
    shipment_id = conn.execute(
        insert(shipments)
        .values(
            order_id=order_id,
            amazon_shipment_id=shipment.amazon_shipment_id,
            fc_code=shipment.fc_code,
            status=shipment.status,
            shipping_at=shipment.shipping_at,
            estimated_arrival_at=shipment.estimated_arrival_at,
        )
        .returning(shipments.c.id)
    ).scalar_one()
    if shipment.items:
        conn.execute(
            insert(shipment_items),
            [
                {
                    "shipment_id": shipment_id,
                    "position": n,
                    "seller_sku": item.seller_sku,
                    "item_id": item.item_id,
                    "quantity": item.quantity,
                    "package_number": item.package_number,
                }
                for n, item in enumerate(shipment.items)
            ],
        )
    if shipment.packages:
        conn.execute(
            insert(packages),
            [
                {
                    "package_number": p.package_number,
                    "seller_id": seller_id,
                    "shipment_id": shipment_id,
                    "carrier_code": p.carrier_code,
                    "tracking_number": p.tracking_number,
                    "estimated_arrival_at": p.estimated_arrival_at,
                }
                for p in shipment.packages
            ],
        )
    return int(shipment_id)


def update_shipment_status(conn: Connection, order_id: int, shipment: Shipment) -> None:
    conn.execute(
        update(shipments)
        .where(and_(shipments.c.order_id == order_id, shipments.c.amazon_shipment_id == shipment.amazon_shipment_id))
        .values(
            status=shipment.status, shipping_at=shipment.shipping_at, estimated_arrival_at=shipment.estimated_arrival_at
        )
    )


# ----------------------------------------------------------------------------------------------- reads


# Built once and run at the driver level (``store/prepared.py``): GetFulfillmentOrder and the services read orders
# on every call. Each child query finds the order by its key too, so all of them go to PostgreSQL in one round trip.
_KEY = and_(orders.c.seller_id == bindparam("seller"), orders.c.seller_order_id == bindparam("order"))
_ORDER_ID = select(orders.c.id).where(_KEY).scalar_subquery()
_ORDER = PreparedQuery(select(orders).where(_KEY))
_ORDER_LOCKED = PreparedQuery(select(orders).where(_KEY).with_for_update())
_ITEMS = PreparedQuery(select(order_items).where(order_items.c.order_id == _ORDER_ID).order_by(order_items.c.line))
_OWN_SHIPMENT = shipments.c.order_id == _ORDER_ID
_ORDER_SHIPMENTS = PreparedQuery(select(shipments).where(_OWN_SHIPMENT).order_by(shipments.c.id))
_ORDER_SHIPMENT_ITEMS = PreparedQuery(
    select(shipment_items)
    .join(shipments, shipments.c.id == shipment_items.c.shipment_id)
    .where(_OWN_SHIPMENT)
    .order_by(shipment_items.c.shipment_id, shipment_items.c.position)
)
PACKAGE_COLUMNS = (  # not the journey: GetPackageTrackingDetails reads that
    packages.c.package_number,
    packages.c.shipment_id,
    packages.c.carrier_code,
    packages.c.tracking_number,
    packages.c.estimated_arrival_at,
)
_ORDER_PACKAGES = PreparedQuery(
    select(*PACKAGE_COLUMNS)
    .join(shipments, shipments.c.id == packages.c.shipment_id)
    .where(_OWN_SHIPMENT)
    .order_by(packages.c.package_number)
)
_RETURNS = PreparedQuery(select(return_items).where(return_items.c.order_id == _ORDER_ID).order_by(return_items.c.id))
_AUTHORIZATIONS = PreparedQuery(
    select(return_authorizations)
    .where(return_authorizations.c.order_id == _ORDER_ID)
    .order_by(return_authorizations.c.id)
)
_CHILDREN = (_ORDER_SHIPMENTS, _ORDER_SHIPMENT_ITEMS, _ORDER_PACKAGES, _RETURNS, _AUTHORIZATIONS)


def load_order(
    conn: Connection, seller_id: str, seller_order_id: str, *, lock: bool = False, children: bool = True
) -> StoredOrder | None:
    """The seller's order with this SellerFulfillmentOrderId (another seller's is simply not found)."""
    key = {"seller": seller_id, "order": seller_order_id}
    wanted = (_ORDER_LOCKED if lock else _ORDER, _ITEMS, *(_CHILDREN if children else ()))
    found = fetch(conn, *((query, key) for query in wanted))
    if not found[0]:
        return None
    row, lines = found[0][0], found[1]
    order = order_from(row, [item_from(r) for r in lines])
    if children:
        shipment_rows, item_rows, package_rows, return_rows, authorization_rows = found[2:]
        if shipment_rows:
            built = _shipments_from(shipment_rows, item_rows, package_rows)
            order.shipments = [shipment for _, shipment in built[row.id]]
        order.returns = [_return_from(r) for r in return_rows]
        order.authorizations = [
            ReturnAuthorization(r.authorization_id, r.fc_code, Address(json.loads(r.address)), r.rma_id, r.rma_url)
            for r in authorization_rows
        ]
    return StoredOrder(row.id, order, row.request_hash)


def _shipments_from(
    rows: Sequence[Any], item_rows: Sequence[Any], package_rows: Sequence[Any]
) -> dict[int, list[tuple[int, Shipment]]]:
    items: dict[int, list[ShipmentItem]] = {r.id: [] for r in rows}
    for r in item_rows:
        items[r.shipment_id].append(ShipmentItem(r.seller_sku, r.item_id, r.quantity, r.package_number))
    boxes: dict[int, list[Package]] = {r.id: [] for r in rows}
    for r in package_rows:
        boxes[r.shipment_id].append(
            Package(r.package_number, r.carrier_code, r.tracking_number, r.estimated_arrival_at)
        )
    found: dict[int, list[tuple[int, Shipment]]] = {}
    for r in rows:
        shipment = Shipment(
            r.amazon_shipment_id, r.fc_code, r.status, r.shipping_at, r.estimated_arrival_at, items[r.id], boxes[r.id]
        )
        found.setdefault(r.order_id, []).append((r.id, shipment))
    return found


def _return_from(r: Any) -> ReturnItem:
    return ReturnItem(
        seller_return_item_id=r.seller_return_item_id,
        item_id=r.item_id,
        amazon_shipment_id=r.amazon_shipment_id,
        seller_reason_code=r.seller_reason_code,
        status=r.status,
        status_changed_at=r.status_changed_at,
        authorization_id=r.authorization_id,
        comment=r.comment,
        amazon_reason_code=r.amazon_reason_code,
        received_condition=r.received_condition,
        fc_code=r.fc_code,
    )


def list_orders(
    conn: Connection,
    seller_id: str,
    start: datetime,
    snapshot: datetime,
    after: tuple[datetime, str] | None,
    methods: Sequence[str],
    limit: int,
) -> list[Order]:
    """Order rows (no children) whose status changed in [start, snapshot], after the keyset cursor, in list order."""
    query = select(orders).where(
        orders.c.seller_id == seller_id,
        orders.c.status_updated_at >= (after[0] if after else start),
        orders.c.status_updated_at <= snapshot,
    )
    if after is not None:
        # (t, id) > cursor, spelled as an OR so each side binds with its column's type; the bound above
        # (t >= the cursor's instant) is what lets both databases seek into the index instead of scanning from the
        # listing's start, which a row-value comparison does not achieve on SQLite
        moment, last_id = after
        query = query.where(
            or_(
                orders.c.status_updated_at > moment,
                and_(orders.c.status_updated_at == moment, orders.c.seller_order_id > last_id),
            )
        )
    if methods:
        query = query.where(orders.c.fulfillment_method.in_(list(methods)))
    query = query.order_by(orders.c.status_updated_at, orders.c.seller_order_id).limit(limit)
    return [order_from(row, []) for row in conn.execute(query)]


# Every row GetFulfillmentOrder shows, by the id of the transaction that last wrote it (PostgreSQL's ``xmin``): an
# update writes a new row version, an insert a new row, a delete removes one, so any committed change to what the
# answer shows changes this text (and so do changes it does not show: a package's journey, the step columns).
_SIGNATURE_SQL = """
SELECT concat_ws('|', o.xmin::text,
  coalesce((SELECT string_agg(i.xmin::text, ',' ORDER BY i.line) FROM order_items i WHERE i.order_id = o.id), ''),
  coalesce((SELECT string_agg(s.xmin::text, ',' ORDER BY s.id) FROM shipments s WHERE s.order_id = o.id), ''),
  coalesce((SELECT string_agg(si.xmin::text, ',' ORDER BY si.shipment_id, si.position)
            FROM shipment_items si JOIN shipments s ON s.id = si.shipment_id WHERE s.order_id = o.id), ''),
  coalesce((SELECT string_agg(p.xmin::text, ',' ORDER BY p.package_number)
            FROM packages p JOIN shipments s ON s.id = p.shipment_id WHERE s.order_id = o.id), ''),
  coalesce((SELECT string_agg(r.xmin::text, ',' ORDER BY r.id) FROM return_items r WHERE r.order_id = o.id), ''),
  coalesce((SELECT string_agg(a.xmin::text, ',' ORDER BY a.id)
            FROM return_authorizations a WHERE a.order_id = o.id), '')) AS signature
FROM orders o WHERE o.seller_id = {seller} AND o.seller_order_id = {order}
"""
SIGNATURE = DialectQuery("postgresql", _SIGNATURE_SQL.format(seller="%(seller)s", order="%(order)s"), ("signature",))


def signature_column(seller: str) -> Label[str]:
    """The order's signature as a column of another select (PostgreSQL), so that the two are one statement: one
    round trip, one snapshot. ``seller``: SQL for the seller's id (a column of that select, or ``:seller``); the
    order's id is bound as ``order``. NULL when the seller has no such order."""
    query = text(_SIGNATURE_SQL.format(seller=seller, order=":order")).columns(column("signature", String))
    return query.scalar_subquery().label("signature")


def signature_in(row: Any) -> str | None:
    """The ``signature`` column of a row that carries :func:`signature_column` (``None``: no row, or no order)."""
    return None if row is None or row.signature is None else str(row.signature)


def order_signature(conn: Connection, seller_id: str, seller_order_id: str) -> str | None:
    """A text that changes whenever a committed write changes the order or any row of its answer (PostgreSQL only;
    one statement, one round trip); ``None`` when the seller has no such order."""
    row = SIGNATURE.first(conn, {"seller": seller_id, "order": seller_order_id})
    return None if row is None else str(row.signature)
