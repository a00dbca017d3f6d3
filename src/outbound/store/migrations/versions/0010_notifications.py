"""Notifications: destinations, subscriptions and the transactional outbox they are delivered from.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "notification_destinations",
        sa.Column("destination_id", sa.String(64), nullable=False),
        sa.Column("client_id", sa.String(512), nullable=True),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("target", sa.String(1024), nullable=False),
        sa.Column("secret", sa.String(256), nullable=True),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("created_at", _AT, nullable=False),
        sa.PrimaryKeyConstraint("destination_id", name="pk_notification_destinations"),
    )
    op.create_table(
        "notification_subscriptions",
        sa.Column("subscription_id", sa.String(64), nullable=False),
        sa.Column("seller_id", sa.String(64), nullable=False),
        sa.Column("client_id", sa.String(512), nullable=True),
        sa.Column("notification_type", sa.String(40), nullable=False),
        sa.Column("payload_version", sa.String(8), nullable=False),
        sa.Column("destination_id", sa.String(64), nullable=False),
        sa.Column("created_at", _AT, nullable=False),
        sa.ForeignKeyConstraint(
            ["destination_id"],
            ["notification_destinations.destination_id"],
            name="fk_notification_subscriptions_dest",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("subscription_id", name="pk_notification_subscriptions"),
    )
    op.create_index("ix_notification_subscriptions_seller_id", "notification_subscriptions", ["seller_id"])
    op.create_table(
        "notification_outbox",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("subscription_id", sa.String(64), nullable=False),
        sa.Column("seller_id", sa.String(64), nullable=False),
        sa.Column("order_id", _ID, nullable=False),
        sa.Column("notification_type", sa.String(40), nullable=False),
        sa.Column("event_type", sa.String(16), nullable=False),
        sa.Column("event_at", _AT, nullable=False),
        sa.Column("seller_order_id", sa.String(40), nullable=False),
        sa.Column("order_status", sa.String(24), nullable=True),
        sa.Column("amazon_shipment_id", sa.String(16), nullable=True),
        sa.Column("shipment_status", sa.String(24), nullable=True),
        sa.Column("estimated_arrival_at", _AT, nullable=True),
        sa.Column("seller_sku", sa.String(50), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("notification_id", sa.String(36), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("available_at", _AT, nullable=False),
        sa.Column("lease_until", _AT, nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("created_at", _AT, nullable=False),
        sa.Column("delivered_at", _AT, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_notification_outbox"),
    )
    op.create_index("ix_notification_outbox_state", "notification_outbox", ["state", "id"])
    op.create_index(
        "ix_notification_outbox_lane", "notification_outbox", ["subscription_id", "order_id", "state", "id"]
    )


def downgrade() -> None:
    op.drop_table("notification_outbox")
    op.drop_table("notification_subscriptions")
    op.drop_table("notification_destinations")
