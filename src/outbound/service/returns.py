"""Return use cases: ListReturnReasonCodes and CreateFulfillmentReturn (docs/mws-protocol.md "Operations"), and
what an RMA's label page shows.

CreateFulfillmentReturn runs in one transaction with the order row locked, so two identical calls racing each other
cannot both accept the same unit: the second sees the first's returns and answers ``DuplicateRequest``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection

from outbound.domain import returns as rules
from outbound.domain import shipping
from outbound.domain.errors import InvalidValue
from outbound.domain.orders import Address, Order, ReturnAuthorization, ReturnItem
from outbound.domain.world import WORLD, Marketplace
from outbound.sim.returns import steering
from outbound.store import Database
from outbound.store import inventory as stock_store
from outbound.store import orders as order_store
from outbound.store import returns as store


@dataclass(frozen=True)
class ReasonCodesRequest:
    seller_sku: str
    marketplace_id: str | None = None  # one of the two is needed (the adapter checks)
    seller_order_id: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class CreatedReturn:
    """What one CreateFulfillmentReturn call accepted, refused and authorized."""

    return_items: list[ReturnItem] = field(default_factory=list)
    invalid_items: list[rules.InvalidReturnItem] = field(default_factory=list)
    authorizations: list[ReturnAuthorization] = field(default_factory=list)


# --------------------------------------------------------------------------------------------------- reason codes


def list_return_reason_codes(
    db: Database, seller_id: str, request: ReasonCodesRequest
) -> list[rules.ReasonCodeDetails]:
    """The codes a seller SKU may be returned for in a marketplace (or the marketplace of one of its orders)."""
    with db.read() as conn:
        marketplace_id = request.marketplace_id
        if request.seller_order_id is not None:
            stored = order_store.load_order(conn, seller_id, request.seller_order_id, children=False)
            if stored is None:
                raise InvalidValue("SellerFulfillmentOrderId", request.seller_order_id)
            if marketplace_id is not None and marketplace_id != stored.order.marketplace_id:
                raise InvalidValue("MarketplaceId", marketplace_id)
            marketplace_id = stored.order.marketplace_id
        if marketplace_id is None:
            raise InvalidValue("MarketplaceId", "", "MarketplaceId or SellerFulfillmentOrderId is required")
        marketplace = WORLD.marketplaces.get(marketplace_id)
        if marketplace is None or not marketplace.returns_available:
            raise InvalidValue("MarketplaceId", marketplace_id)
        sku = stock_store.load_skus(conn, seller_id, [request.seller_sku]).get(request.seller_sku)
    if sku is None:
        raise InvalidValue("SellerSKU", request.seller_sku)
    codes = rules.codes_for(sku.category, marketplace)
    return rules.reason_code_details(codes, request.language, marketplace)


# --------------------------------------------------------------------------------------------------- create


def create_fulfillment_return(
    db: Database, seller_id: str, seller_order_id: str, items: Sequence[rules.ReturnRequest], now: datetime
) -> CreatedReturn:
    """Accept or refuse each unit; accepted ones get one authorization (one returns center) and a due date."""
    with db.transaction() as conn:
        stored = order_store.load_order(conn, seller_id, seller_order_id, lock=True)
        if stored is None:
            raise InvalidValue("SellerFulfillmentOrderId", seller_order_id)
        order = stored.order
        marketplace = WORLD.marketplaces.get(order.marketplace_id)
        if marketplace is None or not marketplace.returns_available:
            raise InvalidValue(
                "SellerFulfillmentOrderId", seller_order_id, f"returns are not available in {order.marketplace_id}"
            )
        checked = rules.check_returns(order, items, _codes_by_sku(conn, order, marketplace))
        if not checked.accepted:
            return CreatedReturn(invalid_items=list(checked.refused))
        authorization = _authorize(conn, stored.id, order, marketplace, now)
        never = steering(conn, seller_id, seller_order_id).get("arrives") == "never"
        accepted = []
        for request in checked.accepted:
            item = ReturnItem(
                seller_return_item_id=request.seller_return_item_id,
                item_id=request.item_id,
                amazon_shipment_id=request.amazon_shipment_id,
                seller_reason_code=request.reason_code,
                status=rules.NEW,
                status_changed_at=now,
                authorization_id=authorization.authorization_id,
                comment=request.comment,
            )
            rng = shipping.rng_for(seller_id, seller_order_id, f"return/{request.seller_return_item_id}/transit")
            accepted.append((item, None if never else now + rules.transit(rng)))
        store.insert_return_items(conn, stored.id, accepted)
        return CreatedReturn([item for item, _ in accepted], list(checked.refused), [authorization])


def _codes_by_sku(conn: Connection, order: Order, marketplace: Marketplace) -> dict[str, set[str]]:
    skus = stock_store.load_skus(conn, order.seller_id, (i.seller_sku for i in order.items))
    codes: dict[str, set[str]] = {}
    for line in order.items:
        sku = skus.get(line.seller_sku)
        codes[line.seller_sku] = {c.code for c in rules.codes_for(sku.category if sku else "default", marketplace)}
    return codes


def _authorize(
    conn: Connection, order_id: int, order: Order, marketplace: Marketplace, now: datetime
) -> ReturnAuthorization:
    center = rules.returns_center(marketplace, order.destination.point())
    if center is None:  # pragma: no cover - every returns marketplace has a returns center in the world data
        raise InvalidValue("SellerFulfillmentOrderId", order.seller_order_id, "no returns center")

    def make(row_id: int) -> ReturnAuthorization:
        rma = rules.rma_id(row_id)
        return ReturnAuthorization(
            authorization_id=rules.authorization_id(row_id),
            fc_code=center.code,
            address=rules.return_address(center),
            rma_id=rma,
            rma_url=rules.rma_url(marketplace, rma),
        )

    return store.insert_authorization(conn, order_id, make, now)


# --------------------------------------------------------------------------------------------------- label page


@dataclass(frozen=True)
class RmaUnit:
    """One unit the customer sends back."""

    seller_return_item_id: str
    seller_sku: str
    reason: str  # the reason code's English description (the code itself when the data does not know it)
    received: bool  # the returns center has it


@dataclass(frozen=True)
class RmaLabel:
    """What an RMA's label page shows: what a parcel label and packing note carry, nothing of the customer's own
    address or the seller's account."""

    rma_id: str
    authorization_id: str
    fc_code: str
    return_to: Address
    marketplace_id: str
    zone: str  # the marketplace's time zone, for the dates
    displayable_order_id: str
    ordered_at: datetime
    authorized_at: datetime
    units: tuple[RmaUnit, ...]

    @property
    def all_received(self) -> bool:
        return all(u.received for u in self.units)


def rma_label(db: Database, rma_id: str) -> RmaLabel | None:
    """The authorization with exactly this RMA id, for its label page; None when no authorization has it (a
    malformed id is answered the same way, without asking the store)."""
    if not rules.is_rma_id(rma_id):
        return None
    with db.read() as conn:
        found = store.find_rma(conn, rma_id)
        stored = None if found is None else order_store.load_order(conn, found.seller_id, found.seller_order_id)
    if found is None or stored is None:
        return None
    order = stored.order
    authorization = next((a for a in order.authorizations if a.rma_id == rma_id), None)
    if authorization is None:  # pragma: no cover - the row was just found under this order
        return None
    skus = {i.item_id: i.seller_sku for i in order.items}
    units = tuple(
        RmaUnit(
            r.seller_return_item_id,
            skus.get(r.item_id, r.item_id),
            rules.reason_description(r.seller_reason_code) or r.seller_reason_code,
            r.status == rules.PROCESSED,
        )
        for r in order.returns
        if r.authorization_id == authorization.authorization_id
    )
    marketplace = WORLD.marketplaces.get(order.marketplace_id)
    return RmaLabel(
        rma_id=authorization.rma_id,
        authorization_id=authorization.authorization_id,
        fc_code=authorization.fc_code,
        return_to=authorization.address,
        marketplace_id=order.marketplace_id,
        zone=marketplace.time_zone if marketplace else "UTC",
        displayable_order_id=order.displayable_order_id,
        ordered_at=order.displayable_order_at,
        authorized_at=found.authorized_at,
        units=units,
    )
