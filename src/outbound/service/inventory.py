"""The seller's catalog and stock: ``outbound inventory set`` and ``outbound inventory import``."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import Connection

from outbound.domain.returns import CATEGORY_CODES
from outbound.domain.world import WORLD
from outbound.store import Database
from outbound.store import accounts as account_store
from outbound.store import inventory as store

DEFAULT_WEIGHT_LB = Decimal("1.0")
DEFAULT_DIMENSIONS_IN = (Decimal("10"), Decimal("8"), Decimal("4"))
MAX_QUANTITY = 1_000_000_000
MAX_WEIGHT_LB = Decimal(100_000)  # far beyond any parcel, within the store's column
MAX_SIDE_IN = Decimal(10_000)
SKU_LENGTH = 50  # SellerSKU's length in Amazon's models, and the store's column
CSV_COLUMNS = ("seller_id", "sku", "quantity", "fc", "weight_lb", "dimensions_in", "category")


class InventoryError(ValueError):
    """A refused inventory change; ``where`` names the CSV line and column when it came from a file."""

    def __init__(self, message: str, where: str = "", column: str = "") -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.message = message
        self.where = where
        self.column = column  # the CSV column a row-level refusal is about, when known


@dataclass(frozen=True)
class StockChange:
    seller_id: str
    sku: str
    quantity: int
    fc_code: str | None = None
    weight_lb: Decimal | None = None
    dimensions_in: tuple[Decimal, Decimal, Decimal] | None = None
    category: str | None = None  # product category: which return reason codes apply (domain/returns.py)


def fnsku_for(seller_id: str, sku: str) -> str:
    """A stable, Amazon-looking network SKU (``X00`` + 7 characters) for a seller's SKU."""
    digest = int(hashlib.sha1(f"{seller_id}/{sku}".encode()).hexdigest(), 16)
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    tail = ""
    for _ in range(7):
        digest, rest = divmod(digest, 36)
        tail += alphabet[rest]
    return "X00" + tail


def parse_dimensions(text: str) -> tuple[Decimal, Decimal, Decimal]:
    """``LxWxH`` in inches, each positive."""
    parts = text.lower().replace(" ", "").split("x")
    try:
        values = tuple(Decimal(p) for p in parts)
    except InvalidOperation:
        raise InventoryError(f"dimensions must look like 12x8x4, not {text!r}") from None
    if len(values) != 3 or any(not v.is_finite() or v <= 0 for v in values):
        raise InventoryError(f"dimensions must be three positive numbers like 12x8x4, not {text!r}")
    if any(v > MAX_SIDE_IN for v in values):
        raise InventoryError(f"each dimension is at most {MAX_SIDE_IN} inches, not {text!r}")
    return values[0], values[1], values[2]


def spread(quantity: int, centers: list[str]) -> dict[str, int]:
    """Split ``quantity`` as evenly as possible over ``centers`` (the first ones get the remainder)."""
    share, extra = divmod(quantity, len(centers))
    return {code: share + (1 if n < extra else 0) for n, code in enumerate(centers)}


def _apply(conn: Connection, change: StockChange, now: datetime) -> None:
    default_marketplace = account_store.default_marketplace(conn, change.seller_id)
    if default_marketplace is None:
        raise InventoryError(
            f"unknown seller {change.seller_id} (add it with `outbound seller add`)", column="seller_id"
        )
    if not 0 <= change.quantity <= MAX_QUANTITY:
        raise InventoryError(f"quantity must be 0 to {MAX_QUANTITY:,}, not {change.quantity}", column="quantity")
    if not 0 < len(change.sku) <= SKU_LENGTH or not change.sku.isprintable():
        raise InventoryError(f"a SKU is 1 to {SKU_LENGTH} printable characters", column="sku")
    if change.category is not None and change.category not in CATEGORY_CODES:
        raise InventoryError(
            f"unknown category {change.category!r} (known: {', '.join(sorted(CATEGORY_CODES))})", column="category"
        )
    country = WORLD.marketplaces[default_marketplace].country_code
    centers = sorted(c.code for c in WORLD.centers_in(country))
    if change.fc_code is not None:
        if change.fc_code not in WORLD.centers:
            raise InventoryError(f"unknown fulfillment center {change.fc_code}", column="fc")
        targets = {change.fc_code: change.quantity}
    elif centers:
        targets = spread(change.quantity, centers)
    else:
        raise InventoryError(f"no fulfillment center serves marketplace {default_marketplace}")
    current = store.load_skus(conn, change.seller_id, [change.sku]).get(change.sku)
    dims = change.dimensions_in or (
        (current.length_in, current.width_in, current.height_in) if current else DEFAULT_DIMENSIONS_IN
    )
    weight = change.weight_lb if change.weight_lb is not None else (current.weight_lb if current else DEFAULT_WEIGHT_LB)
    if not weight.is_finite() or not 0 < weight <= MAX_WEIGHT_LB:
        raise InventoryError(f"weight must be positive (at most {MAX_WEIGHT_LB} lb), not {weight}", column="weight_lb")
    sku = store.Sku(
        change.sku,
        current.fnsku if current else fnsku_for(change.seller_id, change.sku),
        weight,
        *dims,
        current.declared_value if current else None,
        change.category or (current.category if current else "default"),
    )
    store.upsert_sku(conn, change.seller_id, sku, now)
    for fc_code, quantity in targets.items():
        store.set_sellable(conn, change.seller_id, change.sku, fc_code, quantity)


def set_inventory(db: Database, change: StockChange) -> None:
    with db.transaction() as conn:
        _apply(conn, change, datetime.now(UTC))


def read_csv(path: Path) -> Iterator[tuple[int, StockChange]]:
    """Rows of an inventory CSV (header: ``seller_id,sku,quantity[,fc,weight_lb,dimensions_in]``)."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        yield from _rows(handle, str(path))


def _rows(lines: Iterable[str], label: str) -> Iterator[tuple[int, StockChange]]:
    reader = csv.DictReader(lines)
    header = reader.fieldnames or []
    for column in ("seller_id", "sku", "quantity"):
        if column not in header:
            raise InventoryError(f"missing column {column!r}", f"{label}:1")
    for column in header:
        if column not in CSV_COLUMNS:
            raise InventoryError(f"unknown column {column!r} (known: {', '.join(CSV_COLUMNS)})", f"{label}:1")
    for row in reader:
        yield reader.line_num, _row(Path(label), reader.line_num, row)


def _cell(path: Path, line: int, column: str, row: dict[str, str | None]) -> str:
    return (row.get(column) or "").strip()


def _row(path: Path, line: int, row: dict[str, str | None]) -> StockChange:
    def where(column: str) -> str:
        return f"{path}:{line}, column {column}"

    values = {c: _cell(path, line, c, row) for c in CSV_COLUMNS}
    for column in ("seller_id", "sku", "quantity"):
        if not values[column]:
            raise InventoryError("value is missing", where(column))
    if not (values["quantity"].isascii() and values["quantity"].isdigit()):
        raise InventoryError(f"quantity must be a whole number, not {values['quantity']!r}", where("quantity"))
    weight = None
    if values["weight_lb"]:
        try:
            weight = Decimal(values["weight_lb"])
        except InvalidOperation:
            raise InventoryError(f"not a number: {values['weight_lb']!r}", where("weight_lb")) from None
    dims = None
    if values["dimensions_in"]:
        try:
            dims = parse_dimensions(values["dimensions_in"])
        except InventoryError as exc:
            raise InventoryError(exc.message, where("dimensions_in")) from None
    quantity = int(values["quantity"])
    return StockChange(
        values["seller_id"], values["sku"], quantity, values["fc"] or None, weight, dims, values["category"] or None
    )


@dataclass(frozen=True)
class ImportSummary:
    rows: int
    sellers: int
    skus: int
    units: int


def import_csv(db: Database, path: Path, progress: Callable[[int], None] | None = None) -> ImportSummary:
    """Apply every row in one transaction: a bad row refuses the whole file, naming its line and column."""
    return _import(db, list(read_csv(path)), str(path), progress)


def import_text(db: Database, text: str, label: str = "line") -> ImportSummary:
    """The same for a CSV given as text (the admin API's request body); refusals name ``label:LINE``."""
    try:
        changes = list(_rows(io.StringIO(text.removeprefix("\ufeff"), newline=""), label))
    except csv.Error as exc:
        raise InventoryError(f"not a valid CSV: {exc}") from None
    return _import(db, changes, label, None)


def _import(
    db: Database, changes: list[tuple[int, StockChange]], label: str, progress: Callable[[int], None] | None
) -> ImportSummary:
    now = datetime.now(UTC)
    with db.transaction() as conn:
        for line, change in changes:
            try:
                _apply(conn, change, now)
            except InventoryError as exc:
                where = f"{label}:{line}" + (f", column {exc.column}" if exc.column else "")
                raise InventoryError(exc.message, exc.where or where) from None
            if progress is not None:
                progress(1)
    return _summary(c for _, c in changes)


def _summary(changes: Iterable[StockChange]) -> ImportSummary:
    rows = list(changes)
    return ImportSummary(
        len(rows),
        len({c.seller_id for c in rows}),
        len({(c.seller_id, c.sku) for c in rows}),
        sum(c.quantity for c in rows),
    )


def levels(db: Database, seller_id: str, sku: str | None = None) -> list[tuple[str, str, int, int]]:
    with db.read() as conn:
        return store.levels(conn, seller_id, sku)
