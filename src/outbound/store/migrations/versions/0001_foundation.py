"""Sellers, access keys and their grants, and the service status.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sellers",
        sa.Column("seller_id", sa.String(64), primary_key=True),
        sa.Column("default_marketplace_id", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "seller_marketplaces",
        sa.Column(
            "seller_id",
            sa.String(64),
            sa.ForeignKey("sellers.seller_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("marketplace_id", sa.String(32), primary_key=True),
    )
    op.create_table(
        "access_keys",
        sa.Column("access_key", sa.String(128), primary_key=True),
        sa.Column("secret_key", sa.String(256), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "grants",
        sa.Column(
            "access_key",
            sa.String(128),
            sa.ForeignKey("access_keys.access_key", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "seller_id",
            sa.String(64),
            sa.ForeignKey("sellers.seller_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("auth_token", sa.String(256), nullable=True),
    )
    op.create_table(
        "service_status",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("message_id", sa.String(64), nullable=True),
        sa.Column("message", sa.Text, nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in ("service_status", "grants", "access_keys", "seller_marketplaces", "sellers"):
        op.drop_table(table)
