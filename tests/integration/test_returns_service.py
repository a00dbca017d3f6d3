"""The return use cases on a real store (SQLite and PostgreSQL): reason codes, CreateFulfillmentReturn with its
authorization and refusals, one transaction per call, and the simulator receiving, grading and restocking units on
the virtual clock (docs/mws-protocol.md "Operations"; docs/world.md "Returns")."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from outbound.domain import returns as rules
from outbound.domain.errors import InvalidValue
from outbound.domain.orders import Address
from outbound.domain.returns import ReturnRequest
from outbound.domain.shipping import rng_for
from outbound.service import orders as order_service
from outbound.service import returns as service
from outbound.service import scenarios, simulation
from outbound.service.accounts import Caller, add_seller
from outbound.service.inventory import levels
from outbound.sim.returns import process_due_returns
from outbound.store import Database
from outbound.store import inventory as stock_store
from outbound.store import returns as return_store
from outbound.store.schema import order_events, return_authorizations, return_items
from tests.helpers import ACCESS_KEY, BR, CA, DE, SEATTLE, SECRET_KEY, SELLER, UK, US, count, now, stock

OTHER = "A1OTHERSELLER9"
MUG, TEA = "BLUE-MUG-12OZ", "TEA-SAMPLER-6"
TORONTO = Address(
    {
        "Name": "Jean Roy",
        "Line1": "100 Queen St W",
        "City": "Toronto",
        "StateOrProvinceCode": "ON",
        "CountryCode": "CA",
        "PostalCode": "M5H 2N2",
    }
)


@pytest.fixture
def stocked(db: Database) -> Database:
    stock(db, MUG, 10, "BFI4")
    stock(db, TEA, 10, "BFI4")
    return db


def place(
    db: Database,
    order_id: str,
    lines: Sequence[tuple[str, int]] = ((MUG, 2), (TEA, 1)),
    *,
    seller: str = SELLER,
    marketplace: str = US,
    destination: Address = SEATTLE,
) -> None:
    items = tuple(order_service.ItemRequest(sku, f"{order_id}-{n}", qty) for n, (sku, qty) in enumerate(lines, 1))
    request = order_service.CreateOrderRequest(
        order_id, order_id, now(db), "Thank you", "Standard", destination, items, marketplace_id=marketplace
    )
    order_service.create_fulfillment_order(db, Caller(ACCESS_KEY, seller, marketplace), request, now(db))


def ship(db: Database) -> None:
    """Five days on the virtual clock: every order placed so far has shipped."""
    simulation.advance(db, timedelta(days=5))


def shipment_of(db: Database, order_id: str, seller: str = SELLER) -> str:
    order = order_service.get_fulfillment_order(db, seller, order_id)
    assert order.shipments and all(s.status == "SHIPPED" for s in order.shipments), order.status
    return order.shipments[0].amazon_shipment_id


def shipped_order(db: Database, order_id: str = "MCF-1001") -> str:
    place(db, order_id)
    ship(db)
    return shipment_of(db, order_id)


def unit(
    return_id: str, line: str, shipment: str, reason: str = "CR-DEFECTIVE", comment: str | None = None
) -> ReturnRequest:
    return ReturnRequest(return_id, line, shipment, reason, comment)


def create(db: Database, order_id: str, *units: ReturnRequest, seller: str = SELLER) -> service.CreatedReturn:
    return service.create_fulfillment_return(db, seller, order_id, list(units), now(db))


def due_dates(db: Database) -> dict[str, datetime | None]:
    with db.read() as conn:
        rows = conn.execute(select(return_items.c.seller_return_item_id, return_items.c.due_at))
        return {r.seller_return_item_id: r.due_at for r in rows}


def sellable(db: Database, sku: str, fc: str) -> int:
    return sum(s for row_sku, row_fc, s, _ in levels(db, SELLER, sku) if row_fc == fc and row_sku == sku)


def set_category(db: Database, sku: str, category: str, seller: str = SELLER) -> None:
    with db.transaction() as conn:
        current = stock_store.load_skus(conn, seller, [sku])[sku]
        stock_store.upsert_sku(
            conn,
            seller,
            stock_store.Sku(
                sku,
                current.fnsku,
                current.weight_lb,
                current.length_in,
                current.width_in,
                current.height_in,
                current.declared_value,
                category,
            ),
            datetime.now(UTC),
        )


# ------------------------------------------------------------------------------------------------ reason codes


def codes(db: Database, request: service.ReasonCodesRequest, seller: str = SELLER) -> list[tuple[str, str | None]]:
    return [
        (d.return_reason_code, d.translated_description) for d in service.list_return_reason_codes(db, seller, request)
    ]


def test_reason_codes_by_marketplace(stocked: Database) -> None:
    assert codes(stocked, service.ReasonCodesRequest(MUG, US, language="es_ES")) == [
        ("CR-UNWANTED_ITEM", "Ya no lo necesito"),
        ("CR-DEFECTIVE", "Artículo defectuoso o no funciona"),
        ("CR-DAMAGED_BY_CARRIER", "Producto y caja de envío dañados"),
    ]
    assert codes(stocked, service.ReasonCodesRequest(MUG, US)) == [
        ("CR-UNWANTED_ITEM", None),
        ("CR-DEFECTIVE", None),
        ("CR-DAMAGED_BY_CARRIER", None),
    ]
    assert codes(stocked, service.ReasonCodesRequest(MUG, DE, language="de")) == [
        ("CR-UNWANTED_ITEM", "Nicht mehr benötigt"),
        ("CR-DEFECTIVE", "Artikel defekt oder funktioniert nicht"),
        ("CR-DAMAGED_BY_CARRIER", "Artikel und Versandkarton beschädigt"),
        ("CR-NO_REASON_GIVEN", "Kein Grund angegeben"),
    ]


def test_reason_codes_from_the_orders_marketplace(stocked: Database) -> None:
    place(stocked, "MCF-1001")
    by_order = codes(stocked, service.ReasonCodesRequest(TEA, seller_order_id="MCF-1001"))
    assert by_order == codes(stocked, service.ReasonCodesRequest(TEA, US))
    both = codes(stocked, service.ReasonCodesRequest(TEA, US, "MCF-1001", "ja_JP"))
    assert both[0] == ("CR-UNWANTED_ITEM", "不要になった")


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (service.ReasonCodesRequest(MUG), "MarketplaceId"),
        (service.ReasonCodesRequest(MUG, "ANOTAMARKETPLACE"), "MarketplaceId"),
        (service.ReasonCodesRequest(MUG, CA), "MarketplaceId"),  # returns not available in Canada
        (service.ReasonCodesRequest(MUG, BR), "MarketplaceId"),
        (service.ReasonCodesRequest(MUG, DE, "MCF-1001"), "MarketplaceId"),  # the order is in the US
        (service.ReasonCodesRequest(MUG, seller_order_id="MCF-404"), "SellerFulfillmentOrderId"),
        (service.ReasonCodesRequest("NO-SUCH-SKU", US), "SellerSKU"),
        (service.ReasonCodesRequest("NO-SUCH-SKU", UK, language="en"), "SellerSKU"),
    ],
)
def test_reason_code_refusals(stocked: Database, request_: service.ReasonCodesRequest, field: str) -> None:
    place(stocked, "MCF-1001")
    with pytest.raises(InvalidValue) as caught:
        service.list_return_reason_codes(stocked, SELLER, request_)
    assert caught.value.field == field


def test_another_sellers_sku_and_order_are_unknown(stocked: Database) -> None:
    add_seller(stocked, OTHER, "AKIAOTHERKEY", "other-secret")
    stock(stocked, "OTHER-SKU", 5, "BFI4", OTHER)
    place(stocked, "MCF-1001")
    with pytest.raises(InvalidValue) as caught:
        service.list_return_reason_codes(stocked, SELLER, service.ReasonCodesRequest("OTHER-SKU", US))
    assert (caught.value.field, caught.value.value) == ("SellerSKU", "OTHER-SKU")
    with pytest.raises(InvalidValue) as caught:
        service.list_return_reason_codes(stocked, OTHER, service.ReasonCodesRequest("OTHER-SKU", None, "MCF-1001"))
    assert caught.value.field == "SellerFulfillmentOrderId"


def test_reason_codes_follow_the_skus_category(stocked: Database) -> None:
    set_category(stocked, MUG, "gift_card")
    assert codes(stocked, service.ReasonCodesRequest(MUG, US)) == []
    assert codes(stocked, service.ReasonCodesRequest(MUG, DE)) == []
    set_category(stocked, MUG, "electronics")
    found = [code for code, _ in codes(stocked, service.ReasonCodesRequest(MUG, DE))]
    assert "CR-NOT_COMPATIBLE" in found and "CR-NO_REASON_GIVEN" in found and len(found) == 11


# ------------------------------------------------------------------------------------------------ create


def test_create_accepts_refuses_and_authorizes(stocked: Database) -> None:
    shipment = shipped_order(stocked)
    at = now(stocked)
    created = create(
        stocked,
        "MCF-1001",
        unit("RET-1001-1", "MCF-1001-1", shipment, comment="Handle cracked on arrival"),
        unit("RET-1001-2", "MCF-1001-2", shipment, "CR-UNWANTED_ITEM"),
        unit("RET-1001-3", "MCF-1001-2", shipment, "CR-UNWANTED_ITEM"),
    )
    (authorization,) = created.authorizations
    assert [
        (r.seller_return_item_id, r.status, r.status_changed_at, r.authorization_id) for r in created.return_items
    ] == [
        ("RET-1001-1", "New", at, authorization.authorization_id),
        ("RET-1001-2", "New", at, authorization.authorization_id),
    ]
    assert created.return_items[0].comment == "Handle cracked on arrival"
    assert all(r.received_condition is None and r.fc_code is None for r in created.return_items)
    assert [(r.seller_return_item_id, r.reason_code) for r in created.invalid_items] == [
        ("RET-1001-3", "NoReturnableQuantity")
    ]
    assert authorization.fc_code == "ONT8"  # the returns center nearest Seattle
    assert authorization.address == rules.return_address(rules.WORLD.centers["ONT8"])
    assert authorization.rma_url.endswith(f"rmaId={authorization.rma_id}")
    # GetFulfillmentOrder shows the same returns and authorization
    order = order_service.get_fulfillment_order(stocked, SELLER, "MCF-1001")
    assert order.returns == created.return_items
    assert order.authorizations == created.authorizations
    # nothing comes back into stock before the units arrive; each unit is due 1-14 days out
    assert sellable(stocked, MUG, "ONT8") == 0
    due = due_dates(stocked)
    assert set(due) == {"RET-1001-1", "RET-1001-2"}
    for moment in due.values():
        assert moment is not None and at + timedelta(days=1) <= moment <= at + timedelta(days=14)


def test_resubmitting_creates_nothing(stocked: Database) -> None:
    shipment = shipped_order(stocked)
    units = [unit("R1", "MCF-1001-1", shipment), unit("R2", "MCF-1001-2", shipment), unit("R3", "MCF-1001-2", shipment)]
    create(stocked, "MCF-1001", *units)
    before = (count(stocked, return_items), count(stocked, return_authorizations))
    again = create(stocked, "MCF-1001", *units)
    assert (again.return_items, again.authorizations) == ([], [])
    assert [(r.seller_return_item_id, r.reason_code) for r in again.invalid_items] == [
        ("R1", "DuplicateRequest"),
        ("R2", "DuplicateRequest"),
        ("R3", "NoReturnableQuantity"),
    ]
    assert (count(stocked, return_items), count(stocked, return_authorizations)) == before == (2, 1)


def test_each_call_gets_its_own_authorization(stocked: Database) -> None:
    shipment = shipped_order(stocked)
    first = create(stocked, "MCF-1001", unit("R1", "MCF-1001-1", shipment))
    second = create(stocked, "MCF-1001", unit("R2", "MCF-1001-1", shipment))
    third = create(stocked, "MCF-1001", unit("R3", "MCF-1001-1", shipment))
    assert third.return_items == [] and third.invalid_items[0].reason_code == "NoReturnableQuantity"
    a, b = first.authorizations[0], second.authorizations[0]
    assert a.authorization_id != b.authorization_id and a.rma_id != b.rma_id and a.fc_code == b.fc_code
    order = order_service.get_fulfillment_order(stocked, SELLER, "MCF-1001")
    assert [x.authorization_id for x in order.authorizations] == [a.authorization_id, b.authorization_id]
    assert [r.authorization_id for r in order.returns] == [a.authorization_id, b.authorization_id]


def test_an_unshipped_order_returns_nothing(stocked: Database) -> None:
    place(stocked, "MCF-1002")
    created = create(stocked, "MCF-1002", unit("R1", "MCF-1002-1", "DNOTSHIPD"), unit("R2", "MCF-1002-9", "DNOTSHIPD"))
    assert [(r.seller_return_item_id, r.reason_code) for r in created.invalid_items] == [
        ("R1", "NoCompletedShipItems"),
        ("R2", "InvalidValues"),
    ]
    assert created.return_items == [] and created.authorizations == []
    assert count(stocked, return_authorizations) == 0


def test_order_level_refusals(stocked: Database) -> None:
    add_seller(stocked, SELLER, ACCESS_KEY, SECRET_KEY, marketplaces=[US, CA])
    stock(stocked, "MAPLE-SYRUP", 5, "YYZ4")
    place(stocked, "MCF-CA", [("MAPLE-SYRUP", 1)], marketplace=CA, destination=TORONTO)
    place(stocked, "MCF-1001")
    add_seller(stocked, OTHER, "AKIAOTHERKEY", "other-secret")
    for seller, order_id in ((SELLER, "MCF-404"), (OTHER, "MCF-1001"), (SELLER, "MCF-CA")):
        with pytest.raises(InvalidValue) as caught:
            create(stocked, order_id, unit("R1", f"{order_id}-1", "DWHATEVER"), seller=seller)
        assert (caught.value.field, caught.value.value) == ("SellerFulfillmentOrderId", order_id)


def test_reason_codes_are_checked_per_category(stocked: Database) -> None:
    set_category(stocked, TEA, "grocery")
    shipment = shipped_order(stocked)
    created = create(
        stocked,
        "MCF-1001",
        unit("R1", "MCF-1001-2", shipment, "CR-UNWANTED_ITEM"),  # groceries are not returned for that
        unit("R2", "MCF-1001-2", shipment, "CR-SWITCHEROO"),
    )
    assert [r.seller_return_item_id for r in created.return_items] == ["R2"]
    assert [(r.seller_return_item_id, r.reason_code) for r in created.invalid_items] == [("R1", "InvalidValues")]


def test_one_transaction(stocked: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    shipment = shipped_order(stocked)

    def broken(*args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(return_store, "insert_return_items", broken)
    with pytest.raises(RuntimeError):
        create(stocked, "MCF-1001", unit("R1", "MCF-1001-1", shipment))
    assert (count(stocked, return_items), count(stocked, return_authorizations)) == (0, 0)


def test_concurrent_identical_calls_accept_each_unit_once(stocked: Database) -> None:
    shipment = shipped_order(stocked)
    units = [unit("R1", "MCF-1001-1", shipment), unit("R2", "MCF-1001-1", shipment), unit("R3", "MCF-1001-2", shipment)]
    results: list[service.CreatedReturn] = []
    errors: list[BaseException] = []

    def go() -> None:
        try:
            results.append(create(stocked, "MCF-1001", *units))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=go) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    accepted = [r.seller_return_item_id for result in results for r in result.return_items]
    assert sorted(accepted) == ["R1", "R2", "R3"]
    assert sum(len(r.authorizations) for r in results) == 1
    assert (count(stocked, return_items), count(stocked, return_authorizations)) == (3, 1)


# ------------------------------------------------------------------------------------------------ processing


def expected_condition(order_id: str, return_id: str) -> str:
    return rules.grade(rng_for(SELLER, order_id, f"return/{return_id}/grade"))


def test_units_are_received_graded_and_restocked(stocked: Database) -> None:
    order_ids = [f"MCF-{n}" for n in range(1, 7)]
    for order_id in order_ids:
        place(stocked, order_id, [(MUG, 1)])
    ship(stocked)
    for order_id in order_ids:
        create(stocked, order_id, unit(f"RET-{order_id}", f"{order_id}-1", shipment_of(stocked, order_id)))
    due = due_dates(stocked)
    assert sellable(stocked, MUG, "ONT8") == 0
    moved = simulation.advance(stocked, timedelta(days=15))
    assert moved.steps >= 6
    restocked = 0
    for order_id in order_ids:
        order = order_service.get_fulfillment_order(stocked, SELLER, order_id)
        (returned,) = order.returns
        condition = expected_condition(order_id, f"RET-{order_id}")
        assert returned.status == "Processed"
        assert returned.received_condition == condition
        assert returned.fc_code == "ONT8"
        assert returned.amazon_reason_code == rules.amazon_reason_code(condition, "CR-DEFECTIVE")
        assert returned.status_changed_at == due[f"RET-{order_id}"]  # processed when it fell due
        restocked += condition == "Sellable"
    assert sellable(stocked, MUG, "ONT8") == restocked
    assert restocked > 0  # the seeds above give at least one sellable unit
    assert all(d is None for d in due_dates(stocked).values())
    assert simulation.advance(stocked, timedelta(days=30)).steps == 0  # nothing is processed twice


def test_a_sellable_unit_goes_back_to_existing_stock(stocked: Database) -> None:
    stock(stocked, TEA, 4, "ONT8")
    shipment = shipped_order(stocked)
    scenarios.add(stocked, SELLER, "return", {"condition": "Sellable"}, now(stocked))
    create(stocked, "MCF-1001", unit("R1", "MCF-1001-2", shipment, "CR-UNWANTED_ITEM"))
    simulation.advance(stocked, timedelta(days=15))
    assert sellable(stocked, TEA, "ONT8") == 5
    assert levels(stocked, SELLER, TEA) == [(TEA, "BFI4", 9, 0), (TEA, "ONT8", 5, 0)]


def test_scenarios_force_a_condition_or_keep_a_unit_away(stocked: Database) -> None:
    place(stocked, "MCF-A", [(MUG, 1)])
    place(stocked, "MCF-B", [(MUG, 1)])
    place(stocked, "MCF-C", [(MUG, 1)])
    ship(stocked)
    at = now(stocked)
    scenarios.add(stocked, SELLER, "return", {"condition": "CarrierDamaged"}, at)
    scenarios.add(stocked, SELLER, "return", {"condition": "Sellable"}, at, seller_order_id="MCF-B")
    scenarios.add(stocked, SELLER, "return", {"arrives": "never"}, at, seller_order_id="MCF-C")
    for order_id in ("MCF-A", "MCF-B", "MCF-C"):
        create(stocked, order_id, unit(f"R-{order_id}", f"{order_id}-1", shipment_of(stocked, order_id)))
    assert due_dates(stocked)["R-MCF-C"] is None  # known at creation: never due
    simulation.advance(stocked, timedelta(days=20))
    found = {
        order_id: order_service.get_fulfillment_order(stocked, SELLER, order_id).returns[0]
        for order_id in ("MCF-A", "MCF-B", "MCF-C")
    }
    assert (found["MCF-A"].status, found["MCF-A"].received_condition) == ("Processed", "CarrierDamaged")
    assert found["MCF-A"].amazon_reason_code == "CR-DAMAGED_BY_CARRIER"
    assert (found["MCF-B"].status, found["MCF-B"].received_condition) == ("Processed", "Sellable")  # the order's wins
    assert (found["MCF-C"].status, found["MCF-C"].received_condition, found["MCF-C"].fc_code) == ("New", None, None)
    assert sellable(stocked, MUG, "ONT8") == 1


def test_a_never_scenario_added_after_the_return(stocked: Database) -> None:
    shipment = shipped_order(stocked)
    create(stocked, "MCF-1001", unit("R1", "MCF-1001-1", shipment))
    assert due_dates(stocked)["R1"] is not None
    scenarios.add(stocked, SELLER, "return", {"arrives": "never"}, now(stocked), seller_order_id="MCF-1001")
    simulation.advance(stocked, timedelta(days=20))
    (returned,) = order_service.get_fulfillment_order(stocked, SELLER, "MCF-1001").returns
    assert returned.status == "New" and due_dates(stocked)["R1"] is None


def test_grading_rates_are_configurable(stocked: Database) -> None:
    shipment = shipped_order(stocked)
    create(stocked, "MCF-1001", unit("R1", "MCF-1001-1", shipment), unit("R2", "MCF-1001-1", shipment))
    later = now(stocked) + timedelta(days=15)
    with stocked.transaction() as conn:
        handled = process_due_returns(conn, later, grading=rules.GradingRates(0, 0, 0, 0, 1))
    assert handled == 2
    order = order_service.get_fulfillment_order(stocked, SELLER, "MCF-1001")
    assert [(r.received_condition, r.amazon_reason_code, r.status_changed_at) for r in order.returns] == [
        ("FulfillerDamaged", "CR-DAMAGED_BY_FC", later),
        ("FulfillerDamaged", "CR-DAMAGED_BY_FC", later),
    ]  # not replaying: processed at "now"
    assert sellable(stocked, MUG, "ONT8") == 0


def test_processing_takes_batches(stocked: Database) -> None:
    shipment = shipped_order(stocked)
    create(stocked, "MCF-1001", unit("R1", "MCF-1001-1", shipment), unit("R2", "MCF-1001-1", shipment))
    later = now(stocked) + timedelta(days=15)
    with stocked.transaction() as conn:
        assert process_due_returns(conn, later, 1) == 1
    with stocked.transaction() as conn:
        assert process_due_returns(conn, later, 1) == 1
    with stocked.transaction() as conn:
        assert process_due_returns(conn, later, 1) == 0


def test_the_same_order_is_graded_the_same_on_every_run(stocked: Database) -> None:
    """Seeded per order and unit: conditions do not depend on row ids or timing."""
    shipment = shipped_order(stocked)
    create(stocked, "MCF-1001", unit("RA", "MCF-1001-1", shipment), unit("RB", "MCF-1001-1", shipment))
    simulation.advance(stocked, timedelta(days=15))
    got = [r.received_condition for r in order_service.get_fulfillment_order(stocked, SELLER, "MCF-1001").returns]
    assert got == [expected_condition("MCF-1001", "RA"), expected_condition("MCF-1001", "RB")]


def test_restock_adds_or_creates(stocked: Database) -> None:
    with stocked.transaction() as conn:
        return_store.restock(conn, SELLER, MUG, "DFW7", 2)
        return_store.restock(conn, SELLER, MUG, "DFW7", 3)
        return_store.restock(conn, SELLER, MUG, "BFI4", 1)
    assert sellable(stocked, MUG, "DFW7") == 5 and sellable(stocked, MUG, "BFI4") == 11


def test_processing_is_logged_on_the_order(stocked: Database) -> None:
    shipment = shipped_order(stocked)
    scenarios.add(stocked, SELLER, "return", {"condition": "Defective"}, now(stocked))
    create(stocked, "MCF-1001", unit("R1", "MCF-1001-1", shipment))
    simulation.advance(stocked, timedelta(days=15))
    with stocked.read() as conn:
        logged = conn.execute(
            select(order_events.c.kind, order_events.c.detail).where(order_events.c.kind == "RETURN_PROCESSED")
        ).all()
    assert [tuple(row) for row in logged] == [("RETURN_PROCESSED", "R1 Defective")]


def test_parallel_engines_process_each_unit_once(stocked: Database) -> None:
    """Several workers draining the same due units (SKIP LOCKED on PostgreSQL, one writer on SQLite)."""
    order_ids = [f"MCF-{n}" for n in range(1, 9)]
    for order_id in order_ids:
        place(stocked, order_id, [(MUG, 1)])
    ship(stocked)
    for order_id in order_ids:
        create(stocked, order_id, unit(f"R-{order_id}", f"{order_id}-1", shipment_of(stocked, order_id)))
    scenarios.add(stocked, SELLER, "return", {"condition": "Sellable"}, now(stocked))
    later = now(stocked) + timedelta(days=15)
    handled: list[int] = []
    errors: list[BaseException] = []

    def drain() -> None:
        try:
            while True:
                with stocked.transaction() as conn:
                    done = process_due_returns(conn, later, 2)
                if done == 0:
                    return
                handled.append(done)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    workers = [threading.Thread(target=drain) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == [] and sum(handled) == 8
    assert sellable(stocked, MUG, "ONT8") == 8
    with stocked.read() as conn:
        assert (
            conn.execute(
                select(func.count()).select_from(order_events).where(order_events.c.kind == "RETURN_PROCESSED")
            ).scalar_one()
            == 8
        )
