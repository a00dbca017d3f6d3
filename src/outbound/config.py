"""Settings from command-line flags and ``OUTBOUND_*`` environment variables, in one place."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TypeVar

from outbound.store.db import DEFAULT_URL

CLOCKS = ("real", "virtual")
T = TypeVar("T", int, float)
LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("debug", "info", "warning", "error")


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_URL
    clock: str = "real"
    throttle: bool = True
    redis_url: str | None = None
    engine: bool = True  # run the lifecycle engine inside the server (real clock); off when workers do it
    spapi: bool = True  # serve SP-API Fulfillment Outbound 2020-07-01 and the LWA token endpoint beside MWS
    lwa_token_ttl: int = 3600  # seconds an LWA access token lives (wall clock)
    spapi_quota_multiplier: float = 1.0  # scales every SP-API rate and burst (conformance runs set it high)
    sandbox_operations: bool = False  # serve SP-API's sandbox-only submitFulfillmentOrderStatusUpdate
    public_url: str | None = None  # how clients reach this service, for links in answers
    log_format: str = "text"
    log_level: str = "warning"  # info adds an access line per request, which costs more than the cheapest operations
    spapi_rates: tuple[tuple[str, float, int], ...] = ()  # (operationId, rate per second, burst) overrides

    @property
    def spapi_rate_overrides(self) -> dict[str, tuple[float, int]]:
        return {name: (rate, burst) for name, rate, burst in self.spapi_rates}

    notify: bool = True  # deliver notifications from the server (and ``outbound worker``): OUTBOUND_NOTIFY

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
            engine=_switch(environ, "OUTBOUND_ENGINE", default=True),
            spapi=_switch(environ, "OUTBOUND_SPAPI", default=True),
            lwa_token_ttl=_number(environ, "OUTBOUND_LWA_TOKEN_TTL", 3600, int),
            spapi_quota_multiplier=_number(environ, "OUTBOUND_SPAPI_QUOTA_MULTIPLIER", 1.0, float),
            sandbox_operations=_switch(environ, "OUTBOUND_SANDBOX_OPERATIONS", default=False),
            public_url=environ.get("OUTBOUND_PUBLIC_URL") or None,
            log_format=_choice(environ, "OUTBOUND_LOG_FORMAT", LOG_FORMATS, "text"),
            log_level=_choice(environ, "OUTBOUND_LOG_LEVEL", LOG_LEVELS, "warning"),
            spapi_rates=parse_rates(environ.get("OUTBOUND_SPAPI_RATES", "")),
            notify=_switch(environ, "OUTBOUND_NOTIFY", default=True),
        )

    def to_env(self) -> dict[str, str]:
        """The environment that recreates these settings in a worker process."""
        env = {
            "OUTBOUND_DATABASE_URL": self.database_url,
            "OUTBOUND_CLOCK": self.clock,
            "OUTBOUND_THROTTLE": "on" if self.throttle else "off",
            "OUTBOUND_ENGINE": "on" if self.engine else "off",
            "OUTBOUND_SPAPI": "on" if self.spapi else "off",
            "OUTBOUND_LWA_TOKEN_TTL": str(self.lwa_token_ttl),
            "OUTBOUND_SPAPI_QUOTA_MULTIPLIER": repr(self.spapi_quota_multiplier),
            "OUTBOUND_SANDBOX_OPERATIONS": "on" if self.sandbox_operations else "off",
            "OUTBOUND_LOG_FORMAT": self.log_format,
            "OUTBOUND_LOG_LEVEL": self.log_level,
            "OUTBOUND_NOTIFY": "on" if self.notify else "off",
        }
        if self.public_url:
            env["OUTBOUND_PUBLIC_URL"] = self.public_url
        if self.spapi_rates:
            env["OUTBOUND_SPAPI_RATES"] = format_rates(self.spapi_rates)
        if self.redis_url:
            env["OUTBOUND_REDIS_URL"] = self.redis_url
        return env

    def with_(self, **changes: object) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})  # type: ignore[arg-type]


def parse_rates(text: str) -> tuple[tuple[str, float, int], ...]:
    """``getFulfillmentOrder=5/30,deliveryOffers=10/30``: per SP-API operation, requests per second and burst."""
    found: dict[str, tuple[str, float, int]] = {}
    for entry in text.replace(";", ",").split(","):
        if not entry.strip():
            continue
        name, sep, plan = entry.partition("=")
        rate_text, slash, burst_text = plan.partition("/")
        try:
            rate, burst = float(rate_text), int(burst_text)
        except ValueError:
            rate, burst = 0.0, 0
        if not (sep and slash and name.strip() and rate > 0 and burst >= 1):
            raise ValueError(f"SP-API rates take OPERATION=RATE/BURST entries (rate > 0, burst ≥ 1), not {entry!r}")
        found[name.strip()] = (name.strip(), rate, burst)
    return tuple(found.values())


def format_rates(rates: tuple[tuple[str, float, int], ...]) -> str:
    return ",".join(f"{name}={rate!r}/{burst}" for name, rate, burst in rates)


def _switch(environ: Mapping[str, str], name: str, *, default: bool) -> bool:
    """An on/off setting: ``on``/``off`` (also 1/0, true/false, yes/no); anything else is refused."""
    value = environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("on", "1", "true", "yes"):
        return True
    if value in ("off", "0", "false", "no"):
        return False
    raise ValueError(f"{name} must be on or off, not {value!r}")


def _number(environ: Mapping[str, str], name: str, default: T, kind: Callable[[str], T]) -> T:
    value = environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        number = kind(value.strip())
    except ValueError:
        raise ValueError(f"{name} must be a number") from None
    if not number > 0:
        raise ValueError(f"{name} must be positive")
    return number


def _choice(environ: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    value = environ.get(name, default).strip().lower() or default
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}")
    return value
