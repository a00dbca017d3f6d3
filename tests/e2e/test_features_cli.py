"""``outbound feature enroll|unenroll|sku`` through click's runner, and the admin API's feature routes over HTTP."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from outbound.cli import main
from outbound.service import features as feature_service
from outbound.service.accounts import add_seller
from outbound.service.inventory import StockChange, set_inventory
from outbound.store import Database
from tests.helpers import ACCESS_KEY, SECRET_KEY, SELLER, Server

US = "ATVPDKIKX0DER"
CA = "A2EUQ1WTGCTBG2"


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    for name in [k for k in os.environ if k.startswith("OUTBOUND_")]:
        monkeypatch.delenv(name)
    return CliRunner(env={"COLUMNS": "200"})


@pytest.fixture
def cli_db(tmp_path: Path) -> Iterator[tuple[str, Database]]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    database = Database(url)
    database.migrate()
    add_seller(database, SELLER, ACCESS_KEY, SECRET_KEY, marketplaces=[US, CA])
    set_inventory(database, StockChange(SELLER, "TEA-1", 4, "BFI4"))
    yield url, database
    database.dispose()


def run(runner: CliRunner, url: str, *args: str, code: int = 0) -> Result:
    result = runner.invoke(main, [*args, "--db", url])
    assert result.exit_code == code, result.output
    return result


def enrolled(db: Database, marketplace: str) -> dict[str, bool]:
    return {f.name: f.seller_eligible for f in feature_service.get_features(db, SELLER, marketplace)}


def test_enroll_and_unenroll(runner: CliRunner, cli_db: tuple[str, Database]) -> None:
    url, db = cli_db
    out = run(runner, url, "feature", "unenroll", SELLER, "--marketplace", US, "BLOCK_AMZL", "SIGNATURE_CONFIRMATION")
    assert "BLOCK_AMZL" in out.output and "no" in out.output
    assert enrolled(db, US) == {"BLOCK_AMZL": False, "BLANK_BOX": True, "SIGNATURE_CONFIRMATION": False}
    assert enrolled(db, CA) == {"BLOCK_AMZL": True, "BLANK_BOX": True}
    run(runner, url, "feature", "enroll", SELLER, "--marketplace", US, "BLOCK_AMZL")
    assert enrolled(db, US)["BLOCK_AMZL"] is True
    run(runner, url, "feature", "unenroll", SELLER, "--marketplace", US, "BLOCK_AMZL")  # twice: the same
    run(runner, url, "feature", "unenroll", SELLER, "--marketplace", US, "BLOCK_AMZL")
    assert enrolled(db, US)["BLOCK_AMZL"] is False


def test_refusals_are_one_line(runner: CliRunner, cli_db: tuple[str, Database]) -> None:
    url, db = cli_db
    bad = run(runner, url, "feature", "enroll", SELLER, "--marketplace", US, "OVERBOX", code=1)
    assert [n for n in bad.output.strip().splitlines() if not n.startswith("store: ")] == [
        "Error: invalid featureName 'OVERBOX': unknown feature; expected one "
        "of BLOCK_AMZL, BLANK_BOX, SIGNATURE_CONFIRMATION"
    ]
    bad = run(runner, url, "feature", "enroll", SELLER, "--marketplace", CA, "SIGNATURE_CONFIRMATION", code=1)
    assert "not offered in marketplace" in bad.output and "Traceback" not in bad.output
    bad = run(runner, url, "feature", "enroll", SELLER, "--marketplace", "A1PA6795UKMFR9", "BLANK_BOX", code=1)
    assert "marketplaceId" in bad.output
    bad = run(runner, url, "feature", "sku", SELLER, "NOPE", "BLANK_BOX", "--ineligible", code=1)
    assert "sellerSku 'NOPE'" in bad.output
    run(runner, url, "feature", "sku", SELLER, "TEA-1", "BLANK_BOX", code=2)  # --eligible or --ineligible needed
    run(runner, url, "feature", "sku", SELLER, "TEA-1", "PACKING_SLIP", "--eligible", code=2)
    assert enrolled(db, US) == {"BLOCK_AMZL": True, "BLANK_BOX": True, "SIGNATURE_CONFIRMATION": True}


def test_sku_eligibility(runner: CliRunner, cli_db: tuple[str, Database]) -> None:
    url, db = cli_db
    out = run(runner, url, "feature", "sku", SELLER, "TEA-1", "BLANK_BOX", "--ineligible")
    assert "not eligible" in out.output
    found = feature_service.get_feature_sku(db, SELLER, US, "BLANK_BOX", "TEA-1")
    assert found.ineligible_reasons == ("SKU_NOT_ELIGIBLE",)
    run(runner, url, "feature", "sku", SELLER, "TEA-1", "BLANK_BOX", "--eligible")
    assert feature_service.get_feature_sku(db, SELLER, US, "BLANK_BOX", "TEA-1").is_eligible


def test_admin_routes(server: Server, db: Database) -> None:
    add_seller(db, SELLER, ACCESS_KEY, SECRET_KEY, marketplaces=[US, CA])
    set_inventory(db, StockChange(SELLER, "TEA-1", 4, "BFI4"))
    with httpx.Client(base_url=server.url) as http:
        answer = http.put(f"/admin/sellers/{SELLER}/features/{US}", json={"features": {"BLOCK_AMZL": False}})
        assert answer.status_code == 200, answer.text
        assert answer.json() == {
            "sellerId": SELLER,
            "marketplaceId": US,
            "features": [
                {"featureName": "BLOCK_AMZL", "sellerEligible": False},
                {"featureName": "BLANK_BOX", "sellerEligible": True},
                {"featureName": "SIGNATURE_CONFIRMATION", "sellerEligible": True},
            ],
        }
        answer = http.put(f"/admin/sellers/{SELLER}/skus/TEA-1/features/BLANK_BOX", json={"eligible": False})
        assert answer.status_code == 200 and answer.json()["eligible"] is False
        for path, body in (
            (f"/admin/sellers/{SELLER}/features/{US}", {"features": {"OVERBOX": True}}),
            (f"/admin/sellers/{SELLER}/features/{US}", {"features": {"BLANK_BOX": "yes"}}),
            (f"/admin/sellers/{SELLER}/features/{US}", [1]),
            (f"/admin/sellers/{SELLER}/skus/NOPE/features/BLANK_BOX", {"eligible": True}),
            (f"/admin/sellers/{SELLER}/skus/TEA-1/features/NOPE", {"eligible": True}),
            (f"/admin/sellers/{SELLER}/skus/TEA-1/features/BLANK_BOX", {}),
        ):
            refused = http.put(path, json=body)
            assert refused.status_code == 400 and "error" in refused.json(), (path, refused.text)
    assert enrolled(db, US)["BLOCK_AMZL"] is False
    assert feature_service.get_feature_sku(db, SELLER, US, "BLANK_BOX", "TEA-1").ineligible_reasons == (
        "SKU_NOT_ELIGIBLE",
    )
