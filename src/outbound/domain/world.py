"""World data shipped with the package: marketplaces, fulfillment centers and shipping speeds (``data/*.json``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from functools import cache
from importlib import resources
from typing import Any

from outbound.domain.orders import EXPEDITED, PRIORITY, SCHEDULED_DELIVERY, STANDARD


@dataclass(frozen=True, slots=True)
class Marketplace:
    marketplace_id: str
    country: str  # the marketplace key (UK for the United Kingdom)
    country_code: str  # ISO 3166-1 alpha-2, as addresses carry it (GB)
    currency: str
    default_language: str
    time_zone: str
    outbound_available: bool
    returns_available: bool
    cod_and_scheduled_delivery: bool


@dataclass(frozen=True, slots=True)
class FulfillmentCenter:
    code: str
    country: str
    city: str
    state_or_region: str
    postal_code: str
    lat: float
    lon: float
    time_zone: str
    handles_returns: bool

    @property
    def country_code(self) -> str:
        """The ISO country, as addresses carry it (the data writes the United Kingdom's centers as UK: GB)."""
        return "GB" if self.country == "UK" else self.country


def load_json(name: str) -> Any:
    return json.loads((resources.files("outbound.data") / f"{name}.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class World:
    marketplaces: dict[str, Marketplace]
    centers: dict[str, FulfillmentCenter]
    _by_country: dict[str, tuple[FulfillmentCenter, ...]] = field(default_factory=dict, compare=False, repr=False)

    def centers_in(self, country_code: str) -> list[FulfillmentCenter]:
        """The fulfillment centers of one (ISO) country: those that serve its marketplace (looked up once per
        country: the world data does not change while serving)."""
        found = self._by_country.get(country_code)
        if found is None:
            found = tuple(c for c in self.centers.values() if c.country_code == country_code)
            self._by_country[country_code] = found
        return list(found)

    @classmethod
    @cache
    def load(cls) -> World:
        marketplaces = {
            m["marketplace_id"]: Marketplace(
                m["marketplace_id"],
                m["country"],
                m["country_code"],
                m["currency"],
                m["default_language"],
                m["time_zone"],
                m["outbound_available"],
                m["returns_available"],
                m["cod_and_scheduled_delivery"],
            )
            for m in load_json("marketplaces")["marketplaces"]
        }
        centers = {
            c["code"]: FulfillmentCenter(
                c["code"],
                c["country"],
                c["city"],
                c["state_or_region"],
                c["postal_code"],
                float(c["lat"]),
                float(c["lon"]),
                c["time_zone"],
                bool(c["handles_returns"]),
            )
            for c in load_json("fulfillment_centers")["centers"]
        }
        return cls(marketplaces, centers)


WORLD = World.load()


SPEED_ORDER = (STANDARD, EXPEDITED, PRIORITY, SCHEDULED_DELIVERY)
"""Every ShippingSpeedCategory, in the order offered speeds are listed."""


@dataclass(frozen=True, slots=True)
class ShippingSpeeds:
    """``data/shipping_speeds.json`` typed: transit business days, order cut-offs, JP delivery windows."""

    transit: Mapping[str, Mapping[str, tuple[int, int]]]  # marketplace key (UK, not GB) or "default" → speed → range
    cutoffs: Mapping[str, time]  # speed → local order cut-off at the shipping center
    delivery_windows: tuple[tuple[time, time], ...]  # JP ScheduledDelivery windows, local (Asia/Tokyo) times

    def transit_days(self, marketplace_country: str) -> Mapping[str, tuple[int, int]]:
        """Speed → (earliest, latest) business days in transit for a marketplace key; the default row otherwise."""
        return self.transit.get(marketplace_country, self.transit["default"])


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


@cache
def shipping_speeds() -> ShippingSpeeds:
    raw = load_json("shipping_speeds")
    transit = {
        country: {speed: (int(days[0]), int(days[1])) for speed, days in speeds.items()}
        for country, speeds in raw["business_days_in_transit"].items()
    }
    cutoffs = {speed: _clock(text) for speed, text in raw["order_cutoff_local_time"].items()}
    windows = tuple(
        (_clock(start), _clock(end)) for start, end in (w.split("-") for w in raw["jp_scheduled_delivery_windows"])
    )
    return ShippingSpeeds(transit, cutoffs, windows)
