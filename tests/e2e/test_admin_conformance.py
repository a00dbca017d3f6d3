"""Conformance of the admin API to its own published document: schemathesis 4 loads ``/admin/openapi.json`` from the
running server and sends generated requests (schema-valid and schema-invalid) to every operation. No 5xx; only
documented statuses; bodies valid against the document; invalid input refused with a 4xx.

The store holds a seller with stock, an order that shipped (its notifications logged for a webhook subscription)
and a scenario, so generated requests meet real data as well as unknown names. Examples are bounded so the run
takes well under a minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi import checks

from outbound.service import notifications, scenarios
from outbound.store import Database
from tests.helpers import SELLER, Server, advance, create, line, serve_virtual, start_clock, stock

EXAMPLES = 8


@pytest.fixture
def server(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    monkeypatch.delenv("OUTBOUND_ADMIN_TOKEN", raising=False)
    start_clock(db)
    stock(db, "MUG", 50)
    notifications.subscribe(db, SELLER, "FULFILLMENT_ORDER_STATUS", "webhook", "http://127.0.0.1:9/x", secret="s")
    create(db, "SHIPPED-1", line("MUG", "l1", 2))
    advance(db, timedelta(days=2))
    scenarios.add(db, SELLER, "speed", {"multiplier": 2}, datetime.now(UTC))
    yield from serve_virtual(db)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_admin_api_conforms_to_its_document(server: Server, mode: GenerationMode) -> None:
    schema: Any = schemathesis.openapi.from_url(f"{server.url}/admin/openapi.json")
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) == 34
    for operation in operations:
        raw = operation.definition.raw
        if mode is GenerationMode.NEGATIVE and not (raw.get("parameters") or raw.get("requestBody")):
            continue  # no input to make invalid

        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case: Any) -> None:
            # a schema-valid request may still name nothing that exists or break a rule: 400/404/409 answer it
            response = case.call_and_validate(base_url=server.url, excluded_checks=[checks.positive_data_acceptance])
            assert response.status_code < 500, response.text

        run()
