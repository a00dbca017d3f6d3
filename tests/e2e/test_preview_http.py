"""GetFulfillmentPreview over real HTTP: the SDK, the raw XML (model order, ScaleLeap's requirements), the errors.

The server's service clock is fixed at the instants of the previews in ``docs/mws-protocol.md`` so the answers can be
compared with the worked example ("Worked examples", "Answers", "Real clients").
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest
from lxml import etree

from outbound.client import Address, CreateItem, MwsClientError, OutboundClient, PreviewItem
from outbound.service.accounts import add_seller
from outbound.store import Database
from tests.helpers import (
    ACCESS_KEY,
    JANE,
    JP,
    JP_NOW,
    NS,
    SECRET_KEY,
    SELLER,
    US,
    US_NOW,
    FixedClock,
    N,
    Server,
    call,
    check_headers,
    document,
    error,
    local,
    sdk_for,
    stock_example,
    text,
    utc,
)

TOKYO = Address(
    "Yamada Hanako",
    "Meguro-ku Shimomeguro 2-24-1",
    state_or_province_code="Tokyo",
    country_code="JP",
    postal_code="153-0064",
    line2="Room 503",
)
EXAMPLE_ITEMS = [PreviewItem("BLUE-MUG-12OZ", "MCF-1001-1", 2), PreviewItem("TEA-SAMPLER-6", "MCF-1001-2", 1)]

PREVIEW_ORDER = [
    "ShippingSpeedCategory",
    "ScheduledDeliveryInfo",
    "IsFulfillable",
    "IsCODCapable",
    "EstimatedShippingWeight",
    "EstimatedFees",
    "FulfillmentPreviewShipments",
    "UnfulfillablePreviewItems",
    "OrderUnfulfillableReasons",
    "MarketplaceId",
]
SHIPMENT_ORDER = [
    "EarliestShipDate",
    "LatestShipDate",
    "EarliestArrivalDate",
    "LatestArrivalDate",
    "FulfillmentPreviewItems",
]
ITEM_ORDER = [
    "SellerSKU",
    "Quantity",
    "SellerFulfillmentOrderItemId",
    "EstimatedShippingWeight",
    "ShippingWeightCalculationMethod",
]
UNFULFILLABLE_ORDER = ["SellerSKU", "Quantity", "SellerFulfillmentOrderItemId", "ItemUnfulfillableReasons"]
SPEEDS = {"Standard", "Expedited", "Priority", "ScheduledDelivery"}
FEE_NAMES = {"FBAPerUnitFulfillmentFee", "FBAPerOrderFulfillmentFee", "FBATransportationFee", "FBAFulfillmentCODFee"}
ITEM_REASONS = {"InventoryUnavailable", "NoDeliveryOption", "InvalidSKU", "ExportUnsupported"}
ORDER_REASONS = {"DeliverySLAUnavailable", "InvalidDestinationAddress"}


@pytest.fixture
def stocked(server: Server, db: Database) -> Server:
    """The examples' SKUs (US in Kent, WA; JP in Ichikawa) and the server's clock at the US example's instant."""
    add_seller(db, SELLER, ACCESS_KEY, SECRET_KEY, marketplaces=[US, JP])
    stock_example(db, "BLUE-MUG-12OZ", 10, "BFI4")
    stock_example(db, "TEA-SAMPLER-6", 10, "BFI4")
    stock_example(db, "JP-TEA-TIN-100G", 5, "NRT1")
    server.ctx.clock = FixedClock(US_NOW)
    return server


@pytest.fixture
def mws(stocked: Server) -> Iterator[OutboundClient]:
    with sdk_for(stocked) as client:
        yield client


@pytest.fixture
def http(stocked: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stocked.url, timeout=30) as client:
        yield client


def children(node: etree._Element) -> list[str]:
    return [local(child) for child in node]


def in_model_order(found: list[str], model: list[str]) -> bool:
    return found == [name for name in model if name in found] and len(set(found)) == len(found)


def preview_params(items: list[tuple[str, str, str]], **extra: str) -> dict[str, str | None]:
    params: dict[str, str | None] = {
        "Address.Name": "Jane Doe",
        "Address.Line1": "1200 12th Ave S",
        "Address.City": "Seattle",
        "Address.StateOrProvinceCode": "WA",
        "Address.CountryCode": "US",
        "Address.PostalCode": "98144",
    }
    for n, (sku, item_id, quantity) in enumerate(items, 1):
        params[f"Items.member.{n}.SellerSKU"] = sku
        params[f"Items.member.{n}.SellerFulfillmentOrderItemId"] = item_id
        params[f"Items.member.{n}.Quantity"] = quantity
    params.update(extra)
    return params


def previews_of(response: httpx.Response) -> list[etree._Element]:
    assert response.status_code == 200, response.text
    check_headers(response)
    root = document(response)
    assert root.tag == f"{{{NS}}}GetFulfillmentPreviewResponse"
    assert children(root) == ["GetFulfillmentPreviewResult", "ResponseMetadata"]
    result = root.find("m:GetFulfillmentPreviewResult", N)
    assert result is not None and children(result) == ["FulfillmentPreviews"]
    container = result.find("m:FulfillmentPreviews", N)
    assert container is not None
    members = list(container)
    assert all(local(m) == "member" for m in members)
    for member in members:
        check_preview(member)
    return members


def check_weight(node: etree._Element | None, unit: str) -> None:
    assert node is not None and children(node) == ["Unit", "Value"]
    assert text(node, "m:Unit") == unit
    value = text(node, "m:Value") or ""
    assert Decimal(value) > 0 and len(value.partition(".")[2]) <= 3


def check_preview(member: etree._Element) -> None:
    """Model order, and everything ScaleLeap's strict SDK requires of a preview (docs/mws-protocol.md
    "Real clients")."""
    names = children(member)
    assert in_model_order(names, PREVIEW_ORDER), names
    for required in ("ShippingSpeedCategory", "IsFulfillable", "IsCODCapable", "UnfulfillablePreviewItems"):
        assert required in names
    assert text(member, "m:ShippingSpeedCategory") in SPEEDS
    assert text(member, "m:IsFulfillable") in ("true", "false")
    assert text(member, "m:IsCODCapable") in ("true", "false")
    unit = "kilograms" if text(member, "m:MarketplaceId") == JP else "pounds"
    if "EstimatedShippingWeight" in names:
        check_weight(member.find("m:EstimatedShippingWeight", N), unit)
    for name in ("EstimatedFees", "FulfillmentPreviewShipments", "OrderUnfulfillableReasons"):
        if name in names:  # lists inside an entry are omitted when empty, never sent empty
            assert len(member.find(f"m:{name}", N)) > 0, name  # type: ignore[arg-type]
    for fee in member.iterfind("m:EstimatedFees/m:member", N):
        assert children(fee) == ["Name", "Amount"] and text(fee, "m:Name") in FEE_NAMES
        amount = fee.find("m:Amount", N)
        assert amount is not None and children(amount) == ["CurrencyCode", "Value"]
        assert text(amount, "m:CurrencyCode") in ("USD", "JPY")
        Decimal(text(amount, "m:Value") or "x")
    for shipment in member.iterfind("m:FulfillmentPreviewShipments/m:member", N):
        assert children(shipment) == SHIPMENT_ORDER
        for name in SHIPMENT_ORDER[:4]:
            value = text(shipment, f"m:{name}") or ""
            assert value.endswith("Z") and utc(value).microsecond == 0
        items = shipment.findall("m:FulfillmentPreviewItems/m:member", N)
        assert items
        for item in items:
            assert children(item) == ITEM_ORDER
            check_weight(item.find("m:EstimatedShippingWeight", N), unit)
            assert text(item, "m:ShippingWeightCalculationMethod") in ("Package", "Dimensional")
            assert int(text(item, "m:Quantity") or "0") > 0
    for item in member.iterfind("m:UnfulfillablePreviewItems/m:member", N):
        assert children(item) == UNFULFILLABLE_ORDER
        reasons = [r.text for r in item.iterfind("m:ItemUnfulfillableReasons/m:member", N)]
        assert reasons and set(reasons) <= ITEM_REASONS
    reasons = [r.text for r in member.iterfind("m:OrderUnfulfillableReasons/m:member", N)]
    assert set(reasons) <= ORDER_REASONS
    info = member.find("m:ScheduledDeliveryInfo", N)
    if info is not None:
        assert children(info) == ["DeliveryTimeZone", "DeliveryWindows"]
        windows = info.findall("m:DeliveryWindows/m:member", N)
        assert windows and all(children(w) == ["StartDateTime", "EndDateTime"] for w in windows)
    assert text(member, "m:MarketplaceId") in (US, JP)


# ----------------------------------------------------------------------------------------------- the SDK


def test_the_us_example_through_the_sdk(mws: OutboundClient) -> None:
    previews = mws.get_fulfillment_preview(JANE, EXAMPLE_ITEMS, shipping_speed_categories=["Standard", "Expedited"])
    assert [p.speed for p in previews] == ["Standard", "Expedited"]
    standard, expedited = previews
    for found in previews:
        assert found.is_fulfillable and not found.is_cod_capable and found.marketplace_id == US
        assert found.estimated_shipping_weight is not None
        assert (found.estimated_shipping_weight.unit, found.estimated_shipping_weight.value) == ("pounds", 3)
        assert found.unfulfillable_items == () and found.order_unfulfillable_reasons == ()
        assert found.scheduled_delivery_info is None
        [shipment] = found.shipments
        lines = [
            (i.seller_sku, i.seller_fulfillment_order_item_id, i.quantity, i.shipping_weight_calculation_method)
            for i in shipment.items
        ]
        assert lines == [
            ("BLUE-MUG-12OZ", "MCF-1001-1", 2, "Package"),
            ("TEA-SAMPLER-6", "MCF-1001-2", 1, "Dimensional"),
        ]
        weights = [i.estimated_shipping_weight for i in shipment.items]
        assert [(w.unit, str(w.value)) for w in weights if w] == [("pounds", "2.200"), ("pounds", "0.650")]
        assert [f.name for f in found.estimated_fees] == [
            "FBAPerUnitFulfillmentFee",
            "FBAPerOrderFulfillmentFee",
            "FBATransportationFee",
        ]
        assert all(f.currency_code == "USD" for f in found.estimated_fees)
        assert str(found.fee("FBAPerOrderFulfillmentFee")) == "0.00" and found.fee("FBAFulfillmentCODFee") is None
    assert standard.fee("FBAPerUnitFulfillmentFee") == Decimal("21.35")
    assert expedited.fee("FBAPerUnitFulfillmentFee") == Decimal("27.26")
    assert standard.total_fees == Decimal("21.35")
    ship = standard.shipments[0]
    assert (ship.earliest_ship_date, ship.latest_ship_date) == (
        utc("2026-11-23T08:00:00Z"),
        utc("2026-11-25T07:59:59Z"),
    )
    assert (ship.earliest_arrival_date, ship.latest_arrival_date) == (
        utc("2026-11-27T08:00:00Z"),
        utc("2026-12-02T07:59:59Z"),
    )
    ship = expedited.shipments[0]
    assert (ship.latest_ship_date, ship.latest_arrival_date) == (
        utc("2026-11-24T07:59:59Z"),
        utc("2026-11-26T07:59:59Z"),
    )


def test_the_sdk_takes_create_items_and_defaults_to_every_speed(mws: OutboundClient) -> None:
    items = [CreateItem("BLUE-MUG-12OZ", "1", 1, gift_message="not sent: a preview item has none")]
    previews = mws.get_fulfillment_preview(JANE, items)
    assert [p.speed for p in previews] == ["Standard", "Expedited", "Priority"]
    assert all(p.is_fulfillable for p in previews)


def test_the_sdk_reads_unfulfillable_previews(mws: OutboundClient) -> None:
    items = [PreviewItem("TEA-SAMPLER-6", "1", 12), PreviewItem("NOPE", "2", 1)]
    scheduled, standard = mws.get_fulfillment_preview(
        JANE, items, shipping_speed_categories=["ScheduledDelivery", "Standard"]
    )
    assert not scheduled.is_fulfillable and scheduled.order_unfulfillable_reasons == ("DeliverySLAUnavailable",)
    assert scheduled.shipments == () and scheduled.estimated_fees == ()
    assert not standard.is_fulfillable and standard.order_unfulfillable_reasons == ()
    assert standard.estimated_shipping_weight is None
    assert [
        (u.seller_sku, u.seller_fulfillment_order_item_id, u.quantity, u.reasons) for u in standard.unfulfillable_items
    ] == [
        ("TEA-SAMPLER-6", "1", 2, ("InventoryUnavailable",)),
        ("NOPE", "2", 1, ("InvalidSKU",)),
    ]
    assert [(i.seller_fulfillment_order_item_id, i.quantity) for i in standard.shipments[0].items] == [("1", 10)]


def test_the_sdk_reads_japan_cod_and_windows(stocked: Server, mws: OutboundClient) -> None:
    stocked.ctx.clock = FixedClock(JP_NOW)
    previews = mws.get_fulfillment_preview(
        TOKYO,
        [PreviewItem("JP-TEA-TIN-100G", "JP-2001-1", 1)],
        shipping_speed_categories=["Standard", "ScheduledDelivery"],
        include_cod=True,
        include_delivery_windows=True,
        marketplace_id=JP,
    )
    assert [(p.speed, p.is_cod_capable) for p in previews] == [
        ("Standard", False),
        ("Standard", True),
        ("ScheduledDelivery", False),
    ]
    plain, cod, scheduled = previews
    assert cod.fee("FBAFulfillmentCODFee") == Decimal("330") and plain.fee("FBAFulfillmentCODFee") is None
    assert all(f.currency_code == "JPY" for p in previews for f in p.estimated_fees)
    assert str(plain.fee("FBAPerUnitFulfillmentFee")) == "459"
    weight = plain.estimated_shipping_weight
    assert weight is not None and (weight.unit, str(weight.value)) == ("kilograms", "0.4")
    assert plain.scheduled_delivery_info is None and cod.scheduled_delivery_info is None
    info = scheduled.scheduled_delivery_info
    assert info is not None and info.delivery_time_zone == "Asia/Tokyo"
    assert [(w.start, w.end) for w in info.delivery_windows][:2] == [
        (utc("2026-11-23T23:00:00Z"), utc("2026-11-24T03:00:00Z")),
        (utc("2026-11-24T05:00:00Z"), utc("2026-11-24T07:00:00Z")),
    ]
    assert len(info.delivery_windows) == 5
    assert scheduled.shipments[0].latest_arrival_date == info.delivery_windows[-1].end


# ----------------------------------------------------------------------------------------------- the raw XML


def test_raw_xml_of_the_us_example(http: httpx.Client) -> None:
    items = [("BLUE-MUG-12OZ", "MCF-1001-1", "2"), ("TEA-SAMPLER-6", "MCF-1001-2", "1")]
    params = preview_params(
        items,
        **{
            "MarketplaceId": US,
            "ShippingSpeedCategories.member.1": "Standard",
            "ShippingSpeedCategories.member.2": "Expedited",
        },
    )
    response = call(http, "GetFulfillmentPreview", params)
    members = previews_of(response)
    assert len(members) == 2
    for member in members:
        assert children(member) == [
            "ShippingSpeedCategory",
            "IsFulfillable",
            "IsCODCapable",
            "EstimatedShippingWeight",
            "EstimatedFees",
            "FulfillmentPreviewShipments",
            "UnfulfillablePreviewItems",
            "MarketplaceId",
        ]
        assert len(member.find("m:UnfulfillablePreviewItems", N)) == 0  # type: ignore[arg-type]
        assert text(member, "m:EstimatedShippingWeight/m:Value") == "3"
        values = [
            v.text for v in member.iterfind("m:FulfillmentPreviewShipments//m:EstimatedShippingWeight/m:Value", N)
        ]
        assert values == ["2.200", "0.650"]
    body = response.text
    assert body.startswith('<?xml version="1.0"?>\n<GetFulfillmentPreviewResponse xmlns="')
    assert body.count("<UnfulfillablePreviewItems/>") == 2  # present, as an empty element
    assert "<Unit>pounds</Unit>" in body and "POUNDS" not in body and "<Unit>LB" not in body
    assert "\n        <ShippingSpeedCategory>Standard</ShippingSpeedCategory>\n" in body  # indented
    first = members[0]
    dates = [text(first, f"m:FulfillmentPreviewShipments/m:member/m:{name}") for name in SHIPMENT_ORDER[:4]]
    assert dates == ["2026-11-23T08:00:00Z", "2026-11-25T07:59:59Z", "2026-11-27T08:00:00Z", "2026-12-02T07:59:59Z"]


def test_raw_xml_of_an_unfulfillable_preview(http: httpx.Client) -> None:
    params = preview_params(
        [("TEA-SAMPLER-6", "1", "12"), ("NOPE", "2", "1")],
        **{"ShippingSpeedCategories.1": "Standard", "ShippingSpeedCategories.2": "ScheduledDelivery"},  # short form
    )
    standard, scheduled = previews_of(call(http, "GetFulfillmentPreview", params))
    assert children(standard) == [
        "ShippingSpeedCategory",
        "IsFulfillable",
        "IsCODCapable",
        "EstimatedFees",  # the fees and shipments of what could ship, no order weight
        "FulfillmentPreviewShipments",
        "UnfulfillablePreviewItems",
        "MarketplaceId",
    ]
    assert text(standard, "m:IsFulfillable") == "false"
    entries = standard.findall("m:UnfulfillablePreviewItems/m:member", N)
    found = [
        (
            text(e, "m:SellerFulfillmentOrderItemId"),
            text(e, "m:Quantity"),
            [r.text for r in e.iterfind("m:ItemUnfulfillableReasons/m:member", N)],
        )
        for e in entries
    ]
    assert found == [("1", "2", ["InventoryUnavailable"]), ("2", "1", ["InvalidSKU"])]
    assert children(scheduled) == [
        "ShippingSpeedCategory",
        "IsFulfillable",
        "IsCODCapable",
        "UnfulfillablePreviewItems",
        "OrderUnfulfillableReasons",
        "MarketplaceId",
    ]
    assert [r.text for r in scheduled.iterfind("m:OrderUnfulfillableReasons/m:member", N)] == ["DeliverySLAUnavailable"]


def test_raw_xml_of_the_japan_example(stocked: Server, http: httpx.Client) -> None:
    stocked.ctx.clock = FixedClock(JP_NOW)
    params: dict[str, str | None] = {
        "MarketplaceId": JP,
        "Address.Name": "Yamada Hanako",
        "Address.Line1": "Meguro-ku Shimomeguro 2-24-1",
        "Address.StateOrProvinceCode": "Tokyo",
        "Address.CountryCode": "JP",
        "Address.PostalCode": "153-0064",
        "Items.member.1.SellerSKU": "JP-TEA-TIN-100G",
        "Items.member.1.Quantity": "1",
        "Items.member.1.SellerFulfillmentOrderItemId": "JP-2001-1",
        "ShippingSpeedCategories.member.1": "Standard",
        "ShippingSpeedCategories.member.2": "ScheduledDelivery",
        "IncludeCODFulfillmentPreview": "true",
        "IncludeDeliveryWindows": "true",
    }
    response = call(http, "GetFulfillmentPreview", params)
    plain, cod, scheduled = previews_of(response)
    assert [text(m, "m:IsCODCapable") for m in (plain, cod, scheduled)] == ["false", "true", "false"]
    assert [f.text for f in cod.iterfind("m:EstimatedFees/m:member/m:Name", N)][-1] == "FBAFulfillmentCODFee"
    assert text(cod, "m:EstimatedFees/m:member[4]/m:Amount/m:Value") == "330"
    assert children(scheduled)[:3] == ["ShippingSpeedCategory", "ScheduledDeliveryInfo", "IsFulfillable"]
    assert text(scheduled, "m:ScheduledDeliveryInfo/m:DeliveryTimeZone") == "Asia/Tokyo"
    windows = scheduled.findall("m:ScheduledDeliveryInfo/m:DeliveryWindows/m:member", N)
    assert [(text(w, "m:StartDateTime"), text(w, "m:EndDateTime")) for w in windows] == [
        ("2026-11-23T23:00:00Z", "2026-11-24T03:00:00Z"),
        ("2026-11-24T05:00:00Z", "2026-11-24T07:00:00Z"),
        ("2026-11-24T07:00:00Z", "2026-11-24T09:00:00Z"),
        ("2026-11-24T09:00:00Z", "2026-11-24T11:00:00Z"),
        ("2026-11-24T10:00:00Z", "2026-11-24T12:00:00Z"),
    ]
    body = response.text
    assert "<Unit>kilograms</Unit>" in body and "<Value>0.310</Value>" in body and "<DeliveryWindow>" not in body
    assert text(plain, "m:EstimatedShippingWeight/m:Value") == "0.4"
    assert text(plain, "m:EstimatedFees/m:member[1]/m:Amount/m:Value") == "459"  # whole yen
    assert text(plain, "m:FulfillmentPreviewShipments/m:member/m:EarliestShipDate") == "2026-11-22T15:00:00Z"


# ----------------------------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {
                f"Address.{f}": None
                for f in ("Name", "Line1", "City", "StateOrProvinceCode", "CountryCode", "PostalCode")
            },
            "Missing required parameter Address.",
        ),
        (
            {
                f"Items.member.{n}.{f}": None
                for n in (1, 2)
                for f in ("SellerSKU", "SellerFulfillmentOrderItemId", "Quantity")
            },
            "Missing required parameter Items.",
        ),
        ({"Address.Name": None}, "Missing required parameter Address.Name."),
        ({"Address.PostalCode": None}, "Missing required parameter Address.PostalCode."),
        ({"Address.PostalCode": "9814"}, "Value 9814 for parameter Address.PostalCode is invalid."),
        ({"Address.CountryCode": "UK"}, "Value UK for parameter Address.CountryCode is invalid."),
        ({"Items.member.1.Quantity": "0"}, "Value 0 for parameter Items.member.1.Quantity is invalid."),
        ({"Items.member.1.Quantity": "-2"}, "Value -2 for parameter Items.member.1.Quantity is invalid."),
        (
            {"Items.member.1.Quantity": "2147483648"},
            "Value 2147483648 for parameter Items.member.1.Quantity is invalid.",
        ),
        ({"Items.member.1.Quantity": None}, "Missing required parameter Items.member.1.Quantity."),
        ({"Items.member.1.SellerSKU": None}, "Missing required parameter Items.member.1.SellerSKU."),
        (
            {"Items.member.2.SellerFulfillmentOrderItemId": "line-1"},
            "Value line-1 for parameter SellerFulfillmentOrderItemId is invalid. Reason: Duplicate.",
        ),
        (
            {"ShippingSpeedCategories.member.1": "Teleport"},
            "Value Teleport for parameter ShippingSpeedCategories.member.1 is invalid.",
        ),
        (
            {"ShippingSpeedCategories.member.1": "standard"},  # enumerations are case-sensitive
            "Value standard for parameter ShippingSpeedCategories.member.1 is invalid.",
        ),
        ({"MarketplaceId": "A1PA6795UKMFR9"}, "Value A1PA6795UKMFR9 for parameter MarketplaceId is invalid."),
        ({"MarketplaceId": "A2Q3Y263D00KWC"}, "Value A2Q3Y263D00KWC for parameter MarketplaceId is invalid."),
        (
            {"IncludeCODFulfillmentPreview": "maybe"},
            "Value maybe for parameter IncludeCODFulfillmentPreview is invalid.",
        ),
    ],
)
def test_parameter_errors(http: httpx.Client, change: dict[str, str | None], message: str) -> None:
    params = preview_params([("BLUE-MUG-12OZ", "line-1", "1"), ("TEA-SAMPLER-6", "line-2", "1")])
    params.update(change)
    refused = error(call(http, "GetFulfillmentPreview", params))
    assert (refused.status, refused.code, refused.message) == (400, "InvalidParameterValue", message)


def test_the_sdk_raises_the_mws_error(mws: OutboundClient) -> None:
    items = [PreviewItem("BLUE-MUG-12OZ", "same", 1), PreviewItem("TEA-SAMPLER-6", "same", 1)]
    with pytest.raises(MwsClientError) as refused:
        mws.get_fulfillment_preview(JANE, items)
    assert (refused.value.status, refused.value.code) == (400, "InvalidParameterValue")
    assert refused.value.message.endswith("Reason: Duplicate.")
    assert refused.value.request_id


def test_no_stock_is_not_an_error(http: httpx.Client) -> None:
    response = call(http, "GetFulfillmentPreview", preview_params([("NOPE", "1", "1")]))
    members = previews_of(response)
    assert [text(m, "m:IsFulfillable") for m in members] == ["false"] * 3
