"""Request throttling: token buckets per caller and operation (MWS: access key, seller, bucket; SP-API: seller,
LWA application, operation).

A bucket holds at most ``burst`` requests and regains ``rate`` per second; a request takes one token or is refused
(``RequestThrottled``) without consuming one (``docs/mws-protocol.md`` "Throttling"). Two backends: in-process,
and Redis so that several workers share one quota. Throttling reads the wall clock, never the simulated one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Quota:
    burst: int
    rate: float  # requests restored per second

    @classmethod
    def per(cls, burst: int, requests: int, seconds: float) -> Quota:
        return cls(burst, requests / seconds)


class Throttle(Protocol):
    def take(self, key: str, quota: Quota) -> bool:
        """Take one token from the bucket ``key``; False when it is empty."""
        ...


class Unthrottled:
    """``--throttle off``: every request passes (load tests)."""

    def take(self, key: str, quota: Quota) -> bool:
        return True


# Floating-point slack: a token restored "exactly now" must not be refused for a rounding error of 1e-16.
EPSILON = 1e-9


def refill(tokens: float, elapsed: float, quota: Quota) -> float:
    """The bucket's level after ``elapsed`` seconds of restoring, capped at the burst size."""
    return min(float(quota.burst), tokens + max(0.0, elapsed) * quota.rate)


class MemoryThrottle:
    """Buckets in this process's memory; ``clock`` is injectable so tests can move time."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str, quota: Quota) -> bool:
        with self._lock:
            now = self._clock()
            tokens, last = self._buckets.get(key, (float(quota.burst), now))
            tokens = refill(tokens, now - last, quota)
            if tokens < 1.0 - EPSILON:
                return False  # refused: the bucket is left exactly as it was
            self._buckets[key] = (max(0.0, tokens - 1.0), now)
            return True


# The same arithmetic as refill(), atomically in Redis, on Redis's own clock (shared by every worker). Values are
# stored at full double precision and a refused request writes nothing, so refusals never cost a fraction of a token.
_TAKE = """
local burst = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil then tokens = burst; ts = now end
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
if tokens < 1 - 1e-9 then return 0 end
tokens = math.max(0, tokens - 1)
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'ts', string.format('%.17g', now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return 1
"""


class RedisThrottle:
    """Buckets in Redis, so every worker and every server process draws on one quota.

    While Redis can't be reached the throttle fails open: requests go through unthrottled rather than every seller
    being refused. Redis is then asked again at most once per ``RETRY`` seconds (a request does not wait for a
    connection timeout each time), a warning is logged at most once a minute, and the shared buckets are back as
    soon as Redis answers.
    """

    RETRY = 1.0
    WARN_EVERY = 60.0

    def __init__(self, url: str, prefix: str = "outbound:throttle:", clock: Callable[[], float] | None = None):
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._script = self._redis.register_script(_TAKE)
        self._prefix = prefix
        self._clock = clock
        self.down_since: float | None = None  # monotonic time Redis was found away; None while it answers
        self._retry_at = 0.0
        self._warned_at: float | None = None

    def take(self, key: str, quota: Quota) -> bool:
        if self.down_since is not None and time.monotonic() < self._retry_at:
            return True  # failing open without asking
        args: list[float | int | str] = [quota.burst, repr(quota.rate)]
        if self._clock is not None:
            args.append(repr(self._clock()))
        try:
            taken = bool(self._script(keys=[self._prefix + key], args=args))
        except Exception as exc:
            self._unreachable(exc)
            return True
        if self.down_since is not None:
            log.warning("Redis throttle reachable again: shared buckets restored")
            self.down_since = self._warned_at = None
        return taken

    def _unreachable(self, exc: Exception) -> None:
        now = time.monotonic()
        if self.down_since is None:
            self.down_since = now
        self._retry_at = now + self.RETRY
        if self._warned_at is None or now - self._warned_at >= self.WARN_EVERY:
            self._warned_at = now
            log.warning("Redis throttle unreachable (%s: %s); requests go through unthrottled", type(exc).__name__, exc)

    def ping(self) -> bool:
        return bool(self._redis.ping())

    def health(self) -> str | None:
        """None when Redis answers a ping, else why not."""
        try:
            self._redis.ping()
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}"[:240]
        return None


def build(enabled: bool, redis_url: str | None) -> Throttle:
    if not enabled:
        return Unthrottled()
    if redis_url:
        return RedisThrottle(redis_url)
    return MemoryThrottle()
