"""Fulfillment-order use cases: create, update, cancel, get, list. Each runs in one transaction.

Creating an order allocates its units to fulfillment centers with the same allocation and promise code the preview
uses, and reserves them; stock is locked first (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite takes its single
writer lock at ``BEGIN IMMEDIATE``), so concurrent orders can never reserve more units than exist.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from outbound.domain import allocation, features, lifecycle, notices, promise
from outbound.domain.errors import InsufficientStock, InvalidValue, NotAllowed
from outbound.domain.orders import (
    CANCELLED,
    CANCELLED_BY_SELLER,
    COMPLETE_PARTIALLED,
    CONSUMER,
    FILL_OR_KILL,
    HOLD,
    MWS,
    PENDING,
    PLANNING,
    PROCESSING,
    RECEIVED,
    SCHEDULED_DELIVERY,
    SHIP,
    Address,
    CODSettings,
    DeliveryPreferences,
    DeliveryWindow,
    Money,
    Order,
    OrderItem,
    PaymentInformation,
)
from outbound.domain.world import WORLD, Marketplace
from outbound.service.accounts import Caller
from outbound.store import Database, creates
from outbound.store import accounts as account_store
from outbound.store import features as feature_store
from outbound.store import inventory as stock_store
from outbound.store import notifications as notice_store
from outbound.store import orders as order_store

EU_EXPORT = frozenset({"GB", "DE", "FR", "IT", "ES", "NL", "SE", "PL"})
NORTH_AMERICA = frozenset({"US", "CA", "MX"})


@dataclass(frozen=True)
class ItemRequest:
    seller_sku: str
    item_id: str
    quantity: int
    gift_message: str | None = None
    displayable_comment: str | None = None
    fnsku: str | None = None
    disposition: str | None = None
    per_unit_declared_value: Money | None = None
    per_unit_price: Money | None = None
    per_unit_tax: Money | None = None


@dataclass(frozen=True)
class CreateOrderRequest:
    seller_order_id: str
    displayable_order_id: str
    displayable_order_at: datetime
    displayable_order_comment: str
    shipping_speed: str
    destination: Address
    items: tuple[ItemRequest, ...]
    marketplace_id: str | None = None
    delivery_window: DeliveryWindow | None = None
    fulfillment_action: str = SHIP
    fulfillment_policy: str = FILL_OR_KILL
    fulfillment_method: str = CONSUMER
    cod: CODSettings | None = None
    notification_emails: tuple[str, ...] = ()
    ship_from_country_code: str | None = None
    # SP-API only: MWS cannot send them
    feature_constraints: tuple[features.FeatureConstraint, ...] = ()
    delivery_preferences: DeliveryPreferences | None = None
    payment_information: tuple[PaymentInformation, ...] = ()

    def fingerprint(self, marketplace_id: str) -> str:
        """A hash of the normalised, protocol-neutral request: the same order sent twice, over either protocol, has
        the same fingerprint. Inputs only SP-API sends count only when sent, so an MWS order hashes as it always
        did."""
        content = _plain(self)
        assert isinstance(content, dict)
        content["marketplace_id"] = marketplace_id
        for name in _SPAPI_ONLY:
            if not content[name]:
                del content[name]
        return hashlib.sha256(_FINGERPRINT_JSON.encode(content).encode()).hexdigest()


_SPAPI_ONLY = ("feature_constraints", "delivery_preferences", "payment_information")


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _plain(value: object) -> object:
    """JSON for the fingerprint: a dataclass as its fields (what ``asdict`` gives, without its deep copies), anything
    else as text."""
    names = _FIELD_NAMES.get(type(value))
    if names is None:
        if not is_dataclass(value) or isinstance(value, type):
            return str(value)
        names = _FIELD_NAMES[type(value)] = tuple(f.name for f in fields(value))
    return {name: getattr(value, name) for name in names}


_FINGERPRINT_JSON = json.JSONEncoder(sort_keys=True, default=_plain)


@dataclass(frozen=True)
class ItemUpdate:
    item_id: str
    quantity: int
    seller_sku: str | None = None
    gift_message: str | None = None
    displayable_comment: str | None = None
    fnsku: str | None = None
    disposition: str | None = None
    per_unit_declared_value: Money | None = None
    per_unit_price: Money | None = None
    per_unit_tax: Money | None = None


@dataclass(frozen=True)
class UpdateOrderRequest:
    """Only what was sent: ``None`` keeps the current value."""

    seller_order_id: str
    marketplace_id: str | None = None
    fulfillment_action: str = HOLD
    displayable_order_id: str | None = None
    displayable_order_at: datetime | None = None
    displayable_order_comment: str | None = None
    shipping_speed: str | None = None
    destination: Address | None = None
    fulfillment_policy: str | None = None
    fulfillment_method: str | None = None
    notification_emails: tuple[str, ...] | None = None
    items: tuple[ItemUpdate, ...] = field(default=())
    feature_constraints: tuple[features.FeatureConstraint, ...] | None = None  # sent ones replace the stored ones


@dataclass(frozen=True)
class Created:
    order: Order
    replayed: bool  # the same request was already accepted: nothing new was created


# --------------------------------------------------------------------------------------------------- create


def create_fulfillment_order(
    db: Database, caller: Caller, request: CreateOrderRequest, now: datetime, origin: str = MWS
) -> Created:
    """Create the order (``origin``: the protocol it came over, recorded for operators). Concurrent creates share
    one commit on PostgreSQL (``store/group.py``).

    On an IntegrityError a concurrent request (a client's retry) committed the same SellerFulfillmentOrderId after
    this one looked for it: the create is undone and runs again, and answers as for any repeated request (a
    replay, or "already exists")."""
    return db.grouped(lambda conn: _create(conn, caller, request, now, origin), again=(IntegrityError,))


def _create(conn: Connection, caller: Caller, request: CreateOrderRequest, now: datetime, origin: str) -> Created:
    # every read the decision needs, at once (one round trip on PostgreSQL: store/creates.py)
    reads = creates.create_reads(conn, caller.seller_id, request.seller_order_id, [i.seller_sku for i in request.items])
    marketplace = seller_marketplace(
        conn, caller.seller_id, request.marketplace_id or caller.default_marketplace_id, listed=reads.marketplaces
    )
    fingerprint = request.fingerprint(marketplace.marketplace_id)
    if reads.taken:
        existing = order_store.load_order(conn, caller.seller_id, request.seller_order_id, children=False)
        assert existing is not None  # the order row was read in this transaction; orders are never deleted
        if existing.request_hash != fingerprint:
            raise InvalidValue(
                "SellerFulfillmentOrderId", request.seller_order_id, "an order with this id already exists"
            )
        return Created(existing.order, replayed=True)
    _check_marketplace_rules(request, marketplace, now)
    required = features.required(features.check_constraints(request.feature_constraints))
    skus = reads.skus
    for item in request.items:
        sku = skus.get(item.seller_sku)
        if sku is None:
            raise InvalidValue("SellerSKU", item.seller_sku)
        if item.fnsku is not None and item.fnsku != sku.fnsku:
            raise InvalidValue("FulfillmentNetworkSKU", item.fnsku)
    plan = plan_order(
        conn,
        caller.seller_id,
        request.items,
        request.destination,
        marketplace,
        lock=True,
        required=required,
        stock=reads.stock,
    )
    if not plan.shipments:
        raise InsufficientStock("AllQuantityZero", "")
    if plan.short and request.fulfillment_policy == FILL_OR_KILL:
        raise InsufficientStock("InsufficientInventory", "Items")
    check_carriers(plan, marketplace, request.shipping_speed, required)
    order = _new_order(caller.seller_id, marketplace, request, now)
    order.origin = origin
    for line in order.items:
        line.fnsku = line.fnsku or skus[line.seller_sku].fnsku
    _apply_promises(order, plan, marketplace, now)
    hold = request.fulfillment_action == HOLD
    order.hold_until = now + lifecycle.HOLD_LIFETIME if hold else None
    lines = {item.item_id: n for n, item in enumerate(order.items)}
    picks = [
        creates.Pick(lines[pick.item_id], shipment.fc_code, pick.sku, pick.quantity)
        for shipment in plan.shipments
        for pick in shipment.picks
    ]
    # the order, its lines, the reservations and the stock taken, written together
    if not creates.insert_created(conn, order, fingerprint, order.hold_until if hold else now, picks):
        raise InsufficientStock("InsufficientInventory", "Items")  # stock moved under us: nothing kept
    if reads.heard:  # the outbox row names the order's row id
        stored = order_store.load_order(conn, caller.seller_id, request.seller_order_id, children=False)
        assert stored is not None
        notice_store.record(conn, [notices.of_order(stored.id, order, now)])
    return Created(order, replayed=False)


def plan_order(
    conn: Connection,
    seller_id: str,
    items: tuple[ItemRequest, ...] | list[ItemRequest],
    destination: Address,
    marketplace: Marketplace,
    *,
    lock: bool = False,
    required: frozenset[str] = frozenset(),
    stock: dict[str, dict[str, int]] | None = None,
) -> allocation.Plan:
    """Allocate the lines to the marketplace's centers by stock and distance (shared with the preview); with
    ``required`` features, only the units usable for them count. ``stock``: the free units, already read (and
    locked) by the caller."""
    stock = eligible_stock(conn, seller_id, [i.seller_sku for i in items], marketplace, required, lock=lock, read=stock)
    lines = [allocation.Line(i.item_id, i.seller_sku, i.quantity) for i in items]
    return allocation.allocate(lines, stock, WORLD.centers_in(marketplace.country_code), destination.point())


def eligible_stock(
    conn: Connection,
    seller_id: str,
    seller_skus: list[str],
    marketplace: Marketplace,
    required: frozenset[str],
    *,
    lock: bool = False,
    read: dict[str, dict[str, int]] | None = None,
) -> dict[str, dict[str, int]]:
    """Free units per center and SKU that an order requiring ``required`` features may be allocated (``read``:
    the free units, already read)."""
    stock = stock_store.stock(conn, seller_id, seller_skus, lock=lock) if read is None else read
    if not required:
        return stock
    return feature_store.standing(conn, seller_id, marketplace, seller_skus).restrict(stock, required)


def check_carriers(plan: allocation.Plan, marketplace: Marketplace, speed: str, required: frozenset[str]) -> None:
    """An order that blocks Amazon Logistics needs another carrier for its speed from each of its centers."""
    for shipment in plan.shipments:
        origin = WORLD.centers[shipment.fc_code].country
        if not features.has_carrier(marketplace.country, speed, origin, required):
            raise InvalidValue(
                "featureConstraints",
                features.BLOCK_AMZL,
                f"no carrier but Amazon Logistics delivers {speed} orders in marketplace {marketplace.marketplace_id}",
            )


def resolve_marketplace(conn: Connection, caller: Caller, marketplace_id: str | None) -> Marketplace:
    """The request's marketplace (default: the seller's home one), refused unless the seller sells there."""
    return seller_marketplace(conn, caller.seller_id, marketplace_id or caller.default_marketplace_id)


def seller_marketplace(
    conn: Connection,
    seller_id: str,
    marketplace_id: str,
    field_name: str = "MarketplaceId",
    listed: list[str] | None = None,
) -> Marketplace:
    """A marketplace the seller sells in and where outbound exists, or an invalid-input refusal naming the field
    (``listed``: the seller's marketplaces, already read)."""
    marketplace = WORLD.marketplaces.get(marketplace_id)
    if (
        marketplace is None
        or not marketplace.outbound_available
        or marketplace_id not in (account_store.marketplaces_of(conn, seller_id) if listed is None else listed)
    ):
        raise InvalidValue(field_name, marketplace_id)
    return marketplace


def _check_marketplace_rules(request: CreateOrderRequest, marketplace: Marketplace, now: datetime) -> None:
    """COD, ScheduledDelivery and DeliveryWindow exist only in JP; exports only where allowed."""
    if not marketplace.cod_and_scheduled_delivery:
        if request.shipping_speed == SCHEDULED_DELIVERY:
            raise InvalidValue("ShippingSpeedCategory", request.shipping_speed)
        if request.delivery_window is not None:
            raise InvalidValue("DeliveryWindow.StartDateTime", _iso(request.delivery_window.start))
        if request.cod is not None:
            raise InvalidValue("CODSettings.IsCODRequired", "true" if request.cod.is_cod_required else "false")
    if request.delivery_window is not None:
        offered = {(s, e) for s, e in promise.delivery_windows(marketplace, now)}
        if (request.delivery_window.start, request.delivery_window.end) not in offered:
            raise InvalidValue("DeliveryWindow", _iso(request.delivery_window.start))
    if request.cod is not None:  # COD amounts are in the marketplace currency (docs/mws-protocol.md "Parameters")
        for name, charge in (
            ("CODCharge", request.cod.cod_charge),
            ("CODChargeTax", request.cod.cod_charge_tax),
            ("ShippingCharge", request.cod.shipping_charge),
            ("ShippingChargeTax", request.cod.shipping_charge_tax),
        ):
            if charge is not None and charge.currency != marketplace.currency:
                raise InvalidValue(f"CODSettings.{name}.CurrencyCode", charge.currency)
    check_item_currencies(request.items, marketplace.currency)
    destination = request.destination.country_code
    if destination != marketplace.country_code:
        if not export_allowed(marketplace.country_code, destination):
            raise InvalidValue("DestinationAddress.CountryCode", destination)
        if not (marketplace.country_code in EU_EXPORT and destination in EU_EXPORT):
            for n, item in enumerate(request.items, 1):
                if item.per_unit_declared_value is None:
                    raise InvalidValue(f"Items.member.{n}.PerUnitDeclaredValue", "", "required for an export")


def check_item_currencies(items: Sequence[ItemRequest | ItemUpdate], currency: str) -> None:
    """Amounts collected from the customer (COD price and tax) are in the marketplace currency."""
    for n, item in enumerate(items, 1):
        for name, amount in (("PerUnitPrice", item.per_unit_price), ("PerUnitTax", item.per_unit_tax)):
            if amount is not None and amount.currency != currency:
                raise InvalidValue(f"Items.member.{n}.{name}.CurrencyCode", amount.currency)


def export_allowed(origin: str, destination: str) -> bool:
    """Cross-border MCF [ours]: within North America and within the EU export set."""
    return any(origin in group and destination in group for group in (EU_EXPORT, NORTH_AMERICA))


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _new_order(seller_id: str, marketplace: Marketplace, request: CreateOrderRequest, now: datetime) -> Order:
    items = [
        OrderItem(
            seller_sku=i.seller_sku,
            item_id=i.item_id,
            quantity=i.quantity,
            gift_message=i.gift_message,
            displayable_comment=i.displayable_comment,
            fnsku=i.fnsku,
            disposition=i.disposition,
            per_unit_price=i.per_unit_price,
            per_unit_tax=i.per_unit_tax,
            per_unit_declared_value=i.per_unit_declared_value,
        )
        for i in request.items
    ]
    return Order(
        seller_id=seller_id,
        seller_order_id=request.seller_order_id,
        marketplace_id=marketplace.marketplace_id,
        displayable_order_id=request.displayable_order_id,
        displayable_order_at=request.displayable_order_at,
        displayable_order_comment=request.displayable_order_comment,
        shipping_speed=request.shipping_speed,
        destination=request.destination,
        fulfillment_action=request.fulfillment_action,
        fulfillment_policy=request.fulfillment_policy,
        fulfillment_method=request.fulfillment_method,
        received_at=now,
        status=RECEIVED,
        status_updated_at=now,
        items=items,
        delivery_window=request.delivery_window,
        cod=request.cod,
        notification_emails=list(request.notification_emails),
        ship_from_country_code=request.ship_from_country_code,
        feature_constraints=tuple(request.feature_constraints),
        delivery_preferences=request.delivery_preferences,
        payment_information=list(request.payment_information),
    )


def _apply_promises(order: Order, plan: allocation.Plan, marketplace: Marketplace, now: datetime) -> None:
    """Each line's estimated ship and arrival: the latest of the shipments that carry it."""
    point = order.destination.point()
    for shipment in plan.shipments:
        center = WORLD.centers[shipment.fc_code]
        dates = promise.promise(center, marketplace, order.shipping_speed, now, point)
        if dates is None:
            continue
        ship, arrival = dates.latest_ship, dates.latest_arrival
        if order.delivery_window is not None:
            arrival = order.delivery_window.end
        for pick in shipment.picks:
            item = order.item(pick.item_id)
            assert item is not None
            item.estimated_ship_at = max(filter(None, (item.estimated_ship_at, ship)))
            item.estimated_arrival_at = max(filter(None, (item.estimated_arrival_at, arrival)))


# --------------------------------------------------------------------------------------------------- read


def get_fulfillment_order(db: Database, seller_id: str, seller_order_id: str) -> Order:
    with db.read() as conn:
        stored = order_store.load_order(conn, seller_id, seller_order_id)
    if stored is None:
        raise InvalidValue("SellerFulfillmentOrderId", seller_order_id)
    return stored.order


# --------------------------------------------------------------------------------------------------- cancel


def cancel_fulfillment_order(db: Database, seller_id: str, seller_order_id: str, now: datetime) -> Order:
    with db.transaction() as conn:
        stored = order_store.load_order(conn, seller_id, seller_order_id, lock=True)
        if stored is None:
            raise InvalidValue("SellerFulfillmentOrderId", seller_order_id)
        order = stored.order
        if order.status == CANCELLED:
            return order  # cancelling twice changes nothing
        fill_all_remainder = order.status == PROCESSING and lifecycle.waits_for_stock(order.fulfillment_policy)
        if order.status not in (RECEIVED, PLANNING) and not (fill_all_remainder and order.unplanned_units()):
            raise NotAllowed(f"Fulfillment order {seller_order_id} cannot be cancelled in status {order.status}.")
        shipped_or_picking = order.units_in_shipments(include_pending=fill_all_remainder)
        for item in order.items:
            remainder = item.quantity - item.unfulfillable_quantity - shipped_or_picking.get(item.item_id, 0)
            item.cancelled_quantity = max(0, remainder)
            if item.cancelled_quantity == item.quantity:
                item.estimated_ship_at = item.estimated_arrival_at = None
        _release_all(conn, stored)
        told = []
        if not fill_all_remainder:
            for shipment in order.shipments:
                if shipment.status == PENDING:
                    shipment.status = CANCELLED_BY_SELLER
                    shipment.shipping_at = shipment.estimated_arrival_at = None
                    order_store.update_shipment_status(conn, stored.id, shipment)
                    told.extend(notices.shipment_changed(stored.id, order, shipment, now))
        lifecycle.transition(order, COMPLETE_PARTIALLED if fill_all_remainder else CANCELLED, now)
        order_store.save_order(conn, stored)
        order_store.clear_next_step(conn, stored.id)
        notice_store.record(conn, [*told, notices.of_order(stored.id, order, now)])
        return order


def _release_all(conn: Connection, stored: order_store.StoredOrder) -> None:
    for held in order_store.load_reservations(conn, stored.id):
        stock_store.release(conn, stored.order.seller_id, held.seller_sku, held.fc_code, held.quantity)
        order_store.set_reservation(conn, stored.id, replace(held, quantity=0))


# --------------------------------------------------------------------------------------------------- update


def update_fulfillment_order(db: Database, caller: Caller, request: UpdateOrderRequest, now: datetime) -> Order:
    with db.transaction() as conn:
        stored = order_store.load_order(conn, caller.seller_id, request.seller_order_id, lock=True)
        if stored is None:
            raise InvalidValue("SellerFulfillmentOrderId", request.seller_order_id)
        order = stored.order
        if not order.on_hold:
            raise NotAllowed(f"Fulfillment order {request.seller_order_id} cannot be updated.")
        if request.marketplace_id is not None and request.marketplace_id != order.marketplace_id:
            raise InvalidValue("MarketplaceId", request.marketplace_id)
        if request.shipping_speed == SCHEDULED_DELIVERY:
            raise InvalidValue("ShippingSpeedCategory", request.shipping_speed)
        marketplace = WORLD.marketplaces[order.marketplace_id]
        check_item_currencies(request.items, marketplace.currency)
        rerouted = _reroutes(order, request)
        constrained = _constrains(order, request)
        # a short FillAll order turned FillOrKill must be covered now, as Create would demand
        tightened = request.fulfillment_policy == FILL_OR_KILL and order.fulfillment_policy != FILL_OR_KILL
        _apply_order_fields(order, request)
        lowered = False
        for n, change in enumerate(request.items, 1):
            lowered = _apply_item_update(order, n, change) or lowered
        if rerouted:
            _check_new_route(order, marketplace, now)
        if rerouted or lowered or tightened or constrained:
            _replan(conn, stored, marketplace, now)
        release = request.fulfillment_action == SHIP
        if release:
            order.fulfillment_action = SHIP
            order.hold_until = None
        order_store.save_order(conn, stored, next_step_at=now if release else None)
        return order


def _reroutes(order: Order, request: UpdateOrderRequest) -> bool:
    """A new speed or address changes the promise and maybe the centers; resending the current ones changes nothing."""
    new_speed = request.shipping_speed is not None and request.shipping_speed != order.shipping_speed
    new_address = request.destination is not None and request.destination.fields != order.destination.fields
    return new_speed or new_address


def _constrains(order: Order, request: UpdateOrderRequest) -> bool:
    """Sent constraints replace the stored ones; new required features may change which units the order gets."""
    if request.feature_constraints is None:
        return False
    sent = features.check_constraints(request.feature_constraints)
    changed = features.required(sent) != features.required(order.feature_constraints)
    order.feature_constraints = sent
    return changed


def _apply_order_fields(order: Order, request: UpdateOrderRequest) -> None:
    if request.displayable_order_id is not None:
        order.displayable_order_id = request.displayable_order_id
    if request.displayable_order_at is not None:
        order.displayable_order_at = request.displayable_order_at
    if request.displayable_order_comment is not None:
        order.displayable_order_comment = request.displayable_order_comment
    if request.shipping_speed is not None:
        order.shipping_speed = request.shipping_speed
    if request.destination is not None:
        order.destination = request.destination  # replaced whole, never merged
    if request.fulfillment_policy is not None:
        order.fulfillment_policy = request.fulfillment_policy
    if request.fulfillment_method is not None:
        order.fulfillment_method = request.fulfillment_method
    if request.notification_emails is not None:
        order.notification_emails = list(request.notification_emails)
    if request.feature_constraints is not None:
        order.feature_constraints = tuple(request.feature_constraints)


def _apply_item_update(order: Order, n: int, change: ItemUpdate) -> bool:
    """Apply one line's changes to the order; True when its quantity went down (the stock follows in ``_replan``)."""
    prefix = f"Items.member.{n}."
    item = order.item(change.item_id)
    if item is None:
        raise InvalidValue(prefix + "SellerFulfillmentOrderItemId", change.item_id)
    for name, sent, current in (
        ("SellerSKU", change.seller_sku, item.seller_sku),
        ("FulfillmentNetworkSKU", change.fnsku, item.fnsku),
        ("OrderItemDisposition", change.disposition, item.disposition),
    ):
        if sent is not None and sent != current:
            raise InvalidValue(prefix + name, sent, "a line's SKU cannot change")
    if not 0 < change.quantity <= item.quantity:
        raise InvalidValue(prefix + "Quantity", str(change.quantity))
    lowered = change.quantity < item.quantity
    item.quantity = change.quantity
    for attribute in (
        "gift_message",
        "displayable_comment",
        "per_unit_declared_value",
        "per_unit_price",
        "per_unit_tax",
    ):
        value = getattr(change, attribute)
        if value is not None:
            setattr(item, attribute, value)
    return lowered


def _as_request(order: Order) -> CreateOrderRequest:
    """The order as it stands, as the CreateFulfillmentOrder that would create it: Create's checks and planning then
    apply unchanged (errors name the lines as Create numbers them, ``Items.member.<line>``)."""
    items = tuple(
        ItemRequest(
            seller_sku=i.seller_sku,
            item_id=i.item_id,
            quantity=i.open_quantity,
            per_unit_declared_value=i.per_unit_declared_value,
            per_unit_price=i.per_unit_price,
            per_unit_tax=i.per_unit_tax,
        )
        for i in order.items
    )
    return CreateOrderRequest(
        seller_order_id=order.seller_order_id,
        displayable_order_id=order.displayable_order_id,
        displayable_order_at=order.displayable_order_at,
        displayable_order_comment=order.displayable_order_comment,
        shipping_speed=order.shipping_speed,
        destination=order.destination,
        items=items,
        marketplace_id=order.marketplace_id,
        delivery_window=order.delivery_window,
        fulfillment_action=order.fulfillment_action,
        fulfillment_policy=order.fulfillment_policy,
        fulfillment_method=order.fulfillment_method,
        cod=order.cod,
        feature_constraints=order.feature_constraints,
    )


def _check_new_route(order: Order, marketplace: Marketplace, now: datetime) -> None:
    """A new speed or address must pass what Create checks for them (export, declared values, JP-only rules)."""
    if order.delivery_window is not None and order.shipping_speed != SCHEDULED_DELIVERY:
        # Create refuses a DeliveryWindow with another speed, and an update cannot drop the window
        raise InvalidValue("ShippingSpeedCategory", order.shipping_speed, "the order has a DeliveryWindow")
    _check_marketplace_rules(_as_request(order), marketplace, now)


def _replan(conn: Connection, stored: order_store.StoredOrder, marketplace: Marketplace, now: datetime) -> None:
    """Plan the updated order afresh, as Create would plan it at ``now``: its units go back to the seller's stock,
    are allocated again for the new speed, address and quantities, and reserved; the lines get Create's promises.

    The policy decides as in Create (FillOrKill refuses a short plan); a refusal raises, so the caller's transaction
    rolls back and the order and the stock stay as they were.
    """
    order = stored.order
    wanted = _as_request(order).items
    # Lock the stock rows first, in the order Create locks them (SKU, center), then write: a concurrent Create
    # or update waits for this one instead of deadlocking with it (PostgreSQL; SQLite has one writer at a time).
    stock_store.stock(conn, order.seller_id, (i.seller_sku for i in wanted), lock=True)
    held = {(r.line, r.fc_code): r for r in order_store.load_reservations(conn, stored.id)}
    for r in held.values():
        stock_store.release(conn, order.seller_id, r.seller_sku, r.fc_code, r.quantity)
    required = features.required(order.feature_constraints)
    plan = plan_order(conn, order.seller_id, wanted, order.destination, marketplace, lock=True, required=required)
    if not plan.shipments:
        raise InsufficientStock("AllQuantityZero", "")
    if plan.short and order.fulfillment_policy == FILL_OR_KILL:
        raise InsufficientStock("InsufficientInventory", "Items")
    check_carriers(plan, marketplace, order.shipping_speed, required)
    lines = {item.item_id: n for n, item in enumerate(order.items)}
    fresh: dict[tuple[int, str], order_store.Reservation] = {}
    for shipment in plan.shipments:
        for pick in shipment.picks:
            if not stock_store.reserve(conn, order.seller_id, pick.sku, shipment.fc_code, pick.quantity):
                raise InsufficientStock("InsufficientInventory", "Items")  # stock moved under us: nothing kept
            line = lines[pick.item_id]
            fresh[(line, shipment.fc_code)] = order_store.Reservation(line, shipment.fc_code, pick.sku, pick.quantity)
    for key, old in held.items():  # one row per line and center: rewrite only the rows that differ
        new = fresh.get(key)
        if new is None or new.quantity != old.quantity:
            order_store.set_reservation(conn, stored.id, new or replace(old, quantity=0))
    order_store.insert_reservations(conn, stored.id, [r for key, r in fresh.items() if key not in held])
    for item in order.items:  # _apply_promises keeps the latest date it has seen: start from none, as Create does
        item.estimated_ship_at = item.estimated_arrival_at = None
    _apply_promises(order, plan, marketplace, now)
