"""The time-travel commands: ``outbound clock show/advance/set``, ``outbound scenario add/list/remove``,
``outbound orders show`` with its tracking timeline, and ``outbound worker`` as a real subprocess."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from outbound.cli import main
from outbound.domain.orders import PLANNING, RECEIVED, UNFULFILLABLE
from outbound.service import orders as service
from outbound.service import scenarios
from outbound.service.accounts import add_seller
from outbound.sim.clock import VirtualClock
from outbound.store import Database
from tests.helpers import (
    ACCESS_KEY,
    CALLER,
    CLEAN_ENV,
    SECRET_KEY,
    SELLER,
    T0,
    create,
    get,
    line,
    order_request,
    start_clock,
    stock,
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[tuple[Database, str]]:
    url = f"sqlite:///{tmp_path / 'outbound.db'}"
    db = Database(url)
    db.migrate()
    add_seller(db, SELLER, ACCESS_KEY, SECRET_KEY)
    yield db, url
    db.dispose()


def run(runner: CliRunner, *args: str, ok: bool = True) -> Result:
    result = runner.invoke(main, list(args))
    if ok:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code != 0, result.output
    return result


def flat(text: str) -> str:
    """Rich wraps long lines to the terminal width: compare on single spaces."""
    return re.sub(r"\s+", " ", text)


def test_clock_show_set_advance(runner: CliRunner, store: tuple[Database, str]) -> None:
    db, url = store
    shown = run(runner, "clock", "show", "--db", url).stdout.strip()  # stderr names the store
    assert abs(datetime.fromisoformat(shown) - datetime.now(UTC)) < timedelta(minutes=1)  # starts at wall time
    later = datetime.now(UTC) + timedelta(days=30)
    stamp = later.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert "clock at" in run(runner, "clock", "set", stamp, "--db", url).output
    assert run(runner, "clock", "show", "--db", url).stdout.strip() == later.replace(microsecond=0).isoformat()
    result = run(runner, "clock", "advance", "1d12h", "--db", url)
    expected = later.replace(microsecond=0) + timedelta(days=1, hours=12)
    assert f"clock at {expected.isoformat()} (0 lifecycle steps applied)" in flat(result.output)
    assert VirtualClock(db).now() == expected


@pytest.mark.parametrize("bad", ["soon", "0m", "-1h", "3x", "h"])
def test_clock_advance_refuses_bad_durations(runner: CliRunner, store: tuple[Database, str], bad: str) -> None:
    _db, url = store
    before = run(runner, "clock", "show", "--db", url).output
    result = run(runner, "clock", "advance", "--db", url, "--", bad, ok=False)
    assert result.exit_code == 1 and "not a duration" in result.output
    assert run(runner, "clock", "show", "--db", url).output == before


def test_clock_set_refuses_going_backwards_and_non_instants(runner: CliRunner, store: tuple[Database, str]) -> None:
    db, url = store
    start_clock(db, T0)
    result = run(runner, "clock", "set", "2026-11-22T00:00:00Z", "--db", url, ok=False)
    assert result.exit_code == 1 and "only moves forward" in flat(result.output)
    result = run(runner, "clock", "set", "next tuesday", "--db", url, ok=False)
    assert result.exit_code == 2 and "not an ISO 8601 instant" in result.output
    assert VirtualClock(db).now() == T0
    run(runner, "clock", "set", T0.isoformat(), "--db", url)  # staying put is allowed


def test_clock_advance_moves_orders_and_orders_show_prints_the_timeline(
    runner: CliRunner, store: tuple[Database, str]
) -> None:
    db, url = store
    start_clock(db, T0)
    stock(db, "MUG", 10)
    create(db, "CLI-1", line("MUG", "CLI-1-1", 2))
    before = flat(run(runner, "orders", "show", SELLER, "CLI-1", "--db", url, "--clock", "virtual").output)
    assert "CLI-1 RECEIVED" in before and "package" not in before
    result = run(runner, "clock", "advance", "3d", "--db", url)
    steps = int(re.search(r"\((\d+) lifecycle steps applied\)", result.output).group(1))  # type: ignore[union-attr]
    assert steps >= 4  # planning, processing, shipping, completion
    order = get(db, "CLI-1")
    [package] = order.shipments[0].packages
    shown = flat(run(runner, "orders", "show", SELLER, "CLI-1", "--db", url, "--clock", "virtual").output)
    assert "CLI-1 COMPLETE" in shown
    assert f"package {package.package_number}: {package.carrier_code} {package.tracking_number}" in shown
    assert "EVENT_101" in shown and "Kent, WA, US" in shown  # the center's town
    assert "— IN_TRANSIT" in shown or "— DELIVERED" in shown
    # OUTBOUND_CLOCK=virtual works as well as --clock; without either, the tracking is read at wall-clock time
    env = {"OUTBOUND_CLOCK": "virtual"}
    assert flat(runner.invoke(main, ["orders", "show", SELLER, "CLI-1", "--db", url], env=env).output) == shown
    real = flat(run(runner, "orders", "show", SELLER, "CLI-1", "--db", url).output)
    assert f"package {package.package_number}: {package.carrier_code}" in real
    result = run(runner, "orders", "show", SELLER, "NOPE", "--db", url, ok=False)
    assert "has no order NOPE" in result.output


def test_scenario_add_list_remove(runner: CliRunner, store: tuple[Database, str]) -> None:
    db, url = store
    start_clock(db, T0)
    stock(db, "MUG", 10)
    create(db, "SC-1", line("MUG", "SC-1-1", 2))
    result = run(
        runner, "scenario", "add", SELLER, "force_status", "--order", "SC-1", "--set", "status=UNFULFILLABLE",
        "--db", url, "--clock", "virtual",
    )  # fmt: skip
    forced = int(re.search(r"scenario (\d+) added", result.output).group(1))  # type: ignore[union-attr]
    result = run(
        runner, "scenario", "add", SELLER, "fault", "--set", "action=GetFulfillmentOrder", "--set",
        "code=InternalError", "--times", "2", "--db", url,
    )  # fmt: skip
    fault = int(re.search(r"scenario (\d+) added", result.output).group(1))  # type: ignore[union-attr]
    run(runner, "scenario", "add", SELLER, "speed", "--set", "multiplier=2.5", "--db", url)
    listed = [(s.id, s.kind, s.seller_order_id, s.params, s.remaining) for s in scenarios.listing(db, SELLER)]
    assert listed[:2] == [
        (forced, "force_status", "SC-1", {"status": "UNFULFILLABLE"}, None),
        (fault, "fault", None, {"action": "GetFulfillmentOrder", "code": "InternalError"}, 2),
    ]
    assert listed[2][1:4] == ("speed", None, {"multiplier": 2.5})
    table = flat(run(runner, "scenario", "list", SELLER, "--db", url).output)
    for needle in ("force_status", "SC-1", "UNFULFILLABLE", "fault", "InternalError", "speed", "2.5"):
        assert needle in table
    assert "A1NOBODY" not in run(runner, "scenario", "list", "A1NOBODY", "--db", url).output

    run(runner, "clock", "advance", "1s", "--db", url)  # the forced status applies at once
    assert get(db, "SC-1").status == UNFULFILLABLE

    assert f"scenario {fault} removed" in run(runner, "scenario", "remove", str(fault), "--db", url).output
    result = run(runner, "scenario", "remove", str(fault), "--db", url, ok=False)
    assert f"no scenario {fault}" in result.output
    assert [s.kind for s in scenarios.listing(db)] == ["force_status", "speed"]

    refusals = [
        (["scenario", "add", SELLER, "teleport"], 1, "unknown scenario kind 'teleport'"),
        (["scenario", "add", SELLER, "force_status", "--set", "status=COMPLETE"], 1, "force_status needs status"),
        (["scenario", "add", SELLER, "package", "--set", "outcome=stolen"], 1, "package needs outcome"),
        (["scenario", "add", SELLER, "speed", "--set", "multiplier=fast"], 1, "must be a number"),
        (["scenario", "add", SELLER, "fault"], 1, "fault needs an MWS error code"),
    ]
    for args, code, message in refusals:
        result = run(runner, *args, "--db", url, ok=False)
        assert result.exit_code == code and message in result.output, result.output
    assert len(scenarios.listing(db)) == 2


def test_a_package_scenario_from_the_cli_does_not_delay_an_order(
    runner: CliRunner, store: tuple[Database, str]
) -> None:
    """Waking an order for a scenario only ever brings its next step forward (the CLI may read another clock)."""
    db, url = store
    start_clock(db, T0)
    stock(db, "MUG", 10)
    create(db, "W-1", line("MUG", "W-1-1", 1))
    # no --clock: the real clock's now (later than the virtual T0) must not push the order's first step back
    run(runner, "scenario", "add", SELLER, "package", "--order", "W-1", "--set", "outcome=lost", "--db", url)
    run(runner, "clock", "advance", "10m", "--db", url)
    assert get(db, "W-1").status == PLANNING


def test_worker_applies_due_steps_on_the_real_clock(tmp_path: Path) -> None:
    """``outbound worker`` (a subprocess, real clock) moves an order whose planning time has come."""
    url = f"sqlite:///{tmp_path / 'worker.db'}"
    db = Database(url)
    db.migrate()
    add_seller(db, SELLER, ACCESS_KEY, SECRET_KEY)
    stock(db, "MUG", 10)
    ten_minutes_ago = datetime.now(UTC) - timedelta(minutes=10)
    service.create_fulfillment_order(db, CALLER, order_request("WRK-1", line("MUG", "WRK-1-1", 1)), ten_minutes_ago)
    assert get(db, "WRK-1").status == RECEIVED
    env = {**CLEAN_ENV, "OUTBOUND_DATABASE_URL": url}
    process = subprocess.Popen(
        [sys.executable, "-m", "outbound", "worker", "--interval", "0.2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while get(db, "WRK-1").status == RECEIVED and time.monotonic() < deadline:
            time.sleep(0.1)
        order = get(db, "WRK-1")
        assert order.status == PLANNING
        assert ten_minutes_ago < order.status_updated_at <= datetime.now(UTC)  # at the wall clock's now
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
        db.dispose()
    assert "lifecycle worker on sqlite" in flat(output.decode())
