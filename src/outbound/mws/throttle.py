"""MWS's throttling is the shared token-bucket module; kept here so MWS code and tests import it as before."""

from outbound.throttle import (
    EPSILON,
    MemoryThrottle,
    Quota,
    RedisThrottle,
    Throttle,
    Unthrottled,
    build,
    refill,
)

__all__ = ["EPSILON", "MemoryThrottle", "Quota", "RedisThrottle", "Throttle", "Unthrottled", "build", "refill"]
