"""Delivery promises: cut-offs and business days across time zones, weekends, holidays and DST; JP windows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from outbound.domain.geo import US_STATES
from outbound.domain.promise import (
    Promise,
    add_business_days,
    business_calendar,
    delivery_windows,
    easter_sunday,
    holidays,
    offered_speeds,
    promise,
)
from outbound.domain.world import WORLD
from tests.helpers import market, utc

PACIFIC = ZoneInfo("America/Los_Angeles")


US, JP, UK, BR = market("US"), market("JP"), market("UK"), market("BR")
BFI4, ABE8, PHX6, NRT1, LTN1 = (WORLD.centers[c] for c in ("BFI4", "ABE8", "PHX6", "NRT1", "LTN1"))


def test_offered_speeds() -> None:
    assert offered_speeds(US) == ("Standard", "Expedited", "Priority")
    assert offered_speeds(JP) == ("Standard", "Expedited", "Priority", "ScheduledDelivery")
    assert offered_speeds(UK) == ("Standard", "Expedited", "Priority")
    assert offered_speeds(BR) == ()


def test_speed_not_offered_is_none() -> None:
    assert promise(BFI4, US, "ScheduledDelivery", utc("2026-11-23T16:02:11Z")) is None
    assert promise(BFI4, US, "Teleport", utc("2026-11-23T16:02:11Z")) is None


def test_worked_us_example_standard_and_expedited() -> None:
    """Preview A (docs/mws-protocol.md "Worked examples"): Seattle, Monday 08:02 Pacific, Thanksgiving on the
    Thursday."""
    now = utc("2026-11-23T16:02:11Z")
    assert promise(BFI4, US, "Standard", now) == Promise(
        utc("2026-11-23T08:00:00Z"),
        utc("2026-11-25T07:59:59Z"),
        utc("2026-11-27T08:00:00Z"),
        utc("2026-12-02T07:59:59Z"),
    )
    assert promise(BFI4, US, "Expedited", now) == Promise(
        utc("2026-11-23T08:00:00Z"),
        utc("2026-11-24T07:59:59Z"),
        utc("2026-11-25T08:00:00Z"),
        utc("2026-11-26T07:59:59Z"),
    )


def test_worked_jp_example_standard_and_scheduled_delivery() -> None:
    """Preview B (docs/mws-protocol.md "Worked examples"): Tokyo, Monday 10:10 JST (ships although it is a JP
    national holiday)."""
    now = utc("2026-11-23T01:10:44Z")
    assert promise(NRT1, JP, "Standard", now) == Promise(
        utc("2026-11-22T15:00:00Z"),
        utc("2026-11-23T14:59:59Z"),
        utc("2026-11-23T15:00:00Z"),
        utc("2026-11-26T14:59:59Z"),
    )
    assert promise(NRT1, JP, "ScheduledDelivery", now) == Promise(
        utc("2026-11-22T15:00:00Z"),
        utc("2026-11-23T14:59:59Z"),
        utc("2026-11-23T23:00:00Z"),
        utc("2026-11-24T12:00:00Z"),
    )


def test_jp_delivery_windows_of_the_example() -> None:
    windows = delivery_windows(JP, utc("2026-11-23T01:10:44Z"))
    assert windows == [
        (utc("2026-11-23T23:00:00Z"), utc("2026-11-24T03:00:00Z")),
        (utc("2026-11-24T05:00:00Z"), utc("2026-11-24T07:00:00Z")),
        (utc("2026-11-24T07:00:00Z"), utc("2026-11-24T09:00:00Z")),
        (utc("2026-11-24T09:00:00Z"), utc("2026-11-24T11:00:00Z")),
        (utc("2026-11-24T10:00:00Z"), utc("2026-11-24T12:00:00Z")),
    ]
    assert all(start.tzinfo is not None and 2 <= (end - start).total_seconds() / 3600 <= 4 for start, end in windows)


def test_jp_delivery_windows_move_after_the_noon_cutoff_and_over_the_weekend() -> None:
    before = delivery_windows(JP, utc("2026-11-27T02:59:00Z"))  # Friday 11:59 JST: ships Friday, arrives Monday
    after = delivery_windows(JP, utc("2026-11-27T03:00:00Z"))  # Friday 12:00 JST: ships Monday, arrives Tuesday
    assert before[0][0] == utc("2026-11-29T23:00:00Z")  # Monday 08:00 JST
    assert after[0][0] == utc("2026-11-30T23:00:00Z")  # Tuesday 08:00 JST
    assert after[-1][1] == utc("2026-12-01T12:00:00Z")  # Tuesday 21:00 JST


def test_no_delivery_windows_outside_jp() -> None:
    assert delivery_windows(US, utc("2026-11-23T01:10:44Z")) == []


def test_friday_2300_pacific() -> None:
    """23:00 Friday in Kent: before Standard's 23:59 cut-off, after Expedited's and Priority's."""
    now = datetime(2026, 11, 20, 23, 0, tzinfo=PACIFIC)
    standard = promise(BFI4, US, "Standard", now)
    expedited = promise(BFI4, US, "Expedited", now)
    priority = promise(BFI4, US, "Priority", now)
    assert standard is not None and expedited is not None and priority is not None
    assert standard.earliest_ship.astimezone(PACIFIC).date() == date(2026, 11, 20)  # Friday
    assert standard.latest_ship.astimezone(PACIFIC).date() == date(2026, 11, 23)  # Monday
    assert expedited.earliest_ship == expedited.latest_ship - timedelta(hours=23, minutes=59, seconds=59)
    assert expedited.earliest_ship == utc("2026-11-23T08:00:00Z")  # Monday 00:00 Pacific
    assert expedited.latest_arrival == utc("2026-11-26T07:59:59Z")  # Wednesday (Monday + 2)
    assert priority.earliest_arrival == utc("2026-11-24T08:00:00Z")  # Tuesday


def test_cutoff_is_strict() -> None:
    at_cutoff = datetime(2026, 11, 18, 15, 0, tzinfo=PACIFIC)  # Wednesday 15:00, Expedited cut-off
    just_before = at_cutoff - timedelta(seconds=1)
    late, early = promise(BFI4, US, "Expedited", at_cutoff), promise(BFI4, US, "Expedited", just_before)
    assert late is not None and early is not None
    assert early.earliest_ship.astimezone(PACIFIC).date() == date(2026, 11, 18)
    assert late.earliest_ship.astimezone(PACIFIC).date() == date(2026, 11, 19)


def test_same_instant_different_center_time_zones() -> None:
    """19:30 UTC in July: 15:30 in New Jersey (after Expedited's cut-off), 12:30 in Phoenix (before)."""
    now = utc("2026-07-15T19:30:00Z")
    east, west = promise(ABE8, US, "Expedited", now), promise(PHX6, US, "Expedited", now)
    assert east is not None and west is not None
    assert east.earliest_ship == utc("2026-07-16T04:00:00Z")  # Thursday 00:00 EDT
    assert west.earliest_ship == utc("2026-07-15T07:00:00Z")  # Wednesday 00:00 MST (no DST in Arizona)


def test_weekend_orders_ship_monday() -> None:
    saturday = utc("2026-11-21T18:00:00Z")
    result = promise(BFI4, US, "Priority", saturday)
    assert result is not None
    assert result.earliest_ship == utc("2026-11-23T08:00:00Z")
    assert result.earliest_arrival == utc("2026-11-24T08:00:00Z")


def test_holidays_skip_ship_and_transit_days() -> None:
    christmas_eve_late = datetime(2026, 12, 24, 16, 0, tzinfo=PACIFIC)  # Thursday, after the cut-off
    result = promise(BFI4, US, "Expedited", christmas_eve_late)
    assert result is not None
    assert result.earliest_ship.astimezone(PACIFIC).date() == date(2026, 12, 28)  # Friday 25th is Christmas
    christmas_eve_noon = datetime(2026, 12, 24, 12, 0, tzinfo=ZoneInfo("Europe/London"))
    uk = promise(LTN1, UK, "Priority", christmas_eve_noon)  # ships Thursday 24th; 25th, 26th (Sat→28th) are off
    assert uk is not None
    assert uk.earliest_arrival.astimezone(ZoneInfo("Europe/London")).date() == date(2026, 12, 29)


def test_dst_changes_the_utc_offset_of_day_boundaries() -> None:
    friday = datetime(2026, 10, 30, 9, 0, tzinfo=PACIFIC)  # PDT; DST ends Sunday 1 November
    result = promise(BFI4, US, "Standard", friday)
    assert result is not None
    assert result.earliest_ship == utc("2026-10-30T07:00:00Z")  # 00:00 PDT
    assert result.earliest_arrival == utc("2026-11-04T08:00:00Z")  # Wednesday 00:00 PST (Friday + 3)
    assert result.latest_arrival == utc("2026-11-07T07:59:59Z")  # Friday 6th 23:59:59 PST (Friday + 5)


def test_long_haul_adds_a_day_to_standard_only() -> None:
    now = utc("2026-11-16T16:00:00Z")  # Monday, no holiday within the next two weeks' transit
    near = promise(BFI4, US, "Standard", now, US_STATES["WA"])
    far = promise(BFI4, US, "Standard", now, US_STATES["FL"])
    far_expedited, near_expedited = (promise(BFI4, US, "Expedited", now, p) for p in (US_STATES["FL"], US_STATES["WA"]))
    assert near is not None and far is not None
    assert far.latest_arrival - near.latest_arrival == timedelta(days=1)
    assert far.earliest_arrival == near.earliest_arrival
    assert far_expedited == near_expedited


def test_results_are_aware_utc() -> None:
    result = promise(NRT1, JP, "Priority", datetime(2026, 3, 2, 9, 0))  # naive is taken as UTC
    assert result is not None
    assert all(moment.tzinfo is UTC for moment in vars(result).values())


# --------------------------------------------------------------------------------------------- the calendar


@pytest.mark.parametrize(
    ("year", "expected"), [(2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)), (2026, date(2026, 4, 5))]
)
def test_easter(year: int, expected: date) -> None:
    assert easter_sunday(year) == expected


def test_holiday_lists() -> None:
    assert date(2026, 11, 26) in holidays("US", 2026)  # Thanksgiving, fourth Thursday
    assert date(2026, 7, 3) in holidays("US", 2026)  # 4 July is a Saturday: observed Friday
    assert date(2027, 12, 31) in holidays("US", 2027)  # New Year 2028 is a Saturday
    assert date(2027, 12, 27) in holidays("GB", 2027) and date(2027, 12, 28) in holidays("UK", 2027)
    assert {date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 14), date(2026, 10, 3)} <= holidays("DE", 2026)
    assert holidays("JP", 2026) == {date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3)}
    assert holidays("ZZ", 2026) == frozenset()


def test_add_business_days() -> None:
    us = business_calendar("US")
    assert add_business_days(date(2026, 11, 20), 1, us) == date(2026, 11, 23)  # Friday → Monday
    assert add_business_days(date(2026, 11, 23), 3, us) == date(2026, 11, 27)  # over Thanksgiving
    assert add_business_days(date(2026, 11, 21), 0, us) == date(2026, 11, 21)
