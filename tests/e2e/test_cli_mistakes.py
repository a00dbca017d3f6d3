"""Every configuration or input mistake on the command line is one line on stderr naming what is wrong, a non-zero
exit and no traceback; ``outbound --debug`` shows the traceback. Run as real subprocesses, as a user would."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from outbound.service import accounts, lwa, scenarios
from outbound.service import orders as order_service
from outbound.service.access import find_grant
from outbound.store import Database
from outbound.store import lwa as lwa_store
from tests.helpers import CLEAN_ENV, SELLER, create, line, now, reset, start_clock, stock

OUTBOUND = [sys.executable, "-m", "outbound"]


def outbound(
    *args: str, cwd: Path, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*OUTBOUND, *args],
        cwd=cwd,
        env={**CLEAN_ENV, **(env or {})},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def refused(result: subprocess.CompletedProcess[str], *expected: str) -> str:
    """The one error line (a ``store:`` line naming the store may come first); its text."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr
    lines = [n for n in result.stderr.splitlines() if not n.startswith("store: ")]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    for text in expected:
        assert text in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[str]:
    """A SQLite store with the example seller, one SKU, an open order and a cancelled one."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    db = Database(url)
    db.migrate()
    reset(db)
    start_clock(db)
    stock(db, "MUG", 10)
    create(db, "OPEN-1", line("MUG", "l1", 1))
    create(db, "DONE-1", line("MUG", "l1", 1))
    order_service.cancel_fulfillment_order(db, SELLER, "DONE-1", now(db))
    db.dispose()
    yield url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysql://root@localhost/outbound", ("unsupported database URL mysql://", "SQLite", "PostgreSQL")),
        ("sqlite:////nonexistent/dir/x.db", ("directory /nonexistent/dir", "does not exist")),
        ("postgresql://nobody@127.0.0.1:1/x", ("can't use the database postgresql://nobody@127.0.0.1:1/x", "--db")),
        ("not a url at all", ("not a database URL",)),
    ],
)
def test_a_bad_database_url_is_one_line(tmp_path: Path, url: str, expected: tuple[str, ...]) -> None:
    refused(outbound("inventory", "show", SELLER, "--db", url, cwd=tmp_path), *expected)
    refused(outbound("clock", "show", cwd=tmp_path, env={"OUTBOUND_DATABASE_URL": url}), *expected)


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = outbound("--debug", "inventory", "show", SELLER, "--db", "postgresql://nobody@127.0.0.1:1/x", cwd=tmp_path)
    assert result.returncode != 0 and "Traceback" in result.stderr and "OperationalError" in result.stderr


def test_serve_refuses_a_busy_port_and_a_bad_redis_url(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        refused(outbound("serve", "--port", str(port), cwd=tmp_path), f"port {port} on 127.0.0.1 is in use", "--port")
    refused(outbound("serve", "--redis", "foo://nowhere", cwd=tmp_path), "bad Redis URL 'foo://nowhere'", "redis://")


@pytest.mark.parametrize(
    "args",
    [
        ("inventory", "show", "NOBODY"),
        ("orders", "list", "NOBODY"),
        ("orders", "show", "NOBODY", "OPEN-1"),
        ("returns", "list", "NOBODY", "OPEN-1"),
        ("seller", "show", "NOBODY"),
        ("scenario", "add", "NOBODY", "hold_shipment"),
    ],
)
def test_an_unknown_seller_is_one_line(store: str, tmp_path: Path, args: tuple[str, ...]) -> None:
    refused(outbound(*args, "--db", store, cwd=tmp_path), "unknown seller NOBODY", "outbound seller add")


def test_a_negative_quantity_reaches_the_range_check(store: str, tmp_path: Path) -> None:
    refused(outbound("inventory", "set", SELLER, "MUG", "-5", "--db", store, cwd=tmp_path), "QUANTITY must be ≥ 0")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("hold_shipment", "--order", "NO-SUCH"), ("has no order NO-SUCH",)),
        (("fault", "--set", "action=Nonsense", "--set", "code=InternalError"), ("unknown fault action 'Nonsense'",)),
        (("weather",), ("unknown scenario kind 'weather'", "force_status")),
        (("package", "--set", "outcme=lost"), ("does not take 'outcme'", "outcome")),
        (("package", "--set", "lost"), ("--set takes key=value",)),
        (("force_status", "--order", "DONE-1", "--set", "status=INVALID"), ("already CANCELLED", "RECEIVED")),
        (("fault", "--set", "code=InternalError", "--times", "0"), ("--times",)),
    ],
)
def test_scenario_add_refusals_are_one_line(
    store: str, tmp_path: Path, args: tuple[str, ...], expected: tuple[str, ...]
) -> None:
    refused(outbound("scenario", "add", SELLER, *args, "--db", store, cwd=tmp_path), *expected)
    db = Database(store)
    assert scenarios.listing(db) == []  # nothing was added
    db.dispose()


def test_secrets_come_from_stdin_or_the_environment(store: str, tmp_path: Path) -> None:
    piped = outbound(
        "seller",
        "add",
        "S-PIPE",
        "--access-key",
        "AKPIPE",
        "--secret-key",
        "-",
        "--db",
        store,
        cwd=tmp_path,
        stdin="from/stdin+secret\n",
    )
    assert piped.returncode == 0, piped.stderr
    from_env = outbound(
        "seller",
        "add",
        "S-ENV",
        "--access-key",
        "AKENV",
        "--db",
        store,
        cwd=tmp_path,
        env={"OUTBOUND_SECRET_KEY": "from-env"},
    )
    assert from_env.returncode == 0, from_env.stderr
    refused(
        outbound("seller", "add", "S-NONE", "--access-key", "AKNONE", "--db", store, cwd=tmp_path),
        "OUTBOUND_SECRET_KEY",
        "--secret-key -",
    )
    app = outbound(
        "lwa-app",
        "add",
        "--client-id",
        "my-app",
        "--client-secret",
        "-",
        "--db",
        store,
        cwd=tmp_path,
        stdin="amzn1.oa2-cs.v1.piped\n",
    )
    assert app.returncode == 0 and "piped" not in app.stdout, app.stderr
    db = Database(store)
    for seller_id, key, secret in (("S-PIPE", "AKPIPE", "from/stdin+secret"), ("S-ENV", "AKENV", "from-env")):
        grant = find_grant(db, key, seller_id)
        assert grant is not None and grant.granted and grant.secret_key == secret
    assert not accounts.seller_exists(db, "S-NONE")
    with db.read() as conn:
        app_row = lwa_store.load_app(conn, "my-app")
    assert app_row is not None and app_row.secret_hash == lwa.digest("amzn1.oa2-cs.v1.piped")
    db.dispose()
