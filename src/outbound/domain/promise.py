"""Delivery promises: when a shipment leaves its center and when it arrives, per shipping speed.

Rules (docs/world.md, ``data/shipping_speeds.json``; everything here is estimated):

- **Ship day.** In the center's time zone: today when today is a business day and the order comes in before the
  speed's cut-off (``order_cutoff_local_time``: Standard 23:59, Expedited 15:00, Priority 13:00, ScheduledDelivery
  12:00; "before" is strict), otherwise the next business day.
- **Ship window.** Priority, Expedited and ScheduledDelivery ship on the ship day. Standard "ships within 1-2
  business days": its window is the ship day and the next business day, except in JP where Standard ships on the
  ship day (both as in the previews of ``docs/mws-protocol.md`` "Worked examples": US latest ship one business day
  later, JP the same day).
- **Arrival.** The ship day plus the speed's business days in transit for the marketplace (earliest and latest of
  the range; the ``default`` row for marketplaces without one). For Standard only, one business day is added to the
  latest arrival when the center is more than :data:`LONG_HAUL_KM` from the destination (ground across a continent);
  the guaranteed speeds are flown and get no extra day.
- **Times.** Every date is a whole local day of the center, written in UTC: a window starts at 00:00:00 local and
  ends at 23:59:59 local (so ``T08:00:00Z`` / ``T07:59:59Z`` for Pacific time in winter). ScheduledDelivery arrives
  inside the delivery windows of its arrival day, so its arrival is from the first window's start to the last
  window's end.
- **Business days.** Not Saturday or Sunday, not a holiday of the country (:func:`holidays`). Ship days use the
  center's country, transit days the marketplace's country.
- **JP holidays.** Japan's carriers deliver on national holidays, and the worked JP example ships on Labour
  Thanksgiving Day (Monday 2026-11-23), so JP counts only the New Year closure (1-3 January) as holidays.

All arithmetic uses :mod:`zoneinfo`; ``now`` must be an aware datetime (a naive one is taken as UTC).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

from outbound.domain.geo import Point, distance_km
from outbound.domain.orders import SCHEDULED_DELIVERY, STANDARD
from outbound.domain.world import SPEED_ORDER, FulfillmentCenter, Marketplace, shipping_speeds

LONG_HAUL_KM = 2000.0
"""Above this center → destination distance, Standard's latest arrival gets one more business day (estimated)."""

STANDARD_SHIP_WINDOW_DAYS = {"JP": 1}
"""Business days in Standard's ship window per marketplace key; 2 elsewhere ("ships within 1-2 business days")."""

DAY_START = time(0, 0, 0)
DAY_END = time(23, 59, 59)


@dataclass(frozen=True)
class Promise:
    """A shipment's promised ship and arrival window, as aware UTC datetimes."""

    earliest_ship: datetime
    latest_ship: datetime
    earliest_arrival: datetime
    latest_arrival: datetime


def offered_speeds(marketplace: Marketplace) -> tuple[str, ...]:
    """The speeds a marketplace offers (data: the transit table), in the order Standard, Expedited, Priority,
    ScheduledDelivery. Empty where the outbound operations do not exist (BR)."""
    if not marketplace.outbound_available:
        return ()
    transit = shipping_speeds().transit_days(marketplace.country)
    return tuple(speed for speed in SPEED_ORDER if speed in transit)


def promise(
    center: FulfillmentCenter,
    marketplace: Marketplace,
    speed: str,
    now: datetime,
    destination: Point | None = None,
) -> Promise | None:
    """The promise for a shipment from ``center`` at ``speed`` for an order placed at ``now``.

    ``None`` when the marketplace does not offer the speed.
    """
    if speed not in offered_speeds(marketplace):
        return None
    calendar = business_calendar(_iso_country(center.country))
    ship_day = first_ship_day(now, ZoneInfo(center.time_zone), shipping_speeds().cutoffs[speed], calendar)
    long_haul = speed == STANDARD and destination is not None and _long_haul(center, destination)
    return _promise_from(center, marketplace, speed, ship_day, long_haul)


@lru_cache(maxsize=4096)
def _promise_from(
    center: FulfillmentCenter, marketplace: Marketplace, speed: str, ship_day: date, long_haul: bool
) -> Promise:
    """The promise of a shipment that leaves on ``ship_day``: every order of that day gets the same one, so it is
    worked out once (the rules and calendars are data that do not change while serving)."""
    rules = shipping_speeds()
    tz = ZoneInfo(center.time_zone)
    ship_calendar = business_calendar(_iso_country(center.country))
    transit_calendar = business_calendar(marketplace.country_code)

    window = STANDARD_SHIP_WINDOW_DAYS.get(marketplace.country, 2) if speed == STANDARD else 1
    last_ship_day = add_business_days(ship_day, window - 1, ship_calendar)

    low, high = rules.transit_days(marketplace.country)[speed]
    if long_haul:
        high += 1
    first_arrival_day = add_business_days(ship_day, low, transit_calendar)
    last_arrival_day = add_business_days(ship_day, high, transit_calendar)

    if speed == SCHEDULED_DELIVERY:
        windows = _windows_on(first_arrival_day, ZoneInfo(marketplace.time_zone))
        earliest_arrival, latest_arrival = windows[0][0], windows[-1][1]
    else:
        earliest_arrival = _at(first_arrival_day, DAY_START, tz)
        latest_arrival = _at(last_arrival_day, DAY_END, tz)
    return Promise(_at(ship_day, DAY_START, tz), _at(last_ship_day, DAY_END, tz), earliest_arrival, latest_arrival)


def next_cutoff(center: FulfillmentCenter, speed: str, now: datetime) -> datetime:
    """The speed's order cut-off on the ship day of an order placed at ``now`` (UTC): until then an order gets the
    promise :func:`promise` gives at ``now``; after it, the next ship day's."""
    tz = ZoneInfo(center.time_zone)
    cutoff = shipping_speeds().cutoffs[speed]
    ship_day = first_ship_day(now, tz, cutoff, business_calendar(_iso_country(center.country)))
    return _at(ship_day, cutoff, tz)


def delivery_windows(marketplace: Marketplace, now: datetime) -> list[tuple[datetime, datetime]]:
    """The ScheduledDelivery windows offered for an order placed at ``now`` (JP only; empty elsewhere).

    The windows of ``jp_scheduled_delivery_windows`` (08:00-12:00, 14:00-16:00, 16:00-18:00, 18:00-20:00,
    19:00-21:00 local) on the ScheduledDelivery arrival day: the ship day (cut-off 12:00 in the marketplace's time
    zone) plus its transit days. Start and end in UTC. These exact pairs are what CreateFulfillmentOrder accepts.
    """
    if SCHEDULED_DELIVERY not in offered_speeds(marketplace):
        return []
    rules = shipping_speeds()
    tz = ZoneInfo(marketplace.time_zone)
    calendar = business_calendar(marketplace.country_code)
    ship_day = first_ship_day(now, tz, rules.cutoffs[SCHEDULED_DELIVERY], calendar)
    low, _high = rules.transit_days(marketplace.country)[SCHEDULED_DELIVERY]
    arrival_day = add_business_days(ship_day, low, calendar)
    moment = _aware(now)
    return [(start, end) for start, end in _windows_on(arrival_day, tz) if start > moment]


# ------------------------------------------------------------------------------------------------ day arithmetic

BusinessDay = Callable[[date], bool]


def first_ship_day(now: datetime, tz: ZoneInfo, cutoff: time, is_business_day: BusinessDay) -> date:
    """Today (local to ``tz``) if it is a business day and ``now`` is before ``cutoff``, else the next business day."""
    local = _aware(now).astimezone(tz)
    today = local.date()
    if is_business_day(today) and local.time() < cutoff:
        return today
    return add_business_days(today, 1, is_business_day)


def add_business_days(day: date, count: int, is_business_day: BusinessDay) -> date:
    """The ``count``-th business day after ``day`` (``day`` itself for 0)."""
    while count > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            count -= 1
    return day


def business_calendar(country_code: str) -> BusinessDay:
    """A predicate: is this date a business day in the country (ISO code; ``UK`` is taken as ``GB``)?"""
    country = _iso_country(country_code)

    def is_business_day(day: date) -> bool:
        return day.weekday() < 5 and day not in holidays(country, day.year)

    return is_business_day


def _long_haul(center: FulfillmentCenter, destination: Point) -> bool:
    return distance_km((center.lat, center.lon), destination) > LONG_HAUL_KM


def _iso_country(country: str) -> str:
    return "GB" if country.upper() == "UK" else country.upper()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _at(day: date, clock: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC)


def _windows_on(day: date, tz: ZoneInfo) -> list[tuple[datetime, datetime]]:
    return [(_at(day, start, tz), _at(day, end, tz)) for start, end in shipping_speeds().delivery_windows]


# ------------------------------------------------------------------------------------------------------ holidays


def easter_sunday(year: int) -> date:
    """Western (Gregorian) Easter Sunday, by the anonymous Gregorian computus."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th given weekday (0 = Monday) of a month; n = -1 for the last one."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _us_observed(day: date) -> date:
    """US federal rule: a Saturday holiday is observed on Friday, a Sunday one on Monday."""
    if day.weekday() == 5:
        return day - timedelta(days=1)
    if day.weekday() == 6:
        return day + timedelta(days=1)
    return day


def _substitute(days: list[date]) -> set[date]:
    """British/Commonwealth rule: a holiday on a weekend moves to the next weekday not already a holiday."""
    result: set[date] = set()
    for day in sorted(days):
        while day.weekday() >= 5 or day in result:
            day += timedelta(days=1)
        result.add(day)
    return result


@cache
def holidays(country_code: str, year: int) -> frozenset[date]:
    """Days in ``year`` when the country's carriers and centers do not work (a short list; estimated).

    US: the carriers' holidays (New Year, Memorial Day, Independence Day, Labor Day, Thanksgiving, Christmas;
    federal observed dates). CA, GB, AU: national holidays with substitute days. DE, FR, IT, ES: nationwide public
    holidays. JP: the New Year closure only (see the module docstring). Other countries: none.
    """
    country = _iso_country(country_code)
    easter = easter_sunday(year)
    good_friday, easter_monday = easter - timedelta(days=2), easter + timedelta(days=1)

    def d(month: int, day: int) -> date:
        return date(year, month, day)

    days: set[date]
    match country:
        case "US":
            days = {_us_observed(d(1, 1)), _us_observed(d(7, 4)), _us_observed(d(12, 25))}
            days |= {_nth_weekday(year, 5, 0, -1), _nth_weekday(year, 9, 0, 1), _nth_weekday(year, 11, 3, 4)}
            if _us_observed(date(year + 1, 1, 1)).year == year:  # New Year 2028 is observed on 2027-12-31
                days.add(_us_observed(date(year + 1, 1, 1)))
        case "CA":
            victoria = _nth_weekday(year, 5, 0, -1) - timedelta(days=7)  # the Monday before 25 May
            days = _substitute([d(1, 1), d(7, 1), d(12, 25), d(12, 26)])
            days |= {good_friday, victoria, _nth_weekday(year, 9, 0, 1), _nth_weekday(year, 10, 0, 2)}
        case "GB":
            days = _substitute([d(1, 1), d(12, 25), d(12, 26)])
            days |= {good_friday, easter_monday}
            days |= {_nth_weekday(year, 5, 0, 1), _nth_weekday(year, 5, 0, -1), _nth_weekday(year, 8, 0, -1)}
        case "AU":
            days = _substitute([d(1, 1), d(1, 26), d(12, 25), d(12, 26)])
            days |= {good_friday, easter_monday, d(4, 25)}
        case "DE":
            days = {d(1, 1), d(5, 1), d(10, 3), d(12, 25), d(12, 26), good_friday, easter_monday}
            days |= {easter + timedelta(days=39), easter + timedelta(days=50)}  # Ascension, Whit Monday
        case "FR":
            days = {d(1, 1), d(5, 1), d(5, 8), d(7, 14), d(8, 15), d(11, 1), d(11, 11), d(12, 25), easter_monday}
            days |= {easter + timedelta(days=39), easter + timedelta(days=50)}
        case "IT":
            days = {d(1, 1), d(1, 6), d(4, 25), d(5, 1), d(6, 2), d(8, 15), d(11, 1), d(12, 8), d(12, 25), d(12, 26)}
            days.add(easter_monday)
        case "ES":
            days = {d(1, 1), d(1, 6), d(5, 1), d(8, 15), d(10, 12), d(11, 1), d(12, 6), d(12, 8), d(12, 25)}
            days.add(good_friday)
        case "JP":
            days = {d(1, 1), d(1, 2), d(1, 3)}
        case _:
            days = set()
    return frozenset(day for day in days if day.year == year)
