"""Stores for test suites: emptied at once between tests, or a private PostgreSQL database made and dropped."""

from __future__ import annotations

from sqlalchemy import Connection, create_engine, delete, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from outbound.store.db import normalize_url
from outbound.store.schema import metadata


def empty(conn: Connection) -> None:
    """Delete every row of every table (the schema and its migration mark stay), children before parents.

    Plain ``DELETE`` rather than ``TRUNCATE``: on tables of a few rows it costs well under a millisecond each on
    both backends, where PostgreSQL's ``TRUNCATE`` replaces files and takes much longer.
    """
    for table in reversed(metadata.sorted_tables):
        conn.execute(delete(table))


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
