"""Datetimes between Python and the databases: the one place that knows each database's form.

Python always holds aware UTC datetimes. SQLite keeps naive UTC text in SQLAlchemy's format, always with six digits
of microseconds (SQLite compares the text, so ``next_step_at <= :now`` needs one format); PostgreSQL keeps
``timestamptz``, which psycopg sends and returns as aware datetimes. Three readers and writers use this module:
``schema.UtcDateTime`` (SQLAlchemy Core), :func:`writer`/:func:`reader` (the driver-level statements of
``store/driver.py``, ``store/batch.py`` and ``store/prepared.py``), and the JSON a package's journey is stored as
(:func:`stamp`, :func:`exact`, :func:`parse`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

# --------------------------------------------------------------------------------- SQLAlchemy (UtcDateTime)


def to_bind(moment: datetime | None, dialect_name: str) -> datetime | None:
    """An aware datetime as ``UtcDateTime`` hands it to SQLAlchemy's DateTime: naive UTC on SQLite, aware UTC else."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None) if dialect_name == "sqlite" else moment


def from_result(value: Any) -> datetime | None:
    """What SQLAlchemy's DateTime returns (naive on SQLite) → aware UTC."""
    if value is None:
        return None
    moment: datetime = value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# ------------------------------------------------------------------------------------------ driver level


def writer(dialect: Any) -> Callable[[datetime | None], Any]:
    """Aware datetime → what the driver stores for a ``UtcDateTime`` column (``dialect``: a Dialect or its name)."""
    return _sqlite_text if (dialect if isinstance(dialect, str) else dialect.name) == "sqlite" else _aware


def reader(dialect: Any) -> Callable[[Any], datetime | None]:
    """What the driver returns for a ``UtcDateTime`` column → aware UTC datetime."""
    return _sqlite_moment if dialect.name == "sqlite" else _utc


def _sqlite_text(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is not UTC:
        if moment.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        moment = moment.astimezone(UTC)
    return moment.isoformat(" ", "microseconds")[:26]  # without the "+00:00": SQLAlchemy's naive text


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return moment


def _sqlite_moment(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value + "+00:00")  # parsed aware: 6x faster than .replace


def _utc(value: Any) -> datetime | None:
    if value is None:
        return None
    moment: datetime = value
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)


# ------------------------------------------------------------------------------------------ inside JSON


def stamp(moment: datetime | None) -> str | None:
    """Whole seconds, UTC, ``Z``: how a stored journey writes its times."""
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def exact(moment: datetime) -> str:
    """ISO 8601 to the microsecond, offset kept: a time that must read back exactly (a journey's inputs)."""
    return moment.isoformat()


def parse(text: str) -> datetime:
    """A time :func:`stamp` or :func:`exact` wrote, as it was written (aware; naive only if it was written naive)."""
    return datetime.fromisoformat(text)


def parse_utc(text: str | None) -> datetime | None:
    """A time :func:`stamp` or :func:`exact` wrote, as aware UTC (naive text read as UTC)."""
    return None if text is None else from_result(datetime.fromisoformat(text))
