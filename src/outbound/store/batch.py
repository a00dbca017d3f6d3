"""Loading and writing a batch of orders at once, for the lifecycle engine.

A batch of due orders is read with a handful of ``IN (...)`` queries and its changes are written back with
``executemany`` statements, stock changes summed per SKU and center: the engine's cost per step stays a few rows,
not a few round trips.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, insert, select, update

from outbound.domain.orders import Order, Shipment
from outbound.store import orders as order_store
from outbound.store.lifecycle import PackageRow
from outbound.store.schema import (
    inventory,
    order_events,
    order_items,
    orders,
    packages,
    reservations,
    shipment_items,
    shipments,
)


@dataclass
class Loaded:
    """One order of the batch, with what the engine needs beside the domain object."""

    id: int
    order: Order
    reservations: list[order_store.Reservation]
    shipment_ids: dict[str, int]  # AmazonShipmentId → row id


def load(conn: Connection, ids: Sequence[int]) -> dict[int, Loaded]:
    if not ids:
        return {}
    rows = {r.id: r for r in conn.execute(select(orders).where(orders.c.id.in_(ids)))}
    items: dict[int, list[Any]] = {i: [] for i in rows}
    for r in conn.execute(
        select(order_items).where(order_items.c.order_id.in_(ids)).order_by(order_items.c.order_id, order_items.c.line)
    ):
        items[r.order_id].append(order_store.item_from(r))
    held: dict[int, list[order_store.Reservation]] = {i: [] for i in rows}
    for r in conn.execute(select(reservations).where(reservations.c.order_id.in_(ids))):
        held[r.order_id].append(order_store.Reservation(r.line, r.fc_code, r.seller_sku, r.quantity))
    loaded = {
        i: Loaded(i, order_store.order_from(row, items[i]), sorted(held[i], key=lambda h: (h.line, h.fc_code)), {})
        for i, row in rows.items()
    }
    for order_id, found in order_store.load_shipments(conn, list(rows)).items():
        for row_id, shipment in found:
            loaded[order_id].order.shipments.append(shipment)
            loaded[order_id].shipment_ids[shipment.amazon_shipment_id] = row_id
    return loaded


@dataclass
class Writes:
    """Everything one engine batch changes, written by :meth:`flush` in a few statements."""

    orders: dict[int, tuple[Order, datetime | None]] = field(default_factory=dict)
    dropped: list[dict[str, Any]] = field(default_factory=list)  # reservations turned into shipments or released
    new_shipments: list[tuple[int, Shipment]] = field(default_factory=list)
    shipment_changes: list[dict[str, Any]] = field(default_factory=list)
    packages: list[dict[str, Any]] = field(default_factory=list)
    item_packages: list[dict[str, Any]] = field(default_factory=list)
    stock: dict[tuple[str, str, str], list[int]] = field(
        default_factory=dict
    )  # (seller, sku, fc) → [Δsellable, Δreserved]
    events: list[dict[str, Any]] = field(default_factory=list)

    def save(self, order_id: int, order: Order, next_step_at: datetime | None) -> None:
        self.orders[order_id] = (order, next_step_at)

    def drop_reservation(self, order_id: int, held: order_store.Reservation) -> None:
        self.dropped.append({"b_order": order_id, "b_line": held.line, "b_fc": held.fc_code})

    def move_stock(self, seller_id: str, sku: str, fc_code: str, sellable: int, reserved: int) -> None:
        delta = self.stock.setdefault((seller_id, sku, fc_code), [0, 0])
        delta[0] += sellable
        delta[1] += reserved

    def shipment(self, order_id: int, shipment: Shipment) -> None:
        self.shipment_changes.append(
            {
                "b_order": order_id,
                "b_shipment": shipment.amazon_shipment_id,
                "status": shipment.status,
                "shipping_at": shipment.shipping_at,
                "estimated_arrival_at": shipment.estimated_arrival_at,
            }
        )

    def event(self, order_id: int, at: datetime, kind: str, detail: str | None = None) -> None:
        self.events.append({"order_id": order_id, "at": at, "kind": kind, "detail": detail})

    def package_rows(self, seller_id: str, shipment_id: int, rows: Iterable[PackageRow]) -> None:
        for r in rows:
            self.packages.append(
                {
                    "package_number": r.package_number,
                    "seller_id": seller_id,
                    "shipment_id": shipment_id,
                    "carrier_code": r.carrier_code,
                    "tracking_number": r.tracking_number,
                    "ship_date": r.ship_date,
                    "estimated_arrival_at": r.estimated_arrival_at,
                    "journey": r.journey,
                    "ship_to": json.dumps(r.ship_to),
                }
            )

    def item_package(self, shipment_id: int, position: int, package_number: int) -> None:
        self.item_packages.append({"b_shipment": shipment_id, "b_position": position, "package_number": package_number})

    def flush(self, conn: Connection) -> None:
        if self.orders:
            order_rows, item_rows = [], []
            for order_id, (order, next_at) in self.orders.items():
                values = order_store.order_values(order)
                values.update(b_id=order_id, next_step_at=next_at)
                order_rows.append(values)
                for line, item in enumerate(order.items):
                    row = order_store.item_values(order_id, line, item)
                    row["b_order"], row["b_line"] = row.pop("order_id"), row.pop("line")
                    item_rows.append(row)
            columns = [k for k in order_rows[0] if k != "b_id"]
            conn.execute(
                update(orders).where(orders.c.id == bindparam("b_id")).values({c: bindparam(c) for c in columns}),
                order_rows,
            )
            item_columns = [k for k in item_rows[0] if not k.startswith("b_")]
            conn.execute(
                update(order_items)
                .where(and_(order_items.c.order_id == bindparam("b_order"), order_items.c.line == bindparam("b_line")))
                .values({c: bindparam(c) for c in item_columns}),
                item_rows,
            )
        if self.dropped:
            conn.execute(
                delete(reservations).where(
                    reservations.c.order_id == bindparam("b_order"),
                    reservations.c.line == bindparam("b_line"),
                    reservations.c.fc_code == bindparam("b_fc"),
                ),
                self.dropped,
            )
        if self.new_shipments:
            ids = conn.execute(
                insert(shipments).returning(shipments.c.id, sort_by_parameter_order=True),
                [
                    {
                        "order_id": order_id,
                        "amazon_shipment_id": s.amazon_shipment_id,
                        "fc_code": s.fc_code,
                        "status": s.status,
                        "shipping_at": s.shipping_at,
                        "estimated_arrival_at": s.estimated_arrival_at,
                    }
                    for order_id, s in self.new_shipments
                ],
            ).scalars()
            conn.execute(
                insert(shipment_items),
                [
                    {
                        "shipment_id": shipment_id,
                        "position": n,
                        "seller_sku": item.seller_sku,
                        "item_id": item.item_id,
                        "quantity": item.quantity,
                        "package_number": item.package_number,
                    }
                    for shipment_id, (_order, s) in zip(ids, self.new_shipments, strict=True)
                    for n, item in enumerate(s.items)
                ],
            )
        if self.shipment_changes:
            conn.execute(
                update(shipments)
                .where(
                    shipments.c.order_id == bindparam("b_order"),
                    shipments.c.amazon_shipment_id == bindparam("b_shipment"),
                )
                .values(
                    status=bindparam("status"),
                    shipping_at=bindparam("shipping_at"),
                    estimated_arrival_at=bindparam("estimated_arrival_at"),
                ),
                self.shipment_changes,
            )
        if self.packages:
            conn.execute(insert(packages), self.packages)
        if self.item_packages:
            conn.execute(
                update(shipment_items)
                .where(
                    shipment_items.c.shipment_id == bindparam("b_shipment"),
                    shipment_items.c.position == bindparam("b_position"),
                )
                .values(package_number=bindparam("package_number")),
                self.item_packages,
            )
        moves = [
            {"b_seller": s, "b_sku": k, "b_fc": f, "d_sellable": d[0], "d_reserved": d[1]}
            for (s, k, f), d in sorted(self.stock.items())
            if d != [0, 0]
        ]
        if moves:
            conn.execute(
                update(inventory)
                .where(
                    inventory.c.seller_id == bindparam("b_seller"),
                    inventory.c.seller_sku == bindparam("b_sku"),
                    inventory.c.fc_code == bindparam("b_fc"),
                )
                .values(
                    sellable=inventory.c.sellable + bindparam("d_sellable"),
                    reserved=inventory.c.reserved + bindparam("d_reserved"),
                ),
                moves,
            )
        if self.events:
            conn.execute(insert(order_events), self.events)
