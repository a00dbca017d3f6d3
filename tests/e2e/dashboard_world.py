"""A small network for the dashboard tests: two sellers, stock at two centers, orders at several stages (one
shipped with a package on its way, one waiting to be planned, one whose comment holds markup), all on the virtual
clock started at ``T0``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from outbound.service.accounts import Caller, add_seller
from outbound.store import Database
from tests.helpers import (
    CALLER,
    SELLER,
    advance,
    create,
    get,
    line,
    start_clock,
    stock,
)

OTHER_SELLER = "A1OTHERSELLER9"
OTHER_KEY = "AKIAOTHERKEYEXAMPLE1"
OTHER_SECRET = "otherSecretKeyExampleValue000000000000000"
OTHER = Caller(OTHER_KEY, OTHER_SELLER, "ATVPDKIKX0DER")
SCRIPT_COMMENT = "<script>document.title='pwned'</script> & thanks"


@dataclass(frozen=True)
class World:
    shipped: str  # an order whose shipment has left (a package with a tracking timeline)
    fresh: str  # an order received at the current instant, still RECEIVED
    other: str  # the other seller's order
    package_number: int
    tracking_number: str


def build(db: Database) -> World:
    """Seeds ``db`` (emptied, with the example seller) and leaves the clock where ``fresh`` was just received."""
    start_clock(db)
    add_seller(db, OTHER_SELLER, OTHER_KEY, OTHER_SECRET)
    stock(db, "TEA-1", 50)
    stock(db, "TEA-2", 20, fc="PHX6")
    stock(db, "MUG-9", 10, seller=OTHER_SELLER)
    create(db, "SHIP-1", line("TEA-1", "1", 2))
    create(db, "MARKUP-1", line("TEA-2", "1", 1), displayable_order_comment=SCRIPT_COMMENT, shipping_speed="Expedited")
    create(db, "OTHER-1", line("MUG-9", "1", 1), caller=OTHER)
    advance(db, timedelta(days=2))  # SHIP-1 and MARKUP-1 ship
    create(db, "FRESH-1", line("TEA-1", "1", 1), caller=CALLER)
    shipped = get(db, "SHIP-1")
    package = shipped.shipments[0].packages[0]
    assert package.tracking_number is not None
    return World("SHIP-1", "FRESH-1", "OTHER-1", package.package_number, package.tracking_number)


__all__ = ["OTHER_SELLER", "SCRIPT_COMMENT", "SELLER", "World", "build"]
