"""Fulfillment features (BLOCK_AMZL, BLANK_BOX, SIGNATURE_CONFIRMATION): which marketplace offers which, who may
use them, and what an order that requires them may ship.

- **Catalogue** (from world data): ``BLOCK_AMZL`` where the marketplace's carriers include Amazon Logistics
  (``AMZL_*``), ``BLANK_BOX`` wherever the outbound operations exist, ``SIGNATURE_CONFIRMATION`` in the US only.
- **Standing**: a seller is enrolled in every offered feature of a marketplace unless switched off, and each SKU is
  eligible for every feature unless switched off. A unit is usable for a feature only when both hold; a feature the
  marketplace does not offer has no usable units.
- **Constraints**: an order or preview may carry up to ten ``{featureName, featureFulfillmentPolicy}``; ``Required``
  keeps allocation to usable units (a shortage is a stock shortage) and, for ``BLOCK_AMZL``, keeps Amazon Logistics
  from carrying the packages; ``SIGNATURE_CONFIRMATION`` makes the recipient sign. ``NotRequired`` changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache

from outbound.domain import carriers
from outbound.domain.errors import InvalidValue
from outbound.domain.world import Marketplace

BLOCK_AMZL = "BLOCK_AMZL"
BLANK_BOX = "BLANK_BOX"
SIGNATURE_CONFIRMATION = "SIGNATURE_CONFIRMATION"
FEATURES = (BLOCK_AMZL, BLANK_BOX, SIGNATURE_CONFIRMATION)
SIGNATURE_COUNTRIES = frozenset({"US"})

REQUIRED = "Required"
NOT_REQUIRED = "NotRequired"
POLICIES = (REQUIRED, NOT_REQUIRED)
MAX_CONSTRAINTS = 10

MERCHANT_NOT_ENROLLED = "MERCHANT_NOT_ENROLLED"
SKU_NOT_ELIGIBLE = "SKU_NOT_ELIGIBLE"
INVALID_SKU = "INVALID_SKU"

AMAZON_LOGISTICS_PREFIX = "AMZL_"


@dataclass(frozen=True, slots=True)
class FeatureConstraint:
    """One ``featureConstraints`` entry of a preview or an order."""

    name: str
    policy: str | None = None  # not sent: the feature is wanted, as with Required (and echoed as not sent)


def is_amazon_logistics(carrier_code: str) -> bool:
    return carrier_code.startswith(AMAZON_LOGISTICS_PREFIX)


def check_name(name: str, field_name: str = "featureName") -> str:
    """The feature name, or an invalid-input refusal naming the field."""
    if name not in FEATURES:
        raise InvalidValue(field_name, name, f"unknown feature; expected one of {', '.join(FEATURES)}")
    return name


def check_constraints(
    constraints: Iterable[FeatureConstraint], field_name: str = "featureConstraints"
) -> tuple[FeatureConstraint, ...]:
    """At most ten known features with a known policy; a feature named twice is refused (its policy would be
    ambiguous)."""
    found = tuple(constraints)
    if len(found) > MAX_CONSTRAINTS:
        raise InvalidValue(field_name, str(len(found)), f"at most {MAX_CONSTRAINTS} feature constraints")
    seen: set[str] = set()
    for n, constraint in enumerate(found):
        check_name(constraint.name, f"{field_name}[{n}].featureName")
        if constraint.policy is not None and constraint.policy not in POLICIES:
            raise InvalidValue(
                f"{field_name}[{n}].featureFulfillmentPolicy", constraint.policy, f"expected {' or '.join(POLICIES)}"
            )
        if constraint.name in seen:
            raise InvalidValue(f"{field_name}[{n}].featureName", constraint.name, "named twice")
        seen.add(constraint.name)
    return found


def required(constraints: Iterable[FeatureConstraint]) -> frozenset[str]:
    """The features an order insists on (``Required``, or named without a policy); ``NotRequired`` ones have no
    effect."""
    return frozenset(c.name for c in constraints if c.policy != NOT_REQUIRED)


@cache
def _has_amazon_logistics(marketplace_country: str) -> bool:
    return any(
        is_amazon_logistics(carrier.code)
        for speed in ("Standard", "Expedited", "Priority", "ScheduledDelivery")
        for carrier in carriers.market_carriers(marketplace_country, speed)
    )


def offered(marketplace: Marketplace) -> tuple[str, ...]:
    """The features a marketplace offers, in catalogue order; none where outbound does not exist."""
    if not marketplace.outbound_available:
        return ()
    found = []
    for feature in FEATURES:
        if feature == BLOCK_AMZL and not _has_amazon_logistics(marketplace.country):
            continue
        if feature == SIGNATURE_CONFIRMATION and marketplace.country_code not in SIGNATURE_COUNTRIES:
            continue
        found.append(feature)
    return tuple(found)


@dataclass(frozen=True)
class Standing:
    """A seller's feature settings in one marketplace: the features switched off (enrolment) and, per SKU, the
    features it is not eligible for. Anything not listed is on."""

    marketplace: Marketplace
    unenrolled: frozenset[str] = frozenset()
    ineligible: Mapping[str, frozenset[str]] = field(default_factory=dict)  # seller SKU → features switched off

    def enrolled(self, feature: str) -> bool:
        return feature in offered(self.marketplace) and feature not in self.unenrolled

    def sku_eligible(self, feature: str, sku: str) -> bool:
        return feature not in self.ineligible.get(sku, frozenset())

    def usable(self, sku: str, features: Iterable[str]) -> bool:
        """Whether the SKU's units may serve an order that requires ``features``."""
        return all(self.enrolled(f) and self.sku_eligible(f, sku) for f in features)

    def reasons(self, feature: str, sku: str, *, known: bool) -> tuple[str, ...]:
        """Why the SKU cannot use the feature (empty: it can)."""
        if not known:
            return (INVALID_SKU,)
        found = []
        if not self.enrolled(feature):
            found.append(MERCHANT_NOT_ENROLLED)
        if not self.sku_eligible(feature, sku):
            found.append(SKU_NOT_ELIGIBLE)
        return tuple(found)

    def restrict(self, stock: Mapping[str, Mapping[str, int]], features: Iterable[str]) -> dict[str, dict[str, int]]:
        """``stock`` (center → SKU → units) with the units unusable for ``features`` taken out."""
        wanted = frozenset(features)
        return {fc: {sku: n for sku, n in by_sku.items() if self.usable(sku, wanted)} for fc, by_sku in stock.items()}


def carrier_allowed(carrier_code: str, features: Iterable[str]) -> bool:
    """Whether a carrier may take a package of an order that requires ``features``."""
    return not (BLOCK_AMZL in frozenset(features) and is_amazon_logistics(carrier_code))


def has_carrier(marketplace_country: str, speed: str, origin_country: str | None, features: Iterable[str]) -> bool:
    """Whether some carrier of the marketplace may take a package at ``speed`` leaving from ``origin_country`` for an
    order that requires ``features`` (the carriers the engine chooses from: ``carriers.carriers_for``)."""
    wanted = frozenset(features)
    if BLOCK_AMZL not in wanted:
        return True
    options = carriers.carriers_for(marketplace_country, speed, origin_country)
    return any(carrier_allowed(c.code, wanted) for c in options)
