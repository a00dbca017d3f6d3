"""Notification delivery latency: from the commit of a change to its arrival at a webhook, p50 and p99.

    .venv/bin/python bench/notify_bench.py --db sqlite --orders 300
    .venv/bin/python bench/notify_bench.py --db postgresql --orders 300

A seller subscribed to FULFILLMENT_ORDER_STATUS with a local webhook receiver (a threaded ``http.server``); the
delivery loop runs in its own thread as in ``outbound serve`` (default settings: it polls every 0.2 s when idle).
Orders are created one after another through the service layer, one every ``--gap`` seconds; each one's RECEIVED
notification is timed from the creating transaction's commit to the receiver's handler.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
from engine_bench import PG_ADMIN, SELLER, open_store

from outbound.domain.orders import Address
from outbound.service import notifications
from outbound.service.accounts import Caller, add_seller
from outbound.service.inventory import StockChange, set_inventory
from outbound.service.orders import CreateOrderRequest, ItemRequest, create_fulfillment_order


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--gap", type=float, default=0.02, help="seconds between orders")
    args = parser.parse_args()
    arrived: dict[str, float] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            now = time.perf_counter()
            order = __import__("json").loads(body)["Payload"]["FulfillmentOrderStatusNotification"]
            arrived.setdefault(order["SellerFulfillmentOrderId"], now)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *a: object) -> None:
            pass

    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    db, pg_name = open_store(args.db)
    try:
        db.migrate()
        add_seller(db, SELLER, "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        set_inventory(db, StockChange(SELLER, "TEA-1", args.orders + 10, "BFI4"))
        url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
        notifications.subscribe(db, SELLER, "FULFILLMENT_ORDER_STATUS", "webhook", url)
        runner = notifications.delivery_runner(db)
        runner.start()
        caller = Caller("AKIAIOSFODNN7EXAMPLE", SELLER, "ATVPDKIKX0DER")
        to = Address(
            {
                "Name": "Jane",
                "Line1": "1 Main St",
                "City": "Seattle",
                "StateOrProvinceCode": "WA",
                "CountryCode": "US",
                "PostalCode": "98144",
            }
        )
        committed: dict[str, float] = {}
        for n in range(args.orders):
            order_id = f"LAT-{n}"
            request = CreateOrderRequest(
                order_id,
                order_id,
                datetime.now(UTC),
                "bench",
                "Standard",
                to,
                (ItemRequest("TEA-1", f"{order_id}-1", 1),),
            )
            create_fulfillment_order(db, caller, request, datetime.now(UTC))
            committed[order_id] = time.perf_counter()
            time.sleep(args.gap)
        deadline = time.monotonic() + 60
        while len(arrived) < args.orders and time.monotonic() < deadline:
            time.sleep(0.05)
        runner.stop()
        ms = sorted((arrived[k] - committed[k]) * 1000 for k in committed if k in arrived)
        p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
        print(
            f"db={args.db} orders={args.orders} received={len(ms)} latency ms: p50={statistics.median(ms):.1f} "
            f"p99={p99:.1f} max={ms[-1]:.1f}"
        )
    finally:
        receiver.shutdown()
        db.dispose()
        if pg_name:
            from sqlalchemy import create_engine, text

            from outbound.store import Database

            admin = create_engine(Database(PG_ADMIN).url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
    return 0


if __name__ == "__main__":
    sys.exit(main())
