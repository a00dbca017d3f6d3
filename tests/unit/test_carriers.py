"""Carriers (domain/carriers.py): world data, choice per marketplace and speed, tracking-number formats."""

from __future__ import annotations

import random

import pytest

from outbound.domain import carriers
from outbound.domain.carriers import (
    carriers_for,
    choose_carrier,
    fedex_check_digit,
    mod7_check_digit,
    mod10_check_digit,
    s10_check_digit,
    sample_pattern,
    tracking_number,
    ups_check_digit,
)
from outbound.domain.promise import offered_speeds
from outbound.domain.shipping import Draws, rng_for
from outbound.domain.world import SPEED_ORDER, WORLD, Marketplace, load_json

RAW = load_json("carriers")
ALL = list(carriers.all_carriers().values())
OUTBOUND_MARKETS = [m for m in WORLD.marketplaces.values() if m.outbound_available]


def test_every_carrier_of_the_data_is_loaded() -> None:
    assert {c["code"] for c in RAW["carriers"]} == set(carriers.all_carriers())
    for row in RAW["carriers"]:
        carrier = carriers.carrier(row["code"])
        assert carrier.name == row["name"]
        assert carrier.phone == row["phone"]
        assert carrier.tracking_pattern.pattern == row["tracking_regex"]
        assert carrier.tracking_url_template == row["tracking_url"]


def test_carrier_url_is_the_site_root_of_the_tracking_url() -> None:
    assert carriers.carrier("UPS").url == "https://www.ups.com/"
    assert carriers.carrier("CANADA_POST").url == "https://www.canadapost-postescanada.ca/"
    for carrier in ALL:
        assert carrier.url.startswith("https://") and carrier.url.endswith("/")
        assert carrier.url.count("/") == 3
        assert carrier.tracking_url_template.startswith(carrier.url)


def test_carriers_without_a_phone_have_none() -> None:
    assert carriers.carrier("DPD_UK").phone is None
    assert carriers.carrier("UPS").phone == "1-800-742-5877"


def test_tracking_url_fills_in_the_number() -> None:
    assert carriers.carrier("UPS").tracking_url("1Z999AA10123456784") == (
        "https://www.ups.com/track?tracknum=1Z999AA10123456784"
    )


@pytest.mark.parametrize("market", OUTBOUND_MARKETS, ids=lambda m: m.country)
def test_every_outbound_marketplace_has_carriers_for_every_speed(market: Marketplace) -> None:
    for speed in {*SPEED_ORDER, *offered_speeds(market)}:
        options = carriers_for(market.country, speed)
        assert options, (market.country, speed)
        assert carriers_for(market.country_code, speed) == options  # ISO code (GB) works as well as UK
        assert choose_carrier(market.country, speed, random.Random(1)) in options


def test_the_data_decides_where_it_has_a_list() -> None:
    for market, speeds in RAW["by_marketplace_and_speed"].items():
        for speed, codes in speeds.items():
            assert [c.code for c in carriers_for(market, speed)] == codes


def test_speed_fallbacks() -> None:
    # no ScheduledDelivery outside JP: the fastest list the market has
    assert [c.code for c in carriers_for("US", "ScheduledDelivery")] == ["AMZL_US", "UPS", "FEDEX"]
    assert [c.code for c in carriers_for("JP", "ScheduledDelivery")] == ["YAMATO"]
    assert [c.code for c in carriers_for("DE", "NoSuchSpeed")] == ["DHL_DE", "HERMES_DE"]


def test_marketplaces_without_carriers_use_the_nearest_market_or_the_origin() -> None:
    assert carriers.nearest_market_with_carriers("MX") == "US"
    assert carriers.nearest_market_with_carriers("NL") == "DE"
    assert carriers.nearest_market_with_carriers("GB") == "UK"
    assert carriers_for("MX", "Standard") == carriers_for("US", "Standard")
    # the center's country wins when the caller names it and the data has carriers there
    assert [c.code for c in carriers_for("SG", "Standard", origin_country="AU")] == ["AUSTRALIA_POST"]
    # ... but never over a marketplace's own list
    assert carriers_for("US", "Standard", origin_country="DE") == carriers_for("US", "Standard")
    assert carriers_for("ZZ", "Standard")  # an unknown country still gets carriers


def test_choose_carrier_is_seeded_and_uses_every_option() -> None:
    picks = [choose_carrier("US", "Standard", random.Random(seed)).code for seed in range(300)]
    assert picks == [choose_carrier("US", "Standard", random.Random(seed)).code for seed in range(300)]
    assert set(picks) == {"AMZL_US", "USPS", "UPS"}
    assert picks.count("AMZL_US") > picks.count("USPS")  # the first listed is the main carrier


@pytest.mark.parametrize("carrier", ALL, ids=lambda c: c.code)
def test_tracking_numbers_match_the_carrier_format(carrier: carriers.Carrier) -> None:
    for seed in range(300):
        number = tracking_number(carrier, random.Random(seed))
        assert carrier.tracking_pattern.fullmatch(number), number
    for speed in SPEED_ORDER:
        assert carrier.matches(tracking_number(carrier, random.Random(7), speed))


def test_tracking_numbers_are_reproducible_and_varied() -> None:
    ups = carriers.carrier("UPS")
    assert tracking_number(ups, random.Random("a")) == tracking_number(ups, random.Random("a"))
    assert len({tracking_number(ups, random.Random(seed)) for seed in range(200)}) == 200


def test_known_check_digit_vectors() -> None:
    assert ups_check_digit("999AA1012345678") == "4"  # UPS's published sample 1Z999AA10123456784
    assert s10_check_digit("12345678") == "5"  # UPU S10 sample XX123456785GB
    assert s10_check_digit("00000000") == "5"  # remainder 0 → 5
    for number in ("9505511069605048600624", "9400111201080805483016", "9361289878700317633795"):
        assert mod10_check_digit(number[:-1]) == number[-1]
    for number in ("986578788855", "477179081230", "799531274483", "790535312317", "974367662710"):
        assert fedex_check_digit(number[:-1]) == number[-1]
    assert mod7_check_digit("12345678901") == str(12345678901 % 7)


def test_generated_numbers_carry_their_check_digits() -> None:
    for seed in range(200):
        rng = random.Random(seed)
        ups = tracking_number(carriers.carrier("UPS"), rng)
        assert ups_check_digit(ups[2:-1]) == ups[-1]
        usps = tracking_number(carriers.carrier("USPS"), rng)
        assert mod10_check_digit(usps[:-1]) == usps[-1]
        fedex = tracking_number(carriers.carrier("FEDEX"), rng)
        assert fedex_check_digit(fedex[:-1]) == fedex[-1]
        royal = tracking_number(carriers.carrier("ROYAL_MAIL"), rng)
        assert s10_check_digit(royal[2:10]) == royal[10] and royal.endswith("GB")
        yamato = tracking_number(carriers.carrier("YAMATO"), rng)
        assert mod7_check_digit(yamato[:-1]) == yamato[-1]


def test_ups_service_code_follows_the_speed() -> None:
    ups = carriers.carrier("UPS")
    assert tracking_number(ups, random.Random(3), "Standard")[8:10] == "03"
    assert tracking_number(ups, random.Random(3), "Priority")[8:10] == "01"


@pytest.mark.parametrize("carrier", ALL, ids=lambda c: c.code)
def test_the_generic_sampler_follows_every_data_pattern(carrier: carriers.Carrier) -> None:
    for seed in range(50):
        assert carrier.tracking_pattern.fullmatch(sample_pattern(carrier.tracking_pattern.pattern, random.Random(seed)))


def test_the_sampler_refuses_what_it_cannot_read() -> None:
    with pytest.raises(ValueError):
        sample_pattern("^(A|B)+$", random.Random(1))


def test_step_draws_are_the_same_for_the_same_key_and_cover_random_methods() -> None:
    one, two = rng_for("S", "O", "ship/D1"), rng_for("S", "O", "ship/D1")
    assert isinstance(one, random.Random) and isinstance(one, Draws)
    draws = [one.random(), one.uniform(1, 5), one.randrange(10**17), one.getrandbits(130), one.choice("abc")]
    assert draws == [two.random(), two.uniform(1, 5), two.randrange(10**17), two.getrandbits(130), two.choice("abc")]
    assert draws != [rng_for("S", "O", "ship/D2").random(), *draws[1:]]
    assert 0 <= draws[0] < 1 and 1 <= draws[1] <= 5 and 0 <= draws[3] < 2**130
    values = [rng_for("S", f"O{n}", "x").random() for n in range(2000)]
    assert 0.45 < sum(values) / len(values) < 0.55 and len(set(values)) == 2000
    counts = [0] * 10
    for n in range(5000):
        counts[rng_for("S", f"O{n}", "y").randrange(10)] += 1
    assert min(counts) > 400
