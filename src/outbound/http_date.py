"""The HTTP ``Date`` header's value: every answer of both protocols carries one, and it changes once a second."""

from __future__ import annotations

from email.utils import formatdate
from functools import lru_cache


def http_date(now: float) -> bytes:
    """``now`` (seconds since the epoch) as RFC 7231 writes it, e.g. ``Mon, 30 Nov 2026 12:00:00 GMT``."""
    return _of_second(int(now))


@lru_cache(maxsize=2)
def _of_second(second: int) -> bytes:
    return formatdate(second, usegmt=True).encode()
