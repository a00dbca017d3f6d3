"""Conformance: schemathesis 4 generates requests from Amazon's model file itself (positive and negative data) and
runs them against the real server with a real token, over all 14 operations. No 5xx; only declared statuses (plus
405); bodies valid against the model's schema; schema-invalid requests refused with a 4xx.

The server is the one a conformance run needs: sandbox operations on (so the status update is really served), a
high quota multiplier (so more than 429s are tested), a seller with stock and orders in the US and in Japan.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi import checks

from outbound.config import Settings
from outbound.context import Context
from outbound.mws import throttle as throttling
from outbound.service.accounts import add_seller
from outbound.service.inventory import StockChange, set_inventory
from outbound.sim.clock import RealClock
from outbound.store import Database
from tests.helpers import ACCESS_KEY, SECRET_KEY, SELLER, Server, start_server
from tests.spapi import JP, US, call, create_body, token_for

MODEL = resources.files("outbound.spapi") / "model" / "fulfillmentOutbound_2020-07-01.json"
EXAMPLES = 12


@pytest.fixture(scope="module")
def schema() -> Any:
    return schemathesis.openapi.from_path(str(MODEL))


TOKYO = {
    "name": "Yamada Hanako",
    "addressLine1": "Meguro-ku 2-24-1",
    "stateOrRegion": "Tokyo",
    "countryCode": "JP",
    "postalCode": "153-0064",
}


@pytest.fixture
def server(db: Database) -> Iterator[Server]:
    add_seller(db, SELLER, ACCESS_KEY, SECRET_KEY, None, [US, JP])
    set_inventory(db, StockChange(SELLER, "BLUE-MUG-12OZ", 500, "BFI4"))
    set_inventory(db, StockChange(SELLER, "MATCHA-TIN", 500, "NRT1"))
    settings = Settings(
        database_url=db.url, throttle=True, sandbox_operations=True, spapi_quota_multiplier=1000.0, engine=False
    )
    ctx = Context(settings, db, throttling.MemoryThrottle(), RealClock())
    running, thread, port = start_server(ctx)
    yield Server(f"http://127.0.0.1:{port}", port, ctx)
    running.should_exit = True
    thread.join(timeout=10)


def _no_null(value: Any) -> None:
    assert value is not None
    if isinstance(value, dict):
        for v in value.values():
            _no_null(v)
    elif isinstance(value, list):
        for v in value:
            _no_null(v)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_model_conformance(schema: Any, server: Server, mode: GenerationMode) -> None:
    token = token_for(server)
    for body in (
        create_body("CONFORM-1"),
        create_body("CONFORM-2", fulfillmentAction="Hold"),
        create_body("CONFORM-JP", "MATCHA-TIN", marketplaceId=JP, destinationAddress=TOKYO),
    ):
        assert call(server, "POST", "/fulfillmentOrders", token, body).status_code == 200
    headers = {"x-amz-access-token": token}
    operations = [r.ok() for r in schema.get_all_operations()]
    tested = 0
    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case: Any) -> None:
            # a schema-valid request may still break a business rule: 400 and 404 are fine answers to it
            response = case.call_and_validate(
                base_url=server.url, headers=headers, excluded_checks=[checks.positive_data_acceptance]
            )
            assert response.status_code < 500, response.text
            if response.content:
                body = response.json()
                _no_null(body)
                if response.status_code == 200:
                    assert "errors" not in body

        run()
        tested += 1
    assert tested == len(operations) == 14
