"""The journeys planned today are the journeys recorded in tests/fixtures/golden_journeys.json: same seed and
inputs, same draws, same events, signer and place, and the same stored text."""

from __future__ import annotations

from dataclasses import replace

from outbound.store.journeys import journey_from_json, journey_to_json
from tests.journey_golden import CASES, load, plain, plan


def test_the_recorded_journeys_are_planned_again() -> None:
    recorded = load()
    assert len(recorded) == CASES
    outcomes = set()
    for entry in recorded:
        journey = plan(entry["inputs"])
        assert plain(journey) == entry["journey"], entry["inputs"]
        outcomes.add(journey.outcome)
    assert len(outcomes) == 6  # every outcome is covered


def test_the_recorded_journeys_are_stored_as_before() -> None:
    for entry in load():
        journey = plan(entry["inputs"])
        assert journey_to_json(journey) == entry["stored"]
        assert journey.promised_arrival is not None
        whole_seconds = journey.promised_arrival.replace(microsecond=0)  # the stored form keeps whole seconds
        assert journey_from_json(entry["stored"]) == replace(journey, promised_arrival=whole_seconds)
