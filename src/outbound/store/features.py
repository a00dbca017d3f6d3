"""Queries for fulfillment features: enrolment switches per seller and marketplace, eligibility switches per SKU,
and what getFeatureInventory lists (SKUs with their stock in a marketplace's centers, and what changed since)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Table, and_, insert, or_, select, update

from outbound.domain.features import Standing
from outbound.domain.world import Marketplace
from outbound.store.schema import feature_enrolments, inventory, order_items, orders, sku_features, skus


def standing(conn: Connection, seller_id: str, marketplace: Marketplace, seller_skus: Iterable[str] = ()) -> Standing:
    """The seller's switches in ``marketplace``, with the SKU switches of ``seller_skus``."""
    off = conn.execute(
        select(feature_enrolments.c.feature_name).where(
            feature_enrolments.c.seller_id == seller_id,
            feature_enrolments.c.marketplace_id == marketplace.marketplace_id,
            feature_enrolments.c.enrolled.is_(False),
        )
    )
    wanted = list(dict.fromkeys(seller_skus))
    ineligible: dict[str, set[str]] = {}
    if wanted:
        rows = conn.execute(
            select(sku_features.c.seller_sku, sku_features.c.feature_name).where(
                sku_features.c.seller_id == seller_id,
                sku_features.c.seller_sku.in_(wanted),
                sku_features.c.eligible.is_(False),
            )
        )
        for row in rows:
            ineligible.setdefault(row.seller_sku, set()).add(row.feature_name)
    return Standing(
        marketplace,
        frozenset(row.feature_name for row in off),
        {sku: frozenset(names) for sku, names in ineligible.items()},
    )


def set_enrolment(
    conn: Connection, seller_id: str, marketplace_id: str, feature: str, enrolled: bool, now: datetime
) -> None:
    key = {"seller_id": seller_id, "marketplace_id": marketplace_id, "feature_name": feature}
    _switch(conn, feature_enrolments, key, "enrolled", enrolled, now)


def set_eligibility(
    conn: Connection, seller_id: str, seller_sku: str, feature: str, eligible: bool, now: datetime
) -> None:
    key = {"seller_id": seller_id, "seller_sku": seller_sku, "feature_name": feature}
    _switch(conn, sku_features, key, "eligible", eligible, now)


def _switch(conn: Connection, table: Table, key: dict[str, str], column: str, value: bool, now: datetime) -> None:
    """Store one on/off switch (a missing row means on); a repeated switch is no change, so ``updated_at`` keeps
    when it last really changed (getFeatureInventory's "since")."""
    where = and_(*(table.c[name] == given for name, given in key.items()))
    current = conn.execute(select(table.c[column]).where(where)).first()
    if current is None:
        conn.execute(insert(table).values(**key, **{column: value}, updated_at=now))
    elif bool(current[0]) != value:
        conn.execute(update(table).where(where).values({column: value, "updated_at": now}))


def enrolment_changed_at(conn: Connection, seller_id: str, marketplace_id: str, feature: str) -> datetime | None:
    found: datetime | None = conn.execute(
        select(feature_enrolments.c.updated_at).where(
            feature_enrolments.c.seller_id == seller_id,
            feature_enrolments.c.marketplace_id == marketplace_id,
            feature_enrolments.c.feature_name == feature,
        )
    ).scalar()
    return found


@dataclass(frozen=True, slots=True)
class SkuStock:
    seller_sku: str
    fnsku: str
    asin: str | None
    sellable: int  # free units in the marketplace's centers


def sku_stock(conn: Connection, seller_id: str, fc_codes: Iterable[str]) -> list[SkuStock]:
    """Every SKU of the seller with its free units in the given centers, by seller SKU."""
    centers = list(fc_codes)
    rows = conn.execute(
        select(skus.c.seller_sku, skus.c.fnsku, skus.c.asin, inventory.c.fc_code, inventory.c.sellable)
        .select_from(
            skus.outerjoin(
                inventory,
                and_(
                    inventory.c.seller_id == skus.c.seller_id,
                    inventory.c.seller_sku == skus.c.seller_sku,
                    inventory.c.fc_code.in_(centers),
                ),
            )
        )
        .where(skus.c.seller_id == seller_id)
        .order_by(skus.c.seller_sku)
    )
    found: dict[str, SkuStock] = {}
    for row in rows:
        before = found.get(row.seller_sku)
        units = (before.sellable if before else 0) + int(row.sellable or 0)
        found[row.seller_sku] = SkuStock(row.seller_sku, row.fnsku, row.asin, units)
    return list(found.values())


def changed_since(conn: Connection, seller_id: str, marketplace_id: str, feature: str, since: datetime) -> set[str]:
    """SKUs whose eligibility for ``feature`` or whose stock changed at or after ``since``: an eligibility switch, a
    stock count (inventory set or import), or an order of the marketplace that took or gave back its units."""
    found = {
        row.seller_sku
        for row in conn.execute(
            select(sku_features.c.seller_sku).where(
                sku_features.c.seller_id == seller_id,
                sku_features.c.feature_name == feature,
                sku_features.c.updated_at >= since,
            )
        )
    }
    found.update(
        row.seller_sku
        for row in conn.execute(
            select(skus.c.seller_sku).where(skus.c.seller_id == seller_id, skus.c.stock_changed_at >= since)
        )
    )
    found.update(
        row.seller_sku
        for row in conn.execute(
            select(order_items.c.seller_sku)
            .distinct()
            .select_from(orders.join(order_items, order_items.c.order_id == orders.c.id))
            .where(
                orders.c.seller_id == seller_id,
                orders.c.marketplace_id == marketplace_id,
                or_(orders.c.received_at >= since, orders.c.status_updated_at >= since),
            )
        )
    )
    return found


def set_asin(conn: Connection, seller_id: str, seller_sku: str, asin: str | None) -> bool:
    """Record the SKU's ASIN (None clears it); False when the seller has no such SKU."""
    result = conn.execute(
        update(skus).where(skus.c.seller_id == seller_id, skus.c.seller_sku == seller_sku).values(asin=asin)
    )
    return result.rowcount == 1
