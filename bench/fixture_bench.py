"""The pytest fixture's speed: a generated suite of N tests, each a small MCF integration test, run by pytest.

    .venv/bin/python bench/fixture_bench.py                     # 200 tests, SQLite
    .venv/bin/python bench/fixture_bench.py --tests 200 -n 2    # the same under pytest-xdist, two workers
    .venv/bin/python bench/fixture_bench.py --db postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/fixture_bench.py --client sp-api     # the same tests over SP-API

Each generated test asks for the ``outbound`` fixture, stocks a SKU, creates an order with our SDK (or, with
``--client sp-api``, with python-amazon-sp-api, whose first call exchanges the new seller's refresh token for an
access token), moves the clock three days, and reads the order and its package's tracking. The suite runs in a fresh
``python -m pytest`` process (as a developer would run it); the figure that counts is that process's wall time,
start to end. A conftest in the generated folder times, per test, the fixture's setup (the reset: empty store, clock
restarted, new seller) and each phase of the test body, and the session server's start; they are printed as means
per test. The process's CPU time (user + system, its children included) is printed too: on a machine other work
keeps busy, the wall time grows and the CPU time much less, so it tells what the suite would take alone.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CONFTEST = """
import json, os, time
import pytest

PHASES = {}
SETUP = {}


@pytest.fixture
def phase():
    def mark(name, started):
        PHASES.setdefault(name, []).append(time.perf_counter() - started)
        return time.perf_counter()
    return mark


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef, request):
    started = time.perf_counter()
    yield
    if fixturedef.argname in ("outbound", "outbound_server"):
        SETUP.setdefault(fixturedef.argname, []).append(time.perf_counter() - started)


def pytest_sessionfinish(session):
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with open(os.path.join(os.environ["FIXTURE_BENCH_OUT"], f"timings-{worker}.json"), "w") as out:
        json.dump({"phases": PHASES, "setup": SETUP}, out)
"""

TEST = """
def test_order_{n}(outbound, phase):
    t = time.perf_counter()
    outbound.stock("TEA-1", 10, weight=0.6, dimensions="8x5x3")
    mws = outbound.client()
    t = phase("stock + client", t)
    mws.create_fulfillment_order("MCF-{n}", SEATTLE, [CreateItem("TEA-1", "line-1", 2)])
    t = phase("create order", t)
    outbound.advance("3d")
    t = phase("advance 3d", t)
    details = mws.get_fulfillment_order("MCF-{n}")
    assert details.order.status == "COMPLETE"
    tracking = mws.get_package_tracking_details(details.shipments[0].packages[0].package_number)
    assert tracking.tracking_events
    phase("read order + tracking", t)
"""

HEADER = """import time
from outbound.client import Address, CreateItem

SEATTLE = Address("Jane Doe", "1200 12th Ave S", city="Seattle", state_or_province_code="WA",
                  country_code="US", postal_code="98144")
"""

SPAPI_TEST = """
def test_order_{n}(outbound, phase):
    t = time.perf_counter()
    outbound.stock("TEA-1", 10, weight=0.6, dimensions="8x5x3")
    api = sp_api(outbound)
    t = phase("stock + client", t)
    create(api, "MCF-{n}")
    t = phase("create order", t)
    outbound.advance("3d")
    t = phase("advance 3d", t)
    order = api.get_fulfillment_order("MCF-{n}").payload
    assert order["fulfillmentOrder"]["fulfillmentOrderStatus"] == "Complete"
    number = order["fulfillmentShipments"][0]["fulfillmentShipmentPackage"][0]["packageNumber"]
    assert api.get_package_tracking_details(packageNumber=number).payload["trackingEvents"]
    phase("read order + tracking", t)
"""

SPAPI_HEADER = """import time
from urllib.parse import urlsplit

from sp_api.api import FulfillmentOutbound
from sp_api.auth import AccessTokenClient
from sp_api.base import Marketplaces

SEATTLE = {"name": "Jane Doe", "addressLine1": "1200 12th Ave S", "city": "Seattle", "stateOrRegion": "WA",
           "countryCode": "US", "postalCode": "98144"}


def sp_api(seller):
    url = urlsplit(seller.token_url)

    class LocalTokens(AccessTokenClient):
        scheme, host, path = f"{url.scheme}://", url.netloc, url.path

    api = FulfillmentOutbound(Marketplaces.US, credentials=seller.spapi_credentials(),
                              auth_token_client_class=LocalTokens, verify=False)  # plain HTTP: no CA bundle to load
    api.endpoint = f"{url.scheme}://{url.netloc}"
    return api


def create(api, order_id):
    api.create_fulfillment_order(
        marketplaceId="ATVPDKIKX0DER", sellerFulfillmentOrderId=order_id, displayableOrderId=order_id,
        displayableOrderDate="2026-11-23T15:58:40Z", displayableOrderComment="Thank you",
        shippingSpeedCategory="Standard", destinationAddress=SEATTLE,
        items=[{"sellerSku": "TEA-1", "sellerFulfillmentOrderItemId": "line-1", "quantity": 2}],
    )
"""


def mean_ms(values: list[float]) -> float:
    return 1000 * sum(values) / len(values) if values else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tests", type=int, default=200)
    parser.add_argument("-n", "--workers", default=None, help="pytest-xdist workers (default: none)")
    parser.add_argument("--db", default=None, help="a PostgreSQL server URL (default: temporary SQLite)")
    parser.add_argument(
        "--client", choices=("sdk", "sp-api"), default="sdk", help="our SDK (MWS) or python-amazon-sp-api"
    )
    parser.add_argument("--json", type=Path, default=None, help="keep the figures in this file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="fixture-bench-") as folder:
        root = Path(folder)
        (root / "conftest.py").write_text(CONFTEST)
        header, test = (SPAPI_HEADER, SPAPI_TEST) if args.client == "sp-api" else (HEADER, TEST)
        (root / "test_suite.py").write_text(header + "".join(test.format(n=n) for n in range(args.tests)))
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_suite.py"]
        if args.workers:
            command += ["-n", args.workers]
        if args.db:
            command += ["--outbound-db", args.db]
        env = {**os.environ, "FIXTURE_BENCH_OUT": folder}
        load = os.getloadavg()[0]
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        run = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - started
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
        summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else ""
        if run.returncode != 0:
            print(run.stdout[-4000:], run.stderr[-4000:], sep="\n")
            sys.exit(f"the generated suite failed: {summary}")
        phases: dict[str, list[float]] = {}
        setup: dict[str, list[float]] = {}
        for path in root.glob("timings-*.json"):
            data = json.loads(path.read_text())
            for name, values in data["phases"].items():
                phases.setdefault(name, []).extend(values)
            for name, values in data["setup"].items():
                setup.setdefault(name, []).extend(values)

    body = sum(mean_ms(v) for v in phases.values())
    figures = {
        "tests": args.tests,
        "workers": args.workers or 0,
        "database": "postgresql" if args.db else "sqlite",
        "client": args.client,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "load_before": round(load, 2),
        "pytest_summary": summary,
        "server_start_ms": [round(1000 * v) for v in setup.get("outbound_server", [])],
        "fixture_reset_ms_per_test": round(mean_ms(setup.get("outbound", [])), 2),
        "test_body_ms_per_test": round(body, 2),
        "phases_ms_per_test": {name: round(mean_ms(v), 2) for name, v in phases.items()},
    }
    print("command:", " ".join(["bench/fixture_bench.py", *sys.argv[1:]]))
    print(f"{args.tests} tests, {figures['database']}, {args.client}, xdist workers: {figures['workers']}")
    print(f"pytest process, start to end: {wall:.2f} s  ({summary})")
    print(f"  its CPU time (user + system, workers included): {cpu:.2f} s; load average before: {load:.2f}")
    print(f"server start (once per session/worker): {', '.join(f'{v} ms' for v in figures['server_start_ms'])}")
    print(f"fixture per test (reset: empty store, clock, new seller): {figures['fixture_reset_ms_per_test']} ms")
    print(f"test body per test: {figures['test_body_ms_per_test']} ms")
    for name, value in figures["phases_ms_per_test"].items():
        print(f"  {name}: {value} ms")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
