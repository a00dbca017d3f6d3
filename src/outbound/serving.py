"""What ``outbound serve`` does before the server starts: the demo if asked, the clock mode recorded in the store,
the metrics directory shared by several workers, and the banner that says which store and modes it runs with."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

from outbound import __version__, cli_ops
from outbound.config import Settings
from outbound.service import runtime
from outbound.service.demo import DEFAULT_ORDERS
from outbound.store import Database

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def prepare(db: Database, settings: Settings, *, server: str, host: str, port: int, workers: int, demo: bool) -> str:
    if demo:
        summary = cli_ops.load_demo(db, DEFAULT_ORDERS)
        cli_ops.print_demo(summary, db.public_url, host, port, serve_hint=False)
    runtime.record_clock_mode(db, settings.clock)
    if workers > 1 and not os.environ.get(MULTIPROC_ENV):
        _metrics_directory()
    return "\n".join(
        [
            f"Outbound {__version__} on http://{host}:{port}/FulfillmentOutboundShipment/2010-10-01",
            f"  store     {db.public_url}",
            f"  clock     {settings.clock}",
            f"  throttle  {runtime.throttle_backend(settings)}",
            f"  engine    {runtime.engine_mode(settings)}",
            f"  server    {server}, {workers} worker(s); logs {settings.log_format} at {settings.log_level}",
            f"  admin     {admin_access()}",
            f"  also      http://{host}:{port}/health  /metrics  /admin/openapi.json  /dashboard/",
        ]
    )


def admin_access() -> str:
    """Who the admin API and the dashboard answer, as the banner says it."""
    if os.environ.get("OUTBOUND_ADMIN_TOKEN"):
        return "bearer token required (OUTBOUND_ADMIN_TOKEN)"
    return "loopback clients only, no token (set OUTBOUND_ADMIN_TOKEN to require one and answer other hosts)"


def _metrics_directory() -> None:
    """Several worker processes: prometheus-client's multiprocess mode, each process writing its own files to one
    directory the scrape sums up. Removed when the server stops."""
    path = tempfile.mkdtemp(prefix="outbound-metrics-")
    os.environ[MULTIPROC_ENV] = path
    atexit.register(shutil.rmtree, path, True)
