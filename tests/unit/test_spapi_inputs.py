"""SP-API input reading without a server: query limits and repeats, date-times, field paths of MWS names."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from outbound.spapi.errors import SpApiError, field_path
from outbound.spapi.inputs import MAX_QUERY, parse_datetime, parse_query
from outbound.spapi.operations import route


def test_query_limits_and_repeats() -> None:
    with pytest.raises(SpApiError, match="too large"):
        parse_query(b"x=" + b"a" * MAX_QUERY, ("x",))
    assert parse_query(b"a=1&a=1&b=2&zzz=9", ("a", "b")) == {"a": "1", "b": "2"}
    with pytest.raises(SpApiError) as refused:
        parse_query(b"a=1&a=2", ("a",))
    assert refused.value.details == "a"
    assert parse_query(b"a=1&a=2", ("b",)) == {}  # unknown parameters are ignored, repeated or not


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-02T03:04:05Z", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2026-01-02T03:04:05.1234567+01:00", datetime(2026, 1, 2, 2, 4, 5, 123456, tzinfo=UTC)),
        ("2026-01-02 03:04:05", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2026-01-02T03:04:60-0100", datetime(2026, 1, 2, 4, 4, 59, tzinfo=UTC)),
        ("2026-01-02", None),
        ("0000-01-02T00:00:00Z", None),
        ("2026-02-30T00:00:00Z", None),
    ],
)
def test_datetimes(text: str, expected: datetime | None) -> None:
    assert parse_datetime(text) == expected


@pytest.mark.parametrize(
    ("mws", "spapi"),
    [
        ("Items.member.2.Quantity", "items[1].quantity"),
        ("DestinationAddress.Line1", "destinationAddress.addressLine1"),
        ("DestinationAddress.StateOrProvinceCode", "destinationAddress.stateOrRegion"),
        ("CODSettings.IsCODRequired", "codSettings.isCodRequired"),
        ("Items.member.1.PerUnitPrice.CurrencyCode", "items[0].perUnitPrice.currencyCode"),
        ("DeliveryWindow.StartDateTime", "deliveryWindow.startDate"),
        ("MarketplaceId", "marketplaceId"),
    ],
)
def test_field_paths(mws: str, spapi: str) -> None:
    assert field_path(mws) == spapi


def test_routing_splits_before_decoding() -> None:
    base = b"/fba/outbound/2020-07-01"
    found = route(base + b"/features/inventory/BLANK_BOX/A%2FB")
    assert found is not None and found.params == {"featureName": "BLANK_BOX", "sellerSku": "A/B"}
    assert route(base + b"/fulfillmentOrders/X/") is not None
    assert route(base + b"/fulfillmentOrders/X//") is None
    assert route(b"/fba/outbound/2026-07-04/fulfillmentOrders") is None
    assert route(base + b"/fulfillmentOrders/%FF") is None
