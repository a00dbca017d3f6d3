"""Private PostgreSQL databases for test suites: made, and dropped with whatever is still connected."""

from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from outbound.store.db import normalize_url


def create_database(server_url: str, name: str) -> str:
    """Create the empty PostgreSQL database ``name`` on the server of ``server_url``; its URL."""
    admin = create_engine(normalize_url(server_url), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, name: str) -> None:
    """Drop ``name`` (made by :func:`create_database`), closing any connection still open to it."""
    admin = create_engine(normalize_url(server_url), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
