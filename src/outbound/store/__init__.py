"""Storage: the tables, their migrations, and every statement the rest of the package runs (SQL lives here only).

One database, three ways to talk to it; pick by how hot the path is and how many rows move:

- **SQLAlchemy Core** (``connection.execute(select(...))``), the default. Tables in :mod:`outbound.store.schema`,
  migrations in ``store/migrations`` (Alembic), the handle and its transactions in :mod:`outbound.store.db`.
  Queries by subject: :mod:`~outbound.store.accounts`, :mod:`~outbound.store.inventory`,
  :mod:`~outbound.store.orders`, :mod:`~outbound.store.returns`, :mod:`~outbound.store.status`,
  :mod:`~outbound.store.lifecycle`. Use it for anything written once per request or less often, and for every
  new query until a measurement says otherwise: it is the readable, portable form.
- **Prepared hot reads** (:class:`outbound.store.prepared.PreparedQuery`): a select built with Core, compiled once
  per dialect and run on the driver's cursor, rows as named tuples. For reads that every request makes (the key
  grant, the service status, the virtual clock, GetFulfillmentOrder's order graph): SQLAlchemy's execution
  machinery costs about ten times the query itself there (``bench/README.md``).
- **Driver-level batches** (:mod:`outbound.store.driver` for the statement kinds, :mod:`outbound.store.batch` for
  the engine's claim/load/write of a batch of orders): many rows per statement (``executemany`` on SQLite,
  ``unnest`` arrays on PostgreSQL), values in the driver's own form, rows as the driver's tuples. For the
  lifecycle engine only, where per-row work decides the throughput (``bench/engine_bench.py``).

All three see datetimes the same way: aware UTC in Python; what each database keeps (SQLite: naive UTC text,
PostgreSQL: ``timestamptz``) is converted in one place, :mod:`outbound.store.moments`.
"""

from outbound.store.db import Database

__all__ = ["Database"]
