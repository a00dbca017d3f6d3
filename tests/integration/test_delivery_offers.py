"""deliveryOffers through the service (SQLite and PostgreSQL): the preview of one line per speed, fastest first,
with its arrival range, the speed's next cut-off and the shopper's message; its refusals and its empty answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from outbound.domain.errors import InvalidValue
from outbound.domain.orders import Address
from outbound.service.accounts import add_seller
from outbound.service.delivery_offers import get_delivery_offers
from outbound.service.orders import ItemRequest
from outbound.service.preview import PreviewRequest, get_fulfillment_preview
from outbound.store import Database
from tests.helpers import ACCESS_KEY, CALLER, SEATTLE, SECRET_KEY, SELLER, T0, reset, stock

US = "ATVPDKIKX0DER"
JP = "A1VC38T7YXB528"
TOKYO = Address(
    {"Name": "Yamada Hanako", "Line1": "Meguro-ku 2-24-1", "StateOrProvinceCode": "Tokyo", "CountryCode": "JP"}
)


@pytest.fixture
def db(module_store: Database) -> Database:
    reset(module_store)
    add_seller(module_store, SELLER, ACCESS_KEY, SECRET_KEY, marketplaces=[US, JP])
    return module_store


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_one_offer_per_speed_fastest_first(db: Database) -> None:
    stock(db, "TEA-1", 5)  # in Kent, WA; T0 is Monday 08:00 there
    offers = get_delivery_offers(db, SELLER, "TEA-1", 2, "US", SEATTLE, T0)
    assert [o.speed for o in offers] == ["Priority", "Expedited", "Standard"]
    priority, expedited, standard = offers
    assert priority.message == "Get it as soon as Tue, Nov 24 (Priority)" and priority.locale == "en_US"
    assert (priority.earliest, priority.latest) == (utc("2026-11-24T08:00:00Z"), utc("2026-11-25T07:59:59Z"))
    assert priority.expires_at == utc("2026-11-23T21:00:00Z")  # 13:00 in Kent
    assert expedited.message == "Get it as soon as Wed, Nov 25 (Expedited)"
    assert expedited.expires_at == utc("2026-11-23T23:00:00Z")  # 15:00
    assert standard.expires_at == utc("2026-11-24T07:59:00Z")  # 23:59
    assert standard.message.endswith("(Standard)") and standard.earliest > expedited.earliest
    # the same dates as the preview of that line
    request = PreviewRequest(SEATTLE, (ItemRequest("TEA-1", "1", 2),))
    previews = {p.speed: p for p in get_fulfillment_preview(db, CALLER, request, T0)}
    for offer in offers:
        dates = previews[offer.speed].shipments[0].dates
        assert (offer.earliest, offer.latest) == (dates.earliest_arrival, dates.latest_arrival)


def test_after_the_cut_off_the_offer_moves_to_the_next_ship_day(db: Database) -> None:
    stock(db, "TEA-1", 5)
    later = T0 + timedelta(hours=6)  # 14:00 in Kent: Priority's cut-off has passed, Expedited's not
    offers = {o.speed: o for o in get_delivery_offers(db, SELLER, "TEA-1", 1, "US", SEATTLE, later)}
    assert offers["Priority"].expires_at == utc("2026-11-24T21:00:00Z")
    assert offers["Priority"].message == "Get it as soon as Wed, Nov 25 (Priority)"
    assert offers["Expedited"].expires_at == utc("2026-11-23T23:00:00Z")


def test_scheduled_delivery_is_never_offered(db: Database) -> None:
    stock(db, "TIN-1", 5, "NRT1")
    now = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo
    offers = get_delivery_offers(db, SELLER, "TIN-1", 1, "JP", TOKYO, now)
    assert offers and "ScheduledDelivery" not in {o.speed for o in offers}
    assert len({o.speed for o in offers}) == len(offers)


def test_nothing_deliverable_is_an_empty_list(db: Database) -> None:
    stock(db, "TEA-1", 2)
    assert get_delivery_offers(db, SELLER, "TEA-1", 3, "US", SEATTLE, T0) == []  # not enough units
    stock(db, "EMPTY", 0)
    assert get_delivery_offers(db, SELLER, "EMPTY", 1, "US", SEATTLE, T0) == []
    assert get_delivery_offers(db, SELLER, "TEA-1", 1, "US", TOKYO, T0) == []  # no export to JP


def test_refusals(db: Database) -> None:
    stock(db, "TEA-1", 2)
    with pytest.raises(InvalidValue) as refused:
        get_delivery_offers(db, SELLER, "NO-SUCH", 1, "US", SEATTLE, T0)
    assert refused.value.field == "product.productIdentifier.merchantSku"
    with pytest.raises(InvalidValue) as refused:
        get_delivery_offers(db, SELLER, "TEA-1", 1, "DE", SEATTLE, T0)  # the seller sells in US and JP only
    assert refused.value.field == "terms.origin.countryCode"
    with pytest.raises(InvalidValue) as refused:
        get_delivery_offers(db, SELLER, "TEA-1", 0, "US", SEATTLE, T0)
    assert refused.value.field == "product.amount.value"
