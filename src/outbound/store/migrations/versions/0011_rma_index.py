"""An index on the RMA id: the RMA label page (``/mcf/returns/label?rmaId=…``) finds one authorization by it.

Not unique: a new authorization row holds an empty id for an instant, until its ids are derived from its row id
(``store/returns.py``); the ids themselves are distinct per store.

Revision ID: 0011
Revises: 0010
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_return_authorizations_rma_id", "return_authorizations", ["rma_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_return_authorizations_rma_id", table_name="return_authorizations")
