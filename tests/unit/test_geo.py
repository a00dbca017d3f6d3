"""Coarse geography: great-circle distances and where a destination address roughly is."""

from __future__ import annotations

import pytest

from outbound.domain.geo import COUNTRY_POINTS, FR_DEPARTEMENTS, US_STATES, destination_point, distance_km
from outbound.domain.world import WORLD

LAX = (33.9425, -118.4081)
JFK = (40.6413, -73.7781)
LHR = (51.4700, -0.4543)


def test_distance_between_known_airports() -> None:
    assert distance_km(LAX, JFK) == pytest.approx(3983, rel=0.01)
    assert distance_km(JFK, LHR) == pytest.approx(5555, rel=0.01)


def test_distance_is_symmetric_and_zero_on_the_spot() -> None:
    assert distance_km(LAX, JFK) == pytest.approx(distance_km(JFK, LAX))
    assert distance_km(LHR, LHR) == 0.0


def test_antipodes_are_half_the_circumference_apart() -> None:
    assert distance_km((0.0, 0.0), (0.0, 180.0)) == pytest.approx(20015, rel=0.001)


def test_us_by_state_code_and_name() -> None:
    assert destination_point("US", "WA", "98144") == US_STATES["WA"]
    assert destination_point("us", " wa ", None) == US_STATES["WA"]
    assert destination_point("US", "New York", None) == US_STATES["NY"]
    assert len([code for code in US_STATES if code not in ("PR", "VI", "GU")]) == 51  # 50 states + DC


def test_us_falls_back_to_zip_region_then_country() -> None:
    seattle_zip = destination_point("US", "XX", "98144")
    boston_zip = destination_point("US", None, "02110")
    assert seattle_zip is not None and boston_zip is not None
    assert distance_km(seattle_zip, US_STATES["CA"]) < 1000  # the 9 region is the west coast
    assert distance_km(boston_zip, US_STATES["MA"]) < 300
    assert destination_point("US", None, None) == COUNTRY_POINTS["US"]
    assert destination_point("US", "", "ABCDE") == COUNTRY_POINTS["US"]


@pytest.mark.parametrize("prefecture", ["Tokyo", "tokyo", "TOKYO-TO", "Tokyo-to", "Tōkyō", "東京都", "東京"])
def test_jp_prefecture_spellings(prefecture: str) -> None:
    point = destination_point("JP", prefecture, None)  # no postal code to fall back on
    assert point is not None
    assert distance_km(point, (35.68, 139.77)) < 15  # central Tokyo


def test_jp_prefectures_are_told_apart() -> None:
    osaka = destination_point("JP", "Osaka-fu", None)
    kyoto = destination_point("JP", "京都府", None)
    hokkaido = destination_point("JP", "Hokkaido", None)
    assert osaka is not None and kyoto is not None and hokkaido is not None
    assert len({osaka, kyoto, hokkaido}) == 3
    assert distance_km(kyoto, (35.01, 135.77)) < 10
    assert distance_km(hokkaido, (43.06, 141.35)) < 10
    kix1 = WORLD.centers["KIX1"]
    assert distance_km(osaka, (kix1.lat, kix1.lon)) < 30


def test_jp_unknown_prefecture_uses_postal_digit() -> None:
    point = destination_point("JP", "Atlantis", "810-0001")  # Fukuoka
    assert point is not None
    assert distance_km(point, (33.59, 130.40)) < 100


def test_uk_is_gb_and_postcode_areas_count() -> None:
    assert destination_point("UK", None, None) == destination_point("GB", None, None) == COUNTRY_POINTS["GB"]
    edinburgh = destination_point("GB", "Midlothian", "EH1 1YZ")
    london = destination_point("GB", None, "SW1A 1AA")
    assert edinburgh is not None and london is not None
    assert distance_km(edinburgh, london) > 500


def test_postal_prefixes_of_the_european_centers_countries() -> None:
    munich = destination_point("DE", None, "80331")
    hamburg = destination_point("DE", None, "20095")
    assert munich is not None and hamburg is not None and distance_km(munich, hamburg) > 500
    assert destination_point("ES", None, "28013") == pytest.approx((40.42, -3.70))
    assert destination_point("IT", None, "09124") != destination_point("IT", None, "00184")  # Cagliari, Rome
    paris = destination_point("FR", None, "75008")
    assert paris is not None and distance_km(paris, (48.87, 2.31)) < 20


def test_every_metropolitan_french_departement_has_a_point() -> None:
    assert set(FR_DEPARTEMENTS) == {f"{n:02d}" for n in range(1, 96)}


def test_every_world_country_has_a_point() -> None:
    countries = {m.country_code for m in WORLD.marketplaces.values()} | {c.country for c in WORLD.centers.values()}
    for country in countries:
        assert destination_point(country, None, None) is not None, country


def test_unknown_country_is_none() -> None:
    assert destination_point("ZZ", "Somewhere", "12345") is None
    assert destination_point("", None, None) is None


def test_canada_and_australia_by_region_or_postcode() -> None:
    assert destination_point("CA", "BC", None) == destination_point("CA", None, "V6B 1A1")
    assert destination_point("AU", "Victoria", None) == destination_point("AU", None, "3000")
