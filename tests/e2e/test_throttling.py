"""Throttling over HTTP (docs/mws-protocol.md "Throttling"): 503 RequestThrottled, shared and per-seller buckets,
Redis."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from outbound.mws.throttle import RedisThrottle
from outbound.service.accounts import add_seller
from outbound.store import Database
from tests.helpers import Server, call, error, make_server


def throttled(response: httpx.Response) -> None:
    found = error(response)  # the full ErrorResponse, x-mws-request-id included
    assert (found.status, found.type, found.code, found.message) == (
        503,
        "Sender",
        "RequestThrottled",
        "Request is throttled",
    )
    assert response.reason_phrase == "Service Unavailable"


@pytest.fixture
def http(throttled_server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=throttled_server.url, timeout=10) as client:
        yield client


def test_get_service_status_two_then_throttled(http: httpx.Client) -> None:
    assert [call(http).status_code for _ in range(2)] == [200, 200]
    throttled(call(http))
    throttled(call(http, method="GET"))


def test_refusals_before_the_throttle_take_no_token(http: httpx.Client) -> None:
    """A request refused for its signature never reaches the bucket (the throttle is check 9 of 11)."""
    for _ in range(3):
        assert call(http, secret="wrong").status_code == 403
    assert [call(http).status_code for _ in range(2)] == [200, 200]


def test_list_all_and_by_next_token_share_one_bucket(http: httpx.Client) -> None:
    """Whatever the handlers answer, the bucket is taken first: 30 ListAll calls empty ByNextToken's bucket too."""
    for _ in range(30):
        response = call(http, "ListAllFulfillmentOrders")
        assert response.status_code != 503, response.text
    throttled(call(http, "ListAllFulfillmentOrdersByNextToken", {"NextToken": "token"}))
    throttled(call(http, "ListAllFulfillmentOrders"))
    # other operations have their own buckets
    assert call(http, "GetFulfillmentOrder", {"SellerFulfillmentOrderId": "x"}).status_code != 503
    assert call(http).status_code == 200


def test_buckets_are_per_seller(throttled_server: Server, http: httpx.Client) -> None:
    add_seller(throttled_server.ctx.db, "A1SECONDSELLER", "AKIASECONDKEY0000000", "second-secret")
    assert [call(http).status_code for _ in range(2)] == [200, 200]
    throttled(call(http))
    second = {"SellerId": "A1SECONDSELLER", "AWSAccessKeyId": "AKIASECONDKEY0000000"}
    assert [call(http, params=second, secret="second-secret").status_code for _ in range(2)] == [200, 200]
    throttled(call(http, params=second, secret="second-secret"))


@pytest.mark.redis
def test_redis_backend_shares_one_quota_between_servers(db: Database, redis_url: str) -> None:
    prefix = f"outbound-test:{uuid.uuid4().hex}:"
    first_server = make_server(db, RedisThrottle(redis_url, prefix=prefix))
    second_server = make_server(db, RedisThrottle(redis_url, prefix=prefix))
    first, second = next(first_server), next(second_server)
    try:
        with (
            httpx.Client(base_url=first.url, timeout=10) as one,
            httpx.Client(base_url=second.url, timeout=10) as two,
        ):
            assert call(one).status_code == 200
            assert call(two).status_code == 200
            throttled(call(one))
            throttled(call(two))
    finally:
        for generator in (first_server, second_server):
            next(generator, None)
        import redis

        client = redis.Redis.from_url(redis_url)
        keys = list(client.scan_iter(match=prefix + "*"))
        if keys:
            client.delete(*keys)
        client.close()
