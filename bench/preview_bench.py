"""GetFulfillmentPreview cost: the service call timed directly, and optionally req/s over HTTP with wrk.

The order: 10 lines (10 SKUs of different sizes, 1-3 units each), previewed at the 3 US speeds (the default when no
speed is requested) for a Seattle address, with every SKU stocked in every US fulfillment center. Two stock layouts:

* ``nearest``: each center holds plenty of every SKU, so the nearest center ships everything (one shipment);
* ``split``: each center holds 2 units of each SKU (and only 6 of the 10 SKUs), so the order needs several centers.

The service figure is ``outbound.service.preview.get_fulfillment_preview`` called in a loop (its database read
included: stock, SKUs, marketplaces), median and p99 over ``--iterations`` calls after a warm-up. ``--http`` also runs
``outbound serve`` (granian, one worker, throttling off) and loads it with wrk using one pre-signed request, as
``bench/http_bench.py`` does. ``--profile`` prints the top costs of the service call (cProfile). See
``bench/README.md``.

    .venv/bin/python bench/preview_bench.py [--db sqlite|postgresql] [--iterations 3000] [--http] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import shutil
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import http_bench  # bench/http_bench.py: temporary databases, the server, wrk

from outbound.domain.orders import Address
from outbound.domain.world import WORLD
from outbound.mws import signing
from outbound.service import inventory as stock
from outbound.service.accounts import Caller, add_seller
from outbound.service.orders import ItemRequest
from outbound.service.preview import PreviewRequest, get_fulfillment_preview
from outbound.sim.bulk import ADDRESS  # the Seattle address bulk orders go to
from outbound.store import Database

SELLER, ACCESS_KEY, SECRET_KEY = http_bench.SELLER, http_bench.ACCESS_KEY, http_bench.SECRET_KEY
US = "ATVPDKIKX0DER"
# 10 SKUs: (weight lb, L x W x H in): small standard, large standard (package and dimensional), bulky
SKUS = [
    ("0.3", "8x6x0.5"),
    ("0.85", "5x4.5x4"),
    ("0.3", "8x5x1.39"),
    ("1.6", "10x8x3"),
    ("0.2", "10x8x4"),
    ("4.0", "14x10x6"),
    ("12.5", "18x14x8"),
    ("0.6", "12x9x0.7"),
    ("25", "30x20x12"),
    ("2.2", "9x9x9"),
]
QUANTITIES = [1, 2, 3, 1, 2, 3, 1, 2, 3, 1]
LAYOUTS = ("nearest", "split")


@dataclass
class Timing:
    db: str
    layout: str
    iterations: int
    shipments: int
    median_ms: float
    p99_ms: float
    mean_ms: float
    min_ms: float


def us_centers() -> list[str]:
    return sorted(c.code for c in WORLD.centers.values() if c.country == "US")


def stock_layout(db: Database, layout: str) -> None:
    """Every SKU in every US center: 50 units each (``nearest``), or 2 units of 6 SKUs out of 10 (``split``)."""
    centers = us_centers()
    for n, (weight, dims) in enumerate(SKUS):
        sku = f"BENCH-{n + 1:02d}"
        for k, fc in enumerate(centers):
            quantity = 50 if layout == "nearest" else (2 if (n + k) % 10 < 6 else 0)
            change = stock.StockChange(SELLER, sku, quantity, fc, Decimal(weight), stock.parse_dimensions(dims))
            stock.set_inventory(db, change)


def request() -> PreviewRequest:
    items = tuple(ItemRequest(f"BENCH-{n + 1:02d}", f"line-{n + 1}", q) for n, q in enumerate(QUANTITIES))
    return PreviewRequest(Address(dict(ADDRESS)), items)  # no speed: the 3 US speeds


def percentile(sorted_values: list[float], share: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(share * len(sorted_values)) - 1))
    return sorted_values[index]


def time_service(db: Database, kind: str, layout: str, iterations: int, warmup: int) -> Timing:
    caller = Caller(ACCESS_KEY, SELLER, US)
    preview_request = request()
    now = datetime.now(UTC)
    previews = get_fulfillment_preview(db, caller, preview_request, now)
    if len(previews) != 3 or not all(p.is_fulfillable for p in previews):
        raise http_bench.BenchError(f"the benchmark order is not fulfillable: {previews}")
    for _ in range(warmup):
        get_fulfillment_preview(db, caller, preview_request, now)
    samples = []
    clock = time.perf_counter_ns
    for _ in range(iterations):
        start = clock()
        get_fulfillment_preview(db, caller, preview_request, now)
        samples.append((clock() - start) / 1e6)
    samples.sort()
    return Timing(
        db=kind,
        layout=layout,
        iterations=iterations,
        shipments=len(previews[0].shipments),
        median_ms=statistics.median(samples),
        p99_ms=percentile(samples, 0.99),
        mean_ms=statistics.fmean(samples),
        min_ms=samples[0],
    )


def profile_service(db: Database, iterations: int, top: int) -> None:
    caller = Caller(ACCESS_KEY, SELLER, US)
    preview_request = request()
    now = datetime.now(UTC)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(iterations):
        get_fulfillment_preview(db, caller, preview_request, now)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


# ---------------------------------------------------------------------------------------------------------------
# HTTP


def signed_body(host: str) -> str:
    params = {
        "AWSAccessKeyId": ACCESS_KEY,
        "Action": "GetFulfillmentPreview",
        "SellerId": SELLER,
        "SignatureMethod": "HmacSHA256",
        "SignatureVersion": "2",
        "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": "2010-10-01",
        **{f"Address.{k}": v for k, v in ADDRESS.items()},
    }
    for n, quantity in enumerate(QUANTITIES, 1):
        params[f"Items.member.{n}.SellerSKU"] = f"BENCH-{n:02d}"
        params[f"Items.member.{n}.SellerFulfillmentOrderItemId"] = f"line-{n}"
        params[f"Items.member.{n}.Quantity"] = str(quantity)
    message = signing.string_to_sign("POST", host, http_bench.PATH, params.items())
    params["Signature"] = signing.sign(SECRET_KEY, message)
    return "&".join(f"{signing.encode(k)}={signing.encode(v)}" for k, v in params.items())


def preflight(port: int, host: str, body: str) -> None:
    """One request by hand: three fulfillable previews, or the load figures would be meaningless."""
    request = urllib.request.Request(
        f"http://{http_bench.HOST}:{port}{http_bench.PATH}",
        data=body.encode("ascii"),
        headers={"Content-Type": http_bench.CONTENT_TYPE, "Host": host},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        raise http_bench.BenchError(f"HTTP {err.code}:\n{err.read().decode('utf-8', 'replace')}") from err
    if text.count("<IsFulfillable>true</IsFulfillable>") != 3:
        raise http_bench.BenchError(f"not three fulfillable previews:\n{text}")


def bench_http(args: argparse.Namespace, db_url: str, work: Path) -> http_bench.Result:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise http_bench.BenchError(http_bench.WRK_INSTALL)
    port = http_bench.free_port()
    host = f"{http_bench.HOST}:{port}"
    with http_bench.running_server("granian", "real", port, db_url, args.server_cpus, work):
        body = signed_body(host)
        preflight(port, host, body)
        script = work / "preview.lua"
        script.write_text(http_bench.lua_script(host, body))
        url = f"http://{host}{http_bench.PATH}"
        if args.warmup_seconds > 0:
            http_bench.run_wrk(wrk, url, script, args.warmup_seconds, args.connections, 1, args.wrk_cpus)
        output = http_bench.run_wrk(wrk, url, script, args.duration, args.connections, 1, args.wrk_cpus)
    result = http_bench.parse_wrk(output, "granian", "preview")
    if result.non_2xx or result.requests == 0:
        raise http_bench.BenchError(f"{result.non_2xx} non-2xx answers of {result.requests}:\n{output}")
    return result


# ---------------------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite", help="database (default sqlite)")
    parser.add_argument("--iterations", type=int, default=3000, help="timed service calls per layout (default 3000)")
    parser.add_argument("--warmup", type=int, default=300, help="untimed service calls first (default 300)")
    parser.add_argument("--layouts", nargs="+", choices=LAYOUTS, default=list(LAYOUTS), help="stock layouts")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top costs of the service call")
    parser.add_argument("--http", action="store_true", help="also measure req/s over HTTP with wrk (layout nearest)")
    parser.add_argument("--duration", type=float, default=10, help="wrk seconds (default 10)")
    parser.add_argument("--warmup-seconds", type=float, default=2, help="wrk warm-up seconds (default 2)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    parser.add_argument("--json", type=Path, default=None, metavar="PATH", help="also write the results as JSON")
    args = parser.parse_args(argv)
    args.server_cpus = args.wrk_cpus = None
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if args.http and len(cpus) >= 2 and shutil.which("taskset"):
        args.server_cpus, args.wrk_cpus = str(cpus[-1]), ",".join(map(str, cpus[:-1]))
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"GetFulfillmentPreview: 10 lines, 3 speeds, {len(us_centers())} US centers; database {args.db}", flush=True)
    timings: list[Timing] = []
    http_result: http_bench.Result | None = None
    try:
        for layout in args.layouts:
            with http_bench.temporary_database(args.db) as db_url:
                db = Database(db_url)
                db.migrate()
                add_seller(db, SELLER, ACCESS_KEY, SECRET_KEY)
                try:
                    stock_layout(db, layout)
                    timing = time_service(db, args.db, layout, args.iterations, args.warmup)
                    timings.append(timing)
                    print(
                        f"  service {layout:<8} {timing.shipments} shipment(s)/preview: "
                        f"median {timing.median_ms:.3f} ms"
                        f"  p99 {timing.p99_ms:.3f} ms  mean {timing.mean_ms:.3f} ms  min {timing.min_ms:.3f} ms"
                        f"  ({timing.iterations} calls)",
                        flush=True,
                    )
                    if args.profile:
                        profile_service(db, max(200, args.iterations // 5), 25)
                    if args.http and layout == "nearest":
                        with tempfile.TemporaryDirectory(prefix="outbound-bench-") as tmp:
                            http_result = bench_http(args, db_url, Path(tmp))
                        print(
                            f"  http    {layout:<8} granian, 1 worker, {args.connections} connections: "
                            f"{http_result.requests_per_sec:.1f} req/s  p50 {http_result.p50_ms:.2f} ms  "
                            f"p99 {http_result.p99_ms:.2f} ms",
                            flush=True,
                        )
                finally:
                    db.dispose()
    except http_bench.BenchError as err:
        print(f"\nFAILED: {err}", file=sys.stderr)
        return 1
    if args.json:
        document = {
            "started": datetime.now(UTC).isoformat(),
            "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
            "versions": http_bench.versions(),
            "service": [asdict(t) for t in timings],
            "http": asdict(http_result) if http_result else None,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(document, indent=2) + "\n")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
