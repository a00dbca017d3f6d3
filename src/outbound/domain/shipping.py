"""How planned units become shipments and shipments leave the center: timings, ids and package numbers.

Randomness comes only from :func:`rng_for`, seeded by the order's identity and the step, so the same order run twice
takes the same path (``docs/world.md`` "Lifecycle timings").
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

SHIPMENT_ID_ALPHABET = "BCDFGHJKLMNPQRSTVWXZbcdfghjklmnpqrstvwxz"
PACKAGE_BASE = 185_528_000  # real package numbers looked like 185528000


@dataclass(frozen=True)
class Timings:
    """Estimated lifecycle timings (docs/world.md), scaled by ``multiplier`` (a scenario can slow or speed a seller)."""

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


_MASK = (1 << 64) - 1


class Draws(random.Random):
    """A ``random.Random`` seeded by a text key, cheaply: the key's 64-bit BLAKE2b digest starts a SplitMix64
    sequence. The Mersenne Twister's seeding (its 624 words, ~5 µs) cost more than a step's draws; this one costs
    under a microsecond. Every ``random.Random`` method works (they are built on ``random`` and ``getrandbits``);
    the same key gives the same draws on every platform and Python version."""

    def __init__(self, key: str) -> None:  # not super().__init__: that would seed the Mersenne Twister
        self.gauss_next = None
        self._state = _digest(key)

    def seed(self, a: object = None, version: int = 2) -> None:
        self._state = _digest(repr(a))

    def _next(self) -> int:
        state = self._state = (self._state + 0x9E3779B97F4A7C15) & _MASK
        z = ((state ^ (state >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        return z ^ (z >> 31)

    def random(self) -> float:
        return (self._next() >> 11) * (1.0 / 9007199254740992.0)

    def getrandbits(self, k: int) -> int:
        if k <= 64:
            return self._next() >> (64 - k) if k > 0 else 0
        words = [self._next() for _ in range((k + 63) // 64)]
        return int.from_bytes(b"".join(w.to_bytes(8, "little") for w in words), "little") >> (-k % 64)

    def getstate(self) -> tuple[Any, ...]:
        return (self._state,)

    def setstate(self, state: tuple[Any, ...]) -> None:
        self._state = state[0]


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


def rng_for(seller_id: str, seller_order_id: str, step: str) -> random.Random:
    """The random source of one step of one order: same order, same step, same draws."""
    return Draws(f"{seller_id}/{seller_order_id}/{step}")


def shipment_id(rng: random.Random) -> str:
    """An AmazonShipmentId in the style of real ones (``DnMDLWJWN``): nine consonant letters (one draw, read as
    eight base-40 digits)."""
    size = len(SHIPMENT_ID_ALPHABET)
    value = rng.randrange(size**8)
    letters = []
    for _ in range(8):
        value, digit = divmod(value, size)
        letters.append(SHIPMENT_ID_ALPHABET[digit])
    return "D" + "".join(letters)


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
