"""Returns over real HTTP on a virtual clock: ListReturnReasonCodes and CreateFulfillmentReturn with our SDK and with
hand-signed requests, compared with the example exchanges (tests/fixtures/responses/ListReturnReasonCodes.xml,
CreateFulfillmentReturn-*.xml), then the units travelling back, graded and restocked as the clock advances
(docs/mws-protocol.md "Operations", "Answers", "Real clients"), and the ``outbound returns`` /
``scenario add ... return`` CLI.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from lxml import etree

from outbound.cli import main
from outbound.client import (
    Address,
    CreateItem,
    CreateReturnItem,
    MwsClientError,
    OutboundClient,
    ReasonCodeDetails,
)
from outbound.domain import returns as rules
from outbound.domain.shipping import rng_for
from outbound.service import scenarios, simulation
from outbound.service.inventory import levels
from outbound.store import Database
from outbound.store import inventory as stock_store
from tests.helpers import (
    AUTHORIZATION_ORDER,
    CA,
    DE,
    FIXTURES,
    JANE,
    NS,
    RETURN_ITEM_ORDER,
    SELLER,
    US,
    N,
    Server,
    call,
    check_headers,
    document,
    error,
    sdk_for,
    stock,
    tags,
    text,
)

MUG, TEA = "BLUE-MUG-12OZ", "TEA-SAMPLER-6"
EXAMPLES = FIXTURES / "responses"
ADDRESS_ORDER = ["Name", "Line1", "City", "StateOrProvinceCode", "CountryCode", "PostalCode"]
SECONDS = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


@pytest.fixture
def stocked(virtual_server: Server) -> Server:
    db = virtual_server.ctx.db
    stock(db, MUG, 10, "BFI4")
    stock(db, TEA, 10, "BFI4")
    return virtual_server


@pytest.fixture
def mws(stocked: Server) -> Iterator[OutboundClient]:
    with sdk_for(stocked) as client:
        yield client


@pytest.fixture
def http(stocked: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stocked.url, timeout=30) as client:
        yield client


def place_and_ship(server: Server, client: OutboundClient, order_id: str = "MCF-1001") -> str:
    """The example order (two mugs, one tea sampler), shipped on the virtual clock; its AmazonShipmentId."""
    client.create_fulfillment_order(
        order_id,
        JANE,
        [CreateItem(MUG, f"{order_id}-1", 2), CreateItem(TEA, f"{order_id}-2", 1)],
        displayable_order_id="WEB-48213",
        displayable_order_datetime=datetime(2026, 11, 23, 15, 58, 40, tzinfo=UTC),
    )
    simulation.advance(server.ctx.db, timedelta(days=5))
    details = client.get_fulfillment_order(order_id)
    assert details.order.status == "COMPLETE"
    (shipment,) = details.shipments
    assert shipment.status == "SHIPPED"
    return shipment.amazon_shipment_id


def stock_at(db: Database, sku: str, fc: str) -> int:
    return sum(sellable for row_sku, row_fc, sellable, _ in levels(db, SELLER, sku) if (row_sku, row_fc) == (sku, fc))


def example_responses(name: str) -> list[etree._Element]:
    """The documented example answers of an operation, in exchange order (``name.xml`` or ``name-1.xml``, ...)."""
    paths = sorted(EXAMPLES.glob(f"{name}.xml")) + sorted(EXAMPLES.glob(f"{name}-*.xml"))
    assert paths, f"no example response for {name} in {EXAMPLES}"
    return [etree.fromstring(path.read_text(encoding="utf-8").strip().encode("utf-8")) for path in paths]


def shape(node: etree._Element | None, replace: Mapping[str, str] | None = None) -> Any:
    """Tag, text (with the example's dynamic values replaced by ours) and children, in document order."""
    assert node is not None
    value = (node.text or "").strip()
    value = (replace or {}).get(value, value)
    return (node.tag, value, [shape(child, replace) for child in node])


def without_request_id(root: etree._Element) -> etree._Element:
    found = root.find("m:ResponseMetadata/m:RequestId", N)
    assert found is not None
    found.text = "-"
    return root


def ok(response: httpx.Response, action: str) -> etree._Element:
    assert response.status_code == 200, response.text
    request_id = check_headers(response)
    assert response.content.startswith(
        b'<?xml version="1.0"?>\n<' + action.encode() + b'Response xmlns="' + NS.encode()
    )
    root = document(response)
    assert text(root, "m:ResponseMetadata/m:RequestId") == request_id
    assert tags(root) == [f"{action}Result", "ResponseMetadata"]
    return root


def return_params(order_id: str, *units: tuple[str, str, str, str, str | None]) -> dict[str, str | None]:
    params: dict[str, str | None] = {"SellerFulfillmentOrderId": order_id}
    for n, (return_id, line, shipment, reason, comment) in enumerate(units, 1):
        params[f"Items.member.{n}.SellerReturnItemId"] = return_id
        params[f"Items.member.{n}.SellerFulfillmentOrderItemId"] = line
        params[f"Items.member.{n}.AmazonShipmentId"] = shipment
        params[f"Items.member.{n}.ReturnReasonCode"] = reason
        params[f"Items.member.{n}.ReturnComment"] = comment
    return params


# ------------------------------------------------------------------------------------------------ the SDK, end to end


def test_return_one_item_of_two_and_get_it_back_in_stock(stocked: Server, mws: OutboundClient) -> None:
    db = stocked.ctx.db
    shipment = place_and_ship(stocked, mws)
    assert stock_at(db, TEA, "BFI4") == 9 and stock_at(db, TEA, "ONT8") == 0

    codes = mws.list_return_reason_codes(TEA, marketplace_id=US, language="es_ES")
    assert codes[0] == ReasonCodeDetails("CR-UNWANTED_ITEM", "No longer needed", "Ya no lo necesito")
    assert mws.list_return_reason_codes(TEA, seller_fulfillment_order_id="MCF-1001") == [
        ReasonCodeDetails(c.return_reason_code, c.description) for c in codes
    ]

    # the tea sampler comes back in mint condition (an admin scenario pins the grading for this order)
    with httpx.Client(base_url=stocked.url) as admin:
        added = admin.post(
            "/admin/scenarios",
            json={"seller_id": SELLER, "kind": "return", "params": {"condition": "Sellable"}, "order_id": "MCF-1001"},
        )
        assert added.status_code == 201, added.text
    created_at = stocked.ctx.clock.now().replace(microsecond=0)
    result = mws.create_fulfillment_return(
        "MCF-1001", [CreateReturnItem("RET-1", "MCF-1001-2", shipment, codes[0].return_reason_code, "Too much tea")]
    )
    assert result.invalid_return_items == ()
    (returned,) = result.return_items
    (authorization,) = result.return_authorizations
    assert (returned.seller_return_item_id, returned.status, returned.status_changed_date) == (
        "RET-1",
        "New",
        created_at,
    )
    assert returned.return_authorization_id == authorization.return_authorization_id
    assert returned.return_received_condition is None and returned.fulfillment_center_id is None
    assert authorization.fulfillment_center_id == "ONT8"
    assert authorization.return_to_address == Address(
        "Amazon Returns ONT8", "24208 San Michele Rd", "Moreno Valley", "CA", "US", "92551"
    )
    assert (
        authorization.rma_page_url
        == f"https://sellercentral.amazon.com/mcf/returns/label?rmaId={authorization.amazon_rma_id}"
    )

    details = mws.get_fulfillment_order("MCF-1001")
    assert details.return_items == (returned,) and details.return_authorizations == (authorization,)

    simulation.advance(db, timedelta(days=15))
    details = mws.get_fulfillment_order("MCF-1001")
    (processed,) = details.return_items
    assert processed.status == "Processed"
    assert processed.return_received_condition == "Sellable"
    assert processed.fulfillment_center_id == "ONT8"
    assert processed.amazon_return_reason_code == "CR-UNWANTED_ITEM"
    assert processed.status_changed_date is not None
    assert created_at + timedelta(days=1) <= processed.status_changed_date <= created_at + timedelta(days=14)
    assert details.return_authorizations == (authorization,)
    assert stock_at(db, TEA, "ONT8") == 1 and stock_at(db, TEA, "BFI4") == 9  # restocked where it was received
    assert stock_at(db, MUG, "ONT8") == 0  # the mugs were kept


def test_grading_follows_the_seed(stocked: Server, mws: OutboundClient) -> None:
    shipment = place_and_ship(stocked, mws)
    mws.create_fulfillment_return(
        "MCF-1001",
        [
            CreateReturnItem("RET-A", "MCF-1001-1", shipment, "CR-DEFECTIVE"),
            CreateReturnItem("RET-B", "MCF-1001-1", shipment, "CR-DEFECTIVE"),
        ],
    )
    simulation.advance(stocked.ctx.db, timedelta(days=15))
    expected = [rules.grade(rng_for(SELLER, "MCF-1001", f"return/{r}/grade")) for r in ("RET-A", "RET-B")]
    found = mws.get_fulfillment_order("MCF-1001").return_items
    assert [r.return_received_condition for r in found] == expected
    assert stock_at(stocked.ctx.db, MUG, "ONT8") == expected.count("Sellable")


def test_a_return_that_never_arrives(stocked: Server, mws: OutboundClient) -> None:
    shipment = place_and_ship(stocked, mws)
    scenarios.add(stocked.ctx.db, SELLER, "return", {"arrives": "never"}, datetime.now(UTC))
    mws.create_fulfillment_return("MCF-1001", [CreateReturnItem("RET-1", "MCF-1001-1", shipment, "CR-DEFECTIVE")])
    simulation.advance(stocked.ctx.db, timedelta(days=30))
    (returned,) = mws.get_fulfillment_order("MCF-1001").return_items
    assert returned.status == "New" and returned.return_received_condition is None


def test_sdk_errors(stocked: Server, mws: OutboundClient) -> None:
    with pytest.raises(MwsClientError) as caught:
        mws.list_return_reason_codes("NO-SUCH-SKU", marketplace_id=US)
    assert (caught.value.status, caught.value.code) == (400, "InvalidParameterValue")
    assert caught.value.message == "Value NO-SUCH-SKU for parameter SellerSKU is invalid."
    with pytest.raises(MwsClientError) as caught:
        mws.create_fulfillment_return("MCF-404", [CreateReturnItem("R", "L", "D", "CR-DEFECTIVE")])
    assert caught.value.message == "Value MCF-404 for parameter SellerFulfillmentOrderId is invalid."


# ------------------------------------------------------------------------------------------------ the exact XML


def test_list_return_reason_codes_is_the_example(stocked: Server, http: httpx.Client) -> None:
    (expected,) = example_responses("ListReturnReasonCodes")
    params = {"SellerSKU": MUG, "MarketplaceId": US, "Language": "es_ES"}
    root = ok(call(http, "ListReturnReasonCodes", params), "ListReturnReasonCodes")
    assert shape(without_request_id(root)) == shape(without_request_id(expected))


def test_list_return_reason_codes_shapes(stocked: Server, http: httpx.Client) -> None:
    root = ok(call(http, "ListReturnReasonCodes", {"SellerSKU": MUG, "MarketplaceId": US}), "ListReturnReasonCodes")
    entries = root.findall("m:ListReturnReasonCodesResult/m:ReasonCodeDetailsList/m:member", N)
    assert [tags(e) for e in entries] == [["ReturnReasonCode", "Description"]] * 3  # no Language, no translation
    unknown = {"SellerSKU": MUG, "MarketplaceId": DE, "Language": "tlh_KL"}
    root = ok(call(http, "ListReturnReasonCodes", unknown), "ListReturnReasonCodes")
    entries = root.findall("m:ListReturnReasonCodesResult/m:ReasonCodeDetailsList/m:member", N)
    assert [text(e, "m:ReturnReasonCode") for e in entries][-1] == "CR-NO_REASON_GIVEN"
    assert all(tags(e) == ["ReturnReasonCode", "Description"] for e in entries)
    # a SKU whose category takes no return: the list is there, empty
    with stocked.ctx.db.transaction() as conn:
        sku = stock_store.load_skus(conn, SELLER, [TEA])[TEA]
        stock_store.upsert_sku(
            conn,
            SELLER,
            stock_store.Sku(
                TEA, sku.fnsku, sku.weight_lb, sku.length_in, sku.width_in, sku.height_in, None, "gift_card"
            ),
            datetime.now(UTC),
        )
    response = call(http, "ListReturnReasonCodes", {"SellerSKU": TEA, "MarketplaceId": US})
    root = ok(response, "ListReturnReasonCodes")
    assert b"<ListReturnReasonCodesResult>\n    <ReasonCodeDetailsList/>\n  </ListReturnReasonCodesResult>" in (
        response.content
    )


def test_create_fulfillment_return_is_the_example(stocked: Server, mws: OutboundClient, http: httpx.Client) -> None:
    """Both CreateFulfillmentReturn example exchanges: the first call, then the same call sent again."""
    first_expected, again_expected = example_responses("CreateFulfillmentReturn")
    shipment = place_and_ship(stocked, mws)
    params = return_params(
        "MCF-1001",
        ("RET-1001-1", "MCF-1001-1", shipment, "CR-DEFECTIVE", "Handle cracked on arrival"),
        ("RET-1001-2", "MCF-1001-2", shipment, "CR-UNWANTED_ITEM", None),
        ("RET-1001-3", "MCF-1001-2", shipment, "CR-UNWANTED_ITEM", None),
    )
    first = ok(call(http, "CreateFulfillmentReturn", params), "CreateFulfillmentReturn")
    result = first.find("m:CreateFulfillmentReturnResult", N)
    assert result is not None
    assert tags(result) == ["ReturnItemList", "InvalidReturnItemList", "ReturnAuthorizationList"]
    authorization = result.find("m:ReturnAuthorizationList/m:member", N)
    assert authorization is not None
    ours = {
        "DkTw7JbSN": shipment,
        "2026-11-30T14:06:10Z": text(result, "m:ReturnItemList/m:member/m:StatusChangedDate") or "",
        "41823077512": text(authorization, "m:ReturnAuthorizationId") or "",
        "DQmKt3s7RRMA": text(authorization, "m:AmazonRmaId") or "",
        "https://sellercentral.amazon.com/mcf/returns/label?rmaId=DQmKt3s7RRMA": text(authorization, "m:RmaPageURL")
        or "",
    }
    assert SECONDS.fullmatch(ours["2026-11-30T14:06:10Z"])
    assert re.fullmatch(r"\d{11}", ours["41823077512"]) and re.fullmatch(r"D\w{7}RRMA", ours["DQmKt3s7RRMA"])
    assert shape(without_request_id(first)) == shape(without_request_id(first_expected), ours)

    response = call(http, "CreateFulfillmentReturn", params)
    again = ok(response, "CreateFulfillmentReturn")
    assert shape(without_request_id(again)) == shape(without_request_id(again_expected), ours)
    assert b"<ReturnItemList/>" in response.content and b"<ReturnAuthorizationList/>" in response.content

    # GetFulfillmentOrder now carries the same two units and the authorization, in the model's element order
    order = ok(call(http, "GetFulfillmentOrder", {"SellerFulfillmentOrderId": "MCF-1001"}), "GetFulfillmentOrder")
    got = order.find("m:GetFulfillmentOrderResult", N)
    assert got is not None
    assert shape(got.find("m:ReturnItemList", N)) == shape(result.find("m:ReturnItemList", N))
    assert shape(got.find("m:ReturnAuthorizationList", N)) == shape(result.find("m:ReturnAuthorizationList", N))


def test_all_three_lists_are_always_there(stocked: Server, mws: OutboundClient, http: httpx.Client) -> None:
    shipment = place_and_ship(stocked, mws)
    # only refused units: empty ReturnItemList and ReturnAuthorizationList
    response = call(
        http, "CreateFulfillmentReturn", return_params("MCF-1001", ("R1", "MCF-1001-9", shipment, "CR-DEFECTIVE", None))
    )
    ok(response, "CreateFulfillmentReturn")
    assert b"<CreateFulfillmentReturnResult>\n    <ReturnItemList/>\n    <InvalidReturnItemList>" in response.content
    assert b"</InvalidReturnItemList>\n    <ReturnAuthorizationList/>\n  </CreateFulfillmentReturnResult>" in (
        response.content
    )
    # only accepted units: an empty InvalidReturnItemList
    response = call(
        http, "CreateFulfillmentReturn", return_params("MCF-1001", ("R2", "MCF-1001-1", shipment, "CR-DEFECTIVE", None))
    )
    root = ok(response, "CreateFulfillmentReturn")
    assert b"</ReturnItemList>\n    <InvalidReturnItemList/>\n    <ReturnAuthorizationList>" in response.content
    member = root.find("m:CreateFulfillmentReturnResult/m:ReturnItemList/m:member", N)
    assert member is not None and tags(member) == [
        "SellerReturnItemId",
        "SellerFulfillmentOrderItemId",
        "AmazonShipmentId",
        "SellerReturnReasonCode",
        "Status",
        "StatusChangedDate",
        "ReturnAuthorizationId",
    ]


def test_a_processed_return_in_get_fulfillment_order(stocked: Server, mws: OutboundClient, http: httpx.Client) -> None:
    shipment = place_and_ship(stocked, mws)
    scenarios.add(stocked.ctx.db, SELLER, "return", {"condition": "CarrierDamaged"}, datetime.now(UTC))
    mws.create_fulfillment_return(
        "MCF-1001", [CreateReturnItem("RET-1", "MCF-1001-1", shipment, "CR-UNWANTED_ITEM", "Box crushed")]
    )
    simulation.advance(stocked.ctx.db, timedelta(days=15))
    root = ok(call(http, "GetFulfillmentOrder", {"SellerFulfillmentOrderId": "MCF-1001"}), "GetFulfillmentOrder")
    result = root.find("m:GetFulfillmentOrderResult", N)
    assert result is not None
    assert tags(result) == [
        "FulfillmentOrder",
        "FulfillmentOrderItem",
        "FulfillmentShipment",
        "ReturnItemList",
        "ReturnAuthorizationList",
    ]
    (item,) = result.findall("m:ReturnItemList/m:member", N)
    assert tags(item) == RETURN_ITEM_ORDER  # every field, once processed
    assert [text(item, f"m:{name}") for name in ("Status", "ReturnReceivedCondition", "FulfillmentCenterId")] == [
        "Processed",
        "CarrierDamaged",
        "ONT8",
    ]
    assert text(item, "m:AmazonReturnReasonCode") == "CR-DAMAGED_BY_CARRIER"
    assert text(item, "m:ReturnComment") == "Box crushed"
    assert SECONDS.fullmatch(text(item, "m:StatusChangedDate") or "")
    (authorization,) = result.findall("m:ReturnAuthorizationList/m:member", N)
    assert tags(authorization) == AUTHORIZATION_ORDER
    address = authorization.find("m:ReturnToAddress", N)
    assert address is not None and tags(address) == ADDRESS_ORDER
    assert stock_at(stocked.ctx.db, MUG, "ONT8") == 0  # damaged units are not restocked


# ------------------------------------------------------------------------------------------------ refusals


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"MarketplaceId": US}, "Missing required parameter SellerSKU."),
        ({"SellerSKU": MUG}, "Missing required parameter MarketplaceId."),
        ({"SellerSKU": MUG, "MarketplaceId": ""}, "Missing required parameter MarketplaceId."),
        ({"SellerSKU": MUG, "MarketplaceId": CA}, f"Value {CA} for parameter MarketplaceId is invalid."),
        (
            {"SellerSKU": MUG, "MarketplaceId": "A2Q3Y263D00KWC"},
            "Value A2Q3Y263D00KWC for parameter MarketplaceId is invalid.",
        ),
        ({"SellerSKU": MUG, "MarketplaceId": "XYZ"}, "Value XYZ for parameter MarketplaceId is invalid."),
        ({"SellerSKU": "NOPE", "MarketplaceId": US}, "Value NOPE for parameter SellerSKU is invalid."),
        (
            {"SellerSKU": MUG, "SellerFulfillmentOrderId": "MCF-404"},
            "Value MCF-404 for parameter SellerFulfillmentOrderId is invalid.",
        ),
    ],
)
def test_list_return_reason_codes_refusals(http: httpx.Client, params: dict[str, str], message: str) -> None:
    found = error(call(http, "ListReturnReasonCodes", params))
    assert (found.status, found.code, found.message) == (400, "InvalidParameterValue", message)


def test_list_return_reason_codes_for_an_order_of_another_marketplace(
    stocked: Server, mws: OutboundClient, http: httpx.Client
) -> None:
    place_and_ship(stocked, mws)
    found = error(
        call(
            http,
            "ListReturnReasonCodes",
            {"SellerSKU": MUG, "SellerFulfillmentOrderId": "MCF-1001", "MarketplaceId": DE},
        )
    )
    assert (found.code, found.message) == (
        "InvalidParameterValue",
        f"Value {DE} for parameter MarketplaceId is invalid.",
    )


@pytest.mark.parametrize(
    ("drop", "message"),
    [
        ("SellerFulfillmentOrderId", "Missing required parameter SellerFulfillmentOrderId."),
        ("Items", "Missing required parameter Items."),
        ("Items.member.1.SellerReturnItemId", "Missing required parameter Items.member.1.SellerReturnItemId."),
        (
            "Items.member.1.SellerFulfillmentOrderItemId",
            "Missing required parameter Items.member.1.SellerFulfillmentOrderItemId.",
        ),
        ("Items.member.1.AmazonShipmentId", "Missing required parameter Items.member.1.AmazonShipmentId."),
        ("Items.member.1.ReturnReasonCode", "Missing required parameter Items.member.1.ReturnReasonCode."),
    ],
)
def test_create_fulfillment_return_missing_parameters(
    stocked: Server, mws: OutboundClient, http: httpx.Client, drop: str, message: str
) -> None:
    shipment = place_and_ship(stocked, mws)
    params = return_params("MCF-1001", ("R1", "MCF-1001-1", shipment, "CR-DEFECTIVE", None))
    params = {k: v for k, v in params.items() if not k.startswith(drop)}
    found = error(call(http, "CreateFulfillmentReturn", params))
    assert (found.status, found.code, found.message) == (400, "InvalidParameterValue", message)
    assert mws.get_fulfillment_order("MCF-1001").return_items == ()


def test_create_fulfillment_return_unknown_or_foreign_order(stocked: Server, http: httpx.Client) -> None:
    found = error(
        call(http, "CreateFulfillmentReturn", return_params("MCF-404", ("R1", "L", "D", "CR-DEFECTIVE", None)))
    )
    assert (found.status, found.code, found.message) == (
        400,
        "InvalidParameterValue",
        "Value MCF-404 for parameter SellerFulfillmentOrderId is invalid.",
    )


def test_refused_units_with_every_reason(stocked: Server, mws: OutboundClient) -> None:
    shipment = place_and_ship(stocked, mws)
    mws.create_fulfillment_order("MCF-1002", JANE, [CreateItem(MUG, "MCF-1002-1", 1)])  # not shipped yet
    result = mws.create_fulfillment_return(
        "MCF-1001",
        [
            CreateReturnItem("R1", "MCF-1001-1", shipment, "CR-DEFECTIVE"),
            CreateReturnItem("R1", "MCF-1001-1", shipment, "CR-DEFECTIVE"),
            CreateReturnItem("R2", "MCF-1001-1", shipment, "CR-SWITCHEROO"),
            CreateReturnItem("R3", "MCF-1001-1", "DNOTOURS1", "CR-DEFECTIVE"),
            CreateReturnItem("R" * 81, "MCF-1001-1", shipment, "CR-DEFECTIVE"),
            CreateReturnItem("R4", "MCF-1001-1", shipment, "CR-DEFECTIVE"),
            CreateReturnItem("R5", "MCF-1001-1", shipment, "CR-DEFECTIVE"),
        ],
    )
    assert [r.seller_return_item_id for r in result.return_items] == ["R1", "R4"]
    assert [(r.seller_return_item_id[:3], r.invalid_item_reason_code) for r in result.invalid_return_items] == [
        ("R1", "DuplicateRequest"),
        ("R2", "InvalidValues"),
        ("R3", "InvalidValues"),
        ("RRR", "InvalidValues"),
        ("R5", "NoReturnableQuantity"),
    ]
    pending = mws.create_fulfillment_return(
        "MCF-1002", [CreateReturnItem("R1", "MCF-1002-1", "DNONEYET1", "CR-DEFECTIVE")]
    )
    assert [(r.invalid_item_reason_code, r.description) for r in pending.invalid_return_items] == [
        ("NoCompletedShipItems", "The item has not shipped yet.")
    ]


# ------------------------------------------------------------------------------------------------ the CLI


WIDE = {"COLUMNS": "220"}  # Rich wraps table cells to the terminal's width


def test_cli_return_scenarios_and_listing(stocked: Server, mws: OutboundClient, runner: CliRunner) -> None:
    db_url = stocked.ctx.db.url
    shipment = place_and_ship(stocked, mws)
    args = ["scenario", "add", SELLER, "return", "--set", "condition=CarrierDamaged", "--order", "MCF-1001"]
    added = runner.invoke(main, [*args, "--db", db_url], catch_exceptions=False)
    assert added.exit_code == 0, added.output
    refused = runner.invoke(main, ["scenario", "add", SELLER, "return", "--set", "condition=Broken", "--db", db_url])
    assert refused.exit_code != 0 and "condition must be one of" in refused.output
    refused = runner.invoke(main, ["scenario", "add", SELLER, "return", "--set", "arrives=soon", "--db", db_url])
    assert refused.exit_code != 0 and "never" in refused.output

    result = mws.create_fulfillment_return(
        "MCF-1001",
        [
            CreateReturnItem("RET-1", "MCF-1001-1", shipment, "CR-DEFECTIVE"),
            CreateReturnItem("RET-2", "MCF-1001-2", shipment, "CR-UNWANTED_ITEM"),
        ],
    )
    listed = runner.invoke(
        main, ["returns", "list", SELLER, "MCF-1001", "--db", db_url], env=WIDE, catch_exceptions=False
    )
    assert listed.exit_code == 0, listed.output
    assert "RET-1" in listed.output and "RET-2" in listed.output and "New" in listed.output
    assert result.return_authorizations[0].amazon_rma_id in listed.output and "ONT8" in listed.output

    simulation.advance(stocked.ctx.db, timedelta(days=15))
    listed = runner.invoke(
        main, ["returns", "list", SELLER, "MCF-1001", "--db", db_url], env=WIDE, catch_exceptions=False
    )
    assert listed.output.count("Processed") == 2 and listed.output.count("CarrierDamaged") == 2

    missing = runner.invoke(main, ["returns", "list", SELLER, "MCF-404", "--db", db_url])
    assert missing.exit_code != 0 and "no order MCF-404" in missing.output


def test_cli_never_arrives(stocked: Server, mws: OutboundClient, runner: CliRunner) -> None:
    db_url = stocked.ctx.db.url
    shipment = place_and_ship(stocked, mws)
    added = runner.invoke(
        main, ["scenario", "add", SELLER, "return", "--set", "arrives=never", "--db", db_url], catch_exceptions=False
    )
    assert added.exit_code == 0, added.output
    mws.create_fulfillment_return("MCF-1001", [CreateReturnItem("RET-1", "MCF-1001-1", shipment, "CR-DEFECTIVE")])
    simulation.advance(stocked.ctx.db, timedelta(days=30))
    (returned,) = mws.get_fulfillment_order("MCF-1001").return_items
    assert returned.status == "New"
