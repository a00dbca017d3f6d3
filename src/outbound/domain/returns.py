"""Fulfillment returns as the domain sees them (docs/mws-protocol.md "Operations"; docs/world.md "Returns").

- **Reason codes.** Which codes a SKU may be returned for depends on its product category and the marketplace
  [ours]: :data:`CATEGORY_CODES` (an unknown category reads as ``default``, whose three codes are those of
  ``tests/fixtures/responses/ListReturnReasonCodes.xml``), plus ``CR-NO_REASON_GIVEN`` where distance selling gives
  the customer a right of withdrawal without a reason (the UK and EU marketplaces). Descriptions and translations
  come from ``data/return_reason_codes.json``.
- **Checks.** Each requested unit is checked on its own, in the documented order (:func:`check_returns`): the
  first rule it breaks is its ``InvalidItemReasonCode``; a unit that breaks none is accepted.
- **Authorization.** All units accepted by one call go to one returns center of the order's marketplace (the one
  nearest the customer); its ids derive from the authorization's row id, so they are unique per store.
- **Receipt.** A unit comes back 1–14 days after the authorization and is graded with :class:`GradingRates`;
  randomness comes only from the ``random.Random`` handed in (seeded per order and unit by the caller).

No clock, no database: time and randomness come in as arguments.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from outbound.domain.geo import Point, distance_km
from outbound.domain.orders import SHIPPED, Address, Order
from outbound.domain.world import WORLD, FulfillmentCenter, Marketplace, load_json

# --------------------------------------------------------------------------------------------- enumerations

NEW = "New"
PROCESSED = "Processed"

SELLABLE = "Sellable"
DEFECTIVE = "Defective"
CUSTOMER_DAMAGED = "CustomerDamaged"
CARRIER_DAMAGED = "CarrierDamaged"
FULFILLER_DAMAGED = "FulfillerDamaged"
RECEIVED_CONDITIONS = (SELLABLE, DEFECTIVE, CUSTOMER_DAMAGED, CARRIER_DAMAGED, FULFILLER_DAMAGED)

INVALID_VALUES = "InvalidValues"
DUPLICATE_REQUEST = "DuplicateRequest"
NO_COMPLETED_SHIP_ITEMS = "NoCompletedShipItems"
NO_RETURNABLE_QUANTITY = "NoReturnableQuantity"
INVALID_ITEM_REASONS = (INVALID_VALUES, DUPLICATE_REQUEST, NO_COMPLETED_SHIP_ITEMS, NO_RETURNABLE_QUANTITY)

NOT_FOUND = "The item was not found in the fulfillment order."
ALREADY_REQUESTED = "A return was already requested for this item."
NOT_SHIPPED = "The item has not shipped yet."
NOTHING_LEFT = "All returnable quantity for this item has already been requested."

# Field limits of CreateReturnItem (docs/mws-protocol.md "Operations"); a longer value is an invalid item, not a
# failed call.
MAX_LENGTHS = {
    "SellerReturnItemId": 80,
    "SellerFulfillmentOrderItemId": 50,
    "AmazonShipmentId": 16,
    "ReturnReasonCode": 64,
    "ReturnComment": 1000,
}

# ------------------------------------------------------------------------------------------ reason codes


@dataclass(frozen=True, slots=True)
class ReasonCode:
    code: str
    description: str  # English
    translations: Mapping[str, str]  # language tag as in the data (de_DE) → text


@dataclass(frozen=True, slots=True)
class ReasonCodeDetails:
    """One entry of ``ReasonCodeDetailsList``; ``translated_description`` only for a valid Language."""

    return_reason_code: str
    description: str
    translated_description: str | None = None


@dataclass(frozen=True, slots=True)
class _ReasonData:
    codes: tuple[ReasonCode, ...]
    primary_languages: tuple[str, ...]  # one tag per language (de_DE for de), from the data's "languages"


@cache
def _reason_data() -> _ReasonData:
    raw = load_json("return_reason_codes")
    codes = tuple(ReasonCode(c["code"], c["description"], dict(c["translations"])) for c in raw["codes"])
    return _ReasonData(codes, tuple(raw["languages"]))


def all_reason_codes() -> tuple[ReasonCode, ...]:
    """Every code of the world data, in its order (the order lists are answered in)."""
    return _reason_data().codes


BASE_CODES = ("CR-UNWANTED_ITEM", "CR-DEFECTIVE", "CR-DAMAGED_BY_CARRIER")
CATEGORY_CODES: Mapping[str, frozenset[str]] = {
    "default": frozenset(BASE_CODES),
    "apparel": frozenset(
        (*BASE_CODES, "CR-ORDERED_WRONG_ITEM", "CR-QUALITY_UNACCEPTABLE", "CR-NOT_AS_DESCRIBED", "CR-SWITCHEROO")
    ),
    "electronics": frozenset(
        (
            *BASE_CODES,
            "CR-DAMAGED_BY_FC",
            "CR-ORDERED_WRONG_ITEM",
            "CR-QUALITY_UNACCEPTABLE",
            "CR-NOT_AS_DESCRIBED",
            "CR-MISSING_PARTS",
            "CR-NOT_COMPATIBLE",
            "CR-SWITCHEROO",
        )
    ),
    "media": frozenset((*BASE_CODES, "CR-ORDERED_WRONG_ITEM", "CR-EXTRA_ITEM", "CR-SWITCHEROO")),
    "grocery": frozenset(("CR-DAMAGED_BY_CARRIER", "CR-SWITCHEROO", "CR-MISSED_ESTIMATED_DELIVERY")),
    "gift_card": frozenset(),  # not returnable: an empty list
    "all": frozenset(c.code for c in all_reason_codes()),
}
"""Product category (``skus.category``) → the codes its products may be returned for [ours]."""

WITHDRAWAL_CODE = "CR-NO_REASON_GIVEN"
WITHDRAWAL_MARKETPLACES = frozenset({"UK", "DE", "FR", "IT"})
"""Marketplace keys where a customer may withdraw from a distance sale without giving a reason [ours]."""


def codes_for(category: str, marketplace: Marketplace) -> tuple[ReasonCode, ...]:
    """The codes a SKU of ``category`` may be returned for in ``marketplace``, in the data's order."""
    allowed = set(CATEGORY_CODES.get(category, CATEGORY_CODES["default"]))
    if allowed and marketplace.country in WITHDRAWAL_MARKETPLACES:
        allowed.add(WITHDRAWAL_CODE)
    return tuple(c for c in all_reason_codes() if c.code in allowed)


def translation_key(language: str | None, marketplace: Marketplace) -> str | None:
    """The data's language tag for a requested ``Language``, or ``None`` when it is not a valid one.

    ``de_DE`` and ``de-DE`` match exactly; a bare language (``de``) or another country of a known language
    (``fr_CA``) takes the marketplace's own tag when it is that language (``en`` in the UK → ``en_GB``), otherwise
    the language's primary tag (``fr_FR``). Case does not matter.
    """
    if not language:
        return None
    parts = language.strip().replace("-", "_").split("_")
    if len(parts) > 2 or not parts[0].isalpha():
        return None
    lang = parts[0].lower()
    known = {key for code in all_reason_codes() for key in code.translations}
    if len(parts) == 2 and f"{lang}_{parts[1].upper()}" in known:
        return f"{lang}_{parts[1].upper()}"
    if marketplace.default_language in known and marketplace.default_language.split("_")[0] == lang:
        return marketplace.default_language
    return next((tag for tag in _reason_data().primary_languages if tag.split("_")[0] == lang), None)


def reason_description(code: str) -> str | None:
    """A code's English description (None for a code the world data does not know)."""
    return next((c.description for c in all_reason_codes() if c.code == code), None)


def reason_code_details(
    codes: Sequence[ReasonCode], language: str | None, marketplace: Marketplace
) -> list[ReasonCodeDetails]:
    key = translation_key(language, marketplace)
    return [
        ReasonCodeDetails(c.code, c.description, c.translations.get(key) if key is not None else None) for c in codes
    ]


# ------------------------------------------------------------------------------------------ the checks


@dataclass(frozen=True, slots=True)
class ReturnRequest:
    """One unit asked back (CreateReturnItem)."""

    seller_return_item_id: str
    item_id: str  # SellerFulfillmentOrderItemId
    amazon_shipment_id: str
    reason_code: str
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class InvalidReturnItem:
    seller_return_item_id: str
    item_id: str
    reason_code: str  # InvalidItemReasonCode
    description: str


@dataclass(frozen=True, slots=True)
class Checked:
    accepted: tuple[ReturnRequest, ...]
    refused: tuple[InvalidReturnItem, ...]


def check_returns(
    order: Order, requests: Sequence[ReturnRequest], codes_by_sku: Mapping[str, Collection[str]]
) -> Checked:
    """Accept or refuse each requested unit, in request order (docs/mws-protocol.md "Operations").

    A unit is returnable from the shipment it names: that shipment must carry its line and have SHIPPED, and it
    takes one of the units the shipment carried that no other return holds yet. Units accepted earlier in the same
    call count like stored ones. ``order.returns`` are the returns already stored for the order.

    While no shipment carries a line yet (an order still RECEIVED or PLANNING, or one that ended before planning),
    the AmazonShipmentId cannot be checked against anything: the unit is refused ``NoCompletedShipItems``
    (docs/mws-protocol.md "Operations"), not ``InvalidValues``.
    """
    carried = Counter[tuple[str, str]]()
    shipped = Counter[tuple[str, str]]()
    planned_lines: set[str] = set()
    for shipment in order.shipments:
        for unit in shipment.items:
            key = (unit.item_id, shipment.amazon_shipment_id)
            planned_lines.add(unit.item_id)
            carried[key] += unit.quantity
            if shipment.status == SHIPPED:
                shipped[key] += unit.quantity
    taken = Counter((r.item_id, r.amazon_shipment_id) for r in order.returns)
    known = {r.seller_return_item_id for r in order.returns}
    accepted: list[ReturnRequest] = []
    refused: list[InvalidReturnItem] = []
    for request in requests:
        key = (request.item_id, request.amazon_shipment_id)
        unknown_shipment = key not in carried and request.item_id in planned_lines
        problem = _invalid_values(order, request, unknown_shipment, codes_by_sku)
        if problem is None and request.seller_return_item_id in known:
            problem = (DUPLICATE_REQUEST, ALREADY_REQUESTED)
        if problem is None and shipped[key] == 0:
            problem = (NO_COMPLETED_SHIP_ITEMS, NOT_SHIPPED)
        if problem is None and taken[key] >= shipped[key]:
            problem = (NO_RETURNABLE_QUANTITY, NOTHING_LEFT)
        if problem is None:
            accepted.append(request)
            known.add(request.seller_return_item_id)
            taken[key] += 1
        else:
            refused.append(InvalidReturnItem(request.seller_return_item_id, request.item_id, *problem))
    return Checked(tuple(accepted), tuple(refused))


def _invalid_values(
    order: Order, request: ReturnRequest, unknown_shipment: bool, codes_by_sku: Mapping[str, Collection[str]]
) -> tuple[str, str] | None:
    for field, value in (
        ("SellerReturnItemId", request.seller_return_item_id),
        ("SellerFulfillmentOrderItemId", request.item_id),
        ("AmazonShipmentId", request.amazon_shipment_id),
        ("ReturnReasonCode", request.reason_code),
        ("ReturnComment", request.comment or ""),
    ):
        if len(value) > MAX_LENGTHS[field]:
            return INVALID_VALUES, f"{field} is longer than {MAX_LENGTHS[field]} characters."
    line = order.item(request.item_id)
    if line is None or unknown_shipment:
        return INVALID_VALUES, NOT_FOUND
    if request.reason_code not in codes_by_sku.get(line.seller_sku, ()):
        return INVALID_VALUES, f"Return reason code {request.reason_code} is not valid for this item."
    return None


# ------------------------------------------------------------------------------------------ authorization

RETURN_STREETS = {"ONT8": "24208 San Michele Rd"}
"""Street lines of returns centers where one is known (the world data has none)."""

SELLER_CENTRAL = {
    "US": "sellercentral.amazon.com",
    "UK": "sellercentral.amazon.co.uk",
    "DE": "sellercentral.amazon.de",
    "FR": "sellercentral.amazon.fr",
    "IT": "sellercentral.amazon.it",
    "JP": "sellercentral.amazon.co.jp",
    "AU": "sellercentral.amazon.com.au",
}

_AUTH_SPAN = 9 * 10**10  # 11-digit authorization ids: 10000000000 .. 99999999999
_AUTH_FACTOR = 48_271_077_749  # coprime with the span: a bijection, so distinct rows get distinct ids
_RMA_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_RMA_SPAN = 62**7
_RMA_FACTOR = 1_594_323_401_879  # coprime with 62**7

RMA_PAGE_PATH = "/mcf/returns/label"
_RMA_ID_SHAPE = re.compile(r"[0-9A-Za-z]{1,64}")  # any id the rma_id column could hold (ours have 12)


def returns_centers(marketplace: Marketplace) -> list[FulfillmentCenter]:
    """The centers that receive returns in the marketplace's country, by code."""
    return sorted(
        (c for c in WORLD.centers.values() if c.handles_returns and c.country == marketplace.country),
        key=lambda c: c.code,
    )


def returns_center(marketplace: Marketplace, customer: Point | None) -> FulfillmentCenter | None:
    """The returns center nearest the customer (by code when the address cannot be placed); None if none."""
    centers = returns_centers(marketplace)
    if customer is None:
        return centers[0] if centers else None
    return min(centers, key=lambda c: (distance_km(customer, (c.lat, c.lon)), c.code), default=None)


def return_address(center: FulfillmentCenter) -> Address:
    """``ReturnToAddress``: Name, Line1, City, StateOrProvinceCode, ISO CountryCode (GB for UK), PostalCode."""
    return Address(
        {
            "Name": f"Amazon Returns {center.code}",
            "Line1": RETURN_STREETS.get(center.code, f"{center.code} Returns"),
            "City": center.city,
            "StateOrProvinceCode": center.state_or_region,
            "CountryCode": center.country_code,
            "PostalCode": center.postal_code,
        }
    )


def authorization_id(row_id: int) -> str:
    """An 11-digit ReturnAuthorizationId (like ``41823077512``), one per authorization row."""
    return str(10**10 + (row_id * _AUTH_FACTOR) % _AUTH_SPAN)


def rma_id(row_id: int) -> str:
    """An AmazonRmaId in the example's style (``DQmKt3s7RRMA``), one per authorization row."""
    number = (row_id * _RMA_FACTOR) % _RMA_SPAN
    letters = ""
    for _ in range(7):
        number, digit = divmod(number, 62)
        letters += _RMA_ALPHABET[digit]
    return f"D{letters}RRMA"


def rma_url(marketplace: Marketplace, rma: str) -> str:
    """The label page of an RMA on the marketplace's Seller Central (no prepaid postage)."""
    host = SELLER_CENTRAL.get(marketplace.country, SELLER_CENTRAL["US"])
    return f"https://{host}{RMA_PAGE_PATH}?rmaId={rma}"


def is_rma_id(text: str) -> bool:
    """Whether ``text`` could name an RMA: letters and digits, as stored (anything else names none)."""
    return _RMA_ID_SHAPE.fullmatch(text) is not None


# ------------------------------------------------------------------------------------------ receipt

TRANSIT_DAYS = (1.0, 14.0)
"""The customer's unit reaches the returns center this many days after the authorization (docs/world.md)."""


def transit(rng: random.Random, days: tuple[float, float] = TRANSIT_DAYS) -> timedelta:
    return timedelta(seconds=round(rng.uniform(days[0], days[1]) * 86_400))


@dataclass(frozen=True)
class GradingRates:
    """How received units are graded (docs/world.md: ~70 / 15 / 10 / 5 %); weights, normalised by their sum."""

    sellable: float = 0.70
    customer_damaged: float = 0.15
    defective: float = 0.10
    carrier_damaged: float = 0.05
    fulfiller_damaged: float = 0.0

    def __post_init__(self) -> None:
        weights = [w for _, w in self.table()]
        if any(w < 0 for w in weights) or sum(weights) <= 0:
            raise ValueError("grading rates must be non-negative and not all zero")

    def table(self) -> tuple[tuple[str, float], ...]:
        return (
            (SELLABLE, self.sellable),
            (CUSTOMER_DAMAGED, self.customer_damaged),
            (DEFECTIVE, self.defective),
            (CARRIER_DAMAGED, self.carrier_damaged),
            (FULFILLER_DAMAGED, self.fulfiller_damaged),
        )


DEFAULT_GRADING = GradingRates()


def grade(rng: random.Random, rates: GradingRates = DEFAULT_GRADING) -> str:
    """The ``ReturnReceivedCondition`` of one received unit."""
    table = rates.table()
    point = rng.random() * sum(w for _, w in table)
    for condition, weight in table:
        if point < weight:
            return condition
        point -= weight
    return next(c for c, w in reversed(table) if w > 0)  # pragma: no cover - float rounding at the very top


_AMAZON_REASONS = {
    DEFECTIVE: "CR-DEFECTIVE",
    CARRIER_DAMAGED: "CR-DAMAGED_BY_CARRIER",
    FULFILLER_DAMAGED: "CR-DAMAGED_BY_FC",
}


def amazon_reason_code(condition: str, seller_reason_code: str) -> str:
    """Amazon's own reason after grading: what the grading found, else the customer's reason stands."""
    return _AMAZON_REASONS.get(condition, seller_reason_code)
