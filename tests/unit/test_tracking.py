"""Package journeys (domain/tracking.py): events, statuses, timing against the promise, storage."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from outbound.domain import geo, tracking
from outbound.domain.promise import Promise, promise
from outbound.domain.tracking import (
    ADDITIONAL_LOCATION_INFO,
    CURRENT_STATUSES,
    HUBS,
    MWS_EVENT_CODES,
    Journey,
    Rates,
    additional_location_info,
    current_status,
    estimated_arrival,
    plan_journey,
    signed_for_by,
    visible_events,
)
from outbound.domain.world import WORLD, FulfillmentCenter, Marketplace, load_json
from outbound.store.journeys import INPUTS_VERSION, inputs_to_json, journey_from_json, journey_to_json

US = next(m for m in WORLD.marketplaces.values() if m.country == "US")
BFI4 = WORLD.centers["BFI4"]
ORDERED = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)  # a Monday
DESTINATIONS = [  # (city, state, postal code) in the US
    ("New York", "NY", "10001"),
    ("Seattle", "WA", "98101"),
    ("Miami", "FL", "33101"),
    ("Denver", "CO", "80202"),
    ("Austin", "TX", "78701"),
    ("Boston", "MA", "02108"),
    ("Fresno", "CA", "93650"),
    ("Chicago", "IL", "60601"),
]
FORCED_FINAL = {
    "delivered": "DELIVERED",
    "delayed": "DELIVERED",
    "failed_attempt": "DELIVERED",
    "returned": "RETURNED",
    "undeliverable": "UNDELIVERABLE",
    "lost": "UNDELIVERABLE",  # EVENT_409 leads to UNDELIVERABLE in data/tracking_events.json
}
EVENTS_DATA = load_json("tracking_events")


def the_promise(
    center: FulfillmentCenter = BFI4, marketplace: Marketplace = US, speed: str = "Standard", where: str = "NY"
) -> Promise:
    found = promise(center, marketplace, speed, ORDERED, geo.destination_point(marketplace.country_code, where, None))
    assert found is not None
    return found


def journey(
    seed: int | str,
    force: str | None = None,
    rates: Rates = tracking.DEFAULT_RATES,
    destination: tuple[str, str, str] = DESTINATIONS[0],
    center: FulfillmentCenter = BFI4,
    speed: str = "Standard",
) -> tuple[Journey, Promise, datetime]:
    city, state, postal = destination
    window = the_promise(center, US, speed, state)
    ship_at = window.earliest_ship + timedelta(hours=14)
    planned = plan_journey(
        seed,
        ship_at,
        center,
        city,
        state,
        "US",
        geo.destination_point("US", state, postal),
        window.latest_arrival,
        rates,
        force,
        earliest_arrival=window.earliest_arrival,
    )
    return planned, window, ship_at


def assert_well_formed(j: Journey) -> None:
    assert j.events
    assert j.outcome in tracking.OUTCOMES
    for before, after in zip(j.events, j.events[1:], strict=False):
        assert before.at < after.at
    for event in j.events:
        assert event.code in MWS_EVENT_CODES
        assert event.city and event.state and event.country
        assert len(event.country) == 2 and event.country.isupper() and event.country != "UK"
        assert event.at.tzinfo is not None and event.at.microsecond == 0
        assert tracking.status_after(event.code) in CURRENT_STATUSES
    assert [e.code for e in j.events[:3]] == ["EVENT_101", "EVENT_102", "EVENT_202"]


# --------------------------------------------------------------------------------------------- enumerations


def test_the_mws_enumerations() -> None:
    assert len(MWS_EVENT_CODES) == 33
    assert "EVENT_801" not in MWS_EVENT_CODES and "EVENT_804" not in MWS_EVENT_CODES
    assert len(CURRENT_STATUSES) == 8
    assert len(ADDITIONAL_LOCATION_INFO) == 26
    assert {name for name, _weight in tracking.LEFT_AT} <= set(ADDITIONAL_LOCATION_INFO)


def test_status_after_follows_the_data_and_covers_every_code() -> None:
    for code, status in EVENTS_DATA["current_status_after"].items():
        assert tracking.status_after(code) == status
    for code in MWS_EVENT_CODES:
        assert tracking.status_after(code) in CURRENT_STATUSES
    assert tracking.status_after("EVENT_418") == "DELAYED"


# ------------------------------------------------------------------------------------------- reproducibility


def test_same_seed_same_journey() -> None:
    first, _, _ = journey(42)
    again, _, _ = journey(42)
    assert first == again
    assert journey_to_json(first) == journey_to_json(again)
    named, _, _ = journey("A2NKEXAMPLEF53/MCF-1001/185528137")
    assert named == journey("A2NKEXAMPLEF53/MCF-1001/185528137")[0]


def test_different_seeds_differ() -> None:
    journeys = {journey_to_json(journey(seed)[0]) for seed in range(30)}
    assert len(journeys) == 30


# -------------------------------------------------------------------------------------------------- shapes


@pytest.mark.parametrize("force", sorted(FORCED_FINAL))
@pytest.mark.parametrize("destination", DESTINATIONS, ids=lambda d: d[0])
def test_every_journey_is_well_formed(force: str, destination: tuple[str, str, str]) -> None:
    for seed in range(5):
        j, _, ship_at = journey(seed, force, destination=destination)
        assert_well_formed(j)
        assert j.events[0].at == ship_at.replace(microsecond=0)
        assert tracking.final_status(j) == FORCED_FINAL[force]


def test_first_events_at_the_center() -> None:
    j, _, _ = journey(3)
    for event in j.events[:3]:  # EVENT_101, EVENT_102 and the departure scan
        assert (event.city, event.state, event.country) == ("Kent", "WA", "US")


def test_one_or_two_real_hubs_and_the_destination_last() -> None:
    hub_cities = {hub.city for hub in HUBS["US"]}
    counts = set()
    for destination in DESTINATIONS:
        for seed in range(20):
            j, _, _ = journey(seed, "delivered", destination=destination)
            stops = [e for e in j.events[3:] if e.city != destination[0]]
            hubs = {e.city for e in stops}
            assert hubs <= hub_cities
            assert 1 <= len(hubs) <= 2, [(e.code, e.city) for e in j.events]
            counts.add(len(hubs))
            for event in j.events:
                if event.code in ("EVENT_302", "EVENT_301"):
                    assert (event.city, event.state, event.country) == (destination[0], destination[1], "US")
            assert j.events[-1].code == "EVENT_301"
    assert counts == {1, 2}


def test_long_routes_pass_two_hubs() -> None:
    j, _, _ = journey(1, "delivered", destination=("Miami", "FL", "33101"))  # Kent WA → Miami FL
    assert len({e.city for e in j.events if e.code == "EVENT_201"} - {"Miami"}) == 2


# --------------------------------------------------------------------------------------------------- timing


def test_about_95_percent_of_standard_packages_arrive_in_the_window() -> None:
    on_time = 0
    outcomes: dict[str, int] = {}
    for seed in range(1000):
        j, window, _ = journey(seed, destination=DESTINATIONS[seed % len(DESTINATIONS)])
        outcomes[j.outcome] = outcomes.get(j.outcome, 0) + 1
        if j.delivered_at is not None and window.earliest_arrival <= j.delivered_at <= window.latest_arrival:
            on_time += 1
    assert on_time >= 900
    assert on_time < 1000  # the rates do bite
    assert outcomes["delivered"] > 900 and outcomes.get("delayed_delivered", 0) > 5


@pytest.mark.parametrize("speed", ["Standard", "Expedited", "Priority"])
def test_without_mishaps_every_package_is_on_time(speed: str) -> None:
    never = Rates(0, 0, 0, 0, 0)
    for seed in range(150):
        j, window, ship_at = journey(seed, rates=never, destination=DESTINATIONS[seed % len(DESTINATIONS)], speed=speed)
        assert j.outcome == "delivered"
        assert j.delivered_at is not None
        assert window.earliest_arrival <= j.delivered_at <= window.latest_arrival, (seed, j.delivered_at, window)
        assert j.delivered_at > ship_at


def test_deliveries_happen_in_working_hours() -> None:
    for seed in range(200):
        j, _, _ = journey(seed, "delivered", destination=("New York", "NY", "10001"))
        assert j.delivered_at is not None
        local_hour = (j.delivered_at - timedelta(hours=5)).hour  # EST; solar time is 5 minutes off
        assert 7 <= local_hour <= 21


def test_rates_pick_the_outcome() -> None:
    always = {
        "delayed_delivered": Rates(1, 0, 0, 0, 0),
        "failed_attempt_delivered": Rates(0, 1, 0, 0, 0),
        "undeliverable": Rates(0, 0, 1, 0, 0),
        "returned": Rates(0, 0, 0, 1, 0),
        "lost": Rates(0, 0, 0, 0, 1),
    }
    for outcome, rates in always.items():
        assert {journey(seed, rates=rates)[0].outcome for seed in range(5)} == {outcome}


def test_rates_are_validated() -> None:
    with pytest.raises(ValueError):
        Rates(delay=-0.1)
    with pytest.raises(ValueError):
        Rates(delay=0.6, failed_attempt=0.6)


def test_an_unknown_force_is_refused() -> None:
    with pytest.raises(ValueError):
        journey(1, "teleported")


# ----------------------------------------------------------------------------------------- forced outcomes


def test_forced_delivered() -> None:
    j, window, _ = journey(5, "delivered")
    assert j.outcome == "delivered"
    assert j.delivered_at is not None and j.delivered_at <= window.latest_arrival
    assert current_status(j, j.delivered_at) == "DELIVERED"
    assert current_status(j, j.delivered_at - timedelta(seconds=1)) == "IN_TRANSIT"


def test_forced_delay_is_late_and_says_so() -> None:
    for seed in range(40):
        j, window, _ = journey(seed, "delayed", destination=DESTINATIONS[seed % len(DESTINATIONS)])
        assert j.outcome == "delayed_delivered"
        assert j.delivered_at is not None and j.delivered_at > window.latest_arrival
        delays = [e for e in j.events if e.code in ("EVENT_404", "EVENT_418")]
        assert len(delays) == 1
        assert current_status(j, delays[0].at) == "DELAYED"
        assert current_status(j, j.delivered_at) == "DELIVERED"
        # the carrier's estimate moves once the delay is known
        assert estimated_arrival(j) == window.latest_arrival
        assert estimated_arrival(j, delays[0].at - timedelta(seconds=1)) == window.latest_arrival
        revised = estimated_arrival(j, delays[0].at)
        assert revised is not None and revised >= j.delivered_at


def test_forced_failed_attempt_is_redelivered() -> None:
    j, _, _ = journey(8, "failed_attempt")
    codes = [e.code for e in j.events]
    assert codes[-4:] == ["EVENT_302", "EVENT_304", "EVENT_302", "EVENT_301"]
    attempt = next(e for e in j.events if e.code == "EVENT_304")
    assert current_status(j, attempt.at) == "CUSTOMER_ACTION"
    assert j.delivered_at is not None and j.delivered_at - attempt.at > timedelta(hours=10)
    assert tracking.final_status(j) == "DELIVERED"


def test_forced_return_goes_back_to_the_center() -> None:
    j, _, _ = journey(9, "returned")
    assert [e.code for e in j.events][-4:] == ["EVENT_302", "EVENT_401", "EVENT_408", "EVENT_309"]
    returning = next(e for e in j.events if e.code == "EVENT_408")
    assert current_status(j, returning.at) == "RETURNING"
    last = j.events[-1]
    assert (last.city, last.state, last.country) == ("Kent", "WA", "US")
    assert current_status(j, last.at) == "RETURNED"
    assert j.delivered_at is None and signed_for_by(j, last.at + timedelta(days=9)) is None


def test_forced_undeliverable_stays_so() -> None:
    j, _, _ = journey(10, "undeliverable")
    assert j.events[-1].code == "EVENT_401"
    assert current_status(j, j.events[-1].at + timedelta(days=30)) == "UNDELIVERABLE"
    assert j.delivered_at is None and additional_location_info(j, j.events[-1].at) is None


def test_forced_lost() -> None:
    j, window, _ = journey(11, "lost")
    assert [e.code for e in j.events] == ["EVENT_101", "EVENT_102", "EVENT_202", "EVENT_409"]
    assert j.events[-1].at > window.latest_arrival
    assert j.events[-1].city in {hub.city for hub in HUBS["US"]}
    assert current_status(j, j.events[-1].at) == "UNDELIVERABLE"
    assert j.delivered_at is None


def test_scenario_names_and_outcome_names_both_force() -> None:
    assert journey(4, "delayed")[0] == journey(4, "delayed_delivered")[0]


# ---------------------------------------------------------------------------------------------- visibility


def test_visibility_by_time() -> None:
    j, _, ship_at = journey(12, "delivered")
    before = ship_at - timedelta(minutes=1)
    assert visible_events(j, before) == ()
    assert current_status(j, before) == "IN_TRANSIT"
    assert signed_for_by(j, before) is None and additional_location_info(j, before) is None
    for index, event in enumerate(j.events):
        assert visible_events(j, event.at) == j.events[: index + 1]
        assert visible_events(j, event.at - timedelta(seconds=1)) == j.events[:index]
    assert j.delivered_at is not None
    just_before = j.delivered_at - timedelta(seconds=1)
    assert signed_for_by(j, just_before) is None and additional_location_info(j, just_before) is None
    assert signed_for_by(j, j.delivered_at) == j.signed_for_by
    assert additional_location_info(j, j.delivered_at) in ADDITIONAL_LOCATION_INFO
    assert tracking.next_event_at(j, before) == j.events[0].at
    assert tracking.next_event_at(j, j.delivered_at) is None


def test_naive_now_is_utc() -> None:
    j, _, _ = journey(13)
    moment = j.events[2].at
    assert visible_events(j, moment.replace(tzinfo=None)) == visible_events(j, moment)


def test_signatures_and_places() -> None:
    signers, places = set(), set()
    for seed in range(300):
        j, _, _ = journey(seed, "delivered")
        assert j.signed_for_by is not None and j.additional_location_info in ADDITIONAL_LOCATION_INFO
        signers.add(j.signed_for_by)
        places.add(j.additional_location_info)
        if j.additional_location_info in ("MAILBOX", "PORCH", "GARAGE"):
            assert j.signed_for_by == ""  # nobody signs a mailbox
        if j.additional_location_info == "RECEIVER":
            assert j.signed_for_by
    assert "" in signers and len(signers) > 10
    assert {"FRONT_DOOR", "RECEIVER", "MAILBOX"} <= places


# -------------------------------------------------------------------------------------------------- places


def test_every_center_to_its_own_country() -> None:
    for center in WORLD.centers.values():
        country = "GB" if center.country == "UK" else center.country
        point = geo.COUNTRY_POINTS[country]
        for force in FORCED_FINAL:
            j = plan_journey(
                center.code,
                ORDERED,
                center,
                "Springfield",
                "XX",
                country,
                point,
                ORDERED + timedelta(days=4),
                force=force,
            )
            assert_well_formed(j)
            assert {e.country for e in j.events} == {country}
            assert tracking.final_status(j) == FORCED_FINAL[force]


def test_crossing_a_border() -> None:
    fra1 = WORLD.centers["FRA1"]
    nl = plan_journey(1, ORDERED, fra1, "Amsterdam", "NH", "NL", None, ORDERED + timedelta(days=4), force="delivered")
    codes = [e.code for e in nl.events]
    assert "EVENT_203" in codes and "EVENT_204" not in codes  # inside the EU: no customs
    assert nl.events[codes.index("EVENT_203")].country == "NL"
    uk = plan_journey(1, ORDERED, fra1, "Leeds", "", "UK", None, ORDERED + timedelta(days=5), force="delivered")
    codes = [e.code for e in uk.events]
    assert codes.index("EVENT_203") < codes.index("EVENT_204") < codes.index("EVENT_205")
    assert uk.events[-1].country == "GB" and uk.events[-1].state  # the state of a nearby hub
    for j in (nl, uk):
        assert_well_formed(j)


def test_a_destination_without_city_or_state() -> None:
    nrt1 = WORLD.centers["NRT1"]
    point = geo.destination_point("JP", "Tokyo", "100-0001")
    jp = plan_journey(2, ORDERED, nrt1, None, "Tokyo", "JP", point, ORDERED + timedelta(days=2), force="delivered")
    assert (jp.events[-1].city, jp.events[-1].state, jp.events[-1].country) == ("Tokyo", "Tokyo", "JP")
    bare = plan_journey(2, ORDERED, BFI4, None, None, "US", None, ORDERED + timedelta(days=5), force="delivered")
    assert bare.events[-1].city and bare.events[-1].state
    assert_well_formed(bare)


def test_a_promise_already_missed_still_gives_a_journey() -> None:
    j = plan_journey(3, ORDERED, BFI4, "Seattle", "WA", "US", None, ORDERED - timedelta(days=1), force="delivered")
    assert_well_formed(j)
    assert j.delivered_at is not None and j.delivered_at > ORDERED


# ------------------------------------------------------------------------------------------------- storage


@pytest.mark.parametrize("force", sorted(FORCED_FINAL))
def test_json_round_trip(force: str) -> None:
    j, _, _ = journey(14, force)
    text = journey_to_json(j)
    assert json.loads(text)["events"][0][1] == "EVENT_101"
    assert journey_from_json(text) == j


def inputs(seed: str, force: str | None = None, rates: Rates = tracking.DEFAULT_RATES) -> tracking.JourneyInputs:
    window = the_promise()
    return tracking.JourneyInputs(
        seed,
        window.earliest_ship + timedelta(hours=14, microseconds=123456),
        "BFI4",
        "New York",
        "NY",
        "US",
        geo.destination_point("US", "NY", "10001"),
        window.latest_arrival,
        rates,
        force,
        earliest_arrival=window.earliest_arrival,
    )


@pytest.mark.parametrize("force", [None, *sorted(FORCED_FINAL)])
def test_stored_inputs_give_the_journey_planning_at_ship_time_gives(force: str | None) -> None:
    """The engine stores what a journey is planned from; reading it plans the very journey, with the same
    estimate, so GetPackageTrackingDetails cannot tell the difference."""
    for n in range(40):
        given = inputs(f"A2NKEXAMPLEF53/ORDER-{n}/DnMDLWJWN/0", force)
        planned = given.plan()
        text = inputs_to_json(given)
        assert json.loads(text)["v"] == INPUTS_VERSION
        assert journey_from_json(text) == planned
        assert given.estimated_arrival() == estimated_arrival(planned)


def test_stored_inputs_keep_the_rates_and_a_missing_window() -> None:
    given = inputs("seed/1", rates=Rates(delay=0.5, lost=0.2))._replace(earliest_arrival=None, destination_point=None)
    assert journey_from_json(inputs_to_json(given)) == given.plan()
    assert "rates" not in json.loads(inputs_to_json(inputs("seed/1")))  # the defaults are left out


def test_json_of_an_unknown_version_is_refused() -> None:
    text = journey_to_json(journey(15)[0]).replace('"v":1', '"v":99')
    with pytest.raises(ValueError):
        journey_from_json(text)


def test_a_country_without_hubs_follows_the_data_sequence() -> None:
    nowhere = replace(WORLD.centers["NRT1"], country="ZZ")
    j = plan_journey(1, ORDERED, nowhere, "Somewhere", "X", "ZZ", None, ORDERED + timedelta(days=4), force="delayed")
    assert [e.code for e in j.events] == [c for c, _hours in EVENTS_DATA["sequences"]["delayed"]]
    assert_well_formed(j)
