"""The real Outbound service inside a test process: the ASGI app on uvicorn, in a thread, on a private store.

A test suite talks to it over real HTTP with any client (our SDK, python-amazon-mws, boto, its own code), and steers
it in-process: stock, scenarios and the virtual clock go straight to the service layer, without a round trip.
"""

from __future__ import annotations

import os
import secrets
import socket
import string
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import TracebackType
from typing import Any

import httpx
import uvicorn

from outbound.app import SECTION_PATH, create_app
from outbound.client import AdminClient, OutboundClient
from outbound.config import Settings
from outbound.context import Context
from outbound.mws import throttle as throttling
from outbound.service import fixture_stores, scenarios, simulation
from outbound.service.accounts import US_MARKETPLACE
from outbound.service.inventory import StockChange, parse_dimensions, set_inventory
from outbound.sim.clock import VirtualClock
from outbound.sim.engine import Engine, parse_duration
from outbound.spapi.token import TOKEN_PATH
from outbound.store import Database

_UPPER = string.ascii_uppercase + string.digits
_SECRET = string.ascii_letters + string.digits + "/+"
Number = int | float | Decimal | str


def _token(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


class _SharedTransport(httpx.BaseTransport):
    """One connection pool for every client the handle makes: an ``httpx.Client`` of its own costs milliseconds
    (TLS context, pool), and a test makes several. Closing a client leaves the pool to the server handle."""

    def __init__(self) -> None:
        self.pool = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.pool.handle_request(request)

    def close(self) -> None:
        pass  # the server handle closes the pool when it stops


@dataclass
class Seller:
    """A seller on the test server with MWS and SP-API credentials of its own (no other seller sees its data).

    The SP-API ones: the Login with Amazon application's client id and secret (one application for the whole
    server, shared by its sellers), the seller's own refresh token for it, and the token endpoint. They are
    ``str | None`` only for code written before the SP-API surface; the handle fills them for every seller."""

    server: OutboundServer = field(repr=False)
    seller_id: str
    access_key: str
    secret_key: str
    marketplace_id: str
    lwa_client_id: str | None = None
    lwa_client_secret: str | None = None
    refresh_token: str | None = None
    token_url: str | None = None

    def spapi_credentials(self) -> dict[str, str]:
        """The SP-API credentials under the names python-amazon-sp-api's ``credentials=`` takes (``refresh_token``,
        ``lwa_app_id``, ``lwa_client_secret``); the token endpoint is :attr:`token_url`."""
        if self.lwa_client_id is None or self.lwa_client_secret is None or self.refresh_token is None:
            raise RuntimeError(f"seller {self.seller_id} has no SP-API credentials")
        return {
            "refresh_token": self.refresh_token,
            "lwa_app_id": self.lwa_client_id,
            "lwa_client_secret": self.lwa_client_secret,
        }

    def client(self, **options: Any) -> OutboundClient:
        """Our SDK, signed as this seller; closed by the next :meth:`OutboundServer.reset` if not before."""
        return self.server._client(self, **options)

    def stock(
        self,
        sku: str,
        quantity: int,
        *,
        weight: Number | None = None,
        dimensions: str | tuple[Number, Number, Number] | None = None,
        center: str | None = None,
        category: str | None = None,
    ) -> None:
        """Set the sellable units of ``sku``: at ``center`` (a code such as ``BFI4``), or spread over the seller's
        marketplace; ``weight`` in pounds, ``dimensions`` in inches (``"8x5x3"`` or three numbers), ``category``
        chooses the return reason codes (see ``outbound inventory set``)."""
        dims = None
        if dimensions is not None:
            dims = parse_dimensions(dimensions if isinstance(dimensions, str) else "x".join(map(str, dimensions)))
        change = StockChange(
            self.seller_id,
            sku,
            quantity,
            center,
            Decimal(str(weight)) if weight is not None else None,
            dims,
            category,
        )
        set_inventory(self.server.db, change)

    def scenario(self, kind: str, *, order_id: str | None = None, times: int | None = None, **params: Any) -> int:
        """Steer the simulation (README "Time travel"): ``fault`` (``action``, ``code``), ``package``
        (``outcome``), ``force_status`` (``status``), ``speed`` (``multiplier``), ``hold_shipment``, ``return``
        (``condition``, ``arrives``); for one order or, without ``order_id``, every order of the seller. ``times``
        makes a fault fire that many times. Returns the scenario's id for :meth:`remove_scenario`."""
        return scenarios.add_and_wake(
            self.server.db,
            VirtualClock(self.server.db),
            self.seller_id,
            kind,
            params,
            seller_order_id=order_id,
            remaining=times,
        )

    def remove_scenario(self, scenario_id: int) -> bool:
        return scenarios.remove(self.server.db, scenario_id) > 0


class OutboundServer:
    """The service on a free loopback port with its own store, virtual clock and, at first, throttling off.

    Use it through :func:`server` (a context manager), :class:`outbound.testing.OutboundTestCase` or the pytest
    fixture ``outbound``. After :meth:`start` and every :meth:`reset` it has one ready seller, whose credentials
    and helpers it offers directly (``seller_id``, ``client()``, ``stock()``, ``scenario()``...).
    """

    path = SECTION_PATH

    def __init__(self, database: str | None = None, *, throttle: bool = False, start: datetime | None = None) -> None:
        """``database``: None for a temporary SQLite file, or a PostgreSQL server URL, on which a private database
        is created for this server and dropped when it stops. ``start``: where the virtual clock starts at each
        reset (default: the wall-clock time then)."""
        self.database = database
        self.throttle = throttle
        self.start_at = start
        self.url = ""
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._private: str | None = None
        self._db: Database | None = None
        self._ctx: Context | None = None
        self._uvicorn: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._transport: _SharedTransport | None = None
        self._clients: list[OutboundClient | AdminClient] = []
        self._seller: Seller | None = None
        self._app = fixture_stores.new_app()  # the LWA application of every seller, re-registered at each reset

    # ----------------------------------------------------------------------------------------------- lifetime

    def start(self) -> OutboundServer:
        """Open the store, migrate it, serve, and register the ready seller; on any failure, undo all of it."""
        try:
            url = self._open_store()
            self._db = Database(url)
            self._db.migrate()
            settings = Settings(database_url=url, clock="virtual", throttle=self.throttle, engine=False)
            self._ctx = Context(settings, self._db, throttling.build(self.throttle, None), VirtualClock(self._db))
            self._transport = _SharedTransport()
            self._serve(create_app(ctx=self._ctx))
            self.reset()
        except BaseException:
            self.stop()
            raise
        return self

    def _open_store(self) -> str:
        if self.database is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="outbound-test-")
            return f"sqlite:///{os.path.join(self._tmp.name, 'outbound.db')}"
        if not self.database.startswith(("postgresql:", "postgres:", "postgresql+psycopg:")):
            # a SQLite file of one's own would be emptied at every reset: the SQLite store is always temporary
            raise ValueError(f"the test server's database is a PostgreSQL server URL, not {self.database!r}")
        self._private, url = fixture_stores.private_database(self.database)
        return url

    def _serve(self, app: Any) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))  # uvicorn serves this socket: no race for a port picked beforehand
        port = sock.getsockname()[1]
        config = uvicorn.Config(
            app, log_level="warning", access_log=False, lifespan="off", date_header=False, server_header=False
        )
        self._uvicorn = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._uvicorn.run, kwargs={"sockets": [sock]}, name="outbound-test-server", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._uvicorn.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self._socket = sock  # start() stops what there is
                raise RuntimeError("the Outbound test server did not start")
            time.sleep(0.005)
        self._socket = sock  # asyncio's loop serves this very socket (uvloop a duplicate): closed at stop
        self.url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        """Stop serving and remove everything: the thread, the connections, the temporary store or database."""
        self._close_clients()
        if self._uvicorn is not None and self._thread is not None:
            self._uvicorn.should_exit = True
            self._thread.join(timeout=15)
        self._uvicorn = self._thread = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        if self._transport is not None:
            self._transport.pool.close()
            self._transport = None
        if self._db is not None:
            self._db.dispose()
            self._db = self._ctx = None
        if self._private is not None and self.database is not None:
            fixture_stores.drop_private_database(self.database, self._private)
            self._private = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    close = stop

    def __enter__(self) -> OutboundServer:
        return self.start() if self._thread is None else self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # ----------------------------------------------------------------------------------------------- state

    @property
    def db(self) -> Database:
        if self._db is None:
            raise RuntimeError("the Outbound test server is not running (use it as a context manager)")
        return self._db

    def reset(
        self, *, throttle: bool | None = None, marketplace: str | None = None, start: datetime | None = None
    ) -> OutboundServer:
        """A fresh start in milliseconds: the store emptied in one transaction (orders, stock, sellers,
        scenarios, service status), the virtual clock restarted, throttle buckets refilled, clients from
        :meth:`client` closed, and a new ready seller with new credentials."""
        self._close_clients()
        fixture_stores.reset(self.db, start or self.start_at, self._app)
        if self._ctx is not None:
            on = self.throttle if throttle is None else throttle
            self._ctx.throttle = throttling.MemoryThrottle() if on else throttling.Unthrottled()
        self._seller = self.new_seller(marketplace)
        return self

    def new_seller(self, marketplace: str | None = None) -> Seller:
        """Another seller with its own credentials, MWS and SP-API (marketplace: US unless given), e.g. to test
        isolation. Its refresh token is its own; the LWA application is the server's."""
        seller = Seller(
            self,
            seller_id="A" + _token(_UPPER, 13),
            access_key="AKIA" + _token(_UPPER, 16),
            secret_key=_token(_SECRET, 40),
            marketplace_id=marketplace or US_MARKETPLACE,
            lwa_client_id=self._app.client_id,
            lwa_client_secret=self._app.client_secret,
            token_url=f"{self.url}{TOKEN_PATH}",
        )
        seller.refresh_token = fixture_stores.add_seller(
            self.db, seller.seller_id, seller.access_key, seller.secret_key, seller.marketplace_id, self._app
        )
        return seller

    @property
    def seller(self) -> Seller:
        """The ready seller (new at every reset)."""
        if self._seller is None:
            raise RuntimeError("the Outbound test server is not running (use it as a context manager)")
        return self._seller

    # the ready seller's credentials and helpers, at the top level for brevity
    @property
    def seller_id(self) -> str:
        return self.seller.seller_id

    @property
    def access_key(self) -> str:
        return self.seller.access_key

    @property
    def secret_key(self) -> str:
        return self.seller.secret_key

    @property
    def marketplace_id(self) -> str:
        return self.seller.marketplace_id

    @property
    def lwa_client_id(self) -> str | None:
        return self.seller.lwa_client_id

    @property
    def lwa_client_secret(self) -> str | None:
        return self.seller.lwa_client_secret

    @property
    def refresh_token(self) -> str | None:
        return self.seller.refresh_token

    @property
    def token_url(self) -> str | None:
        return self.seller.token_url

    def spapi_credentials(self) -> dict[str, str]:
        """The ready seller's SP-API credentials for python-amazon-sp-api (see :meth:`Seller.spapi_credentials`)."""
        return self.seller.spapi_credentials()

    def client(self, **options: Any) -> OutboundClient:
        """Our SDK for the ready seller (see :meth:`Seller.client`)."""
        return self.seller.client(**options)

    def stock(self, sku: str, quantity: int, **attributes: Any) -> None:
        """Stock for the ready seller (see :meth:`Seller.stock`)."""
        self.seller.stock(sku, quantity, **attributes)

    def scenario(self, kind: str, *, order_id: str | None = None, times: int | None = None, **params: Any) -> int:
        """A scenario for the ready seller (see :meth:`Seller.scenario`)."""
        return self.seller.scenario(kind, order_id=order_id, times=times, **params)

    def remove_scenario(self, scenario_id: int) -> bool:
        return self.seller.remove_scenario(scenario_id)

    def admin(self) -> AdminClient:
        """The admin API over HTTP (what a suite outside this process would use); closed by the next reset.

        Its clock moves run as the server's do: a jump over more than 5,000 due steps may start engine helper
        processes for its length (they end with it). :meth:`advance` never starts them."""
        client = AdminClient(self.url, token=os.environ.get("OUTBOUND_ADMIN_TOKEN"), http=self._http())
        self._clients.append(client)
        return client

    # ----------------------------------------------------------------------------------------------- clock

    def now(self) -> datetime:
        """The service clock."""
        return VirtualClock(self.db).now()

    def advance(self, duration: str | timedelta) -> datetime:
        """Move the clock forward (``"90m"``, ``"3d"``, ``"1d12h"`` or a ``timedelta``), applying every step that
        falls due on the way, for every seller; the new time."""
        by = parse_duration(duration) if isinstance(duration, str) else duration
        return simulation.advance(self.db, by, self._engine()).now

    def set_clock(self, when: datetime | str) -> datetime:
        """Move the clock forward to ``when`` (an aware datetime or an ISO 8601 instant); the new time."""
        moment = datetime.fromisoformat(when.replace("Z", "+00:00")) if isinstance(when, str) else when
        if moment.tzinfo is None:
            raise ValueError("give the clock an aware datetime (e.g. with tzinfo=UTC)")
        return simulation.set_to(self.db, moment.astimezone(UTC), self._engine()).now

    def _engine(self) -> Engine:
        # no helper processes: a test's clock moves are small, and a suite must leave no process behind
        return Engine(self.db, helpers=0)

    # ----------------------------------------------------------------------------------------------- clients

    def _http(self, timeout: float = 30.0) -> httpx.Client:
        return httpx.Client(transport=self._transport, timeout=timeout)

    def _client(self, seller: Seller, **options: Any) -> OutboundClient:
        if "http" not in options:
            options["http"] = self._http(options.pop("timeout", 30.0))
        client = OutboundClient(self.url, seller.access_key, seller.secret_key, seller.seller_id, **options)
        self._clients.append(client)
        return client

    def _close_clients(self) -> None:
        for client in self._clients:
            client.close()
        self._clients.clear()


@contextmanager
def server(
    database: str | None = None, *, throttle: bool = False, start: datetime | None = None
) -> Iterator[OutboundServer]:
    """Run Outbound in this process for the ``with`` block: a temporary SQLite store unless ``database`` names a
    PostgreSQL server (a private database is made there), a virtual clock, throttling off unless ``throttle``."""
    running = OutboundServer(database, throttle=throttle, start=start).start()
    try:
        yield running
    finally:
        running.stop()
