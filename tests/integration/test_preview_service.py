"""GetFulfillmentPreview at the service layer, on SQLite and PostgreSQL (docs/mws-protocol.md "Operations").

The clock is fixed at the instants of the previews in ``docs/mws-protocol.md`` "Worked examples" (Monday
2026-11-23, the week of US Thanksgiving), so every date below can be checked against the worked example.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from outbound.domain.errors import InvalidValue
from outbound.domain.orders import Address
from outbound.service import inventory
from outbound.service.accounts import add_seller
from outbound.service.orders import ItemRequest
from outbound.service.preview import Preview, PreviewRequest, get_fulfillment_preview
from outbound.store import Database
from tests.helpers import (
    ACCESS_KEY,
    CALLER,
    JP,
    JP_NOW,
    SEATTLE,
    SECRET_KEY,
    SELLER,
    UK,
    US,
    US_NOW,
    stock,
    stock_example,
    utc,
)

TOKYO = Address(
    {"Name": "Yamada Hanako", "Line1": "Meguro-ku 2-24-1", "StateOrProvinceCode": "Tokyo", "CountryCode": "JP"}
)
TORONTO = Address(
    {"Name": "Ann", "Line1": "1 Front St", "City": "Toronto", "StateOrProvinceCode": "ON", "CountryCode": "CA"}
)
LONDON = Address(
    {
        "Name": "Ann",
        "Line1": "1 Strand",
        "City": "London",
        "StateOrProvinceCode": "London",
        "CountryCode": "GB",
        "PostalCode": "WC2N 5HR",
    }
)


def preview(
    db: Database,
    address: Address,
    *items: tuple[str, str, int],
    speeds: tuple[str, ...] = (),
    marketplace: str | None = None,
    cod: bool = False,
    windows: bool = False,
    now: datetime = US_NOW,
) -> list[Preview]:
    lines = tuple(ItemRequest(sku, item_id, quantity) for sku, item_id, quantity in items)
    request = PreviewRequest(address, lines, speeds, marketplace, cod, windows)
    return get_fulfillment_preview(db, CALLER, request, now)


def unfulfillable(found: Preview) -> list[tuple[str, int, tuple[str, ...]]]:
    return [(u.item_id, u.quantity, u.reasons) for u in found.unfulfillable]


def shipped(found: Preview) -> list[tuple[str, str, int]]:
    return [(s.fc_code, i.item_id, i.quantity) for s in found.shipments for i in s.items]


@pytest.fixture
def example(db: Database) -> Database:
    """The US example's stock: mugs and samplers in Kent, WA (BFI4), plus mugs far away in New Jersey."""
    stock_example(db, "BLUE-MUG-12OZ", 10, "BFI4")
    stock_example(db, "TEA-SAMPLER-6", 10, "BFI4")
    stock_example(db, "BLUE-MUG-12OZ", 50, "ABE8")
    return db


@pytest.fixture
def japan(db: Database) -> Database:
    add_seller(db, SELLER, ACCESS_KEY, SECRET_KEY, marketplaces=[US, JP])
    stock_example(db, "JP-TEA-TIN-100G", 5, "NRT1")
    return db


# ----------------------------------------------------------------------------------------------- the example


def test_the_us_example(example: Database) -> None:
    previews = preview(example, SEATTLE, ("BLUE-MUG-12OZ", "MCF-1001-1", 2), ("TEA-SAMPLER-6", "MCF-1001-2", 1))
    assert [p.speed for p in previews] == ["Standard", "Expedited", "Priority"]  # default: all offered in the US
    standard, expedited, _priority = previews
    for found in previews:
        assert found.is_fulfillable and not found.is_cod_capable
        assert found.marketplace_id == US and found.currency == "USD" and found.weight_unit == "pounds"
        assert found.weight == Decimal("3")
        assert found.unfulfillable == [] and found.order_reasons == []
        assert found.delivery_windows == []
        assert shipped(found) == [("BFI4", "MCF-1001-1", 2), ("BFI4", "MCF-1001-2", 1)]  # the nearest, whole
        items = found.shipments[0].items
        assert [(i.weight, i.method) for i in items] == [
            (Decimal("2.200"), "Package"),
            (Decimal("0.650"), "Dimensional"),
        ]
    dates = standard.shipments[0].dates
    assert (dates.earliest_ship, dates.latest_ship) == (utc("2026-11-23T08:00:00Z"), utc("2026-11-25T07:59:59Z"))
    assert (dates.earliest_arrival, dates.latest_arrival) == (utc("2026-11-27T08:00:00Z"), utc("2026-12-02T07:59:59Z"))
    dates = expedited.shipments[0].dates
    assert (dates.earliest_ship, dates.latest_ship) == (utc("2026-11-23T08:00:00Z"), utc("2026-11-24T07:59:59Z"))
    assert (dates.earliest_arrival, dates.latest_arrival) == (utc("2026-11-25T08:00:00Z"), utc("2026-11-26T07:59:59Z"))
    fees = [dict(p.fees) for p in previews]
    assert [f["FBAPerUnitFulfillmentFee"] for f in fees] == [Decimal("21.35"), Decimal("27.26"), Decimal("51.14")]
    assert all(
        list(f) == ["FBAPerUnitFulfillmentFee", "FBAPerOrderFulfillmentFee", "FBATransportationFee"] for f in fees
    )
    assert all(str(f["FBAPerOrderFulfillmentFee"]) == "0.00" for f in fees)


def test_a_preview_creates_and_reserves_nothing(example: Database) -> None:
    before = inventory.levels(example, SELLER)
    preview(example, SEATTLE, ("BLUE-MUG-12OZ", "1", 10), ("TEA-SAMPLER-6", "2", 10))
    assert inventory.levels(example, SELLER) == before


# ----------------------------------------------------------------------------------------------- speeds


def test_requested_speeds_keep_the_request_order(example: Database) -> None:
    previews = preview(example, SEATTLE, ("BLUE-MUG-12OZ", "1", 1), speeds=("Priority", "Standard", "Expedited"))
    assert [p.speed for p in previews] == ["Priority", "Standard", "Expedited"]


def test_scheduled_delivery_outside_japan_is_delivery_sla_unavailable(example: Database) -> None:
    previews = preview(
        example, SEATTLE, ("BLUE-MUG-12OZ", "1", 1), ("NOPE", "2", 1), speeds=("ScheduledDelivery", "Standard")
    )
    scheduled, standard = previews
    assert scheduled.speed == "ScheduledDelivery" and not scheduled.is_fulfillable
    assert scheduled.order_reasons == ["DeliverySLAUnavailable"]
    assert scheduled.shipments == [] and scheduled.fees == [] and scheduled.weight is None
    assert unfulfillable(scheduled) == [("2", 1, ("InvalidSKU",))]  # item problems are still reported
    assert standard.order_reasons == [] and shipped(standard) == [("BFI4", "1", 1)]


def test_japan_offers_scheduled_delivery_by_default(japan: Database) -> None:
    previews = preview(japan, TOKYO, ("JP-TEA-TIN-100G", "1", 1), marketplace=JP, now=JP_NOW)
    assert [p.speed for p in previews] == ["Standard", "Expedited", "Priority", "ScheduledDelivery"]
    assert all(p.is_fulfillable and not p.is_cod_capable for p in previews)  # no COD preview unless asked
    assert all(p.delivery_windows == [] for p in previews)  # no windows unless asked


# ----------------------------------------------------------------------------------------------- unfulfillable


def test_unknown_sku_is_invalid_sku_and_the_rest_still_ships(example: Database) -> None:
    [found] = preview(
        example, SEATTLE, ("NOPE", "1", 3), ("BLUE-MUG-12OZ", "2", 2), ("ALSO-NOPE", "3", 1), speeds=("Standard",)
    )
    assert not found.is_fulfillable
    assert unfulfillable(found) == [("1", 3, ("InvalidSKU",)), ("3", 1, ("InvalidSKU",))]
    assert shipped(found) == [("BFI4", "2", 2)]
    assert found.fees  # an unfulfillable preview still carries the fees of what could ship ...
    assert found.weight is None  # ... but no order weight (as a real capture)


def test_not_enough_stock_reports_the_short_quantity(example: Database) -> None:
    # 10 samplers exist (BFI4); 13 are asked for
    [found] = preview(example, SEATTLE, ("TEA-SAMPLER-6", "1", 13), ("BLUE-MUG-12OZ", "2", 1), speeds=("Standard",))
    assert not found.is_fulfillable
    assert unfulfillable(found) == [("1", 3, ("InventoryUnavailable",))]
    assert shipped(found) == [("BFI4", "1", 10), ("BFI4", "2", 1)]
    assert found.shipments[0].items[0].weight == Decimal("6.500")  # the weight of what ships: 10 × 0.65
    assert found.weight is None


def test_the_same_sku_on_two_lines_is_short_on_the_later_line(example: Database) -> None:
    [found] = preview(example, SEATTLE, ("TEA-SAMPLER-6", "a", 6), ("TEA-SAMPLER-6", "b", 6), speeds=("Standard",))
    assert unfulfillable(found) == [("b", 2, ("InventoryUnavailable",))]
    assert shipped(found) == [("BFI4", "a", 6), ("BFI4", "b", 4)]


def test_no_stock_at_all(db: Database) -> None:
    stock_example(db, "BLUE-MUG-12OZ", 0, "BFI4")  # the SKU exists, with nothing sellable
    previews = preview(db, SEATTLE, ("BLUE-MUG-12OZ", "1", 2))
    for found in previews:
        assert not found.is_fulfillable
        assert unfulfillable(found) == [("1", 2, ("InventoryUnavailable",))]
        assert found.shipments == [] and found.fees == [] and found.weight is None
        assert found.order_reasons == []


def test_reserved_units_are_not_available(example: Database) -> None:
    from outbound.store import inventory as stock_store

    with example.transaction() as conn:
        assert stock_store.reserve(conn, SELLER, "TEA-SAMPLER-6", "BFI4", 8)
    [found] = preview(example, SEATTLE, ("TEA-SAMPLER-6", "1", 5), speeds=("Standard",))
    assert unfulfillable(found) == [("1", 3, ("InventoryUnavailable",))]


def test_export_outside_the_allowed_zone_is_export_unsupported(example: Database) -> None:
    previews = preview(example, TOKYO, ("BLUE-MUG-12OZ", "1", 1), ("NOPE", "2", 1))
    for found in previews:
        assert not found.is_fulfillable and found.shipments == []
        assert unfulfillable(found) == [("1", 1, ("ExportUnsupported",)), ("2", 1, ("InvalidSKU",))]


def test_export_within_north_america_is_served_from_us_centers(example: Database) -> None:
    [found] = preview(example, TORONTO, ("BLUE-MUG-12OZ", "1", 1), speeds=("Standard",))
    assert found.is_fulfillable
    assert [s.fc_code for s in found.shipments] == ["ABE8"]  # New Jersey is nearer Toronto than Kent, WA
    [found] = preview(example, TORONTO, ("TEA-SAMPLER-6", "1", 1), speeds=("Standard",))
    assert [s.fc_code for s in found.shipments] == ["BFI4"]  # the only center with samplers


def test_marketplace_must_be_one_of_the_sellers(example: Database) -> None:
    with pytest.raises(InvalidValue) as refused:
        preview(example, SEATTLE, ("BLUE-MUG-12OZ", "1", 1), marketplace=JP)
    assert (refused.value.field, refused.value.value) == ("MarketplaceId", JP)
    with pytest.raises(InvalidValue):
        preview(example, SEATTLE, ("BLUE-MUG-12OZ", "1", 1), marketplace="A2Q3Y263D00KWC")  # BR: no outbound
    with pytest.raises(InvalidValue):
        preview(example, SEATTLE, ("BLUE-MUG-12OZ", "1", 1), marketplace="NOPE")


# ----------------------------------------------------------------------------------------------- multi-center


def test_a_split_order_has_one_shipment_per_center_with_its_own_dates(db: Database) -> None:
    stock_example(db, "BLUE-MUG-12OZ", 4, "BFI4")  # Kent, WA: Pacific
    stock_example(db, "TEA-SAMPLER-6", 3, "ABE8")  # Florence, NJ: Eastern, more than 2000 km from Seattle
    [found] = preview(db, SEATTLE, ("BLUE-MUG-12OZ", "1", 2), ("TEA-SAMPLER-6", "2", 3), speeds=("Standard",))
    assert found.is_fulfillable
    assert shipped(found) == [("BFI4", "1", 2), ("ABE8", "2", 3)]
    west, east = (s.dates for s in found.shipments)
    assert west.earliest_ship == utc("2026-11-23T08:00:00Z") and east.earliest_ship == utc("2026-11-23T05:00:00Z")
    assert west.latest_arrival == utc("2026-12-02T07:59:59Z")
    assert east.latest_arrival == utc("2026-12-03T04:59:59Z")  # long haul: one more business day, Eastern time
    assert found.weight == Decimal("5")  # 2.2 + 3 × 0.65 = 4.15 over both shipments, rounded up


# ----------------------------------------------------------------------------------------------- Japan


def test_japan_cod_adds_a_cod_preview_for_standard(japan: Database) -> None:
    previews = preview(japan, TOKYO, ("JP-TEA-TIN-100G", "JP-2001-1", 1), marketplace=JP, cod=True, now=JP_NOW)
    assert [(p.speed, p.is_cod_capable) for p in previews] == [
        ("Standard", False),
        ("Standard", True),
        ("Expedited", False),
        ("Priority", False),
        ("ScheduledDelivery", False),
    ]
    plain, cod = previews[0], previews[1]
    assert plain.fees == [
        ("FBAPerUnitFulfillmentFee", Decimal("459")),
        ("FBAPerOrderFulfillmentFee", Decimal("0")),
        ("FBATransportationFee", Decimal("0")),
    ]
    assert cod.fees == [*plain.fees, ("FBAFulfillmentCODFee", Decimal("330"))]
    assert all(dict(p.fees).get("FBAFulfillmentCODFee") is None for p in previews if not p.is_cod_capable)
    assert cod.shipments == plain.shipments and cod.weight == plain.weight == Decimal("0.4")
    assert all(p.currency == "JPY" and p.weight_unit == "kilograms" for p in previews)
    item = plain.shipments[0].items[0]
    assert (item.weight, item.method) == (Decimal("0.310"), "Package")
    dates = plain.shipments[0].dates
    assert (dates.earliest_ship, dates.latest_ship) == (utc("2026-11-22T15:00:00Z"), utc("2026-11-23T14:59:59Z"))
    assert (dates.earliest_arrival, dates.latest_arrival) == (utc("2026-11-23T15:00:00Z"), utc("2026-11-26T14:59:59Z"))


def test_cod_is_ignored_outside_japan(example: Database) -> None:
    previews = preview(example, SEATTLE, ("BLUE-MUG-12OZ", "1", 1), cod=True, windows=True)
    assert [(p.speed, p.is_cod_capable) for p in previews] == [
        ("Standard", False),
        ("Expedited", False),
        ("Priority", False),
    ]
    assert all(p.delivery_windows == [] and p.delivery_time_zone is None for p in previews)


def test_japan_delivery_windows(japan: Database) -> None:
    previews = preview(
        japan,
        TOKYO,
        ("JP-TEA-TIN-100G", "1", 1),
        speeds=("Standard", "ScheduledDelivery"),
        marketplace=JP,
        windows=True,
        now=JP_NOW,
    )
    standard, scheduled = previews
    assert standard.delivery_windows == [] and standard.delivery_time_zone is None
    assert scheduled.delivery_time_zone == "Asia/Tokyo"
    expected = [
        ("2026-11-23T23:00:00Z", "2026-11-24T03:00:00Z"),
        ("2026-11-24T05:00:00Z", "2026-11-24T07:00:00Z"),
        ("2026-11-24T07:00:00Z", "2026-11-24T09:00:00Z"),
        ("2026-11-24T09:00:00Z", "2026-11-24T11:00:00Z"),
        ("2026-11-24T10:00:00Z", "2026-11-24T12:00:00Z"),
    ]
    assert scheduled.delivery_windows == [(utc(a), utc(b)) for a, b in expected]
    dates = scheduled.shipments[0].dates
    assert (dates.earliest_arrival, dates.latest_arrival) == (utc(expected[0][0]), utc(expected[-1][1]))
    assert dict(scheduled.fees)["FBAPerUnitFulfillmentFee"] == Decimal("604")  # charged as Expedited


# ----------------------------------------------------------------------------------------------- weights, currency


def test_weights_three_decimals_per_line_and_the_order_rounded_up(db: Database) -> None:
    stock(db, "AIRY", 10, "BFI4", weight="0.2", dims="10x8x4")  # dimensional 2.3022 + 0.25 → 2.5522 lb
    stock(db, "DENSE", 10, "BFI4", weight="1.333", dims="3x3x3")  # package 1.333 + 0.25 → 1.583 lb
    [found] = preview(db, SEATTLE, ("AIRY", "1", 3), ("DENSE", "2", 2), speeds=("Standard",))
    items = found.shipments[0].items
    assert [(str(i.weight), i.method) for i in items] == [("7.657", "Dimensional"), ("3.166", "Package")]
    assert found.weight == Decimal("11")  # 10.823 rounded up to the next whole pound


def test_light_small_standard_orders_round_to_a_tenth(db: Database) -> None:
    stock(db, "FLAT", 10, "BFI4", weight="0.3", dims="8x6x0.5")  # small standard: 0.3 + 0.25 = 0.55 lb
    [found] = preview(db, SEATTLE, ("FLAT", "1", 1), speeds=("Standard",))
    assert str(found.shipments[0].items[0].weight) == "0.550"
    assert found.weight == Decimal("0.6")


def test_fees_are_in_the_marketplace_currency(db: Database) -> None:
    add_seller(db, SELLER, ACCESS_KEY, SECRET_KEY, marketplaces=[US, UK])
    stock(db, "FLAT", 10, "LTN1", weight="0.3", dims="8x6x0.5")
    [found] = preview(db, LONDON, ("FLAT", "1", 1), speeds=("Standard",), marketplace=UK)
    assert found.is_fulfillable and found.currency == "GBP" and found.weight_unit == "kilograms"
    assert found.fees == [
        ("FBAPerUnitFulfillmentFee", Decimal("6.67")),  # 8.34 USD × 0.80
        ("FBAPerOrderFulfillmentFee", Decimal("0.00")),
        ("FBATransportationFee", Decimal("0.00")),
    ]
    assert str(found.shipments[0].items[0].weight) == "0.249"  # 0.55 lb in kg
    assert found.weight == Decimal("0.3")


# ----------------------------------------------------------------------------------------------- the CLI


def test_the_cli_prints_one_table_per_speed(example: Database, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from outbound.cli import main

    monkeypatch.delenv("OUTBOUND_CLOCK", raising=False)
    monkeypatch.setenv("COLUMNS", "160")
    args = ["preview", SELLER, "--to", "Jane Doe|1200 12th Ave S|Seattle|WA|98144|US", "--db", db_url]
    args += ["--item", "BLUE-MUG-12OZ:2", "--item", "NOPE:1:x-9", "--speed", "Standard", "--speed", "Priority"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Standard in ATVPDKIKX0DER: not fulfillable" in out and "Priority in ATVPDKIKX0DER" in out
    assert "BFI4 (America/Los_Angeles)" in out and "line-1 BLUE-MUG-12OZ × 2 (2.200 pounds, Package)" in out
    assert "unfulfillable x-9 NOPE × 1: InvalidSKU" in out and "FBAPerUnitFulfillmentFee" in out

    refused = CliRunner().invoke(
        main, ["preview", SELLER, "--to", "Jane|1 Main St|Seattle|WA||US", "--item", "A:1", "--db", db_url]
    )
    assert refused.exit_code == 2 and "Missing required field PostalCode." in refused.output
    refused = CliRunner().invoke(
        main, ["preview", "A1NOSUCHSELLER", "--to", "J|1 Main|Seattle|WA|98144|US", "--item", "A:1", "--db", db_url]
    )
    assert refused.exit_code == 1 and "unknown seller A1NOSUCHSELLER" in refused.output
    refused = CliRunner().invoke(main, [*args, "--marketplace", JP])
    assert refused.exit_code == 1 and f"MarketplaceId {JP} is not valid" in refused.output
