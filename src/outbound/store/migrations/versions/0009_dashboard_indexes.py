"""Indexes for the operators' dashboard: the order listing newest first (overall, per seller, per status, per
seller and status), search by order id and by tracking number, the SKU filter, and shipments per day.

Each listing index ends in ``(received_at, id)``, the listing's order, so a page reads one page of index entries
whatever the number of orders; see ``store/search.py``. The status index also serves the metrics endpoint's count
of orders by status at every scrape (its leading column), so no index on ``status`` alone is kept beside it: every
index on ``orders`` costs the lifecycle engine a write per step.

Revision ID: 0009
Revises: 0008
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_orders_received", "orders", ["received_at", "id"]),
    ("ix_orders_seller_received", "orders", ["seller_id", "received_at", "id"]),
    ("ix_orders_status_received", "orders", ["status", "received_at", "id"]),
    ("ix_orders_seller_status_received", "orders", ["seller_id", "status", "received_at", "id"]),
    ("ix_orders_seller_order_id", "orders", ["seller_order_id"]),
    ("ix_order_items_sku", "order_items", ["seller_sku", "order_id"]),
    ("ix_shipments_shipping", "shipments", ["shipping_at", "status", "fc_code"]),
    ("ix_packages_tracking_number", "packages", ["tracking_number"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
