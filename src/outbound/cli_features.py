"""``outbound feature``: a seller's enrolment in fulfillment features per marketplace, and each SKU's eligibility.

Registered on the main command group by ``cli.py``; the store is opened the way every command opens it.
"""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from outbound.config import Settings
from outbound.domain.errors import InvalidValue
from outbound.domain.features import FEATURES
from outbound.service import features as feature_service
from outbound.sim import clock as clocks
from outbound.store import Database

console = Console()


def _open(db_url: str | None) -> Database:
    from outbound.cli import open_db  # at call time: cli.py imports this module to register the group

    return open_db(db_url)


def _refused(exc: InvalidValue) -> click.ClickException:
    reason = f": {exc.reason}" if exc.reason else ""
    return click.ClickException(f"invalid {exc.field} {exc.value!r}{reason}")


db_option = click.option(
    "--db", "db_url", envvar="OUTBOUND_DATABASE_URL", default=None, help="Database URL (default ./outbound.db)."
)
feature_names = click.argument("names", metavar="FEATURE...", nargs=-1, required=True)


@click.group("feature")
def feature() -> None:
    """Fulfillment features (BLOCK_AMZL, BLANK_BOX, SIGNATURE_CONFIRMATION): enrolment and SKU eligibility."""


def _enrol(seller_id: str, marketplace_id: str, names: tuple[str, ...], db_url: str | None, enrolled: bool) -> None:
    db = _open(db_url)
    try:
        now = clocks.build(Settings.from_env().clock, db).now()
        found = feature_service.set_enrolment(db, seller_id, marketplace_id, names, enrolled, now)
    except InvalidValue as exc:
        raise _refused(exc) from None
    finally:
        db.dispose()
    table = Table("feature", "enrolled", title=f"features of {seller_id} in {marketplace_id}")
    for item in found:
        table.add_row(item.name, "yes" if item.seller_eligible else "no")
    console.print(table)


@feature.command("enroll")
@click.argument("seller_id")
@click.option("--marketplace", "marketplace_id", required=True, help="MarketplaceId.")
@feature_names
@db_option
def enroll(seller_id: str, marketplace_id: str, names: tuple[str, ...], db_url: str | None) -> None:
    """Enrol SELLER_ID in FEATURE... in a marketplace (sellers are enrolled in every offered feature at first)."""
    _enrol(seller_id, marketplace_id, names, db_url, True)


@feature.command("unenroll")
@click.argument("seller_id")
@click.option("--marketplace", "marketplace_id", required=True, help="MarketplaceId.")
@feature_names
@db_option
def unenroll(seller_id: str, marketplace_id: str, names: tuple[str, ...], db_url: str | None) -> None:
    """Withdraw SELLER_ID from FEATURE... in a marketplace: none of its units may then serve them there."""
    _enrol(seller_id, marketplace_id, names, db_url, False)


@feature.command("sku")
@click.argument("seller_id")
@click.argument("sku")
@click.argument("name", metavar="FEATURE", type=click.Choice(FEATURES))
@click.option("--eligible/--ineligible", required=True, help="Whether the SKU's units may serve the feature.")
@db_option
def sku(seller_id: str, sku: str, name: str, eligible: bool, db_url: str | None) -> None:
    """Make SKU of SELLER_ID eligible or not for FEATURE (SKUs are eligible for every feature at first)."""
    db = _open(db_url)
    try:
        now = clocks.build(Settings.from_env().clock, db).now()
        feature_service.set_sku_eligibility(db, seller_id, sku, name, eligible, now)
    except InvalidValue as exc:
        raise _refused(exc) from None
    finally:
        db.dispose()
    console.print(f"{seller_id} {sku}: {name} {'eligible' if eligible else 'not eligible'}")
