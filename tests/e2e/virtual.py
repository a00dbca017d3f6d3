"""A real HTTP server on the test store whose service clock is the virtual one (``--clock virtual``).

Nothing moves until a test advances the clock (``outbound.service.simulation.advance``, or the admin API), so
orders ship, packages travel and returns come back exactly when the test says. Use it from a test module::

    @pytest.fixture
    def virtual_server(db: Database) -> Iterator[Server]:
        yield from serve_virtual(db)
"""

from __future__ import annotations

from collections.abc import Iterator

from outbound.config import Settings
from outbound.context import Context
from outbound.mws import throttle as throttling
from outbound.sim.clock import VirtualClock
from outbound.store import Database
from tests.conftest import Server, start_server


def serve_virtual(db: Database) -> Iterator[Server]:
    settings = Settings(database_url=db.url, clock="virtual", throttle=False, engine=False)
    ctx = Context(settings, db, throttling.Unthrottled(), VirtualClock(db))
    server, thread, port = start_server(ctx)
    yield Server(f"http://127.0.0.1:{port}", port, ctx)
    server.should_exit = True
    thread.join(timeout=10)
