"""How planned units become shipments and shipments leave the center: timings, ids and package numbers.

Randomness comes only from :func:`rng_for`, seeded by the order's identity and the step, so the same order run twice
takes the same path (``world.md``: lifecycle timings).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

SHIPMENT_ID_ALPHABET = "BCDFGHJKLMNPQRSTVWXZbcdfghjklmnpqrstvwxz"
PACKAGE_BASE = 185_528_000  # real package numbers looked like 185528000


@dataclass(frozen=True)
class Timings:
    """Estimated lifecycle timings (world.md), scaled by ``multiplier`` (a scenario can slow or speed a seller)."""

    received_to_planning: tuple[float, float] = (1, 5)  # minutes
    planning_to_processing: tuple[float, float] = (15, 90)  # minutes
    processing_to_ship: tuple[float, float] = (60, 240)  # minutes before a shipment may leave, at the earliest
    stock_retry: timedelta = timedelta(hours=1)  # FillAll orders waiting for stock look again this often
    multiplier: float = 1.0

    def scaled(self, multiplier: float) -> Timings:
        return Timings(
            self.received_to_planning,
            self.planning_to_processing,
            self.processing_to_ship,
            self.stock_retry,
            self.multiplier * multiplier,
        )

    def delay(self, rng: random.Random, bounds: tuple[float, float]) -> timedelta:
        return timedelta(minutes=rng.uniform(*bounds) * self.multiplier)


DEFAULT_TIMINGS = Timings()


def rng_for(seller_id: str, seller_order_id: str, step: str) -> random.Random:
    """The random source of one step of one order: same order, same step, same draws."""
    return random.Random(f"{seller_id}/{seller_order_id}/{step}")


def shipment_id(rng: random.Random) -> str:
    """An AmazonShipmentId in the style of real ones (``DnMDLWJWN``): nine consonant letters."""
    choice = rng.choice
    return "D" + "".join([choice(SHIPMENT_ID_ALPHABET) for _ in range(8)])


def package_number(shipment_row_id: int, index: int) -> int:
    """Unique per store: derived from the shipment's row id (up to 8 packages a shipment)."""
    return PACKAGE_BASE + shipment_row_id * 8 + index


def ship_time(rng: random.Random, processing_at: datetime, latest_ship: datetime | None, timings: Timings) -> datetime:
    """When a shipment leaves: after picking and packing, and by its promised latest ship date when possible.

    A whole second (rounded up): the wire's ShippingDateTime has no fraction, and a client that moves the virtual
    clock to it must see the shipment leave.
    """
    earliest = processing_at + timings.delay(rng, timings.processing_to_ship)
    if latest_ship is None or latest_ship <= earliest:
        return _whole_second(earliest)
    span = (latest_ship - earliest).total_seconds()
    return _whole_second(earliest + timedelta(seconds=rng.uniform(0, span * 0.5)))


def _whole_second(moment: datetime) -> datetime:
    return moment if not moment.microsecond else moment.replace(microsecond=0) + timedelta(seconds=1)


def packages_for(units: int) -> int:
    """Units travel in one box, or one box per 10 units for big shipments (at most 8)."""
    return max(1, min(8, (units + 9) // 10))
