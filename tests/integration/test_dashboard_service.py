"""The dashboard's service functions on SQLite and PostgreSQL: keyset pages that neither repeat nor skip, each
filter, the overview's counts and per-day aggregates, the engine's lag, stock and sellers; and the indexes the
migration builds are the ones ``store/schema.py`` declares."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import inspect

from outbound.service import dashboard
from outbound.service.accounts import add_seller
from outbound.service.dashboard import DashboardError, OrderFilter
from outbound.sim.bulk import bulk_orders
from outbound.store import Database
from outbound.store.schema import metadata
from tests.e2e import dashboard_world
from tests.e2e.dashboard_world import OTHER_SELLER
from tests.helpers import SELLER, T0, now, stock


def every_page(db: Database, wanted: OrderFilter, size: int) -> list[list[str]]:
    pages: list[list[str]] = []
    cursor = None
    while True:
        found = dashboard.search_orders(db, wanted, cursor, size)
        pages.append([r.seller_order_id for r in found.rows])
        if found.next_cursor is None:
            return pages
        cursor = found.next_cursor


def test_keyset_pages_cover_every_order_once_newest_first(db: Database) -> None:
    stock(db, "BULK-SKU", 500)
    # 120 orders, three to a second (ties on the received instant are broken by id), then 5 in another seller
    for batch in range(3):
        bulk_orders(db, SELLER, "BULK-SKU", "BFI4", 40, T0, prefix=f"B{batch}-", spacing=timedelta(seconds=1))
    add_seller(db, OTHER_SELLER, "AKIAOTHERKEY0000001", "s")
    stock(db, "MUG", 10, seller=OTHER_SELLER)
    bulk_orders(db, OTHER_SELLER, "MUG", "BFI4", 5, T0, prefix="O-")
    pages = every_page(db, OrderFilter(seller_id=SELLER), 25)
    assert [len(p) for p in pages] == [25, 25, 25, 25, 20]
    flat = [order_id for page in pages for order_id in page]
    assert len(flat) == len(set(flat)) == 120
    assert all(not order_id.startswith("O-") for order_id in flat)
    # newest first: B*-0039 (received T0 + 39 s) come first, B*-0000 last; within an instant the newest id first
    assert flat[:3] == ["B2-0000039", "B1-0000039", "B0-0000039"]
    assert flat[-1] == "B0-0000000"
    assert len([o for p in every_page(db, OrderFilter(), 50) for o in p]) == 125


def test_each_filter_narrows_the_listing(db: Database) -> None:
    world = dashboard_world.build(db)

    def ids(**fields: object) -> list[str]:
        return [r.seller_order_id for r in dashboard.search_orders(db, OrderFilter(**fields)).rows]  # type: ignore[arg-type]

    assert ids() == ["FRESH-1", "OTHER-1", "MARKUP-1", "SHIP-1"]
    assert ids(seller_id=OTHER_SELLER) == ["OTHER-1"]
    assert ids(status="RECEIVED") == ["FRESH-1"]
    assert ids(status="COMPLETE", seller_id=SELLER) == ["MARKUP-1", "SHIP-1"]
    assert ids(speed="Expedited") == ["MARKUP-1"]
    assert ids(sku="TEA-1") == ["FRESH-1", "SHIP-1"]
    assert ids(sku="TEA-1", seller_id=OTHER_SELLER) == []
    assert ids(query="MARKUP-1") == ["MARKUP-1"]
    assert ids(query=world.tracking_number) == ["SHIP-1"]
    assert ids(query=world.tracking_number, seller_id=OTHER_SELLER) == []
    assert ids(query="nothing-like-it") == []
    day_one, later = dashboard.day_bounds(T0.date(), T0.date())
    assert ids(received_from=day_one, received_before=later) == ["OTHER-1", "MARKUP-1", "SHIP-1"]
    assert ids(received_from=later) == ["FRESH-1"]
    for bad in (
        OrderFilter(status="LOST"),
        OrderFilter(speed="Warp"),
        OrderFilter(received_from=later, received_before=day_one),
    ):
        with pytest.raises(DashboardError):
            dashboard.search_orders(db, bad)
    with pytest.raises(DashboardError):
        dashboard.search_orders(db, OrderFilter(), "not-a-cursor")


def test_the_overview_counts_and_charts_by_day(db: Database) -> None:
    dashboard_world.build(db)
    clock = now(db)
    view = dashboard.overview(db, clock)
    assert view.by_status == {"RECEIVED": 1, "COMPLETE": 3}
    assert view.total == 4
    assert len(view.days) == dashboard.CHART_DAYS and view.days[-1] == clock.date().isoformat()
    by_day = dict(zip(view.days, view.created, strict=True))
    assert by_day[T0.date().isoformat()] == 3 and by_day[clock.date().isoformat()] == 1
    assert sum(view.shipped) == 3 and sum(view.by_center.values()) == 3
    assert view.by_center == {"BFI4": 2, "PHX6": 1}
    assert dashboard.count_by_status(db, OTHER_SELLER) == {"COMPLETE": 1}
    assert dashboard.count_by_status(db) == view.by_status
    # FRESH-1's first step is due after its receipt: nothing overdue now, a lag once the clock reads later
    assert view.lag == timedelta()
    assert view.oldest_due is not None
    later = dashboard.overview(db, view.oldest_due + timedelta(minutes=30))
    assert later.lag == timedelta(minutes=30)
    assert dashboard.engine_lag(db, view.oldest_due + timedelta(minutes=30)) == (view.oldest_due, later.lag)


def test_stock_and_sellers(db: Database) -> None:
    dashboard_world.build(db)
    lines = {line.sku: line for line in dashboard.inventory_overview(db, SELLER)}
    assert set(lines) == {"TEA-1", "TEA-2"}
    assert lines["TEA-1"].sellable + lines["TEA-1"].reserved == 50 - 2  # two units left with SHIP-1
    assert lines["TEA-1"].reserved == 1  # FRESH-1's unit, held
    assert dashboard.inventory_overview(db, OTHER_SELLER)[0].sku == "MUG-9"
    sellers = {s.seller_id: s for s in dashboard.sellers(db)}
    assert set(sellers) == {SELLER, OTHER_SELLER}
    assert sellers[SELLER].marketplaces == ("ATVPDKIKX0DER",)
    assert [key for key, _ in sellers[SELLER].keys] == ["AKIAIOSFODNN7EXAMPLE"]
    assert not any("secret" in field for field in sellers[SELLER].__slots__)  # type: ignore[attr-defined]
    assert [s.seller_id for s in dashboard.sellers(db, OTHER_SELLER)] == [OTHER_SELLER]


def test_the_migrations_build_the_indexes_the_schema_declares(db: Database) -> None:
    with db.read() as conn:
        inspector = inspect(conn)
        for table in ("orders", "order_items", "shipments", "packages"):
            built = {ix["name"]: list(ix["column_names"]) for ix in inspector.get_indexes(table)}
            for index in metadata.tables[table].indexes:
                assert index.name is not None
                assert built.get(index.name) == [c.name for c in index.columns], (table, index.name)


def test_the_zone_of_a_marketplace() -> None:
    assert dashboard.marketplace_zone("A1VC38T7YXB528") == "Asia/Tokyo"
    assert dashboard.marketplace_zone("nowhere") == "UTC"
