"""The test fixture as users use it: the plugin in pytest sessions of their own (pytester), the context manager,
unittest, isolation between tests, PostgreSQL, and pytest-xdist."""

from __future__ import annotations

import os
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select, text

from outbound.client import Address, CreateItem
from outbound.client.client import MwsClientError
from outbound.service import inventory, lwa
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

# python-amazon-sp-api through the fixture, unmodified but for where it finds the token endpoint and the service
SPAPI_HELPERS = """
from urllib.parse import urlsplit

import httpx
import pytest
from sp_api.api import FulfillmentOutbound
from sp_api.auth import AccessTokenClient
from sp_api.base import Marketplaces
from sp_api.base.exceptions import SellingApiNotFoundException, SellingApiRequestThrottledException


def sp_api(seller):
    token_url = urlsplit(seller.token_url)

    class LocalTokens(AccessTokenClient):
        scheme, host, path = f"{token_url.scheme}://", token_url.netloc, token_url.path

    api = FulfillmentOutbound(Marketplaces.US, credentials=seller.spapi_credentials(),
                              auth_token_client_class=LocalTokens, verify=False)  # plain HTTP: no CA bundle to load
    api.endpoint = f"{token_url.scheme}://{token_url.netloc}"
    return api


def create(api, order_id, sku="TEA-1"):
    return api.create_fulfillment_order(
        marketplaceId="ATVPDKIKX0DER",
        sellerFulfillmentOrderId=order_id,
        displayableOrderId=order_id,
        displayableOrderDate="2026-11-23T15:58:40Z",
        displayableOrderComment="Thank you",
        shippingSpeedCategory="Standard",
        destinationAddress={"name": "Jane Doe", "addressLine1": "1200 12th Ave S", "city": "Seattle",
                            "stateOrRegion": "WA", "countryCode": "US", "postalCode": "98144"},
        items=[{"sellerSku": sku, "sellerFulfillmentOrderItemId": "line-1", "quantity": 1}],
    )
"""

SPAPI_FILE = (
    SPAPI_HELPERS
    + """
seen = {}


def test_order_and_tracking(outbound):
    outbound.stock("TEA-1", 10)
    api = sp_api(outbound)
    create(api, "SP-1")
    assert api.get_fulfillment_order("SP-1").payload["fulfillmentOrder"]["fulfillmentOrderStatus"] == "Received"
    outbound.advance("3d")
    got = api.get_fulfillment_order("SP-1").payload
    assert got["fulfillmentOrder"]["fulfillmentOrderStatus"] == "Complete"
    number = got["fulfillmentShipments"][0]["fulfillmentShipmentPackage"][0]["packageNumber"]
    tracking = api.get_package_tracking_details(packageNumber=number).payload
    assert tracking["packageNumber"] == number and tracking["trackingEvents"]
    assert outbound.client().get_fulfillment_order("SP-1").order.status == "COMPLETE"  # the same order over MWS
    seen.update(outbound.spapi_credentials(), token_url=outbound.token_url)


def test_new_credentials_every_test(outbound):
    assert outbound.refresh_token != seen["refresh_token"]
    assert outbound.lwa_client_id == seen["lwa_app_id"]  # one application per server session
    form = {"grant_type": "refresh_token", "client_id": seen["lwa_app_id"], "client_secret": seen["lwa_client_secret"]}
    old = httpx.post(seen["token_url"], data={**form, "refresh_token": seen["refresh_token"]})
    assert old.status_code == 400 and old.json()["error"] == "invalid_grant"  # the earlier test's seller is gone
    assert sp_api(outbound).list_all_fulfillment_orders().payload["fulfillmentOrders"] == []


def test_a_fault_throttles_one_call(outbound):
    api = sp_api(outbound)
    outbound.scenario("fault", action="ListAllFulfillmentOrders", code="RequestThrottled", times=1)
    with pytest.raises(SellingApiRequestThrottledException) as err:
        api.list_all_fulfillment_orders()
    assert (err.value.code, err.value.amzn_code) == (429, "QuotaExceeded")
    assert api.list_all_fulfillment_orders().payload["fulfillmentOrders"] == []


@pytest.mark.outbound(throttle=True)
def test_real_sp_api_throttling(outbound):
    api = sp_api(outbound)
    for _ in range(30):  # the usage plan's burst
        api.list_all_fulfillment_orders()
    with pytest.raises(SellingApiRequestThrottledException):
        api.list_all_fulfillment_orders()


def test_not_throttled_by_default(outbound):
    api = sp_api(outbound)
    for _ in range(35):
        api.list_all_fulfillment_orders()
"""
)

# a second seller's access token reaches only that seller's orders
SPAPI_ISOLATION_FILE = (
    SPAPI_HELPERS
    + """

def test_a_second_sellers_token_cannot_read_the_first_sellers_order(outbound):
    outbound.stock("TEA-1", 10)
    create(sp_api(outbound), "SP-ONE")
    other = outbound.new_seller()
    assert other.refresh_token != outbound.refresh_token
    with pytest.raises(SellingApiNotFoundException) as err:
        sp_api(other).get_fulfillment_order("SP-ONE")
    assert err.value.amzn_code == "NotFound"
    assert sp_api(other).list_all_fulfillment_orders().payload["fulfillmentOrders"] == []

    token = httpx.post(other.token_url, data={
        "grant_type": "refresh_token", "refresh_token": other.refresh_token,
        "client_id": other.lwa_client_id, "client_secret": other.lwa_client_secret,
    }).json()["access_token"]
    path = "/fba/outbound/2020-07-01/fulfillmentOrders/SP-ONE"
    answer = httpx.get(outbound.url + path, headers={"x-amz-access-token": token})
    assert answer.status_code == 404 and answer.json()["errors"][0]["code"] == "NotFound"
    assert sp_api(outbound).get_fulfillment_order("SP-ONE").payload["fulfillmentOrder"]["sellerFulfillmentOrderId"] == "SP-ONE"
"""
)


def leftovers() -> tuple[set[threading.Thread], set[str]]:
    return set(threading.enumerate()), set(os.listdir(tempfile.gettempdir()))


def child_processes() -> set[int]:
    """Processes whose parent is this one (Linux)."""
    me = str(os.getpid())
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if stat.rsplit(")", 1)[1].split()[1] == me:
                found.add(int(entry))
    return found


def exchange(token_url: str, refresh_token: str, client_id: str, client_secret: str) -> httpx.Response:
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    return httpx.post(token_url, data={**form, "client_id": client_id, "client_secret": client_secret})


# ------------------------------------------------------------------------------------------------ pytest sessions


def test_a_test_sees_nothing_of_the_one_before(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_leak=LEAK_FILE)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_each_client_kind_and_the_throttle_marker(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_clients=CLIENTS_FILE)
    result = pytester.runpytest("-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning")
    result.assert_outcomes(passed=5)


def test_python_amazon_sp_api_through_the_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_spapi=SPAPI_FILE)
    result = pytester.runpytest("-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning")
    result.assert_outcomes(passed=5)


def test_a_second_sellers_sp_api_token_cannot_read_the_first_sellers_order(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_spapi_isolation=SPAPI_ISOLATION_FILE)
    result = pytester.runpytest("-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning")
    result.assert_outcomes(passed=1)


def test_a_session_leaves_no_thread_file_or_process(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_leak=LEAK_FILE)
    threads, files = leftovers()
    processes = child_processes()  # servers this suite's own session fixtures started stay theirs
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)
    after_threads, after_files = leftovers()
    assert after_threads == threads
    assert not {f for f in after_files - files if f.startswith("outbound-test-")}
    assert child_processes() - processes == set()


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
            assert outbound.lwa_client_id and outbound.refresh_token  # SP-API credentials in any marketplace

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
    processes = child_processes()
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
    assert child_processes() - processes == set()


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
        assert exchange(outbound.token_url or "", *outbound.spapi_credentials().values()).status_code == 200
        outbound.reset()
        with outbound.db.read() as conn:
            counts = {
                t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in metadata.tables.values()
            }
        # only the new seller and the server's LWA application; no access token; the clock's row too is gone (it
        # starts again when first read)
        assert {name: count for name, count in counts.items() if count} == {
            "sellers": 1,
            "seller_marketplaces": 1,
            "access_keys": 1,
            "grants": 1,
            "lwa_apps": 1,
            "lwa_authorizations": 1,
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
        # SP-API: the server's one application, a refresh token of the seller's own, the server's token endpoint
        assert (other.lwa_client_id, other.lwa_client_secret) == (outbound.lwa_client_id, outbound.lwa_client_secret)
        assert other.refresh_token and other.refresh_token != outbound.refresh_token
        assert other.token_url == outbound.token_url == outbound.url + "/auth/o2/token"
        assert outbound.spapi_credentials() == {
            "refresh_token": outbound.refresh_token,
            "lwa_app_id": outbound.lwa_client_id,
            "lwa_client_secret": outbound.lwa_client_secret,
        }
        granted = lwa.credentials(outbound.db, other.seller_id).lwa_authorizations
        assert [(a.client_id, a.revoked) for a in granted] == [(outbound.lwa_client_id, False)]


def test_sp_api_credentials_survive_a_removed_application() -> None:
    with server() as outbound:
        assert lwa.remove_app(outbound.db, outbound.lwa_client_id or "")
        answer = exchange(outbound.token_url or "", *outbound.spapi_credentials().values())
        assert answer.status_code == 401  # the test removed it: the ready seller's credentials are gone with it
        other = outbound.new_seller()  # registers the server's application again, with the same id and secret
        assert other.lwa_client_id == outbound.lwa_client_id
        answer = exchange(other.token_url or "", *other.spapi_credentials().values())
        assert answer.status_code == 200, answer.text
        outbound.reset()
        assert exchange(outbound.token_url or "", *outbound.spapi_credentials().values()).status_code == 200
        assert exchange(other.token_url or "", *other.spapi_credentials().values()).json()["error"] == "invalid_grant"


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
