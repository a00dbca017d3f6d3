"""The health check behind ``GET /health``: can the database answer, and which one is it."""

from __future__ import annotations

from dataclasses import dataclass

from outbound.store import Database


@dataclass(frozen=True)
class Health:
    ok: bool
    database: str  # "sqlite" or "postgresql"
    error: str | None = None  # the exception's class name when the database did not answer


def check(db: Database) -> Health:
    backend = "sqlite" if db.is_sqlite else "postgresql"
    try:
        db.ping()
    except Exception as exc:  # any failure means unavailable: a health check answers, it does not raise
        return Health(False, backend, type(exc).__name__)
    return Health(True, backend)
