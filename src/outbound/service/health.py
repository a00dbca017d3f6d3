"""The health check behind ``GET /health``: can the database answer, which store it is, and what the service runs
with (clock mode, throttle backend, engine), so an operator sees at once which store a server serves."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from outbound import __version__
from outbound.config import Settings
from outbound.service import runtime
from outbound.sim.clock import Clock
from outbound.store import Database
from outbound.store.outage import is_disconnect, reason

__all__ = [
    "Health",
    "check",
    "is_disconnect",
    "reason",
    "recover",
    "report",
]  # adapters tell an outage through this module


T = TypeVar("T")


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


def report(settings: Settings, db: Database, clock: Clock, throttle: object, engine: str | None) -> dict[str, Any]:
    """What ``/health`` answers: the store, the clock, the throttle and the engine, and why it is not ok
    (``status`` ``unavailable`` without the database, ``degraded`` without a configured Redis)."""
    found: dict[str, Any] = {
        "status": "ok",
        "version": __version__,
        "store": db.public_url,
        "database": "sqlite" if db.is_sqlite else "postgresql",
        "clock": {"mode": settings.clock},
        "throttle": runtime.throttle_backend(settings),
        "engine": engine or runtime.engine_mode(settings),
    }
    reasons = []
    try:
        db.ping()
        found["clock"]["now"] = clock.now().isoformat()
        db.outage.recovered()
    except Exception as exc:
        if is_disconnect(exc):
            db.outage.failed(exc)
        found["status"] = "unavailable"
        reasons.append(f"database unreachable: {reason(exc)}")
    probe = getattr(throttle, "health", None)  # a shared (Redis) throttle says whether Redis answers
    if callable(probe):
        trouble = probe()
        if trouble is not None:
            found["status"] = "degraded" if found["status"] == "ok" else found["status"]
            reasons.append(f"redis unreachable (throttling fails open): {trouble}")
    if reasons:
        found["reasons"] = reasons
    return found


def recover(db: Database, exc: Exception, writes: bool, again: Callable[[], T]) -> T | None:
    """After an unexpected error in a request: ``exc`` again when it is not a lost database connection (the caller
    logs it as a fault); otherwise the pool drops its dead connections and a read runs once more, on a fresh one.
    ``None`` when the request cannot be answered (a write, whose commit may or may not have happened, or a read
    that fails again): the caller answers "unavailable" and the outage is logged once, not per request."""
    if not is_disconnect(exc):
        raise exc
    db.discard_connections()
    if not writes:
        try:
            answer = again()
        except Exception as retried:
            if not is_disconnect(retried):
                raise
            exc = retried
        else:
            if db.outage.down:
                db.outage.recovered()
            return answer
    db.outage.failed(exc)
    return None
