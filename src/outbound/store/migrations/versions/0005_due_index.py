"""The due-orders index in the engine's order: next step's time, then id.

The engine claims its batch with ``ORDER BY next_step_at, id LIMIT n`` (``FOR NO KEY UPDATE SKIP LOCKED`` on
PostgreSQL). With the index on ``next_step_at`` alone PostgreSQL sorted every due order to find the first ``n`` (all
of them at once when many fall due at one instant); in the query's order it reads just ``n`` entries. SQLite's index
already ended with the rowid, the id: the same order, now spelled out.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_orders_next_step", table_name="orders")
    op.create_index("ix_orders_next_step", "orders", ["next_step_at", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_orders_next_step", table_name="orders")
    op.create_index("ix_orders_next_step", "orders", ["next_step_at"], unique=False)
