"""A package's journey with its carrier: the tracking events, when it is delivered, who signed, where it was left.

A journey is planned (:func:`plan_journey`) from a seed and the package's inputs: the same seed and inputs always
give the same journey. The engine stores those inputs when the package ships (:class:`JourneyInputs`; their stored
form is ``store/journeys.py``'s), reading them back plans the journey then, and it is read at any moment ``now``:
the events whose time has come are visible (:func:`visible_events`), the package's ``CurrentStatus`` is the status
the last visible event leads to (:func:`current_status`), ``SignedForBy`` and ``AdditionalLocationInfo`` appear
once it is delivered. The world's tables (hub cities, the EU customs union, where packages are left, signers'
surnames) are ``data/tracking_hubs.json`` and ``data/tracking_doorsteps.json``.

Rules (``data/tracking_events.json``, docs/world.md "Tracking", docs/mws-protocol.md "Operations"; timings estimated):

- **Outcomes.** Drawn from :class:`Rates` (delay ~3 %, failed attempt ~2 %, undeliverable ~0.5 %, returned to
  the seller ~0.5 %, lost ~0.1 %, otherwise delivered), or forced by a scenario (``force``). Each outcome follows
  one sequence of the data: ``standard_domestic`` / ``expedited_domestic`` (delivered), ``delayed``,
  ``failed_attempt_then_delivered``, ``undeliverable_returned`` (cut after ``EVENT_401`` for "undeliverable",
  whole for "returned") and ``lost``; hub legs (``EVENT_201`` arrival / ``EVENT_202`` departure) are added so
  that every delivered journey passes one or two real hub cities, and a border crossing adds ``EVENT_203`` (and
  customs, ``EVENT_204``/``EVENT_205``, outside the EU customs union).
- **Timing.** The data's hour offsets give the shape (pickup, departure, dwell at a hub, the gaps of the last
  mile, the delay, the return trip, the time until a package is declared lost); they are scaled so the delivery
  lands inside the promised window: a delivery moment is drawn in ``[earliest_arrival, promised_arrival]``
  (earliest: given, or 45 % of the way from ship to promise), moved into working hours (08:00-20:30, solar time
  at the destination, which is close enough to the civil time for a doorstep); the line haul between the
  departure scan and the arrival at the destination is spread over the legs by distance. So every plainly
  delivered package is on time; delayed ones are late by construction, failed attempts are redelivered the next
  day (late when the first attempt was on the last promised day): ~95 % of Standard packages arrive in the
  window with the default rates.
- **Places.** ``EVENT_101`` and ``EVENT_102`` (and the first ``EVENT_202``) at the fulfillment center's city; hub
  events at the hub's city; the last mile at the destination city; ``EVENT_309`` (back with the seller) at the
  center. Every event has a city, a state and an ISO country code (``GB`` for the United Kingdom). States are
  written as the world data writes them: the center's ``state_or_region``, the hub table's region (the same
  style per country: US/CA/AU/MX/IN/DE/NL subdivision codes, IT/ES province codes, UK counties, FR départements,
  JP prefectures), the destination's ``StateOrProvinceCode`` as the customer sent it (as in ``ShipToAddress``).
  A destination without a city (JP addresses) uses its state; a destination without a state uses the region of
  the nearest hub of its country.
- **Only MWS values.** Events use only the 33 EventCodes of MWS and statuses only the 8 MWS
  ``CurrentStatus`` values; ``lost`` ends ``UNDELIVERABLE`` (the data maps ``EVENT_409`` so).

Everything here is pure: no clock, randomness only from ``random.Random(seed)``.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, NamedTuple

from outbound.domain.geo import COUNTRY_POINTS, Point, distance_km
from outbound.domain.world import WORLD, FulfillmentCenter, load_json

# ------------------------------------------------------------------------------------------ MWS enumerations

MWS_EVENT_CODES: frozenset[str] = frozenset(
    {
        "EVENT_101",
        "EVENT_102",
        "EVENT_201",
        "EVENT_202",
        "EVENT_203",
        "EVENT_204",
        "EVENT_205",
        "EVENT_206",
        "EVENT_301",
        "EVENT_302",
        "EVENT_304",
        "EVENT_306",
        "EVENT_307",
        "EVENT_308",
        "EVENT_309",
        "EVENT_401",
        "EVENT_402",
        "EVENT_403",
        "EVENT_404",
        "EVENT_405",
        "EVENT_406",
        "EVENT_407",
        "EVENT_408",
        "EVENT_409",
        "EVENT_411",
        "EVENT_412",
        "EVENT_413",
        "EVENT_414",
        "EVENT_415",
        "EVENT_416",
        "EVENT_417",
        "EVENT_418",
        "EVENT_419",
    }
)
"""The 33 TrackingEvent EventCodes of MWS; nothing else is ever emitted."""

IN_TRANSIT = "IN_TRANSIT"
DELIVERED_STATUS = "DELIVERED"
RETURNING = "RETURNING"
RETURNED_STATUS = "RETURNED"
UNDELIVERABLE_STATUS = "UNDELIVERABLE"
DELAYED = "DELAYED"
AVAILABLE_FOR_PICKUP = "AVAILABLE_FOR_PICKUP"
CUSTOMER_ACTION = "CUSTOMER_ACTION"
CURRENT_STATUSES: tuple[str, ...] = (
    IN_TRANSIT,
    DELIVERED_STATUS,
    RETURNING,
    RETURNED_STATUS,
    UNDELIVERABLE_STATUS,
    DELAYED,
    AVAILABLE_FOR_PICKUP,
    CUSTOMER_ACTION,
)
"""The package CurrentStatus values of MWS."""

ADDITIONAL_LOCATION_INFO: tuple[str, ...] = (
    "AS_INSTRUCTED",
    "CARPORT",
    "CUSTOMER_PICKUP",
    "DECK",
    "DOOR_PERSON",
    "FRONT_DESK",
    "FRONT_DOOR",
    "GARAGE",
    "GUARD",
    "MAIL_ROOM",
    "MAIL_SLOT",
    "MAILBOX",
    "MC_BOY",
    "MC_GIRL",
    "MC_MAN",
    "MC_WOMAN",
    "NEIGHBOR",
    "OFFICE",
    "OUTBUILDING",
    "PATIO",
    "PORCH",
    "REAR_DOOR",
    "RECEPTIONIST",
    "RECEIVER",
    "SECURE_LOCATION",
    "SIDE_DOOR",
)
"""The AdditionalLocationInfo values of MWS."""

_STATUS_DEFAULTS: Mapping[str, str] = {
    "EVENT_101": IN_TRANSIT,
    "EVENT_102": IN_TRANSIT,
    "EVENT_201": IN_TRANSIT,
    "EVENT_202": IN_TRANSIT,
    "EVENT_203": IN_TRANSIT,
    "EVENT_204": IN_TRANSIT,
    "EVENT_205": IN_TRANSIT,
    "EVENT_206": IN_TRANSIT,
    "EVENT_301": DELIVERED_STATUS,
    "EVENT_302": IN_TRANSIT,
    "EVENT_304": CUSTOMER_ACTION,
    "EVENT_306": CUSTOMER_ACTION,
    "EVENT_307": IN_TRANSIT,
    "EVENT_308": AVAILABLE_FOR_PICKUP,
    "EVENT_309": RETURNED_STATUS,
    "EVENT_401": UNDELIVERABLE_STATUS,
    "EVENT_402": DELAYED,
    "EVENT_403": UNDELIVERABLE_STATUS,
    "EVENT_404": DELAYED,
    "EVENT_405": DELAYED,
    "EVENT_406": DELAYED,
    "EVENT_407": UNDELIVERABLE_STATUS,
    "EVENT_408": RETURNING,
    "EVENT_409": UNDELIVERABLE_STATUS,
    "EVENT_411": DELAYED,
    "EVENT_412": DELAYED,
    "EVENT_413": CUSTOMER_ACTION,
    "EVENT_414": DELAYED,
    "EVENT_415": IN_TRANSIT,
    "EVENT_416": UNDELIVERABLE_STATUS,
    "EVENT_417": DELAYED,
    "EVENT_418": DELAYED,
    "EVENT_419": IN_TRANSIT,
}
"""CurrentStatus after each code where ``current_status_after`` of the data says nothing (ours, estimated)."""

# --------------------------------------------------------------------------------------------------- outcomes

DELIVERED = "delivered"
DELAYED_DELIVERED = "delayed_delivered"
FAILED_ATTEMPT_DELIVERED = "failed_attempt_delivered"
RETURNED = "returned"
UNDELIVERABLE = "undeliverable"
LOST = "lost"
OUTCOMES: tuple[str, ...] = (DELIVERED, DELAYED_DELIVERED, FAILED_ATTEMPT_DELIVERED, RETURNED, UNDELIVERABLE, LOST)
DELIVERED_OUTCOMES = frozenset({DELIVERED, DELAYED_DELIVERED, FAILED_ATTEMPT_DELIVERED})

FORCES: Mapping[str, str] = {
    "delivered": DELIVERED,
    "delayed": DELAYED_DELIVERED,
    "failed_attempt": FAILED_ATTEMPT_DELIVERED,
    "returned": RETURNED,
    "undeliverable": UNDELIVERABLE,
    "lost": LOST,
    **{outcome: outcome for outcome in OUTCOMES},
}
"""Scenario names (``sim/scenarios.py``: delivered, delayed, failed_attempt, returned, undeliverable, lost) and the
outcome names themselves → the outcome."""


@dataclass(frozen=True)
class Rates:
    """How often each mishap happens to a package (estimated, docs/world.md); the rest is delivered on time."""

    delay: float = 0.03
    failed_attempt: float = 0.02
    undeliverable: float = 0.005
    returned_to_seller: float = 0.005
    lost: float = 0.001

    def __post_init__(self) -> None:
        values = (self.delay, self.failed_attempt, self.undeliverable, self.returned_to_seller, self.lost)
        if any(v < 0 for v in values) or sum(values) > 1:
            raise ValueError("tracking rates must be >= 0 and sum to at most 1")

    def outcome(self, draw: float) -> str:
        """The outcome for a uniform draw in [0, 1)."""
        for rate, outcome in (
            (self.lost, LOST),
            (self.undeliverable, UNDELIVERABLE),
            (self.returned_to_seller, RETURNED),
            (self.delay, DELAYED_DELIVERED),
            (self.failed_attempt, FAILED_ATTEMPT_DELIVERED),
        ):
            if draw < rate:
                return outcome
            draw -= rate
        return DELIVERED


DEFAULT_RATES = Rates()

# ------------------------------------------------------------------------------------------------- the journey


@dataclass(frozen=True)
class TrackingEvent:
    at: datetime  # aware, UTC, whole seconds
    code: str  # one of MWS_EVENT_CODES
    city: str
    state: str
    country: str  # ISO 3166-1 alpha-2 (GB, not UK)


@dataclass(frozen=True)
class Journey:
    """A package's whole planned journey; what is known at a moment is derived with ``now``."""

    events: tuple[TrackingEvent, ...]  # oldest first, strictly increasing times
    delivered_at: datetime | None  # the EVENT_301 time; None when never delivered
    signed_for_by: str | None  # None when never delivered; "" when delivered and nobody signed
    additional_location_info: str | None  # where it was left (ADDITIONAL_LOCATION_INFO); None if never delivered
    outcome: str  # one of OUTCOMES
    promised_arrival: datetime | None = None  # the promise the journey was planned against


class Place(NamedTuple):
    city: str
    state: str
    country: str


class Hub(NamedTuple):
    city: str
    state: str
    lat: float
    lon: float


# ------------------------------------------------------------------------------------------- world tables


def _hubs(raw: Mapping[str, Sequence[Sequence[Any]]]) -> dict[str, tuple[Hub, ...]]:
    return {
        country: tuple(Hub(city, state, lat, lon) for city, state, lat, lon in rows) for country, rows in raw.items()
    }


_HUB_DATA = load_json("tracking_hubs")
_DOORSTEP_DATA = load_json("tracking_doorsteps")

HUBS: Mapping[str, tuple[Hub, ...]] = _hubs(_HUB_DATA["hubs"])
"""Real carrier hub and sort-centre cities per ISO country (``data/tracking_hubs.json``)."""

EU_CUSTOMS_UNION = frozenset(_HUB_DATA["eu_customs_union"])
"""A border inside this set has no customs events."""

SIGNER_SURNAMES: Mapping[str, tuple[str, ...]] = {
    country: tuple(names) for country, names in _DOORSTEP_DATA["signer_surnames"].items()
}
"""Surnames for ``SignedForBy`` (``J DOE`` style) per destination country; ``""`` for the others
(``data/tracking_doorsteps.json``, as the two tables below)."""

LEFT_AT: tuple[tuple[str, float], ...] = tuple((name, weight) for name, weight in _DOORSTEP_DATA["left_at"])
"""Where delivered packages are left, with weights. Pickup and the ``MC_*`` values are not used."""

HANDED_OVER = frozenset(_DOORSTEP_DATA["handed_over"])
"""Places where a person takes the package and signs; at the front door a person signs 40 % of the time."""

# ------------------------------------------------------------------------------------------- the data's timings


@dataclass(frozen=True)
class _Profile:
    """Hour offsets of one delivered sequence of the data."""

    pickup: float  # EVENT_101 → EVENT_102
    depart: float  # EVENT_101 → the first EVENT_202
    dwell: float  # hours a package stays at a hub (EVENT_201 → EVENT_202)
    last_mile: float  # EVENT_302 → EVENT_301
    total: float  # EVENT_101 → EVENT_301


@dataclass(frozen=True)
class _Timings:
    standard: _Profile
    expedited: _Profile
    first_attempt: float  # failed attempt: EVENT_302 → EVENT_304
    retry_last_mile: float  # failed attempt: the second EVENT_302 → EVENT_301
    delay: float  # delayed: EVENT_404 → the next scan
    refusal: float  # undeliverable: EVENT_302 → EVENT_401
    to_returning: float  # EVENT_401 → EVENT_408
    to_returned: float  # EVENT_408 → EVENT_309
    lost_after: float  # EVENT_101 → EVENT_409
    status_after: Mapping[str, str]


def _offset(sequence: Sequence[Sequence[Any]], code: str, nth: int, default: float) -> float:
    found = [float(hours) for event, hours in sequence if event == code]
    return found[nth] if len(found) > nth else default


@cache
def _timings() -> _Timings:
    raw = load_json("tracking_events")
    seqs: Mapping[str, Sequence[Sequence[Any]]] = raw.get("sequences", {})
    std = seqs.get("standard_domestic", ())
    exp = seqs.get("expedited_domestic", ())
    fail = seqs.get("failed_attempt_then_delivered", ())
    late = seqs.get("delayed", ())
    back = seqs.get("undeliverable_returned", ())
    lost = seqs.get("lost", ())

    standard = _Profile(
        pickup=_offset(std, "EVENT_102", 0, 3),
        depart=_offset(std, "EVENT_202", 0, 5),
        dwell=_offset(std, "EVENT_202", 1, 26) - _offset(std, "EVENT_201", 0, 20),
        last_mile=_offset(std, "EVENT_301", 0, 68) - _offset(std, "EVENT_302", 0, 60),
        total=_offset(std, "EVENT_301", 0, 68),
    )
    exp_total = _offset(exp, "EVENT_301", 0, 32)
    expedited = _Profile(
        pickup=_offset(exp, "EVENT_102", 0, 2),
        depart=_offset(exp, "EVENT_202", 0, 4),
        dwell=standard.dwell * exp_total / standard.total,
        last_mile=exp_total - _offset(exp, "EVENT_302", 0, 26),
        total=exp_total,
    )
    status_after = {**_STATUS_DEFAULTS}
    for code, status in raw.get("current_status_after", {}).items():
        if code in MWS_EVENT_CODES and status in CURRENT_STATUSES:
            status_after[code] = status
    return _Timings(
        standard=standard,
        expedited=expedited,
        first_attempt=_offset(fail, "EVENT_304", 0, 56) - _offset(fail, "EVENT_302", 0, 48),
        retry_last_mile=_offset(fail, "EVENT_301", 0, 78) - _offset(fail, "EVENT_302", 1, 72),
        delay=_offset(late, "EVENT_201", 0, 70) - _offset(late, "EVENT_404", 0, 30),
        refusal=_offset(back, "EVENT_401", 0, 52) - _offset(back, "EVENT_302", 0, 48),
        to_returning=_offset(back, "EVENT_408", 0, 80) - _offset(back, "EVENT_401", 0, 52),
        to_returned=_offset(back, "EVENT_309", 0, 150) - _offset(back, "EVENT_408", 0, 80),
        lost_after=_offset(lost, "EVENT_409", 0, 200),
        status_after=status_after,
    )


def status_after(code: str) -> str:
    """The CurrentStatus an event leads to (the data's ``current_status_after``, completed by ours)."""
    return _timings().status_after.get(code, IN_TRANSIT)


# --------------------------------------------------------------------------------------------------- planning

EXPEDITED_SPAN_HOURS = 48.0
"""A promise at most this far after the ship time follows the data's ``expedited_domestic`` timings."""
TWO_HUBS_KM = 1200.0
"""From this center → destination distance a package always passes two hubs (below: sometimes, from 500 km)."""
DAY_OPENS = 8.0  # local (solar) hour: deliveries from
DAY_CLOSES = 20.5  # and until
OUT_FOR_DELIVERY_FROM = 6.5  # local hour: the van leaves from
MIN_GAP = timedelta(minutes=5)


def plan_journey(
    seed: int | str,
    ship_at: datetime,
    center: FulfillmentCenter,
    destination_city: str | None,
    destination_state: str | None,
    destination_country: str,
    destination_point: Point | None,
    promised_arrival: datetime,
    rates: Rates = DEFAULT_RATES,
    force: str | None = None,
    *,
    earliest_arrival: datetime | None = None,
    signature: bool = False,
) -> Journey:
    """The journey of a package that leaves ``center`` at ``ship_at``, promised by ``promised_arrival``.

    ``destination_*`` are the address's City, StateOrProvinceCode and CountryCode (``UK`` is read as ``GB``) and
    its coarse location (``geo.destination_point``; ``None``: the country's representative point). ``force`` is a
    scenario outcome (:data:`FORCES`); ``earliest_arrival`` (optional) is the start of the promised window;
    ``signature`` (the order requires a signature) makes whoever takes the delivery sign for it.
    Same arguments, same journey: every draw comes from one ``random.Random(seed)``, in the order below.
    """
    if force is not None and force not in FORCES:
        raise ValueError(f"unknown tracking outcome {force!r}; expected one of {', '.join(sorted(FORCES))}")
    rng = random.Random(seed)
    drawn = rates.outcome(rng.random())
    outcome = FORCES[force] if force is not None else drawn
    trip = _trip(
        rng,
        ship_at,
        center,
        destination_city,
        destination_state,
        destination_country,
        destination_point,
        promised_arrival,
    )
    attempt = _delivery_attempt(rng, trip, earliest_arrival)
    scans, departed = _leave_the_center(rng, trip, attempt)
    if outcome == LOST:
        scans.append(_lost(rng, trip))
        return _finish(rng, scans, outcome, trip.promised, trip.destination.country, signature)
    out_for_delivery, delivered = _last_mile(rng, trip, outcome, attempt)
    # at the destination's delivery station a while before the van leaves
    at_station = out_for_delivery - min(_h(rng.uniform(1.5, 9)), (out_for_delivery - departed) * 0.3)
    scans.extend(_line_haul(rng, trip, outcome, departed, at_station))
    scans.extend(_at_the_door(rng, trip, outcome, out_for_delivery, attempt, delivered))
    return _finish(rng, scans, outcome, trip.promised, trip.destination.country, signature)


_Scan = tuple[datetime, str, Place]
"""An event as planned: its moment (not yet rounded or spaced), code and place."""


@dataclass(frozen=True, slots=True)
class _Trip:
    """Where and when a package travels, and by which timings: what its events are planned from."""

    shipped: datetime  # EVENT_101: the ship time, whole seconds, UTC
    promised: datetime
    origin: Place  # the fulfillment center
    origin_point: Point
    destination: Place
    destination_point: Point
    route: list[Hub]  # the hubs passed, in order
    stops: list[Place]  # the hubs as places, each in its country
    border_at: int | None  # index of the first hub across the border (None: no border, or no hub over there)
    solar: timedelta  # the destination's solar time: UTC + this
    profile: _Profile  # the data's standard or expedited timings
    timings: _Timings


def _trip(
    rng: random.Random,
    ship_at: datetime,
    center: FulfillmentCenter,
    city: str | None,
    state: str | None,
    country: str,
    point: Point | None,
    promised_arrival: datetime,
) -> _Trip:
    """From the center to the destination: the places, the hubs between them, the timings that apply."""
    shipped = _utc(ship_at).replace(microsecond=0)
    promised = _utc(promised_arrival)
    origin_country = _iso(center.country)
    origin = Place(center.city, center.state_or_region, origin_country)
    origin_point: Point = (center.lat, center.lon)
    dest_country = _iso(country) or origin_country
    dest_point: Point = point or COUNTRY_POINTS.get(dest_country) or origin_point
    destination = _destination_place(city, state, dest_country, dest_point)
    route, border_at = _route(rng, origin_country, origin_point, center.city, dest_country, dest_point, destination)
    stops = [
        Place(hub.city, hub.state, dest_country if border_at is not None and index >= border_at else origin_country)
        for index, hub in enumerate(route)
    ]
    timings = _timings()
    profile = timings.expedited if _hours(promised - shipped) <= EXPEDITED_SPAN_HOURS else timings.standard
    solar = timedelta(hours=dest_point[1] / 15)
    return _Trip(
        shipped,
        promised,
        origin,
        origin_point,
        destination,
        dest_point,
        route,
        stops,
        border_at,
        solar,
        profile,
        timings,
    )


def _delivery_attempt(rng: random.Random, trip: _Trip, earliest_arrival: datetime | None) -> datetime:
    """When the (first) delivery attempt happens: inside the promised window, in working hours, and no sooner than
    the legs before it can take."""
    shipped, promised, profile, timings = trip.shipped, trip.promised, trip.profile, trip.timings
    last_mile = max(profile.last_mile, timings.first_attempt, timings.refusal)
    floor = shipped + _h(1.2 * (profile.depart + last_mile) + 2.0 * (len(trip.route) + 1) + 1.0)
    window_start = _utc(earliest_arrival) if earliest_arrival is not None else shipped + (promised - shipped) * 0.45
    lo = max(window_start, floor)
    hi = max(promised, lo)
    attempt = lo + (hi - lo) * rng.random()
    if hi > lo:
        return _working_hours(attempt, trip.solar, rng, lo, hi)
    return _next_working_hours(attempt, trip.solar, rng)


def _leave_the_center(rng: random.Random, trip: _Trip, attempt: datetime) -> tuple[list[_Scan], datetime]:
    """Packed (EVENT_101), picked up (EVENT_102), departed (EVENT_202) at the center, on the data's offsets scaled
    to the time until the attempt; and the departure's moment."""
    shipped, profile = trip.shipped, trip.profile
    scale = min(1.0, max(0.5, _hours(attempt - shipped) / profile.total))
    picked_up = shipped + _h(profile.pickup * scale * rng.uniform(0.8, 1.2))
    departed = max(shipped + _h(profile.depart * scale * rng.uniform(0.85, 1.15)), picked_up + MIN_GAP)
    scans = [(shipped, "EVENT_101", trip.origin), (picked_up, "EVENT_102", trip.origin)]
    scans.append((departed, "EVENT_202", trip.origin))
    return scans, departed


def _lost(rng: random.Random, trip: _Trip) -> _Scan:
    """Declared lost (EVENT_409) at the first hub, the data's time after packing and well after the promise."""
    given_up = trip.shipped + _h(trip.timings.lost_after * rng.uniform(0.8, 1.2))
    lost_at = max(given_up, trip.promised + _h(rng.uniform(6, 48)))
    return (lost_at, "EVENT_409", trip.stops[0] if trip.stops else trip.origin)


def _last_mile(rng: random.Random, trip: _Trip, outcome: str, attempt: datetime) -> tuple[datetime, datetime]:
    """When the van first leaves with the package (EVENT_302) and when its last mile ends (the delivery, or the
    refusal), planned backwards from the attempt."""
    solar, timings, profile = trip.solar, trip.timings, trip.profile
    if outcome == DELAYED_DELIVERED:
        final = attempt + _h(timings.delay * rng.uniform(0.8, 1.6))
        if final <= trip.promised:
            final = trip.promised + _h(rng.uniform(3, 30))
        final = _next_working_hours(final, solar, rng)
        return final - _van_gap(final, profile.last_mile, solar, rng), final
    if outcome == FAILED_ATTEMPT_DELIVERED:
        first_out = attempt - _van_gap(attempt, timings.first_attempt, solar, rng)
        return first_out, _next_working_hours(attempt + _h(rng.uniform(18, 26)), solar, rng)
    if outcome in (UNDELIVERABLE, RETURNED):
        return attempt - _van_gap(attempt, timings.refusal, solar, rng), attempt
    return attempt - _van_gap(attempt, profile.last_mile, solar, rng), attempt


def _line_haul(rng: random.Random, trip: _Trip, outcome: str, departed: datetime, at_station: datetime) -> list[_Scan]:
    """From the center's departure through the hubs to the destination's delivery station: nominal hours per leg
    (2 h + 55 km/h on the road, the data's dwell and delay), stretched to fit between departure and arrival."""
    origin_country, dest_country = trip.origin.country, trip.destination.country
    delay_at = rng.randrange(max(1, len(trip.stops))) if outcome == DELAYED_DELIVERED else None
    legs: list[tuple[float, str, Place]] = []
    previous = trip.origin_point
    held = 0.0
    if delay_at is not None and not trip.stops:  # no hub: as the data's sequence, 202 → 404 → 201 at the destination
        legs.append((rng.uniform(2, 8), _delay_code(rng), trip.origin))
        held = trip.timings.delay * rng.uniform(0.8, 1.2)
    for index, (hub, place) in enumerate(zip(trip.route, trip.stops, strict=True)):
        legs.append((2 + distance_km(previous, (hub.lat, hub.lon)) / 55, "EVENT_201", place))
        if trip.border_at == index:
            legs.extend(_border(rng, place, origin_country, dest_country))
        if delay_at == index:
            legs.append((rng.uniform(0.5, 3), _delay_code(rng), place))
            legs.append((trip.timings.delay * rng.uniform(0.8, 1.2), "EVENT_202", place))
        else:
            legs.append((trip.profile.dwell * rng.uniform(0.6, 1.4), "EVENT_202", place))
        previous = (hub.lat, hub.lon)
    legs.append((held + 2 + distance_km(previous, trip.destination_point) / 55, "EVENT_201", trip.destination))
    if trip.border_at is None and dest_country != origin_country:
        legs.extend(_border(rng, trip.destination, origin_country, dest_country))
    nominal = sum(hours for hours, _code, _place in legs)
    scans: list[_Scan] = []
    moment = departed
    for hours, code, place in legs:
        moment = moment + (at_station - departed) * (hours / nominal)
        scans.append((moment, code, place))
    return scans


def _at_the_door(
    rng: random.Random, trip: _Trip, outcome: str, out_for_delivery: datetime, attempt: datetime, final: datetime
) -> list[_Scan]:
    """Out for delivery, then delivered; or a failed attempt and a second round; or refused, and for a package
    returned to the seller the trip back to the center."""
    destination = trip.destination
    scans: list[_Scan] = [(out_for_delivery, "EVENT_302", destination)]
    if outcome in (DELIVERED, DELAYED_DELIVERED):
        scans.append((final, "EVENT_301", destination))
    elif outcome == FAILED_ATTEMPT_DELIVERED:
        scans.append((attempt, "EVENT_304", destination))
        second_round = final - _van_gap(final, trip.timings.retry_last_mile, trip.solar, rng)
        scans.append((second_round, "EVENT_302", destination))
        scans.append((final, "EVENT_301", destination))
    else:
        scans.append((attempt, "EVENT_401", destination))
        if outcome == RETURNED:
            returning = attempt + _h(trip.timings.to_returning * rng.uniform(0.8, 1.2))
            scans.append((returning, "EVENT_408", destination))
            back = returning + _h(trip.timings.to_returned * rng.uniform(0.8, 1.2))
            scans.append((back, "EVENT_309", trip.origin))
    return scans


def _delay_code(rng: random.Random) -> str:
    """EVENT_404 (outside causes: weather) twice as often as EVENT_418 (delayed)."""
    return rng.choice(("EVENT_404", "EVENT_404", "EVENT_418"))


def _finish(
    rng: random.Random, raw: list[_Scan], outcome: str, promised: datetime, country: str, signature: bool = False
) -> Journey:
    """Whole seconds, strictly increasing times, the delivery's signer and place (with ``signature`` someone always
    signs; the draws are the same either way, so the rest of the journey does not change)."""
    events: list[TrackingEvent] = []
    for moment, code, place in raw:
        at = moment.replace(microsecond=0)
        if events and at < events[-1].at + MIN_GAP:
            at = events[-1].at + MIN_GAP
        events.append(TrackingEvent(at, code, place.city, place.state, place.country))
    delivered_at = next((e.at for e in events if e.code == "EVENT_301"), None)
    signer: str | None = None
    left_at: str | None = None
    if delivered_at is not None:
        left_at = rng.choices([name for name, _w in LEFT_AT], weights=[w for _name, w in LEFT_AT])[0]
        signs = left_at in HANDED_OVER or (left_at == "FRONT_DOOR" and rng.random() < 0.4)
        signs = signs or signature
        surnames = SIGNER_SURNAMES.get(country, SIGNER_SURNAMES[""])
        signer = f"{rng.choice('ABCDEFGHJKLMNPRSTW')} {rng.choice(surnames)}" if signs else ""
    return Journey(tuple(events), delivered_at, signer, left_at, outcome, promised)


def _border(rng: random.Random, place: Place, origin_country: str, dest_country: str) -> list[tuple[float, str, Place]]:
    steps = [(rng.uniform(0.3, 1.5), "EVENT_203", place)]
    if not (origin_country in EU_CUSTOMS_UNION and dest_country in EU_CUSTOMS_UNION):
        steps.append((rng.uniform(0.5, 3), "EVENT_204", place))
        steps.append((rng.uniform(4, 20), "EVENT_205", place))
    return steps


def _route(
    rng: random.Random,
    origin_country: str,
    origin: Point,
    origin_city: str,
    dest_country: str,
    dest: Point,
    destination: Place,
) -> tuple[list[Hub], int | None]:
    """One or two hubs between the center and the destination, and the index of the first hub in the
    destination country when the route crosses a border (``None``: no border, or no hub over there)."""
    skip = {origin_city.casefold(), destination.city.casefold()}

    def usable(country: str) -> list[Hub]:
        return [h for h in HUBS.get(country, ()) if h.city.casefold() not in skip]

    def detour(start: Point, hub: Hub) -> float:
        return distance_km(start, (hub.lat, hub.lon)) + distance_km((hub.lat, hub.lon), dest)

    if origin_country != dest_country:
        route: list[Hub] = []
        gateways = usable(origin_country)
        if gateways:
            route.append(_pick(rng, [([h], detour(origin, h)) for h in gateways])[0])
        arrivals = usable(dest_country)
        if not arrivals:
            return route, None
        start = (route[0].lat, route[0].lon) if route else origin
        arrival = min(arrivals, key=lambda h: (detour(start, h), h.city))
        return [*route, arrival], len(route)

    hubs = usable(origin_country)
    if not hubs:
        return [], None
    singles = sorted(([h], detour(origin, h)) for h in hubs)
    direct = distance_km(origin, dest)
    if len(hubs) > 1 and (direct >= TWO_HUBS_KM or (direct >= 500 and rng.random() < 0.3)):
        near = [option[0][0] for option in singles[:10]]
        pairs = [
            ([a, b], distance_km(origin, (a.lat, a.lon)) + detour((a.lat, a.lon), b))
            for a in near
            for b in near
            if a != b
        ]
        return _pick(rng, pairs), None
    return _pick(rng, singles), None


def _pick(rng: random.Random, options: list[tuple[list[Hub], float]]) -> list[Hub]:
    """One of the shortest ways (within 15 % + 60 km of the best), at random among the four best."""
    best = min(length for _hubs, length in options)
    near = sorted((o for o in options if o[1] <= best * 1.15 + 60), key=lambda o: (o[1], [h.city for h in o[0]]))
    return rng.choice(near[:4])[0]


def _destination_place(city: str | None, state: str | None, country: str, point: Point) -> Place:
    city_text = (city or "").strip()
    state_text = (state or "").strip()
    if not city_text or not state_text:
        hubs = HUBS.get(country, ())
        near = min(hubs, key=lambda h: distance_km(point, (h.lat, h.lon))) if hubs else None
        city_text = city_text or state_text or (near.city if near else country)
        state_text = state_text or (near.state if near else city_text)
    return Place(city_text, state_text, country)


def _place(hub: Hub, country: str) -> Place:
    return Place(hub.city, hub.state, country)


def _van_gap(moment: datetime, nominal: float, solar: timedelta, rng: random.Random) -> timedelta:
    """How long before ``moment`` the van left: the data's gap, at most since the early morning, at least 30 min."""
    local = moment + solar
    morning = local.replace(
        hour=int(OUT_FOR_DELIVERY_FROM), minute=int(OUT_FOR_DELIVERY_FROM % 1 * 60), second=0, microsecond=0
    )
    gap = _h(nominal * rng.uniform(0.6, 1.2))
    return max(timedelta(minutes=30), min(gap, local - morning))


def _working_hours(moment: datetime, solar: timedelta, rng: random.Random, lo: datetime, hi: datetime) -> datetime:
    """``moment`` moved into delivery hours (that day's, else the nearest other day's) when that stays within
    ``[lo, hi]``; unchanged when no such move fits."""
    local = moment + solar
    opens = local.replace(hour=int(DAY_OPENS), minute=0, second=0, microsecond=0)
    closes = local.replace(hour=int(DAY_CLOSES), minute=int(DAY_CLOSES % 1 * 60), second=0, microsecond=0)
    after_opening, before_closing = _h(rng.uniform(0, 4)), _h(rng.uniform(0, 5))
    if local < opens:
        candidates = (opens + after_opening, closes - timedelta(days=1) - before_closing)
    elif local > closes:
        candidates = (closes - before_closing, opens + timedelta(days=1) + after_opening)
    else:
        return moment
    for candidate in candidates:
        if lo <= candidate - solar <= hi:
            return candidate - solar
    return moment


def _next_working_hours(moment: datetime, solar: timedelta, rng: random.Random) -> datetime:
    """``moment`` if it is in delivery hours, else the next opening (plus a little): never earlier."""
    local = moment + solar
    opens = local.replace(hour=int(DAY_OPENS), minute=0, second=0, microsecond=0)
    closes = local.replace(hour=int(DAY_CLOSES), minute=int(DAY_CLOSES % 1 * 60), second=0, microsecond=0)
    if local < opens:
        return opens + _h(rng.uniform(0, 3)) - solar
    if local > closes:
        return opens + timedelta(days=1) + _h(rng.uniform(0, 3)) - solar
    return moment


def _h(hours: float) -> timedelta:
    return timedelta(hours=hours)


def _hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _iso(country: str | None) -> str:
    text = (country or "").strip().upper()
    return "GB" if text == "UK" else text


# ------------------------------------------------------------------------------------------------ at a moment


def visible_events(journey: Journey, now: datetime) -> tuple[TrackingEvent, ...]:
    """The events whose time has come (at or before ``now``), oldest first."""
    moment = _utc(now)
    return tuple(e for e in journey.events if e.at <= moment)


def current_status(journey: Journey, now: datetime) -> str:
    """The package's CurrentStatus at ``now``: ``IN_TRANSIT`` from packing until an event leads elsewhere, then
    the status the last visible event leads to."""
    seen = visible_events(journey, now)
    return status_after(seen[-1].code) if seen else IN_TRANSIT


def is_delivered(journey: Journey, now: datetime) -> bool:
    return journey.delivered_at is not None and journey.delivered_at <= _utc(now)


def signed_for_by(journey: Journey, now: datetime) -> str | None:
    """``None`` until delivered; then who signed (``""`` when nobody did: the element is sent empty)."""
    return (journey.signed_for_by or "") if is_delivered(journey, now) else None


def additional_location_info(journey: Journey, now: datetime) -> str | None:
    """Where the package was left, once delivered (a value of :data:`ADDITIONAL_LOCATION_INFO`); else ``None``."""
    return journey.additional_location_info if is_delivered(journey, now) else None


DELAY_CODES = frozenset({"EVENT_404", "EVENT_418", "EVENT_304"})
"""Events after which the carrier's estimate moves to the (late) delivery."""


def estimated_arrival(journey: Journey, now: datetime | None = None) -> datetime | None:
    """The carrier's estimated arrival: the promise the journey was planned against (``None`` only for a journey
    planned without one that is never delivered). With ``now``, once a delay or a failed attempt is visible and
    the package will be late, the revised estimate: the next full hour after the real delivery."""
    promised, delivered = journey.promised_arrival, journey.delivered_at
    if delivered is not None and (promised is None or delivered > promised):
        revised = (delivered + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
        if promised is None:
            return revised
        if now is not None and any(e.code in DELAY_CODES for e in visible_events(journey, now)):
            return revised
    return promised


def next_event_at(journey: Journey, now: datetime) -> datetime | None:
    """When the next event becomes visible after ``now`` (``None``: the journey has ended)."""
    moment = _utc(now)
    return next((e.at for e in journey.events if e.at > moment), None)


def final_status(journey: Journey) -> str:
    """The CurrentStatus once every event is visible."""
    return status_after(journey.events[-1].code) if journey.events else IN_TRANSIT


# ------------------------------------------------------------------------------------- planned when read


class JourneyInputs(NamedTuple):  # a tuple: made for every package shipped, and cheaper to make than a dataclass
    """The arguments of :func:`plan_journey` for one package (the center by its code).

    The engine stores these rather than the planned journey: planning is deterministic, so the journey planned
    when GetPackageTrackingDetails reads it is the one planning at ship time would have stored, and shipping a
    package costs a few microseconds instead of a fifth of a millisecond.
    """

    seed: str
    ship_at: datetime
    center: str
    destination_city: str | None
    destination_state: str | None
    destination_country: str
    destination_point: Point | None
    promised_arrival: datetime
    rates: Rates = DEFAULT_RATES
    force: str | None = None
    earliest_arrival: datetime | None = None
    signature: bool = False  # SIGNATURE_CONFIRMATION required

    def plan(self) -> Journey:
        return plan_journey(
            self.seed,
            self.ship_at,
            WORLD.centers[self.center],
            self.destination_city,
            self.destination_state,
            self.destination_country,
            self.destination_point,
            self.promised_arrival,
            self.rates,
            self.force,
            earliest_arrival=self.earliest_arrival,
            signature=self.signature,
        )

    def estimated_arrival(self) -> datetime:
        """``estimated_arrival(self.plan())`` without planning: with a promise and no ``now`` it is the promise."""
        return _utc(self.promised_arrival)
