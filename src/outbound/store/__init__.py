"""Storage: SQLAlchemy 2 tables, Alembic migrations, and the queries the service layer needs."""

from outbound.store.db import Database

__all__ = ["Database"]
