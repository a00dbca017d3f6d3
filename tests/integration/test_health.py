"""The health check behind ``GET /health``: a database that answers, and one that does not."""

from __future__ import annotations

from outbound.service import health
from outbound.store import Database


def test_a_database_that_answers_is_healthy(db: Database) -> None:
    found = health.check(db)
    assert found.ok and found.error is None
    assert found.database == ("sqlite" if db.is_sqlite else "postgresql")


def test_a_database_that_does_not_answer_is_unavailable() -> None:
    gone = Database("postgresql://postgres@127.0.0.1:9/nowhere", pool=False)  # nothing listens on port 9
    try:
        found = health.check(gone)
    finally:
        gone.dispose()
    assert (found.ok, found.database, found.error) == (False, "postgresql", "OperationalError")
