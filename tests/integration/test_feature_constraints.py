"""featureConstraints on preview, create, update and the engine (SQLite and PostgreSQL): ``Required`` features
limit allocation to usable units, BLOCK_AMZL keeps Amazon Logistics away (or the speed away when no other carrier
serves it), SIGNATURE_CONFIRMATION makes deliveries signed; ``NotRequired`` changes nothing; the create
fingerprint is unchanged for orders without constraints."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from outbound.domain.errors import InsufficientStock, InvalidValue
from outbound.domain.features import FeatureConstraint
from outbound.domain.orders import Address
from outbound.service import features as feature_service
from outbound.service import orders as service
from outbound.service.accounts import Caller, add_seller
from outbound.service.orders import ItemRequest
from outbound.service.preview import PreviewRequest, get_fulfillment_preview
from outbound.store import Database
from tests.helpers import (
    ACCESS_KEY,
    CALLER,
    SEATTLE,
    SECRET_KEY,
    SELLER,
    T0,
    advance,
    create,
    get,
    line,
    order_request,
    reset,
    start_clock,
    stock,
    totals,
    tracking,
)

US = "ATVPDKIKX0DER"
CA = "A2EUQ1WTGCTBG2"
TORONTO = Address(
    {
        "Name": "Ann",
        "Line1": "1 Front St",
        "City": "Toronto",
        "StateOrProvinceCode": "ON",
        "CountryCode": "CA",
        "PostalCode": "M5J 2N1",
    }
)
BLOCK = FeatureConstraint("BLOCK_AMZL", "Required")
SIGN = FeatureConstraint("SIGNATURE_CONFIRMATION", "Required")
BOX = FeatureConstraint("BLANK_BOX", "Required")


@pytest.fixture
def db(module_store: Database) -> Database:
    reset(module_store)
    add_seller(module_store, SELLER, ACCESS_KEY, SECRET_KEY, marketplaces=[US, CA])
    start_clock(module_store)
    return module_store


def preview(db: Database, *constraints: FeatureConstraint, speeds: tuple[str, ...] = ("Standard",), **extra: object):
    request = PreviewRequest(SEATTLE, (ItemRequest("TEA-1", "a", 2), ItemRequest("TEA-2", "b", 1)), speeds, **extra)  # type: ignore[arg-type]
    return get_fulfillment_preview(db, CALLER, replace(request, feature_constraints=constraints), T0)


def test_required_limits_the_preview_to_usable_units(db: Database) -> None:
    stock(db, "TEA-1", 5)
    stock(db, "TEA-2", 5)
    assert preview(db, BOX)[0].is_fulfillable
    feature_service.set_sku_eligibility(db, SELLER, "TEA-2", "BLANK_BOX", False, T0)
    found = preview(db, BOX)[0]
    assert [(u.item_id, u.quantity, u.reasons) for u in found.unfulfillable] == [("b", 1, ("InventoryUnavailable",))]
    assert [(i.item_id, i.quantity) for s in found.shipments for i in s.items] == [("a", 2)]
    # NotRequired has no effect; no constraint neither
    assert preview(db, FeatureConstraint("BLANK_BOX", "NotRequired"))[0].is_fulfillable
    assert preview(db)[0].is_fulfillable
    # not enrolled: no unit is usable
    feature_service.set_enrolment(db, SELLER, US, ["SIGNATURE_CONFIRMATION"], False, T0)
    found = preview(db, SIGN)[0]
    assert {u.item_id for u in found.unfulfillable} == {"a", "b"} and not found.shipments


def test_block_amzl_in_the_preview(db: Database) -> None:
    stock(db, "TEA-1", 5)
    stock(db, "TEA-2", 5)
    # US: UPS and FedEx also carry every speed
    assert all(p.is_fulfillable for p in preview(db, BLOCK, speeds=()))
    # Canada: only Amazon Logistics carries Priority
    stock(db, "TEA-1", 5, "YYZ4")
    request = PreviewRequest(TORONTO, (ItemRequest("TEA-1", "a", 1),), (), CA, feature_constraints=(BLOCK,))
    found = {p.speed: p for p in get_fulfillment_preview(db, CALLER, request, T0)}
    assert found["Standard"].is_fulfillable and found["Expedited"].is_fulfillable
    assert found["Priority"].order_reasons == ["DeliverySLAUnavailable"] and not found["Priority"].is_fulfillable
    plain = {p.speed: p for p in get_fulfillment_preview(db, CALLER, replace(request, feature_constraints=()), T0)}
    assert plain["Priority"].is_fulfillable


def test_constraints_are_checked(db: Database) -> None:
    stock(db, "TEA-1", 5)
    for constraints, field in (
        ((FeatureConstraint("OVERBOX", "Required"),), "featureConstraints[0].featureName"),
        ((FeatureConstraint("BLANK_BOX", "Sometimes"),), "featureConstraints[0].featureFulfillmentPolicy"),
        ((BOX, BOX), "featureConstraints[1].featureName"),
        (tuple(FeatureConstraint("BLANK_BOX", "NotRequired") for _ in range(11)), "featureConstraints"),
    ):
        with pytest.raises(InvalidValue) as refused:
            preview(db, *constraints)
        assert refused.value.field == field
        with pytest.raises(InvalidValue) as refused:
            create(db, "BAD-1", line("TEA-1", "a", 1), feature_constraints=constraints)
        assert refused.value.field == field
    assert totals(db, "TEA-1") == (5, 0)


def test_create_stores_the_constraints_and_allocates_usable_units(db: Database) -> None:
    stock(db, "TEA-1", 5)
    stock(db, "TEA-2", 5)
    feature_service.set_sku_eligibility(db, SELLER, "TEA-2", "BLANK_BOX", False, T0)
    with pytest.raises(InsufficientStock):  # FillOrKill: refused, nothing reserved
        create(db, "FK-1", line("TEA-1", "a", 1), line("TEA-2", "b", 1), feature_constraints=(BOX,))
    assert totals(db, "TEA-2") == (5, 0) and totals(db, "TEA-1") == (5, 0)
    order = create(
        db,
        "FAA-1",
        line("TEA-1", "a", 1),
        line("TEA-2", "b", 1),
        feature_constraints=(BOX, FeatureConstraint("SIGNATURE_CONFIRMATION", "NotRequired")),
        fulfillment_policy="FillAllAvailable",
    )
    assert totals(db, "TEA-1") == (4, 1) and totals(db, "TEA-2") == (5, 0)
    assert (
        get(db, "FAA-1").feature_constraints
        == order.feature_constraints
        == (
            BOX,
            FeatureConstraint("SIGNATURE_CONFIRMATION", "NotRequired"),
        )
    )
    advance(db, timedelta(hours=2))  # planned: the ineligible line is declared unfulfillable, not reserved later
    planned = get(db, "FAA-1")
    assert [(i.item_id, i.unfulfillable_quantity) for i in planned.items] == [("a", 0), ("b", 1)]
    assert totals(db, "TEA-2") == (5, 0)
    # without constraints the same order takes both
    create(db, "PLAIN-1", line("TEA-1", "a", 1), line("TEA-2", "b", 1))
    assert totals(db, "TEA-2") == (4, 1)


def test_fill_all_waits_for_usable_units(db: Database) -> None:
    stock(db, "TEA-2", 5)
    stock(db, "TEA-1", 1)
    feature_service.set_sku_eligibility(db, SELLER, "TEA-2", "BLANK_BOX", False, T0)
    create(
        db,
        "FA-1",
        line("TEA-1", "a", 1),
        line("TEA-2", "b", 1),
        feature_constraints=(BOX,),
        fulfillment_policy="FillAll",
    )
    advance(db, timedelta(days=2))  # the first line shipped; the engine retried the rest without taking TEA-2
    assert get(db, "FA-1").status == "PROCESSING" and totals(db, "TEA-2") == (5, 0)
    feature_service.set_sku_eligibility(db, SELLER, "TEA-2", "BLANK_BOX", True, T0 + timedelta(days=2))
    advance(db, timedelta(days=2))
    assert totals(db, "TEA-2")[0] == 4 and get(db, "FA-1").status == "COMPLETE"


def test_block_amzl_refuses_a_create_no_carrier_serves(db: Database) -> None:
    stock(db, "TEA-1", 5, "YYZ4")
    ca_caller = Caller(ACCESS_KEY, SELLER, CA)
    request = order_request("CA-1", line("TEA-1", "a", 1), destination=TORONTO, shipping_speed="Priority")
    with pytest.raises(InvalidValue) as refused:
        service.create_fulfillment_order(db, ca_caller, replace(request, feature_constraints=(BLOCK,)), T0)
    assert refused.value.field == "featureConstraints" and refused.value.value == "BLOCK_AMZL"
    assert totals(db, "TEA-1") == (5, 0)
    created = service.create_fulfillment_order(db, ca_caller, replace(request, shipping_speed="Standard"), T0)
    assert not created.replayed


def test_blocked_and_signed_orders_ship_without_amazon_logistics_and_are_signed_for(db: Database) -> None:
    stock(db, "TEA-1", 40)
    stock(db, "TEA-2", 40)
    for n in range(12):
        create(db, f"SIGNED-{n}", line("TEA-1", "a", 1), feature_constraints=(BLOCK, SIGN), shipping_speed="Priority")
        create(db, f"PLAIN-{n}", line("TEA-2", "a", 1), shipping_speed="Priority")
    advance(db, timedelta(days=1))
    advance(db, timedelta(days=6))
    carriers = {"SIGNED": set(), "PLAIN": set()}
    signers: dict[str, list[str | None]] = {"SIGNED": [], "PLAIN": []}
    for kind in ("SIGNED", "PLAIN"):
        for n in range(12):
            order = get(db, f"{kind}-{n}")
            for shipment in order.shipments:
                for package in shipment.packages:
                    carriers[kind].add(package.carrier_code)
                    details = tracking(db, package.package_number)
                    if details.current_status == "DELIVERED":
                        signers[kind].append(details.signed_for_by)
    assert not any(code.startswith("AMZL_") for code in carriers["SIGNED"])
    assert "AMZL_US" in carriers["PLAIN"]  # the test would see a carrier filter that does nothing
    assert signers["SIGNED"] and all(signers["SIGNED"])
    assert "" in signers["PLAIN"]  # unsigned deliveries happen without the feature


def test_fingerprint_unchanged_without_constraints_and_covers_them_when_given() -> None:
    request = service.CreateOrderRequest(
        seller_order_id="FP-1",
        displayable_order_id="WEB-FP-1",
        displayable_order_at=datetime(2026, 11, 23, 15, 55, tzinfo=UTC),
        displayable_order_comment="Thanks",
        shipping_speed="Standard",
        destination=SEATTLE,
        items=(service.ItemRequest("TEA-1", "line-1", 2, per_unit_declared_value=service.Money("USD", "9.99")),),
        notification_emails=("a@example.com",),
    )
    # the hash orders stored before feature constraints existed carry for this request
    assert request.fingerprint(US) == "f62a6bbc7f96bbd65ab603b9161340df6084c05f37696cbb1a291169411ce7e0"
    with_box = replace(request, feature_constraints=(BOX,))
    assert with_box.fingerprint(US) != request.fingerprint(US)
    assert with_box.fingerprint(US) != replace(request, feature_constraints=(BLOCK,)).fingerprint(US)


def test_replay_with_constraints(db: Database) -> None:
    stock(db, "TEA-1", 5)
    request = order_request("R-1", line("TEA-1", "a", 1), feature_constraints=(BOX,))
    assert not service.create_fulfillment_order(db, CALLER, request, T0).replayed
    assert service.create_fulfillment_order(db, CALLER, request, T0).replayed
    for other in ((), (BLOCK,)):
        with pytest.raises(InvalidValue) as refused:
            service.create_fulfillment_order(db, CALLER, replace(request, feature_constraints=other), T0)
        assert refused.value.field == "SellerFulfillmentOrderId"
    assert totals(db, "TEA-1") == (4, 1)


def test_update_replaces_the_constraints(db: Database) -> None:
    stock(db, "TEA-1", 5)
    create(db, "H-1", line("TEA-1", "a", 2), fulfillment_action="Hold")
    feature_service.set_sku_eligibility(db, SELLER, "TEA-1", "BLANK_BOX", False, T0)
    update = service.UpdateOrderRequest("H-1", feature_constraints=(BOX,))
    with pytest.raises(InsufficientStock):  # the held units are not usable for the feature: nothing changes
        service.update_fulfillment_order(db, CALLER, update, T0)
    assert get(db, "H-1").feature_constraints == () and totals(db, "TEA-1") == (3, 2)
    update = service.UpdateOrderRequest("H-1", feature_constraints=(BLOCK,))
    assert service.update_fulfillment_order(db, CALLER, update, T0).feature_constraints == (BLOCK,)
    assert get(db, "H-1").feature_constraints == (BLOCK,) and totals(db, "TEA-1") == (3, 2)
