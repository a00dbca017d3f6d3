"""Allocation: which fulfillment centers ship which units of an order.

The rule (docs/world.md): prefer the center nearest the destination that holds every unit; otherwise the fewest centers
that together hold them; never split one order line's units across more centers than needed.

How it is done, deterministically:

1. Candidate centers are ranked by great-circle distance to the destination, then by code (by code alone when the
   destination is unknown). Only the centers passed in are considered; stock held elsewhere is ignored.
2. Demand is summed per SKU, so two lines with the same SKU never count the same stock twice.
3. Centers are chosen by greedy set cover: repeatedly take the center that covers the most still-needed units
   (ties: the nearer, then the lower code). A center holding every unit covers everything, so the nearest such
   center is taken first and alone. Stop when nothing is needed or no center adds anything.
4. Units are then assigned to lines, SKU by SKU, within the chosen centers only. When a SKU is short, the earlier
   lines are served first and the shortfall lands on the later ones. Lines are placed largest first; a line goes
   whole to the first (nearest) chosen center that can take all of it; a line no single center can take is split,
   taking the biggest available chunk first, which uses the fewest centers for that line.
5. Output: one :class:`PlannedShipment` per center actually used, ordered by rank; its picks in line order (a line
   appears once per center it draws from). ``short`` holds only lines with a shortfall.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from outbound.domain.geo import Point, distance_km
from outbound.domain.world import FulfillmentCenter


@dataclass(frozen=True)
class Line:
    """One order line to allocate: ``item_id`` is the SellerFulfillmentOrderItemId."""

    item_id: str
    sku: str
    quantity: int


@dataclass(frozen=True)
class Pick:
    """Units of one line taken from one center."""

    item_id: str
    sku: str
    quantity: int


@dataclass(frozen=True)
class PlannedShipment:
    fc_code: str
    picks: tuple[Pick, ...]

    @property
    def units(self) -> int:
        return sum(p.quantity for p in self.picks)


@dataclass(frozen=True)
class Plan:
    """The allocation of an order: its shipments and, per line, the units that could not be allocated."""

    shipments: tuple[PlannedShipment, ...]
    short: Mapping[str, int]  # item_id → units not allocated; only lines with a shortfall

    @property
    def is_complete(self) -> bool:
        """Every unit of every line is allocated."""
        return not self.short

    @property
    def fc_codes(self) -> tuple[str, ...]:
        return tuple(s.fc_code for s in self.shipments)

    def allocated(self, item_id: str) -> int:
        """Units of a line allocated, over all shipments."""
        return sum(p.quantity for s in self.shipments for p in s.picks if p.item_id == item_id)


def rank_centers(centers: Sequence[FulfillmentCenter], destination: Point | None) -> list[FulfillmentCenter]:
    """Centers nearest first (ties and unknown destination: by code). Duplicates (same code) are dropped."""
    unique = list({c.code: c for c in centers}.values())
    if destination is None:
        return sorted(unique, key=lambda c: c.code)
    return sorted(unique, key=lambda c: (distance_km((c.lat, c.lon), destination), c.code))


def allocate(
    lines: Sequence[Line],
    stock: Mapping[str, Mapping[str, int]],
    centers: Sequence[FulfillmentCenter],
    destination: Point | None,
) -> Plan:
    """Allocate ``lines`` to ``centers`` from ``stock`` (fc_code → sku → available units). Pure and deterministic."""
    # a center with no stock row covers nothing and is never chosen: only the others are ranked and weighed
    ranked = [c.code for c in rank_centers([c for c in centers if c.code in stock], destination)]
    position = {code: n for n, code in enumerate(ranked)}
    available = {code: {sku: max(0, int(n)) for sku, n in stock.get(code, {}).items()} for code in ranked}

    demand: dict[str, int] = {}
    for line in lines:
        if line.quantity > 0:
            demand[line.sku] = demand.get(line.sku, 0) + line.quantity

    chosen = _choose_centers(ranked, available, demand)

    taken: dict[int, dict[str, int]] = {}  # line index → fc_code → units
    short: dict[str, int] = {}
    for sku in sorted(demand):
        sku_lines = [(n, line) for n, line in enumerate(lines) if line.sku == sku and line.quantity > 0]
        capacity = {code: available[code].get(sku, 0) for code in chosen}
        supply = sum(capacity.values())
        served: dict[int, int] = {}
        for n, line in sku_lines:  # earlier lines first; the shortfall falls on the later ones
            served[n] = min(line.quantity, supply)
            supply -= served[n]
            if served[n] < line.quantity:
                short[line.item_id] = short.get(line.item_id, 0) + line.quantity - served[n]
        for n, _line in sorted(sku_lines, key=lambda pair: (-served[pair[0]], pair[0])):
            if served[n]:
                taken[n] = _place(served[n], capacity, chosen)

    shipments = []
    for code in sorted({code for parts in taken.values() for code in parts}, key=position.__getitem__):
        picks = tuple(
            Pick(line.item_id, line.sku, taken[n][code])
            for n, line in enumerate(lines)
            if n in taken and taken[n].get(code)
        )
        shipments.append(PlannedShipment(code, picks))
    return Plan(tuple(shipments), short)


def _choose_centers(
    ranked: list[str], available: Mapping[str, Mapping[str, int]], demand: Mapping[str, int]
) -> list[str]:
    """Greedy set cover by units covered; ties by rank (distance, then code). Returns the centers in rank order."""
    needed = dict(demand)
    chosen: list[str] = []
    while any(needed.values()):
        best, best_cover = None, 0
        for code in ranked:
            if code in chosen:
                continue
            cover = sum(min(available[code].get(sku, 0), n) for sku, n in needed.items())
            if cover > best_cover:  # strictly more: the earlier (nearer) center keeps a tie
                best, best_cover = code, cover
        if best is None:
            break
        chosen.append(best)
        for sku, n in needed.items():
            needed[sku] = n - min(available[best].get(sku, 0), n)
    rank = {code: n for n, code in enumerate(ranked)}
    return sorted(chosen, key=rank.__getitem__)


def _place(quantity: int, capacity: dict[str, int], chosen: list[str]) -> dict[str, int]:
    """Take ``quantity`` units from ``capacity`` (mutated): whole from the nearest center that can, else fewest."""
    for code in chosen:
        if capacity[code] >= quantity:
            capacity[code] -= quantity
            return {code: quantity}
    parts: dict[str, int] = {}
    order = {code: n for n, code in enumerate(chosen)}
    while quantity > 0:
        code = min((c for c in chosen if capacity[c] > 0), key=lambda c: (-capacity[c], order[c]))
        units = min(quantity, capacity[code])
        capacity[code] -= units
        parts[code] = units
        quantity -= units
    return parts
