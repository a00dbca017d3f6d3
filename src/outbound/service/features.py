"""Fulfillment features of a seller: the catalogue a marketplace offers with the seller's enrolment
(getFeatures), the SKUs with units usable for a feature (getFeatureInventory), one SKU's eligibility
(getFeatureSKU), and the operator's switches (enrol, unenrol, SKU eligibility).

The rules are ``domain/features.py``'s; the same :class:`~outbound.domain.features.Standing` decides what an order
that requires a feature may be allocated (``service/orders.py``, ``sim/steps.py``).
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection

from outbound.domain import features
from outbound.domain.errors import InvalidValue
from outbound.domain.world import WORLD, Marketplace
from outbound.service import orders
from outbound.store import Database
from outbound.store import features as store
from outbound.store import inventory as stock_store

PAGE_SIZE = 50
TOKEN_LIFETIME_SECONDS = 24 * 3600
_TOKEN_VERSION = 1
_OPERATION = "getFeatureInventory"

DESCRIPTIONS = {
    features.BLOCK_AMZL: "Keep Amazon Logistics from delivering the order; another carrier takes its packages.",
    features.BLANK_BOX: "Ship the order in boxes without Amazon branding.",
    features.SIGNATURE_CONFIRMATION: "The recipient signs for each package on delivery.",
}


@dataclass(frozen=True)
class Feature:
    name: str
    description: str
    seller_eligible: bool


@dataclass(frozen=True)
class FeatureSku:
    seller_sku: str
    fnsku: str
    asin: str | None
    sku_count: int  # units usable for the feature in the marketplace's centers
    overlapping_skus: tuple[str, ...] = ()  # the seller's other SKUs with the same FNSKU


@dataclass(frozen=True)
class FeatureInventory:
    marketplace_id: str
    feature_name: str
    skus: list[FeatureSku]
    next_token: str | None


@dataclass(frozen=True)
class FeatureSkuStanding:
    marketplace_id: str
    feature_name: str
    seller_sku: str
    is_eligible: bool
    ineligible_reasons: tuple[str, ...]
    sku: FeatureSku | None  # None for an unknown SKU


def seller_marketplace(conn: Connection, seller_id: str, marketplace_id: str) -> Marketplace:
    return orders.seller_marketplace(conn, seller_id, marketplace_id, "marketplaceId")


# ------------------------------------------------------------------------------------------------ reading


def get_features(db: Database, seller_id: str, marketplace_id: str) -> list[Feature]:
    """The features the marketplace offers, each with whether the seller is enrolled."""
    with db.read() as conn:
        marketplace = seller_marketplace(conn, seller_id, marketplace_id)
        standing = store.standing(conn, seller_id, marketplace)
    return [Feature(name, DESCRIPTIONS[name], standing.enrolled(name)) for name in features.offered(marketplace)]


def get_feature_inventory(
    db: Database,
    seller_id: str,
    marketplace_id: str,
    feature_name: str,
    query_start_date: datetime | None = None,
    next_token: str | None = None,
) -> FeatureInventory:
    """The seller's SKUs with units usable for the feature in the marketplace, by seller SKU, 50 a page; with
    ``query_start_date``, only those whose eligibility or stock changed since (all of them when the seller's
    enrolment did). A next token carries the query; it is the seller's and this operation's only."""
    features.check_name(feature_name)
    after = ""
    if next_token:
        query_start_date, after = _decode(next_token, seller_id, marketplace_id, feature_name)
    with db.read() as conn:
        marketplace = seller_marketplace(conn, seller_id, marketplace_id)
        centers = [c.code for c in WORLD.centers_in(marketplace.country_code)]
        everything = store.sku_stock(conn, seller_id, centers)
        standing = store.standing(conn, seller_id, marketplace, (s.seller_sku for s in everything))
        changed: set[str] | None = None
        if query_start_date is not None:
            enrolment_at = store.enrolment_changed_at(conn, seller_id, marketplace_id, feature_name)
            if enrolment_at is None or enrolment_at < query_start_date:
                changed = store.changed_since(conn, seller_id, marketplace_id, feature_name, query_start_date)
    by_fnsku: dict[str, list[str]] = {}
    for sku in everything:
        by_fnsku.setdefault(sku.fnsku, []).append(sku.seller_sku)
    listed = []
    for sku in everything:
        if sku.seller_sku <= after or (changed is not None and sku.seller_sku not in changed):
            continue
        units = sku.sellable if standing.usable(sku.seller_sku, (feature_name,)) else 0
        if units > 0:
            overlapping = tuple(s for s in by_fnsku[sku.fnsku] if s != sku.seller_sku)
            listed.append(FeatureSku(sku.seller_sku, sku.fnsku, sku.asin, units, overlapping))
    page = listed[:PAGE_SIZE]
    token = None
    if len(listed) > PAGE_SIZE:
        token = _encode(seller_id, marketplace_id, feature_name, query_start_date, page[-1].seller_sku)
    return FeatureInventory(marketplace_id, feature_name, page, token)


def get_feature_sku(
    db: Database, seller_id: str, marketplace_id: str, feature_name: str, sku: str
) -> FeatureSkuStanding:
    """Whether one SKU may use the feature in the marketplace, and why not; an unknown SKU is ``INVALID_SKU``."""
    features.check_name(feature_name)
    with db.read() as conn:
        marketplace = seller_marketplace(conn, seller_id, marketplace_id)
        standing = store.standing(conn, seller_id, marketplace, [sku])
        centers = [c.code for c in WORLD.centers_in(marketplace.country_code)]
        everything = store.sku_stock(conn, seller_id, centers)
    found = next((s for s in everything if s.seller_sku == sku), None)
    reasons = standing.reasons(feature_name, sku, known=found is not None)
    detail = None
    if found is not None:
        overlapping = tuple(s.seller_sku for s in everything if s.fnsku == found.fnsku and s.seller_sku != sku)
        detail = FeatureSku(sku, found.fnsku, found.asin, 0 if reasons else found.sellable, overlapping)
    return FeatureSkuStanding(marketplace_id, feature_name, sku, not reasons, reasons, detail)


# ------------------------------------------------------------------------------------------------ switches


def set_enrolment(
    db: Database,
    seller_id: str,
    marketplace_id: str,
    feature_names: Iterable[str],
    enrolled: bool,
    now: datetime | None = None,
) -> list[Feature]:
    """Enrol the seller in (or withdraw it from) features of a marketplace; the marketplace's features after.
    A feature the marketplace does not offer is refused (there is nothing to enrol in)."""
    names = [features.check_name(name) for name in feature_names]
    if not names:
        raise InvalidValue("featureName", "", "name at least one feature")
    moment = now or datetime.now(UTC)
    with db.transaction() as conn:
        marketplace = seller_marketplace(conn, seller_id, marketplace_id)
        for name in names:
            if name not in features.offered(marketplace):
                raise InvalidValue("featureName", name, f"not offered in marketplace {marketplace_id}")
            store.set_enrolment(conn, seller_id, marketplace_id, name, enrolled, moment)
        standing = store.standing(conn, seller_id, marketplace)
    return [Feature(name, DESCRIPTIONS[name], standing.enrolled(name)) for name in features.offered(marketplace)]


def set_sku_eligibility(
    db: Database, seller_id: str, sku: str, feature_name: str, eligible: bool, now: datetime | None = None
) -> None:
    """Make one of the seller's SKUs eligible (the default) or not for a feature, in every marketplace."""
    features.check_name(feature_name)
    with db.transaction() as conn:
        if sku not in stock_store.load_skus(conn, seller_id, [sku]):
            raise InvalidValue("sellerSku", sku, "unknown SKU")
        store.set_eligibility(conn, seller_id, sku, feature_name, eligible, now or datetime.now(UTC))


def set_sku_asin(db: Database, seller_id: str, sku: str, asin: str | None) -> None:
    """Record the ASIN getFeatureInventory and getFeatureSKU show for a SKU (None: forget it)."""
    if asin is not None and not (len(asin) == 10 and asin.isalnum()):
        raise InvalidValue("asin", asin, "ten letters and digits")
    with db.transaction() as conn:
        if not store.set_asin(conn, seller_id, sku, asin.upper() if asin else None):
            raise InvalidValue("sellerSku", sku, "unknown SKU")


# ------------------------------------------------------------------------------------------------ next tokens


def _encode(seller_id: str, marketplace_id: str, feature: str, since: datetime | None, last_sku: str) -> str:
    raw = [
        _TOKEN_VERSION,
        _OPERATION,
        seller_id,
        marketplace_id,
        feature,
        since.isoformat() if since else None,
        last_sku,
        int(time.time()),
    ]
    return base64.urlsafe_b64encode(json.dumps(raw, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode(token: str, seller_id: str, marketplace_id: str, feature: str) -> tuple[datetime | None, str]:
    """The query start and the last SKU listed; another seller's, operation's or query's token, a malformed or an
    expired one are refused alike."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        version, operation, owner, marketplace, name, since, last_sku, issued = raw
        if (version, operation, owner, marketplace, name) != (
            _TOKEN_VERSION,
            _OPERATION,
            seller_id,
            marketplace_id,
            feature,
        ):
            raise ValueError("not this query's token")
        if time.time() - float(issued) > TOKEN_LIFETIME_SECONDS:
            raise ValueError("expired")
        return (datetime.fromisoformat(since) if since else None), str(last_sku)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidValue("nextToken", token) from exc
