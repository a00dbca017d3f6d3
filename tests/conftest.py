"""Shared fixtures: databases (SQLite and PostgreSQL), Redis, and a real HTTP server on a free port.

PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) tests skip when the service is missing, except under
``CI=true``, where a missing service fails the run instead of hiding it.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import create_engine, text

from outbound.app import create_app
from outbound.config import Settings
from outbound.context import Context
from outbound.mws import throttle as throttling
from outbound.service.accounts import add_seller
from outbound.sim.clock import RealClock
from outbound.store import Database
from outbound.store.schema import metadata

SELLER = "A2NKEXAMPLEF53"
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
PG_ADMIN_URL = os.environ.get("OUTBOUND_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("OUTBOUND_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _unavailable(service: str, reason: object) -> None:
    message = f"{service} is not available: {reason}"
    if IN_CI:
        pytest.fail(f"{message} (CI=true: the {service} tests must run)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, migrated, dropped at the end."""
    name = f"outbound_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(Database(PG_ADMIN_URL).url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        _unavailable("PostgreSQL", exc)
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    db = Database(url)
    db.migrate()
    db.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def redis_url() -> str:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:
        _unavailable("Redis", exc)
    return REDIS_URL


def _empty(db: Database) -> None:
    with db.transaction() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test that takes it runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'outbound.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """An empty, migrated store with the example seller registered."""
    database = Database(db_url)
    database.migrate()
    _empty(database)
    add_seller(database, SELLER, ACCESS_KEY, SECRET_KEY)
    yield database
    database.dispose()


@dataclass
class Server:
    url: str
    port: int
    ctx: Context


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(ctx: Context) -> tuple[uvicorn.Server, threading.Thread, int]:
    port = free_port()
    config = uvicorn.Config(
        create_app(ctx=ctx),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        date_header=False,
        server_header=False,
        lifespan="off",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.01)
    return server, thread, port


def make_server(db: Database, throttle: throttling.Throttle | None = None) -> Iterator[Server]:
    settings = Settings(database_url=db.url, throttle=throttle is not None)
    ctx = Context(settings, db, throttle or throttling.Unthrottled(), RealClock())
    server, thread, port = start_server(ctx)
    yield Server(f"http://127.0.0.1:{port}", port, ctx)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def server(db: Database) -> Iterator[Server]:
    """A real HTTP server (uvicorn, in a thread) on the test store, throttling off."""
    yield from make_server(db)


@pytest.fixture
def throttled_server(db: Database) -> Iterator[Server]:
    """The same with in-process throttling on."""
    yield from make_server(db, throttling.MemoryThrottle())


def reset(db: Database) -> Database:
    """Empty the store and register the example seller again."""
    _empty(db)
    add_seller(db, SELLER, ACCESS_KEY, SECRET_KEY)
    return db


@pytest.fixture(scope="module", params=BACKENDS)
def module_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """One migrated store per backend for a whole test module: tests empty it (``reset``) rather than migrating a
    new store each, which would cost more than the tests themselves."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp(request.module.__name__.rsplit('.', 1)[-1]) / 'outbound.db'}"
    else:
        url = request.getfixturevalue("pg_url")
    database = Database(url)
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def module_server(module_store: Database) -> Iterator[Server]:
    """A real HTTP server on the module's store (real clock, throttling off)."""
    yield from make_server(module_store)


@pytest.fixture
def shared_server(module_server: Server) -> Server:
    """The module's server on an emptied store with the example seller."""
    reset(module_server.ctx.db)
    return module_server
