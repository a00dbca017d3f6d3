"""World data shipped with the package: marketplaces and fulfillment centers (``data/*.json``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


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


def load_json(name: str) -> Any:
    return json.loads((resources.files("outbound.data") / f"{name}.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class World:
    marketplaces: dict[str, Marketplace]
    centers: dict[str, FulfillmentCenter]

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
