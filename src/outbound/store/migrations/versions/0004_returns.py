"""Returns: when each returned unit is due at its returns center; one return per SellerReturnItemId and order.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("return_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_return_items_due_at", ["due_at"], unique=False)
        batch_op.create_unique_constraint("uq_return_items_order_return_item", ["order_id", "seller_return_item_id"])


def downgrade() -> None:
    with op.batch_alter_table("return_items", schema=None) as batch_op:
        batch_op.drop_constraint("uq_return_items_order_return_item", type_="unique")
        batch_op.drop_index("ix_return_items_due_at")
        batch_op.drop_column("due_at")
