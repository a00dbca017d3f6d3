"""What a running service says about itself: its store, clock mode, throttle backend and engine, and whether the
store can be reached."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from outbound.config import Settings
from outbound.store import Database, maintenance


def record_clock_mode(db: Database, mode: str) -> None:
    """Keep the mode a server runs with in the store, where the CLI on the same store reads it."""
    with db.transaction() as conn:
        maintenance.record_clock_mode(conn, mode)


def clock_mode(db: Database) -> str | None:
    """The mode recorded by the last server started on this store (None: none has said)."""
    with db.read(snapshot=False) as conn:
        return maintenance.clock_mode(conn)


def throttle_backend(settings: Settings) -> str:
    """``off``, ``in-process`` or ``redis <URL without password>``."""
    if not settings.throttle:
        return "off"
    if settings.redis_url:
        return f"redis {public_redis_url(settings.redis_url)}"
    return "in-process"


def engine_mode(settings: Settings) -> str:
    """Who moves the orders on this server's store."""
    if settings.clock == "virtual":
        return "on demand (the virtual clock: outbound clock advance, /admin/clock/advance)"
    if settings.engine:
        return "in the server (real clock)"
    return "off in the server (OUTBOUND_ENGINE=off: `outbound worker` processes move the orders)"


def public_redis_url(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
