"""The return rules (domain/returns.py): reason codes per category and marketplace, languages, the per-unit checks in
their documented order, returns centers and their addresses, authorization ids, and grading (docs/mws-protocol.md "Operations";
docs/world.md "Returns")."""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from outbound.domain import returns as rules
from outbound.domain.orders import (
    CANCELLED_BY_FULFILLER,
    COMPLETE,
    PENDING,
    SHIPPED,
    Address,
    Order,
    OrderItem,
    ReturnItem,
    Shipment,
    ShipmentItem,
)
from outbound.domain.returns import ReturnRequest
from outbound.domain.scenarios import validate
from outbound.domain.shipping import rng_for
from outbound.domain.world import WORLD

US = WORLD.marketplaces["ATVPDKIKX0DER"]
UK = WORLD.marketplaces["A1F83G8C2ARO7P"]
DE = WORLD.marketplaces["A1PA6795UKMFR9"]
JP = WORLD.marketplaces["A1VC38T7YXB528"]
NOW = datetime(2026, 11, 30, 14, 6, 10, tzinfo=UTC)
SEVEN = ("US", "DE", "FR", "IT", "UK", "JP", "AU")
EXAMPLE_CODES = ["CR-UNWANTED_ITEM", "CR-DEFECTIVE", "CR-DAMAGED_BY_CARRIER"]


def by_country(country: str) -> rules.Marketplace:
    return next(m for m in WORLD.marketplaces.values() if m.country == country)


def order(*shipments: Shipment, returns: list[ReturnItem] | None = None) -> Order:
    """The example order MCF-1001: two mugs (line -1) and one tea sampler (line -2)."""
    return Order(
        seller_id="A2NKEXAMPLEF53",
        seller_order_id="MCF-1001",
        marketplace_id=US.marketplace_id,
        displayable_order_id="WEB-48213",
        displayable_order_at=NOW,
        displayable_order_comment="Thanks",
        shipping_speed="Standard",
        destination=Address({"Name": "Jane", "Line1": "x", "StateOrProvinceCode": "WA", "CountryCode": "US"}),
        fulfillment_action="Ship",
        fulfillment_policy="FillOrKill",
        fulfillment_method="Consumer",
        received_at=NOW,
        status=COMPLETE,
        status_updated_at=NOW,
        items=[OrderItem("BLUE-MUG-12OZ", "MCF-1001-1", 2), OrderItem("TEA-SAMPLER-6", "MCF-1001-2", 1)],
        shipments=list(shipments),
        returns=returns or [],
    )


def shipment(shipment_id: str = "DkTw7JbSN", status: str = SHIPPED, mugs: int = 2, teas: int = 1) -> Shipment:
    items = []
    if mugs:
        items.append(ShipmentItem("BLUE-MUG-12OZ", "MCF-1001-1", mugs))
    if teas:
        items.append(ShipmentItem("TEA-SAMPLER-6", "MCF-1001-2", teas))
    return Shipment(shipment_id, "BFI4", status, NOW, NOW, items)


def stored(return_id: str, item_id: str = "MCF-1001-1", shipment_id: str = "DkTw7JbSN") -> ReturnItem:
    return ReturnItem(return_id, item_id, shipment_id, "CR-DEFECTIVE", rules.NEW, NOW, "41823077512")


def unit(
    return_id: str,
    item_id: str = "MCF-1001-1",
    shipment_id: str = "DkTw7JbSN",
    reason: str = "CR-DEFECTIVE",
    comment: str | None = None,
) -> ReturnRequest:
    return ReturnRequest(return_id, item_id, shipment_id, reason, comment)


CODES = {"BLUE-MUG-12OZ": set(EXAMPLE_CODES), "TEA-SAMPLER-6": set(EXAMPLE_CODES)}


def verdicts(checked: rules.Checked) -> dict[str, str]:
    found = {r.seller_return_item_id: "accepted" for r in checked.accepted}
    found.update({r.seller_return_item_id: r.reason_code for r in checked.refused})
    return found


# ------------------------------------------------------------------------------------------------ reason codes


def test_default_category_gives_the_example_codes_in_data_order() -> None:
    assert [c.code for c in rules.codes_for("default", US)] == EXAMPLE_CODES


def test_unknown_category_reads_as_default() -> None:
    assert rules.codes_for("kitchen", US) == rules.codes_for("default", US)


def test_categories_differ() -> None:
    electronics = {c.code for c in rules.codes_for("electronics", US)}
    assert {"CR-MISSING_PARTS", "CR-NOT_COMPATIBLE", *EXAMPLE_CODES} <= electronics
    assert "CR-NOT_COMPATIBLE" not in {c.code for c in rules.codes_for("apparel", US)}
    assert {c.code for c in rules.codes_for("grocery", US)} == {
        "CR-DAMAGED_BY_CARRIER",
        "CR-SWITCHEROO",
        "CR-MISSED_ESTIMATED_DELIVERY",
    }
    assert len(rules.codes_for("all", US)) == len(rules.all_reason_codes()) == 15


@pytest.mark.parametrize("country", ["UK", "DE", "FR", "IT"])
def test_withdrawal_without_reason_in_europe(country: str) -> None:
    codes = [c.code for c in rules.codes_for("default", by_country(country))]
    assert codes == [*EXAMPLE_CODES, "CR-NO_REASON_GIVEN"]


@pytest.mark.parametrize("country", ["US", "JP", "AU"])
def test_no_withdrawal_code_elsewhere(country: str) -> None:
    assert "CR-NO_REASON_GIVEN" not in {c.code for c in rules.codes_for("default", by_country(country))}


def test_a_category_without_codes_stays_empty_everywhere() -> None:
    for country in SEVEN:
        assert rules.codes_for("gift_card", by_country(country)) == ()


def test_every_code_has_every_translation() -> None:
    for code in rules.all_reason_codes():
        assert code.code.startswith("CR-") and code.code.upper() == code.code
        assert {"en_US", "de_DE", "fr_FR", "it_IT", "es_ES", "ja_JP"} <= set(code.translations)


@pytest.mark.parametrize(
    ("language", "marketplace", "key"),
    [
        ("de_DE", US, "de_DE"),
        ("de", US, "de_DE"),
        ("de-DE", US, "de_DE"),
        ("DE_de", US, "de_DE"),
        ("fr", US, "fr_FR"),
        ("fr_CA", US, "fr_FR"),
        ("it", US, "it_IT"),
        ("es_ES", US, "es_ES"),
        ("es_MX", US, "es_ES"),
        ("ja", US, "ja_JP"),
        ("ja_JP", JP, "ja_JP"),
        ("en", US, "en_US"),
        ("en", UK, "en_GB"),
        ("en_US", UK, "en_US"),
        ("en_AU", US, "en_AU"),
        ("en_CA", US, "en_US"),
        ("pt_BR", US, None),
        ("zh", DE, None),
        ("", US, None),
        (None, US, None),
        ("de_DE_x", US, None),
        ("1_DE", US, None),
    ],
)
def test_translation_key(language: str | None, marketplace: rules.Marketplace, key: str | None) -> None:
    assert rules.translation_key(language, marketplace) == key


def test_reason_code_details_translate_only_for_a_valid_language() -> None:
    codes = rules.codes_for("default", US)
    spanish = rules.reason_code_details(codes, "es_ES", US)
    assert [(d.return_reason_code, d.description, d.translated_description) for d in spanish] == [
        ("CR-UNWANTED_ITEM", "No longer needed", "Ya no lo necesito"),
        ("CR-DEFECTIVE", "Item defective or does not work", "Artículo defectuoso o no funciona"),
        ("CR-DAMAGED_BY_CARRIER", "Product and shipping box both damaged", "Producto y caja de envío dañados"),
    ]
    assert all(d.translated_description is None for d in rules.reason_code_details(codes, "xx_XX", US))
    assert all(d.translated_description is None for d in rules.reason_code_details(codes, None, US))
    german = rules.reason_code_details(codes, "de", US)
    assert german[0].description == "No longer needed" and german[0].translated_description == "Nicht mehr benötigt"


# ------------------------------------------------------------------------------------------------ the checks


def test_the_example_call_and_its_resubmission() -> None:
    """The CreateFulfillmentReturn example (tests/fixtures/responses): two accepted, a second tea sampler refused; sent again, nothing new."""
    requests = [
        unit("RET-1001-1", comment="Handle cracked on arrival"),
        unit("RET-1001-2", "MCF-1001-2", reason="CR-UNWANTED_ITEM"),
        unit("RET-1001-3", "MCF-1001-2", reason="CR-UNWANTED_ITEM"),
    ]
    first = rules.check_returns(order(shipment()), requests, CODES)
    assert first.accepted == tuple(requests[:2])
    assert first.refused == (
        rules.InvalidReturnItem(
            "RET-1001-3",
            "MCF-1001-2",
            "NoReturnableQuantity",
            "All returnable quantity for this item has already been requested.",
        ),
    )
    kept = [stored("RET-1001-1"), stored("RET-1001-2", "MCF-1001-2")]
    again = rules.check_returns(order(shipment(), returns=kept), requests, CODES)
    assert again.accepted == ()
    assert [(r.seller_return_item_id, r.reason_code, r.description) for r in again.refused] == [
        ("RET-1001-1", "DuplicateRequest", "A return was already requested for this item."),
        ("RET-1001-2", "DuplicateRequest", "A return was already requested for this item."),
        ("RET-1001-3", "NoReturnableQuantity", "All returnable quantity for this item has already been requested."),
    ]


@pytest.mark.parametrize(
    ("request_", "description"),
    [
        (unit("R", item_id="MCF-1001-9"), rules.NOT_FOUND),  # not a line of the order
        (unit("R", shipment_id="DzzzzzzzZ"), rules.NOT_FOUND),  # not a shipment of the order
        (unit("R", reason="CR-NOT_A_CODE"), "Return reason code CR-NOT_A_CODE is not valid for this item."),
        (unit("R", reason="CR-MISSING_PARTS"), "Return reason code CR-MISSING_PARTS is not valid for this item."),
        (unit("R" * 81), "SellerReturnItemId is longer than 80 characters."),
        (unit("R", comment="c" * 1001), "ReturnComment is longer than 1000 characters."),
        (unit("R", item_id="L" * 51), "SellerFulfillmentOrderItemId is longer than 50 characters."),
        (unit("R", shipment_id="D" * 17), "AmazonShipmentId is longer than 16 characters."),
        (unit("R", reason="C" * 65), "ReturnReasonCode is longer than 64 characters."),
    ],
)
def test_invalid_values(request_: ReturnRequest, description: str) -> None:
    checked = rules.check_returns(order(shipment()), [request_], CODES)
    assert checked.accepted == ()
    assert [(r.reason_code, r.description) for r in checked.refused] == [("InvalidValues", description)]


def test_limits_are_inclusive() -> None:
    ok = unit("R" * 80, comment="c" * 1000)
    assert rules.check_returns(order(shipment()), [ok], CODES).accepted == (ok,)


def test_a_shipment_that_did_not_carry_the_line_is_invalid() -> None:
    mugs_only = shipment("DmugsOnly", mugs=2, teas=0)
    teas_only = shipment("DteasOnly", mugs=0, teas=1)
    checked = rules.check_returns(order(mugs_only, teas_only), [unit("R", "MCF-1001-2", "DmugsOnly")], CODES)
    assert [(r.reason_code, r.description) for r in checked.refused] == [("InvalidValues", rules.NOT_FOUND)]
    checked = rules.check_returns(order(mugs_only, teas_only), [unit("R", "MCF-1001-2", "DteasOnly")], CODES)
    assert len(checked.accepted) == 1


def test_a_reason_code_is_checked_against_the_lines_own_sku() -> None:
    codes = {"BLUE-MUG-12OZ": {"CR-DEFECTIVE"}, "TEA-SAMPLER-6": {"CR-UNWANTED_ITEM"}}
    checked = rules.check_returns(
        order(shipment()),
        [unit("A", reason="CR-UNWANTED_ITEM"), unit("B", "MCF-1001-2", reason="CR-UNWANTED_ITEM")],
        codes,
    )
    assert verdicts(checked) == {"A": "InvalidValues", "B": "accepted"}


def test_duplicate_of_a_stored_return() -> None:
    checked = rules.check_returns(order(shipment(), returns=[stored("R1")]), [unit("R1")], CODES)
    assert [(r.reason_code, r.description) for r in checked.refused] == [("DuplicateRequest", rules.ALREADY_REQUESTED)]


def test_duplicate_within_one_call() -> None:
    checked = rules.check_returns(order(shipment()), [unit("R1"), unit("R1")], CODES)
    assert len(checked.accepted) == 1
    assert [r.reason_code for r in checked.refused] == ["DuplicateRequest"]


def test_an_id_refused_earlier_counts_as_new() -> None:
    """A refused unit is not stored, so the same id is checked again like a new one (and may now pass)."""
    first = rules.check_returns(order(shipment()), [unit("R1", reason="CR-BOGUS"), unit("R1")], CODES)
    assert first.accepted == (unit("R1"),)
    assert [(r.seller_return_item_id, r.reason_code) for r in first.refused] == [("R1", "InvalidValues")]


def test_an_id_is_unique_per_order_not_per_line() -> None:
    checked = rules.check_returns(
        order(shipment(), returns=[stored("R1", "MCF-1001-1")]), [unit("R1", "MCF-1001-2")], CODES
    )
    assert [r.reason_code for r in checked.refused] == ["DuplicateRequest"]


@pytest.mark.parametrize("status", [PENDING, CANCELLED_BY_FULFILLER, "CANCELLED_BY_SELLER"])
def test_no_completed_ship_items(status: str) -> None:
    checked = rules.check_returns(order(shipment(status=status)), [unit("R1")], CODES)
    assert [(r.reason_code, r.description) for r in checked.refused] == [
        ("NoCompletedShipItems", "The item has not shipped yet.")
    ]


def test_units_are_returnable_from_the_shipment_that_carried_them() -> None:
    """Line 1 shipped one unit in each of two shipments: each shipment gives back one unit."""
    first = shipment("DfirstOne", mugs=1, teas=1)
    second = shipment("DsecondOn", mugs=1, teas=0)
    checked = rules.check_returns(
        order(first, second), [unit("A", shipment_id="DfirstOne"), unit("B", shipment_id="DfirstOne")], CODES
    )
    assert verdicts(checked) == {"A": "accepted", "B": "NoReturnableQuantity"}
    checked = rules.check_returns(
        order(first, second), [unit("A", shipment_id="DfirstOne"), unit("B", shipment_id="DsecondOn")], CODES
    )
    assert verdicts(checked) == {"A": "accepted", "B": "accepted"}


def test_a_partly_shipped_line() -> None:
    """One mug shipped, one still pending in another shipment: one unit returnable, the pending one not yet."""
    checked = rules.check_returns(
        order(shipment("Dshipped1", mugs=1, teas=1), shipment("Dpending1", PENDING, mugs=1, teas=0)),
        [unit("A", shipment_id="Dshipped1"), unit("B", shipment_id="Dpending1"), unit("C", shipment_id="Dshipped1")],
        CODES,
    )
    assert verdicts(checked) == {"A": "accepted", "B": "NoCompletedShipItems", "C": "NoReturnableQuantity"}


def test_no_returnable_quantity_counts_stored_and_new_units() -> None:
    kept = [stored("OLD")]
    checked = rules.check_returns(order(shipment(), returns=kept), [unit("A"), unit("B")], CODES)
    assert verdicts(checked) == {"A": "accepted", "B": "NoReturnableQuantity"}
    assert checked.refused[0].description == rules.NOTHING_LEFT


def test_an_order_without_shipments() -> None:
    """RECEIVED / PLANNING (docs/mws-protocol.md "Operations"): no shipment to check the id against; the unit has not shipped."""
    checked = rules.check_returns(order(), [unit("A"), unit("B", "MCF-1001-2", "anything")], CODES)
    assert [(r.reason_code, r.description) for r in checked.refused] == [
        ("NoCompletedShipItems", rules.NOT_SHIPPED),
        ("NoCompletedShipItems", rules.NOT_SHIPPED),
    ]
    # the line and the reason code are still checked
    checked = rules.check_returns(order(), [unit("C", "MCF-1001-9"), unit("D", reason="CR-X")], CODES)
    assert [r.reason_code for r in checked.refused] == ["InvalidValues", "InvalidValues"]


def test_a_line_not_planned_yet_while_another_is() -> None:
    """Only the tea sampler is in a shipment: a mug names no shipment that can be checked yet."""
    teas_only = shipment("DteasOnly", mugs=0, teas=1)
    checked = rules.check_returns(order(teas_only), [unit("A", shipment_id="DteasOnly")], CODES)
    assert [r.reason_code for r in checked.refused] == ["NoCompletedShipItems"]


def test_checks_run_in_the_documented_order() -> None:
    """InvalidValues before DuplicateRequest before NoCompletedShipItems before NoReturnableQuantity."""
    # a stored id sent again with a bad reason code: InvalidValues, not DuplicateRequest
    checked = rules.check_returns(order(shipment(), returns=[stored("R1")]), [unit("R1", reason="CR-X")], CODES)
    assert [r.reason_code for r in checked.refused] == ["InvalidValues"]
    # a stored id naming a shipment that is now cancelled: DuplicateRequest, not NoCompletedShipItems
    checked = rules.check_returns(
        order(shipment(status=CANCELLED_BY_FULFILLER), returns=[stored("R1")]), [unit("R1")], CODES
    )
    assert [r.reason_code for r in checked.refused] == ["DuplicateRequest"]
    # every unit of the line taken and the id already used: DuplicateRequest, not NoReturnableQuantity
    full = [stored("R1"), stored("R2")]
    checked = rules.check_returns(order(shipment(), returns=full), [unit("R1"), unit("R3")], CODES)
    assert verdicts(checked) == {"R1": "DuplicateRequest", "R3": "NoReturnableQuantity"}
    # a pending shipment with nothing left: NoCompletedShipItems first
    checked = rules.check_returns(order(shipment(status=PENDING)), [unit("R4")], CODES)
    assert [r.reason_code for r in checked.refused] == ["NoCompletedShipItems"]


def test_refused_and_accepted_keep_request_order() -> None:
    requests = [unit("A"), unit("B", reason="CR-X"), unit("C"), unit("D", "MCF-1001-2", reason="CR-UNWANTED_ITEM")]
    checked = rules.check_returns(order(shipment()), requests, CODES)
    assert [r.seller_return_item_id for r in checked.accepted] == ["A", "C", "D"]
    assert [r.seller_return_item_id for r in checked.refused] == ["B"]


def test_every_reason_code_is_an_mws_value() -> None:
    assert set(rules.INVALID_ITEM_REASONS) == {
        "InvalidValues",
        "DuplicateRequest",
        "NoCompletedShipItems",
        "NoReturnableQuantity",
    }


# ------------------------------------------------------------------------------------------------ centers and ids


def test_a_returns_center_in_each_returns_marketplace() -> None:
    for country in SEVEN:
        marketplace = by_country(country)
        assert marketplace.returns_available
        center = rules.returns_center(marketplace, None)
        assert center is not None and center.handles_returns and center.country == country


@pytest.mark.parametrize(
    ("state", "expected"),
    [(("WA", (47.6, -122.3)), "ONT8"), (("TX", (32.8, -96.8)), "DFW7"), (("NJ", (40.7, -74.2)), "ABE8")],
)
def test_the_nearest_us_returns_center(state: tuple[str, tuple[float, float]], expected: str) -> None:
    center = rules.returns_center(US, state[1])
    assert center is not None and center.code == expected


def test_return_address_of_ont8_is_the_examples() -> None:
    assert rules.return_address(WORLD.centers["ONT8"]).fields == {
        "Name": "Amazon Returns ONT8",
        "Line1": "24208 San Michele Rd",
        "City": "Moreno Valley",
        "StateOrProvinceCode": "CA",
        "CountryCode": "US",
        "PostalCode": "92551",
    }


def test_return_address_of_a_uk_center_says_gb() -> None:
    address = rules.return_address(WORLD.centers["LTN1"])
    assert address.fields == {
        "Name": "Amazon Returns LTN1",
        "Line1": "LTN1 Returns",
        "City": "Ridgmont",
        "StateOrProvinceCode": "Bedfordshire",
        "CountryCode": "GB",
        "PostalCode": "MK43 0ZA",
    }


def test_every_returns_center_has_a_complete_address() -> None:
    for center in WORLD.centers.values():
        if center.handles_returns:
            fields = rules.return_address(center).fields
            assert all(fields[k] for k in ("Name", "Line1", "City", "StateOrProvinceCode", "CountryCode", "PostalCode"))
            assert fields["CountryCode"] != "UK"


def test_authorization_and_rma_ids_are_unique_and_well_formed() -> None:
    rows = range(1, 50_001)
    authorizations = {rules.authorization_id(n) for n in rows}
    rmas = {rules.rma_id(n) for n in rows}
    assert len(authorizations) == len(rmas) == len(rows)
    assert all(re.fullmatch(r"[1-9]\d{10}", a) for a in authorizations)
    assert all(re.fullmatch(r"D[0-9A-Za-z]{7}RRMA", r) for r in rmas)
    assert rules.authorization_id(7) == rules.authorization_id(7) and rules.rma_id(7) == rules.rma_id(7)


def test_rma_url_per_marketplace() -> None:
    assert rules.rma_url(US, "DQmKt3s7RRMA") == "https://sellercentral.amazon.com/mcf/returns/label?rmaId=DQmKt3s7RRMA"
    assert rules.rma_url(UK, "D1234567RRMA").startswith("https://sellercentral.amazon.co.uk/")
    assert rules.rma_url(JP, "D1234567RRMA").startswith("https://sellercentral.amazon.co.jp/")


# ------------------------------------------------------------------------------------------------ receipt


def test_transit_is_one_to_fourteen_days_and_seeded() -> None:
    draws = [rules.transit(rng_for("S", f"O{n}", "return/R/transit")) for n in range(2000)]
    assert all(timedelta(days=1) <= d <= timedelta(days=14) for d in draws)
    assert min(draws) < timedelta(days=2) and max(draws) > timedelta(days=13)
    again = [rules.transit(rng_for("S", f"O{n}", "return/R/transit")) for n in range(2000)]
    assert draws == again


def test_grading_is_deterministic_per_seed() -> None:
    first = [rules.grade(rng_for("S", "O1", f"return/R{n}/grade")) for n in range(500)]
    second = [rules.grade(rng_for("S", "O1", f"return/R{n}/grade")) for n in range(500)]
    assert first == second
    assert len(set(first)) > 1


def test_default_grading_rates() -> None:
    rng = random.Random(20261130)
    counts = Counter(rules.grade(rng) for _ in range(40_000))
    share = {k: v / 40_000 for k, v in counts.items()}
    assert share["Sellable"] == pytest.approx(0.70, abs=0.015)
    assert share["CustomerDamaged"] == pytest.approx(0.15, abs=0.01)
    assert share["Defective"] == pytest.approx(0.10, abs=0.01)
    assert share["CarrierDamaged"] == pytest.approx(0.05, abs=0.008)
    assert "FulfillerDamaged" not in share
    assert set(share) <= set(rules.RECEIVED_CONDITIONS)


def test_grading_rates_are_configurable() -> None:
    rng = random.Random(1)
    assert {rules.grade(rng, rules.GradingRates(1, 0, 0, 0, 0)) for _ in range(200)} == {"Sellable"}
    assert {rules.grade(rng, rules.GradingRates(0, 0, 0, 0, 2)) for _ in range(200)} == {"FulfillerDamaged"}
    half = Counter(rules.grade(rng, rules.GradingRates(1, 0, 1, 0, 0)) for _ in range(10_000))
    assert set(half) == {"Sellable", "Defective"} and abs(half["Sellable"] - 5000) < 300


@pytest.mark.parametrize("rates", [(0, 0, 0, 0, 0), (-0.1, 0.5, 0.3, 0.2, 0.1)])
def test_grading_rates_refuse_nonsense(rates: tuple[float, ...]) -> None:
    with pytest.raises(ValueError):
        rules.GradingRates(*rates)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("Sellable", "CR-UNWANTED_ITEM"),
        ("CustomerDamaged", "CR-UNWANTED_ITEM"),
        ("Defective", "CR-DEFECTIVE"),
        ("CarrierDamaged", "CR-DAMAGED_BY_CARRIER"),
        ("FulfillerDamaged", "CR-DAMAGED_BY_FC"),
    ],
)
def test_amazon_reason_code(condition: str, expected: str) -> None:
    assert rules.amazon_reason_code(condition, "CR-UNWANTED_ITEM") == expected


# ------------------------------------------------------------------------------------------------ scenarios


@pytest.mark.parametrize(
    "params",
    [{"condition": c} for c in rules.RECEIVED_CONDITIONS]
    + [{"arrives": "never"}, {"condition": "Sellable", "arrives": "never"}],
)
def test_return_scenarios_accepted(params: dict[str, str]) -> None:
    validate("return", params)


@pytest.mark.parametrize(
    "params", [{}, {"condition": "sellable"}, {"condition": "Broken"}, {"arrives": "later"}, {"speed": "2"}]
)
def test_return_scenarios_refused(params: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        validate("return", params)
