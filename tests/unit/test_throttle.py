"""Token buckets (docs/mws-protocol.md "Throttling"): the arithmetic on a fake clock, in memory and in Redis."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest

from outbound.mws import throttle as throttling
from outbound.mws.operations import OPERATIONS
from outbound.mws.throttle import MemoryThrottle, Quota, RedisThrottle, Throttle

STANDARD = OPERATIONS["GetFulfillmentOrder"].quota
STATUS = OPERATIONS["GetServiceStatus"].quota


class FakeClock:
    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def takes(throttle: Throttle, key: str, quota: Quota, count: int) -> list[bool]:
    return [throttle.take(key, quota) for _ in range(count)]


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    import redis

    prefix = f"outbound-test:{uuid.uuid4().hex}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()


Factory = Callable[[FakeClock], Throttle]


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def make(request: pytest.FixtureRequest) -> Factory:
    """Builds a throttle on a given clock; each backend in turn. Redis throttles of one test share a prefix."""
    if request.param == "memory":
        return lambda clock: MemoryThrottle(clock)
    url: str = request.getfixturevalue("redis_url")
    prefix: str = request.getfixturevalue("redis_prefix")
    return lambda clock: RedisThrottle(url, prefix=prefix, clock=clock)


def test_quotas_of_the_section() -> None:
    assert Quota(30, 2.0) == STANDARD
    assert STATUS.burst == 2
    assert STATUS.rate == pytest.approx(1 / 300)
    for action, operation in OPERATIONS.items():
        if action != "GetServiceStatus":
            assert operation.quota == STANDARD, action
    assert (
        OPERATIONS["ListAllFulfillmentOrders"].bucket_name
        == OPERATIONS["ListAllFulfillmentOrdersByNextToken"].bucket_name
    )
    others = [op.bucket_name for name, op in OPERATIONS.items() if not name.startswith("ListAllFulfillmentOrders")]
    assert len(set(others)) == len(others) == len(OPERATIONS) - 2


def test_refill_arithmetic() -> None:
    assert throttling.refill(0.0, 0.5, STANDARD) == 1.0
    assert throttling.refill(29.0, 10.0, STANDARD) == 30.0  # capped at the burst
    assert throttling.refill(3.0, -5.0, STANDARD) == 3.0  # a clock going backwards restores nothing


def test_burst_then_refused_then_restored(make: Factory) -> None:
    clock = FakeClock()
    throttle = make(clock)
    assert takes(throttle, "k", STANDARD, 31) == [True] * 30 + [False]
    clock.advance(0.4)
    assert not throttle.take("k", STANDARD)
    clock.advance(0.1)  # 0.5 s: one request restored
    assert takes(throttle, "k", STANDARD, 2) == [True, False]
    clock.advance(1.0)  # 2 per second
    assert takes(throttle, "k", STANDARD, 3) == [True, True, False]


def test_bucket_never_exceeds_burst(make: Factory) -> None:
    clock = FakeClock()
    throttle = make(clock)
    assert throttle.take("k", STANDARD)
    clock.advance(3600)
    assert takes(throttle, "k", STANDARD, 31) == [True] * 30 + [False]


def test_get_service_status_two_then_one_per_five_minutes(make: Factory) -> None:
    clock = FakeClock()
    throttle = make(clock)
    assert takes(throttle, "k", STATUS, 3) == [True, True, False]
    clock.advance(299)
    assert not throttle.take("k", STATUS)
    clock.advance(1)
    assert takes(throttle, "k", STATUS, 2) == [True, False]
    clock.advance(600)
    assert takes(throttle, "k", STATUS, 3) == [True, True, False]


def test_refused_requests_do_not_consume(make: Factory) -> None:
    clock = FakeClock()
    throttle = make(clock)
    assert takes(throttle, "k", STATUS, 2) == [True, True]
    for _ in range(10):  # a client hammering every 25 s gets nothing, and delays nothing
        clock.advance(25)
        assert not throttle.take("k", STATUS)
    clock.advance(50)  # 300 s after the bucket emptied
    assert throttle.take("k", STATUS)

    assert takes(throttle, "s", STANDARD, 30) == [True] * 30
    assert takes(throttle, "s", STANDARD, 100) == [False] * 100
    clock.advance(0.5)
    assert throttle.take("s", STANDARD)


@pytest.mark.parametrize("start", [0.0, 86_400.3, 1_000_000.4])
def test_restored_on_time_despite_refusals_in_between(make: Factory, start: float) -> None:
    clock = FakeClock(start)
    throttle = make(clock)
    assert takes(throttle, "k", STANDARD, 30) == [True] * 30
    for _ in range(4):  # refused at 0.1, 0.2, 0.3 and 0.4 s
        clock.advance(0.1)
        assert not throttle.take("k", STANDARD)
    clock.advance(0.1)  # 0.5 s after the bucket emptied: one token, however the clock's floats round
    assert takes(throttle, "k", STANDARD, 2) == [True, False]


def test_buckets_are_independent(make: Factory) -> None:
    clock = FakeClock()
    throttle = make(clock)
    assert takes(throttle, "key1:SELLER1:GetServiceStatus", STATUS, 3) == [True, True, False]
    assert throttle.take("key1:SELLER2:GetServiceStatus", STATUS)
    assert throttle.take("key2:SELLER1:GetServiceStatus", STATUS)
    assert throttle.take("key1:SELLER1:GetFulfillmentOrder", STANDARD)


def test_two_throttles_share_one_bucket(make: Factory) -> None:
    """Two Redis throttles (two workers) draw on one quota; in memory each process has its own."""
    clock = FakeClock()
    first, second = make(clock), make(clock)
    results = [(first if i % 2 else second).take("k", STANDARD) for i in range(30)]
    assert results == [True] * 30
    shared = isinstance(first, RedisThrottle)
    assert first.take("k", STANDARD) is not shared
    assert second.take("k", STANDARD) is not shared


@pytest.mark.redis
def test_redis_on_its_own_clock(redis_url: str, redis_prefix: str) -> None:
    throttle = RedisThrottle(redis_url, prefix=redis_prefix)
    assert throttle.ping()
    assert takes(throttle, "k", STATUS, 3) == [True, True, False]
    assert takes(throttle, "k2", Quota(1, 1000.0), 1) == [True]


def test_redis_down_lets_requests_through() -> None:
    throttle = RedisThrottle("redis://127.0.0.1:1/0", prefix="outbound-test:down:")
    assert takes(throttle, "k", STATUS, 3) == [True, True, True]


def test_build(redis_url: str) -> None:
    assert isinstance(throttling.build(False, redis_url), throttling.Unthrottled)
    assert isinstance(throttling.build(True, None), MemoryThrottle)
    assert isinstance(throttling.build(True, redis_url), RedisThrottle)
    assert throttling.Unthrottled().take("k", Quota(0, 0.0))
