"""The ``outbound`` command line: seller and service-status commands, and ``serve`` as a real subprocess."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from outbound.cli import main
from outbound.client import OutboundClient
from outbound.service.status import get_service_status
from outbound.store import Database
from outbound.store import accounts as store
from outbound.store.schema import access_keys, grants, sellers
from tests.helpers import ACCESS_KEY, CLEAN_ENV, SECRET_KEY, SELLER, error, free_port


def counts(db: Database) -> tuple[int, int, int]:
    with db.read() as conn:
        return tuple(  # type: ignore[return-value]
            int(conn.execute(select(func.count()).select_from(t)).scalar_one()) for t in (sellers, access_keys, grants)
        )


def seller_add(runner: CliRunner, *extra: str, env: dict[str, str] | None = None) -> None:
    args = ["seller", "add", "A1CLISELLER", "--access-key", "AKIACLIKEY", "--secret-key", "cli-secret", *extra]
    result = runner.invoke(main, args, env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "A1CLISELLER" in result.output


def test_seller_add_twice_is_idempotent(runner: CliRunner, db: Database, db_url: str) -> None:
    before = counts(db)
    seller_add(runner, "--db", db_url)
    seller_add(runner, "--db", db_url)
    assert counts(db) == (before[0] + 1, before[1] + 1, before[2] + 1)
    with db.read() as conn:
        grant = store.key_grant(conn, "AKIACLIKEY", "A1CLISELLER")
    assert grant is not None and grant.granted and grant.secret_key == "cli-secret" and grant.auth_token is None


def test_seller_add_with_token_and_marketplaces(runner: CliRunner, db: Database, db_url: str) -> None:
    seller_add(runner, "--db", db_url, "--auth-token", "amzn.mws.cli", "--marketplace", "A1F83G8C2ARO7P")
    with db.read() as conn:
        grant = store.key_grant(conn, "AKIACLIKEY", "A1CLISELLER")
    assert grant is not None
    assert (grant.auth_token, grant.default_marketplace_id) == ("amzn.mws.cli", "A1F83G8C2ARO7P")


def test_seller_add_unknown_marketplace(runner: CliRunner, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    args = ["seller", "add", "A1X", "--access-key", "K", "--secret-key", "S", "--marketplace", "XX", "--db", url]
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert "XX" in result.output


def test_service_status_set(runner: CliRunner, db: Database, db_url: str) -> None:
    args = ["service-status", "set", "YELLOW", "--message", "Slow today", "--db", db_url]
    result = runner.invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    status = get_service_status(db)
    assert (status.status, status.message) == ("YELLOW", "Slow today")
    assert runner.invoke(main, ["service-status", "set", "BLUE", "--db", db_url]).exit_code == 2
    assert get_service_status(db).status == "YELLOW"


def test_database_url_from_environment(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "from-env.db"
    env = {"OUTBOUND_DATABASE_URL": f"sqlite:///{path}"}
    seller_add(runner, env=env)
    result = runner.invoke(main, ["service-status", "set", "RED"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    database = Database(f"sqlite:///{path}")
    try:
        assert counts(database) == (1, 1, 1)
        assert get_service_status(database).status == "RED"
    finally:
        database.dispose()


def test_db_option_wins_over_environment(runner: CliRunner, tmp_path: Path) -> None:
    env_path, option_path = tmp_path / "env.db", tmp_path / "option.db"
    seller_add(runner, "--db", f"sqlite:///{option_path}", env={"OUTBOUND_DATABASE_URL": f"sqlite:///{env_path}"})
    assert option_path.exists()
    assert not env_path.exists()


def test_default_database_is_in_the_working_directory(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    seller_add(runner)
    assert (tmp_path / "outbound.db").exists()


def test_help_and_version(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("serve", "seller", "service-status"):
        assert command in result.output
    assert runner.invoke(main, ["--version"]).exit_code == 0


def test_serve_subprocess(runner: CliRunner, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'served.db'}"
    result = runner.invoke(
        main,
        ["seller", "add", SELLER, "--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY, "--db", url],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    port = free_port()
    command = [sys.executable, "-m", "outbound", "serve", "--port", str(port), "--db", url, "--throttle", "off"]
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(command, env=CLEAN_ENV, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                if httpx.get(f"{endpoint}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "server did not become healthy"
            time.sleep(0.05)
        with OutboundClient(endpoint, ACCESS_KEY, SECRET_KEY, SELLER, timeout=10) as client:
            # throttling is off: more than GetServiceStatus's burst of 2 goes through
            assert [client.get_service_status().status for _ in range(4)] == ["GREEN"] * 4
        # the production server (uvicorn by default) sends MWS's headers and error shape too
        found = error(httpx.get(f"{endpoint}/FulfillmentOutboundShipment/2010-10-01", timeout=5))
        assert (found.status, found.code) == (400, "InvalidParameterValue")
        assert error(httpx.put(f"{endpoint}/nowhere", timeout=5)).code == "InvalidAddress"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
