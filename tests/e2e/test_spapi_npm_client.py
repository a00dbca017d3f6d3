"""npm ``amazon-sp-api`` 1.2.1 (the version pinned in ``tests/node/package.json``) against the real server with a
two-second access-token lifetime: it gets an order, waits past the token's expiry, gets it again, and succeeds
because it renews the token by itself on the 403 whose details say the token has expired.

The package is installed with npm into ``tests/node/node_modules`` (npm's cache makes later runs quick). Without
npm the test is skipped, except under ``CI=true``, where it must run.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from outbound.config import Settings
from outbound.context import Context
from outbound.mws import throttle as throttling
from outbound.service.inventory import StockChange, set_inventory
from outbound.sim.clock import RealClock
from outbound.store import Database
from tests.conftest import IN_CI
from tests.helpers import SELLER, Server, start_server
from tests.spapi import authorize, call, create_body, error, exchange

NODE_DIR = Path(__file__).resolve().parent.parent / "node"
VERSION = "1.2.1"
TTL = 2


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        if IN_CI:
            pytest.fail(f"{name} is not installed (CI=true: the npm client test must run)", pytrace=False)
        pytest.skip(f"{name} is not installed: the npm amazon-sp-api client cannot be tested")
    return found


@pytest.fixture(scope="module")
def client_installed() -> str:
    """The node binary, once ``amazon-sp-api`` is installed in tests/node."""
    node = _tool("node")
    npm = _tool("npm")
    installed = NODE_DIR / "node_modules" / "amazon-sp-api" / "package.json"
    if not installed.exists() or json.loads(installed.read_text())["version"] != VERSION:
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--prefer-offline"],
            cwd=NODE_DIR,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, f"npm install failed:\n{done.stdout}\n{done.stderr}"
    assert json.loads(installed.read_text())["version"] == VERSION
    return node


@pytest.fixture
def server(db: Database) -> Iterator[Server]:
    settings = Settings(database_url=db.url, lwa_token_ttl=TTL, engine=False)
    ctx = Context(settings, db, throttling.MemoryThrottle(), RealClock())
    running, thread, port = start_server(ctx)
    yield Server(f"http://127.0.0.1:{port}", port, ctx)
    running.should_exit = True
    thread.join(timeout=10)


def test_npm_client_renews_an_expired_token_by_itself(client_installed: str, server: Server) -> None:
    set_inventory(server.ctx.db, StockChange(SELLER, "BLUE-MUG-12OZ", 10, "BFI4"))
    creds = authorize(server.ctx.db)
    created = call(server, "POST", "/fulfillmentOrders", exchange(server, creds), create_body("NPM-1"))
    assert created.status_code == 200, created.text
    config = {
        "port": server.port,
        "refresh_token": creds.refresh_token,
        "client_id": creds.client_id,
        "client_secret": creds.client_secret,
        "order_id": "NPM-1",
        "wait_ms": (TTL + 1) * 1000,
    }
    ran = subprocess.run(
        [client_installed, "renews_token.js", json.dumps(config)],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 0, f"the npm client failed:\n{ran.stdout}\n{ran.stderr}"
    result = json.loads(ran.stdout.strip().splitlines()[-1])
    assert result["first_status"] == result["second_status"] == "Received"
    assert result["first_token"].startswith("Atza|") and result["second_token"] != result["first_token"]
    # the first token had expired when the second call went out: the client renewed it on our 403
    refused = error(call(server, "GET", "/fulfillmentOrders/NPM-1", result["first_token"]), 403, "Unauthorized")
    assert re.search(r"access token.*expired", refused["details"])
