"""SP-API: Login with Amazon applications, authorizations and access tokens; per-order SP-API-only inputs and the
protocol that created each order.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "lwa_apps",
        sa.Column("client_id", sa.String(512), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("client_id", name="pk_lwa_apps"),
    )
    op.create_table(
        "lwa_authorizations",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("client_id", sa.String(512), nullable=False),
        sa.Column("seller_id", sa.String(64), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("token_hint", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"], ["lwa_apps.client_id"], name="fk_lwa_authorizations_client_id_lwa_apps", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.seller_id"], name="fk_lwa_authorizations_seller_id_sellers", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_lwa_authorizations"),
        sa.UniqueConstraint("token_hash", name="uq_lwa_authorizations_token_hash"),
    )
    op.create_index("ix_lwa_authorizations_seller", "lwa_authorizations", ["seller_id", "client_id"])
    op.create_table(
        "lwa_access_tokens",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("client_id", sa.String(512), nullable=False),
        sa.Column("authorization_id", _ID, nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scope", sa.String(512), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"], ["lwa_apps.client_id"], name="fk_lwa_access_tokens_client_id_lwa_apps", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["authorization_id"],
            ["lwa_authorizations.id"],
            name="fk_lwa_access_tokens_authorization_id_lwa_authorizations",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name="pk_lwa_access_tokens"),
    )
    op.create_index("ix_lwa_access_tokens_authorization_id", "lwa_access_tokens", ["authorization_id"])
    op.create_index("ix_lwa_access_tokens_expires_at", "lwa_access_tokens", ["expires_at"])
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("origin", sa.String(8), nullable=False, server_default="mws"))
        batch_op.add_column(sa.Column("spapi_inputs", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("spapi_inputs")
        batch_op.drop_column("origin")
    op.drop_table("lwa_access_tokens")
    op.drop_table("lwa_authorizations")
    op.drop_table("lwa_apps")
