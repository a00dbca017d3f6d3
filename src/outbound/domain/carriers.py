"""Carriers: who takes a package from a fulfillment center, and the tracking number they give it.

World data: ``data/carriers.json`` (codes, names, phones, tracking-number regular expressions, tracking URL
templates, and the carriers used per marketplace and shipping speed). ``CarrierURL`` on the wire is the site root
of the tracking URL template (``https://www.ups.com/``), ``CarrierPhoneNumber`` is ``phone`` (``None`` when the
data has none: the element is then sent empty, docs/mws-protocol.md "Operations").

Choosing a carrier (:func:`carriers_for`):

- the marketplace's list for the speed;
- a speed the marketplace has no list for falls back to the next slower speed it has (ScheduledDelivery →
  Priority → Expedited → Standard), then to any list of the marketplace;
- a marketplace without carriers in the data (MX, NL, SE, PL, TR, AE, SA, EG, IN, SG) uses the carriers of the
  country the package leaves from when the caller names it (``origin_country``, the center's country) and the
  data has some, otherwise those of the nearest marketplace that has carriers (by the representative points of
  ``geo.COUNTRY_POINTS``: MX → US, NL/SE/PL → DE, ...). Always deterministic, never empty.

Tracking numbers (:func:`tracking_number`) follow each carrier's real format and match its regular expression.
Check digits are computed where the format has a well-documented one: the UPU S10 check digit of Royal Mail
(named in the data), the UPS ``1Z`` mod-10, the USPS IMpb mod-10, the FedEx Express 12-digit mod-11 and the
Yamato mod-7; the other carriers' numbers are random within their format. All randomness comes from the
``random.Random`` passed in.
"""

from __future__ import annotations

import itertools
import random
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from urllib.parse import urlsplit

from outbound.domain.geo import COUNTRY_POINTS, distance_km
from outbound.domain.orders import EXPEDITED, PRIORITY, SCHEDULED_DELIVERY, STANDARD
from outbound.domain.world import load_json


@dataclass(frozen=True)
class Carrier:
    """A carrier of ``data/carriers.json``."""

    code: str
    name: str
    phone: str | None
    url: str  # the site root of the tracking URL: the wire's CarrierURL
    tracking_url_template: str  # with ``{tracking_number}``
    tracking_pattern: re.Pattern[str]
    country: str = ""  # the marketplace key of its home market (UK, not GB)

    def tracking_url(self, number: str) -> str:
        """The carrier's tracking page for ``number``."""
        return self.tracking_url_template.replace("{tracking_number}", number)

    def matches(self, number: str) -> bool:
        """Whether ``number`` has this carrier's tracking-number format."""
        return self.tracking_pattern.fullmatch(number) is not None


def site_root(url: str) -> str:
    """``https://www.ups.com/track?x=1`` → ``https://www.ups.com/``."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


SPEED_FALLBACK: Mapping[str, tuple[str, ...]] = {
    SCHEDULED_DELIVERY: (SCHEDULED_DELIVERY, PRIORITY, EXPEDITED, STANDARD),
    PRIORITY: (PRIORITY, EXPEDITED, STANDARD),
    EXPEDITED: (EXPEDITED, STANDARD),
    STANDARD: (STANDARD,),
}
"""For each speed, the speeds whose carriers may take it, best first (a faster carrier can always go slower)."""

_ISO_TO_KEY = {"GB": "UK"}
_KEY_TO_ISO = {"UK": "GB"}


@dataclass(frozen=True)
class _CarrierData:
    carriers: Mapping[str, Carrier]
    by_market: Mapping[str, Mapping[str, tuple[str, ...]]]


@cache
def _data() -> _CarrierData:
    raw = load_json("carriers")
    carriers = {
        c["code"]: Carrier(
            code=c["code"],
            name=c["name"],
            phone=c.get("phone") or None,
            url=site_root(c["tracking_url"]),
            tracking_url_template=c["tracking_url"],
            tracking_pattern=re.compile(c["tracking_regex"]),
            country=c.get("country", ""),
        )
        for c in raw["carriers"]
    }
    by_market = {
        market: {speed: tuple(code for code in codes if code in carriers) for speed, codes in speeds.items()}
        for market, speeds in raw["by_marketplace_and_speed"].items()
    }
    return _CarrierData(carriers, by_market)


def all_carriers() -> Mapping[str, Carrier]:
    """Every carrier of the world data, by code."""
    return _data().carriers


def carrier(code: str) -> Carrier:
    """The carrier with this code (``KeyError`` if the data has none)."""
    return _data().carriers[code]


def carrier_or_none(code: str | None) -> Carrier | None:
    return _data().carriers.get(code) if code else None


def _market_key(country: str) -> str:
    text = (country or "").strip().upper()
    return _ISO_TO_KEY.get(text, text)


def _pick_speed(speeds: Mapping[str, tuple[str, ...]], speed: str) -> tuple[str, ...]:
    for candidate in SPEED_FALLBACK.get(speed, (STANDARD,)):
        if speeds.get(candidate):
            return speeds[candidate]
    for codes in speeds.values():  # any list of the market, in data order
        if codes:
            return codes
    return ()


@cache
def nearest_market_with_carriers(country: str) -> str:
    """The marketplace key with carriers in the data nearest to ``country`` (itself when it has carriers)."""
    data = _data()
    key = _market_key(country)
    if any(data.by_market.get(key, {}).values()):
        return key
    iso = _KEY_TO_ISO.get(key, key)
    markets = sorted(m for m, speeds in data.by_market.items() if any(speeds.values()))
    here = COUNTRY_POINTS.get(iso)
    if here is None:
        return "US" if "US" in markets else markets[0]

    def distance(market: str) -> float:
        point = COUNTRY_POINTS.get(_KEY_TO_ISO.get(market, market))
        return distance_km(here, point) if point is not None else float("inf")

    return min(markets, key=lambda m: (distance(m), m))


@lru_cache(maxsize=1024)  # pure: asked for every shipment
def carriers_for(marketplace_country: str, speed: str, origin_country: str | None = None) -> tuple[Carrier, ...]:
    """The carriers that may take a package of a marketplace (key ``UK`` or ISO ``GB``) at a speed. Never empty.

    ``origin_country`` (the shipping center's country) is only used when the marketplace has no carriers in the
    data; see the module docstring for the whole fallback.
    """
    data = _data()
    key = _market_key(marketplace_country)
    if not any(data.by_market.get(key, {}).values()) and origin_country is not None:
        origin = _market_key(origin_country)
        if any(data.by_market.get(origin, {}).values()):
            key = origin
    key = nearest_market_with_carriers(key)
    codes = _pick_speed(data.by_market[key], speed)
    return tuple(data.carriers[code] for code in codes)


def market_carriers(marketplace_country: str, speed: str) -> tuple[Carrier, ...]:
    """The data's own list for a marketplace and speed, without any fallback (empty when the data has none)."""
    data = _data()
    return tuple(
        data.carriers[code] for code in data.by_market.get(_market_key(marketplace_country), {}).get(speed, ())
    )


def choose_carrier(
    marketplace_country: str,
    speed: str,
    rng: random.Random,
    origin_country: str | None = None,
    allowed: Callable[[str], bool] | None = None,
) -> Carrier:
    """One of :func:`carriers_for`, the first listed a little more often (the data lists the main carrier first).

    ``allowed`` (a carrier code → may it take the package) narrows the choice, unless it would leave none."""
    options = carriers_for(marketplace_country, speed, origin_country)
    if allowed is not None:
        options = tuple(c for c in options if allowed(c.code)) or options
    if len(options) == 1:
        return options[0]
    return rng.choices(options, cum_weights=_first_twice(len(options)))[0]


@cache
def _first_twice(count: int) -> tuple[float, ...]:
    """Cumulative weights 2, 1, 1, ...: what ``choices`` would sum from ``weights`` on every call (same draws)."""
    return tuple(itertools.accumulate([2.0] + [1.0] * (count - 1)))


# --------------------------------------------------------------------------------------------- check digits


def ups_check_digit(body: str) -> str:
    """UPS: the 15 characters after ``1Z``; letters count as ``(ord - 63) % 10``; odd positions once, even twice."""
    total = 0
    for index, char in enumerate(body):
        value = int(char) if char.isdigit() else (ord(char) - 63) % 10
        total += value * (2 if index % 2 else 1)
    return str((10 - total % 10) % 10)


def mod10_check_digit(digits: str) -> str:
    """GS1 / USPS IMpb mod 10: from the right, weights 3, 1, 3, 1, ..."""
    backwards = digits[::-1]
    total = 3 * sum(map(int, backwards[0::2])) + sum(map(int, backwards[1::2]))
    return str((10 - total % 10) % 10)


def s10_check_digit(serial: str) -> str:
    """UPU S10: the 8-digit serial weighted 8 6 4 2 3 5 9 7; 11 - sum mod 11, with 10 → 0 and 11 → 5."""
    total = sum(int(d) * w for d, w in zip(serial, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    check = 11 - total % 11
    return "0" if check == 10 else "5" if check == 11 else str(check)


def fedex_check_digit(digits: str) -> str:
    """FedEx Express 12-digit: the first 11 digits weighted 3 1 7 3 1 7 ... from the left, sum mod 11 mod 10."""
    weights = (3, 1, 7)
    return str(sum(int(d) * weights[i % 3] for i, d in enumerate(digits)) % 11 % 10)


def mod7_check_digit(digits: str) -> str:
    """Yamato: the first 11 digits as a number, modulo 7."""
    return str(int(digits) % 7)


# ----------------------------------------------------------------------------------------------- generators


def _digits(rng: random.Random, count: int, first_nonzero: bool = False) -> str:
    text = f"{rng.randrange(10**count):0{count}d}" if count else ""  # one draw for all the digits
    if first_nonzero and count and text[0] == "0":
        text = rng.choice("123456789") + text[1:]
    return text


def _base(value: int, alphabet: str, count: int) -> str:
    """``value`` written with ``count`` characters of ``alphabet`` (its digits, least significant first)."""
    size = len(alphabet)
    chars = []
    for _ in range(count):
        value, digit = divmod(value, size)
        chars.append(alphabet[digit])
    return "".join(chars)


def _letters(rng: random.Random, count: int) -> str:
    choice = rng.choice
    return "".join([choice(string.ascii_uppercase) for _ in range(count)])


UPS_SERVICES: Mapping[str, tuple[str, ...]] = {
    STANDARD: ("03",),  # Ground
    EXPEDITED: ("02", "12"),  # 2nd Day Air, 3 Day Select
    PRIORITY: ("01",),  # Next Day Air
    SCHEDULED_DELIVERY: ("01",),
}


def _ups(rng: random.Random, speed: str | None) -> str:
    shipper = _base(rng.randrange(36**6), string.digits + string.ascii_uppercase, 6)  # one draw, six characters
    body = shipper + rng.choice(UPS_SERVICES.get(speed or STANDARD, ("03",))) + _digits(rng, 7)
    return "1Z" + body + ups_check_digit(body)


def _usps(rng: random.Random, speed: str | None) -> str:
    # IMpb: channel 92-95, 3-digit service type, 9-digit mailer id, 7-digit serial, check digit
    channel = rng.choice(("92", "93", "94", "95"))
    service = rng.choice(("001", "055", "612", "710"))
    body = channel + service + "9" + _digits(rng, 8) + _digits(rng, 7)
    return body + mod10_check_digit(body)


def _fedex(rng: random.Random, speed: str | None) -> str:
    body = rng.choice("4567") + _digits(rng, 10)
    return body + fedex_check_digit(body)


def _royal_mail(rng: random.Random, speed: str | None) -> str:
    serial = _digits(rng, 8)
    return rng.choice(("TT", "AB", "AD", "FJ", "KH", "RA", "RB")) + serial + s10_check_digit(serial) + "GB"


def _yamato(rng: random.Random, speed: str | None) -> str:
    body = rng.choice("234") + _digits(rng, 10)
    return body + mod7_check_digit(body)


def _fixed(prefix: str, digits: int) -> Callable[[random.Random, str | None], str]:
    def make(rng: random.Random, speed: str | None) -> str:
        return prefix + _digits(rng, digits, first_nonzero=not prefix)

    return make


def _colissimo(rng: random.Random, speed: str | None) -> str:
    return rng.choice(("6A", "6C", "8R", "8V")) + _digits(rng, 11)


def _australia_post(rng: random.Random, speed: str | None) -> str:
    return rng.choice(("33", "34", "36")) + _letters(rng, 3) + _digits(rng, rng.choice((7, 8)))


GENERATORS: Mapping[str, Callable[[random.Random, str | None], str]] = {
    "UPS": _ups,
    "USPS": _usps,
    "FEDEX": _fedex,
    "AMZL_US": _fixed("TBA", 12),
    "CANADA_POST": _fixed("70", 14),
    "AMZL_CA": _fixed("TBC", 12),
    "ROYAL_MAIL": _royal_mail,
    "DPD_UK": _fixed("15", 12),
    "AMZL_UK": _fixed("Q", 11),
    "DHL_DE": _fixed("", 12),
    "HERMES_DE": _fixed("H10", 17),
    "COLISSIMO": _colissimo,
    "BRT": _fixed("", 15),
    "SEUR": _fixed("", 14),
    "YAMATO": _yamato,
    "JAPAN_POST": _fixed("", 11),
    "SAGAWA": _fixed("", 12),
    "AUSTRALIA_POST": _australia_post,
}
"""Tracking-number generators per carrier code; a carrier without one gets a number drawn from its regex."""


def tracking_number(carrier: Carrier, rng: random.Random, speed: str | None = None) -> str:
    """A tracking number in ``carrier``'s real format (matches its ``tracking_pattern``).

    ``speed`` only shapes the UPS service code (Ground, 2nd Day Air, Next Day Air).
    """
    generator = GENERATORS.get(carrier.code)
    if generator is not None:
        number = generator(rng, speed)
        if carrier.matches(number):
            return number
    return sample_pattern(carrier.tracking_pattern.pattern, rng)  # data changed its format: follow the data


# ------------------------------------------------------------------------------------ regular-expression sampler

_TOKEN = re.compile(r"(\[[^\]]+\]|\\d|\\w|[A-Za-z0-9-])(\{(\d+)(?:,(\d+))?\})?")


def _expand_class(text: str) -> str:
    if text == r"\d":
        return string.digits
    if text == r"\w":
        return string.ascii_uppercase + string.digits
    if not text.startswith("["):
        return text
    body, index = text[1:-1], 0
    chars: list[str] = []
    while index < len(body):
        if index + 2 < len(body) and body[index + 1] == "-":
            chars.extend(chr(c) for c in range(ord(body[index]), ord(body[index + 2]) + 1))
            index += 3
        else:
            chars.append(body[index])
            index += 1
    return "".join(chars)


def sample_pattern(pattern: str, rng: random.Random) -> str:
    """A random string matching a simple anchored pattern: literals, ``[A-Z0-9]`` classes, ``\\d``, ``{n}``,
    ``{n,m}``. ``ValueError`` for anything richer."""
    body = pattern.removeprefix("^").removesuffix("$")
    out: list[str] = []
    position = 0
    while position < len(body):
        token = _TOKEN.match(body, position)
        if token is None:
            raise ValueError(f"unsupported tracking-number pattern {pattern!r}")
        alphabet = _expand_class(token.group(1))
        low = int(token.group(3)) if token.group(3) else 1
        high = int(token.group(4)) if token.group(4) else low
        out.extend(rng.choice(alphabet) for _ in range(rng.randint(low, high)))
        position = token.end()
    return "".join(out)
