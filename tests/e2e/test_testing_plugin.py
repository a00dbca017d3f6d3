"""The test fixture as users use it: the plugin in pytest sessions of their own (pytester), the context manager,
unittest, isolation between tests, PostgreSQL, and pytest-xdist."""

from __future__ import annotations

import os
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from outbound.client import Address, CreateItem
from outbound.client.client import MwsClientError
from outbound.service import inventory
from outbound.store import Database
from outbound.store.schema import metadata
from outbound.testing import OutboundServer, server
from tests.conftest import PG_ADMIN_URL, _unavailable

pytest_plugins = ["pytester"]

SEATTLE = Address(
    "Jane Doe", "1200 12th Ave S", city="Seattle", state_or_province_code="WA", country_code="US", postal_code="98144"
)

# a user's test file: the first test leaves everything behind it could; the second must see none of it
LEAK_FILE = """
import pytest
from outbound.client import Address, CreateItem
from outbound.client.client import MwsClientError

SEATTLE = Address("Jane Doe", "1200 12th Ave S", city="Seattle", state_or_province_code="WA",
                  country_code="US", postal_code="98144")
seen = {}


def test_makes_a_mess(outbound):
    outbound.stock("TEA-1", 10)
    mws = outbound.client()
    mws.create_fulfillment_order("MCF-1", SEATTLE, [CreateItem("TEA-1", "line-1", 1)])
    outbound.scenario("fault", action="*", code="InternalError")
    outbound.scenario("speed", multiplier=50)
    outbound.advance("10d")
    seen.update(seller=outbound.seller, now=outbound.now(), url=outbound.url)


def test_sees_none_of_it(outbound):
    old = seen["seller"]
    assert outbound.url == seen["url"]  # the same server
    assert outbound.seller_id != old.seller_id and outbound.access_key != old.access_key
    assert list(outbound.client().iter_fulfillment_orders()) == []
    with pytest.raises(MwsClientError) as err:
        outbound.client().get_fulfillment_order("MCF-1")
    assert err.value.code == "InvalidParameterValue"  # unknown order, and no fault fires
    with pytest.raises(MwsClientError) as err:
        old.client().get_service_status()
    assert err.value.code == "InvalidAccessKeyId"  # the old seller is gone
    assert outbound.admin().scenarios() == []
    assert outbound.now() < seen["now"]  # the clock started again
"""

CLIENTS_FILE = """
import httpx
import pytest
from mws import mws
from outbound.client.client import MwsClientError


def test_sdk(outbound):
    assert outbound.client().get_service_status().status == "GREEN"


def test_python_amazon_mws(outbound):
    api = mws.OutboundShipments(outbound.access_key, outbound.secret_key, outbound.seller_id, domain=outbound.url)
    assert "GREEN" in api.get_service_status().response.text


def test_httpx_unsigned_is_refused(outbound):
    response = httpx.post(outbound.url + outbound.path, data={"Action": "GetServiceStatus"})
    assert response.status_code == 400 and b"<ErrorResponse" in response.content


@pytest.mark.outbound(throttle=True)
def test_throttled(outbound):
    mws_ = outbound.client()
    mws_.get_service_status()
    mws_.get_service_status()
    with pytest.raises(MwsClientError) as err:
        mws_.get_service_status()
    assert err.value.code == "RequestThrottled"


def test_not_throttled_by_default(outbound):
    mws_ = outbound.client()
    for _ in range(5):
        mws_.get_service_status()
"""


def leftovers() -> tuple[set[threading.Thread], set[str]]:
    return set(threading.enumerate()), set(os.listdir(tempfile.gettempdir()))


def child_processes() -> list[int]:
    """Processes whose parent is this one (Linux)."""
    me = str(os.getpid())
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if stat.rsplit(")", 1)[1].split()[1] == me:
                found.append(int(entry))
    return found


# ------------------------------------------------------------------------------------------------ pytest sessions


def test_a_test_sees_nothing_of_the_one_before(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_leak=LEAK_FILE)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_each_client_kind_and_the_throttle_marker(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_clients=CLIENTS_FILE)
    result = pytester.runpytest("-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning")
    result.assert_outcomes(passed=5)


def test_a_session_leaves_no_thread_file_or_process(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_leak=LEAK_FILE)
    threads, files = leftovers()
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)
    after_threads, after_files = leftovers()
    assert after_threads == threads
    assert not {f for f in after_files - files if f.startswith("outbound-test-")}
    assert child_processes() == []


def test_an_unknown_marker_option_is_refused(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.outbound(throttel=True)
        def test_typo(outbound):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*unknown option(s) throttel*"])


def test_the_marker_and_options_are_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.outbound(throttle=False, marketplace=None, start=None)*"])
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(["*--outbound-db=URL*"])


def test_a_suite_that_does_not_ask_starts_no_server(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_plain():\n    assert True\n")
    threads, _ = leftovers()
    result = pytester.runpytest("-p", "no:cacheprovider", "--setup-plan")
    assert "outbound_server" not in result.stdout.str()
    assert set(threading.enumerate()) == threads


def test_marker_options_marketplace_and_start(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from datetime import UTC, datetime
        import pytest

        @pytest.mark.outbound(marketplace="A1F83G8C2ARO7P", start=datetime(2030, 1, 7, 9, tzinfo=UTC))
        def test_uk(outbound):
            assert outbound.marketplace_id == "A1F83G8C2ARO7P"
            assert outbound.now() == datetime(2030, 1, 7, 9, tzinfo=UTC)
            assert outbound.lwa_client_id is None and outbound.refresh_token is None

        def test_default(outbound):
            assert outbound.marketplace_id == "ATVPDKIKX0DER"
            assert outbound.now().year < 2030
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_two_xdist_workers(pytester: pytest.Pytester) -> None:
    tests = "\n".join(
        f"""
def test_order_{n}(outbound):
    from outbound.client import Address, CreateItem
    outbound.stock("TEA-1", 10)
    mws = outbound.client()
    mws.create_fulfillment_order("MCF-{n}", Address("Jane Doe", "1200 12th Ave S", city="Seattle",
        state_or_province_code="WA", country_code="US", postal_code="98144"), [CreateItem("TEA-1", "l", 1)])
    assert [o.seller_fulfillment_order_id for o in mws.iter_fulfillment_orders()] == ["MCF-{n}"]
    outbound.advance("3d")
    assert mws.get_fulfillment_order("MCF-{n}").order.status == "COMPLETE"
    print("URL", outbound.url)
"""
        for n in range(8)
    )
    pytester.makepyfile(test_many=tests)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2", "-rP")
    result.assert_outcomes(passed=8)
    urls = {line.split()[-1] for line in result.stdout.lines if line.startswith("URL ")}
    assert len(urls) == 2  # one server per worker


# ------------------------------------------------------------------------------------------------ PostgreSQL


def pg_server_url() -> str:
    try:
        engine = create_engine(Database(PG_ADMIN_URL).url)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        _unavailable("PostgreSQL", exc)
    return PG_ADMIN_URL


def database_exists(name: str) -> bool:
    engine = create_engine(Database(PG_ADMIN_URL).url)
    with engine.connect() as conn:
        found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
    engine.dispose()
    return found is not None


@pytest.mark.postgres
@pytest.mark.parametrize("how", ["option", "ini"])
def test_postgresql_by_option_or_ini(pytester: pytest.Pytester, how: str) -> None:
    url = pg_server_url()
    record = pytester.path / "database.txt"
    pytester.makepyfile(
        test_pg=f"""
def test_on_postgresql(outbound):
    assert outbound.db.url.startswith("postgresql")
    with open({str(record)!r}, "w") as out:
        out.write(outbound.db.url.rsplit("/", 1)[1])
""",
        test_leak=LEAK_FILE,
    )
    if how == "ini":
        pytester.makeini(f"[pytest]\noutbound_db = {url}\n")
        result = pytester.runpytest("-p", "no:cacheprovider")
    else:
        result = pytester.runpytest("-p", "no:cacheprovider", "--outbound-db", url)
    result.assert_outcomes(passed=3)
    name = record.read_text()
    assert name.startswith("outbound_fixture_")
    assert not database_exists(name)  # the private database is dropped


# ------------------------------------------------------------------------------------------------ the context manager


def test_the_context_manager_leaves_nothing_behind() -> None:
    threads, files = leftovers()
    with server() as outbound:
        outbound.stock("TEA-1", 5)
        outbound.client().create_fulfillment_order("MCF-1", SEATTLE, [CreateItem("TEA-1", "line-1", 1)])
        outbound.advance("3d")
        store_dir = Path(outbound.db.url.removeprefix("sqlite:///")).parent
        assert store_dir.is_dir()
        assert len(set(threading.enumerate()) - threads) >= 1  # the server's thread
    assert set(threading.enumerate()) == threads
    assert {f for f in set(os.listdir(tempfile.gettempdir())) - files if f.startswith("outbound")} == set()
    assert not store_dir.exists()
    assert child_processes() == []


@pytest.mark.postgres
def test_the_context_manager_on_postgresql_drops_its_database() -> None:
    url = pg_server_url()
    with server(url) as outbound:
        name = outbound.db.url.rsplit("/", 1)[1]
        assert name.startswith("outbound_fixture_") and database_exists(name)
        assert outbound.client().get_service_status().status == "GREEN"
    assert not database_exists(name)


def test_a_sqlite_url_of_ones_own_is_refused() -> None:
    with pytest.raises(ValueError, match="PostgreSQL server URL"), server("sqlite:///./outbound.db"):
        pass


def test_a_reset_empties_every_table_and_leaves_no_due_step() -> None:
    with server() as outbound:
        outbound.stock("TEA-1", 5)
        mws = outbound.client()
        mws.create_fulfillment_order("MCF-1", SEATTLE, [CreateItem("TEA-1", "line-1", 1)])
        outbound.scenario("package", order_id="MCF-1", outcome="lost")
        outbound.advance("1d")
        mws.create_fulfillment_order("MCF-2", SEATTLE, [CreateItem("TEA-1", "line-1", 1)])  # steps still due
        outbound.reset()
        with outbound.db.read() as conn:
            counts = {
                t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in metadata.tables.values()
            }
        # only the new seller; the clock's row too is gone (it starts again when first read)
        assert {name for name, count in counts.items() if count} == {
            "sellers",
            "seller_marketplaces",
            "access_keys",
            "grants",
        }
        assert outbound.admin().advance("30d").steps == 0  # nothing of the earlier orders is left to step
        with pytest.raises(RuntimeError, match="closed"):
            mws.get_service_status()  # clients of the earlier seller were closed with it


def test_handle_helpers() -> None:
    with server(start=datetime(2030, 3, 4, 10, tzinfo=UTC)) as outbound:
        assert outbound.now() == datetime(2030, 3, 4, 10, tzinfo=UTC)
        assert outbound.advance(timedelta(hours=2)) == datetime(2030, 3, 4, 12, tzinfo=UTC)
        assert outbound.set_clock("2030-03-05T00:00:00Z") == datetime(2030, 3, 5, tzinfo=UTC)
        with pytest.raises(ValueError, match="aware"):
            outbound.set_clock(datetime(2030, 3, 6))
        with pytest.raises(ValueError, match="forward"):
            outbound.set_clock("2030-03-01T00:00:00Z")

        outbound.stock("MUG", 7, weight=1.25, dimensions=(6, 4, 4), center="BFI4", category="electronics")
        assert inventory.levels(outbound.db, outbound.seller_id, "MUG") == [("MUG", "BFI4", 7, 0)]

        other = outbound.new_seller("A1F83G8C2ARO7P")
        assert other.seller_id != outbound.seller_id and other.marketplace_id == "A1F83G8C2ARO7P"
        assert other.client().get_service_status().status == "GREEN"
        fault = other.scenario("fault", action="GetServiceStatus", code="InternalError")
        with pytest.raises(MwsClientError) as err:
            other.client().get_service_status()
        assert err.value.status == 500
        assert outbound.client().get_service_status().status == "GREEN"  # the other seller's fault only
        assert other.remove_scenario(fault) and not other.remove_scenario(fault)
        assert other.client().get_service_status().status == "GREEN"
        assert (other.lwa_client_id, other.lwa_client_secret, other.refresh_token, other.token_url) == (None,) * 4


def test_a_handle_outside_its_block_says_so() -> None:
    handle = OutboundServer()
    with pytest.raises(RuntimeError, match="not running"):
        handle.stock("TEA-1", 1)


def test_force_status_applies_at_once() -> None:
    with server() as outbound:
        outbound.stock("TEA-1", 5)
        mws = outbound.client()
        mws.create_fulfillment_order("MCF-1", SEATTLE, [CreateItem("TEA-1", "line-1", 1)])
        outbound.scenario("force_status", order_id="MCF-1", status="UNFULFILLABLE")
        outbound.advance("1s")
        assert mws.get_fulfillment_order("MCF-1").order.status == "UNFULFILLABLE"


def test_unique_names() -> None:
    """Sellers and keys drawn at random do not repeat (they look like Amazon's: A + 13, AKIA + 16)."""
    with server() as outbound:
        sellers = [outbound.new_seller() for _ in range(50)]
    assert len({s.seller_id for s in sellers}) == len({s.access_key for s in sellers}) == 50
    assert all(len(s.seller_id) == 14 and len(s.access_key) == 20 and len(s.secret_key) == 40 for s in sellers)


def test_a_failed_start_leaves_nothing_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    threads, files = leftovers()

    def broken(self: Database) -> None:
        raise RuntimeError("migration failed")

    monkeypatch.setattr(Database, "migrate", broken)
    with pytest.raises(RuntimeError, match="migration failed"), server():
        pass
    assert set(threading.enumerate()) == threads
    assert {f for f in set(os.listdir(tempfile.gettempdir())) - files if f.startswith("outbound")} == set()
