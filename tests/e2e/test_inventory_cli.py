"""``outbound inventory set/import/show`` and ``outbound orders list/show`` through click's runner on a SQLite file."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from outbound.cli import main
from outbound.domain.orders import SHIPPED, Package, Shipment, ShipmentItem
from outbound.service import orders as order_service
from outbound.service.accounts import add_seller
from outbound.store import Database
from outbound.store import inventory as stock_store
from outbound.store import orders as order_store
from tests.helpers import ACCESS_KEY, CALLER, SEATTLE, SECRET_KEY, SELLER

US_CENTERS = ["ABE8", "ATL6", "BFI4", "BWI2", "DFW7", "IND9", "JAX3", "MDW2", "ONT8", "PHX6", "RNO4", "SLC1"]


@pytest.fixture
def runner(runner: CliRunner) -> CliRunner:
    runner.env["COLUMNS"] = "200"  # wide enough that Rich tables never cut a value
    return runner


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file with the example seller, copied for each test (cheaper than migrating each time)."""
    path = tmp_path_factory.mktemp("cli-template") / "template.db"
    database = Database(f"sqlite:///{path}")
    database.migrate()
    add_seller(database, SELLER, ACCESS_KEY, SECRET_KEY)
    database.dispose()
    return path


@pytest.fixture
def db_url(tmp_path: Path, template: Path) -> str:
    shutil.copyfile(template, tmp_path / "cli.db")
    return f"sqlite:///{tmp_path / 'cli.db'}"


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


def run(runner: CliRunner, db_url: str, *args: str, code: int = 0) -> Result:
    result = runner.invoke(main, [*args, "--db", db_url])
    assert result.exit_code == code, result.output
    return result


def levels(db: Database, sku: str | None = None) -> list[tuple[str, str, int, int]]:
    with db.read() as conn:
        return stock_store.levels(conn, SELLER, sku)


# ------------------------------------------------------------------------------------------------ inventory set


def test_set_at_one_center_with_weight_and_dimensions(runner: CliRunner, db: Database, db_url: str) -> None:
    result = run(
        runner,
        db_url,
        "inventory",
        "set",
        SELLER,
        "MUG-12",
        "10",
        "--fc",
        "BFI4",
        "--weight-lb",
        "2.5",
        "--dimensions-in",
        "12x8x4",
    )
    assert f"inventory of {SELLER}" in result.output
    row = next(line for line in result.output.splitlines() if "MUG-12" in line)
    assert [c.strip() for c in row.split("│")[1:5]] == ["MUG-12", "BFI4", "10", "0"]
    assert levels(db) == [("MUG-12", "BFI4", 10, 0)]
    with db.read() as conn:
        sku = stock_store.load_skus(conn, SELLER, ["MUG-12"])["MUG-12"]
    assert sku.weight_lb == Decimal("2.5")
    assert (sku.length_in, sku.width_in, sku.height_in) == (Decimal(12), Decimal(8), Decimal(4))
    assert sku.fnsku.startswith("X00") and len(sku.fnsku) == 10

    # a later set without --weight-lb / --dimensions-in keeps them, and only touches the center named
    run(runner, db_url, "inventory", "set", SELLER, "MUG-12", "3", "--fc", "ONT8")
    assert levels(db) == [("MUG-12", "BFI4", 10, 0), ("MUG-12", "ONT8", 3, 0)]
    with db.read() as conn:
        again = stock_store.load_skus(conn, SELLER, ["MUG-12"])["MUG-12"]
    assert (again.weight_lb, again.length_in, again.fnsku) == (Decimal("2.5"), Decimal(12), sku.fnsku)


def test_set_without_fc_spreads_over_the_marketplaces_centers(runner: CliRunner, db: Database, db_url: str) -> None:
    result = run(runner, db_url, "inventory", "set", SELLER, "TEA", "14")
    found = levels(db, "TEA")
    assert [fc for _, fc, _, _ in found] == US_CENTERS  # every US center, none abroad
    assert sum(s for _, _, s, _ in found) == 14
    assert sorted(s for _, _, s, _ in found) == [1] * 10 + [2] * 2  # as even as possible
    for fc in US_CENTERS:
        assert fc in result.output
    with db.read() as conn:
        sku = stock_store.load_skus(conn, SELLER, ["TEA"])["TEA"]
    assert (sku.weight_lb, sku.length_in, sku.width_in, sku.height_in) == (
        Decimal("1.0"),
        Decimal(10),
        Decimal(8),
        Decimal(4),
    )  # the documented defaults


def test_set_refusals(runner: CliRunner, db: Database, db_url: str) -> None:
    bad_dims = run(runner, db_url, "inventory", "set", SELLER, "MUG", "1", "--dimensions-in", "12x8", code=1)
    assert "dimensions must be three positive numbers like 12x8x4, not '12x8'" in bad_dims.output
    bad_fc = run(runner, db_url, "inventory", "set", SELLER, "MUG", "1", "--fc", "XXX9", code=1)
    assert "unknown fulfillment center XXX9" in bad_fc.output
    bad_seller = run(runner, db_url, "inventory", "set", "A0NOBODY", "MUG", "1", code=1)
    assert "unknown seller A0NOBODY" in bad_seller.output
    negative = run(runner, db_url, "inventory", "set", SELLER, "MUG", "-1", code=1)
    assert "QUANTITY must be ≥ 0, not -1" in negative.output
    zero_weight = run(runner, db_url, "inventory", "set", SELLER, "MUG", "1", "--weight-lb", "0", code=2)
    assert "--weight-lb" in zero_weight.output
    assert levels(db) == []


def test_show(runner: CliRunner, db: Database, db_url: str) -> None:
    run(runner, db_url, "inventory", "set", SELLER, "A-SKU", "4", "--fc", "BFI4")
    run(runner, db_url, "inventory", "set", SELLER, "B-SKU", "6", "--fc", "DFW7")
    both = run(runner, db_url, "inventory", "show", SELLER).output
    assert "A-SKU" in both and "B-SKU" in both and "DFW7" in both
    one = run(runner, db_url, "inventory", "show", SELLER, "B-SKU").output
    assert "B-SKU" in one and "A-SKU" not in one


# ------------------------------------------------------------------------------------------------ inventory import


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_a_good_csv(runner: CliRunner, db: Database, db_url: str, tmp_path: Path) -> None:
    add_seller(db, "A3SECONDCSV", "AKIASECONDCSVKEY0000", "second")
    path = write(
        tmp_path,
        "stock.csv",
        "seller_id,sku,quantity,fc,weight_lb,dimensions_in\n"
        f"{SELLER},MUG,5,BFI4,0.85,5x4.5x4\n"
        f"{SELLER},MUG,7,ONT8,,\n"
        f"{SELLER},TEA,12,,0.3,8x5x1.39\n"
        "A3SECONDCSV,MUG,2,DFW7,,\n",
    )
    result = run(runner, db_url, "inventory", "import", str(path))
    assert "imported 4 rows: 3 SKUs of 2 seller(s), 26 units" in result.output
    mugs = levels(db, "MUG")
    assert mugs == [("MUG", "BFI4", 5, 0), ("MUG", "ONT8", 7, 0)]
    assert sum(s for _, _, s, _ in levels(db, "TEA")) == 12 and len(levels(db, "TEA")) == 12
    with db.read() as conn:
        assert stock_store.levels(conn, "A3SECONDCSV") == [("MUG", "DFW7", 2, 0)]
        tea = stock_store.load_skus(conn, SELLER, ["TEA"])["TEA"]
    assert (tea.weight_lb, tea.height_in) == (Decimal("0.3"), Decimal("1.39"))


def test_import_a_csv_with_a_bom_and_only_the_required_columns(
    runner: CliRunner, db: Database, db_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(f"\ufeffseller_id,sku,quantity\r\n{SELLER},CUP,3\r\n".encode())
    result = run(runner, db_url, "inventory", "import", str(path))
    assert "imported 1 rows: 1 SKUs of 1 seller(s), 3 units" in result.output
    assert sum(s for _, _, s, _ in levels(db, "CUP")) == 3


@pytest.mark.parametrize(
    ("rows", "where", "message"),
    [
        (f"{SELLER},TEA,ten,BFI4,,\n", "3, column quantity", "quantity must be a whole number, not 'ten'"),
        (f"{SELLER},TEA,-4,BFI4,,\n", "3, column quantity", "quantity must be a whole number, not '-4'"),
        (f"{SELLER},,4,BFI4,,\n", "3, column sku", "value is missing"),
        (f"{SELLER},TEA,4,BFI4,heavy,\n", "3, column weight_lb", "not a number: 'heavy'"),
        (f"{SELLER},TEA,4,BFI4,0,\n", "3, column weight_lb", "weight must be positive"),
        (f"{SELLER},TEA,4,BFI4,,12x8\n", "3, column dimensions_in", "dimensions must be three positive numbers"),
        (f"{SELLER},TEA,4,XXX9,,\n", "3, column fc", "unknown fulfillment center XXX9"),
        ("A0NOBODY,TEA,4,BFI4,,\n", "3, column seller_id", "unknown seller A0NOBODY"),
    ],
)
def test_import_a_bad_csv_names_line_and_column_and_imports_nothing(
    runner: CliRunner, db: Database, db_url: str, tmp_path: Path, rows: str, where: str, message: str
) -> None:
    path = write(
        tmp_path,
        "bad.csv",
        f"seller_id,sku,quantity,fc,weight_lb,dimensions_in\n{SELLER},GOOD,5,BFI4,,\n{rows}{SELLER},LAST,1,BFI4,,\n",
    )
    result = run(runner, db_url, "inventory", "import", str(path), code=1)
    output = " ".join(result.output.split())  # Rich may wrap the line
    assert f"bad.csv:{where}: {message}" in output
    assert "nothing was imported" in output
    assert levels(db) == []  # not even the good line before the bad one


@pytest.mark.parametrize(
    ("header", "message"),
    [("seller_id,sku\n", "missing column 'quantity'"), ("seller_id,sku,quantity,colour\n", "unknown column 'colour'")],
)
def test_import_a_bad_header(
    runner: CliRunner, db: Database, db_url: str, tmp_path: Path, header: str, message: str
) -> None:
    path = write(tmp_path, "head.csv", header + f"{SELLER},X,1,red\n")
    output = " ".join(run(runner, db_url, "inventory", "import", str(path), code=1).output.split())
    assert "head.csv:1: " + message in output
    assert levels(db) == []


# ------------------------------------------------------------------------------------------------ orders


def create_order(db: Database, order_id: str, quantity: int = 2) -> None:
    request = order_service.CreateOrderRequest(
        seller_order_id=order_id,
        displayable_order_id=f"WEB-{order_id}",
        displayable_order_at=datetime(2026, 11, 23, 15, 58, 40, tzinfo=UTC),
        displayable_order_comment="Thanks",
        shipping_speed="Expedited",
        destination=SEATTLE,
        items=(order_service.ItemRequest("MUG", f"{order_id}-1", quantity),),
    )
    order_service.create_fulfillment_order(db, CALLER, request, datetime.now(UTC))


def test_orders_list(runner: CliRunner, db: Database, db_url: str) -> None:
    run(runner, db_url, "inventory", "set", SELLER, "MUG", "10", "--fc", "BFI4")
    create_order(db, "CLI-1")
    create_order(db, "CLI-2")
    order_service.cancel_fulfillment_order(db, SELLER, "CLI-2", datetime.now(UTC))
    output = run(runner, db_url, "orders", "list", SELLER).output
    lines = output.splitlines()
    first = next(line for line in lines if "CLI-1" in line)
    second = next(line for line in lines if "CLI-2" in line)
    assert lines.index(first) < lines.index(second)  # oldest status change first
    assert "RECEIVED" in first and "Expedited" in first and "Seattle WA US" in first
    assert "CANCELLED" in second
    later = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert "CLI-1" not in run(runner, db_url, "orders", "list", SELLER, "--since", later).output
    bad = run(runner, db_url, "orders", "list", SELLER, "--since", "soon", code=2)
    assert "--since" in bad.output
    other = run(runner, db_url, "orders", "list", "A0NOBODY", code=1).output
    assert "CLI-1" not in other and "unknown seller A0NOBODY" in other


def test_orders_show(runner: CliRunner, db: Database, db_url: str) -> None:
    run(runner, db_url, "inventory", "set", SELLER, "MUG", "10", "--fc", "BFI4")
    create_order(db, "SHOW-1", quantity=3)
    output = run(runner, db_url, "orders", "show", SELLER, "SHOW-1").output
    assert "SHOW-1" in output and "RECEIVED" in output and "Expedited" in output and "FillOrKill" in output
    assert "Jane Doe" in output and "Seattle" in output
    line = next(row for row in output.splitlines() if "SHOW-1-1" in row)
    assert [c.strip() for c in line.split("│")[1:6]] == ["SHOW-1-1", "MUG", "3", "0", "0"]
    assert "shipments" not in output

    # once it has a shipment with a package, show prints it
    with db.transaction() as conn:
        stored = order_store.load_order(conn, SELLER, "SHOW-1")
        assert stored is not None
        now = datetime.now(UTC)
        shipment = Shipment(
            "DkTw7JbSN",
            "BFI4",
            SHIPPED,
            now,
            now + timedelta(days=3),
            [ShipmentItem("MUG", "SHOW-1-1", 3, 185528137)],
            [Package(185528137, "UPS", "1Z9A38W40312345678", now + timedelta(days=3))],
        )
        order_store.insert_shipment(conn, stored.id, SELLER, shipment)
    shown = run(runner, db_url, "orders", "show", SELLER, "SHOW-1").output
    assert "shipments" in shown and "DkTw7JbSN" in shown and "SHIPPED" in shown
    assert "185528137 UPS 1Z9A38W40312345678" in shown and "SHOW-1-1×3" in shown

    missing = run(runner, db_url, "orders", "show", SELLER, "NOPE", code=1)
    assert f"seller {SELLER} has no order NOPE" in missing.output
    foreign = run(runner, db_url, "orders", "show", "A0NOBODY", "SHOW-1", code=1)
    assert "unknown seller A0NOBODY" in foreign.output and "SHOW-1" not in foreign.output
