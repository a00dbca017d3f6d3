"""Writers only tests need: rows put straight into the store, as a seeded order arrives with its history.

The service never writes these rows this way (returns go through ``service/returns.py``), so they live here rather
than in ``store/``.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Connection, insert

from outbound.domain.orders import ReturnAuthorization, ReturnItem
from outbound.store.schema import return_authorizations, return_items


def insert_return_authorization(conn: Connection, order_id: int, auth: ReturnAuthorization, now: datetime) -> None:
    conn.execute(
        insert(return_authorizations).values(
            order_id=order_id,
            authorization_id=auth.authorization_id,
            fc_code=auth.fc_code,
            address=json.dumps(auth.address.fields),
            rma_id=auth.rma_id,
            rma_url=auth.rma_url,
            created_at=now,
        )
    )


def insert_return_item(conn: Connection, order_id: int, item: ReturnItem) -> None:
    conn.execute(
        insert(return_items).values(
            order_id=order_id,
            seller_return_item_id=item.seller_return_item_id,
            item_id=item.item_id,
            amazon_shipment_id=item.amazon_shipment_id,
            seller_reason_code=item.seller_reason_code,
            comment=item.comment,
            amazon_reason_code=item.amazon_reason_code,
            status=item.status,
            status_changed_at=item.status_changed_at,
            authorization_id=item.authorization_id,
            received_condition=item.received_condition,
            fc_code=item.fc_code,
        )
    )
