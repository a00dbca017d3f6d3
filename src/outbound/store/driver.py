"""Statements for many rows at once, run at the driver level: the lifecycle engine's batches.

SQLAlchemy's per-row work (a parameter set built per row, a bind processor per value, a ``Row`` and a result
processor per value) costs several times what SQLite or PostgreSQL spend on the row itself. The statements here are
built with SQLAlchemy Core and compiled once per dialect, then run through ``exec_driver_sql`` with values already
in the driver's form, and their rows come back as the driver's tuples:

- on SQLite (in process: a statement costs no round trip) a write is one ``executemany`` of the per-row statement;
- on PostgreSQL a write is one set-based statement over ``unnest`` of one array per column
  (``UPDATE ... FROM unnest(...)``, ``INSERT ... SELECT ... FROM unnest(...)``, ``DELETE ... USING unnest(...)``):
  one execution for the whole batch instead of one per row;
- a batch's rows are selected by one parameter holding all the ids (``= ANY(:ids)`` on PostgreSQL, ``IN (SELECT
  value FROM json_each(:ids))`` on SQLite), so the SQL text, and the server's plan for it, is the same each batch.

``store/prepared.py`` does the same for the request path's single-order reads; this module is for a batch's many
rows. Datetimes cross as ``store/moments.py`` has them cross (its ``writer`` and ``reader``): the same forms
``schema.UtcDateTime`` gives SQLAlchemy.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import (
    ClauseElement,
    ColumnElement,
    Connection,
    Dialect,
    Table,
    and_,
    any_,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import TableValuedAlias

Row = tuple[Any, ...]
_PYFORMAT = re.compile(r"%\((\w+)\)s")


class Sql(NamedTuple):
    text: str
    names: list[str] | None  # the parameters in order, when the driver takes them by position (SQLite)
    defaults: dict[str, Any]  # values the statement carries itself (SQLite's ``OFFSET 0``, a literal's value)
    fallbacks: tuple[Any, ...] = ()  # with ``names``: the statement's own value of each, in order

    def bind(self, params: Mapping[str, Any]) -> Any:
        """``params`` as the driver takes them (by name, or in order), the statement's own values filled in."""
        if self.names is None:
            return {**self.defaults, **params} if self.defaults else params
        return tuple(map(params.get, self.names, self.fallbacks))


class Compiled:
    """A statement's SQL, compiled once per dialect."""

    def __init__(self, build: Callable[[Dialect], ClauseElement]) -> None:
        self._build = build
        self._sql: dict[str, Sql] = {}

    def sql(self, dialect: Dialect) -> Sql:
        found = self._sql.get(dialect.name)
        if found is None:
            compiled = self._build(dialect).compile(dialect=dialect)
            assert isinstance(compiled, SQLCompiler)
            names = list(compiled.positiontup) if dialect.positional and compiled.positiontup else None
            text = str(compiled)
            if dialect.name == "postgresql":  # binary parameters: psycopg dumps arrays (of JSON text above all) many
                text = _PYFORMAT.sub(r"%(\1)b", text)  # times faster than as escaped text literals
            defaults = dict(compiled.params)
            fallbacks = tuple(defaults.get(n) for n in names) if names is not None else ()
            found = self._sql[dialect.name] = Sql(text, names, defaults, fallbacks)
        return found


class BatchQuery:
    """A select whose rows come back as the driver's tuples; ``build`` gets the dialect (for :func:`in_ids`)."""

    def __init__(self, build: Callable[[Dialect], ClauseElement]) -> None:
        self._compiled = Compiled(build)

    def rows(self, conn: Connection, **params: Any) -> list[Row]:
        """The rows, fetched straight from the driver's cursor (SQLAlchemy would wrap each in a ``Row``)."""
        sql = self._compiled.sql(conn.dialect)
        cursor: Any = conn.connection.cursor()
        try:
            cursor.execute(sql.text, sql.bind(params))
            rows: list[Row] = cursor.fetchall()
            return rows
        finally:
            cursor.close()


def in_ids(column: ColumnElement[Any], dialect: Dialect, name: str = "ids") -> ColumnElement[bool]:
    """``column`` is one of the ids passed as ``name`` (see :func:`ids`), as one parameter on both backends."""
    if dialect.name == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(column.type)))
    listed = func.json_each(bindparam(name)).table_valued("value")
    return column.in_(select(listed.c.value))


def ids(dialect: Dialect, values: Sequence[int]) -> Any:
    """The ``ids`` parameter of :func:`in_ids`: an array on PostgreSQL, a JSON array on SQLite."""
    return list(values) if dialect.name == "postgresql" else json.dumps(list(values))


class _BatchWrite:
    """A write applied to many rows, each row a tuple of values in :attr:`names` order; ``in_order``: one row after
    another on PostgreSQL too (rows are locked in the order given, not in the order of the server's plan)."""

    names: tuple[str, ...]

    def __init__(self, table: Table, *, in_order: bool = False) -> None:
        self.table = table
        self.in_order = in_order
        self._compiled = Compiled(self._build)

    def _set_based(self, dialect: Dialect) -> bool:
        return dialect.name == "postgresql" and not self.in_order

    def _build(self, dialect: Dialect) -> ClauseElement:
        return self.set_based() if self._set_based(dialect) else self.per_row()

    def per_row(self) -> ClauseElement:
        raise NotImplementedError

    def set_based(self) -> ClauseElement:
        raise NotImplementedError

    def _type(self, name: str) -> Any:
        return self.table.c[name].type

    def _unnest(self) -> TableValuedAlias:
        """``unnest`` of one array per value of a row, as ``v(names...)``: the rows as a table for the server."""
        arrays = [bindparam(name, type_=ARRAY(self._type(name))) for name in self.names]
        return func.unnest(*arrays).table_valued(*self.names).render_derived(name="v")

    def run(self, conn: Connection, rows: Sequence[Row], pipeline: Pipeline | None = None) -> None:
        """Write ``rows``; with a ``pipeline`` (set-based statements only) without waiting for the server."""
        if not rows:
            return
        sql = self._compiled.sql(conn.dialect)
        if self._set_based(conn.dialect):
            if pipeline is not None:
                pipeline.send(sql.text, _columns(self.names, rows))
            else:
                conn.exec_driver_sql(sql.text, _columns(self.names, rows))
        elif sql.names is None:  # named placeholders (psycopg): pipelined by its executemany, one row after another
            conn.exec_driver_sql(sql.text, [dict(zip(self.names, row, strict=True)) for row in rows])
        else:
            assert sql.names == list(self.names), "the per-row statement takes its values in row order"
            conn.exec_driver_sql(sql.text, list(rows))


def _columns(names: Sequence[str], rows: Sequence[Row]) -> dict[str, list[Any]]:
    return {name: list(values) for name, values in zip(names, zip(*rows, strict=True), strict=True)}


class Update(_BatchWrite):
    """``UPDATE table SET columns WHERE keys``, each row ``(*columns, *keys)``; with ``add``, the values are added to
    the columns (``SET c = c + value``)."""

    def __init__(
        self, table: Table, keys: Sequence[str], columns: Sequence[str], *, add: bool = False, in_order: bool = False
    ) -> None:
        self.keys, self.columns, self.add = tuple(keys), tuple(columns), add
        self.names = (*self.columns, *self.keys)
        super().__init__(table, in_order=in_order)

    def _set(self, values: Callable[[str], Any]) -> dict[str, Any]:
        return {c: self.table.c[c] + values(c) if self.add else values(c) for c in self.columns}

    def per_row(self) -> ClauseElement:
        where = and_(*(self.table.c[k] == bindparam(k) for k in self.keys))
        return update(self.table).where(where).values(self._set(lambda c: bindparam(c, type_=self.table.c[c].type)))

    def set_based(self) -> ClauseElement:
        v = self._unnest()
        where = and_(*(self.table.c[k] == v.c[k] for k in self.keys))
        return update(self.table).where(where).values(self._set(lambda c: v.c[c]))


class Insert(_BatchWrite):
    """``INSERT INTO table (columns)``, each row the values of ``columns``."""

    def __init__(self, table: Table, columns: Sequence[str]) -> None:
        self.names = tuple(columns)
        super().__init__(table)

    def per_row(self) -> ClauseElement:
        return insert(self.table).values({c: bindparam(c) for c in self.names})

    def set_based(self) -> ClauseElement:
        v = self._unnest()
        return insert(self.table).from_select(self.names, select(*(v.c[c] for c in self.names)))


class InsertUnder(_BatchWrite):
    """``INSERT INTO table (foreign_key, columns)`` under parent rows named by their unique ``parent_key``: each row
    is ``(parent_key value, *columns)`` and the database fills in the parent's id, so rows go in with their parent
    in one batch of statements, without reading the parent's new id back first."""

    def __init__(
        self, table: Table, columns: Sequence[str], *, parent: Table, parent_key: str, foreign_key: str
    ) -> None:
        self.parent, self.parent_key, self.foreign_key = parent, parent_key, foreign_key
        self.columns = tuple(columns)
        self.names = (parent_key, *self.columns)
        super().__init__(table)

    def _type(self, name: str) -> Any:
        return self.parent.c[name].type if name == self.parent_key else super()._type(name)

    def per_row(self) -> ClauseElement:
        parent_id = select(self.parent.c.id).where(self.parent.c[self.parent_key] == bindparam(self.parent_key))
        values = {self.foreign_key: parent_id.scalar_subquery(), **{c: bindparam(c) for c in self.columns}}
        return insert(self.table).values(values)

    def set_based(self) -> ClauseElement:
        v = self._unnest()
        rows = select(self.parent.c.id, *(v.c[c] for c in self.columns)).join_from(
            v, self.parent, self.parent.c[self.parent_key] == v.c[self.parent_key]
        )
        return insert(self.table).from_select((self.foreign_key, *self.columns), rows)


class Delete(_BatchWrite):
    """``DELETE FROM table WHERE keys``, each row the values of ``keys``."""

    def __init__(self, table: Table, keys: Sequence[str]) -> None:
        self.names = tuple(keys)
        super().__init__(table)

    def per_row(self) -> ClauseElement:
        return delete(self.table).where(and_(*(self.table.c[k] == bindparam(k) for k in self.names)))

    def set_based(self) -> ClauseElement:
        v = self._unnest()
        return delete(self.table).where(and_(*(self.table.c[k] == v.c[k] for k in self.names)))


class Pipeline:
    """psycopg's pipeline mode across a batch (PostgreSQL): each chunk of writes is sent as the steps go, and the
    server applies it while the next steps are computed. :meth:`settle` leaves the mode, waiting for the server and
    raising its error if a statement failed; it must come before any other statement on the connection."""

    def __init__(self, conn: Connection) -> None:
        self._driver: Any = conn.connection.driver_connection
        self._mode: Any = None  # the open ``psycopg.Pipeline``
        self._cursors: list[Any] = []

    def send(self, sql: str, params: Any) -> None:
        if self._mode is None:
            self._mode = self._driver.pipeline()
            self._mode.__enter__()
        cursor = self._driver.cursor()
        cursor.execute(sql, params)  # queued and sent: returns before the server has run it
        self._cursors.append(cursor)

    def settle(self, error: BaseException | None = None) -> None:
        mode, self._mode = self._mode, None
        try:
            if mode is not None:
                mode.__exit__(type(error) if error else None, error, error.__traceback__ if error else None)
        finally:
            for cursor in self._cursors:
                cursor.close()
            self._cursors.clear()
