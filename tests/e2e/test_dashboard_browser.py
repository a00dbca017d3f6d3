"""The dashboard in a real browser (headless Chromium through Selenium and chromedriver): log in, see the charts
drawn, filter the orders, open an order and its package timeline, move the clock from the page and see the order
move, add and remove a scenario. Screenshots of each page go to ``test-artifacts/dashboard/``.

Chromium comes from Debian's ``chromium`` and ``chromium-driver`` packages (``.ci/run`` installs them); without them
the test skips on a developer's machine and fails under ``CI=true``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from outbound.service.accounts import add_seller
from outbound.store import Database
from tests.conftest import IN_CI
from tests.e2e import dashboard_world
from tests.helpers import ACCESS_KEY, SECRET_KEY, SELLER, Server, serve_virtual

CHROMIUM = os.environ.get("OUTBOUND_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("OUTBOUND_TEST_CHROMEDRIVER", "/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "dashboard"
TOKEN = "browser-test-token"
WAIT = 15


def _require_browser() -> None:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not (os.path.exists(p) or shutil.which(p))]
    if missing:
        message = f"headless Chromium is not installed ({', '.join(missing)} missing; apt-get install chromium chromium-driver)"
        if IN_CI:
            pytest.fail(f"{message} (CI=true: the browser test must run)", pytrace=False)
        pytest.skip(message)


@pytest.fixture
def world_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Server, dashboard_world.World]]:
    monkeypatch.setenv("OUTBOUND_ADMIN_TOKEN", TOKEN)
    db = Database(f"sqlite:///{tmp_path / 'dashboard.db'}")
    db.migrate()
    add_seller(db, SELLER, ACCESS_KEY, SECRET_KEY)
    world = dashboard_world.build(db)
    for server in serve_virtual(db):
        yield server, world
    db.dispose()


@pytest.fixture
def browser() -> Iterator[object]:
    _require_browser()
    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium fetch a driver of its own
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,1000",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def test_an_operator_works_through_the_dashboard(
    world_server: tuple[Server, dashboard_world.World], browser: object
) -> None:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.select import Select
    from selenium.webdriver.support.ui import WebDriverWait

    server, world = world_server
    driver: WebDriver = browser  # type: ignore[assignment]
    wait = WebDriverWait(driver, WAIT, ignored_exceptions=(StaleElementReferenceException,))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    base = f"{server.url}/dashboard"

    def shot(name: str) -> None:
        driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))

    # refused without the token: the login form instead of the page
    driver.get(base + "/")
    assert driver.find_elements(By.ID, "token"), "no login form"
    assert not driver.find_elements(By.ID, "chart-daily")
    shot("01-login")
    driver.find_element(By.ID, "token").send_keys(TOKEN)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()

    # the overview: both charts drawn, with a size
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "canvas[data-chart='daily'][data-drawn='1']")))
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "canvas[data-chart='centers'][data-drawn='1']")))
    for chart in driver.find_elements(By.CSS_SELECTOR, "canvas[data-chart]"):
        assert chart.size["width"] > 100 and chart.size["height"] > 100, chart.size
        drawn = driver.execute_script(
            "const c = arguments[0]; const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
            "for (let i = 3; i < d.length; i += 4) { if (d[i] !== 0) return true; } return false;",
            chart,
        )
        assert drawn, "the chart's canvas is blank"
    assert "COMPLETE" in driver.find_element(By.CSS_SELECTOR, ".tiles").text
    shot("02-overview")

    # orders: filter by status (htmx swaps the results in place), then by tracking number
    driver.get(base + "/orders")
    assert world.fresh in driver.find_element(By.ID, "results").text
    Select(driver.find_element(By.ID, "f-status")).select_by_visible_text("COMPLETE")
    Select(driver.find_element(By.ID, "f-seller")).select_by_visible_text(SELLER)
    driver.find_element(By.CSS_SELECTOR, ".filters button[type=submit]").click()
    wait.until(lambda d: world.fresh not in d.find_element(By.ID, "results").text)
    results = driver.find_element(By.ID, "results").text
    assert world.shipped in results and "MARKUP-1" in results and world.other not in results
    assert "status=COMPLETE" in driver.current_url  # the filter is in the address, for a reload or a link
    shot("03-orders-filtered")
    search = driver.find_element(By.ID, "f-q")
    search.send_keys(world.tracking_number)
    driver.find_element(By.CSS_SELECTOR, ".filters button[type=submit]").click()
    wait.until(lambda d: "MARKUP-1" not in d.find_element(By.ID, "results").text)
    assert [a.text for a in driver.find_elements(By.CSS_SELECTOR, "#results tbody a[href*='/orders/']")] == [
        world.shipped
    ]

    # the order and its package's timeline
    driver.find_element(By.LINK_TEXT, world.shipped).click()
    wait.until(ec.presence_of_element_located((By.ID, f"package-{world.package_number}")))
    package = driver.find_element(By.ID, f"package-{world.package_number}")
    assert world.tracking_number in package.text
    assert len(package.find_elements(By.CSS_SELECTOR, ".timeline li")) >= 1
    assert "GetFulfillmentOrderResponse" in driver.page_source
    package.find_element(By.LINK_TEXT, "Link to this package").click()
    wait.until(lambda d: d.current_url.endswith(f"#package-{world.package_number}"))
    shot("04-order-package")

    # moving the clock from the page moves the fresh order on
    order_url = f"{base}/orders/{SELLER}/{world.fresh}"
    driver.get(order_url)
    assert driver.find_element(By.ID, "order-status").text == "RECEIVED"
    driver.get(base + "/time")
    before = driver.find_element(By.ID, "clock-now").text
    clock = driver.find_element(By.ID, "clock-now")
    driver.find_element(By.CSS_SELECTOR, "form.advance button[value='1d']").click()
    wait.until(ec.staleness_of(clock))
    wait.until(lambda d: "lifecycle steps applied" in d.page_source)
    assert driver.find_element(By.ID, "clock-now").text != before
    shot("05-time-advanced")
    driver.get(order_url)
    assert driver.find_element(By.ID, "order-status").text in ("PROCESSING", "COMPLETE")
    shot("06-order-moved")

    # a scenario added from the form, then removed
    driver.get(base + "/time")
    Select(driver.find_element(By.ID, "s-seller")).select_by_visible_text(SELLER)
    Select(driver.find_element(By.ID, "s-kind")).select_by_visible_text("package")
    driver.find_element(By.ID, "s-params").send_keys("outcome=lost")
    listed = driver.find_element(By.ID, "scenarios")
    driver.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]").click()
    wait.until(ec.staleness_of(listed))  # the page after the post, not the one the click left
    wait.until(lambda d: "added" in d.page_source)
    rows = driver.find_elements(By.CSS_SELECTOR, "#scenarios tbody tr")
    assert len(rows) == 1 and "lost" in rows[0].text
    shot("07-scenario-added")
    listed = driver.find_element(By.ID, "scenarios")
    rows[0].find_element(By.TAG_NAME, "button").click()
    wait.until(ec.staleness_of(listed))
    wait.until(lambda d: "removed" in d.page_source)
    wait.until(lambda d: "No scenario." in d.find_element(By.ID, "scenarios").text)

    # a refused scenario says why, in the page
    driver.find_element(By.ID, "s-params").send_keys("outcome=teleported")
    Select(driver.find_element(By.ID, "s-kind")).select_by_visible_text("package")
    driver.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]").click()
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".message.error"))
    assert "outcome" in driver.find_element(By.CSS_SELECTOR, ".message.error").text

    # the other pages, and the order on a phone-sized screen
    for name, path in (("08-inventory", "/inventory"), ("09-sellers", "/sellers"), ("10-seller", f"/sellers/{SELLER}")):
        driver.get(base + path)
        assert driver.find_elements(By.CSS_SELECTOR, "main h1")
        shot(name)
    driver.set_window_size(390, 844)
    driver.get(f"{base}/orders/{SELLER}/{world.shipped}")
    width = driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= 400, f"the page scrolls sideways on a phone ({width}px)"
    shot("11-order-phone")
    driver.get(base + "/")
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "canvas[data-chart='daily'][data-drawn='1']")))
    shot("12-overview-phone")
