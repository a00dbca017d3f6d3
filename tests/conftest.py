"""The fixtures: databases (SQLite and PostgreSQL), Redis, real HTTP servers, HTTP and CLI clients. What tests
import (constants, helpers) is in ``tests/helpers.py``.

PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) tests skip when the service is missing, except under
``CI=true``, where a missing service fails the run instead of hiding it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from outbound.mws import throttle as throttling
from outbound.store import Database
from tests.helpers import PG_ADMIN_URL, Server, make_server, reset, serve_virtual

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
    yield reset(database)
    database.dispose()


@pytest.fixture
def server(db: Database) -> Iterator[Server]:
    """A real HTTP server (uvicorn, in a thread) on the test store, throttling off."""
    yield from make_server(db)


@pytest.fixture
def virtual_server(db: Database) -> Iterator[Server]:
    """A real HTTP server on the test store whose clock is the virtual one (see ``helpers.serve_virtual``)."""
    yield from serve_virtual(db)


@pytest.fixture
def throttled_server(db: Database) -> Iterator[Server]:
    """The same with in-process throttling on."""
    yield from make_server(db, throttling.MemoryThrottle())


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


@pytest.fixture
def http(server: Server) -> Iterator[httpx.Client]:
    """An HTTP client on the test's ``server`` (a module may give ``server`` another meaning)."""
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """Click's runner for ``outbound`` commands, with no ``OUTBOUND_*`` setting inherited from the environment."""
    for name in [k for k in os.environ if k.startswith("OUTBOUND_")]:
        monkeypatch.delenv(name)
    return CliRunner()
