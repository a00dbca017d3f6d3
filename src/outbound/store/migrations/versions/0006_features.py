"""Fulfillment features: enrolment per seller and marketplace, eligibility per SKU, an optional ASIN and the time
of the last stock count per SKU, and the feature constraints an order was created with.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feature_enrolments",
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("marketplace_id", sa.String(length=32), nullable=False),
        sa.Column("feature_name", sa.String(length=40), nullable=False),
        sa.Column("enrolled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["sellers.seller_id"],
            name=op.f("fk_feature_enrolments_seller_id_sellers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("seller_id", "marketplace_id", "feature_name", name=op.f("pk_feature_enrolments")),
    )
    op.create_table(
        "sku_features",
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("seller_sku", sa.String(length=50), nullable=False),
        sa.Column("feature_name", sa.String(length=40), nullable=False),
        sa.Column("eligible", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_id", "seller_sku"],
            ["skus.seller_id", "skus.seller_sku"],
            name=op.f("fk_sku_features_seller_id_skus"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("seller_id", "seller_sku", "feature_name", name=op.f("pk_sku_features")),
    )
    with op.batch_alter_table("skus", schema=None) as batch_op:
        batch_op.add_column(sa.Column("asin", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("stock_changed_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("feature_constraints", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("feature_constraints")
    with op.batch_alter_table("skus", schema=None) as batch_op:
        batch_op.drop_column("stock_changed_at")
        batch_op.drop_column("asin")
    op.drop_table("sku_features")
    op.drop_table("feature_enrolments")
