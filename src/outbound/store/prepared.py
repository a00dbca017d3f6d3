"""Selects built once with SQLAlchemy Core and run on the driver's cursor: the request path's hottest reads.

Measured on SQLite (``bench/README.md``), ``Connection.execute`` of a prebuilt select costs about 65 µs, of which
the query itself is about 5: the rest is SQLAlchemy's execution context, events and result machinery. A
:class:`PreparedQuery` compiles its statement once per dialect, runs it with the driver, and converts only the
columns that need it (``UtcDateTime``, through ``store/moments.py``). It runs inside the caller's
``Connection``, so ``db.read()`` and ``db.transaction()`` keep their meaning (snapshot, locks, commit).

Parameters must already be what the driver takes (strings and numbers); statements with expanding ``IN`` lists are
not supported.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Dialect, Numeric, Select

from outbound.store.driver import Compiled
from outbound.store.moments import reader
from outbound.store.outage import is_disconnect
from outbound.store.schema import UtcDateTime


class PreparedQuery:
    """A select run at the driver level; rows come back as named tuples with the statement's column names."""

    def __init__(self, statement: Select[Any]) -> None:
        self.row: Any = namedtuple("Row", [c.key for c in statement.selected_columns])  # type: ignore[misc]
        self._compiled = Compiled(lambda _dialect: statement)  # the batch statements' SQL and parameter binding
        self._moments = [n for n, c in enumerate(statement.selected_columns) if isinstance(c.type, UtcDateTime)]
        # Numeric columns as SQLAlchemy returns them (SQLite hands back floats: its processor makes the Decimal of the
        # column's scale; psycopg's are Decimals already, and the processor is None)
        self._numeric = [(n, c.type) for n, c in enumerate(statement.selected_columns) if isinstance(c.type, Numeric)]
        self._processors: dict[str, list[tuple[int, Any]]] = {}

    def statement(self, dialect: Dialect, params: Mapping[str, Any] | None) -> tuple[str, Any]:
        """The SQL and the parameters as the driver takes them (the synchronous and the awaited reads share it)."""
        sql = self._compiled.sql(dialect)
        return sql.text, sql.bind(params or {})

    def rows(self, dialect: Dialect, rows: list[tuple[Any, ...]]) -> list[Any]:
        """The driver's rows as this query's named tuples, its datetimes and numbers converted."""
        make = self.row._make
        processors = self._numeric_processors(dialect)
        if not self._moments and not processors:
            return [make(r) for r in rows]
        moment = reader(dialect)  # datetimes as the batch statements read them: one format for both
        found = []
        for r in rows:
            values = list(r)
            for n in self._moments:
                values[n] = moment(values[n])
            for n, process in processors:
                values[n] = process(values[n])
            found.append(make(values))
        return found

    def _numeric_processors(self, dialect: Dialect) -> list[tuple[int, Any]]:
        found = self._processors.get(dialect.name)
        if found is None:
            candidates = ((n, kind.result_processor(dialect, None)) for n, kind in self._numeric)  # type: ignore[no-untyped-call]
            found = self._processors[dialect.name] = [(n, p) for n, p in candidates if p is not None]
        return found

    def all(self, conn: Connection, params: Mapping[str, Any] | None = None) -> list[Any]:
        return fetch(conn, (self, params))[0]

    def first(self, conn: Connection, params: Mapping[str, Any] | None = None) -> Any | None:
        rows = self.all(conn, params)
        return rows[0] if rows else None


class DialectQuery(PreparedQuery):
    """A select written in one dialect's SQL, for what Core cannot spell portably (PostgreSQL's ``xmin``), run
    and batched (:func:`fetch`) as a :class:`PreparedQuery` is; parameters ``%(name)s``, psycopg's style."""

    def __init__(self, dialect_name: str, sql: str, columns: tuple[str, ...]) -> None:
        self.row = namedtuple("Row", columns)  # type: ignore[misc]
        self._dialect_name = dialect_name
        self._text = sql
        self._moments = []
        self._numeric = []
        self._processors = {}

    def statement(self, dialect: Dialect, params: Mapping[str, Any] | None) -> tuple[str, Any]:
        assert dialect.name == self._dialect_name, f"written for {self._dialect_name}, run on {dialect.name}"
        return self._text, dict(params or {})


def fetch(conn: Connection, *queries: tuple[PreparedQuery, Mapping[str, Any] | None]) -> list[list[Any]]:
    """The rows of each query, run in order; on PostgreSQL all in one round trip (psycopg's pipeline mode), which
    outside a transaction also makes them one implicit transaction, so they see one snapshot.

    A lost connection raised here bypasses SQLAlchemy's handling: the connection is invalidated before the error
    goes on, so the pool drops it rather than trying (and logging) a rollback on a dead socket."""
    try:
        return _fetch(conn, queries)
    except Exception as exc:
        if is_disconnect(exc) and not conn.invalidated:
            conn.invalidate(exc)
        raise


def _fetch(conn: Connection, queries: tuple[tuple[PreparedQuery, Mapping[str, Any] | None], ...]) -> list[list[Any]]:
    dialect = conn.dialect
    driver: Any = conn.connection.driver_connection
    if dialect.name == "sqlite" or len(queries) == 1:
        found = []
        for query, params in queries:
            cursor = driver.cursor()
            try:
                cursor.execute(*query.statement(dialect, params))
                found.append(query.rows(dialect, cursor.fetchall()))
            finally:
                cursor.close()
        return found
    with driver.pipeline():
        cursors = [driver.cursor() for _ in queries]
        for (query, params), cursor in zip(queries, cursors, strict=True):
            cursor.execute(*query.statement(dialect, params))
    try:
        return [query.rows(dialect, cursor.fetchall()) for (query, _), cursor in zip(queries, cursors, strict=True)]
    finally:
        for cursor in cursors:
            cursor.close()
