"""Size tiers, dimensional and shipping weights, and the fee lookup (per speed, multi-unit, currencies, COD)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from outbound.domain.catalog import EXAMPLE_SPECS, item_spec
from outbound.domain.fees import (
    DEFAULT_DIMENSIONS,
    DEFAULT_SPEC_WEIGHT_LB,
    Dimensions,
    ItemSpec,
    dimensional_weight_lb,
    estimate_fees,
    line_weight,
    order_shipping_weight,
    round_shipping_weight,
    shipping_weight,
    size_tier,
    unit_discount,
    weight_unit,
)
from outbound.domain.world import WORLD


def spec(weight: str, *sides: str, sku: str = "SKU") -> ItemSpec:
    return ItemSpec(sku, Decimal(weight), Dimensions(*(Decimal(s) for s in sides)) if sides else None)


def per_unit(fees: list[tuple[str, Decimal]]) -> Decimal:
    return dict(fees)["FBAPerUnitFulfillmentFee"]


FLAT = spec("0.3", "8", "6", "0.5")  # small standard: 0.55 lb packed → 0.6 lb → band ≤ 1 lb
BOOK = spec("1.5", "10", "7", "2")  # large standard: 1.75 lb packed → 2 lb
HEAVY = spec("7.6", "14", "10", "6")  # large standard: 7.85 lb packed → 8 lb (per-lb band)
SOFA = spec("40", "30", "20", "9")  # large bulky by size; 41 lb packed (dimensional 38.85 lb)


# ---------------------------------------------------------------------------------------------- size tiers


def test_size_tiers() -> None:
    assert size_tier(FLAT) == "small_standard"
    assert size_tier(BOOK) == "large_standard"
    assert size_tier(SOFA) == "large_bulky"
    assert size_tier(spec("60", "30", "20", "9")) == "extra_large"  # over 50 lb
    assert size_tier(spec("1", "80", "10", "10")) == "extra_large"  # longer than 59 in


def test_size_tier_ignores_orientation_and_checks_weight() -> None:
    assert size_tier(spec("0.3", "0.5", "6", "8")) == "small_standard"
    assert size_tier(spec("1.2", "8", "6", "0.5")) == "large_standard"  # thin but over 1 lb
    assert size_tier(spec("0.5", "16", "6", "0.5")) == "large_standard"  # longer than 15 in


def test_missing_dimensions_use_the_default_item() -> None:
    unknown = ItemSpec("X", DEFAULT_SPEC_WEIGHT_LB, None)
    assert size_tier(unknown) == "large_standard"
    assert line_weight(unknown, 1) == line_weight(ItemSpec("X", Decimal("1"), DEFAULT_DIMENSIONS), 1)
    assert item_spec("X") == ItemSpec("X", Decimal("1"), DEFAULT_DIMENSIONS)
    assert item_spec("X", 0, 0, 3, 3) == ItemSpec("X", Decimal("1"), DEFAULT_DIMENSIONS)
    assert item_spec("X", "2.5", 3, 2, 1) == ItemSpec(
        "X", Decimal("2.5"), Dimensions(Decimal(3), Decimal(2), Decimal(1))
    )


# ------------------------------------------------------------------------------------------------- weights


def test_dimensional_weight_uses_the_139_divisor() -> None:
    assert dimensional_weight_lb(Dimensions(Decimal("10"), Decimal("8"), Decimal("4"))) == Decimal("2.3022")
    assert dimensional_weight_lb(Dimensions(Decimal("13.9"), Decimal("10"), Decimal("1"))) == Decimal("1.0000")


def test_package_or_dimensional_whichever_is_heavier() -> None:
    assert line_weight(BOOK, 1) == (Decimal("1.750"), "Package")  # dimensional 1.0072 < 1.5
    airy = spec("0.2", "10", "8", "4")  # dimensional 2.3022 lb
    assert line_weight(airy, 1) == (Decimal("2.552"), "Dimensional")
    assert line_weight(airy, 3) == (Decimal("7.657"), "Dimensional")


def test_example_weights() -> None:
    mug, sampler = EXAMPLE_SPECS["BLUE-MUG-12OZ"], EXAMPLE_SPECS["TEA-SAMPLER-6"]
    assert line_weight(mug, 2) == (Decimal("2.200"), "Package")
    assert line_weight(sampler, 1) == (Decimal("0.650"), "Dimensional")
    assert order_shipping_weight([(mug, 2), (sampler, 1)]) == Decimal("3")
    tin = EXAMPLE_SPECS["JP-TEA-TIN-100G"]
    assert line_weight(tin, 1, "kilograms") == (Decimal("0.310"), "Package")
    assert order_shipping_weight([(tin, 1)], "kilograms") == Decimal("0.4")


def test_rounding_rules() -> None:
    assert round_shipping_weight(Decimal("1.01"), small_standard=True) == Decimal("2")
    assert round_shipping_weight(Decimal("2.000"), small_standard=False) == Decimal("2")
    assert round_shipping_weight(Decimal("0.55"), small_standard=True) == Decimal("0.6")
    assert round_shipping_weight(Decimal("0.55"), small_standard=False) == Decimal("1")
    assert round_shipping_weight(Decimal("1"), small_standard=True) == Decimal("1.0")
    assert shipping_weight(FLAT, 1) == (Decimal("0.6"), "Package")
    assert shipping_weight(FLAT, 2) == (Decimal("2"), "Package")  # 1.1 lb
    assert shipping_weight(BOOK, 1) == (Decimal("2"), "Package")


def test_order_weight_rounds_to_a_tenth_only_when_all_units_are_small() -> None:
    assert order_shipping_weight([(FLAT, 1)]) == Decimal("0.6")
    assert order_shipping_weight([(FLAT, 1), (spec("0.1", "3", "3", "3"), 1)]) == Decimal("1")
    assert order_shipping_weight([]) == Decimal("0")


def test_weight_units_per_marketplace() -> None:
    units = {m.country: weight_unit(m) for m in WORLD.marketplaces.values()}
    assert units["US"] == "pounds" and units["JP"] == "kilograms" and units["UK"] == "kilograms"
    with pytest.raises(ValueError):
        line_weight(FLAT, 1, "stone")


# ---------------------------------------------------------------------------------------------------- fees


def test_fee_names_and_order() -> None:
    fees = estimate_fees([(FLAT, 1)], "Standard", "USD")
    assert [name for name, _ in fees] == [
        "FBAPerUnitFulfillmentFee",
        "FBAPerOrderFulfillmentFee",
        "FBATransportationFee",
    ]
    assert fees[1][1] == Decimal("0.00") and str(fees[2][1]) == "0.00"


@pytest.mark.parametrize(
    ("item", "speed", "expected"),
    [
        (FLAT, "Standard", "8.34"),
        (FLAT, "Expedited", "10.99"),
        (FLAT, "Priority", "19.75"),
        (spec("0.2", "8", "6", "0.5"), "Standard", "7.92"),  # 0.45 lb packed → band ≤ 0.5
        (BOOK, "Standard", "9.81"),
        (BOOK, "Priority", "23.33"),
        (HEAVY, "Standard", "12.91"),  # 10.81 + 0.42 × (8 − 3)
        (HEAVY, "Expedited", "16.06"),  # 13.66 + 0.48 × 5
        (SOFA, "Standard", "34.97"),  # 41 lb: 19.37 + 0.39 × 40 (above the first pound)
        (spec("40", "50", "30", "20"), "Standard", "103.61"),  # dimensional 215.83 + 1 → 217 lb: 19.37 + 0.39 × 216
    ],
)
def test_single_unit_fee_per_tier_weight_and_speed(item: ItemSpec, speed: str, expected: str) -> None:
    assert per_unit(estimate_fees([(item, 1)], speed, "USD")) == Decimal(expected)


def test_small_standard_over_a_pound_packed_moves_to_the_large_bands() -> None:
    assert per_unit(estimate_fees([(spec("0.9", "8", "6", "0.5"), 1)], "Standard", "USD")) == Decimal("9.81")


def test_extra_large_keeps_the_bulky_per_pound_rate() -> None:
    over_50_lb = spec("60", "30", "20", "9")  # 61 lb packed: 19.37 + 0.39 × 60
    assert per_unit(estimate_fees([(over_50_lb, 1)], "Standard", "USD")) == Decimal("42.77")


def test_multi_unit_discount() -> None:
    factors = ["1", "0.85", "0.75", "0.7", "0.7"]
    assert [unit_discount(n) for n in (1, 2, 3, 4, 40)] == [Decimal(f) for f in factors]
    assert per_unit(estimate_fees([(FLAT, 2)], "Standard", "USD")) == Decimal("14.18")  # 2 × 8.34 × 0.85
    assert per_unit(estimate_fees([(FLAT, 1), (BOOK, 2)], "Standard", "USD")) == Decimal("20.97")  # 27.96 × 0.75
    assert per_unit(estimate_fees([(FLAT, 5)], "Expedited", "USD")) == Decimal("38.47")  # 54.95 × 0.7


def test_example_order_fees_per_speed() -> None:
    items = [(EXAMPLE_SPECS["BLUE-MUG-12OZ"], 2), (EXAMPLE_SPECS["TEA-SAMPLER-6"], 1)]
    amounts = [per_unit(estimate_fees(items, speed, "USD")) for speed in ("Standard", "Expedited", "Priority")]
    assert amounts == [Decimal("21.35"), Decimal("27.26"), Decimal("51.14")]
    assert amounts == sorted(amounts)


def test_jpy_is_whole_yen_and_cod_adds_its_fee() -> None:
    tin = EXAMPLE_SPECS["JP-TEA-TIN-100G"]
    plain = estimate_fees([(tin, 1)], "Standard", "JPY")
    cod = estimate_fees([(tin, 1)], "Standard", "JPY", cod=True)
    assert plain == [
        ("FBAPerUnitFulfillmentFee", Decimal("459")),
        ("FBAPerOrderFulfillmentFee", Decimal("0")),
        ("FBATransportationFee", Decimal("0")),
    ]
    assert cod == [*plain, ("FBAFulfillmentCODFee", Decimal("330"))]
    assert per_unit(estimate_fees([(tin, 1)], "ScheduledDelivery", "JPY")) == Decimal("604")  # Expedited bands


def test_other_currencies_use_the_factor_and_cents() -> None:
    assert per_unit(estimate_fees([(FLAT, 1)], "Standard", "EUR")) == Decimal("7.67")  # 8.34 × 0.92
    assert per_unit(estimate_fees([(FLAT, 1)], "Standard", "GBP")) == Decimal("6.67")  # 8.34 × 0.80


def test_refusals() -> None:
    with pytest.raises(ValueError):
        estimate_fees([(FLAT, 1)], "Standard", "XXX")
    with pytest.raises(ValueError):
        estimate_fees([(FLAT, 1)], "Teleport", "USD")
    with pytest.raises(ValueError):
        estimate_fees([(FLAT, 1)], "Standard", "USD", cod=True)


def test_no_units_no_fee() -> None:
    assert per_unit(estimate_fees([], "Standard", "USD")) == Decimal("0.00")
    assert per_unit(estimate_fees([(FLAT, 0)], "Standard", "USD")) == Decimal("0.00")
