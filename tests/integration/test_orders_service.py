"""The fulfillment-order service on a real store (SQLite and PostgreSQL): allocation, reservation, hold, update,
cancel, idempotency and the refusals of docs/mws-protocol.md "Operations".

Every test looks at the inventory table (sellable / reserved per center) as well as at the order, because the
point of these operations is what they do to the seller's stock.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from outbound.domain import lifecycle
from outbound.domain.errors import InsufficientStock, InvalidValue, NotAllowed
from outbound.domain.orders import (
    CANCELLED,
    INVALID,
    PLANNING,
    PROCESSING,
    RECEIVED,
    UNFULFILLABLE,
    Address,
    CODSettings,
    DeliveryWindow,
    Money,
)
from outbound.domain.world import WORLD
from outbound.service import orders as service
from outbound.service.accounts import Caller, add_seller
from outbound.store import Database
from outbound.store import orders as order_store
from outbound.store.schema import order_items, orders, reservations
from tests.helpers import ACCESS_KEY, BR, CALLER, JP, SEATTLE, SECRET_KEY, SELLER, US, reset, stock, totals, units

TOKYO = Address(
    {
        "Name": "Amazon Taro",
        "Line1": "Meguro-ku Shimomeguro 12-34-56",
        "StateOrProvinceCode": "Tokyo",
        "CountryCode": "JP",
        "PostalCode": "153-0002",
    }
)


@pytest.fixture
def db(module_store: Database) -> Database:
    return reset(module_store)


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def item(sku: str, item_id: str, quantity: int, **extra: object) -> service.ItemRequest:
    return service.ItemRequest(sku, item_id, quantity, **extra)  # type: ignore[arg-type]


def request(order_id: str, *items: service.ItemRequest, **extra: object) -> service.CreateOrderRequest:
    fields: dict[str, object] = {
        "seller_order_id": order_id,
        "displayable_order_id": f"WEB-{order_id}",
        "displayable_order_at": datetime(2026, 11, 23, 15, 58, 40, tzinfo=UTC),
        "displayable_order_comment": "Thank you for shopping at Blue Kettle Tea Co.",
        "shipping_speed": "Standard",
        "destination": SEATTLE,
        "items": items,
    }
    fields.update(extra)
    return service.CreateOrderRequest(**fields)  # type: ignore[arg-type]


def create(db: Database, req: service.CreateOrderRequest, caller: Caller = CALLER) -> service.Created:
    return service.create_fulfillment_order(db, caller, req, now())


def held_units(db: Database, order_id: str) -> dict[tuple[int, str], int]:
    """(line, fc) → units the order holds, read from the reservations table."""
    with db.read() as conn:
        stored = order_store.load_order(conn, SELLER, order_id)
        assert stored is not None
        return {(r.line, r.fc_code): r.quantity for r in order_store.load_reservations(conn, stored.id)}


def row_counts(db: Database) -> tuple[int, int, int]:
    with db.read() as conn:
        return tuple(  # type: ignore[return-value]
            int(conn.execute(select(func.count()).select_from(t)).scalar_one())
            for t in (orders, order_items, reservations)
        )


def force_status(db: Database, order_id: str, *path: str) -> None:
    """Move an order along the status machine as the simulator would (it has no public API for it yet)."""
    with db.transaction() as conn:
        stored = order_store.load_order(conn, SELLER, order_id, lock=True)
        assert stored is not None
        for status in path:
            lifecycle.transition(stored.order, status, now())
        order_store.save_order(conn, stored)


# ------------------------------------------------------------------------------------------------ create & reserve


def test_create_reserves_the_units(db: Database) -> None:
    stock(db, "MUG", 10, "BFI4")
    at = now()
    created = service.create_fulfillment_order(db, CALLER, request("O-1", item("MUG", "O-1-1", 3)), at)
    assert not created.replayed
    assert units(db, "MUG") == {"BFI4": (7, 3)}
    assert held_units(db, "O-1") == {(0, "BFI4"): 3}

    order = service.get_fulfillment_order(db, SELLER, "O-1")
    assert order.status == RECEIVED
    assert order.received_at == order.status_updated_at == at
    assert order.marketplace_id == US  # default: the seller's home marketplace
    assert order.fulfillment_action == "Ship" and order.fulfillment_policy == "FillOrKill"
    assert order.fulfillment_method == "Consumer"
    assert order.shipments == [] and order.returns == [] and order.authorizations == []
    (line,) = order.items
    assert (line.quantity, line.cancelled_quantity, line.unfulfillable_quantity) == (3, 0, 0)
    assert line.fnsku and line.fnsku.startswith("X00")  # the SKU's network SKU is filled in
    assert line.estimated_ship_at is not None and line.estimated_arrival_at is not None
    assert at <= line.estimated_ship_at < line.estimated_arrival_at


def test_allocation_prefers_the_nearest_center_holding_everything(db: Database) -> None:
    stock(db, "MUG", 5, "BFI4")  # Kent WA, next to Seattle
    stock(db, "MUG", 5, "ONT8")  # Moreno Valley CA
    create(db, request("NEAR", item("MUG", "NEAR-1", 4)))
    assert held_units(db, "NEAR") == {(0, "BFI4"): 4}
    assert units(db, "MUG") == {"BFI4": (1, 4), "ONT8": (5, 0)}


def test_allocation_takes_one_far_center_rather_than_splitting(db: Database) -> None:
    stock(db, "MUG", 2, "BFI4")
    stock(db, "MUG", 10, "ONT8")
    create(db, request("ONE", item("MUG", "ONE-1", 4)))
    assert held_units(db, "ONE") == {(0, "ONT8"): 4}
    assert units(db, "MUG") == {"BFI4": (2, 0), "ONT8": (6, 4)}


def test_allocation_splits_across_centers_when_no_center_has_enough(db: Database) -> None:
    stock(db, "MUG", 5, "BFI4")
    stock(db, "MUG", 5, "ONT8")
    stock(db, "MUG", 5, "ABE8")  # New Jersey: not needed, must stay untouched
    create(db, request("SPLIT", item("MUG", "SPLIT-1", 8)))
    held = held_units(db, "SPLIT")
    assert sum(held.values()) == 8
    assert {fc for _, fc in held} == {"BFI4", "ONT8"}  # two centers, the two nearest; never three
    assert units(db, "MUG")["ABE8"] == (5, 0)
    assert totals(db, "MUG") == (7, 8)


def test_two_skus_in_two_centers_make_two_reservations(db: Database) -> None:
    stock(db, "MUG", 3, "BFI4")
    stock(db, "TEA", 3, "ONT8")
    create(db, request("TWO", item("MUG", "TWO-1", 2), item("TEA", "TWO-2", 1)))
    assert held_units(db, "TWO") == {(0, "BFI4"): 2, (1, "ONT8"): 1}
    assert units(db, "MUG") == {"BFI4": (1, 2)}
    assert units(db, "TEA") == {"ONT8": (2, 1)}


def test_fill_or_kill_short_is_refused_and_reserves_nothing(db: Database) -> None:
    stock(db, "MUG", 2, "BFI4")
    stock(db, "TEA", 9, "BFI4")
    with pytest.raises(InsufficientStock) as err:
        create(db, request("FOK", item("TEA", "FOK-1", 1), item("MUG", "FOK-2", 3)))
    assert (err.value.value, err.value.parameter) == ("InsufficientInventory", "Items")
    assert units(db, "MUG") == {"BFI4": (2, 0)}
    assert units(db, "TEA") == {"BFI4": (9, 0)}  # the line that could be served was not reserved either
    assert row_counts(db) == (0, 0, 0)


@pytest.mark.parametrize("policy", ["FillOrKill", "FillAll", "FillAllAvailable"])
def test_no_stock_at_all_is_all_quantity_zero_whatever_the_policy(db: Database, policy: str) -> None:
    stock(db, "MUG", 0, "BFI4")  # a known SKU, no sellable unit
    stock(db, "TEA", 0, "ONT8")
    with pytest.raises(InsufficientStock) as err:
        create(db, request("ZERO", item("MUG", "ZERO-1", 1), item("TEA", "ZERO-2", 2), fulfillment_policy=policy))
    assert (err.value.value, err.value.parameter) == ("AllQuantityZero", "")
    assert row_counts(db) == (0, 0, 0)


def test_all_units_reserved_by_others_is_all_quantity_zero(db: Database) -> None:
    stock(db, "MUG", 2, "BFI4")
    create(db, request("FIRST", item("MUG", "FIRST-1", 2)))
    with pytest.raises(InsufficientStock) as err:
        create(db, request("SECOND", item("MUG", "SECOND-1", 1), fulfillment_policy="FillAll"))
    assert err.value.value == "AllQuantityZero"
    assert units(db, "MUG") == {"BFI4": (0, 2)}


@pytest.mark.parametrize("policy", ["FillAll", "FillAllAvailable"])
def test_fill_all_short_is_accepted_with_the_available_units_reserved(db: Database, policy: str) -> None:
    stock(db, "MUG", 2, "BFI4")
    stock(db, "MUG", 1, "ONT8")
    stock(db, "TEA", 0, "BFI4")
    created = create(
        db, request("SHORT", item("MUG", "SHORT-1", 5), item("TEA", "SHORT-2", 2), fulfillment_policy=policy)
    )
    assert not created.replayed
    assert totals(db, "MUG") == (0, 3)  # every available unit, in both centers
    assert totals(db, "TEA") == (0, 0)
    assert sum(held_units(db, "SHORT").values()) == 3
    order = service.get_fulfillment_order(db, SELLER, "SHORT")
    assert order.status == RECEIVED and order.fulfillment_policy == policy
    assert [i.quantity for i in order.items] == [5, 2]  # the order keeps what was asked for
    assert [(i.cancelled_quantity, i.unfulfillable_quantity) for i in order.items] == [(0, 0), (0, 0)]


def test_hold_reserves_units_and_stays_received(db: Database) -> None:
    stock(db, "MUG", 4, "BFI4")
    at = now()
    service.create_fulfillment_order(
        db, CALLER, request("HOLD", item("MUG", "HOLD-1", 3), fulfillment_action="Hold"), at
    )
    assert units(db, "MUG") == {"BFI4": (1, 3)}
    order = service.get_fulfillment_order(db, SELLER, "HOLD")
    assert (order.status, order.fulfillment_action, order.on_hold) == (RECEIVED, "Hold", True)
    assert order.hold_until == at + timedelta(days=14)
    # held units are kept from every other order
    with pytest.raises(InsufficientStock):
        create(db, request("OTHER", item("MUG", "OTHER-1", 2)))
    assert units(db, "MUG") == {"BFI4": (1, 3)}


# ------------------------------------------------------------------------------------------------ update


def update(db: Database, order_id: str, *items: service.ItemUpdate, **extra: object) -> None:
    req = service.UpdateOrderRequest(order_id, items=items, **extra)  # type: ignore[arg-type]
    service.update_fulfillment_order(db, CALLER, req, now())


def held_order(db: Database, order_id: str = "H", *items: service.ItemRequest) -> None:
    create(db, request(order_id, *(items or (item("MUG", f"{order_id}-1", 5),)), fulfillment_action="Hold"))


def test_lowering_a_short_fill_all_line_keeps_the_units_it_still_needs(db: Database) -> None:
    """A held FillAll line of 5 that could reserve only 3 still needs all 3 when lowered to 4 (and 2 when to 2)."""
    stock(db, "MUG", 3, "BFI4")
    create(db, request("FA", item("MUG", "FA-1", 5), fulfillment_action="Hold", fulfillment_policy="FillAll"))
    assert units(db, "MUG") == {"BFI4": (0, 3)}
    update(db, "FA", service.ItemUpdate("FA-1", 4))
    assert units(db, "MUG") == {"BFI4": (0, 3)}
    assert held_units(db, "FA") == {(0, "BFI4"): 3}
    update(db, "FA", service.ItemUpdate("FA-1", 2))
    assert units(db, "MUG") == {"BFI4": (1, 2)}
    assert service.get_fulfillment_order(db, SELLER, "FA").items[0].quantity == 2


def test_update_is_refused_on_an_order_that_is_not_held(db: Database) -> None:
    stock(db, "MUG", 10, "BFI4")
    create(db, request("SHIP", item("MUG", "SHIP-1", 5)))
    with pytest.raises(NotAllowed) as err:
        update(db, "SHIP", service.ItemUpdate("SHIP-1", 2))
    assert err.value.message == "Fulfillment order SHIP cannot be updated."
    assert units(db, "MUG") == {"BFI4": (5, 5)}
    assert service.get_fulfillment_order(db, SELLER, "SHIP").items[0].quantity == 5


def test_update_is_refused_on_a_cancelled_held_order(db: Database) -> None:
    stock(db, "MUG", 10, "BFI4")
    held_order(db)
    service.cancel_fulfillment_order(db, SELLER, "H", now())
    with pytest.raises(NotAllowed):
        update(db, "H", fulfillment_action="Ship")
    assert service.get_fulfillment_order(db, SELLER, "H").fulfillment_action == "Hold"


def test_update_of_an_unknown_order_is_invalid_value(db: Database) -> None:
    with pytest.raises(InvalidValue) as err:
        update(db, "NOPE", fulfillment_action="Ship")
    assert (err.value.field, err.value.value) == ("SellerFulfillmentOrderId", "NOPE")


def test_lowering_a_quantity_releases_the_difference(db: Database) -> None:
    stock(db, "MUG", 10, "BFI4")
    held_order(db)
    before = service.get_fulfillment_order(db, SELLER, "H")
    update(db, "H", service.ItemUpdate("H-1", 2, gift_message="Enjoy!"))
    assert units(db, "MUG") == {"BFI4": (8, 2)}
    assert held_units(db, "H") == {(0, "BFI4"): 2}
    after = service.get_fulfillment_order(db, SELLER, "H")
    assert after.items[0].quantity == 2 and after.items[0].gift_message == "Enjoy!"
    assert after.on_hold  # FulfillmentAction defaults to Hold on update
    assert after.status_updated_at == before.status_updated_at  # an edit is not a status change


def test_lowering_a_split_line_releases_units_from_its_centers(db: Database) -> None:
    stock(db, "MUG", 4, "BFI4")
    stock(db, "MUG", 4, "ONT8")
    held_order(db, "HS", item("MUG", "HS-1", 7))
    assert totals(db, "MUG") == (1, 7)
    update(db, "HS", service.ItemUpdate("HS-1", 3))
    assert totals(db, "MUG") == (5, 3)
    assert sum(held_units(db, "HS").values()) == 3
    update(db, "HS", service.ItemUpdate("HS-1", 1))
    assert totals(db, "MUG") == (7, 1)
    assert sum(held_units(db, "HS").values()) == 1


@pytest.mark.parametrize("quantity", [6, 0, -1])
def test_raising_or_zeroing_a_quantity_is_refused(db: Database, quantity: int) -> None:
    stock(db, "MUG", 10, "BFI4")
    held_order(db)
    with pytest.raises(InvalidValue) as err:
        update(db, "H", service.ItemUpdate("H-1", quantity))
    assert (err.value.field, err.value.value) == ("Items.member.1.Quantity", str(quantity))
    assert units(db, "MUG") == {"BFI4": (5, 5)}
    assert service.get_fulfillment_order(db, SELLER, "H").items[0].quantity == 5


def test_unknown_item_id_is_refused(db: Database) -> None:
    stock(db, "MUG", 10, "BFI4")
    held_order(db)
    with pytest.raises(InvalidValue) as err:
        update(db, "H", service.ItemUpdate("H-1", 4), service.ItemUpdate("H-9", 1))
    assert (err.value.field, err.value.value) == ("Items.member.2.SellerFulfillmentOrderItemId", "H-9")
    # atomic: the valid first change was not kept either
    assert units(db, "MUG") == {"BFI4": (5, 5)}
    assert service.get_fulfillment_order(db, SELLER, "H").items[0].quantity == 5


def test_update_may_not_change_a_lines_sku(db: Database) -> None:
    stock(db, "MUG", 10, "BFI4")
    held_order(db)
    with pytest.raises(InvalidValue) as err:
        update(db, "H", service.ItemUpdate("H-1", 5, seller_sku="TEA"))
    assert err.value.field == "Items.member.1.SellerSKU"


def test_update_refuses_scheduled_delivery_and_another_marketplace(db: Database) -> None:
    stock(db, "MUG", 10, "BFI4")
    held_order(db)
    with pytest.raises(InvalidValue) as err:
        update(db, "H", shipping_speed="ScheduledDelivery")
    assert err.value.field == "ShippingSpeedCategory"
    with pytest.raises(InvalidValue) as err:
        update(db, "H", marketplace_id=JP)
    assert err.value.field == "MarketplaceId"
    assert service.get_fulfillment_order(db, SELLER, "H").shipping_speed == "Standard"


def test_update_replaces_order_fields_and_the_whole_address(db: Database) -> None:
    stock(db, "MUG", 10, "BFI4")
    held_order(db)
    portland = Address(
        {
            "Name": "Sam",
            "Line1": "9 Oak St",
            "City": "Portland",
            "StateOrProvinceCode": "OR",
            "CountryCode": "US",
            "PostalCode": "97201",
        }
    )
    update(db, "H", shipping_speed="Expedited", destination=portland, notification_emails=("a@b.example",))
    order = service.get_fulfillment_order(db, SELLER, "H")
    assert order.shipping_speed == "Expedited"
    assert order.destination.fields == portland.fields  # replaced whole: no Line2 etc. merged from the old one
    assert order.notification_emails == ["a@b.example"]
    assert order.on_hold


def test_ship_releases_the_hold_and_keeps_the_reservation(db: Database) -> None:
    stock(db, "MUG", 10, "BFI4")
    held_order(db)
    before = service.get_fulfillment_order(db, SELLER, "H")
    update(db, "H", service.ItemUpdate("H-1", 4), fulfillment_action="Ship")
    order = service.get_fulfillment_order(db, SELLER, "H")
    assert (order.fulfillment_action, order.on_hold, order.hold_until) == ("Ship", False, None)
    assert order.status == RECEIVED and order.status_updated_at == before.status_updated_at
    assert units(db, "MUG") == {"BFI4": (6, 4)}  # released for shipping, units still held for it
    with pytest.raises(NotAllowed):  # no longer on hold: no more updates
        update(db, "H", service.ItemUpdate("H-1", 1))
    assert units(db, "MUG") == {"BFI4": (6, 4)}


def test_update_without_action_keeps_the_hold_and_its_deadline(db: Database) -> None:
    stock(db, "MUG", 10, "BFI4")
    held_order(db)
    deadline = service.get_fulfillment_order(db, SELLER, "H").hold_until
    update(db, "H", displayable_order_comment="changed")
    order = service.get_fulfillment_order(db, SELLER, "H")
    assert order.on_hold and order.hold_until == deadline
    assert order.displayable_order_comment == "changed"


# ------------------------------------------------------------------------------------------------ update: re-planning

MONDAY = datetime(2026, 11, 16, 16, 0, tzinfo=UTC)  # 08:00 in Kent WA: before every speed's cut-off
MIAMI = Address(
    {
        "Name": "Sam Roe",
        "Line1": "100 Biscayne Blvd",
        "City": "Miami",
        "StateOrProvinceCode": "FL",
        "CountryCode": "US",
        "PostalCode": "33132",
    }
)


def update_at(db: Database, at: datetime, order_id: str, *items: service.ItemUpdate, **extra: object) -> None:
    req = service.UpdateOrderRequest(order_id, items=items, **extra)  # type: ignore[arg-type]
    service.update_fulfillment_order(db, CALLER, req, at)


def promises(db: Database, order_id: str) -> list[tuple[datetime | None, datetime | None]]:
    return [
        (i.estimated_ship_at, i.estimated_arrival_at) for i in service.get_fulfillment_order(db, SELLER, order_id).items
    ]


def test_a_new_speed_gives_the_promises_of_a_fresh_create_at_the_update(db: Database) -> None:
    stock(db, "MUG", 10, "BFI4")
    stock(db, "TEA", 10, "BFI4")
    lines = (item("MUG", "H-1", 2), item("TEA", "H-2", 1))
    service.create_fulfillment_order(db, CALLER, request("H", *lines, fulfillment_action="Hold"), MONDAY)
    standard = promises(db, "H")
    later = MONDAY + timedelta(days=1)
    update_at(db, later, "H", shipping_speed="Priority")

    fresh = request("F", item("MUG", "F-1", 2), item("TEA", "F-2", 1), shipping_speed="Priority")
    service.create_fulfillment_order(db, CALLER, fresh, later)
    assert promises(db, "H") == promises(db, "F")
    assert promises(db, "H") != standard
    arrival = promises(db, "H")[0][1]
    assert arrival is not None and standard[0][1] is not None and arrival < standard[0][1]
    # the units stay where they were (same destination, same stock), the order stays held
    assert held_units(db, "H") == {(0, "BFI4"): 2, (1, "BFI4"): 1}
    assert units(db, "MUG") == {"BFI4": (6, 4)} and units(db, "TEA") == {"BFI4": (8, 2)}
    order = service.get_fulfillment_order(db, SELLER, "H")
    assert order.on_hold and order.shipping_speed == "Priority"
    assert order.hold_until == MONDAY + timedelta(days=14)  # the hold clock is not restarted


def test_a_new_address_moves_the_reservation_to_the_center_a_fresh_create_would_choose(db: Database) -> None:
    stock(db, "MUG", 5, "BFI4")  # Kent WA, next to Seattle
    stock(db, "MUG", 5, "JAX3")  # Jacksonville FL, the nearest to Miami
    service.create_fulfillment_order(db, CALLER, request("H", item("MUG", "H-1", 3), fulfillment_action="Hold"), MONDAY)
    assert units(db, "MUG") == {"BFI4": (2, 3), "JAX3": (5, 0)}
    later = MONDAY + timedelta(hours=2)
    update_at(db, later, "H", destination=MIAMI)
    assert held_units(db, "H") == {(0, "JAX3"): 3}
    assert units(db, "MUG") == {"BFI4": (5, 0), "JAX3": (2, 3)}

    service.create_fulfillment_order(db, CALLER, request("F", item("MUG", "F-1", 2), destination=MIAMI), later)
    assert held_units(db, "F") == {(0, "JAX3"): 2}  # the same center as the moved order
    assert promises(db, "H") == promises(db, "F")
    assert service.get_fulfillment_order(db, SELLER, "H").destination.fields == MIAMI.fields


def test_a_new_address_and_a_lower_quantity_in_one_update(db: Database) -> None:
    stock(db, "MUG", 4, "BFI4")
    stock(db, "MUG", 4, "ONT8")
    stock(db, "MUG", 3, "JAX3")
    held_order(db, "H", item("MUG", "H-1", 7))  # split over the two western centers
    assert {fc for _, fc in held_units(db, "H")} == {"BFI4", "ONT8"}
    update(db, "H", service.ItemUpdate("H-1", 3), destination=MIAMI)
    assert held_units(db, "H") == {(0, "JAX3"): 3}  # one center, the nearest holding everything
    assert units(db, "MUG") == {"BFI4": (4, 0), "JAX3": (0, 3), "ONT8": (4, 0)}


def test_lowering_a_quantity_re_plans_and_releases_the_surplus(db: Database) -> None:
    stock(db, "MUG", 4, "BFI4")
    stock(db, "MUG", 4, "ONT8")
    service.create_fulfillment_order(db, CALLER, request("H", item("MUG", "H-1", 7), fulfillment_action="Hold"), MONDAY)
    later = MONDAY + timedelta(days=2)
    update_at(db, later, "H", service.ItemUpdate("H-1", 3))
    assert held_units(db, "H") == {(0, "BFI4"): 3}  # no longer split: the surplus went back, from both centers
    assert units(db, "MUG") == {"BFI4": (1, 3), "ONT8": (4, 0)}
    service.create_fulfillment_order(db, CALLER, request("F", item("MUG", "F-1", 1)), later)
    assert promises(db, "H") == promises(db, "F")  # promised as of the update, like a fresh order


def test_an_update_that_changes_no_speed_address_or_quantity_does_not_re_plan(db: Database) -> None:
    stock(db, "MUG", 5, "BFI4")
    service.create_fulfillment_order(db, CALLER, request("H", item("MUG", "H-1", 3), fulfillment_action="Hold"), MONDAY)
    before = promises(db, "H")
    stock(db, "MUG", 9, "ONT8")  # a center that could now take the whole line: the order must not move to it
    later = MONDAY + timedelta(days=3)
    update_at(
        db,
        later,
        "H",
        service.ItemUpdate("H-1", 3, gift_message="Enjoy!"),
        shipping_speed="Standard",  # the current values, sent again
        destination=SEATTLE,
        displayable_order_comment="changed",
        notification_emails=("a@b.example",),
    )
    assert promises(db, "H") == before
    assert held_units(db, "H") == {(0, "BFI4"): 3}
    assert units(db, "MUG") == {"BFI4": (2, 3), "ONT8": (9, 0)}
    assert service.get_fulfillment_order(db, SELLER, "H").items[0].gift_message == "Enjoy!"


def snapshot(db: Database, order_id: str, *skus: str) -> object:
    """Everything an update could change: the order (as read back), its reservations and the stock of its SKUs."""
    return (
        service.get_fulfillment_order(db, SELLER, order_id),
        held_units(db, order_id),
        [units(db, sku) for sku in skus],
    )


def test_fill_or_kill_update_that_cannot_be_covered_is_refused_and_changes_nothing(db: Database) -> None:
    stock(db, "MUG", 3, "BFI4")
    stock(db, "TEA", 2, "ONT8")
    lines = (item("TEA", "H-1", 1), item("MUG", "H-2", 5))
    create(db, request("H", *lines, fulfillment_action="Hold", fulfillment_policy="FillAll"))
    before = snapshot(db, "H", "MUG", "TEA")
    assert units(db, "MUG") == {"BFI4": (0, 3)}
    with pytest.raises(InsufficientStock) as err:
        update(db, "H", service.ItemUpdate("H-2", 4), shipping_speed="Priority", fulfillment_policy="FillOrKill")
    assert (err.value.value, err.value.parameter) == ("InsufficientInventory", "Items")  # as Create says it
    assert snapshot(db, "H", "MUG", "TEA") == before
    # covered again (a lower quantity), the same update goes through
    update(db, "H", service.ItemUpdate("H-2", 3), shipping_speed="Priority", fulfillment_policy="FillOrKill")
    order = service.get_fulfillment_order(db, SELLER, "H")
    assert (order.fulfillment_policy, order.shipping_speed) == ("FillOrKill", "Priority")
    assert held_units(db, "H") == {(0, "ONT8"): 1, (1, "BFI4"): 3}


def test_a_short_order_turned_fill_or_kill_must_be_covered(db: Database) -> None:
    stock(db, "MUG", 3, "BFI4")
    create(db, request("H", item("MUG", "H-1", 5), fulfillment_action="Hold", fulfillment_policy="FillAll"))
    before = snapshot(db, "H", "MUG")
    with pytest.raises(InsufficientStock):
        update(db, "H", fulfillment_policy="FillOrKill")  # nothing else changes: the policy alone
    assert snapshot(db, "H", "MUG") == before
    stock(db, "MUG", 2, "ONT8")  # the missing units arrive: now the order is covered
    update(db, "H", fulfillment_policy="FillOrKill")
    assert held_units(db, "H") == {(0, "BFI4"): 3, (0, "ONT8"): 2}


@pytest.mark.parametrize("policy", ["FillAll", "FillAllAvailable"])
def test_a_short_order_re_planned_takes_the_stock_that_came_in_as_create_would(db: Database, policy: str) -> None:
    stock(db, "MUG", 3, "BFI4")
    create(db, request("H", item("MUG", "H-1", 5), fulfillment_action="Hold", fulfillment_policy=policy))
    assert held_units(db, "H") == {(0, "BFI4"): 3}
    stock(db, "MUG", 1, "ONT8")
    update(db, "H", shipping_speed="Expedited")
    assert held_units(db, "H") == {(0, "BFI4"): 3, (0, "ONT8"): 1}  # still one short: accepted, as Create would
    assert units(db, "MUG") == {"BFI4": (0, 3), "ONT8": (0, 1)}
    assert service.get_fulfillment_order(db, SELLER, "H").items[0].quantity == 5


def test_a_new_address_must_pass_the_export_rules_of_create(db: Database) -> None:
    stock(db, "MUG", 10, "BFI4")
    held_order(db, "H", item("MUG", "H-1", 2), item("MUG", "H-2", 1))
    before = snapshot(db, "H", "MUG")
    london = Address({"Name": "A", "Line1": "1 High St", "City": "London", "CountryCode": "GB", "PostalCode": "SW1A"})
    with pytest.raises(InvalidValue) as err:
        update(db, "H", service.ItemUpdate("H-1", 1), destination=london)
    assert (err.value.field, err.value.value) == ("DestinationAddress.CountryCode", "GB")
    assert snapshot(db, "H", "MUG") == before
    toronto = Address(
        {"Name": "A", "Line1": "1 King St", "City": "Toronto", "StateOrProvinceCode": "ON", "CountryCode": "CA"}
    )
    declared = Money("USD", "12.00")
    with pytest.raises(InvalidValue) as err:  # an export needs a customs value on every line, as in Create
        update(db, "H", service.ItemUpdate("H-1", 2, per_unit_declared_value=declared), destination=toronto)
    assert err.value.field == "Items.member.2.PerUnitDeclaredValue"
    assert snapshot(db, "H", "MUG") == before
    update(
        db,
        "H",
        service.ItemUpdate("H-1", 2, per_unit_declared_value=declared),
        service.ItemUpdate("H-2", 1, per_unit_declared_value=declared),
        destination=toronto,
    )
    order = service.get_fulfillment_order(db, SELLER, "H")
    assert order.destination.country_code == "CA"
    assert [i.per_unit_declared_value for i in order.items] == [declared, declared]
    assert units(db, "MUG") == {"BFI4": (7, 3)}  # the US marketplace's centers still serve it


def test_a_scheduled_delivery_order_cannot_change_its_speed(db: Database, jp_seller: Caller) -> None:
    at = now()
    start, end = service.promise.delivery_windows(WORLD.marketplaces[JP], at)[0]
    req = request(
        "SD",
        item("JP-TEA", "SD-1", 2),
        marketplace_id=JP,
        destination=TOKYO,
        shipping_speed="ScheduledDelivery",
        delivery_window=DeliveryWindow(start, end),
        fulfillment_action="Hold",
    )
    service.create_fulfillment_order(db, jp_seller, req, at)
    before = snapshot(db, "SD", "JP-TEA")
    with pytest.raises(InvalidValue) as err:  # Create takes a DeliveryWindow only with ScheduledDelivery
        update_at(db, at, "SD", shipping_speed="Standard")
    assert (err.value.field, err.value.value) == ("ShippingSpeedCategory", "Standard")
    assert snapshot(db, "SD", "JP-TEA") == before
    update_at(db, at, "SD", service.ItemUpdate("SD-1", 1))  # a lower quantity keeps the window's promise
    assert promises(db, "SD")[0][1] == end
    assert units(db, "JP-TEA") == {"NRT1": (9, 1)}


# ------------------------------------------------------------------------------------------------ cancel


def test_cancel_releases_everything_and_sets_cancelled_quantity(db: Database) -> None:
    stock(db, "MUG", 4, "BFI4")
    stock(db, "MUG", 4, "ONT8")
    stock(db, "TEA", 5, "BFI4")
    create(db, request("C", item("MUG", "C-1", 6), item("TEA", "C-2", 2)))
    assert totals(db, "MUG") == (2, 6) and totals(db, "TEA") == (3, 2)
    before = service.get_fulfillment_order(db, SELLER, "C")
    at = now() + timedelta(seconds=5)
    service.cancel_fulfillment_order(db, SELLER, "C", at)
    assert totals(db, "MUG") == (8, 0) and totals(db, "TEA") == (5, 0)
    assert held_units(db, "C") == {}
    order = service.get_fulfillment_order(db, SELLER, "C")
    assert order.status == CANCELLED
    assert order.status_updated_at == at and order.received_at == before.received_at
    assert [(i.quantity, i.cancelled_quantity) for i in order.items] == [(6, 6), (2, 2)]
    assert all(i.estimated_ship_at is None and i.estimated_arrival_at is None for i in order.items)


def test_cancel_twice_is_harmless(db: Database) -> None:
    stock(db, "MUG", 4, "BFI4")
    create(db, request("C2", item("MUG", "C2-1", 3)))
    first = now()
    service.cancel_fulfillment_order(db, SELLER, "C2", first)
    service.cancel_fulfillment_order(db, SELLER, "C2", first + timedelta(minutes=5))
    assert units(db, "MUG") == {"BFI4": (4, 0)}  # released once, not twice
    order = service.get_fulfillment_order(db, SELLER, "C2")
    assert order.status == CANCELLED and order.status_updated_at == first
    assert order.items[0].cancelled_quantity == 3


def test_cancel_a_held_order_and_a_planning_order(db: Database) -> None:
    stock(db, "MUG", 10, "BFI4")
    held_order(db)
    create(db, request("P", item("MUG", "P-1", 2)))
    force_status(db, "P", PLANNING)
    service.cancel_fulfillment_order(db, SELLER, "H", now())
    service.cancel_fulfillment_order(db, SELLER, "P", now())
    assert units(db, "MUG") == {"BFI4": (10, 0)}
    assert service.get_fulfillment_order(db, SELLER, "P").status == CANCELLED


@pytest.mark.parametrize("path", [(PLANNING, PROCESSING), (UNFULFILLABLE,), (INVALID,)])
def test_cancel_is_refused_once_processing_or_ended(db: Database, path: tuple[str, ...]) -> None:
    stock(db, "MUG", 10, "BFI4")
    create(db, request("LATE", item("MUG", "LATE-1", 2)))
    force_status(db, "LATE", *path)
    with pytest.raises(NotAllowed) as err:
        service.cancel_fulfillment_order(db, SELLER, "LATE", now())
    assert err.value.message == f"Fulfillment order LATE cannot be cancelled in status {path[-1]}."
    assert service.get_fulfillment_order(db, SELLER, "LATE").status == path[-1]
    assert units(db, "MUG") == {"BFI4": (8, 2)}


def test_cancel_of_an_unknown_order_is_invalid_value(db: Database) -> None:
    with pytest.raises(InvalidValue) as err:
        service.cancel_fulfillment_order(db, SELLER, "NOPE", now())
    assert (err.value.field, err.value.value) == ("SellerFulfillmentOrderId", "NOPE")


# ------------------------------------------------------------------------------------------------ idempotency


def test_the_same_create_twice_creates_and_reserves_once(db: Database) -> None:
    stock(db, "MUG", 10, "BFI4")
    req = request("IDEM", item("MUG", "IDEM-1", 3, gift_message="Hi"), notification_emails=("a@b.example",))
    first = create(db, req)
    second = create(db, replace(req))
    assert (first.replayed, second.replayed) == (False, True)
    assert second.order.seller_order_id == "IDEM"
    assert units(db, "MUG") == {"BFI4": (7, 3)}
    assert row_counts(db) == (1, 1, 1)


def test_the_same_id_with_other_content_is_refused(db: Database) -> None:
    stock(db, "MUG", 10, "BFI4")
    create(db, request("IDEM", item("MUG", "IDEM-1", 3)))
    for changed in (
        request("IDEM", item("MUG", "IDEM-1", 4)),
        request("IDEM", item("MUG", "IDEM-1", 3), shipping_speed="Expedited"),
        request("IDEM", item("MUG", "IDEM-1", 3), fulfillment_action="Hold"),
        request("IDEM", item("MUG", "IDEM-1", 3), item("MUG", "IDEM-2", 1)),
    ):
        with pytest.raises(InvalidValue) as err:
            create(db, changed)
        assert (err.value.field, err.value.value) == ("SellerFulfillmentOrderId", "IDEM")
        assert err.value.reason == "an order with this id already exists"
    assert units(db, "MUG") == {"BFI4": (7, 3)}
    assert row_counts(db) == (1, 1, 1)


def test_the_id_of_a_cancelled_order_stays_taken(db: Database) -> None:
    stock(db, "MUG", 10, "BFI4")
    req = request("GONE", item("MUG", "GONE-1", 3))
    create(db, req)
    service.cancel_fulfillment_order(db, SELLER, "GONE", now())
    assert create(db, req).replayed  # the same request again: nothing new, no new reservation
    assert units(db, "MUG") == {"BFI4": (10, 0)}
    assert service.get_fulfillment_order(db, SELLER, "GONE").status == CANCELLED
    with pytest.raises(InvalidValue):
        create(db, request("GONE", item("MUG", "GONE-1", 1)))


# ------------------------------------------------------------------------------------------------ refusals


def test_unknown_sku_is_refused_and_nothing_is_kept(db: Database) -> None:
    stock(db, "MUG", 10, "BFI4")
    with pytest.raises(InvalidValue) as err:
        create(db, request("BAD", item("MUG", "BAD-1", 2), item("NO-SUCH-SKU", "BAD-2", 1)))
    assert (err.value.field, err.value.value) == ("SellerSKU", "NO-SUCH-SKU")
    assert units(db, "MUG") == {"BFI4": (10, 0)}
    assert row_counts(db) == (0, 0, 0)


def test_another_sellers_sku_is_unknown(db: Database) -> None:
    add_seller(db, "A3OTHERSELLER", "AKIAOTHERKEY", "other-secret")
    stock(db, "THEIRS", 10, "BFI4", "A3OTHERSELLER")
    with pytest.raises(InvalidValue) as err:
        create(db, request("X", item("THEIRS", "X-1", 1)))
    assert err.value.field == "SellerSKU"


def test_wrong_network_sku_is_refused(db: Database) -> None:
    stock(db, "MUG", 10, "BFI4")
    with pytest.raises(InvalidValue) as err:
        create(db, request("FN", item("MUG", "FN-1", 1, fnsku="X00WRONG00")))
    assert err.value.field == "FulfillmentNetworkSKU"
    assert row_counts(db) == (0, 0, 0)


@pytest.mark.parametrize("marketplace", [JP, BR, "NOT-A-MARKETPLACE"])
def test_a_marketplace_the_seller_does_not_sell_in_is_refused(db: Database, marketplace: str) -> None:
    stock(db, "MUG", 10, "BFI4")
    with pytest.raises(InvalidValue) as err:
        create(db, request("MP", item("MUG", "MP-1", 1), marketplace_id=marketplace))
    assert (err.value.field, err.value.value) == ("MarketplaceId", marketplace)
    assert row_counts(db) == (0, 0, 0) and units(db, "MUG") == {"BFI4": (10, 0)}


def test_cod_outside_jp_is_refused(db: Database) -> None:
    stock(db, "MUG", 10, "BFI4")
    price = Money("USD", "10.00")
    with pytest.raises(InvalidValue) as err:
        create(db, request("COD", item("MUG", "COD-1", 1, per_unit_price=price), cod=CODSettings(True)))
    assert (err.value.field, err.value.value) == ("CODSettings.IsCODRequired", "true")
    assert row_counts(db) == (0, 0, 0) and units(db, "MUG") == {"BFI4": (10, 0)}


def test_scheduled_delivery_outside_jp_is_refused(db: Database) -> None:
    stock(db, "MUG", 10, "BFI4")
    start = now() + timedelta(days=2)
    window = DeliveryWindow(start, start + timedelta(hours=2))
    with pytest.raises(InvalidValue) as err:
        create(db, request("SD", item("MUG", "SD-1", 1), shipping_speed="ScheduledDelivery", delivery_window=window))
    assert (err.value.field, err.value.value) == ("ShippingSpeedCategory", "ScheduledDelivery")
    with pytest.raises(InvalidValue) as err:
        create(db, request("SD", item("MUG", "SD-1", 1), delivery_window=window))
    assert err.value.field.startswith("DeliveryWindow")
    assert row_counts(db) == (0, 0, 0)


def test_export_rules(db: Database) -> None:
    stock(db, "MUG", 10, "BFI4")
    london = Address(
        {
            "Name": "A",
            "Line1": "1 High St",
            "City": "London",
            "StateOrProvinceCode": "London",
            "CountryCode": "GB",
            "PostalCode": "SW1A 1AA",
        }
    )
    with pytest.raises(InvalidValue) as err:
        create(db, request("EX", item("MUG", "EX-1", 1), destination=london))
    assert (err.value.field, err.value.value) == ("DestinationAddress.CountryCode", "GB")
    toronto = Address(
        {
            "Name": "A",
            "Line1": "1 King St",
            "City": "Toronto",
            "StateOrProvinceCode": "ON",
            "CountryCode": "CA",
            "PostalCode": "M5H 1A1",
        }
    )
    with pytest.raises(InvalidValue) as err:  # allowed, but only with a customs value
        create(db, request("EX", item("MUG", "EX-1", 1), destination=toronto))
    assert err.value.field == "Items.member.1.PerUnitDeclaredValue"
    create(
        db, request("EX", item("MUG", "EX-1", 1, per_unit_declared_value=Money("USD", "12.00")), destination=toronto)
    )
    assert units(db, "MUG") == {"BFI4": (9, 1)}


def test_per_unit_price_in_another_currency_is_refused(db: Database) -> None:
    stock(db, "MUG", 10, "BFI4")
    with pytest.raises(InvalidValue) as err:
        create(db, request("CUR", item("MUG", "CUR-1", 1, per_unit_price=Money("EUR", "5.00"))))
    assert (err.value.field, err.value.value) == ("Items.member.1.PerUnitPrice.CurrencyCode", "EUR")


def test_a_failed_create_leaves_no_order_and_no_reservation(db: Database) -> None:
    stock(db, "MUG", 3, "BFI4")
    stock(db, "TEA", 1, "BFI4")
    before = (units(db, "MUG"), units(db, "TEA"))
    for bad in (
        request("F", item("MUG", "F-1", 3), item("TEA", "F-2", 2)),  # FillOrKill, second line short
        request("F", item("MUG", "F-1", 3), item("GHOST", "F-2", 1)),  # unknown SKU after a good line
        request("F", item("MUG", "F-1", 1), marketplace_id=JP),
    ):
        with pytest.raises((InvalidValue, InsufficientStock)):
            create(db, bad)
        assert (units(db, "MUG"), units(db, "TEA")) == before
        assert row_counts(db) == (0, 0, 0)
        with pytest.raises(InvalidValue):
            service.get_fulfillment_order(db, SELLER, "F")
    # and the id is still free: a good request with it is a new order, not a conflict
    assert not create(db, request("F", item("MUG", "F-1", 3), item("TEA", "F-2", 1))).replayed
    assert totals(db, "MUG") == (0, 3) and totals(db, "TEA") == (0, 1)


# ------------------------------------------------------------------------------------------------ JP


@pytest.fixture
def jp_seller(db: Database) -> Caller:
    add_seller(db, SELLER, ACCESS_KEY, SECRET_KEY, marketplaces=[US, JP])
    stock(db, "JP-TEA", 10, "NRT1")
    return Caller(ACCESS_KEY, SELLER, US)


def test_jp_cod_order_is_accepted(db: Database, jp_seller: Caller) -> None:
    cod = CODSettings(True, Money("JPY", "400"), Money("JPY", "30"), Money("JPY", "1000"), Money("JPY", "75"))
    req = request(
        "JPCOD",
        item("JP-TEA", "JPCOD-1", 2, per_unit_price=Money("JPY", "2500"), per_unit_tax=Money("JPY", "250")),
        marketplace_id=JP,
        destination=TOKYO,
        cod=cod,
    )
    create(db, req, jp_seller)
    order = service.get_fulfillment_order(db, SELLER, "JPCOD")
    assert order.marketplace_id == JP and order.cod == cod
    assert order.items[0].per_unit_price == Money("JPY", "2500")
    assert units(db, "JP-TEA") == {"NRT1": (8, 2)}


def test_jp_cod_charges_must_be_in_yen(db: Database, jp_seller: Caller) -> None:
    price = Money("JPY", "2500")
    for name, cod in (
        ("CODCharge", CODSettings(True, cod_charge=Money("USD", "4"))),
        ("ShippingChargeTax", CODSettings(True, Money("JPY", "400"), shipping_charge_tax=Money("EUR", "1"))),
    ):
        req = request(
            "JPCUR", item("JP-TEA", "JPCUR-1", 1, per_unit_price=price), marketplace_id=JP, destination=TOKYO, cod=cod
        )
        with pytest.raises(InvalidValue) as err:
            create(db, req, jp_seller)
        assert err.value.field == f"CODSettings.{name}.CurrencyCode"
    assert row_counts(db) == (0, 0, 0) and units(db, "JP-TEA") == {"NRT1": (10, 0)}


def test_jp_scheduled_delivery_needs_an_offered_window(db: Database, jp_seller: Caller) -> None:
    at = now()
    offered = service.promise.delivery_windows(WORLD.marketplaces[JP], at)
    assert offered
    start, end = offered[0]
    bad = DeliveryWindow(start + timedelta(minutes=30), end)
    sd = {"marketplace_id": JP, "destination": TOKYO, "shipping_speed": "ScheduledDelivery"}
    with pytest.raises(InvalidValue) as err:
        service.create_fulfillment_order(
            db, jp_seller, request("SD", item("JP-TEA", "SD-1", 1), delivery_window=bad, **sd), at
        )
    assert err.value.field == "DeliveryWindow"
    assert row_counts(db) == (0, 0, 0)
    good = DeliveryWindow(start, end)
    service.create_fulfillment_order(
        db, jp_seller, request("SD", item("JP-TEA", "SD-1", 1), delivery_window=good, **sd), at
    )
    order = service.get_fulfillment_order(db, SELLER, "SD")
    assert order.delivery_window == good
    assert order.items[0].estimated_arrival_at == end
    assert units(db, "JP-TEA") == {"NRT1": (9, 1)}


def test_orders_store_is_keyed_by_seller(db: Database) -> None:
    """The same SellerFulfillmentOrderId for two sellers: two orders, each seeing only its own."""
    add_seller(db, "A3OTHERSELLER", "AKIAOTHERKEY", "other-secret")
    stock(db, "MUG", 5, "BFI4", "A3OTHERSELLER")
    stock(db, "MUG", 5, "BFI4")
    other = Caller("AKIAOTHERKEY", "A3OTHERSELLER", US)
    create(db, request("SAME", item("MUG", "SAME-1", 1)))
    service.create_fulfillment_order(db, other, request("SAME", item("MUG", "SAME-1", 2)), now())
    assert service.get_fulfillment_order(db, SELLER, "SAME").items[0].quantity == 1
    assert service.get_fulfillment_order(db, "A3OTHERSELLER", "SAME").items[0].quantity == 2
    service.cancel_fulfillment_order(db, "A3OTHERSELLER", "SAME", now())
    assert service.get_fulfillment_order(db, SELLER, "SAME").status == RECEIVED
    assert units(db, "MUG") == {"BFI4": (4, 1)}
