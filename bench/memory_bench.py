"""The server's memory over a big store: RSS while every listing page is fetched and while random orders are read.

A fresh store (SQLite by default) gets one seller and ``--orders`` one-line orders bulk-loaded (``sim/bulk.py``,
one second apart, ending a minute ago); ``outbound serve --throttle off --workers 1`` serves it; then, one request
at a time over HTTP, ListAllFulfillmentOrders from the first order and ListAllFulfillmentOrdersByNextToken to the
last page, then ``--gets`` GetFulfillmentOrder calls of random orders. The server's resident set (``VmRSS`` of its
process and any children, from ``/proc``) is sampled every ``--every`` requests. The goal: under ``--limit`` MB
(150) at every sample; the script exits 1 otherwise.

    .venv/bin/python bench/memory_bench.py                       # 1,000,000 orders, SQLite
    .venv/bin/python bench/memory_bench.py --orders 200000 --json memory.json
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import http_bench  # bench/http_bench.py: temporary databases, servers, signing
import httpx

from outbound.service.accounts import add_seller
from outbound.service.inventory import StockChange, set_inventory
from outbound.sim.bulk import bulk_orders
from outbound.store import Database

SKU = "MEM-SKU-1"
FC = "BFI4"
PREFIX = "MEM-"
_NEXT = re.compile(r"<NextToken>([^<]*)</NextToken>")
_MEMBER = re.compile(r"<SellerFulfillmentOrderId>")


def rss_kb(pid: int) -> int:
    """VmRSS of ``pid`` and its descendants, in kB (a worker supervisor's children count too)."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except FileNotFoundError:
            continue
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        total += int(match.group(1)) if match else 0
        for task in Path(f"/proc/{current}/task").iterdir():
            children = (task / "children").read_text().split()
            pending.extend(int(c) for c in children)
    return total


def build_store(db_url: str, orders: int) -> datetime:
    """One seller, its SKU stocked, ``orders`` orders one second apart; returns the first order's time."""
    db = Database(db_url)
    db.migrate()
    add_seller(db, http_bench.SELLER, http_bench.ACCESS_KEY, http_bench.SECRET_KEY)
    set_inventory(db, StockChange(http_bench.SELLER, SKU, orders + 10, FC))
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=orders + 60)
    bulk_orders(db, http_bench.SELLER, SKU, FC, orders, start, prefix=PREFIX, spacing=timedelta(seconds=1))
    db.dispose()
    return start


def signed(host: str, action: str, params: dict[str, str]) -> str:
    return http_bench.signed_body(host, action, params)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--gets", type=int, default=10_000)
    parser.add_argument("--every", type=int, default=200, help="requests between two RSS samples (default 200)")
    parser.add_argument("--limit", type=float, default=150.0, help="MB the RSS must stay under (default 150)")
    parser.add_argument("--server", choices=http_bench.SERVERS, default="uvicorn")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    command = " ".join([Path(sys.executable).name, *(sys.argv if argv is None else ["bench/memory_bench.py", *argv])])
    print(f"$ {command}", flush=True)
    samples: list[dict[str, object]] = []
    with http_bench.temporary_database(args.db) as db_url, tempfile.TemporaryDirectory(prefix="outbound-mem-") as tmp:
        began = time.monotonic()
        start = build_store(db_url, args.orders)
        print(f"store: {args.orders:,} orders loaded in {time.monotonic() - began:.0f} s", flush=True)
        port = http_bench.free_port()
        host = f"{http_bench.HOST}:{port}"
        cmd = [*http_bench.outbound_command(), "serve", "--host", http_bench.HOST, "--port", str(port)]
        cmd += ["--db", db_url, "--workers", "1", "--throttle", "off", "--server", args.server]
        log_path = Path(tmp) / "server.log"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                cmd,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**http_bench.clean_env(), "OUTBOUND_ENGINE": "off"},
                start_new_session=True,
            )
        try:
            http_bench.wait_ready(proc, port, "/health", log_path)
            url = f"http://{host}{http_bench.PATH}"
            headers = {"content-type": http_bench.CONTENT_TYPE}
            requests = 0

            def sample(phase: str, done: int) -> None:
                rss = rss_kb(proc.pid) / 1024
                samples.append({"phase": phase, "requests": done, "rss_mb": round(rss, 1)})

            sample("idle", 0)
            seen = 0
            pages = 0
            with httpx.Client(timeout=60) as client:
                params = {"QueryStartDateTime": start.strftime("%Y-%m-%dT%H:%M:%SZ")}
                answer = client.post(url, content=signed(host, "ListAllFulfillmentOrders", params), headers=headers)
                listed = time.monotonic()
                while True:
                    if answer.status_code != 200:
                        raise SystemExit(f"listing page {pages + 1}: HTTP {answer.status_code}\n{answer.text}")
                    pages += 1
                    requests += 1
                    seen += len(_MEMBER.findall(answer.text))
                    if requests % args.every == 0:
                        sample("listing", requests)
                    found = _NEXT.search(answer.text)
                    if found is None:
                        break
                    token = {"NextToken": html.unescape(found.group(1))}
                    body = signed(host, "ListAllFulfillmentOrdersByNextToken", token)
                    answer = client.post(url, content=body, headers=headers)
                sample("listing", requests)
                listing_s = time.monotonic() - listed
                print(f"listing: {pages:,} pages, {seen:,} orders in {listing_s:.0f} s", flush=True)
                if seen != args.orders:
                    raise SystemExit(f"the listing gave {seen:,} orders, the store holds {args.orders:,}")
                rng = random.Random(1)
                got = time.monotonic()
                for n in range(1, args.gets + 1):
                    params = {"SellerFulfillmentOrderId": f"{PREFIX}{rng.randrange(args.orders):07d}"}
                    answer = client.post(url, content=signed(host, "GetFulfillmentOrder", params), headers=headers)
                    if answer.status_code != 200:
                        raise SystemExit(f"GetFulfillmentOrder: HTTP {answer.status_code}\n{answer.text}")
                    requests += 1
                    if n % args.every == 0:
                        sample("get", requests)
                gets_s = time.monotonic() - got
                print(f"gets: {args.gets:,} random orders in {gets_s:.0f} s", flush=True)
        finally:
            http_bench.stop(proc)
    peak = max(float(str(s["rss_mb"])) for s in samples)
    print(f"\n{'phase':8} {'requests':>9} {'RSS MB':>8}")
    shown = [s for n, s in enumerate(samples) if n % max(1, len(samples) // 25) == 0 or n == len(samples) - 1]
    for s in shown:
        print(f"{s['phase']!s:8} {s['requests']!s:>9} {s['rss_mb']!s:>8}")
    verdict = "meets" if peak < args.limit else "ABOVE"
    print(f"\npeak RSS {peak:.1f} MB over {len(samples)} samples (goal < {args.limit:.0f} MB: {verdict})")
    if args.json is not None:
        args.json.write_text(json.dumps({"command": command, "orders": args.orders, "samples": samples}, indent=1))
    return 0 if peak < args.limit else 1


if __name__ == "__main__":
    sys.exit(main())
