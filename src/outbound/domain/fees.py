"""Weights and fees of a fulfillment preview, from ``data/fee_schedule_us.json`` (amounts estimated).

Weights (docs/world.md "Fees and weights"):

- a unit's **shipping weight** is max(unit weight, dimensional weight = L×W×H / 139) + the packaging weight of its
  size tier; ``Package`` or ``Dimensional`` says which of the two won (:func:`unit_weight`);
- an item's ``EstimatedShippingWeight`` is its line's weight **before rounding**, to three decimals
  (:func:`line_weight`, ``2.200`` for two 1.1 lb mugs);
- the preview's ``EstimatedShippingWeight`` is the sum of the line weights **rounded up**: to the next whole unit
  above 1, to the next 0.1 below 1 when every unit is small standard, else to 1 (:func:`order_shipping_weight`,
  ``3`` for 2.85 lb). :func:`shipping_weight` applies the same rounding to one line. Outside the US the weights
  are in kilograms, converted before rounding (a 0.310 kg line rounds to 0.4 kg).

Fees (:func:`estimate_fees`):

- ``FBAPerUnitFulfillmentFee``: for each unit, the band of its size tier and speed that holds its rounded shipping
  weight (bands are per unit, so each unit's own rounded weight is the basis); a band ``[max, base, per_lb]`` adds
  ``per_lb`` for each whole pound above the previous band (above the first pound when it is the tier's first band);
  a weight beyond a tier's last band uses the next tier's bands (the largest tier keeps its per-pound rate). The
  sum is multiplied by the discount for the number of units in the order (``units_per_order_discount``: 2 → 0.85,
  3 → 0.75, 4+ → 0.70).
- ``FBAPerOrderFulfillmentFee`` and ``FBATransportationFee``: the flat amounts of the data (0.00 today).
- ``FBAFulfillmentCODFee`` (COD previews only, JP): ``cod_fee_jpy`` (330 JPY).
- ``ScheduledDelivery`` (JP) has no band of its own and is charged as ``Expedited``.
- **Other currencies**: the data has a US schedule only. Amounts are the US amounts multiplied by a fixed factor per
  currency (:data:`CURRENCY_FACTORS`, estimated, roughly the exchange rate; JPY uses 55, the scale of the worked JP
  example, about 460 JPY for a small Standard unit, rather than the exchange rate). Rounded half-up to cents, JPY to
  whole yen.

Items without recorded weight or dimensions use :data:`DEFAULT_SPEC_WEIGHT_LB` and :data:`DEFAULT_DIMENSIONS`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from functools import cache, lru_cache
from typing import Any

from outbound.domain.orders import EXPEDITED, SCHEDULED_DELIVERY
from outbound.domain.world import Marketplace, load_json

PACKAGE = "Package"
DIMENSIONAL = "Dimensional"
POUNDS = "pounds"
KILOGRAMS = "kilograms"
KG_PER_LB = Decimal("0.45359237")

SMALL_STANDARD = "small_standard"
LARGE_STANDARD = "large_standard"
LARGE_BULKY = "large_bulky"
EXTRA_LARGE = "extra_large"
"""Beyond the data's largest tier; charged on the large-bulky bands, per pound."""

PER_UNIT_FEE = "FBAPerUnitFulfillmentFee"
PER_ORDER_FEE = "FBAPerOrderFulfillmentFee"
TRANSPORTATION_FEE = "FBATransportationFee"
COD_FEE = "FBAFulfillmentCODFee"

FEE_SPEED = {SCHEDULED_DELIVERY: EXPEDITED}
"""Speeds without a band of their own → the speed whose bands they use."""

CURRENCY_FACTORS: Mapping[str, Decimal] = {
    "USD": Decimal("1"),
    "CAD": Decimal("1.35"),
    "MXN": Decimal("17"),
    "BRL": Decimal("5"),
    "GBP": Decimal("0.80"),
    "EUR": Decimal("0.92"),
    "SEK": Decimal("10.5"),
    "PLN": Decimal("4"),
    "TRY": Decimal("32"),
    "AED": Decimal("3.67"),
    "SAR": Decimal("3.75"),
    "EGP": Decimal("48"),
    "INR": Decimal("83"),
    "JPY": Decimal("55"),
    "AUD": Decimal("1.5"),
    "SGD": Decimal("1.35"),
}
"""US fee amounts × factor = the amount in that currency (estimated; see the module docstring)."""

ZERO_DECIMAL_CURRENCIES = frozenset({"JPY"})

THREE_PLACES = Decimal("0.001")

SPEC_CACHE_SIZE = 4096
"""How many SKU specs keep their size tier, unit weight and per-unit fees computed (pure functions of the spec and
the fee schedule, which is loaded once): a preview asks for them once per line and speed."""


@dataclass(frozen=True)
class Dimensions:
    """Outer dimensions of one unit, in inches (any orientation)."""

    length_in: Decimal
    width_in: Decimal
    height_in: Decimal

    @property
    def volume_in3(self) -> Decimal:
        return self.length_in * self.width_in * self.height_in

    def longest_first(self) -> tuple[Decimal, Decimal, Decimal]:
        return _longest_first(self.length_in, self.width_in, self.height_in)


def _longest_first(*sides: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    a, b, c = sorted(sides, reverse=True)
    return a, b, c


@dataclass(frozen=True)
class ItemSpec:
    """What the fee schedule needs of a SKU: unit weight and dimensions (``None``: not recorded, defaults apply)."""

    sku: str
    weight_lb: Decimal
    dimensions: Dimensions | None


DEFAULT_SPEC_WEIGHT_LB = Decimal("1")
DEFAULT_DIMENSIONS = Dimensions(Decimal("10"), Decimal("8"), Decimal("4"))


def default_spec(sku: str) -> ItemSpec:
    """The spec of a SKU with nothing recorded: 1 lb, 10 × 8 × 4 in."""
    return ItemSpec(sku, DEFAULT_SPEC_WEIGHT_LB, DEFAULT_DIMENSIONS)


# --------------------------------------------------------------------------------------------------- schedule


@dataclass(frozen=True)
class Band:
    max_lb: Decimal
    fee: Decimal
    per_lb: Decimal | None  # fee per whole pound above the previous band; None for a fixed fee


@dataclass(frozen=True)
class Tier:
    name: str
    max_weight_lb: Decimal
    max_dims_in: tuple[Decimal, Decimal, Decimal]  # longest first


@dataclass(frozen=True)
class FeeSchedule:
    currency: str
    dimensional_divisor: Decimal
    packaging_lb: Mapping[str, Decimal]
    tiers: tuple[Tier, ...]  # smallest first
    bands: Mapping[str, Mapping[str, tuple[Band, ...]]]  # tier → speed → bands, lightest first
    unit_discounts: tuple[tuple[int, Decimal], ...]  # (min units in the order, factor), highest first
    per_order_fee: Decimal
    transportation_fee: Decimal
    cod_fee_jpy: Decimal


def _dec(value: Any) -> Decimal:
    return Decimal(str(value))


@cache
def fee_schedule() -> FeeSchedule:
    """``data/fee_schedule_us.json``, typed, amounts as :class:`~decimal.Decimal`."""
    raw = load_json("fee_schedule_us")
    tiers = tuple(
        Tier(
            t["tier"],
            _dec(t["max_weight_lb"]),
            _longest_first(*(_dec(x) for x in t["max_dims_in"])),
        )
        for t in raw["size_tiers"]
    )
    bands = {
        tier: {
            speed: tuple(Band(_dec(b[0]), _dec(b[1]), _dec(b[2]) if len(b) > 2 else None) for b in rows)
            for speed, rows in speeds.items()
        }
        for tier, speeds in raw["per_unit_fee"].items()
    }
    discounts = sorted(((int(key.rstrip("+")), _dec(f)) for key, f in raw["units_per_order_discount"].items()))
    return FeeSchedule(
        currency=raw["currency"],
        dimensional_divisor=_dec(raw["dimensional_weight_divisor_in3_per_lb"]),
        packaging_lb={tier: _dec(w) for tier, w in raw["packaging_weight_lb"].items()},
        tiers=tiers,
        bands=bands,
        unit_discounts=tuple(reversed(discounts)),
        per_order_fee=_dec(raw["per_order_fee"]),
        transportation_fee=_dec(raw["transportation_fee"]),
        cod_fee_jpy=_dec(raw["cod_fee_jpy"]),
    )


# ---------------------------------------------------------------------------------------------------- weights


def _dims(spec: ItemSpec) -> Dimensions:
    return spec.dimensions if spec.dimensions is not None else DEFAULT_DIMENSIONS


def size_tier(spec: ItemSpec) -> str:
    """The smallest tier whose weight limit (unit weight) and dimension limits (longest side first) the unit fits:
    ``small_standard``, ``large_standard``, ``large_bulky``; ``extra_large`` beyond them."""
    return _size_tier(spec)


@lru_cache(maxsize=SPEC_CACHE_SIZE)
def _size_tier(spec: ItemSpec) -> str:
    sides = _dims(spec).longest_first()
    for tier in fee_schedule().tiers:
        if spec.weight_lb <= tier.max_weight_lb and all(s <= m for s, m in zip(sides, tier.max_dims_in, strict=True)):
            return tier.name
    return EXTRA_LARGE


def dimensional_weight_lb(dims: Dimensions) -> Decimal:
    """L × W × H / 139 (the data's divisor), to four decimals, half-up."""
    return (dims.volume_in3 / fee_schedule().dimensional_divisor).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def packaging_weight_lb(tier: str) -> Decimal:
    packaging = fee_schedule().packaging_lb
    return packaging.get(tier, packaging[LARGE_BULKY])


def unit_weight(spec: ItemSpec) -> tuple[Decimal, str]:
    """One unit's shipping weight before rounding, lb: max(unit, dimensional) + packaging; and which one won."""
    return _unit_weight(spec)


@lru_cache(maxsize=SPEC_CACHE_SIZE)
def _unit_weight(spec: ItemSpec) -> tuple[Decimal, str]:
    dimensional = dimensional_weight_lb(_dims(spec))
    method = DIMENSIONAL if dimensional > spec.weight_lb else PACKAGE
    return max(dimensional, spec.weight_lb) + packaging_weight_lb(size_tier(spec)), method


def line_weight(spec: ItemSpec, units: int, unit: str = POUNDS) -> tuple[Decimal, str]:
    """A line's weight **before rounding** (unit weight × units), to three decimals, in ``unit``; and the method.

    This is the item-level ``EstimatedShippingWeight`` (``2.200`` for two 1.1 lb units).
    """
    weight, method = unit_weight(spec)
    return _in_unit(weight * units, unit).quantize(THREE_PLACES, ROUND_HALF_UP), method


def shipping_weight(spec: ItemSpec, units: int, unit: str = POUNDS) -> tuple[Decimal, str]:
    """A line's shipping weight **rounded up** as docs/world.md says (the basis of a fee); and the method.

    Rounding: to the next whole unit above 1; below 1, to the next 0.1 for small standard, else to 1.
    """
    weight, method = line_weight(spec, units, unit)
    return round_shipping_weight(weight, size_tier(spec) == SMALL_STANDARD), method


def order_shipping_weight(items: Sequence[tuple[ItemSpec, int]], unit: str = POUNDS) -> Decimal:
    """The preview-level ``EstimatedShippingWeight``: the line weights summed, then rounded up.

    Below 1, rounded to the next 0.1 only when every unit is small standard. Zero for no items.
    """
    lines = [(spec, units) for spec, units in items if units > 0]
    if not lines:
        return Decimal("0")
    total = sum((line_weight(spec, units, unit)[0] for spec, units in lines), Decimal("0"))
    return round_shipping_weight(total, all(size_tier(spec) == SMALL_STANDARD for spec, _units in lines))


def round_shipping_weight(weight: Decimal, small_standard: bool) -> Decimal:
    """Round up: to the next whole number above 1; at or below 1, to the next 0.1 if small standard, else to 1."""
    if weight > 1:
        return weight.to_integral_value(ROUND_CEILING)
    if small_standard:
        return max(weight, Decimal("0.1")).quantize(Decimal("0.1"), ROUND_CEILING)
    return Decimal("1")


def weight_unit(marketplace: Marketplace) -> str:
    """``pounds`` in the US marketplace, ``kilograms`` elsewhere (as real MWS responses carried them)."""
    return POUNDS if marketplace.country_code == "US" else KILOGRAMS


def _in_unit(weight_lb: Decimal, unit: str) -> Decimal:
    if unit.lower() == POUNDS:
        return weight_lb
    if unit.lower() == KILOGRAMS:
        return weight_lb * KG_PER_LB
    raise ValueError(f"unknown weight unit {unit!r}")


# ------------------------------------------------------------------------------------------------------- fees


def per_unit_fee_usd(spec: ItemSpec, speed: str) -> Decimal:
    """The US per-unit fee of one unit at ``speed`` before the multi-unit discount, unrounded."""
    return _per_unit_fee_usd(spec, speed)


@lru_cache(maxsize=SPEC_CACHE_SIZE)
def _per_unit_fee_usd(spec: ItemSpec, speed: str) -> Decimal:
    schedule = fee_schedule()
    fee_speed = FEE_SPEED.get(speed, speed)
    tier = size_tier(spec)
    weight = round_shipping_weight(unit_weight(spec)[0], tier == SMALL_STANDARD)
    names = [t.name for t in schedule.tiers]
    start = names.index(tier) if tier in names else len(names) - 1
    for name in names[start:]:
        bands = schedule.bands[name].get(fee_speed)
        if bands is None:
            raise ValueError(f"no fee for shipping speed {speed!r}")
        fee = _band_fee(bands, weight, extrapolate=name == names[-1])
        if fee is not None:
            return fee
    raise AssertionError("the last tier always has a fee")  # pragma: no cover


def _band_fee(bands: Sequence[Band], weight: Decimal, extrapolate: bool) -> Decimal | None:
    """The fee of the band holding ``weight``; beyond the last band ``None``, or with ``extrapolate`` the last
    band's per-pound rate carried on (for the largest tier)."""
    floor = Decimal("1")  # a tier's first band charges its per-pound rate above the first pound
    for band in bands:
        if weight <= band.max_lb:
            return _charge(band, weight, floor)
        floor = band.max_lb
    last = bands[-1]
    if extrapolate and last.per_lb is not None:
        return _charge(last, weight, bands[-2].max_lb if len(bands) > 1 else Decimal("1"))
    return None


def _charge(band: Band, weight: Decimal, floor: Decimal) -> Decimal:
    if band.per_lb is None:
        return band.fee
    return band.fee + band.per_lb * max(Decimal("0"), (weight - floor).to_integral_value(ROUND_CEILING))


def unit_discount(units: int) -> Decimal:
    """The multi-unit factor for an order of ``units`` units (1 for a single unit)."""
    for minimum, factor in fee_schedule().unit_discounts:
        if units >= minimum:
            return factor
    return Decimal("1")


def estimate_fees(
    items: Sequence[tuple[ItemSpec, int]], speed: str, currency: str, cod: bool = False
) -> list[tuple[str, Decimal]]:
    """The ``EstimatedFees`` of a preview: (fee name, amount in ``currency``), in the data's order.

    ``items`` are (spec, units) of the units that would ship; ``cod`` adds ``FBAFulfillmentCODFee`` (JPY only:
    a COD fee in another currency is a ValueError, COD exists only in JP). Unknown currency or speed: ValueError.
    """
    factor = CURRENCY_FACTORS.get(currency)
    if factor is None:
        raise ValueError(f"no fee conversion for currency {currency!r}")
    schedule = fee_schedule()
    units = sum(n for _spec, n in items if n > 0)
    per_unit = sum((per_unit_fee_usd(spec, speed) * n for spec, n in items if n > 0), Decimal("0"))
    fees = [
        (PER_UNIT_FEE, _money(per_unit * unit_discount(units) * factor, currency)),
        (PER_ORDER_FEE, _money(schedule.per_order_fee * factor, currency)),
        (TRANSPORTATION_FEE, _money(schedule.transportation_fee * factor, currency)),
    ]
    if cod:
        if currency != "JPY":
            raise ValueError("cash on delivery is charged in JPY only (JP marketplace)")
        fees.append((COD_FEE, _money(schedule.cod_fee_jpy, currency)))
    return fees


def _money(amount: Decimal, currency: str) -> Decimal:
    exponent = Decimal("1") if currency in ZERO_DECIMAL_CURRENCIES else Decimal("0.01")
    return amount.quantize(exponent, ROUND_HALF_UP)
