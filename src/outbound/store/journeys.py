"""How a package's journey is kept in the store (the ``packages.journey`` column): compact JSON text.

Two forms, told apart by their ``v``: the engine writes a package's :class:`~outbound.domain.tracking.JourneyInputs`
(``v`` 2, :func:`inputs_to_json`), from which reading plans the journey again (planning is deterministic); a whole
planned journey (``v`` 1, :func:`journey_to_json`) reads back as it was written. Times go through
``store/moments.py``: inputs to the microsecond (the plan must come out the same), events in whole seconds.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from outbound.domain.tracking import DEFAULT_RATES, Journey, JourneyInputs, Rates, TrackingEvent
from outbound.store import moments

JSON_VERSION = 1
INPUTS_VERSION = 2

_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # json.dumps with these makes one a call
_RATE_FIELDS = ("delay", "failed_attempt", "undeliverable", "returned_to_seller", "lost")


def journey_to_json(journey: Journey) -> str:
    """A compact JSON form of the journey (events as ``[time, code, city, state, country]``)."""
    stamp = moments.stamp
    data = {
        "v": JSON_VERSION,
        "outcome": journey.outcome,
        "delivered_at": stamp(journey.delivered_at),
        "signed_for_by": journey.signed_for_by,
        "additional_location_info": journey.additional_location_info,
        "promised_arrival": stamp(journey.promised_arrival),
        "events": [[stamp(e.at), e.code, e.city, e.state, e.country] for e in journey.events],
    }
    return _COMPACT.encode(data)


@lru_cache(maxsize=4096)
def journey_from_json(text: str) -> Journey:
    """The journey :func:`journey_to_json` wrote, or the one planned from what :func:`inputs_to_json` wrote.

    Kept for the most recent packages: planning takes ~0.1 ms, clients poll the same packages, and a ``Journey`` is
    immutable, so every reader can share it."""
    data = json.loads(text)
    if data.get("v") == INPUTS_VERSION:
        return _inputs_from(data).plan()
    if data.get("v") != JSON_VERSION:
        raise ValueError(f"unknown journey format {data.get('v')!r}")
    parse = moments.parse_utc
    events = []
    for at, code, city, state, country in data["events"]:
        moment = parse(at)
        assert moment is not None
        events.append(TrackingEvent(moment, code, city, state, country))
    return Journey(
        tuple(events),
        parse(data.get("delivered_at")),
        data.get("signed_for_by"),
        data.get("additional_location_info"),
        data["outcome"],
        parse(data.get("promised_arrival")),
    )


def inputs_to_json(inputs: JourneyInputs) -> str:
    """A compact JSON form of the inputs (times to the microsecond, so the plan is the same when read back)."""
    exact = moments.exact
    data: dict[str, Any] = {
        "v": INPUTS_VERSION,
        "seed": inputs.seed,
        "ship_at": exact(inputs.ship_at),
        "center": inputs.center,
        "city": inputs.destination_city,
        "state": inputs.destination_state,
        "country": inputs.destination_country,
        "point": inputs.destination_point,
        "promised": exact(inputs.promised_arrival),
        "force": inputs.force,
        "earliest": exact(inputs.earliest_arrival) if inputs.earliest_arrival else None,
    }
    if inputs.signature:  # only when set: the packages stored before keep their text
        data["signature"] = True
    if inputs.rates != DEFAULT_RATES:
        data["rates"] = [getattr(inputs.rates, name) for name in _RATE_FIELDS]
    return _COMPACT.encode(data)


def _inputs_from(data: Mapping[str, Any]) -> JourneyInputs:
    point = data.get("point")
    rates = data.get("rates")
    earliest = data.get("earliest")
    return JourneyInputs(
        seed=data["seed"],
        ship_at=moments.parse(data["ship_at"]),
        center=data["center"],
        destination_city=data.get("city"),
        destination_state=data.get("state"),
        destination_country=data["country"],
        destination_point=(point[0], point[1]) if point is not None else None,
        promised_arrival=moments.parse(data["promised"]),
        rates=Rates(**dict(zip(_RATE_FIELDS, rates, strict=True))) if rates is not None else DEFAULT_RATES,
        force=data.get("force"),
        earliest_arrival=moments.parse(earliest) if earliest is not None else None,
        signature=bool(data.get("signature", False)),
    )
