"""deliveryOffers: the delivery a shopper would be promised for one product, per speed, from the seller's network.

It is the preview of one line (``service/preview.py``: the same allocation and promise) from the seller's
marketplace in the origin country to the address; each speed that could deliver all of it, ScheduledDelivery
aside, is an offer: its arrival range, until when it holds (the speed's next order cut-off at the shipping
center, after which the promise moves on) and a shopper-facing message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from outbound.domain import promise
from outbound.domain.errors import InvalidValue
from outbound.domain.orders import SCHEDULED_DELIVERY, Address
from outbound.domain.world import SPEED_ORDER, WORLD, Marketplace
from outbound.service.accounts import Caller
from outbound.service.orders import ItemRequest
from outbound.service.preview import Preview, PreviewRequest, get_fulfillment_preview
from outbound.store import Database
from outbound.store import accounts as account_store

LOCALE = "en_US"
_LINE = "1"


@dataclass(frozen=True)
class DeliveryOffer:
    speed: str
    earliest: datetime  # the arrival range, UTC
    latest: datetime
    expires_at: datetime
    message: str  # "Get it as soon as Wed, Aug 23 (Priority)"
    locale: str = LOCALE


def get_delivery_offers(
    db: Database,
    seller_id: str,
    sku: str,
    quantity: int,
    origin_country_code: str,
    destination_address: Address,
    now: datetime,
) -> list[DeliveryOffer]:
    """The offers for ``quantity`` units of ``sku`` to the address, fastest first; [] when none can deliver."""
    if quantity < 1:
        raise InvalidValue("product.amount.value", str(quantity), "at least 1")
    marketplace = _origin_marketplace(db, seller_id, origin_country_code)
    caller = Caller("", seller_id, marketplace.marketplace_id)
    request = PreviewRequest(destination_address, (ItemRequest(sku, _LINE, quantity),), (), marketplace.marketplace_id)
    previews = get_fulfillment_preview(db, caller, request, now)
    if any("InvalidSKU" in u.reasons for p in previews for u in p.unfulfillable):
        raise InvalidValue("product.productIdentifier.merchantSku", sku, "unknown SKU")
    offers = [
        _offer(preview, now)
        for preview in previews
        if preview.speed != SCHEDULED_DELIVERY and preview.is_fulfillable and not preview.is_cod_capable
    ]
    return sorted(offers, key=lambda o: (o.latest, o.earliest, -SPEED_ORDER.index(o.speed)))


def _origin_marketplace(db: Database, seller_id: str, country_code: str) -> Marketplace:
    """The seller's marketplace in the origin country (its home one first), where outbound exists."""
    with db.read() as conn:
        mine = account_store.marketplaces_of(conn, seller_id)
        home = account_store.default_marketplace(conn, seller_id)
    for marketplace_id in sorted(mine, key=lambda m: m != home):
        marketplace = WORLD.marketplaces.get(marketplace_id)
        if marketplace is not None and marketplace.outbound_available and marketplace.country_code == country_code:
            return marketplace
    raise InvalidValue("terms.origin.countryCode", country_code, "the seller has no marketplace in this country")


def _offer(preview: Preview, now: datetime) -> DeliveryOffer:
    """The whole quantity arrives with the last of its shipments; the offer holds until the first cut-off."""
    last = max(preview.shipments, key=lambda s: (s.dates.earliest_arrival, s.fc_code))
    earliest = last.dates.earliest_arrival
    latest = max(s.dates.latest_arrival for s in preview.shipments)
    expires = min(promise.next_cutoff(WORLD.centers[s.fc_code], preview.speed, now) for s in preview.shipments)
    day = earliest.astimezone(ZoneInfo(WORLD.centers[last.fc_code].time_zone))
    message = f"Get it as soon as {day:%a}, {day:%b} {day.day} ({preview.speed})"
    return DeliveryOffer(preview.speed, earliest, latest, expires, message)
