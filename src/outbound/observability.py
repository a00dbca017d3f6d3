"""Metrics (Prometheus) and access logs for every request, and the logging set-up of a server process.

Per request the cost is kept to one counter increment, one histogram observation and, at ``info``, one log line:
the request path of the cheapest MWS operations takes a few hundred microseconds (``bench/README.md``). What the
store knows (orders by status, the engine's lag) is computed when ``/metrics`` is scraped, never per request.

An adapter tells this layer what a request was by setting ``scope["outbound.operation"]`` (MWS: the Action) and, for
a refusal, ``scope["outbound.error"]`` (the protocol's error code); the request id is read from the answer's
``x-mws-request-id`` or ``x-amzn-RequestId`` header. Only the path is logged, never the query string, the body or a
header: signatures, access keys and tokens travel there.

Several worker processes (``outbound serve --workers N``) write their figures to ``PROMETHEUS_MULTIPROC_DIR`` (which
``serve`` creates) and a scrape of any worker sums them all (prometheus-client's multiprocess mode).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

access = logging.getLogger("outbound.access")

MWS_PREFIX = "/FulfillmentOutboundShipment/"
SPAPI_PREFIX = "/fba/outbound/"
QUIET_PATHS = frozenset(("/health", "/metrics"))  # probed every few seconds: their lines go out at debug
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
THROTTLE_CODES = ("RequestThrottled", "QuotaExceeded", "429")  # MWS, SP-API, and a bare 429
STORE_FIGURES_TTL = 5.0  # seconds a scrape's store figures are reused: many scrapers cost one count


def protocol_of(path: str) -> str:
    if path.startswith(MWS_PREFIX):
        return "mws"
    if path.startswith(SPAPI_PREFIX):
        return "spapi"
    if path.startswith("/admin"):
        return "admin"
    return "http"


@dataclass(frozen=True, slots=True)
class OperationCounts:
    """One operation's calls since the server started, for the dashboard's overview."""

    operation: str
    calls: int
    throttled: int
    errors: int  # answered with an error other than throttling


class Metrics:
    """The request metrics of one app, and the collector that reads the store's figures at scrape time."""

    def __init__(self, store_figures: Callable[[], tuple[dict[str, int], float | None]] | None = None) -> None:
        self.multiprocess = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
        self.registry = CollectorRegistry(auto_describe=True)
        # in multiprocess mode every process writes its values to files; the scrape's registry reads them all
        owner = None if self.multiprocess else self.registry
        self.requests = Counter(
            "outbound_requests",
            "Requests answered, by protocol, operation and error code (none: a success).",
            ("protocol", "operation", "error_code"),
            registry=owner,
        )
        self.latency = Histogram(
            "outbound_request_duration_seconds",
            "Time to answer a request, by protocol and operation.",
            ("protocol", "operation"),
            buckets=LATENCY_BUCKETS,
            registry=owner,
        )
        self.throttled = Counter(
            "outbound_throttled_requests",
            "Requests refused by throttling (RequestThrottled / 429), by protocol and operation.",
            ("protocol", "operation"),
            registry=owner,
        )
        self.steps = Counter(
            "outbound_engine_steps", "Lifecycle steps applied by this server's engine.", registry=owner
        )
        self._children: dict[tuple[str, str, str], tuple[Any, Any]] = {}
        self._store = _StoreCollector(store_figures) if store_figures else None
        if self._store is not None:
            self.registry.register(self._store)

    def observe(self, protocol: str, operation: str, error: str, seconds: float) -> None:
        key = (protocol, operation, error)
        found = self._children.get(key)
        if found is None:  # labels() looks the child up under a lock: once per combination is enough
            found = (self.requests.labels(*key), self.latency.labels(protocol, operation))
            self._children[key] = found
        found[0].inc()
        found[1].observe(seconds)
        if error in THROTTLE_CODES:
            self.throttled.labels(protocol, operation).inc()

    def operation_counts(self, protocols: tuple[str, ...] = ("mws", "spapi")) -> list[OperationCounts]:
        """Calls per operation of the API protocols since the server started, from the same counters ``/metrics``
        exposes (all workers' with ``--workers N``): calls, throttled ones, and other errors."""
        calls: dict[str, int] = {}
        throttled: dict[str, int] = {}
        errors: dict[str, int] = {}
        for metric in self._request_metrics():
            for sample in metric.samples:
                labels = sample.labels
                if not sample.name.endswith("_total") or labels.get("protocol") not in protocols:
                    continue
                operation, value = labels["operation"], int(sample.value)
                if metric.name == "outbound_requests":
                    calls[operation] = calls.get(operation, 0) + value
                    if labels["error_code"] not in ("none", *THROTTLE_CODES):
                        errors[operation] = errors.get(operation, 0) + value
                elif metric.name == "outbound_throttled_requests":
                    throttled[operation] = throttled.get(operation, 0) + value
        return [
            OperationCounts(op, calls[op], throttled.get(op, 0), errors.get(op, 0)) for op in sorted(calls) if calls[op]
        ]

    def _request_metrics(self) -> list[Any]:
        if not self.multiprocess:
            return [*self.requests.collect(), *self.throttled.collect()]
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return [m for m in registry.collect() if m.name in ("outbound_requests", "outbound_throttled_requests")]

    def render(self) -> bytes:
        if not self.multiprocess:
            return generate_latest(self.registry)
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        if self._store is not None:
            registry.register(self._store)
        return generate_latest(registry)


class _StoreCollector(Collector):
    """Orders by status and the engine's lag, read from the store (through the service layer) when scraped."""

    def __init__(self, figures: Callable[[], tuple[dict[str, int], float | None]]) -> None:
        self.figures = figures
        self._cached: tuple[float, tuple[dict[str, int], float | None]] | None = None

    def describe(self) -> list[GaugeMetricFamily]:
        return []  # without it, registering would collect at once: a store read while the app is being built

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        now = time.monotonic()
        if self._cached is None or now - self._cached[0] > STORE_FIGURES_TTL:
            try:
                self._cached = (now, self.figures())
            except Exception:  # the store is away: /health says so; the scrape still answers the request metrics
                up = GaugeMetricFamily("outbound_store_up", "Whether the last scrape could read the store.")
                up.add_metric([], 0)
                yield up
                return
        by_status, lag = self._cached[1]
        up = GaugeMetricFamily("outbound_store_up", "Whether the last scrape could read the store.")
        up.add_metric([], 1)
        yield up
        orders = GaugeMetricFamily("outbound_orders", "Orders in the store by status.", labels=["status"])
        for status, count in sorted(by_status.items()):
            orders.add_metric([status], count)
        yield orders
        behind = GaugeMetricFamily(
            "outbound_engine_lag_seconds",
            "How long the oldest lifecycle step has been due on the service clock (0: nothing overdue).",
        )
        behind.add_metric([], max(0.0, lag or 0.0))
        yield behind


class Observed:
    """Wraps the whole app: times each HTTP request, counts it, and writes its access log line."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        access.disabled = False  # uvicorn's and granian's logging set-ups may disable the loggers they don't know

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        answer: dict[str, Any] = {}

        async def sent(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                answer["headers"] = message.get("headers")
            await send(message)

        try:
            await self.app(scope, receive, sent)
        finally:
            self.record(scope, answer, time.perf_counter() - began)

    def record(self, scope: Scope, answer: dict[str, Any], seconds: float) -> None:
        path = scope["path"]
        status = answer.get("status", 500)
        protocol = protocol_of(path)
        operation = scope.get("outbound.operation") or _route(scope)
        error = scope.get("outbound.error") or ("none" if status < 400 else str(status))
        self.metrics.observe(protocol, operation, error, seconds)
        level = logging.DEBUG if path in QUIET_PATHS else logging.INFO
        if access.isEnabledFor(level):
            request_id = _request_id(answer.get("headers") or ())
            access.log(
                level,
                "%s %s %s %s %.1fms %s",
                scope["method"],
                path,
                operation,
                status,
                seconds * 1000,
                request_id or "-",
                extra={
                    "http": {
                        "method": scope["method"],
                        "path": path,
                        "protocol": protocol,
                        "operation": operation,
                        "status": status,
                        "error_code": None if error == "none" else error,
                        "duration_ms": round(seconds * 1000, 3),
                        "request_id": request_id,
                    }
                },
            )


def _route(scope: Scope) -> str:
    """A non-MWS request's operation: the route's path template (bounded label values), else the method."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    return f"{scope['method']} {template}" if isinstance(template, str) else scope["method"]


def _request_id(headers: Any) -> str | None:
    for key, value in headers:
        if key in (b"x-mws-request-id", b"x-amzn-requestid"):
            return str(value.decode("latin-1"))
    return None


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, and an access line's fields under ``http``."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        http = getattr(record, "http", None)
        if http is not None:
            line["http"] = http
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, separators=(",", ":"))


def configure_logging(log_format: str, level: str) -> None:
    """Our loggers' lines to stderr, as text or JSON; called once per server process."""
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger("outbound")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False
