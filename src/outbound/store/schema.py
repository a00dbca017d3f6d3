"""The tables, in SQLAlchemy Core: plain typed columns that SQLite and PostgreSQL both store well."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, whatever the backend keeps (SQLite keeps naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = value
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

sellers = Table(
    "sellers",
    metadata,
    Column("seller_id", String(64), primary_key=True),
    Column("default_marketplace_id", String(32), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

seller_marketplaces = Table(
    "seller_marketplaces",
    metadata,
    Column("seller_id", String(64), ForeignKey("sellers.seller_id", ondelete="CASCADE"), primary_key=True),
    Column("marketplace_id", String(32), primary_key=True),
)

access_keys = Table(
    "access_keys",
    metadata,
    Column("access_key", String(128), primary_key=True),
    Column("secret_key", String(256), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

# A developer key may act for a seller: its own key (no token) or, as in MWS, through an MWSAuthToken.
grants = Table(
    "grants",
    metadata,
    Column("access_key", String(128), ForeignKey("access_keys.access_key", ondelete="CASCADE"), primary_key=True),
    Column("seller_id", String(64), ForeignKey("sellers.seller_id", ondelete="CASCADE"), primary_key=True),
    Column("auth_token", String(256), nullable=True),
)

service_status = Table(
    "service_status",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("status", String(16), nullable=False),
    Column("message_id", String(64), nullable=True),
    Column("message", Text, nullable=True),
    Column("updated_at", UtcDateTime(), nullable=False),
)
