"""Fulfillment features on a real store (SQLite and PostgreSQL): the catalogue per marketplace, enrolment and SKU
eligibility, getFeatureInventory's listing, filter and pages, getFeatureSKU's reasons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from outbound.domain.errors import InvalidValue
from outbound.service import features as service
from outbound.service.accounts import add_seller
from outbound.service.inventory import StockChange, set_inventory
from outbound.store import Database
from outbound.store import inventory as stock_store
from tests.helpers import ACCESS_KEY, SECRET_KEY, SELLER, reset

US = "ATVPDKIKX0DER"
CA = "A2EUQ1WTGCTBG2"
UK = "A1F83G8C2ARO7P"
DE = "A1PA6795UKMFR9"
JP = "A1VC38T7YXB528"
T = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)


@pytest.fixture
def db(module_store: Database) -> Database:
    reset(module_store)
    add_seller(module_store, SELLER, ACCESS_KEY, SECRET_KEY, marketplaces=[US, CA, UK, DE, JP])
    return module_store


def names(found: list[service.Feature]) -> dict[str, bool]:
    return {f.name: f.seller_eligible for f in found}


def test_the_catalogue_follows_world_data(db: Database) -> None:
    # US: Amazon Logistics carries packages and signatures exist; CA, UK: Amazon Logistics; DE, JP: neither
    assert names(service.get_features(db, SELLER, US)) == {
        "BLOCK_AMZL": True,
        "BLANK_BOX": True,
        "SIGNATURE_CONFIRMATION": True,
    }
    assert names(service.get_features(db, SELLER, CA)) == {"BLOCK_AMZL": True, "BLANK_BOX": True}
    assert names(service.get_features(db, SELLER, UK)) == {"BLOCK_AMZL": True, "BLANK_BOX": True}
    assert names(service.get_features(db, SELLER, DE)) == {"BLANK_BOX": True}
    assert names(service.get_features(db, SELLER, JP)) == {"BLANK_BOX": True}
    assert all(f.description for f in service.get_features(db, SELLER, US))


def test_a_marketplace_the_seller_does_not_sell_in_is_refused(db: Database) -> None:
    with pytest.raises(InvalidValue) as refused:
        service.get_features(db, SELLER, "A1AM78C64UM0Y8")  # MX: not one of the seller's
    assert refused.value.field == "marketplaceId"
    with pytest.raises(InvalidValue):
        service.get_features(db, "NOSUCHSELLER", US)


def test_enrolment_is_per_marketplace_and_feature(db: Database) -> None:
    after = service.set_enrolment(db, SELLER, US, ["BLOCK_AMZL", "BLANK_BOX"], False, T)
    assert names(after) == {"BLOCK_AMZL": False, "BLANK_BOX": False, "SIGNATURE_CONFIRMATION": True}
    assert names(service.get_features(db, SELLER, CA)) == {"BLOCK_AMZL": True, "BLANK_BOX": True}
    service.set_enrolment(db, SELLER, US, ["BLANK_BOX"], True, T)
    assert names(service.get_features(db, SELLER, US))["BLANK_BOX"] is True
    assert names(service.get_features(db, SELLER, US))["BLOCK_AMZL"] is False


def test_unknown_or_unoffered_features_are_refused_naming_the_field(db: Database) -> None:
    with pytest.raises(InvalidValue) as refused:
        service.set_enrolment(db, SELLER, US, ["OVERBOX"], True, T)
    assert refused.value.field == "featureName" and refused.value.value == "OVERBOX"
    with pytest.raises(InvalidValue) as refused:
        service.set_enrolment(db, SELLER, DE, ["SIGNATURE_CONFIRMATION"], True, T)
    assert refused.value.field == "featureName"
    with pytest.raises(InvalidValue) as refused:
        service.get_feature_inventory(db, SELLER, US, "PACKING_SLIP", None, None)
    assert refused.value.field == "featureName"
    with pytest.raises(InvalidValue):
        service.get_feature_sku(db, SELLER, US, "block_amzl", "TEA-1")
    with pytest.raises(InvalidValue) as refused:
        service.set_sku_eligibility(db, SELLER, "NO-SUCH-SKU", "BLANK_BOX", False, T)
    assert refused.value.field == "sellerSku"


def stock(db: Database, sku: str, quantity: int, fc: str | None = None) -> None:
    set_inventory(db, StockChange(SELLER, sku, quantity, fc))


def test_feature_sku_reasons(db: Database) -> None:
    stock(db, "TEA-1", 12)  # spread over the twelve US centers
    found = service.get_feature_sku(db, SELLER, US, "BLOCK_AMZL", "TEA-1")
    assert found.is_eligible and found.ineligible_reasons == ()
    assert found.sku is not None and found.sku.sku_count == 12 and found.sku.fnsku.startswith("X00")

    service.set_sku_eligibility(db, SELLER, "TEA-1", "BLOCK_AMZL", False, T)
    found = service.get_feature_sku(db, SELLER, US, "BLOCK_AMZL", "TEA-1")
    assert not found.is_eligible and found.ineligible_reasons == ("SKU_NOT_ELIGIBLE",)
    assert found.sku is not None and found.sku.sku_count == 0
    service.set_enrolment(db, SELLER, US, ["BLOCK_AMZL"], False, T)
    found = service.get_feature_sku(db, SELLER, US, "BLOCK_AMZL", "TEA-1")
    assert found.ineligible_reasons == ("MERCHANT_NOT_ENROLLED", "SKU_NOT_ELIGIBLE")
    # another feature of the same SKU is untouched
    assert service.get_feature_sku(db, SELLER, US, "BLANK_BOX", "TEA-1").is_eligible

    unknown = service.get_feature_sku(db, SELLER, US, "BLANK_BOX", "NO-SUCH-SKU")
    assert not unknown.is_eligible and unknown.ineligible_reasons == ("INVALID_SKU",) and unknown.sku is None
    # a feature the marketplace does not offer: nobody is enrolled in it there
    assert service.get_feature_sku(db, SELLER, DE, "SIGNATURE_CONFIRMATION", "TEA-1").ineligible_reasons == (
        "MERCHANT_NOT_ENROLLED",
    )


def test_feature_inventory_lists_eligible_units_in_the_marketplace(db: Database) -> None:
    stock(db, "TEA-1", 12)
    stock(db, "TEA-2", 5, "BFI4")
    stock(db, "TEA-3", 0, "BFI4")  # no units: not listed
    stock(db, "TEA-4", 7, "BFI4")
    service.set_sku_eligibility(db, SELLER, "TEA-4", "BLANK_BOX", False, T)
    service.set_sku_asin(db, SELLER, "TEA-2", "B00EXAMPLE")
    found = service.get_feature_inventory(db, SELLER, US, "BLANK_BOX", None, None)
    assert found.marketplace_id == US and found.feature_name == "BLANK_BOX" and found.next_token is None
    assert [(s.seller_sku, s.sku_count, s.asin) for s in found.skus] == [
        ("TEA-1", 12, None),
        ("TEA-2", 5, "B00EXAMPLE"),
    ]
    # TEA-4 is still eligible for another feature
    assert [s.seller_sku for s in service.get_feature_inventory(db, SELLER, US, "BLOCK_AMZL").skus] == [
        "TEA-1",
        "TEA-2",
        "TEA-4",
    ]
    # US stock is not in the Canadian centers
    assert service.get_feature_inventory(db, SELLER, CA, "BLANK_BOX").skus == []
    service.set_enrolment(db, SELLER, US, ["BLANK_BOX"], False, T)
    assert service.get_feature_inventory(db, SELLER, US, "BLANK_BOX").skus == []


def test_overlapping_skus_share_an_fnsku(db: Database) -> None:
    stock(db, "MUG-RED", 3, "BFI4")
    stock(db, "MUG-RED-2", 4, "BFI4")
    with db.transaction() as conn:  # two listings of one product: the same network SKU
        red = stock_store.load_skus(conn, SELLER, ["MUG-RED"])["MUG-RED"]
        twin = stock_store.load_skus(conn, SELLER, ["MUG-RED-2"])["MUG-RED-2"]
        from dataclasses import replace

        stock_store.upsert_sku(conn, SELLER, replace(twin, fnsku=red.fnsku), T)
    found = {s.seller_sku: s for s in service.get_feature_inventory(db, SELLER, US, "BLANK_BOX").skus}
    assert found["MUG-RED"].overlapping_skus == ("MUG-RED-2",)
    assert found["MUG-RED-2"].overlapping_skus == ("MUG-RED",)
    one = service.get_feature_sku(db, SELLER, US, "BLANK_BOX", "MUG-RED")
    assert one.sku is not None and one.sku.overlapping_skus == ("MUG-RED-2",)


def test_feature_inventory_pages_of_fifty_with_a_bound_token(db: Database) -> None:
    with db.transaction() as conn:
        from outbound.service.inventory import _apply

        for n in range(120):
            _apply(conn, StockChange(SELLER, f"SKU-{n:03d}", 1, "BFI4"), T)
    first = service.get_feature_inventory(db, SELLER, US, "BLANK_BOX")
    assert len(first.skus) == 50 and first.next_token
    second = service.get_feature_inventory(db, SELLER, US, "BLANK_BOX", None, first.next_token)
    third = service.get_feature_inventory(db, SELLER, US, "BLANK_BOX", None, second.next_token)
    assert len(second.skus) == 50 and len(third.skus) == 20 and third.next_token is None
    listed = [s.seller_sku for page in (first, second, third) for s in page.skus]
    assert listed == [f"SKU-{n:03d}" for n in range(120)]
    # bound to the seller, the query and the operation
    add_seller(db, "A1OTHERSELLER9", "AKIAOTHERKEYEXAMPLE1", "secret", marketplaces=[US])
    for seller, feature, token in (
        ("A1OTHERSELLER9", "BLANK_BOX", first.next_token),
        (SELLER, "BLOCK_AMZL", first.next_token),
        (SELLER, "BLANK_BOX", "bm90IGEgdG9rZW4"),
        (SELLER, "BLANK_BOX", "%%%"),
    ):
        with pytest.raises(InvalidValue) as refused:
            service.get_feature_inventory(db, seller, US, feature, None, token)
        assert refused.value.field == "nextToken"


def test_query_start_date_keeps_what_changed_since(db: Database) -> None:
    with db.transaction() as conn:
        from outbound.service.inventory import _apply

        _apply(conn, StockChange(SELLER, "OLD", 3, "BFI4"), T - timedelta(days=2))
        _apply(conn, StockChange(SELLER, "FLIPPED", 3, "BFI4"), T - timedelta(days=2))
        _apply(conn, StockChange(SELLER, "RECOUNTED", 3, "BFI4"), T - timedelta(days=2))
        _apply(conn, StockChange(SELLER, "RECOUNTED", 4, "BFI4"), T + timedelta(hours=1))
    service.set_sku_eligibility(db, SELLER, "FLIPPED", "BLANK_BOX", False, T - timedelta(days=1))
    service.set_sku_eligibility(db, SELLER, "FLIPPED", "BLANK_BOX", True, T + timedelta(hours=2))
    since = service.get_feature_inventory(db, SELLER, US, "BLANK_BOX", T)
    assert [s.seller_sku for s in since.skus] == ["FLIPPED", "RECOUNTED"]
    # an enrolment change since then concerns every SKU
    service.set_enrolment(db, SELLER, US, ["BLANK_BOX"], False, T + timedelta(hours=3))
    service.set_enrolment(db, SELLER, US, ["BLANK_BOX"], True, T + timedelta(hours=4))
    assert [s.seller_sku for s in service.get_feature_inventory(db, SELLER, US, "BLANK_BOX", T).skus] == [
        "FLIPPED",
        "OLD",
        "RECOUNTED",
    ]
    assert service.get_feature_inventory(db, SELLER, US, "BLANK_BOX", T + timedelta(days=1)).skus == []


def test_set_asin_checks_its_input(db: Database) -> None:
    stock(db, "TEA-1", 1, "BFI4")
    with pytest.raises(InvalidValue):
        service.set_sku_asin(db, SELLER, "TEA-1", "short")
    with pytest.raises(InvalidValue):
        service.set_sku_asin(db, SELLER, "NOPE", "B00EXAMPLE")
