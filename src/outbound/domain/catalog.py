"""From what is recorded about a SKU to the :class:`~outbound.domain.fees.ItemSpec` the fee rules need.

A SKU may have no weight or no dimensions recorded (or zeros, which mean the same): the defaults of
:mod:`outbound.domain.fees` apply (1 lb; 10 × 8 × 4 in when any side is missing).

:data:`EXAMPLE_SPECS` are the SKUs of the previews in ``docs/mws-protocol.md`` "Worked examples" with a weight and
dimensions chosen so the example's weights come out exactly (item 2.200 lb Package, 0.650 lb Dimensional, order
3 lb; JP item 0.310 kg Package, order 0.4 kg). They are for demos and tests; the figures are ours.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from outbound.domain.fees import DEFAULT_DIMENSIONS, DEFAULT_SPEC_WEIGHT_LB, Dimensions, ItemSpec

Number = Decimal | int | float | str


def item_spec(
    sku: str,
    weight_lb: Number | None = None,
    length_in: Number | None = None,
    width_in: Number | None = None,
    height_in: Number | None = None,
) -> ItemSpec:
    """The spec of a SKU; a missing, zero, negative or unreadable weight or side falls back to the defaults."""
    weight = _positive(weight_lb)
    sides = [_positive(x) for x in (length_in, width_in, height_in)]
    length, width, height = sides
    dimensions = (
        Dimensions(length, width, height)
        if length is not None and width is not None and height is not None
        else DEFAULT_DIMENSIONS
    )
    return ItemSpec(sku, weight if weight is not None else DEFAULT_SPEC_WEIGHT_LB, dimensions)


def _positive(value: Number | None) -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() and number > 0 else None


EXAMPLE_SPECS: Mapping[str, ItemSpec] = {
    "BLUE-MUG-12OZ": item_spec("BLUE-MUG-12OZ", "0.85", "5", "4.5", "4"),  # large standard, 1.1 lb/unit packed
    "TEA-SAMPLER-6": item_spec("TEA-SAMPLER-6", "0.3", "8", "5", "1.39"),  # dimensional 0.4 lb + 0.25 packaging
    "JP-TEA-TIN-100G": item_spec("JP-TEA-TIN-100G", "0.434", "4", "4", "0.75"),  # small standard, 0.684 lb packed
}
