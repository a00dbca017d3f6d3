"""Settings from command-line flags and ``OUTBOUND_*`` environment variables, in one place."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace

from outbound.store.db import DEFAULT_URL

CLOCKS = ("real", "virtual")
LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("debug", "info", "warning", "error")


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_URL
    clock: str = "real"
    throttle: bool = True
    redis_url: str | None = None
    engine: bool = True  # run the lifecycle engine inside the server (real clock); off when workers do it
    log_format: str = "text"
    log_level: str = "warning"  # info adds an access line per request, which costs more than the cheapest operations

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        throttle = environ.get("OUTBOUND_THROTTLE", "on").strip().lower()
        clock = environ.get("OUTBOUND_CLOCK", "real").strip().lower()
        if clock not in CLOCKS:
            raise ValueError(f"OUTBOUND_CLOCK must be one of {', '.join(CLOCKS)}")
        return cls(
            database_url=environ.get("OUTBOUND_DATABASE_URL") or DEFAULT_URL,
            clock=clock,
            throttle=throttle not in ("off", "0", "false", "no"),
            redis_url=environ.get("OUTBOUND_REDIS_URL") or None,
            engine=environ.get("OUTBOUND_ENGINE", "on").strip().lower() not in ("off", "0", "false", "no"),
            log_format=_choice(environ, "OUTBOUND_LOG_FORMAT", LOG_FORMATS, "text"),
            log_level=_choice(environ, "OUTBOUND_LOG_LEVEL", LOG_LEVELS, "warning"),
        )

    def to_env(self) -> dict[str, str]:
        """The environment that recreates these settings in a worker process."""
        env = {
            "OUTBOUND_DATABASE_URL": self.database_url,
            "OUTBOUND_CLOCK": self.clock,
            "OUTBOUND_THROTTLE": "on" if self.throttle else "off",
            "OUTBOUND_ENGINE": "on" if self.engine else "off",
            "OUTBOUND_LOG_FORMAT": self.log_format,
            "OUTBOUND_LOG_LEVEL": self.log_level,
        }
        if self.redis_url:
            env["OUTBOUND_REDIS_URL"] = self.redis_url
        return env

    def with_(self, **changes: object) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})  # type: ignore[arg-type]


def _choice(environ: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    value = environ.get(name, default).strip().lower() or default
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}")
    return value
