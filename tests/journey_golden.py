"""Seeded journey inputs and a plain form of a journey, shared by the golden-journey test and its recorder.

The fixture ``tests/fixtures/golden_journeys.json`` holds, for a few hundred seeded inputs, the journey planning
gave when it was recorded; the test plans them again and wants the very same events, signer and place. Recording
again (``python -m tests.journey_golden``) is only right when a change to the journeys is intended.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from outbound.domain import geo, tracking
from outbound.domain.world import WORLD

FIXTURE = Path(__file__).parent / "fixtures" / "golden_journeys.json"
CASES = 300

_PLACES = {  # (city, state, postal) per ISO country, some without a city or a state
    "US": [("New York", "NY", "10001"), ("Seattle", "WA", "98101"), ("Miami", "FL", "33101"), (None, None, None)],
    "CA": [("Toronto", "ON", "M5V 2T6"), ("Vancouver", "BC", "V6B 1A1")],
    "GB": [("Leeds", "", "LS1 1UR"), ("London", "Greater London", "EC1A 1BB")],
    "DE": [("Berlin", "BE", "10115"), ("Munich", "BY", "80331")],
    "FR": [("Paris", "75", "75001"), ("Lyon", "69", "69001")],
    "IT": [("Milano", "MI", "20121")],
    "ES": [("Madrid", "M", "28001")],
    "NL": [("Amsterdam", "NH", "1012")],
    "JP": [(None, "Tokyo", "100-0001"), (None, "大阪府", "530-0001")],
    "AU": [("Sydney", "NSW", "2000")],
    "MX": [("Monterrey", "NL", "64000")],
    "ZZ": [("Somewhere", "X", None)],
}
_FORCES = [None, None, None, "delivered", "delayed", "failed_attempt", "returned", "undeliverable", "lost"]


def _stamp(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def cases() -> list[dict[str, Any]]:
    """The seeded inputs, as JSON-ready dicts (the same list every time)."""
    rng = random.Random(20261207)
    centers = sorted(WORLD.centers)
    ordered = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
    out: list[dict[str, Any]] = []
    for n in range(CASES):
        center = WORLD.centers[centers[n % len(centers)]]
        home = "GB" if center.country == "UK" else center.country
        country = home if rng.random() < 0.7 else rng.choice(sorted(_PLACES))
        city, state, postal = rng.choice(_PLACES.get(country, _PLACES["ZZ"]))
        sent_country = "UK" if country == "GB" and rng.random() < 0.5 else country
        point = geo.destination_point(country, state, postal) if rng.random() < 0.8 else None
        ship_at = ordered + timedelta(hours=rng.uniform(0, 72), microseconds=rng.randrange(1_000_000))
        promised = ship_at + timedelta(hours=rng.choice([-20, 20, 36, 48, 60, 96, 120, 168]) + rng.uniform(0, 10))
        earliest = promised - timedelta(hours=rng.uniform(12, 60)) if rng.random() < 0.6 else None
        rates = rng.choice([None, None, [0.2, 0.2, 0.1, 0.1, 0.05]])
        out.append(
            {
                "seed": n if n % 3 == 0 else f"A2NKEXAMPLEF53/ORDER-{n}/pkg/{n % 4}",
                "ship_at": _stamp(ship_at),
                "center": center.code,
                "city": city,
                "state": state,
                "country": sent_country,
                "point": list(point) if point is not None else None,
                "promised": _stamp(promised),
                "earliest": _stamp(earliest),
                "rates": rates,
                "force": rng.choice(_FORCES),
            }
        )
    return out


def plan(case: dict[str, Any]) -> tracking.Journey:
    rates = tracking.DEFAULT_RATES
    if case["rates"] is not None:
        rates = tracking.Rates(*case["rates"])
    point = case["point"]
    return tracking.plan_journey(
        case["seed"],
        datetime.fromisoformat(case["ship_at"]),
        WORLD.centers[case["center"]],
        case["city"],
        case["state"],
        case["country"],
        (point[0], point[1]) if point is not None else None,
        datetime.fromisoformat(case["promised"]),
        rates,
        case["force"],
        earliest_arrival=datetime.fromisoformat(case["earliest"]) if case["earliest"] else None,
    )


def plain(journey: tracking.Journey) -> dict[str, Any]:
    """Everything a journey holds, in JSON's terms."""
    return {
        "events": [[_stamp(e.at), e.code, e.city, e.state, e.country] for e in journey.events],
        "delivered_at": _stamp(journey.delivered_at),
        "signed_for_by": journey.signed_for_by,
        "additional_location_info": journey.additional_location_info,
        "outcome": journey.outcome,
        "promised_arrival": _stamp(journey.promised_arrival),
    }


def record() -> None:
    """Write the fixture: one case a line (its inputs, the planned journey, and the journey as the store keeps it)."""
    from outbound.store.journeys import journey_to_json

    lines = []
    for case in cases():
        journey = plan(case)
        found = {"inputs": case, "journey": plain(journey), "stored": journey_to_json(journey)}
        lines.append(json.dumps(found, ensure_ascii=False, separators=(",", ":")))
    FIXTURE.write_text("[\n" + ",\n".join(lines) + "\n]\n", encoding="utf-8")


def load() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return found


if __name__ == "__main__":
    record()
