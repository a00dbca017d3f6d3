"""SP-API throttling over HTTP: the model's 2/30 buckets per (seller, LWA application, operation), 429
``QuotaExceeded`` with ``x-amzn-RateLimit-Limit``, the quota multiplier, and one quota across servers via Redis."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from outbound.config import Settings
from outbound.context import Context
from outbound.service.accounts import add_seller
from outbound.service.inventory import StockChange, set_inventory
from outbound.sim.clock import RealClock
from outbound.store import Database
from outbound.throttle import MemoryThrottle, RedisThrottle, Throttle
from tests.helpers import SELLER, Server, start_server
from tests.spapi import BASE, authorize, call, create_body, error, exchange, token_for


def spapi_server(db: Database, bucket: Throttle, **settings: object) -> Iterator[Server]:
    ctx = Context(Settings(database_url=db.url, **settings), db, bucket, RealClock())  # type: ignore[arg-type]
    server, thread, port = start_server(ctx)
    yield Server(f"http://127.0.0.1:{port}", port, ctx)
    server.should_exit = True
    thread.join(timeout=10)


class Stopwatch:
    """The buckets' clock, moved only by the test: how many calls pass never depends on how fast the machine is."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def watch() -> Stopwatch:
    return Stopwatch()


@pytest.fixture
def server(db: Database, watch: Stopwatch) -> Iterator[Server]:
    yield from spapi_server(db, MemoryThrottle(clock=watch))


def _statuses(server: Server, token: str, count: int, path: str = "/fulfillmentOrders") -> list[int]:
    """``count`` calls over one kept-alive connection."""
    with httpx.Client(base_url=f"{server.url}{BASE}", headers={"x-amz-access-token": token}) as client:
        return [client.get(path).status_code for _ in range(count)]


def test_thirty_then_quota_exceeded(server: Server, watch: Stopwatch) -> None:
    token = token_for(server)
    assert _statuses(server, token, 40) == [200] * 30 + [429] * 10
    watch.now += 0.5  # the bucket restores two tokens a second
    assert _statuses(server, token, 2) == [200, 429]
    watch.now += 1.0
    assert _statuses(server, token, 3) == [200, 200, 429]
    refused = call(server, "GET", "/fulfillmentOrders", token)
    first = error(refused, 429, "QuotaExceeded")
    assert first["message"] == "You exceeded your quota for the requested resource."
    assert first["details"] == ""
    assert refused.headers["x-amzn-ratelimit-limit"] == "2.0"
    # another operation has its own bucket
    assert call(server, "GET", "/fulfillmentOrders/NOPE", token).status_code == 404


def test_delivery_offers_plan_is_five_per_second(server: Server) -> None:
    answer = call(server, "POST", "/deliveryOffers", token_for(server), {})
    assert answer.headers["x-amzn-ratelimit-limit"] == "5.0"


def test_refused_calls_do_nothing(server: Server) -> None:
    set_inventory(server.ctx.db, StockChange(SELLER, "BLUE-MUG-12OZ", 200, "BFI4"))
    token = token_for(server)
    for n in range(30):
        assert call(server, "POST", "/fulfillmentOrders", token, create_body(f"T-{n}", quantity=1)).status_code == 200
    refused = call(server, "POST", "/fulfillmentOrders", token, create_body("T-30", quantity=1))
    error(refused, 429, "QuotaExceeded")
    error(call(server, "GET", "/fulfillmentOrders/T-30", token), 404, "NotFound")


def test_buckets_per_seller_and_application(server: Server) -> None:
    db = server.ctx.db
    creds = authorize(db)
    first, same = exchange(server, creds), exchange(server, creds)
    assert _statuses(server, first, 31)[-1] == 429
    # another token of the same application and seller draws on the same bucket
    assert _statuses(server, same, 1) == [429]
    # the same seller through another application
    assert _statuses(server, exchange(server, authorize(db)), 1) == [200]
    # another seller through its own application
    add_seller(db, "A3OTHERSELLER", "AKIAOTHER", "secret-other")
    assert _statuses(server, exchange(server, authorize(db, "A3OTHERSELLER")), 1) == [200]


def test_multiplier_scales_burst_and_header(db: Database) -> None:
    frozen = MemoryThrottle(clock=lambda: 0.0)  # nothing restored while the calls run, however slow the machine
    for running in spapi_server(db, frozen, spapi_quota_multiplier=2.0):
        token = token_for(running)
        assert _statuses(running, token, 64) == [200] * 60 + [429] * 4
        assert call(running, "GET", "/fulfillmentOrders", token).headers["x-amzn-ratelimit-limit"] == "4.0"


def test_throttle_off_still_shows_the_rate(db: Database) -> None:
    from outbound.throttle import Unthrottled

    for running in spapi_server(db, Unthrottled(), throttle=False):
        token = token_for(running)
        answers = [call(running, "GET", "/fulfillmentOrders", token) for _ in range(40)]
        assert {a.status_code for a in answers} == {200}
        assert answers[-1].headers["x-amzn-ratelimit-limit"] == "2.0"


@pytest.mark.redis
def test_redis_shares_one_quota_between_servers(db: Database, redis_url: str) -> None:
    prefix = f"outbound-test:{uuid.uuid4().hex}:"
    watch = Stopwatch()
    one_server = spapi_server(db, RedisThrottle(redis_url, prefix=prefix, clock=watch))
    two_server = spapi_server(db, RedisThrottle(redis_url, prefix=prefix, clock=watch))
    one, two = next(one_server), next(two_server)
    try:
        token = token_for(one)  # a token from one server is accepted by the other
        clients = [httpx.Client(base_url=f"{s.url}{BASE}", headers={"x-amz-access-token": token}) for s in (one, two)]
        statuses = [client.get("/fulfillmentOrders").status_code for client in clients * 20]
        assert statuses == [200] * 30 + [429] * 10
        watch.now += 0.5
        assert clients[1].get("/fulfillmentOrders").status_code == 200
        assert clients[0].get("/fulfillmentOrders").status_code == 429
        for client in clients:
            client.close()
    finally:
        for generator in (one_server, two_server):
            next(generator, None)
        import redis

        client = redis.Redis.from_url(redis_url)
        keys = list(client.scan_iter(match=prefix + "*"))
        if keys:
            client.delete(*keys)
        client.close()
