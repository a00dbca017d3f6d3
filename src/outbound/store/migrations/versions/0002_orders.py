"""Catalog, inventory, orders, reservations, shipments, packages and returns.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sim_clock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("now", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sim_clock")),
    )

    op.create_table(
        "orders",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("seller_order_id", sa.String(length=40), nullable=False),
        sa.Column("marketplace_id", sa.String(length=32), nullable=False),
        sa.Column("displayable_order_id", sa.String(length=40), nullable=False),
        sa.Column("displayable_order_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("displayable_order_comment", sa.String(length=1000), nullable=False),
        sa.Column("shipping_speed", sa.String(length=20), nullable=False),
        sa.Column("delivery_window_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivery_window_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("fulfillment_action", sa.String(length=8), nullable=False),
        sa.Column("fulfillment_policy", sa.String(length=20), nullable=False),
        sa.Column("fulfillment_method", sa.String(length=12), nullable=False),
        sa.Column("cod_settings", sa.Text(), nullable=True),
        sa.Column("notification_emails", sa.Text(), nullable=True),
        sa.Column("ship_from_country_code", sa.String(length=2), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("status_updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("hold_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_step_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.seller_id"], name=op.f("fk_orders_seller_id_sellers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("seller_id", "seller_order_id", name="uq_orders_seller_order"),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_listing", ["seller_id", "status_updated_at", "seller_order_id"], unique=False)
        batch_op.create_index("ix_orders_next_step", ["next_step_at"], unique=False)

    op.create_table(
        "skus",
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("seller_sku", sa.String(length=50), nullable=False),
        sa.Column("fnsku", sa.String(length=20), nullable=False),
        sa.Column("weight_lb", sa.Numeric(precision=10, scale=3), nullable=False),
        sa.Column("length_in", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("width_in", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("height_in", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("declared_value", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.seller_id"], name=op.f("fk_skus_seller_id_sellers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("seller_id", "seller_sku", name=op.f("pk_skus")),
    )
    op.create_table(
        "inventory",
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("seller_sku", sa.String(length=50), nullable=False),
        sa.Column("fc_code", sa.String(length=16), nullable=False),
        sa.Column("sellable", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.CheckConstraint("reserved >= 0", name="ck_inventory_reserved"),
        sa.CheckConstraint("sellable >= 0", name="ck_inventory_sellable"),
        sa.ForeignKeyConstraint(
            ["seller_id", "seller_sku"],
            ["skus.seller_id", "skus.seller_sku"],
            name=op.f("fk_inventory_seller_id_skus"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("seller_id", "seller_sku", "fc_code", name=op.f("pk_inventory")),
    )
    op.create_table(
        "order_items",
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("seller_sku", sa.String(length=50), nullable=False),
        sa.Column("item_id", sa.String(length=50), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("gift_message", sa.String(length=512), nullable=True),
        sa.Column("displayable_comment", sa.String(length=250), nullable=True),
        sa.Column("fnsku", sa.String(length=20), nullable=True),
        sa.Column("disposition", sa.String(length=16), nullable=True),
        sa.Column("cancelled_quantity", sa.Integer(), nullable=False),
        sa.Column("unfulfillable_quantity", sa.Integer(), nullable=False),
        sa.Column("estimated_ship_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("estimated_arrival_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("money", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_items_order_id_orders"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("order_id", "line", name=op.f("pk_order_items")),
    )
    op.create_table(
        "reservations",
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("fc_code", sa.String(length=16), nullable=False),
        sa.Column("seller_sku", sa.String(length=50), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_reservations_order_id_orders"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("order_id", "line", "fc_code", name=op.f("pk_reservations")),
    )
    op.create_table(
        "return_authorizations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("authorization_id", sa.String(length=64), nullable=False),
        sa.Column("fc_code", sa.String(length=16), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("rma_id", sa.String(length=64), nullable=False),
        sa.Column("rma_url", sa.String(length=512), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_return_authorizations_order_id_orders"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_authorizations")),
    )
    with op.batch_alter_table("return_authorizations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_return_authorizations_order_id"), ["order_id"], unique=False)

    op.create_table(
        "return_items",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("seller_return_item_id", sa.String(length=80), nullable=False),
        sa.Column("item_id", sa.String(length=50), nullable=False),
        sa.Column("amazon_shipment_id", sa.String(length=16), nullable=False),
        sa.Column("seller_reason_code", sa.String(length=64), nullable=False),
        sa.Column("comment", sa.String(length=1000), nullable=True),
        sa.Column("amazon_reason_code", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("authorization_id", sa.String(length=64), nullable=False),
        sa.Column("received_condition", sa.String(length=24), nullable=True),
        sa.Column("fc_code", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_return_items_order_id_orders"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_items")),
    )
    with op.batch_alter_table("return_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_return_items_order_id"), ["order_id"], unique=False)

    op.create_table(
        "shipments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("amazon_shipment_id", sa.String(length=16), nullable=False),
        sa.Column("fc_code", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("shipping_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("estimated_arrival_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_shipments_order_id_orders"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
        sa.UniqueConstraint("amazon_shipment_id", name=op.f("uq_shipments_amazon_shipment_id")),
    )
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shipments_order_id"), ["order_id"], unique=False)

    op.create_table(
        "packages",
        sa.Column("package_number", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("shipment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("carrier_code", sa.String(length=32), nullable=False),
        sa.Column("tracking_number", sa.String(length=64), nullable=True),
        sa.Column("ship_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("estimated_arrival_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name=op.f("fk_packages_shipment_id_shipments"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("package_number", name=op.f("pk_packages")),
    )
    with op.batch_alter_table("packages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_packages_seller_id"), ["seller_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_packages_shipment_id"), ["shipment_id"], unique=False)

    op.create_table(
        "shipment_items",
        sa.Column("shipment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("seller_sku", sa.String(length=50), nullable=False),
        sa.Column("item_id", sa.String(length=50), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("package_number", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name=op.f("fk_shipment_items_shipment_id_shipments"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("shipment_id", "position", name=op.f("pk_shipment_items")),
    )


def downgrade() -> None:
    op.drop_table("sim_clock")

    op.drop_table("shipment_items")
    with op.batch_alter_table("packages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_packages_shipment_id"))
        batch_op.drop_index(batch_op.f("ix_packages_seller_id"))

    op.drop_table("packages")
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipments_order_id"))

    op.drop_table("shipments")
    with op.batch_alter_table("return_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_return_items_order_id"))

    op.drop_table("return_items")
    with op.batch_alter_table("return_authorizations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_return_authorizations_order_id"))

    op.drop_table("return_authorizations")
    op.drop_table("reservations")
    op.drop_table("order_items")
    op.drop_table("inventory")
    op.drop_table("skus")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_next_step")
        batch_op.drop_index("ix_orders_listing")

    op.drop_table("orders")
