"""A package's journey with its carrier: the tracking events, when it is delivered, who signed, where it was left.

A journey is planned (:func:`plan_journey`) from a seed and the package's inputs: the same seed and inputs always
give the same journey. The engine stores those inputs when the package ships (:class:`JourneyInputs`,
:func:`inputs_to_json`); reading them back (:func:`journey_from_json`, which also reads a whole stored journey,
:func:`journey_to_json`) plans the journey then, and it is read at any moment ``now``: the events whose time has
come are visible (:func:`visible_events`), the package's ``CurrentStatus`` is the status
the last visible event leads to (:func:`current_status`), ``SignedForBy`` and ``AdditionalLocationInfo`` appear
once it is delivered.

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

import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache
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


# ------------------------------------------------------------------------------------------------- hub cities


def _hubs(country: str, rows: Sequence[tuple[str, str, float, float]]) -> tuple[str, tuple[Hub, ...]]:
    return country, tuple(Hub(*row) for row in rows)


HUBS: Mapping[str, tuple[Hub, ...]] = dict(
    (
        _hubs(
            "US",
            [
                ("Louisville", "KY", 38.17, -85.74),
                ("Memphis", "TN", 35.04, -89.98),
                ("Indianapolis", "IN", 39.72, -86.29),
                ("Ontario", "CA", 34.06, -117.60),
                ("Dallas", "TX", 32.78, -96.80),
                ("Chicago", "IL", 41.88, -87.63),
                ("Hebron", "KY", 39.07, -84.70),
                ("Atlanta", "GA", 33.75, -84.39),
                ("Newark", "NJ", 40.74, -74.17),
                ("Philadelphia", "PA", 39.95, -75.17),
                ("Baltimore", "MD", 39.29, -76.61),
                ("Boston", "MA", 42.36, -71.06),
                ("Hartford", "CT", 41.76, -72.68),
                ("Pittsburgh", "PA", 40.44, -79.99),
                ("Richmond", "VA", 37.54, -77.44),
                ("Charlotte", "NC", 35.23, -80.84),
                ("Jacksonville", "FL", 30.33, -81.66),
                ("Orlando", "FL", 28.54, -81.38),
                ("Nashville", "TN", 36.16, -86.78),
                ("Columbus", "OH", 39.96, -83.00),
                ("Detroit", "MI", 42.33, -83.05),
                ("Minneapolis", "MN", 44.98, -93.27),
                ("Omaha", "NE", 41.26, -95.94),
                ("Kansas City", "MO", 39.10, -94.58),
                ("St. Louis", "MO", 38.63, -90.20),
                ("Oklahoma City", "OK", 35.47, -97.52),
                ("Houston", "TX", 29.76, -95.37),
                ("San Antonio", "TX", 29.42, -98.49),
                ("New Orleans", "LA", 29.95, -90.07),
                ("Denver", "CO", 39.74, -104.99),
                ("Albuquerque", "NM", 35.08, -106.65),
                ("Phoenix", "AZ", 33.45, -112.07),
                ("Las Vegas", "NV", 36.17, -115.14),
                ("Salt Lake City", "UT", 40.76, -111.89),
                ("Boise", "ID", 43.62, -116.20),
                ("Sacramento", "CA", 38.58, -121.49),
                ("Oakland", "CA", 37.80, -122.27),
                ("Portland", "OR", 45.52, -122.68),
                ("Tacoma", "WA", 47.25, -122.44),
                ("Spokane", "WA", 47.66, -117.43),
                ("Anchorage", "AK", 61.22, -149.90),
                ("Honolulu", "HI", 21.31, -157.86),
            ],
        ),
        _hubs(
            "CA",
            [
                ("Mississauga", "ON", 43.59, -79.64),
                ("Ottawa", "ON", 45.42, -75.70),
                ("London", "ON", 42.98, -81.25),
                ("Montreal", "QC", 45.50, -73.57),
                ("Quebec City", "QC", 46.81, -71.21),
                ("Moncton", "NB", 46.09, -64.78),
                ("Halifax", "NS", 44.65, -63.58),
                ("St. John's", "NL", 47.56, -52.71),
                ("Winnipeg", "MB", 49.90, -97.14),
                ("Regina", "SK", 50.45, -104.61),
                ("Saskatoon", "SK", 52.13, -106.67),
                ("Calgary", "AB", 51.05, -114.07),
                ("Edmonton", "AB", 53.55, -113.49),
                ("Richmond", "BC", 49.17, -123.14),
            ],
        ),
        _hubs(
            "GB",
            [
                ("Coventry", "West Midlands", 52.41, -1.51),
                ("Daventry", "Northamptonshire", 52.26, -1.16),
                ("Warrington", "Cheshire", 53.39, -2.59),
                ("Manchester", "Greater Manchester", 53.48, -2.24),
                ("London", "Greater London", 51.51, -0.13),
                ("Peterborough", "Cambridgeshire", 52.57, -0.24),
                ("Bristol", "Bristol", 51.45, -2.59),
                ("Southampton", "Hampshire", 50.90, -1.40),
                ("Exeter", "Devon", 50.72, -3.53),
                ("Cardiff", "Cardiff", 51.48, -3.18),
                ("Norwich", "Norfolk", 52.63, 1.30),
                ("Doncaster", "South Yorkshire", 53.52, -1.13),
                ("Leeds", "West Yorkshire", 53.80, -1.55),
                ("Newcastle upon Tyne", "Tyne and Wear", 54.98, -1.61),
                ("Glasgow", "Glasgow", 55.86, -4.25),
                ("Edinburgh", "Edinburgh", 55.95, -3.19),
                ("Aberdeen", "Aberdeen", 57.15, -2.10),
                ("Inverness", "Highland", 57.48, -4.22),
                ("Belfast", "County Antrim", 54.60, -5.93),
            ],
        ),
        _hubs(
            "DE",
            [
                ("Hamburg", "HH", 53.55, 10.00),
                ("Bremen", "HB", 53.08, 8.80),
                ("Kiel", "SH", 54.32, 10.13),
                ("Rostock", "MV", 54.09, 12.14),
                ("Berlin", "BE", 52.52, 13.40),
                ("Hannover", "NI", 52.37, 9.73),
                ("Magdeburg", "ST", 52.13, 11.62),
                ("Bielefeld", "NW", 52.02, 8.53),
                ("Dortmund", "NW", 51.51, 7.47),
                ("Krefeld", "NW", 51.33, 6.56),
                ("Kassel", "HE", 51.31, 9.48),
                ("Radefeld", "SN", 51.43, 12.26),
                ("Ottendorf-Okrilla", "SN", 51.18, 13.83),
                ("Erfurt", "TH", 50.98, 11.03),
                ("Koblenz", "RP", 50.36, 7.59),
                ("Frankfurt am Main", "HE", 50.11, 8.68),
                ("Mannheim", "BW", 49.49, 8.47),
                ("Stuttgart", "BW", 48.78, 9.18),
                ("Feucht", "BY", 49.38, 11.21),
                ("Regensburg", "BY", 49.01, 12.10),
                ("Aschheim", "BY", 48.17, 11.72),
            ],
        ),
        _hubs(
            "FR",
            [
                ("Wissous", "Essonne", 48.73, 2.33),
                ("Lille", "Nord", 50.63, 3.06),
                ("Rouen", "Seine-Maritime", 49.44, 1.10),
                ("Reims", "Marne", 49.26, 4.03),
                ("Metz", "Moselle", 49.12, 6.18),
                ("Strasbourg", "Bas-Rhin", 48.57, 7.75),
                ("Rennes", "Ille-et-Vilaine", 48.11, -1.68),
                ("Nantes", "Loire-Atlantique", 47.22, -1.55),
                ("Tours", "Indre-et-Loire", 47.39, 0.69),
                ("Dijon", "Cote-d'Or", 47.32, 5.04),
                ("Limoges", "Haute-Vienne", 45.83, 1.26),
                ("Clermont-Ferrand", "Puy-de-Dome", 45.78, 3.09),
                ("Lyon", "Rhone", 45.76, 4.84),
                ("Bordeaux", "Gironde", 44.84, -0.58),
                ("Toulouse", "Haute-Garonne", 43.60, 1.44),
                ("Montpellier", "Herault", 43.61, 3.88),
                ("Marseille", "Bouches-du-Rhone", 43.30, 5.37),
                ("Nice", "Alpes-Maritimes", 43.70, 7.27),
            ],
        ),
        _hubs(
            "IT",
            [
                ("Milano", "MI", 45.46, 9.19),
                ("Brescia", "BS", 45.54, 10.21),
                ("Torino", "TO", 45.07, 7.69),
                ("Genova", "GE", 44.41, 8.93),
                ("Verona", "VR", 45.44, 10.99),
                ("Padova", "PD", 45.41, 11.88),
                ("Bologna", "BO", 44.49, 11.34),
                ("Firenze", "FI", 43.77, 11.26),
                ("Ancona", "AN", 43.62, 13.52),
                ("Pescara", "PE", 42.46, 14.21),
                ("Roma", "RM", 41.90, 12.50),
                ("Napoli", "NA", 40.85, 14.27),
                ("Bari", "BA", 41.12, 16.87),
                ("Reggio Calabria", "RC", 38.11, 15.65),
                ("Catania", "CT", 37.50, 15.09),
                ("Palermo", "PA", 38.12, 13.36),
                ("Cagliari", "CA", 39.22, 9.11),
            ],
        ),
        _hubs(
            "ES",
            [
                ("Getafe", "M", 40.31, -3.73),
                ("Madrid", "M", 40.42, -3.70),
                ("Barcelona", "B", 41.39, 2.17),
                ("Zaragoza", "Z", 41.65, -0.89),
                ("Valencia", "V", 39.47, -0.38),
                ("Alicante", "A", 38.35, -0.48),
                ("Murcia", "MU", 37.99, -1.13),
                ("Sevilla", "SE", 37.39, -5.98),
                ("Malaga", "MA", 36.72, -4.42),
                ("Granada", "GR", 37.18, -3.60),
                ("Valladolid", "VA", 41.65, -4.72),
                ("Bilbao", "BI", 43.26, -2.93),
                ("Pamplona", "NA", 42.82, -1.64),
                ("Oviedo", "O", 43.36, -5.85),
                ("A Coruna", "C", 43.36, -8.41),
                ("Palma", "PM", 39.57, 2.65),
                ("Las Palmas de Gran Canaria", "GC", 28.12, -15.43),
            ],
        ),
        _hubs(
            "JP",
            [
                ("Tokyo", "Tokyo", 35.69, 139.69),
                ("Saitama", "Saitama", 35.86, 139.65),
                ("Atsugi", "Kanagawa", 35.44, 139.36),
                ("Shizuoka", "Shizuoka", 34.98, 138.38),
                ("Nagoya", "Aichi", 35.18, 136.91),
                ("Osaka", "Osaka", 34.69, 135.50),
                ("Kanazawa", "Ishikawa", 36.56, 136.66),
                ("Niigata", "Niigata", 37.90, 139.02),
                ("Sendai", "Miyagi", 38.27, 140.87),
                ("Sapporo", "Hokkaido", 43.06, 141.35),
                ("Okayama", "Okayama", 34.66, 133.93),
                ("Hiroshima", "Hiroshima", 34.40, 132.46),
                ("Takamatsu", "Kagawa", 34.34, 134.05),
                ("Fukuoka", "Fukuoka", 33.59, 130.40),
                ("Kumamoto", "Kumamoto", 32.80, 130.71),
                ("Kagoshima", "Kagoshima", 31.60, 130.56),
                ("Naha", "Okinawa", 26.21, 127.68),
            ],
        ),
        _hubs(
            "AU",
            [
                ("Chullora", "NSW", -33.89, 151.05),
                ("Newcastle", "NSW", -32.93, 151.78),
                ("Canberra", "ACT", -35.28, 149.13),
                ("Sunshine West", "VIC", -37.79, 144.81),
                ("Geelong", "VIC", -38.15, 144.36),
                ("Underwood", "QLD", -27.61, 153.11),
                ("Townsville", "QLD", -19.26, 146.82),
                ("Cairns", "QLD", -16.92, 145.77),
                ("Adelaide", "SA", -34.93, 138.60),
                ("Welshpool", "WA", -31.99, 115.94),
                ("Hobart", "TAS", -42.88, 147.33),
                ("Darwin", "NT", -12.46, 130.84),
            ],
        ),
        _hubs(
            "MX",
            [
                ("Mexico City", "CMX", 19.43, -99.13),
                ("Puebla", "PUE", 19.04, -98.21),
                ("Queretaro", "QUE", 20.59, -100.39),
                ("Leon", "GUA", 21.12, -101.68),
                ("Guadalajara", "JAL", 20.67, -103.35),
                ("Monterrey", "NLE", 25.69, -100.32),
                ("Tijuana", "BCN", 32.51, -117.04),
                ("Merida", "YUC", 20.97, -89.62),
            ],
        ),
        _hubs(
            "NL",
            [
                ("Amsterdam", "NH", 52.37, 4.90),
                ("Rotterdam", "ZH", 51.92, 4.48),
                ("Utrecht", "UT", 52.09, 5.12),
                ("Eindhoven", "NB", 51.44, 5.47),
                ("Zwolle", "OV", 52.52, 6.08),
                ("Groningen", "GR", 53.22, 6.57),
            ],
        ),
        _hubs(
            "SE",
            [
                ("Stockholm", "Stockholm", 59.33, 18.07),
                ("Gothenburg", "Vastra Gotaland", 57.71, 11.97),
                ("Malmo", "Skane", 55.60, 13.00),
                ("Jonkoping", "Jonkoping", 57.78, 14.16),
                ("Sundsvall", "Vasternorrland", 62.39, 17.31),
                ("Umea", "Vasterbotten", 63.83, 20.26),
            ],
        ),
        _hubs(
            "PL",
            [
                ("Warszawa", "Mazowieckie", 52.23, 21.01),
                ("Poznan", "Wielkopolskie", 52.41, 16.93),
                ("Wroclaw", "Dolnoslaskie", 51.11, 17.04),
                ("Lodz", "Lodzkie", 51.76, 19.46),
                ("Krakow", "Malopolskie", 50.06, 19.94),
                ("Katowice", "Slaskie", 50.26, 19.02),
                ("Gdansk", "Pomorskie", 54.35, 18.65),
            ],
        ),
        _hubs(
            "TR",
            [
                ("Istanbul", "Istanbul", 41.01, 28.98),
                ("Bursa", "Bursa", 40.19, 29.06),
                ("Izmir", "Izmir", 38.42, 27.14),
                ("Ankara", "Ankara", 39.93, 32.86),
                ("Antalya", "Antalya", 36.90, 30.71),
                ("Adana", "Adana", 37.00, 35.32),
            ],
        ),
        _hubs(
            "AE",
            [
                ("Dubai", "Dubai", 25.20, 55.27),
                ("Abu Dhabi", "Abu Dhabi", 24.45, 54.38),
                ("Sharjah", "Sharjah", 25.35, 55.42),
            ],
        ),
        _hubs(
            "SA",
            [
                ("Riyadh", "Riyadh", 24.71, 46.68),
                ("Jeddah", "Makkah", 21.49, 39.19),
                ("Dammam", "Eastern Province", 26.43, 50.10),
            ],
        ),
        _hubs(
            "EG",
            [
                ("Cairo", "Cairo", 30.04, 31.24),
                ("6th of October City", "Giza", 29.94, 30.91),
                ("Alexandria", "Alexandria", 31.20, 29.92),
            ],
        ),
        _hubs(
            "IN",
            [
                ("Mumbai", "MH", 19.08, 72.88),
                ("Pune", "MH", 18.52, 73.86),
                ("Nagpur", "MH", 21.15, 79.09),
                ("Delhi", "DL", 28.70, 77.10),
                ("Ahmedabad", "GJ", 23.02, 72.57),
                ("Bengaluru", "KA", 12.97, 77.59),
                ("Chennai", "TN", 13.08, 80.27),
                ("Hyderabad", "TG", 17.39, 78.49),
                ("Kolkata", "WB", 22.57, 88.36),
            ],
        ),
        _hubs(
            "SG",
            [
                ("Tuas", "Singapore", 1.32, 103.65),
                ("Changi", "Singapore", 1.36, 103.99),
            ],
        ),
    )
)
"""Real carrier hub and sort-centre cities per ISO country, with their region in the world data's style;
coordinates approximate (estimated)."""

_EU = "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK"
EU_CUSTOMS_UNION = frozenset(_EU.split(" "))
"""A border inside this set has no customs events."""

SIGNER_SURNAMES: Mapping[str, tuple[str, ...]] = {
    "DE": ("MUELLER", "SCHMIDT", "SCHNEIDER", "FISCHER", "WEBER", "MEYER", "WAGNER", "BECKER", "SCHULZ", "HOFFMANN"),
    "FR": ("MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND", "LEROY", "MOREAU"),
    "IT": ("ROSSI", "RUSSO", "FERRARI", "ESPOSITO", "BIANCHI", "ROMANO", "COLOMBO", "RICCI", "MARINO", "GRECO"),
    "ES": ("GARCIA", "RODRIGUEZ", "GONZALEZ", "FERNANDEZ", "LOPEZ", "MARTINEZ", "SANCHEZ", "PEREZ", "GOMEZ"),
    "MX": ("HERNANDEZ", "GARCIA", "MARTINEZ", "LOPEZ", "GONZALEZ", "PEREZ", "RODRIGUEZ", "SANCHEZ", "RAMIREZ"),
    "JP": ("SATO", "SUZUKI", "TAKAHASHI", "TANAKA", "WATANABE", "ITO", "YAMAMOTO", "NAKAMURA", "KOBAYASHI", "KATO"),
    "NL": ("DE JONG", "JANSEN", "DE VRIES", "VAN DEN BERG", "BAKKER", "VISSER", "SMIT", "MEIJER"),
    "": ("SMITH", "JOHNSON", "WILLIAMS", "BROWN", "JONES", "MILLER", "DAVIS", "WILSON", "TAYLOR", "CLARK", "LEWIS",
         "WALKER", "HALL", "YOUNG", "ALLEN", "KING", "WRIGHT", "SCOTT", "GREEN", "PATEL"),
}  # fmt: skip
"""Surnames for ``SignedForBy`` (``J DOE`` style) per destination country; ``""`` for the others."""

LEFT_AT: tuple[tuple[str, float], ...] = (
    ("FRONT_DOOR", 34),
    ("MAILBOX", 9),
    ("PORCH", 9),
    ("RECEIVER", 12),
    ("MAIL_ROOM", 5),
    ("FRONT_DESK", 4),
    ("RECEPTIONIST", 3),
    ("SIDE_DOOR", 3),
    ("REAR_DOOR", 3),
    ("GARAGE", 3),
    ("NEIGHBOR", 3),
    ("SECURE_LOCATION", 3),
    ("AS_INSTRUCTED", 3),
    ("DOOR_PERSON", 1.5),
    ("OFFICE", 1.5),
    ("GUARD", 1),
    ("PATIO", 1),
    ("DECK", 0.5),
    ("CARPORT", 0.5),
    ("OUTBUILDING", 0.5),
    ("MAIL_SLOT", 0.5),
)
"""Where delivered packages are left, with weights (estimated). Pickup and the ``MC_*`` values are not used."""

HANDED_OVER = frozenset({"RECEIVER", "MAIL_ROOM", "FRONT_DESK", "RECEPTIONIST", "NEIGHBOR", "DOOR_PERSON", "OFFICE"})
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
) -> Journey:
    """The journey of a package that leaves ``center`` at ``ship_at``, promised by ``promised_arrival``.

    ``destination_*`` are the address's City, StateOrProvinceCode and CountryCode (``UK`` is read as ``GB``) and
    its coarse location (``geo.destination_point``; ``None``: the country's representative point). ``force`` is a
    scenario outcome (:data:`FORCES`); ``earliest_arrival`` (optional) is the start of the promised window.
    Same arguments, same journey.
    """
    if force is not None and force not in FORCES:
        raise ValueError(f"unknown tracking outcome {force!r}; expected one of {', '.join(sorted(FORCES))}")
    rng = random.Random(seed)
    drawn = rates.outcome(rng.random())
    outcome = FORCES[force] if force is not None else drawn
    timings = _timings()

    t0 = _utc(ship_at).replace(microsecond=0)
    promised = _utc(promised_arrival)
    earliest = _utc(earliest_arrival) if earliest_arrival is not None else None

    origin_country = _iso(center.country)
    origin = Place(center.city, center.state_or_region, origin_country)
    origin_point: Point = (center.lat, center.lon)
    dest_country = _iso(destination_country) or origin_country
    dest_point: Point = destination_point or COUNTRY_POINTS.get(dest_country) or origin_point
    destination = _destination_place(destination_city, destination_state, dest_country, dest_point)
    route, border_at = _route(rng, origin_country, origin_point, center.city, dest_country, dest_point, destination)
    stops = [
        Place(hub.city, hub.state, dest_country if border_at is not None and index >= border_at else origin_country)
        for index, hub in enumerate(route)
    ]
    solar = timedelta(hours=dest_point[1] / 15)

    span = _hours(promised - t0)
    profile = timings.expedited if span <= EXPEDITED_SPAN_HOURS else timings.standard
    last_mile = max(profile.last_mile, timings.first_attempt, timings.refusal)
    floor = t0 + _h(1.2 * (profile.depart + last_mile) + 2.0 * (len(route) + 1) + 1.0)

    # when the (first) delivery attempt happens: inside the promised window, in working hours
    window_start = earliest if earliest is not None else t0 + (promised - t0) * 0.45
    lo = max(window_start, floor)
    hi = max(promised, lo)
    attempt = lo + (hi - lo) * rng.random()
    attempt = _working_hours(attempt, solar, rng, lo, hi) if hi > lo else _next_working_hours(attempt, solar, rng)

    scale = min(1.0, max(0.5, _hours(attempt - t0) / profile.total))
    events: list[tuple[datetime, str, Place]] = [(t0, "EVENT_101", origin)]
    t_pickup = t0 + _h(profile.pickup * scale * rng.uniform(0.8, 1.2))
    t_depart = max(t0 + _h(profile.depart * scale * rng.uniform(0.85, 1.15)), t_pickup + MIN_GAP)
    events.append((t_pickup, "EVENT_102", origin))
    events.append((t_depart, "EVENT_202", origin))

    if outcome == LOST:
        lost_at = max(t0 + _h(timings.lost_after * rng.uniform(0.8, 1.2)), promised + _h(rng.uniform(6, 48)))
        events.append((lost_at, "EVENT_409", stops[0] if stops else origin))
        return _finish(rng, events, outcome, promised, dest_country)

    # the last mile, planned backwards from the delivery (attempt) moment
    if outcome == DELAYED_DELIVERED:
        final = attempt + _h(timings.delay * rng.uniform(0.8, 1.6))
        if final <= promised:
            final = promised + _h(rng.uniform(3, 30))
        final = _next_working_hours(final, solar, rng)
        first_out = final - _van_gap(final, profile.last_mile, solar, rng)
    elif outcome == FAILED_ATTEMPT_DELIVERED:
        first_out = attempt - _van_gap(attempt, timings.first_attempt, solar, rng)
        final = _next_working_hours(attempt + _h(rng.uniform(18, 26)), solar, rng)
    elif outcome in (UNDELIVERABLE, RETURNED):
        first_out = attempt - _van_gap(attempt, timings.refusal, solar, rng)
        final = attempt
    else:
        final = attempt
        first_out = final - _van_gap(final, profile.last_mile, solar, rng)
    arrive = first_out - min(_h(rng.uniform(1.5, 9)), (first_out - t_depart) * 0.3)

    # the line haul: departure from the center → hubs → the destination's delivery station; nominal hours per
    # step (2 h + 55 km/h on the road, the data's dwell and delay), stretched to fit between departure and arrival
    delayed_at = rng.randrange(max(1, len(stops))) if outcome == DELAYED_DELIVERED else None
    legs: list[tuple[float, str, Place]] = []
    previous = origin_point
    held = 0.0
    if delayed_at is not None and not stops:  # no hub: as the data's sequence, 202 → 404 → 201 at the destination
        legs.append((rng.uniform(2, 8), _delay_code(rng), origin))
        held = timings.delay * rng.uniform(0.8, 1.2)
    for index, (hub, place) in enumerate(zip(route, stops, strict=True)):
        legs.append((2 + distance_km(previous, (hub.lat, hub.lon)) / 55, "EVENT_201", place))
        if border_at == index:
            legs.extend(_border(rng, place, origin_country, dest_country))
        if delayed_at == index:
            legs.append((rng.uniform(0.5, 3), _delay_code(rng), place))
            legs.append((timings.delay * rng.uniform(0.8, 1.2), "EVENT_202", place))
        else:
            legs.append((profile.dwell * rng.uniform(0.6, 1.4), "EVENT_202", place))
        previous = (hub.lat, hub.lon)
    legs.append((held + 2 + distance_km(previous, dest_point) / 55, "EVENT_201", destination))
    if border_at is None and dest_country != origin_country:
        legs.extend(_border(rng, destination, origin_country, dest_country))
    nominal = sum(hours for hours, _code, _place in legs)
    moment = t_depart
    for hours, code, place in legs:
        moment = moment + (arrive - t_depart) * (hours / nominal)
        events.append((moment, code, place))

    events.append((first_out, "EVENT_302", destination))
    if outcome in (DELIVERED, DELAYED_DELIVERED):
        events.append((final, "EVENT_301", destination))
    elif outcome == FAILED_ATTEMPT_DELIVERED:
        events.append((attempt, "EVENT_304", destination))
        events.append((final - _van_gap(final, timings.retry_last_mile, solar, rng), "EVENT_302", destination))
        events.append((final, "EVENT_301", destination))
    else:
        events.append((attempt, "EVENT_401", destination))
        if outcome == RETURNED:
            returning = attempt + _h(timings.to_returning * rng.uniform(0.8, 1.2))
            events.append((returning, "EVENT_408", destination))
            events.append((returning + _h(timings.to_returned * rng.uniform(0.8, 1.2)), "EVENT_309", origin))
    return _finish(rng, events, outcome, promised, dest_country)


def _delay_code(rng: random.Random) -> str:
    """EVENT_404 (outside causes: weather) twice as often as EVENT_418 (delayed)."""
    return rng.choice(("EVENT_404", "EVENT_404", "EVENT_418"))


def _finish(
    rng: random.Random, raw: list[tuple[datetime, str, Place]], outcome: str, promised: datetime, country: str
) -> Journey:
    """Whole seconds, strictly increasing times, the delivery's signer and place."""
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


# -------------------------------------------------------------------------------------------------- storage

JSON_VERSION = 1


def _stamp(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(text: str | None) -> datetime | None:
    return None if text is None else _utc(datetime.fromisoformat(text))


_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # json.dumps with these makes one a call


def journey_to_json(journey: Journey) -> str:
    """A compact JSON form of the journey (events as ``[time, code, city, state, country]``)."""
    data = {
        "v": JSON_VERSION,
        "outcome": journey.outcome,
        "delivered_at": _stamp(journey.delivered_at),
        "signed_for_by": journey.signed_for_by,
        "additional_location_info": journey.additional_location_info,
        "promised_arrival": _stamp(journey.promised_arrival),
        "events": [[_stamp(e.at), e.code, e.city, e.state, e.country] for e in journey.events],
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
    events = []
    for at, code, city, state, country in data["events"]:
        moment = _parse(at)
        assert moment is not None
        events.append(TrackingEvent(moment, code, city, state, country))
    return Journey(
        tuple(events),
        _parse(data.get("delivered_at")),
        data.get("signed_for_by"),
        data.get("additional_location_info"),
        data["outcome"],
        _parse(data.get("promised_arrival")),
    )


# ------------------------------------------------------------------------------------- planned when read

INPUTS_VERSION = 2


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
        )

    def estimated_arrival(self) -> datetime:
        """``estimated_arrival(self.plan())`` without planning: with a promise and no ``now`` it is the promise."""
        return _utc(self.promised_arrival)


def inputs_to_json(inputs: JourneyInputs) -> str:
    """A compact JSON form of the inputs (times to the microsecond, so the plan is the same when read back)."""
    data: dict[str, Any] = {
        "v": INPUTS_VERSION,
        "seed": inputs.seed,
        "ship_at": inputs.ship_at.isoformat(),
        "center": inputs.center,
        "city": inputs.destination_city,
        "state": inputs.destination_state,
        "country": inputs.destination_country,
        "point": inputs.destination_point,
        "promised": inputs.promised_arrival.isoformat(),
        "force": inputs.force,
        "earliest": inputs.earliest_arrival.isoformat() if inputs.earliest_arrival else None,
    }
    if inputs.rates != DEFAULT_RATES:
        data["rates"] = [getattr(inputs.rates, name) for name in _RATE_FIELDS]
    return _COMPACT.encode(data)


_RATE_FIELDS = ("delay", "failed_attempt", "undeliverable", "returned_to_seller", "lost")


def _inputs_from(data: Mapping[str, Any]) -> JourneyInputs:
    point = data.get("point")
    rates = data.get("rates")
    earliest = data.get("earliest")
    return JourneyInputs(
        seed=data["seed"],
        ship_at=datetime.fromisoformat(data["ship_at"]),
        center=data["center"],
        destination_city=data.get("city"),
        destination_state=data.get("state"),
        destination_country=data["country"],
        destination_point=(point[0], point[1]) if point is not None else None,
        promised_arrival=datetime.fromisoformat(data["promised"]),
        rates=Rates(**dict(zip(_RATE_FIELDS, rates, strict=True))) if rates is not None else DEFAULT_RATES,
        force=data.get("force"),
        earliest_arrival=datetime.fromisoformat(earliest) if earliest is not None else None,
    )
