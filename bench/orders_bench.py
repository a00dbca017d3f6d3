"""The orders' goals: GetFulfillmentOrder and CreateFulfillmentOrder over HTTP against the bare floor, and the time of
a ListAllFulfillmentOrders page with 1,000 and with 1,000,000 orders in the store.

HTTP (``--only http``): for each database, one ``outbound serve --throttle off --workers 1`` (uvicorn by default,
pinned as ``http_bench.py`` pins it; the lifecycle engine off unless ``--engine on``) and, in the same run,
``bench/bare_app.py`` under the same server software, loaded with wrk:

* ``bare``: the fixed GetServiceStatus answer (``http_bench.py``'s floor);
* ``get``: GetFulfillmentOrder of one order with 2 lines and 2 SHIPPED shipments (two centers, one package each),
  seeded through the store; one pre-signed request replayed;
* ``create``: CreateFulfillmentOrder, every request a new order: ``--bodies`` distinct bodies are signed before the
  run and a Lua script hands them out in turn, each once; a request past the last one is refused by the server, so
  running out fails the run instead of measuring idempotent replays. Afterwards the orders in the store are counted
  against wrk's requests.
* ``sp-get`` and ``sp-create``: the same two operations over SP-API (``getFulfillmentOrder`` and
  ``createFulfillmentOrder`` with an LWA access token exchanged before the run), so that both protocols' rates come
  from the same run; the goal is SP-API within 10 % of MWS (``sp-get/get`` and ``sp-create/create`` ≥ 0.9).

``--workers 1 2`` runs each target with one worker, then two, in turn (``get``, ``get/2w``) and prints two workers'
rate over one's per round (goal: >= 1.6x on PostgreSQL). On few CPUs, ``--worker-cpu 0.4`` gives each worker process
(the bare floor's too) a cgroup of its own limited to 0.4 CPU (``bench/cpu_quota.py``, root); this process, wrk and
the database's backends serving the server share another, of the same high weight and no limit, so that other work
on the machine takes neither. Each run then reports the CPU the workers used, the share of quota periods they spent
all of (near 100 %: the budget is what limits them), and the CPU a request cost in the workers, the database and wrk.

Listing (``--only listing``): ``outbound.service.listing`` called directly, on a fresh store loaded with
``bulk_orders`` (one seller, orders ``--spacing`` seconds apart): the first page
(``list_all_fulfillment_orders``) and, by NextToken (``list_by_next_token``), page 10 and the middle page; median
and p99 over ``--fetches`` fetches of each, for ``--orders-small`` and ``--orders-large`` orders.

``--profile N`` runs N GetFulfillmentOrder and N CreateFulfillmentOrder requests through ``MwsEndpoint.process`` in
this process (no HTTP) under cProfile and prints the time per call and the top costs. See ``bench/README.md``.

    .venv/bin/python bench/orders_bench.py                          # both parts, SQLite and PostgreSQL
    .venv/bin/python bench/orders_bench.py --only http --repeat 2
    .venv/bin/python bench/orders_bench.py --only listing --quick   # 100,000 orders instead of 1,000,000
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import json
import math
import os
import platform
import pstats
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import cpu_quota  # bench/cpu_quota.py: a CPU budget per worker process (--worker-cpu)
import http_bench  # bench/http_bench.py: temporary databases, servers, pinning, wrk
from sqlalchemy import func, select, text

from outbound.config import Settings
from outbound.context import Context
from outbound.domain.orders import (
    COMPLETE,
    SHIPPED,
    Address,
    Order,
    OrderItem,
    Package,
    Shipment,
    ShipmentItem,
)
from outbound.mws.endpoint import MwsEndpoint
from outbound.mws.params import collect
from outbound.service import listing, lwa
from outbound.service.accounts import add_seller
from outbound.service.inventory import StockChange, set_inventory
from outbound.sim.bulk import ADDRESS, bulk_orders  # ADDRESS: Seattle, where bulk orders go
from outbound.store import Database
from outbound.store import orders as order_store
from outbound.store.schema import orders as orders_table

SELLER, ACCESS_KEY, SECRET_KEY = http_bench.SELLER, http_bench.ACCESS_KEY, http_bench.SECRET_KEY
NS = "{http://mws.amazonaws.com/FulfillmentOutboundShipment/2010-10-01/}"
DATABASES = ("sqlite", "postgresql")
TARGETS = ("bare", "get", "create", "sp-get", "sp-create")
# req/s over the bare floor's, per database (one worker, the same run)
GOALS = {
    "sqlite": {"get": 0.15, "create": 0.04, "sp-get": 0.15, "sp-create": 0.04},
    "postgresql": {"get": 0.08, "create": 0.02, "sp-get": 0.08, "sp-create": 0.02},
}
BASE = "@base"  # a target served by the code under --base-src (the same run, for before/after)
PARITY = {"sp-get": "get", "sp-create": "create"}  # SP-API's rate within 10 % of the same MWS operation's
PARITY_GOAL = 0.9
SCALING_GOAL = 0.8  # req/s of N workers over one worker's, per worker: 2 workers at >= 1.6x one
SP_PATH = "/fba/outbound/2020-07-01/fulfillmentOrders"
SP_CLIENT_ID, SP_CLIENT_SECRET, SP_REFRESH = "bench-lwa-app", "bench-lwa-secret", "Atzr|bench-refresh-token"
SP_TOKEN: dict[str, str] = {}  # database URL → an access token for the seller
GET_ORDER_ID = "BENCH-GET-0001"
CREATE_SKU, CREATE_FC, CREATE_UNITS = "BENCH-CREATE", "BFI4", 10_000_000
LIST_SKU, LIST_FC = "BENCH-LIST", "BFI4"


# ---------------------------------------------------------------------------------------------------------------
# The store: the order GetFulfillmentOrder reads, the stock CreateFulfillmentOrder reserves


def seed_get_order(db: Database) -> None:
    """A COMPLETE order of 2 lines, shipped from two centers in two SHIPPED shipments of one package each."""
    received = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)
    shipped, arrives = received + timedelta(days=1), received + timedelta(days=3)
    order = Order(
        seller_id=SELLER,
        seller_order_id=GET_ORDER_ID,
        marketplace_id="ATVPDKIKX0DER",
        displayable_order_id=GET_ORDER_ID,
        displayable_order_at=received,
        displayable_order_comment="Thank you for your order.",
        shipping_speed="Standard",
        destination=Address(dict(ADDRESS)),
        fulfillment_action="Ship",
        fulfillment_policy="FillOrKill",
        fulfillment_method="Consumer",
        received_at=received,
        status=COMPLETE,
        status_updated_at=arrives,
        items=[
            OrderItem(
                "BENCH-TEA", "line-1", 2, fnsku="X00TEA0001", estimated_ship_at=shipped, estimated_arrival_at=arrives
            ),
            OrderItem(
                "BENCH-MUG", "line-2", 1, fnsku="X00MUG0001", estimated_ship_at=shipped, estimated_arrival_at=arrives
            ),
        ],
    )
    shipments = [
        Shipment(
            f"DnBENCH{n}",
            fc,
            SHIPPED,
            shipped,
            arrives,
            [ShipmentItem(sku, line, quantity, 1000 + n)],
            [Package(1000 + n, carrier, f"1Z999AA1{n:010d}", arrives)],
        )
        for n, (fc, sku, line, quantity, carrier) in enumerate(
            [("BFI4", "BENCH-TEA", "line-1", 2, "UPS"), ("ONT8", "BENCH-MUG", "line-2", 1, "USPS")], 1
        )
    ]
    with db.transaction() as conn:
        order_id = order_store.insert_order(conn, order, "bench", None)
        for shipment in shipments:
            order_store.insert_shipment(conn, order_id, SELLER, shipment)


def prepare_http_store(db_url: str) -> None:
    db = Database(db_url)
    try:
        db.migrate()
        add_seller(db, SELLER, ACCESS_KEY, SECRET_KEY)
        set_inventory(db, StockChange(SELLER, CREATE_SKU, CREATE_UNITS, CREATE_FC, Decimal("0.5")))
        seed_get_order(db)
        lwa.add_app(db, SP_CLIENT_ID, SP_CLIENT_SECRET)
        lwa.authorize(db, SELLER, SP_CLIENT_ID, SP_REFRESH)
        request = lwa.TokenRequest("refresh_token", SP_CLIENT_ID, SP_CLIENT_SECRET, SP_REFRESH)
        SP_TOKEN[db_url] = lwa.exchange(db, request, ttl=24 * 3600).access_token
    finally:
        db.dispose()


def count_orders(db_url: str, prefix: str) -> int:
    db = Database(db_url)
    try:
        with db.read() as conn:
            query = select(func.count()).select_from(orders_table)
            return int(conn.execute(query.where(orders_table.c.seller_order_id.like(f"{prefix}%"))).scalar_one())
    finally:
        db.dispose()


# ---------------------------------------------------------------------------------------------------------------
# Requests


def get_body(host: str) -> str:
    return http_bench.signed_body(host, "GetFulfillmentOrder", {"SellerFulfillmentOrderId": GET_ORDER_ID})


def create_body(host: str, seller_order_id: str) -> str:
    params = {
        "SellerFulfillmentOrderId": seller_order_id,
        "DisplayableOrderId": seller_order_id,
        "DisplayableOrderDateTime": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "DisplayableOrderComment": "Thank you for your order.",
        "ShippingSpeedCategory": "Standard",
        **{f"DestinationAddress.{k}": v for k, v in ADDRESS.items()},
        "Items.member.1.SellerSKU": CREATE_SKU,
        "Items.member.1.SellerFulfillmentOrderItemId": "line-1",
        "Items.member.1.Quantity": "1",
    }
    return http_bench.signed_body(host, "CreateFulfillmentOrder", params)


def sp_create_body(seller_order_id: str) -> str:
    """createFulfillmentOrder's JSON for the same order ``create_body`` signs for MWS."""
    address = {
        "name": ADDRESS["Name"],
        "addressLine1": ADDRESS["Line1"],
        "city": ADDRESS["City"],
        "stateOrRegion": ADDRESS["StateOrProvinceCode"],
        "countryCode": ADDRESS["CountryCode"],
        "postalCode": ADDRESS["PostalCode"],
    }
    body = {
        "sellerFulfillmentOrderId": seller_order_id,
        "displayableOrderId": seller_order_id,
        "displayableOrderDate": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "displayableOrderComment": "Thank you for your order.",
        "shippingSpeedCategory": "Standard",
        "destinationAddress": address,
        "items": [{"sellerSku": CREATE_SKU, "sellerFulfillmentOrderItemId": "line-1", "quantity": 1}],
    }
    return json.dumps(body, separators=(",", ":"))


def sp_request(port: int, method: str, path: str, token: str, body: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(
        f"http://{http_bench.HOST}:{port}{path}",
        data=None if body is None else body.encode(),
        headers={"Content-Type": "application/json", "x-amz-access-token": token},
        method=method,
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace")


def check_sp_get(port: int, token: str) -> None:
    status, answer = sp_request(port, "GET", f"{SP_PATH}/{GET_ORDER_ID}", token)
    try:
        found = json.loads(answer)["payload"]
        ok = status == 200 and len(found["fulfillmentShipments"]) == 2 and len(found["fulfillmentOrderItems"]) == 2
    except (ValueError, KeyError, TypeError):
        ok = False
    if not ok:
        raise http_bench.BenchError(f"getFulfillmentOrder gave a bad answer (HTTP {status}):\n{answer}")


def check_sp_create(port: int, token: str, body: str) -> None:
    status, answer = sp_request(port, "POST", SP_PATH, token, body)
    if status != 200 or answer != "{}":
        raise http_bench.BenchError(f"createFulfillmentOrder gave a bad answer (HTTP {status}):\n{answer}")


def sp_get_script(token: str) -> str:
    return f'wrk.method = "GET"\nwrk.headers["x-amz-access-token"] = {json.dumps(token)}\n'


def sp_create_script(token: str, bodies_file: Path, threads: int) -> str:
    """As ``create_script``, for SP-API's JSON bodies; past the last body an empty object is sent (a 400)."""
    script = create_script("", bodies_file, threads)
    script = script.replace(f"local path = {json.dumps(http_bench.PATH)}", f"local path = {json.dumps(SP_PATH)}")
    headers = f'{{["Content-Type"] = "application/json", ["x-amz-access-token"] = {json.dumps(token)}}}'
    script = re.sub(r"local headers = \{.*\}\n", lambda _: f"local headers = {headers}\n", script)
    return script.replace('local spent = "Action=OutOfBodies"', 'local spent = "{}"')


def post(port: int, host: str, body: str) -> tuple[int, str]:
    request = urllib.request.Request(
        f"http://{http_bench.HOST}:{port}{http_bench.PATH}",
        data=body.encode("ascii"),
        headers={"Content-Type": http_bench.CONTENT_TYPE, "Host": host},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace")


def check_get(port: int, host: str, body: str) -> None:
    """The replayed request must be a 200 GetFulfillmentOrderResponse with 2 items and 2 shipments."""
    status, answer = post(port, host, body)
    problems = [] if status == 200 else [f"HTTP {status}"]
    try:
        root = ET.fromstring(answer)
    except ET.ParseError:
        raise http_bench.BenchError(f"GetFulfillmentOrder: not XML (HTTP {status}):\n{answer}") from None
    result = root.find(f"{NS}GetFulfillmentOrderResult")
    if root.tag != f"{NS}GetFulfillmentOrderResponse" or result is None:
        problems.append("not a GetFulfillmentOrderResponse")
    else:
        shipments = result.findall(f"{NS}FulfillmentShipment/{NS}member")
        items = result.findall(f"{NS}FulfillmentOrderItem/{NS}member")
        if len(shipments) != 2 or len(items) != 2:
            problems.append(f"{len(shipments)} FulfillmentShipment and {len(items)} FulfillmentOrderItem members")
    if problems:
        raise http_bench.BenchError(f"GetFulfillmentOrder gave a bad answer ({', '.join(problems)}):\n{answer}")


def check_create(port: int, host: str, body: str) -> None:
    status, answer = post(port, host, body)
    if status != 200 or "<CreateFulfillmentOrderResponse" not in answer:
        raise http_bench.BenchError(f"CreateFulfillmentOrder gave a bad answer (HTTP {status}):\n{answer}")


def create_script(host: str, bodies_file: Path, threads: int) -> str:
    """wrk Lua: each of the ``threads`` wrk threads sends its share of the bodies in turn, never one twice.

    Past the last body every request is an unsigned ``OutOfBodies`` call, which the server refuses (400): wrk counts
    those as non-2xx and the run fails, instead of turning into a measurement of idempotent replays.
    """
    return f"""
local path = {json.dumps(http_bench.PATH)}
local headers = {{["Content-Type"] = {json.dumps(http_bench.CONTENT_TYPE)}, ["Host"] = {json.dumps(host)}}}
local spent = "Action=OutOfBodies"
local count = {threads}
local created = 0
local bodies = {{}}
local next_index = 1

function setup(thread)
  thread:set("thread_id", created)
  created = created + 1
end

function init(args)
  local n = 0
  local id = thread_id or 0
  for line in io.lines({json.dumps(str(bodies_file))}) do
    if n % count == id then bodies[#bodies + 1] = line end
    n = n + 1
  end
end

function request()
  local body = bodies[next_index]
  next_index = next_index + 1
  if body == nil then body = spent end
  return wrk.format("POST", path, headers, body)
end
"""


# ---------------------------------------------------------------------------------------------------------------
# HTTP runs


@dataclass
class HttpRun:
    db: str
    result: http_bench.Result
    created: int | None = None  # create: new orders found in the store after the measured run
    usage: Usage | None = None  # --worker-cpu: what the workers, the database and wrk used in the measured run


@dataclass
class Usage:
    """CPU used over a wrk run: by each worker (seconds, and CFS periods in which it spent its whole quota), by each
    of the database's backends serving the server (by PID: a connection opened during the run counts from zero), and
    by wrk."""

    worker_s: list[float]
    periods: list[tuple[int, int]]
    database_s: dict[int, float]
    wrk_s: float

    @staticmethod
    def sample(workers: list[tuple[int, Path]], db_url: str) -> Usage:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk, once it has been waited for
        return Usage(
            [cpu_quota.cpu_seconds([pid]) for pid, _ in workers],
            [cpu_quota.throttling(group) for _, group in workers],
            {pid: cpu_quota.cpu_seconds([pid]) for pid in database_backends(db_url)},
            children.ru_utime + children.ru_stime,
        )

    def since(self, start: Usage) -> Usage:
        return Usage(
            [b - a for a, b in zip(start.worker_s, self.worker_s, strict=True)],
            [(b[0] - a[0], b[1] - a[1]) for a, b in zip(start.periods, self.periods, strict=True)],
            {pid: s - start.database_s.get(pid, 0.0) for pid, s in self.database_s.items()},
            self.wrk_s - start.wrk_s,
        )

    def describe(self, seconds: float, requests: int) -> str:
        cpu = " ".join(f"{s / seconds:.2f}" for s in self.worker_s)
        throttled = " ".join(f"{t / max(n, 1):.0%}" for n, t in self.periods)
        database = sum(self.database_s.values())
        per_request = {"workers": sum(self.worker_s), "database": database, "wrk": self.wrk_s}
        each = ", ".join(f"{name} {1000 * s / max(requests, 1):.2f}" for name, s in per_request.items())
        return f"worker CPU {cpu}, quota spent in {throttled} of periods; CPU ms a request: {each}"


def database_backends(db_url: str) -> list[int]:
    """The PostgreSQL backends connected to the benchmark's database (the server's pool), this query's aside."""
    if not db_url.startswith("postgresql"):
        return []
    db = Database(db_url, pool=False)
    try:
        with db.read() as conn:
            query = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            return [int(pid) for pid in conn.execute(text(query)).scalars()]
    finally:
        db.dispose()


def workers_label(target: str, workers: int) -> str:
    """``get`` for one worker, ``get/2w`` for two."""
    return target if workers == 1 else f"{target}/{workers}w"


def bench_target(
    args: argparse.Namespace, wrk: str, kind: str, target: str, db_url: str, work: Path, round_: int, workers: int
) -> HttpRun:
    port = http_bench.free_port()
    host = f"{http_bench.HOST}:{port}"
    url = f"http://{host}{http_bench.PATH}"
    server_target = "bare" if target == "bare" else "real"
    env = {"OUTBOUND_ENGINE": args.engine}
    label = workers_label(target, workers)
    if target.endswith(BASE):  # the same load on the code under --base-src
        target = target.removesuffix(BASE)
        src = args.base_src / "src"
        env["PYTHONPATH"] = str(src if src.is_dir() else args.base_src)
    scripts: list[tuple[Path, float]] = []
    prefix = ""
    bodies = 0
    token = SP_TOKEN.get(db_url, "")
    if target.startswith("sp-"):
        url = f"http://{host}{SP_PATH}" + (f"/{GET_ORDER_ID}" if target == "sp-get" else "")
    if target in ("create", "sp-create"):  # signed before the server starts, so the signing does not share its CPU
        prefix = f"C{uuid.uuid4().hex[:6]}-"
        warm = math.ceil(args.bodies * args.warmup / args.duration) if args.warmup > 0 else 0
        for phase, count, seconds in (("w", warm, args.warmup), ("m", args.bodies, args.duration)):
            if count == 0:
                continue
            if target == "create":
                lines = (create_body(host, f"{prefix}{phase}{n:07d}") for n in range(count))
            else:
                lines = (sp_create_body(f"{prefix}{phase}{n:07d}") for n in range(count))
            bodies_file = work / f"{target}-{round_}-{phase}.txt"
            bodies_file.write_text("\n".join(lines) + "\n")
            script = work / f"{target}-{round_}-{phase}.lua"
            if target == "create":
                script.write_text(create_script(host, bodies_file, args.threads))
            else:
                script.write_text(sp_create_script(token, bodies_file, args.threads))
            scripts.append((script, seconds))
        bodies = args.bodies
    with ExitStack() as stack:
        server = stack.enter_context(
            http_bench.running_server(args.server, server_target, port, db_url, args.server_cpus, work, env, workers)
        )
        budgets: list[tuple[int, Path]] = []  # each worker's PID and cgroup
        if args.worker_cpu:  # the bare floor's one worker too: its figures compare with the workers'
            pids = http_bench.worker_pids(server.pid, workers)
            budgets = [(pid, stack.enter_context(cpu_quota.budget([pid], args.worker_cpu))) for pid in pids]
        if target == "bare":
            body = http_bench.signed_body(host)
            http_bench.preflight(port, host, body, "bare")
        elif target == "get":
            body = get_body(host)
            check_get(port, host, body)
        elif target == "sp-get":
            check_sp_get(port, token)
        elif target == "sp-create":
            check_sp_create(port, token, sp_create_body(f"{prefix}preflight"))
        else:
            check_create(port, host, create_body(host, f"{prefix}preflight"))
        if target not in ("create", "sp-create"):
            script = work / f"{target}.lua"
            script.write_text(sp_get_script(token) if target == "sp-get" else http_bench.lua_script(host, body))
            scripts = [(script, args.warmup)] * (args.warmup > 0) + [(script, args.duration)]
        outputs = []
        usage = None
        for path, seconds in scripts:  # the last is measured: the server's CPU time is read around it
            if budgets:  # the database's backends share the benchmark's budget; what each part uses is measured
                start = Usage.sample(budgets, db_url)
                cpu_quota.join(args.load_budget, start.database_s)
            cpu_before = http_bench.group_cpu_seconds(server.pid)
            outputs.append(http_bench.run_wrk(wrk, url, path, seconds, args.connections, args.threads, args.wrk_cpus))
            cpu_spent = http_bench.group_cpu_seconds(server.pid) - cpu_before
            if budgets:
                usage = Usage.sample(budgets, db_url).since(start)
    hint = " (out of pre-signed bodies: raise --bodies)" if target in ("create", "sp-create") else ""
    for warm_output in outputs[:-1]:  # the warm-up is not measured, but its answers must be right too
        if (warm := http_bench.parse_wrk(warm_output, args.server, target)).non_2xx:
            raise http_bench.BenchError(
                f"{kind}/{target}: {warm.non_2xx} non-2xx answers in the warm-up{hint}. wrk said:\n{warm_output}"
            )
    output = outputs[-1]
    result = http_bench.parse_wrk(output, args.server, label)
    result.run = round_
    if result.requests == 0:
        raise http_bench.BenchError(f"{kind}/{target}: wrk completed no request:\n{output}")
    result.cpu_us = cpu_spent / result.requests * 1e6
    if result.non_2xx:
        raise http_bench.BenchError(
            f"{kind}/{target}: {result.non_2xx} of {result.requests} answers were not 2xx{hint}. wrk said:\n{output}"
        )
    run = HttpRun(kind, result, usage=usage)
    if target in ("create", "sp-create"):
        if result.requests > bodies:
            raise http_bench.BenchError(
                f"{kind}/{target}: {result.requests} requests for {bodies} bodies: raise --bodies"
            )
        run.created = count_orders(db_url, f"{prefix}m")
        # every completed request created an order; a few more may have been in flight when wrk stopped
        if not result.requests <= run.created <= result.requests + args.connections:
            raise http_bench.BenchError(
                f"{kind}/create: {run.created} orders in the store for {result.requests} completed requests"
            )
    return run


def best_runs(runs: list[HttpRun]) -> list[HttpRun]:
    best = []
    for kind in dict.fromkeys(r.db for r in runs):
        for target in dict.fromkeys(r.result.target for r in runs if r.db == kind):
            mine = [r for r in runs if r.db == kind and r.result.target == target]
            best.append(max(mine, key=lambda r: r.result.requests_per_sec))
    return best


def ratios_of(best: list[HttpRun]) -> dict[str, dict[str, float]]:
    ratios: dict[str, dict[str, float]] = {}
    for kind in dict.fromkeys(r.db for r in best):
        rate = {r.result.target: r.result.requests_per_sec for r in best if r.db == kind}
        ratios[kind] = {target: value / rate["bare"] for target, value in rate.items() if target != "bare"}
    return ratios


def cpu_ratios(runs: list[HttpRun]) -> dict[str, dict[str, float]]:
    """Per database, each target's share of the bare floor by the server's CPU time per request (the least of its
    runs, the least disturbed): bare's CPU per request over the target's, the rate ratio a server would reach
    with its CPU to itself. Steadier than the rates on a shared machine."""
    ratios: dict[str, dict[str, float]] = {}
    for kind in dict.fromkeys(r.db for r in runs):
        least: dict[str, float] = {}
        for run in runs:
            if run.db == kind and run.result.cpu_us:
                target = run.result.target
                least[target] = min(least.get(target, math.inf), run.result.cpu_us)
        if "bare" in least:
            ratios[kind] = {t: least["bare"] / cpu for t, cpu in least.items() if t != "bare"}
    return ratios


def print_http(runs: list[HttpRun], best: list[HttpRun], ratios: dict[str, dict[str, float]]) -> None:
    repeated = len(runs) > len(best)
    head = (
        f"{'database':<11} {'target':<9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9}  {'/bare':>6}"
        f"  {'cpu us':>7}"
    )
    print(head + ("  |  req/s of every run  |  server CPU us a request, every run" if repeated else ""))
    print("-" * len(head))
    for run in best:
        r = run.result
        ratio = ratios[run.db].get(r.target)
        line = (
            f"{run.db:<11} {r.target:<9} {r.requests_per_sec:>9.1f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} "
            f"{r.requests:>9}  {'' if ratio is None else f'{ratio:.3f}':>6}  {r.cpu_us or 0:>7.0f}"
        )
        if repeated:
            every = [x.result for x in runs if x.db == run.db and x.result.target == r.target]
            line += "  |  " + " ".join(f"{x.requests_per_sec:.0f}" for x in every)
            line += "  |  " + " ".join(f"{x.cpu_us or 0:.0f}" for x in every)
        print(line)
    print()
    by_cpu = cpu_ratios(runs)
    for kind, by_target in ratios.items():
        for target, ratio in by_target.items():
            cpu = by_cpu.get(kind, {}).get(target)
            cpu_note = "" if cpu is None else f"; by server CPU a request {cpu:.3f}"
            goal = GOALS[kind].get(target.removesuffix(BASE))
            if goal is None or target.endswith(BASE):
                print(f"{kind:<11} {target}/bare {ratio:.3f}{cpu_note}")
                continue
            verdict = "meets" if ratio >= goal else "BELOW"
            print(f"{kind:<11} {target}/bare {ratio:.3f}  (goal >= {goal}: {verdict}{cpu_note})")
        for sp, mws in PARITY.items():
            if sp not in by_target or mws not in by_target:
                continue
            parity = by_target[sp] / by_target[mws]
            verdict = "meets" if parity >= PARITY_GOAL else "BELOW"
            print(f"{kind:<11} {sp}/{mws} {parity:.3f}  (goal >= {PARITY_GOAL}: {verdict})")
    print_scaling(runs, best)


def print_scaling(runs: list[HttpRun], best: list[HttpRun]) -> None:
    """N workers over one worker: each round's (one worker then N, back to back), judged by their median, and the
    best runs'."""
    rate = {(r.db, r.result.target, r.result.run): r.result.requests_per_sec for r in runs}
    best_rate = {(r.db, r.result.target): r.result.requests_per_sec for r in best}
    for (kind, label), value in best_rate.items():
        target, _, suffix = label.partition("/")
        if not suffix.endswith("w") or (kind, target) not in best_rate:
            continue
        goal = SCALING_GOAL * int(suffix[:-1])
        rounds = sorted({r.result.run for r in runs if r.db == kind and r.result.target == label})
        each = [rate[kind, label, n] / rate[kind, target, n] for n in rounds if (kind, target, n) in rate]
        median = statistics.median(each)
        print(
            f"{kind:<11} {label}/{target} {median:.3f}  (goal >= {goal:g}: {'meets' if median >= goal else 'BELOW'}; "
            f"rounds {' '.join(f'{x:.2f}' for x in each)}, best runs {value / best_rate[kind, target]:.2f})"
        )


def run_json(run: HttpRun) -> dict[str, object]:
    return {
        "db": run.db,
        "created": run.created,
        "usage": run.usage and asdict(run.usage),
        **asdict(run.result),
    }


def run_http(args: argparse.Namespace) -> list[HttpRun]:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise http_bench.BenchError(http_bench.WRK_INSTALL)
    pin = f"server on CPU {args.server_cpus}, wrk on CPU {args.wrk_cpus}" if args.server_cpus else "no pinning"
    if args.worker_cpu:
        pin += f"; each worker in a cgroup of {args.worker_cpu:g} CPU"
    workers = " or ".join(map(str, args.workers))
    print(
        f"HTTP: {args.server}, {workers} worker(s), engine {args.engine}; wrk {args.threads} thread(s), "
        f"{args.connections} connections, {args.warmup:g}s warm-up + {args.duration:g}s; {pin}; "
        f"create: {args.bodies} bodies/run",
        flush=True,
    )
    print("load average before: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    busy = http_bench.cpu_busy()
    if busy is not None and busy > 10:
        print(f"warning: the CPUs are {busy:.0f}% busy before the run; other work on this machine skews the figures")
    # (target, workers) in turn; the bare floor keeps one worker
    plan = dict.fromkeys((t, 1 if t == "bare" else w) for t in args.targets for w in args.workers)
    runs: list[HttpRun] = []
    for kind in args.db:
        with (
            http_bench.temporary_database(kind) as db_url,
            tempfile.TemporaryDirectory(prefix="outbound-bench-") as tmp,
            ExitStack() as stack,
        ):
            if args.worker_cpu:  # this process and wrk (its child), and later the database's backends
                args.load_budget = stack.enter_context(cpu_quota.budget([os.getpid()]))
            prepare_http_store(db_url)
            for round_ in range(1, args.repeat + 1):  # interleaved: a disturbance hits one run, not a series
                for target, workers in plan:
                    label = f"  {kind:<10} {workers_label(target, workers):<6}"
                    label += f" (run {round_})" if args.repeat > 1 else ""
                    print(f"{label} ...", end=" ", flush=True)
                    run = bench_target(args, wrk, kind, target, db_url, Path(tmp), round_, workers)
                    extra = f" ({run.created} orders created)" if run.created is not None else ""
                    if run.usage is not None:
                        extra += f"\n      ({run.usage.describe(args.duration, run.result.requests)})"
                    print(f"{run.result.requests_per_sec:.1f} req/s{extra}", flush=True)
                    runs.append(run)
    print("load average after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    return runs


# ---------------------------------------------------------------------------------------------------------------
# In-process profile of MwsEndpoint.process


def run_profile(args: argparse.Namespace) -> None:
    """GetFulfillmentOrder and CreateFulfillmentOrder through ``MwsEndpoint.process`` in this process: timed, then
    profiled (each Create a new order, as over HTTP)."""
    host = "127.0.0.1:8000"
    n = args.profile
    for kind in args.db:
        with http_bench.temporary_database(kind) as db_url:
            prepare_http_store(db_url)
            ctx = Context.open(Settings(database_url=db_url, throttle=False, engine=False), migrate=False)
            endpoint = MwsEndpoint(ctx)
            try:
                prefix = f"P{uuid.uuid4().hex[:6]}-"
                calls: dict[str, Iterator[list[tuple[str, str]]]] = {
                    "GetFulfillmentOrder": itertools.repeat(collect(b"", get_body(host).encode())),
                    "CreateFulfillmentOrder": iter(
                        [collect(b"", create_body(host, f"{prefix}{k:07d}").encode()) for k in range(3 * n)]
                    ),
                }
                for action, pairs in calls.items():
                    for _ in range(n):  # warm-up
                        _process(endpoint, host, next(pairs))
                    samples = []
                    for _ in range(n):
                        began = time.perf_counter_ns()
                        _process(endpoint, host, next(pairs))
                        samples.append((time.perf_counter_ns() - began) / 1e3)
                    print(
                        f"\n{kind} {action}: MwsEndpoint.process median {statistics.median(samples):.0f} us, "
                        f"mean {statistics.fmean(samples):.0f} us over {n} calls (no HTTP, no cProfile)",
                        flush=True,
                    )
                    profiler = cProfile.Profile()
                    profiler.enable()
                    for _ in range(n):
                        _process(endpoint, host, next(pairs))
                    profiler.disable()
                    stats = pstats.Stats(profiler)
                    stats.sort_stats("tottime").print_stats(args.profile_top)
                    stats.sort_stats("cumulative").print_stats(args.profile_top)
            finally:
                ctx.close()


def _process(endpoint: MwsEndpoint, host: str, pairs: list[tuple[str, str]]) -> None:
    response = endpoint.process("POST", host, http_bench.PATH, pairs, str(uuid.uuid4()))
    if response.status != 200:
        raise http_bench.BenchError(f"in-process call answered {response.status}:\n{response.body!r}")


# ---------------------------------------------------------------------------------------------------------------
# Listing


@dataclass
class PageTiming:
    db: str
    orders: int
    page: str  # "first", "page 10", "middle"
    page_number: int
    fetches: int
    median_ms: float
    p99_ms: float
    mean_ms: float
    min_ms: float
    load_s: float


def percentile(sorted_values: list[float], share: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(share * len(sorted_values)) - 1))
    return sorted_values[index]


def token_for_page(db: Database, start: datetime, snapshot: datetime, page: int) -> str:
    """The NextToken that asks for ``page`` (1-based): the keyset of the last order of the page before it.

    Built from the store rather than by walking there (10,000 pages for the middle of a million orders); checked
    against a walked token on page 10."""
    skip = (page - 1) * listing.PAGE_SIZE - 1
    query = (
        select(orders_table.c.status_updated_at, orders_table.c.seller_order_id)
        .where(orders_table.c.seller_id == SELLER, orders_table.c.status_updated_at >= start)
        .order_by(orders_table.c.status_updated_at, orders_table.c.seller_order_id)
        .offset(skip)
        .limit(1)
    )
    with db.read() as conn:
        moment, last_id = conn.execute(query).one()
    return listing.Cursor(SELLER, start, snapshot, (moment, last_id), (), time.time()).encode()


def bench_listing(args: argparse.Namespace, kind: str, count: int) -> list[PageTiming]:
    spacing = timedelta(seconds=args.spacing)
    with http_bench.temporary_database(kind) as db_url:
        db = Database(db_url)
        try:
            db.migrate()
            add_seller(db, SELLER, ACCESS_KEY, SECRET_KEY)
            set_inventory(db, StockChange(SELLER, LIST_SKU, count, LIST_FC))
            snapshot = datetime.now(UTC).replace(microsecond=0)
            start = snapshot - spacing * count - timedelta(hours=1)
            print(f"  {kind:<10} {count:>9,} orders: loading ...", end=" ", flush=True)
            began = time.perf_counter()
            bulk_orders(db, SELLER, LIST_SKU, LIST_FC, count, start, prefix="L", spacing=spacing)
            if not db.is_sqlite:  # what autovacuum would do after a bulk load, done now rather than mid-measurement
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.execute(text("VACUUM ANALYZE"))
            load_s = time.perf_counter() - began
            print(f"{load_s:.1f}s", flush=True)
            pages = math.ceil(count / listing.PAGE_SIZE)
            middle = max(2, (pages + 1) // 2)
            # the middle of 1,000 orders is page 10; each name is measured at both sizes, so they compare
            targets = {"first": 1, "page 10": min(10, pages), "middle": middle}

            # page 10 walked, as a client would, to check the built tokens
            page = listing.list_all_fulfillment_orders(db, SELLER, start, (), snapshot)
            if [o.seller_order_id for o in page.orders[:1]] != ["L0000000"] or page.next_token is None:
                raise http_bench.BenchError(f"{kind}: the first page does not start at the first order")
            walked = page
            for _ in range(2, min(10, pages) + 1):
                assert walked.next_token is not None
                walked = listing.list_by_next_token(db, SELLER, walked.next_token)
            built = listing.list_by_next_token(db, SELLER, token_for_page(db, start, snapshot, min(10, pages)))
            if [o.seller_order_id for o in built.orders] != [o.seller_order_id for o in walked.orders]:
                raise http_bench.BenchError(f"{kind}: a built NextToken does not give the walked page")

            fetchers: dict[str, Callable[[], listing.Page]] = {}
            for name, number in targets.items():
                if number == 1:
                    fetchers[name] = lambda: listing.list_all_fulfillment_orders(db, SELLER, start, (), snapshot)
                else:
                    token = token_for_page(db, start, snapshot, number)
                    fetchers[name] = lambda token=token: listing.list_by_next_token(db, SELLER, token)
                expected = f"L{(number - 1) * listing.PAGE_SIZE:07d}"
                got = fetchers[name]()
                if len(got.orders) != min(listing.PAGE_SIZE, count - (number - 1) * listing.PAGE_SIZE):
                    raise http_bench.BenchError(f"{kind}: {name} has {len(got.orders)} orders")
                if got.orders[0].seller_order_id != expected:
                    raise http_bench.BenchError(f"{kind}: {name} starts at {got.orders[0].seller_order_id}")
            samples: dict[str, list[float]] = {name: [] for name in fetchers}
            for n in range(args.list_warmup + args.fetches):  # round robin: a disturbance hits every page alike
                for name, fetch in fetchers.items():
                    began_ns = time.perf_counter_ns()
                    fetch()
                    if n >= args.list_warmup:
                        samples[name].append((time.perf_counter_ns() - began_ns) / 1e6)
        finally:
            db.dispose()
    timings = []
    for name, values in samples.items():
        values.sort()
        timings.append(
            PageTiming(
                db=kind,
                orders=count,
                page=name,
                page_number=targets[name],
                fetches=len(values),
                median_ms=statistics.median(values),
                p99_ms=percentile(values, 0.99),
                mean_ms=statistics.fmean(values),
                min_ms=values[0],
                load_s=load_s,
            )
        )
        t = timings[-1]
        print(
            f"  {kind:<10} {count:>9,} orders  {name:<20} median {t.median_ms:.3f} ms  p99 {t.p99_ms:.3f} ms  "
            f"min {t.min_ms:.3f} ms",
            flush=True,
        )
    return timings


def print_listing(timings: list[PageTiming]) -> None:
    head = f"{'database':<11} {'orders':>10}  {'page':<8} {'number':>6} {'median ms':>10} {'p99 ms':>8}  vs smallest"
    print(head)
    print("-" * len(head))
    smallest = min(t.orders for t in timings)
    for t in timings:
        base = next((s for s in timings if s.db == t.db and s.orders == smallest and s.page == t.page), None)
        ratio = f"{t.median_ms / base.median_ms:.2f}x" if base is not None and t.orders != smallest else ""
        print(
            f"{t.db:<11} {t.orders:>10,}  {t.page:<8} {t.page_number:>6} {t.median_ms:>10.3f} {t.p99_ms:>8.3f}  {ratio}"
        )
    print("(goal: a page with 1 M orders in the store within 1.5x of the same page with 1 k)")


# ---------------------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", nargs="+", choices=DATABASES, default=list(DATABASES), help="databases (default both)")
    parser.add_argument("--only", choices=("http", "listing"), default=None, help="one part only (default both)")
    http = parser.add_argument_group("HTTP")
    http.add_argument(
        "--server", choices=http_bench.SERVERS, default="uvicorn", help="server software (default uvicorn)"
    )
    http.add_argument(
        "--engine", choices=("on", "off"), default="off", help="lifecycle engine inside the server (default off)"
    )
    http.add_argument("--duration", type=float, default=10, help="seconds of measured load per run (default 10)")
    http.add_argument("--warmup", type=float, default=2, help="seconds of unmeasured load first (default 2)")
    http.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    http.add_argument("--threads", type=int, default=1, help="wrk threads (default 1)")
    http.add_argument("--repeat", type=int, default=1, help="rounds per target; the best is reported (default 1)")
    http.add_argument(
        "--targets",
        nargs="+",
        default=list(TARGETS),
        help=f"what to load, in this order (default: {' '.join(TARGETS)}); TARGET{BASE} serves --base-src's code",
    )
    http.add_argument(
        "--base-src",
        type=Path,
        default=None,
        metavar="DIR",
        help="a source tree (its src/) whose code serves the TARGET@base targets: before and after in one run",
    )
    http.add_argument(
        "--workers",
        type=int,
        nargs="+",
        default=[1],
        help="worker processes of the real server (default 1; bare keeps one); several counts are run in turn",
    )
    http.add_argument(
        "--worker-cpu",
        type=float,
        default=None,
        metavar="CPUS",
        help="each worker process in a cgroup of its own limited to CPUS CPU (0.4, say; needs root; --pin off)",
    )
    http.add_argument("--bodies", type=int, default=60_000, help="pre-signed Create bodies per measured run (60,000)")
    http.add_argument(
        "--pin",
        choices=("on", "off"),
        default=None,
        help="taskset: server on the last CPU, wrk on the others (default on with 2+ CPUs, off with --worker-cpu)",
    )
    http.add_argument("--profile", type=int, default=0, metavar="N", help="profile N calls in-process, then stop")
    http.add_argument("--profile-top", type=int, default=25, help="rows of each cProfile table (default 25)")
    lst = parser.add_argument_group("listing")
    lst.add_argument("--orders-small", type=int, default=1_000, help="orders of the small store (default 1,000)")
    lst.add_argument("--orders-large", type=int, default=1_000_000, help="orders of the large store (1,000,000)")
    lst.add_argument("--quick", action="store_true", help="a large store of 100,000 orders")
    lst.add_argument("--spacing", type=float, default=1.0, help="seconds between two orders' timestamps (default 1)")
    lst.add_argument("--fetches", type=int, default=200, help="timed fetches of each page (default 200)")
    lst.add_argument("--list-warmup", type=int, default=20, help="untimed fetches of each page first (default 20)")
    parser.add_argument("--json", type=Path, default=None, metavar="PATH", help="also write the results as JSON")
    args = parser.parse_args(argv)
    if args.quick:
        args.orders_large = 100_000
    for target in args.targets:
        if target.removesuffix(BASE) not in TARGETS:
            parser.error(f"unknown target {target}: one of {', '.join(TARGETS)}, each optionally with {BASE}")
        if target.endswith(BASE) and args.base_src is None:
            parser.error(f"{target} needs --base-src")
    if "bare" not in args.targets:
        parser.error("the targets must include bare: every figure is a share of it")
    if args.repeat < 1 or args.bodies < 1 or args.fetches < 1:
        parser.error("--repeat, --bodies and --fetches must be at least 1")
    if args.orders_small < 2 * listing.PAGE_SIZE or args.orders_large < args.orders_small:
        parser.error(f"--orders-small must be at least {2 * listing.PAGE_SIZE} and --orders-large at least that")
    if args.duration + args.warmup > http_bench.SKEW_SECONDS - 120:
        parser.error("--duration plus --warmup must stay under 13 minutes: the pre-signed Timestamps expire at 15")
    if min(args.workers) < 1:
        parser.error("--workers must be at least 1")
    if args.worker_cpu is not None:
        if not 0.01 <= args.worker_cpu <= 1:
            parser.error("--worker-cpu is a share of one CPU, from 0.01 to 1")
        try:
            cpu_quota.probe()
        except cpu_quota.QuotaError as err:
            parser.error(f"--worker-cpu: {err}")
    if args.pin is None:
        args.pin = "on" if (os.cpu_count() or 1) >= 2 and args.worker_cpu is None else "off"
    args.server_cpus = args.wrk_cpus = None
    if args.pin == "on":
        if not shutil.which("taskset"):
            parser.error("--pin on needs taskset (util-linux); use --pin off")
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) < 2:
            parser.error("--pin on needs 2 CPUs; use --pin off")
        args.server_cpus, args.wrk_cpus = str(cpus[-1]), ",".join(map(str, cpus[:-1]))
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    command = " ".join([Path(sys.executable).name, *sys.argv]) if argv is None else f"main({argv!r})"
    print(f"$ {command}", flush=True)
    started = datetime.now(UTC)
    runs: list[HttpRun] = []
    timings: list[PageTiming] = []
    try:
        if args.profile:
            run_profile(args)
            return 0
        if args.only in (None, "http"):
            runs = run_http(args)
        if args.only in (None, "listing"):
            print(
                f"Listing: service calls, {args.fetches} fetches per page, orders {args.spacing:g}s apart", flush=True
            )
            for kind in args.db:
                for count in dict.fromkeys((args.orders_small, args.orders_large)):
                    timings += bench_listing(args, kind, count)
    except http_bench.BenchError as err:
        print(f"\nFAILED: {err}", file=sys.stderr)
        return 1
    best: list[HttpRun] = []
    ratios: dict[str, dict[str, float]] = {}
    if runs:
        best = best_runs(runs)
        ratios = ratios_of(best)
        print()
        print_http(runs, best, ratios)
    if timings:
        print()
        print_listing(timings)
    if args.json:
        document = {
            "started": started.isoformat(),
            "command": command,
            "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
            "versions": http_bench.versions(),
            "http": {
                "settings": {
                    "server": args.server,
                    "engine": args.engine,
                    "duration_s": args.duration,
                    "warmup_s": args.warmup,
                    "connections": args.connections,
                    "wrk_threads": args.threads,
                    "server_cpus": args.server_cpus,
                    "wrk_cpus": args.wrk_cpus,
                    "bodies": args.bodies,
                    "workers": args.workers,
                    "worker_cpu": args.worker_cpu,
                },
                "best": [run_json(r) for r in best],
                "runs": [run_json(r) for r in runs],
                "ratio_over_bare": ratios,
            },
            "listing": [asdict(t) for t in timings],
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(document, indent=2) + "\n")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
