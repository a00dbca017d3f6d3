"""Operations: the clock mode a server runs with.

``sim_clock.mode`` records whether the server on this store runs a real or a virtual
clock, so that ``outbound clock advance`` can refuse to move a clock nobody reads.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sim_clock") as table:
        table.add_column(sa.Column("mode", sa.String(8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sim_clock") as table:
        table.drop_column("mode")
