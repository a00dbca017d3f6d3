"""In-process tallies of MWS calls per operation: all calls, throttled ones and other errors, for the dashboard.

Deliberately minimal: plain counters the endpoint bumps once per request (a dictionary increment), kept by each
worker process for itself since it started, never stored. Prometheus metrics, when the service exposes them, are
the place for anything more (totals across workers, latencies, histories).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

THROTTLED = "RequestThrottled"

_calls: Counter[str] = Counter()
_throttled: Counter[str] = Counter()
_errors: Counter[str] = Counter()


def record(operation: str, error_code: str | None) -> None:
    """One answered call of ``operation``; ``error_code`` is the MWS error it answered, if any.

    Increments under the GIL without a lock: two threads may, rarely, lose one count between them, which a glance
    at a dashboard tolerates and a lock on every request would not be worth.
    """
    _calls[operation] += 1
    if error_code == THROTTLED:
        _throttled[operation] += 1
    elif error_code is not None:
        _errors[operation] += 1


@dataclass(frozen=True, slots=True)
class OperationCounts:
    operation: str
    calls: int
    throttled: int
    errors: int


def snapshot() -> list[OperationCounts]:
    """Every operation called so far in this process, by name."""
    return [OperationCounts(op, _calls[op], _throttled[op], _errors[op]) for op in sorted(_calls)]


def reset() -> None:
    """Forget every count (tests)."""
    _calls.clear()
    _throttled.clear()
    _errors.clear()
