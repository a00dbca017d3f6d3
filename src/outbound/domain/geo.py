"""Coarse geography: where a destination address roughly is, and how far apart two points are.

Allocation only needs to rank fulfillment centers by distance to a destination, so a point per state, province,
prefecture or postal-code prefix is enough (docs/world.md "Geography").
All coordinates here are approximate (estimated), in decimal degrees.

Resolution order in :func:`destination_point`:

1. the region given in ``StateOrProvinceCode`` (US states + DC + territories, Canadian provinces, Australian
   states, Japanese prefectures by romanised or Japanese name);
2. a postal-code prefix (US ZIP first digit, Canadian FSA letter, Australian postcode digit, Japanese first digit,
   British postcode area, German Leitzone, French département, Italian CAP zone, Spanish province);
3. a representative point of the country (roughly its population centre), for every country that has a marketplace
   or a fulfillment center in the world data.

Anything else is ``None`` (unknown country).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache

Point = tuple[float, float]
"""(latitude, longitude) in decimal degrees."""

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)


@lru_cache(maxsize=1 << 16)  # centers, hubs and destinations repeat: routing asks for the same pairs again and again
def distance_km(a: Point, b: Point) -> float:
    """Great-circle distance between two points (haversine formula), in kilometres."""
    lat1, lon1 = math.radians(a[0]), math.radians(a[1])
    lat2, lon2 = math.radians(b[0]), math.radians(b[1])
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


# --------------------------------------------------------------------------------------------- country points

COUNTRY_POINTS: Mapping[str, Point] = {
    # marketplaces
    "US": (39.83, -98.58),
    "CA": (45.0, -77.0),
    "MX": (20.5, -100.5),
    "BR": (-18.5, -46.5),
    "GB": (52.6, -1.5),
    "DE": (51.0, 10.3),
    "FR": (47.0, 2.4),
    "IT": (42.8, 12.5),
    "ES": (40.2, -3.7),
    "NL": (52.2, 5.3),
    "SE": (59.0, 15.5),
    "PL": (52.0, 19.4),
    "TR": (39.5, 32.0),
    "AE": (24.8, 55.0),
    "SA": (24.7, 46.7),
    "EG": (30.0, 31.2),
    "IN": (22.0, 79.0),
    "JP": (35.5, 136.9),
    "AU": (-32.5, 146.5),
    "SG": (1.35, 103.82),
}
"""A representative point per ISO country code (roughly the population centre, not the geographic centroid)."""

COUNTRY_ALIASES: Mapping[str, str] = {"UK": "GB"}

# ------------------------------------------------------------------------------------------------- US regions

US_STATES: Mapping[str, Point] = {
    "AL": (32.79, -86.83),
    "AK": (61.39, -149.5),
    "AZ": (34.29, -111.66),
    "AR": (34.90, -92.44),
    "CA": (37.18, -119.47),
    "CO": (38.99, -105.55),
    "CT": (41.62, -72.73),
    "DE": (38.99, -75.51),
    "DC": (38.90, -77.03),
    "FL": (28.63, -82.45),
    "GA": (32.64, -83.44),
    "HI": (20.29, -156.37),
    "ID": (44.35, -114.61),
    "IL": (40.04, -89.20),
    "IN": (39.89, -86.28),
    "IA": (42.08, -93.50),
    "KS": (38.49, -98.38),
    "KY": (37.53, -85.30),
    "LA": (31.07, -91.99),
    "ME": (45.37, -69.24),
    "MD": (39.06, -76.80),
    "MA": (42.26, -71.81),
    "MI": (44.35, -85.41),
    "MN": (46.28, -94.31),
    "MS": (32.74, -89.67),
    "MO": (38.36, -92.46),
    "MT": (47.05, -109.63),
    "NE": (41.54, -99.80),
    "NV": (39.33, -116.63),
    "NH": (43.68, -71.58),
    "NJ": (40.19, -74.67),
    "NM": (34.41, -106.11),
    "NY": (42.95, -75.53),
    "NC": (35.56, -79.39),
    "ND": (47.45, -100.47),
    "OH": (40.29, -82.79),
    "OK": (35.59, -97.49),
    "OR": (43.93, -120.56),
    "PA": (40.88, -77.80),
    "RI": (41.68, -71.56),
    "SC": (33.92, -80.90),
    "SD": (44.44, -100.23),
    "TN": (35.86, -86.35),
    "TX": (31.48, -99.33),
    "UT": (39.31, -111.67),
    "VT": (44.07, -72.67),
    "VA": (37.52, -78.85),
    "WA": (47.38, -120.45),
    "WV": (38.64, -80.62),
    "WI": (44.62, -89.99),
    "WY": (43.00, -107.55),
    # territories with US ZIP codes
    "PR": (18.22, -66.45),
    "VI": (18.34, -64.90),
    "GU": (13.44, 144.79),
}
"""Approximate centre of each US state, DC and the larger territories (AK: its populated south-centre)."""

US_STATE_NAMES: Mapping[str, str] = {
    "alabama": "AL",
    "alaska": "AK",
    "arizona": "AZ",
    "arkansas": "AR",
    "california": "CA",
    "colorado": "CO",
    "connecticut": "CT",
    "delaware": "DE",
    "district of columbia": "DC",
    "washington dc": "DC",
    "washington d c": "DC",
    "florida": "FL",
    "georgia": "GA",
    "hawaii": "HI",
    "idaho": "ID",
    "illinois": "IL",
    "indiana": "IN",
    "iowa": "IA",
    "kansas": "KS",
    "kentucky": "KY",
    "louisiana": "LA",
    "maine": "ME",
    "maryland": "MD",
    "massachusetts": "MA",
    "michigan": "MI",
    "minnesota": "MN",
    "mississippi": "MS",
    "missouri": "MO",
    "montana": "MT",
    "nebraska": "NE",
    "nevada": "NV",
    "new hampshire": "NH",
    "new jersey": "NJ",
    "new mexico": "NM",
    "new york": "NY",
    "north carolina": "NC",
    "north dakota": "ND",
    "ohio": "OH",
    "oklahoma": "OK",
    "oregon": "OR",
    "pennsylvania": "PA",
    "rhode island": "RI",
    "south carolina": "SC",
    "south dakota": "SD",
    "tennessee": "TN",
    "texas": "TX",
    "utah": "UT",
    "vermont": "VT",
    "virginia": "VA",
    "washington": "WA",
    "west virginia": "WV",
    "wisconsin": "WI",
    "wyoming": "WY",
    "puerto rico": "PR",
    "virgin islands": "VI",
    "guam": "GU",
}

US_ZIP_REGIONS: Mapping[str, Point] = {
    "0": (42.3, -72.3),  # New England, New Jersey, Puerto Rico
    "1": (41.6, -75.6),  # New York, Pennsylvania, Delaware
    "2": (37.5, -78.5),  # DC, Maryland, Virginia, West Virginia, the Carolinas
    "3": (32.3, -84.6),  # Alabama, Florida, Georgia, Mississippi, Tennessee
    "4": (40.4, -84.6),  # Indiana, Kentucky, Michigan, Ohio
    "5": (45.2, -94.8),  # Iowa, Minnesota, Montana, the Dakotas, Wisconsin
    "6": (39.9, -93.6),  # Illinois, Kansas, Missouri, Nebraska
    "7": (32.4, -95.8),  # Arkansas, Louisiana, Oklahoma, Texas
    "8": (38.9, -109.5),  # Arizona, Colorado, Idaho, New Mexico, Nevada, Utah, Wyoming
    "9": (38.6, -121.0),  # California, Oregon, Washington, Alaska, Hawaii
}
"""US ZIP code national areas (first digit) → a rough middle of the area."""

# ----------------------------------------------------------------------------------------------- other regions

CA_PROVINCES: Mapping[str, Point] = {
    "ON": (44.0, -79.5),
    "QC": (46.4, -72.5),
    "BC": (49.3, -123.0),
    "AB": (52.0, -114.0),
    "MB": (49.9, -97.1),
    "SK": (51.0, -106.0),
    "NS": (44.8, -63.4),
    "NB": (46.0, -65.8),
    "NL": (47.6, -52.7),
    "PE": (46.3, -63.1),
    "YT": (60.7, -135.0),
    "NT": (62.5, -114.4),
    "NU": (63.7, -68.5),
}
"""Canadian provinces and territories → their populated south (where most addresses are)."""

CA_FSA_LETTERS: Mapping[str, Point] = {
    "A": (47.6, -52.7),
    "B": (44.8, -63.4),
    "C": (46.3, -63.1),
    "E": (46.0, -65.8),
    "G": (46.8, -71.2),
    "H": (45.5, -73.6),
    "J": (45.9, -73.0),
    "K": (44.9, -76.0),
    "L": (43.6, -79.7),
    "M": (43.7, -79.4),
    "N": (43.0, -81.2),
    "P": (46.5, -81.0),
    "R": (49.9, -97.1),
    "S": (51.0, -106.0),
    "T": (52.0, -114.0),
    "V": (49.3, -123.0),
    "X": (62.5, -114.4),
    "Y": (60.7, -135.0),
}
"""First letter of a Canadian postal code (the postal district) → a rough middle of its population."""

AU_STATES: Mapping[str, Point] = {
    "NSW": (-33.5, 150.5),
    "ACT": (-35.3, 149.1),
    "VIC": (-37.8, 145.0),
    "QLD": (-27.5, 153.0),
    "SA": (-34.9, 138.6),
    "WA": (-31.9, 115.9),
    "TAS": (-42.9, 147.3),
    "NT": (-12.5, 130.8),
}
AU_STATE_NAMES: Mapping[str, str] = {
    "new south wales": "NSW",
    "australian capital territory": "ACT",
    "victoria": "VIC",
    "queensland": "QLD",
    "south australia": "SA",
    "western australia": "WA",
    "tasmania": "TAS",
    "northern territory": "NT",
}
AU_POSTCODE_DIGITS: Mapping[str, Point] = {
    "0": AU_STATES["NT"],
    "1": (-33.9, 151.2),
    "2": AU_STATES["NSW"],
    "3": AU_STATES["VIC"],
    "4": AU_STATES["QLD"],
    "5": AU_STATES["SA"],
    "6": AU_STATES["WA"],
    "7": AU_STATES["TAS"],
    "8": AU_STATES["VIC"],
    "9": AU_STATES["QLD"],
}

JP_PREFECTURES: Mapping[str, Point] = {
    "hokkaido": (43.06, 141.35),
    "aomori": (40.82, 140.74),
    "iwate": (39.70, 141.15),
    "miyagi": (38.27, 140.87),
    "akita": (39.72, 140.10),
    "yamagata": (38.24, 140.36),
    "fukushima": (37.75, 140.47),
    "ibaraki": (36.34, 140.45),
    "tochigi": (36.57, 139.88),
    "gunma": (36.39, 139.06),
    "saitama": (35.86, 139.65),
    "chiba": (35.61, 140.12),
    "tokyo": (35.69, 139.69),
    "kanagawa": (35.45, 139.64),
    "niigata": (37.90, 139.02),
    "toyama": (36.70, 137.21),
    "ishikawa": (36.59, 136.63),
    "fukui": (36.07, 136.22),
    "yamanashi": (35.66, 138.57),
    "nagano": (36.65, 138.18),
    "gifu": (35.39, 136.72),
    "shizuoka": (34.98, 138.38),
    "aichi": (35.18, 136.91),
    "mie": (34.73, 136.51),
    "shiga": (35.00, 135.87),
    "kyoto": (35.02, 135.76),
    "osaka": (34.69, 135.52),
    "hyogo": (34.69, 135.18),
    "nara": (34.69, 135.83),
    "wakayama": (34.23, 135.17),
    "tottori": (35.50, 134.24),
    "shimane": (35.47, 133.05),
    "okayama": (34.66, 133.93),
    "hiroshima": (34.40, 132.46),
    "yamaguchi": (34.19, 131.47),
    "tokushima": (34.07, 134.56),
    "kagawa": (34.34, 134.04),
    "ehime": (33.84, 132.77),
    "kochi": (33.56, 133.53),
    "fukuoka": (33.61, 130.42),
    "saga": (33.25, 130.30),
    "nagasaki": (32.74, 129.87),
    "kumamoto": (32.79, 130.74),
    "oita": (33.24, 131.61),
    "miyazaki": (31.91, 131.42),
    "kagoshima": (31.56, 130.56),
    "okinawa": (26.21, 127.68),
}
"""Japanese prefectures (romanised, lower case, no suffix) → their capital city."""

JP_PREFECTURE_KANJI: Mapping[str, str] = {
    "北海道": "hokkaido",
    "青森": "aomori",
    "岩手": "iwate",
    "宮城": "miyagi",
    "秋田": "akita",
    "山形": "yamagata",
    "福島": "fukushima",
    "茨城": "ibaraki",
    "栃木": "tochigi",
    "群馬": "gunma",
    "埼玉": "saitama",
    "千葉": "chiba",
    "東京": "tokyo",
    "神奈川": "kanagawa",
    "新潟": "niigata",
    "富山": "toyama",
    "石川": "ishikawa",
    "福井": "fukui",
    "山梨": "yamanashi",
    "長野": "nagano",
    "岐阜": "gifu",
    "静岡": "shizuoka",
    "愛知": "aichi",
    "三重": "mie",
    "滋賀": "shiga",
    "京都": "kyoto",
    "大阪": "osaka",
    "兵庫": "hyogo",
    "奈良": "nara",
    "和歌山": "wakayama",
    "鳥取": "tottori",
    "島根": "shimane",
    "岡山": "okayama",
    "広島": "hiroshima",
    "山口": "yamaguchi",
    "徳島": "tokushima",
    "香川": "kagawa",
    "愛媛": "ehime",
    "高知": "kochi",
    "福岡": "fukuoka",
    "佐賀": "saga",
    "長崎": "nagasaki",
    "熊本": "kumamoto",
    "大分": "oita",
    "宮崎": "miyazaki",
    "鹿児島": "kagoshima",
    "沖縄": "okinawa",
}

JP_POSTAL_DIGITS: Mapping[str, Point] = {
    "0": (43.06, 141.35),  # Hokkaido, northern Tohoku
    "1": (35.69, 139.69),  # Tokyo
    "2": (35.53, 139.88),  # Kanagawa, Chiba
    "3": (36.20, 139.50),  # Saitama, northern Kanto, Nagano
    "4": (35.10, 137.40),  # Shizuoka, Aichi, Gifu
    "5": (34.69, 135.60),  # Osaka, Nara, Mie, Shiga
    "6": (34.90, 135.30),  # Kyoto, Hyogo
    "7": (34.20, 133.20),  # Chugoku, Shikoku
    "8": (33.00, 130.70),  # Kyushu, Okinawa
    "9": (37.60, 139.50),  # Hokuriku, Niigata, southern Tohoku
}

GB_POSTCODE_AREAS: Mapping[str, Point] = {
    **dict.fromkeys(("E", "EC", "N", "NW", "SE", "SW", "W", "WC"), (51.51, -0.13)),  # London
    "AB": (57.15, -2.10),
    "B": (52.48, -1.90),
    "BN": (50.82, -0.14),
    "BS": (51.45, -2.59),
    "BT": (54.60, -5.93),
    "CB": (52.21, 0.12),
    "CF": (51.48, -3.18),
    "CV": (52.41, -1.51),
    "DD": (56.46, -2.97),
    "EH": (55.95, -3.19),
    "EX": (50.72, -3.53),
    "FK": (56.00, -3.78),
    "G": (55.86, -4.25),
    "HS": (58.21, -6.39),
    "IV": (57.48, -4.22),
    "KW": (58.59, -3.52),
    "KY": (56.11, -3.16),
    "L": (53.41, -2.98),
    "LE": (52.64, -1.13),
    "LS": (53.80, -1.55),
    "M": (53.48, -2.24),
    "MK": (52.04, -0.76),
    "NE": (54.98, -1.61),
    "NG": (52.95, -1.15),
    "NR": (52.63, 1.30),
    "OX": (51.75, -1.26),
    "PA": (55.85, -4.42),
    "PH": (56.40, -3.43),
    "PL": (50.37, -4.14),
    "S": (53.38, -1.47),
    "SO": (50.90, -1.40),
    "TR": (50.26, -5.05),
    "ZE": (60.15, -1.15),
}
"""The larger British postcode areas (letters of the outward code) → their main town."""

DE_LEITZONEN: Mapping[str, Point] = {
    "0": (51.2, 13.0),  # Saxony, southern Brandenburg, Thuringia east
    "1": (52.6, 13.4),  # Berlin, Brandenburg, Mecklenburg-Vorpommern
    "2": (53.5, 9.9),  # Hamburg, Schleswig-Holstein, Bremen, northern Lower Saxony
    "3": (52.0, 10.0),  # Hanover, Brunswick, Kassel, Magdeburg
    "4": (51.5, 7.2),  # Ruhr, Düsseldorf, Münster, Osnabrück
    "5": (50.7, 7.0),  # Cologne, Bonn, Aachen, Koblenz, Trier
    "6": (50.0, 8.5),  # Frankfurt, Wiesbaden, Saarland, Mannheim
    "7": (48.7, 9.0),  # Stuttgart, Karlsruhe, Freiburg
    "8": (48.1, 11.5),  # Munich, southern Bavaria
    "9": (49.6, 11.0),  # Nuremberg, Würzburg, northern Bavaria, Thuringia
}
"""German postal zones (first digit of the Postleitzahl)."""

_FR_REGIONS: tuple[tuple[Point, tuple[int, ...]], ...] = (
    ((48.85, 2.35), (75, 77, 78, 91, 92, 93, 94, 95)),  # Île-de-France
    ((50.30, 2.80), (2, 59, 60, 62, 80)),  # Hauts-de-France
    ((48.70, 6.20), (8, 10, 51, 52, 54, 55, 57, 67, 68, 88)),  # Grand Est
    ((49.20, 0.40), (14, 27, 50, 61, 76)),  # Normandie
    ((48.10, -2.80), (22, 29, 35, 56)),  # Bretagne
    ((47.40, -0.80), (44, 49, 53, 72, 85)),  # Pays de la Loire
    ((47.50, 1.70), (18, 28, 36, 37, 41, 45)),  # Centre-Val de Loire
    ((47.20, 4.80), (21, 25, 39, 58, 70, 71, 89, 90)),  # Bourgogne-Franche-Comté
    ((45.20, 0.20), (16, 17, 19, 23, 24, 33, 40, 47, 64, 79, 86, 87)),  # Nouvelle-Aquitaine
    ((45.50, 4.50), (1, 3, 7, 15, 26, 38, 42, 43, 63, 69, 73, 74)),  # Auvergne-Rhône-Alpes
    ((43.70, 2.20), (9, 11, 12, 30, 31, 32, 34, 46, 48, 65, 66, 81, 82)),  # Occitanie
    ((43.90, 6.10), (4, 5, 6, 13, 83, 84)),  # Provence-Alpes-Côte d'Azur
    ((42.00, 9.00), (20,)),  # Corse
)
FR_DEPARTEMENTS: Mapping[str, Point] = {f"{d:02d}": point for point, ds in _FR_REGIONS for d in ds}
"""Metropolitan French départements (first two digits of the code postal) → the middle of their region."""

IT_CAP_ZONES: Mapping[str, Point] = {
    "00": (42.0, 12.6),  # Lazio, Umbria (00-06)
    "07": (40.1, 9.0),  # Sardinia (07-09)
    "1": (44.8, 8.3),  # Piedmont, Liguria, Aosta Valley
    "2": (45.5, 9.4),  # Lombardy
    "3": (45.7, 12.0),  # Veneto, Friuli, Trentino
    "4": (44.5, 11.3),  # Emilia-Romagna
    "5": (43.5, 11.0),  # Tuscany
    "6": (43.0, 13.5),  # Marche, Abruzzo
    "7": (41.0, 16.5),  # Apulia, Basilicata
    "8": (40.2, 15.5),  # Campania, Calabria
    "9": (37.6, 14.0),  # Sicily
}
"""Italian CAP zones (first digit; 0 split into Lazio/Umbria and Sardinia)."""

ES_PROVINCES: Mapping[str, Point] = {
    "01": (42.85, -2.67),
    "02": (38.99, -1.86),
    "03": (38.35, -0.48),
    "04": (36.84, -2.46),
    "05": (40.66, -4.70),
    "06": (38.88, -6.97),
    "07": (39.57, 2.65),
    "08": (41.39, 2.17),
    "09": (42.34, -3.70),
    "10": (39.47, -6.37),
    "11": (36.53, -6.29),
    "12": (39.99, -0.05),
    "13": (38.99, -3.93),
    "14": (37.89, -4.78),
    "15": (43.36, -8.41),
    "16": (40.07, -2.14),
    "17": (41.98, 2.82),
    "18": (37.18, -3.60),
    "19": (40.63, -3.17),
    "20": (43.32, -1.98),
    "21": (37.26, -6.95),
    "22": (42.14, -0.41),
    "23": (37.77, -3.79),
    "24": (42.60, -5.57),
    "25": (41.62, 0.62),
    "26": (42.47, -2.45),
    "27": (43.01, -7.56),
    "28": (40.42, -3.70),
    "29": (36.72, -4.42),
    "30": (37.99, -1.13),
    "31": (42.82, -1.64),
    "32": (42.34, -7.86),
    "33": (43.36, -5.85),
    "34": (42.01, -4.53),
    "35": (28.12, -15.43),
    "36": (42.43, -8.64),
    "37": (40.97, -5.66),
    "38": (28.46, -16.25),
    "39": (43.46, -3.80),
    "40": (40.95, -4.12),
    "41": (37.39, -5.98),
    "42": (41.76, -2.46),
    "43": (41.12, 1.25),
    "44": (40.34, -1.11),
    "45": (39.86, -4.03),
    "46": (39.47, -0.38),
    "47": (41.65, -4.72),
    "48": (43.26, -2.93),
    "49": (41.50, -5.75),
    "50": (41.65, -0.89),
    "51": (35.89, -5.32),
    "52": (35.29, -2.94),
}
"""Spanish provinces (first two digits of the código postal) → their capital."""


# ----------------------------------------------------------------------------------------------------- lookup


@lru_cache(maxsize=4096)  # pure and asked at every allocation and shipment; folding the names is the slow part
def destination_point(country_code: str, state_or_province: str | None, postal_code: str | None) -> Point | None:
    """A coarse location for a destination address, or ``None`` when the country is unknown.

    ``country_code`` is ISO 3166-1 alpha-2 (``UK`` is accepted as ``GB``); ``state_or_province`` is the
    ``StateOrProvinceCode`` as sent (a code like ``WA``/``ON``/``NSW`` or a name like ``Tokyo``/``東京都``);
    ``postal_code`` is the ``PostalCode`` as sent.
    """
    country = (country_code or "").strip().upper()
    country = COUNTRY_ALIASES.get(country, country)
    if country not in COUNTRY_POINTS:
        return None
    region = _region_point(country, state_or_province)
    if region is not None:
        return region
    postal = _postal_point(country, postal_code)
    if postal is not None:
        return postal
    return COUNTRY_POINTS[country]


def _fold(text: str) -> str:
    """Lower case, accents removed, punctuation collapsed to single spaces (``Tōkyō-to`` → ``tokyo to``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.split(r"[\s.,\-_/]+", plain.casefold())).strip()


def _region_point(country: str, region: str | None) -> Point | None:
    if not region or not region.strip():
        return None
    raw = region.strip()
    code = raw.upper()
    folded = _fold(raw)
    if country == "US":
        state = code if code in US_STATES else US_STATE_NAMES.get(folded)
        return US_STATES.get(state) if state else None
    if country == "CA":
        return CA_PROVINCES.get(code)
    if country == "AU":
        state = code if code in AU_STATES else AU_STATE_NAMES.get(folded)
        return AU_STATES.get(state) if state else None
    if country == "JP":
        return _jp_prefecture(raw, folded)
    return None


def _jp_prefecture(raw: str, folded: str) -> Point | None:
    kanji = unicodedata.normalize("NFKC", raw).replace(" ", "")
    for candidate in (kanji, kanji[:-1] if kanji[-1:] in ("都", "府", "県") else kanji):
        if candidate in JP_PREFECTURE_KANJI:
            return JP_PREFECTURES[JP_PREFECTURE_KANJI[candidate]]
    name = folded.replace(" prefecture", "").replace(" ", "")  # "Osaka-fu" → "osakafu", "Tōkyō to" → "tokyoto"
    for suffix in ("to", "fu", "ken"):
        if name not in JP_PREFECTURES and name.endswith(suffix) and name[: -len(suffix)] in JP_PREFECTURES:
            name = name[: -len(suffix)]
    # Hokkaido is often written Hokkaidou / Hokkaidō; the macron is already folded away.
    if name == "hokkaidou":
        name = "hokkaido"
    return JP_PREFECTURES.get(name)


def _postal_point(country: str, postal_code: str | None) -> Point | None:
    if not postal_code:
        return None
    text = unicodedata.normalize("NFKC", postal_code).strip().upper()
    if not text:
        return None
    first = text[0]
    match country:
        case "US":
            return US_ZIP_REGIONS.get(first)
        case "CA":
            return CA_FSA_LETTERS.get(first)
        case "AU":
            return AU_POSTCODE_DIGITS.get(first)
        case "JP":
            return JP_POSTAL_DIGITS.get(first)
        case "DE":
            return DE_LEITZONEN.get(first) if len(text) == 5 and text.isdigit() else None
        case "GB":
            area = re.match(r"[A-Z]{1,2}", text)
            return GB_POSTCODE_AREAS.get(area.group()) if area else None
        case "FR":
            return FR_DEPARTEMENTS.get(text[:2]) if text[:2].isdigit() else None
        case "IT":
            if len(text) != 5 or not text.isdigit():
                return None
            if first == "0":
                return IT_CAP_ZONES["07"] if text[1] in "789" else IT_CAP_ZONES["00"]
            return IT_CAP_ZONES.get(first)
        case "ES":
            return ES_PROVINCES.get(text[:2]) if len(text) == 5 and text.isdigit() else None
    return None
