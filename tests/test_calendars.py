"""BusinessCalendar: worked cases, other libraries' known bugs, and invariants."""

from __future__ import annotations

import datetime as dt
import itertools
import pickle
import re
import zoneinfo
from collections.abc import Callable

import holidays
import pendulum
import pytest
from _depth import costly
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from servicekit import BusinessCalendar
from servicekit._time import to_micros
from servicekit.errors import (
    CalendarNeverClosesError,
    CalendarNeverOpenError,
    InstantOutOfRangeError,
    InvalidHolidayError,
    InvalidScheduleError,
    NaiveDatetimeError,
    NegativeDurationError,
    ServiceKitError,
    UnknownTimezoneError,
)
from servicekit.testing import aware_datetimes, business_calendars, durations

UTC = dt.UTC
H = dt.timedelta(hours=1)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


NINE_TO_FIVE = BusinessCalendar("UTC", "mon-fri 09:00-17:00")


# -- cases asserted by other libraries' test suites ---------------------------------------


def test_saturday_plus_two_hours_lands_monday() -> None:
    assert NINE_TO_FIVE.add(utc(2016, 1, 23, 13, 14), 2 * H) == utc(2016, 1, 25, 11)


def test_result_at_closing_time_stays_there() -> None:
    assert NINE_TO_FIVE.add(utc(2016, 1, 22, 9), 8 * H) == utc(2016, 1, 22, 17)


def test_subtract_across_weekend() -> None:
    assert NINE_TO_FIVE.subtract(utc(2016, 1, 25, 11, 14), 8 * H) == utc(2016, 1, 22, 11, 14)


def test_lunch_break_and_holiday() -> None:
    cal = BusinessCalendar(
        "UTC", "mon-fri 09:00-12:00,13:00-18:00", holidays=[dt.date(2015, 12, 25)]
    )
    assert cal.between(utc(2015, 12, 21, 9), utc(2015, 12, 28, 9)) == 32 * H


def test_night_shift_across_days() -> None:
    cal = BusinessCalendar("UTC", "mon-fri 21:00-02:00")
    assert cal.add(utc(2014, 7, 1, 22), 28 * H) == utc(2014, 7, 9, 1)


# -- other libraries' known bugs -------------------------------------------------------------


def test_overnight_shift_early_morning_start() -> None:
    # Tue 03:00 is inside Monday's 22:00-06:00 shift: one hour later is 04:00, not Tue 23:00.
    cal = BusinessCalendar("UTC", "daily 22:00-06:00")
    assert cal.add(utc(2024, 7, 2, 3), H) == utc(2024, 7, 2, 4)
    assert cal.between(utc(2024, 7, 2, 3), utc(2024, 7, 2, 4)) == H


def test_break_running_past_the_end_of_the_window() -> None:
    # Open 09:00-17:00 with a break 16:30-18:00: the break cannot add time after closing, so
    # the day holds 7.5 hours (writing the break in the hours is how it is expressed here).
    cal = BusinessCalendar("UTC", "mon-fri 09:00-16:30")
    assert cal.between(utc(2024, 7, 1, 0), utc(2024, 7, 2, 0)) == 7.5 * H
    assert cal.add(utc(2024, 7, 1, 16), H) == utc(2024, 7, 2, 9, 30)


def test_holidays_are_taken_in_the_calendars_zone() -> None:
    cal = BusinessCalendar(
        "Australia/Sydney", "mon-fri 09:00-17:00", holidays=[dt.date(2024, 1, 26)]
    )
    # Friday 26 January 10:00 in Sydney is Thursday 23:00 UTC: closed all of Sydney's Friday.
    assert not cal.is_open(pendulum.datetime(2024, 1, 26, 10, tz="Australia/Sydney"))
    assert cal.is_open(pendulum.datetime(2024, 1, 25, 23, 30, tz="UTC")) is False
    assert cal.is_open(pendulum.datetime(2024, 1, 25, 3, tz="UTC"))  # Thu 14:00 in Sydney
    au_day = holidays.country_holidays("AU", subdiv="NSW")
    with_package = BusinessCalendar("Australia/Sydney", "mon-fri 09:00-17:00", au_day)
    assert with_package.between(
        pendulum.datetime(2024, 1, 25, tz="Australia/Sydney"),
        pendulum.datetime(2024, 1, 27, tz="Australia/Sydney"),
    ) == (8 * H)


def test_fall_back_night_holds_five_real_hours() -> None:
    ny = "America/New_York"
    cal = BusinessCalendar(ny, "daily 01:00-05:00")
    day = pendulum.datetime(2024, 11, 3, tz=ny)
    assert cal.between(day, day.add(days=1)) == 5 * H
    assert cal.add(day, 5 * H) == pendulum.datetime(2024, 11, 3, 5, tz=ny)


def test_spring_forward_boundary_moves_forward() -> None:
    berlin = "Europe/Berlin"
    cal = BusinessCalendar(berlin, "daily 02:30-06:00")
    day = pendulum.datetime(2025, 3, 30, tz=berlin)
    # 02:30 does not exist that night; the shift opens at 03:30 and holds 2.5 real hours.
    assert cal.next_open(day) == pendulum.datetime(2025, 3, 30, 3, 30, tz=berlin)
    assert cal.between(day, day.add(days=1)) == 2.5 * H


def test_fold_boundary_takes_first_occurrence() -> None:
    berlin = "Europe/Berlin"
    cal = BusinessCalendar(berlin, "daily 02:30-04:00")
    day = pendulum.datetime(2025, 10, 26, tz=berlin)
    # 02:30 happens twice; the first (CEST) is taken, so the shift holds 2.5 real hours.
    # (Compared in UTC: Python never finds an ambiguous local time equal to another zone's.)
    assert cal.next_open(day).in_timezone("UTC") == pendulum.datetime(2025, 10, 26, 0, 30)
    assert cal.between(day, day.add(days=1)) == 2.5 * H


# -- API behaviour -------------------------------------------------------------------------


def test_compact_string_and_mapping_are_equal() -> None:
    text = BusinessCalendar("Europe/Madrid", "mon-fri 09:00-13:00,14:00-18:00; sat 10:00-14:00")
    mapping = BusinessCalendar(
        "Europe/Madrid",
        {
            **{key: [("09:00", "13:00"), (dt.time(14), dt.time(18))] for key in range(5)},
            "saturday": [("10:00", "14:00")],
        },
    )
    assert text == mapping
    assert hash(text) == hash(mapping)
    assert "mon-fri 09:00-13:00,14:00-18:00; sat 10:00-14:00" in repr(text)


def test_pickle_round_trip_keeps_equality_and_answers() -> None:
    cal = BusinessCalendar(
        "America/New_York", "mon-fri 09:00-17:00", holidays.country_holidays("US")
    )
    start = pendulum.datetime(2024, 12, 24, 15, tz="America/New_York")
    expected = cal.add(start, 40 * H)
    clone = pickle.loads(pickle.dumps(cal))
    assert clone == cal
    assert (
        clone.add(start, 40 * H)
        == expected
        == pendulum.datetime(2025, 1, 2, 15, tz="America/New_York")
    )


def test_outputs_are_pendulum_in_calendar_zone_and_keep_microseconds() -> None:
    cal = BusinessCalendar("Europe/Madrid", "mon-fri 09:00-17:00")
    start = dt.datetime(2024, 3, 4, 9, 0, 0, 123456, tzinfo=zoneinfo.ZoneInfo("Europe/Madrid"))
    out = cal.add(start, dt.timedelta(microseconds=1))
    assert isinstance(out, pendulum.DateTime)
    assert out.timezone_name == "Europe/Madrid"
    assert out.microsecond == 123457
    assert isinstance(cal.between(start, out), pendulum.Duration)


def test_between_is_antisymmetric() -> None:
    a, b = utc(2024, 1, 1), utc(2024, 2, 1, 12)
    assert NINE_TO_FIVE.between(b, a) == -NINE_TO_FIVE.between(a, b)


def test_special_days_replace_and_close() -> None:
    cal = BusinessCalendar(
        "UTC",
        "mon-fri 09:00-17:00",
        holidays=[dt.date(2024, 12, 25)],
        special_days={
            dt.date(2024, 12, 24): ["09:00-12:00"],
            dt.date(2024, 12, 25): ["10:00-12:00"],  # a special day wins over a holiday
            dt.date(2024, 12, 28): ["10:00-14:00"],  # an extra Saturday opening
            dt.date(2024, 12, 30): [],
        },
    )
    week = cal.between(utc(2024, 12, 23), utc(2024, 12, 31))
    assert week == (8 + 3 + 2 + 8 + 8 + 4 + 0) * H


def test_always_open_is_real_time_across_dst() -> None:
    cal = BusinessCalendar.always_open("Europe/Berlin")
    a = pendulum.datetime(2025, 3, 29, 12, tz="Europe/Berlin")
    b = pendulum.datetime(2025, 3, 31, 12, tz="Europe/Berlin")
    assert cal.between(a, b) == dt.timedelta(hours=47)
    assert cal.add(a, dt.timedelta(hours=47)) == b
    assert cal.is_open(a)
    assert cal.next_open(a) == a
    with pytest.raises(CalendarNeverClosesError):
        cal.next_close(a)


def test_ten_years_of_business_time() -> None:
    cal = BusinessCalendar(
        "America/New_York", "mon-fri 09:00-17:00", holidays.country_holidays("US")
    )
    start = pendulum.datetime(2025, 1, 6, 9, tz="America/New_York")
    end = cal.add(start, 20_000 * H)
    assert cal.between(start, end) == 20_000 * H
    us = holidays.country_holidays("US", years=range(2025, 2036))
    days = (end.date() - start.date()).days + 1
    working = [
        d
        for d in (start.date() + dt.timedelta(days=i) for i in range(days))
        if d.weekday() < 5 and d not in us
    ]
    assert len(working) * 8 == 20_000
    assert end.time() == dt.time(17)


def test_next_open_and_close() -> None:
    fri_evening = utc(2024, 7, 5, 18)
    assert NINE_TO_FIVE.next_open(fri_evening) == utc(2024, 7, 8, 9)
    assert NINE_TO_FIVE.next_close(fri_evening) == utc(2024, 7, 8, 17)
    assert NINE_TO_FIVE.next_open(utc(2024, 7, 8, 9)) == utc(2024, 7, 8, 9)
    assert not NINE_TO_FIVE.is_open(utc(2024, 7, 8, 17))


def test_night_shift_over_new_year_is_one_period() -> None:
    cal = BusinessCalendar("UTC", "daily 22:00-06:00")
    new_year = utc(2024, 1, 1, 2)
    assert cal.is_open(new_year)
    assert cal.next_close(new_year) == utc(2024, 1, 1, 6)
    assert list(cal.open_intervals(utc(2023, 12, 31, 23), utc(2024, 1, 1, 7))) == [
        (utc(2023, 12, 31, 23), utc(2024, 1, 1, 6))
    ]


# -- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "fragment"),
    [
        ("mon-fri 9-17", "not a time"),
        ("mon-fri 09:00", "not an interval"),
        ("mon-fri 09:00-17:60", "not a valid time"),
        ("funday 09:00-17:00", "not a day"),
        ("mon-fri", "expected DAYS followed by intervals"),
        ("mon 09:00-13:00,12:00-18:00", "overlap"),
        ("mon 20:00-10:00; tue 09:00-17:00", "runs into"),
        ("mon 09:00-12:00; mon 13:00-17:00", "more than once"),
    ],
)
def test_malformed_hours(hours: str, fragment: str) -> None:
    with pytest.raises(InvalidScheduleError, match=fragment):
        BusinessCalendar("UTC", hours)


def test_bad_zone_holidays_and_datetimes() -> None:
    with pytest.raises(UnknownTimezoneError, match="Europe/Madrid"):
        BusinessCalendar("Europe/Madird", "mon 09:00-17:00")
    with pytest.raises(InvalidHolidayError, match="not a date"):
        BusinessCalendar("UTC", "mon 09:00-17:00", holidays=["2024-12-25"])  # type: ignore[list-item]
    with pytest.raises(NaiveDatetimeError, match="start"):
        NINE_TO_FIVE.add(dt.datetime(2024, 1, 1), H)
    with pytest.raises(NegativeDurationError, match="subtract"):
        NINE_TO_FIVE.add(utc(2024, 1, 1), -H)


def test_never_open_calendar() -> None:
    closed = BusinessCalendar("UTC", {})
    with pytest.raises(CalendarNeverOpenError, match="no opening hours"):
        closed.add(utc(2024, 1, 1), H)
    assert closed.add(utc(2024, 1, 1), dt.timedelta(0)) == utc(2024, 1, 1)
    assert closed.between(utc(2024, 1, 1), utc(2030, 1, 1)) == dt.timedelta(0)
    one_day = BusinessCalendar("UTC", {}, special_days={dt.date(2030, 6, 1): ["10:00-12:00"]})
    assert one_day.add(utc(2024, 1, 1), H) == utc(2030, 6, 1, 11)
    with pytest.raises(CalendarNeverOpenError, match="special days"):
        one_day.add(utc(2024, 1, 1), 3 * H)
    with pytest.raises(CalendarNeverOpenError):
        one_day.next_open(utc(2031, 1, 1))


def test_failed_call_leaves_calendar_usable() -> None:
    with pytest.raises(ServiceKitError):
        NINE_TO_FIVE.add(dt.datetime(2024, 1, 1), H)
    assert NINE_TO_FIVE.add(utc(2016, 1, 22, 9), 8 * H) == utc(2016, 1, 22, 17)


# -- invariants ------------------------------------------------------------------------------


def _reference_between(cal: BusinessCalendar, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
    """Business time by brute force: union of every shift's real interval, intersected."""
    zone = zoneinfo.ZoneInfo(cal.timezone)
    special = dict(cal.special_days)
    closed = cal.holidays  # a copy: taken once
    la, lb = a.astimezone(zone).date(), b.astimezone(zone).date()
    intervals = []
    day = la - dt.timedelta(days=2)
    while day <= lb + dt.timedelta(days=1):
        if day in special:
            shifts = special[day]
        elif day in closed:
            shifts = ()
        else:
            shifts = cal.hours[day.weekday()]
        for start, end in shifts:
            end_day = day if end > start else day + dt.timedelta(days=1)
            o = dt.datetime.combine(day, start, tzinfo=zone).astimezone(UTC)
            c = dt.datetime.combine(end_day, end, tzinfo=zone).astimezone(UTC)
            intervals.append((max(o, a.astimezone(UTC)), min(c, b.astimezone(UTC))))
        day += dt.timedelta(days=1)
    total, reach = dt.timedelta(0), None
    for o, c in sorted(intervals):
        if reach is not None:
            o = max(o, reach)
        if c > o:
            total += c - o
        reach = c if reach is None else max(reach, c)
    return total


@given(
    business_calendars(), aware_datetimes(), st.timedeltas(dt.timedelta(0), dt.timedelta(days=9))
)
def test_between_matches_brute_force(
    cal: BusinessCalendar, a: dt.datetime, span: dt.timedelta
) -> None:
    b = a + span
    assert cal.between(a, b) == _reference_between(cal, a, b)


@given(business_calendars(), aware_datetimes(), durations())
def test_add_is_exact_and_earliest(cal: BusinessCalendar, a: dt.datetime, d: dt.timedelta) -> None:
    t = cal.add(a, d)
    assert cal.between(a, t) == d
    if d:
        assert cal.between(a, t - dt.timedelta(microseconds=1)) < d


@given(business_calendars(), aware_datetimes(), durations())
def test_subtract_is_exact_and_latest(
    cal: BusinessCalendar, b: dt.datetime, d: dt.timedelta
) -> None:
    s = cal.subtract(b, d)
    assert cal.between(s, b) == d
    if d:
        assert cal.between(s + dt.timedelta(microseconds=1), b) < d


@given(business_calendars(), aware_datetimes(), aware_datetimes(), aware_datetimes())
def test_between_is_additive_and_bounded(
    cal: BusinessCalendar, a: dt.datetime, b: dt.datetime, c: dt.datetime
) -> None:
    assert cal.between(a, b) + cal.between(b, c) == cal.between(a, c)
    lo, hi = sorted((a, b))
    assert dt.timedelta(0) <= cal.between(lo, hi) <= hi - lo


@given(business_calendars(), aware_datetimes(), durations(), durations())
def test_add_composes(
    cal: BusinessCalendar, a: dt.datetime, d1: dt.timedelta, d2: dt.timedelta
) -> None:
    assert cal.add(cal.add(a, d1), d2) == cal.add(a, d1 + d2)


@given(
    st.sampled_from(["UTC", "Europe/Berlin", "Australia/Lord_Howe", "America/New_York"]),
    aware_datetimes(),
    aware_datetimes(),
)
def test_always_open_counts_real_time(zone: str, a: dt.datetime, b: dt.datetime) -> None:
    cal = BusinessCalendar.always_open(zone)
    assert cal.between(a, b) == b - a


@given(
    business_calendars(), aware_datetimes(), st.timedeltas(dt.timedelta(0), dt.timedelta(days=4))
)
def test_is_open_agrees_with_open_intervals(
    cal: BusinessCalendar, a: dt.datetime, span: dt.timedelta
) -> None:
    b = a + span
    intervals = list(cal.open_intervals(a, b))
    assert sum((c - o for o, c in intervals), dt.timedelta(0)) == cal.between(a, b)
    for (_, c1), (o2, _) in itertools.pairwise(intervals):
        assert c1 < o2  # separate periods never touch
    for o, c in intervals:
        assert cal.is_open(o)
        assert cal.is_open(c - dt.timedelta(microseconds=1))
        if c < b:
            assert not cal.is_open(c)
            assert cal.next_close(o) == c


@given(business_calendars(), aware_datetimes())
def test_next_open_is_open_and_nothing_earlier(cal: BusinessCalendar, t: dt.datetime) -> None:
    nxt = cal.next_open(t)
    assert nxt >= t
    assert cal.is_open(nxt)
    assume(nxt > t)
    assert cal.between(t, nxt) == dt.timedelta(0)


# -- a holidays object shared by several calendars (review item 1) ---------------------------


def test_two_calendars_from_one_holidays_object_agree_and_leave_it_untouched() -> None:
    shared = holidays.country_holidays("US")
    first = BusinessCalendar("America/New_York", "mon-fri 09:00-17:00", shared)
    christmas = pendulum.datetime(2024, 12, 25, 10, tz="America/New_York")
    assert not first.is_open(christmas)  # expands 2024 in the calendar's own copy
    second = BusinessCalendar("America/New_York", "mon-fri 09:00-17:00", shared)
    assert not second.is_open(christmas)
    assert first == second
    assert shared.years == set()
    assert len(shared) == 0


def test_calendars_with_different_custom_holidays_differ() -> None:
    plain = holidays.country_holidays("US")
    custom = holidays.country_holidays("US")
    custom[dt.date(2024, 12, 24)] = "Christmas Eve"
    a = BusinessCalendar("America/New_York", "mon-fri 09:00-17:00", plain)
    b = BusinessCalendar("America/New_York", "mon-fri 09:00-17:00", custom)
    eve = pendulum.datetime(2024, 12, 24, 10, tz="America/New_York")
    assert a.is_open(eve)
    assert not b.is_open(eve)
    assert a != b
    removed = holidays.country_holidays("US", years=2024)
    del removed[dt.date(2024, 12, 25)]
    c = BusinessCalendar("America/New_York", "mon-fri 09:00-17:00", removed)
    assert c.is_open(eve.add(days=1))
    assert c != a
    assert BusinessCalendar("America/New_York", "mon-fri 09:00-17:00", custom) == b


def test_a_calendars_holidays_cannot_be_changed_after_construction() -> None:
    cal = BusinessCalendar("UTC", "mon-fri 09:00-17:00", holidays.country_holidays("GB"))
    boxing_day = pendulum.datetime(2024, 12, 27, 10, tz="UTC")
    assert cal.is_open(boxing_day)
    copy_of_them = cal.holidays
    assert isinstance(copy_of_them, holidays.HolidayBase)
    copy_of_them[dt.date(2024, 12, 27)] = "mine"
    assert cal.is_open(boxing_day)
    with pytest.raises(AttributeError):
        cal.holidays = frozenset()  # type: ignore[misc]


def test_sums_of_holiday_calendars_compare_equal_only_to_themselves() -> None:
    summed = BusinessCalendar("UTC", "mon-fri 09:00-17:00", holidays.US() + holidays.CA())
    assert summed == summed
    other = BusinessCalendar("UTC", "mon-fri 09:00-17:00", holidays.US() + holidays.MX())
    assert summed != other
    assert not summed.is_open(pendulum.datetime(2024, 7, 1, 10, tz="UTC"))  # Canada Day
    assert other.is_open(pendulum.datetime(2024, 7, 1, 10, tz="UTC"))


# -- no silent guesses in hours and special days (review item 8) ---------------------------------


@pytest.mark.parametrize(
    ("hours", "fragment"),
    [
        ({"mon": "09:00-17:00", "Monday": "10:00-18:00"}, "given twice"),
        ({0: "09:00-17:00", "mon": "10:00-18:00"}, "given twice"),
        ("monkey-fridge 09:00-17:00", "not a day or day range"),
        ({"monkey": "09:00-17:00"}, "unknown weekday 'monkey'"),
        ("mon-fri ٠٩:٠٠-١٧:٠٠", "is not a time"),
        ("mon-fri 09:00-1７:00", "is not a time"),
    ],
)
def test_ambiguous_hours_are_refused(hours: object, fragment: str) -> None:
    with pytest.raises(InvalidScheduleError, match=fragment):
        BusinessCalendar("UTC", hours)  # type: ignore[arg-type]


def test_full_day_names_are_understood() -> None:
    assert BusinessCalendar("UTC", "monday-friday 09:00-17:00") == BusinessCalendar(
        "UTC",
        {
            "Monday": "09:00-17:00",
            "tue": "09:00-17:00",
            2: "09:00-17:00",
            3: "09:00-17:00",
            "FRIDAY": "09:00-17:00",
        },
    )


def test_a_special_day_given_twice_is_refused() -> None:
    day = dt.date(2025, 12, 24)
    with pytest.raises(InvalidHolidayError, match="2025-12-24 is given twice"):
        BusinessCalendar(
            "UTC", "mon-fri 09:00-17:00", special_days=[(day, ()), (day, "09:00-13:00")]
        )  # type: ignore[arg-type]
    with pytest.raises(InvalidHolidayError, match="pairs"):
        BusinessCalendar("UTC", "mon-fri 09:00-17:00", special_days=[day])  # type: ignore[arg-type]


# -- hours strings, spelled every way they may be ----------------------------------------------

_T = dt.time


@pytest.mark.parametrize(
    ("text", "same_as"),
    [
        ("daily 09:00-17:00", "mon-sun 09:00-17:00"),
        ("everyday 09:00-17:00", "mon-sun 09:00-17:00"),
        ("all 09:00-17:00", "mon-sun 09:00-17:00"),
        ("sat-mon 10:00-14:00", "sat,sun,mon 10:00-14:00"),  # a range wraps round the week
        ("fri-thu 10:00-14:00", "daily 10:00-14:00"),
        (
            "mon,wed 09:00-13:00, 14:00-18:00",
            "mon 09:00-13:00,14:00-18:00; wed 09:00-13:00,14:00-18:00",
        ),
        ("mon-fri 09:00-17:00; sat CLOSED", "mon-fri 09:00-17:00"),
    ],
)
def test_hours_spellings_mean_the_same_week(text: str, same_as: str) -> None:
    assert BusinessCalendar("UTC", text).hours == BusinessCalendar("UTC", same_as).hours
    assert BusinessCalendar("UTC", text) == BusinessCalendar("UTC", same_as)


def test_hours_to_midnight_and_the_last_minute_of_the_day() -> None:
    late = BusinessCalendar("UTC", "mon 23:30-24:00; tue 22:59-23:59")
    assert late.hours[0] == ((_T(23, 30), _T(0)),)
    assert late.hours[1] == ((_T(22, 59), _T(23, 59)),)
    monday = pendulum.datetime(2025, 3, 3, 23, 45)
    assert late.next_close(monday) == pendulum.datetime(2025, 3, 4)
    assert late.between(pendulum.datetime(2025, 3, 3), pendulum.datetime(2025, 3, 5)) == (
        dt.timedelta(minutes=90)
    )
    # What the calendar writes reads back as the same calendar.
    assert BusinessCalendar("UTC", repr(late).split("'")[3]) == late


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mon 24:00-10:00", r"in hours clause 'mon 24:00-10:00'.*cannot start at 24:00; use 00:00"),
        ("mon 24:01-10:00", r"'mon 24:01-10:00': '24:01' is not a valid time of day"),
        ("mon 09:60-10:00", r"'09:60' is not a valid time of day"),
        ("mon 09:00-10:00,11:00", r"in hours clause 'mon 09:00-10:00,11:00'"),
        ("mon-tue-wed 09:00-10:00", r"in hours clause 'mon-tue-wed 09:00-10:00'.*mon-fri"),
    ],
)
def test_hours_strings_refused_name_the_clause(text: str, message: str) -> None:
    with pytest.raises(InvalidScheduleError, match=message):
        BusinessCalendar("UTC", text)


# -- answers that lie years away -------------------------------------------------------------


@pytest.mark.parametrize(
    "closed",
    [
        {"special_days": {dt.date(2028, 6, 1): []}},
        {"holidays": [dt.date(2028, 6, 1)]},
    ],
)
def test_a_round_the_clock_calendar_closes_on_a_closed_day_years_ahead(
    closed: dict[str, object],
) -> None:
    # Two whole years open do not mean for ever while a dated closed day is still ahead.
    cal = BusinessCalendar("UTC", "daily 00:00-24:00", **closed)  # type: ignore[arg-type]
    assert cal.next_close(pendulum.datetime(2025, 3, 1)) == pendulum.datetime(2028, 6, 1)
    assert cal.next_open(pendulum.datetime(2028, 6, 1, 12)) == pendulum.datetime(2028, 6, 2)
    with pytest.raises(CalendarNeverClosesError, match="stays open for ever after"):
        cal.next_close(pendulum.datetime(2028, 6, 2))


def test_always_open_never_closes() -> None:
    with pytest.raises(CalendarNeverClosesError, match="open around the clock"):
        BusinessCalendar.always_open("Europe/Madrid").next_close(pendulum.datetime(2025, 1, 1))


def test_adding_years_of_business_time_crosses_every_year_exactly() -> None:
    cal = BusinessCalendar(
        "Europe/Madrid", "mon-fri 09:00-17:00", holidays=holidays.ES(years=range(2024, 2030))
    )
    start = pendulum.datetime(2025, 3, 3, 10, tz="Europe/Madrid")
    for hours in (2_000, 5_000, 9_000):  # about one, two and a half, and four and a half years
        span = dt.timedelta(hours=hours)
        end = cal.add(start, span)
        assert end.year > start.year
        assert cal.between(start, end) == span
        assert cal.subtract(end, span) == start
        assert cal.add(start, span - dt.timedelta(minutes=1)) < end


def test_a_calendar_open_on_special_days_only_answers_within_them() -> None:
    cal = BusinessCalendar("UTC", {}, special_days={dt.date(2025, 6, 2): "09:00-17:00"})
    assert cal.add(pendulum.datetime(2024, 1, 1), dt.timedelta(hours=4)) == (
        pendulum.datetime(2025, 6, 2, 13)
    )
    assert cal.subtract(pendulum.datetime(2026, 12, 31), dt.timedelta(hours=4)) == (
        pendulum.datetime(2025, 6, 2, 13)
    )
    assert cal.next_open(pendulum.datetime(2024, 12, 31)) == pendulum.datetime(2025, 6, 2, 9)
    with pytest.raises(ServiceKitError, match="add business time"):
        cal.add(pendulum.datetime(2024, 1, 1), dt.timedelta(hours=9))
    with pytest.raises(ServiceKitError, match="subtract business time"):
        cal.subtract(pendulum.datetime(2026, 1, 1), dt.timedelta(hours=9))


MADRID_ZONE = "Europe/Madrid"


def test_repr_names_zone_hours_and_the_kind_of_holidays() -> None:
    assert repr(BusinessCalendar(MADRID_ZONE, "mon-fri 09:00-17:00")) == (
        "BusinessCalendar('Europe/Madrid', 'mon-fri 09:00-17:00')"
    )
    listed = BusinessCalendar(MADRID_ZONE, "mon-fri 09:00-17:00", holidays=[dt.date(2025, 12, 25)])
    assert (
        repr(listed)
        == "BusinessCalendar('Europe/Madrid', 'mon-fri 09:00-17:00', holidays=<1 dates>)"
    )
    country = BusinessCalendar(MADRID_ZONE, "mon-fri 09:00-17:00", holidays=holidays.ES(years=2025))
    assert repr(country).endswith(", holidays=<holidays.countries.spain.ES>)")
    assert BusinessCalendar.always_open().timezone == "UTC"


def test_a_night_shift_from_a_holiday_on_new_years_eve_is_closed_into_the_new_year() -> None:
    nights = BusinessCalendar("UTC", "mon-sun 22:00-06:00", holidays=[dt.date(2025, 12, 31)])
    assert nights.is_open(pendulum.datetime(2025, 12, 31, 2))  # the shift of Dec 30
    assert not nights.is_open(pendulum.datetime(2026, 1, 1, 2))  # Dec 31's shift is a holiday
    assert nights.is_open(pendulum.datetime(2026, 1, 1, 23))


# -- equal calendars answer alike, different ones somewhere differ ----------------------------


def _a_weekday_only_one_closes(a: holidays.HolidayBase, b: holidays.HolidayBase) -> dt.date:
    """A weekday in 2020-2025 that one holidays calendar closes and the other does not."""
    for year in range(2020, 2026):
        differing = {
            day
            for day in (dt.date(year, 1, 1) + dt.timedelta(days=i) for i in range(365))
            if day.weekday() < 5 and (day in a) != (day in b)
        }
        if differing:
            return min(differing)
    raise AssertionError("the two holiday calendars agree on every weekday")


@pytest.mark.parametrize(
    "other",
    [
        {"country": "US", "subdiv": "NY"},
        {"country": "CA"},
        {"country": "US", "observed": False},
        {"country": "US", "categories": ("public", "unofficial")},
    ],
    ids=["subdivision", "country", "not-observed", "categories"],
)
def test_calendars_from_differently_configured_holidays_differ(other: dict[str, object]) -> None:
    zone, hours = "America/New_York", "mon-fri 09:00-17:00"
    base = BusinessCalendar(zone, hours, holidays.country_holidays("US"))
    cal = BusinessCalendar(zone, hours, holidays.country_holidays(**other))  # type: ignore[arg-type]
    assert cal != base
    assert cal == BusinessCalendar(zone, hours, holidays.country_holidays(**other))  # type: ignore[arg-type]
    day = _a_weekday_only_one_closes(
        holidays.country_holidays("US"),
        holidays.country_holidays(**other),  # type: ignore[arg-type]
    )
    ten = pendulum.datetime(day.year, day.month, day.day, 10, tz=zone)
    assert cal.is_open(ten) != base.is_open(ten)


def test_a_holidays_calendar_that_does_not_expand_closes_only_its_years() -> None:
    zone, hours = "America/New_York", "mon-fri 09:00-17:00"
    fixed = BusinessCalendar(zone, hours, holidays.country_holidays("US", years=2024, expand=False))
    expanding = BusinessCalendar(zone, hours, holidays.country_holidays("US", years=2024))
    assert fixed != expanding
    assert not fixed.is_open(pendulum.datetime(2024, 12, 25, 10, tz=zone))
    assert fixed.is_open(pendulum.datetime(2025, 12, 25, 10, tz=zone))
    assert not expanding.is_open(pendulum.datetime(2025, 12, 25, 10, tz=zone))


def test_a_calendar_is_not_equal_to_other_values() -> None:
    cal = NINE_TO_FIVE
    assert cal != "UTC mon-fri 09:00-17:00"
    assert cal.__eq__(1) is NotImplemented
    assert cal != BusinessCalendar("UTC", "mon-fri 09:00-17:01")
    assert cal != BusinessCalendar("Europe/London", "mon-fri 09:00-17:00")
    assert cal != BusinessCalendar(
        "UTC", "mon-fri 09:00-17:00", special_days={dt.date(2025, 1, 1): []}
    )
    assert cal != BusinessCalendar("UTC", "mon-fri 09:00-17:00", [dt.date(2025, 1, 1)])
    assert len({cal, BusinessCalendar("UTC", "mon-fri 09:00-17:00")}) == 1


def test_replace_checks_like_a_new_calendar() -> None:
    day, half = dt.date(2025, 12, 24), dt.date(2025, 12, 31)
    cal = BusinessCalendar(
        "Europe/Madrid", "mon-fri 09:00-17:00", [day], special_days={half: "09:00-13:00"}
    )
    assert cal.replace() == cal
    assert cal.replace(hours="mon-sat 10:00-14:00") == BusinessCalendar(
        "Europe/Madrid", "mon-sat 10:00-14:00", [day], special_days={half: "09:00-13:00"}
    )
    assert cal.replace(timezone="UTC").timezone == "UTC"
    assert cal.replace(holidays=()).holidays == frozenset()
    assert cal.replace(special_days=None).special_days == ()
    assert cal.holidays == frozenset({day})
    with pytest.raises(
        TypeError,
        match=r"unknown fields \['colour', 'zone'\]; use \['timezone', 'hours', 'holidays', "
        r"'special_days'\]",
    ):
        cal.replace(zone="UTC", colour="red")
    with pytest.raises(InvalidScheduleError):
        cal.replace(hours="mon 25:00-26:00")


def test_pickle_keeps_listed_holidays_special_days_and_the_zone() -> None:
    cal = BusinessCalendar(
        "Australia/Sydney",
        "mon-fri 09:00-17:00; sat 10:00-12:00",
        [dt.date(2025, 1, 27)],
        special_days={dt.date(2025, 1, 28): "09:00-12:00", dt.date(2025, 2, 2): "10:00-11:00"},
    )
    clone = pickle.loads(pickle.dumps(cal))
    assert clone == cal
    assert clone.tz.name == cal.tz.name == "Australia/Sydney"
    sydney = "Australia/Sydney"
    week = (pendulum.datetime(2025, 1, 26, tz=sydney), pendulum.datetime(2025, 2, 3, tz=sydney))
    # Sun closed, Mon a holiday, Tue a half day, three full days, Sat 2 h, Sun a special hour.
    assert clone.between(*week) == cal.between(*week) == (3 + 8 + 8 + 8 + 2 + 1) * H


def test_empty_and_reversed_ranges_have_no_open_periods() -> None:
    a = utc(2024, 7, 1, 10)
    assert list(NINE_TO_FIVE.open_intervals(a, a)) == []
    assert list(NINE_TO_FIVE.open_intervals(a + H, a)) == []
    always = BusinessCalendar.always_open()
    assert list(always.open_intervals(a, a)) == []
    assert list(always.open_intervals(a, a + H)) == [(a, a + H)]
    # Periods are clipped to the range and cross a weekend as two.
    assert list(NINE_TO_FIVE.open_intervals(utc(2024, 7, 5, 16), utc(2024, 7, 8, 10))) == [
        (utc(2024, 7, 5, 16), utc(2024, 7, 5, 17)),
        (utc(2024, 7, 8, 9), utc(2024, 7, 8, 10)),
    ]


def test_the_microsecond_api_refuses_negative_durations() -> None:
    start = 1_700_000_000_000_000
    with pytest.raises(ValueError, match="use subtract_micros"):
        NINE_TO_FIVE.add_micros(start, -1)
    with pytest.raises(ValueError, match="use add_micros"):
        NINE_TO_FIVE.subtract_micros(start, -1)
    assert NINE_TO_FIVE.add_micros(start, 0) == NINE_TO_FIVE.subtract_micros(start, 0) == start
    always = BusinessCalendar.always_open()
    assert always.add_micros(start, 5) == start + 5
    assert always.subtract_micros(start, 5) == start - 5
    assert always.between_micros(start + 5, start) == -5


def test_answers_beyond_the_years_calendars_cover_are_refused() -> None:
    from servicekit.errors import InstantOutOfRangeError

    def fresh() -> BusinessCalendar:
        # A new calendar each time: its running totals start from the year first asked about.
        return BusinessCalendar("UTC", "mon-fri 09:00-17:00")

    with pytest.raises(InstantOutOfRangeError, match="outside the years 2 to 9998"):
        fresh().add(utc(9998, 12, 20), 200 * H)
    with pytest.raises(InstantOutOfRangeError, match="outside the years 2 to 9998"):
        fresh().subtract(utc(2, 1, 20), 200 * H)
    with pytest.raises(InstantOutOfRangeError, match="outside the years 2 to 9998"):
        fresh().next_open(utc(9998, 12, 31, 18))
    assert fresh().add(utc(9998, 12, 18), 8 * H) == utc(9998, 12, 18, 17)  # a Friday
    assert fresh().subtract(utc(2, 1, 21, 17), 8 * H) == utc(2, 1, 21, 9)  # a Monday


def test_a_calendar_open_on_special_days_only_names_their_years() -> None:
    cal = BusinessCalendar(
        "UTC",
        {},
        special_days={dt.date(2025, 6, 2): "09:00-10:00", dt.date(2027, 1, 4): "09:00-10:00"},
    )
    with pytest.raises(
        CalendarNeverOpenError,
        match=r"cannot add business time on BusinessCalendar\('UTC', '', "
        r"special_days=<2 dates>\): it has no weekly hours, and its special days only open "
        r"between 2025 and 2027; give it weekly hours or an opening special day",
    ):
        cal.add(utc(2024, 1, 1), 3 * H)
    assert cal.add(utc(2024, 1, 1), 2 * H) == utc(2027, 1, 4, 10)
    with pytest.raises(CalendarNeverOpenError, match="find the next opening"):
        cal.next_open(utc(2027, 1, 4, 10))
    closed_days = BusinessCalendar("UTC", {}, special_days={dt.date(2025, 6, 2): []})
    with pytest.raises(CalendarNeverOpenError, match="no opening hours and no special day"):
        closed_days.next_open(utc(2024, 1, 1))


# -- weekly hours: every way of giving them, and their edges ------------------------------------


@given(business_calendars())
def test_the_hours_a_calendar_shows_read_back_as_the_same_week(cal: BusinessCalendar) -> None:
    shown = repr(cal).split("'")[3]
    assert BusinessCalendar(cal.timezone, shown).hours == cal.hours


def test_hours_given_out_of_order_touching_or_to_the_same_time_next_day() -> None:
    cal = BusinessCalendar("UTC", {0: ["13:00-17:00", "09:00-12:00"], "tue": "09:00-09:00"})
    assert cal.hours[0] == ((_T(9), _T(12)), (_T(13), _T(17)))
    assert cal.between(utc(2025, 3, 4, 9), utc(2025, 3, 5, 9)) == 24 * H  # 09:00-09:00: a day
    touching = BusinessCalendar("UTC", "mon 09:00-12:00,12:00-17:00")
    assert touching.next_close(utc(2025, 3, 3, 10)) == utc(2025, 3, 3, 17)
    # A night shift may end exactly when the next day opens: one period.
    night = BusinessCalendar("UTC", "mon 20:00-09:00; tue 09:00-17:00")
    assert night.next_close(utc(2025, 3, 3, 21)) == utc(2025, 3, 4, 17)
    assert BusinessCalendar("UTC", {6: "10:00-12:00"}).hours[6] == ((_T(10), _T(12)),)
    trailing = BusinessCalendar("UTC", {}, special_days={dt.date(2025, 3, 3): "09:00-12:00,"})
    assert trailing.special_days == ((dt.date(2025, 3, 3), ((_T(9), _T(12)),)),)


def test_hours_with_seconds_and_microseconds_are_kept_to_the_microsecond() -> None:
    fine = BusinessCalendar(
        "UTC", {0: [(_T(9, 0, 30), _T(9, 0, 45)), (_T(9, 0, 45, 1), _T(10, 0, 0, 5))]}
    )
    assert "09:00:30-09:00:45,09:00:45.000001-10:00:00.000005" in repr(fine)
    monday = utc(2025, 3, 3)
    assert fine.between(monday, monday + 24 * H) == dt.timedelta(
        seconds=15 + 3600 - 45, microseconds=4
    )
    with pytest.raises(InvalidScheduleError, match="overlap"):
        BusinessCalendar(
            "UTC", {0: [(_T(9, 0, 0, 500), _T(9, 0, 0, 700)), (_T(9, 0, 0, 600), _T(10))]}
        )
    with pytest.raises(InvalidScheduleError, match="overlap"):
        BusinessCalendar("UTC", {0: [(_T(9, 0, 30), _T(9, 1)), (_T(9, 0, 59), _T(10))]})


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ({0: [(_T(9, tzinfo=UTC), _T(17))]}, "has a time zone; opening hours are wall-clock"),
        ({0: [(dt.datetime(2025, 1, 1, 9), _T(17))]}, r"expected a datetime.time or 'HH:MM'"),
        ({0: [(9, 17)]}, r"hours for mon: expected a datetime.time or 'HH:MM', got 9"),
        ({0: [("09:00", "12:00", "13:00")]}, r"expected \(start, end\) pairs of times"),
        ({0: [5]}, r"expected \(start, end\) pairs of times, got 5"),
        ({0: 5}, r"hours for mon: expected a sequence of \(start, end\), got 5"),
        ({7: "09:00-17:00"}, r"unknown weekday 7: use 0 \(Monday\) to 6 \(Sunday\)"),
        ({-1: "09:00-17:00"}, "unknown weekday -1"),
        ({True: "09:00-17:00"}, "unknown weekday True"),
        (((),) * 6, "hours must be a string such as 'mon-fri 09:00-17:00' or a mapping"),
        (
            "sun 20:00-10:00; mon 09:00-17:00",
            "the sun interval 20:00-10:00 runs into the mon interval 09:00-17:00",
        ),
        (
            {0: "09:00-13:00,12:00-18:00"},
            "hours for mon: intervals 09:00-13:00 and 12:00-18:00 overlap",
        ),
        ("mon-fri 09:00-17:00; sat-fri 10:00-11:00", "mon is given more than once"),
    ],
)
def test_hours_refused_say_what_and_where(hours: object, message: str) -> None:
    with pytest.raises(InvalidScheduleError, match=message):
        BusinessCalendar("UTC", hours)  # type: ignore[arg-type]


def test_a_week_of_seven_days_given_as_tuples_is_taken_as_is() -> None:
    week = (((_T(9), _T(17)),),) * 5 + ((), ())
    assert BusinessCalendar("UTC", week) == NINE_TO_FIVE
    assert BusinessCalendar("UTC", NINE_TO_FIVE.hours) == NINE_TO_FIVE


# Whole messages (what was wrong and how to fix it), as a user reads them.
_REFUSALS = [
    (
        {"holidays": "US"},
        "holidays must be dates or a calendar from the holidays package, e.g. "
        "holidays.country_holidays('US'); got 'US'",
    ),
    (
        {"holidays": [dt.datetime(2025, 1, 1)]},
        "holiday datetime.datetime(2025, 1, 1, 0, 0) is not a date: give datetime.date values "
        "(a holiday closes the shifts that start on that local date)",
    ),
    (
        {"special_days": [(dt.date(2025, 1, 1), ()), (dt.date(2025, 1, 1), ())]},
        "special day 2025-01-01 is given twice; give each date once with all of its intervals",
    ),
    (
        {"special_days": {dt.datetime(2025, 1, 1): ()}},
        "special day datetime.datetime(2025, 1, 1, 0, 0) is not a date: key special_days by "
        "datetime.date",
    ),
    ({"special_days": 5}, "special_days must map dates to intervals, got 5"),
    (
        {"hours": "funday 09:00-17:00"},
        "in hours clause 'funday 09:00-17:00': 'funday' is not a day or day range; use mon, tue, "
        "wed, thu, fri, sat, sun (or the full names), a range such as 'mon-fri', or 'daily'",
    ),
    (
        {"hours": "mon 09:00-17:00; mon 18:00-19:00"},
        "in hours clause 'mon 18:00-19:00': mon is given more than once; list all of its "
        "intervals in one clause",
    ),
    (
        {"hours": {0: [(dt.time(9, tzinfo=UTC), dt.time(17))]}},
        "hours for mon: datetime.time(9, 0, tzinfo=datetime.timezone.utc) has a time zone; "
        "opening hours are wall-clock times in the calendar's time zone, so give a plain time",
    ),
    (
        {"hours": "mon 09:00-13:00,12:00-18:00"},
        "hours for mon: intervals 09:00-13:00 and 12:00-18:00 overlap; merge them into one "
        "interval or fix their bounds",
    ),
    (
        {"hours": 5},
        "hours must be a string such as 'mon-fri 09:00-17:00' or a mapping of weekday to "
        "(start, end) intervals, got 5",
    ),
    (
        {"hours": "mon 20:00-10:00; tue 09:00-17:00"},
        "the mon interval 20:00-10:00 runs into the tue interval 09:00-17:00; end it earlier or "
        "start the next one later",
    ),
    (
        {"hours": "mon 9-17"},
        "in hours clause 'mon 9-17': '9' is not a time; write hours as HH:MM, e.g. '09:00-17:30'",
    ),
    (
        {"hours": "mon 09:00-17:60"},
        "in hours clause 'mon 09:00-17:60': '17:60' is not a valid time of day",
    ),
    (
        {"hours": {0: "09:00"}},
        "hours for mon: '09:00' is not an interval; write START-END, e.g. '09:00-13:00'",
    ),
    (
        {"hours": "mon"},
        "in hours clause 'mon': expected DAYS followed by intervals, e.g. 'mon-fri 09:00-17:00'",
    ),
    (
        {"hours": {0: "09:00-10:00", "mon": "09:00-10:00"}},
        "hours for mon are given twice (as 0 and 'mon'); give each weekday once",
    ),
]


@pytest.mark.parametrize(("arguments", "message"), _REFUSALS)
def test_calendar_refusals_are_whole_sentences(arguments: dict[str, object], message: str) -> None:
    given_arguments: dict[str, object] = {"hours": "mon 09:00-17:00", **arguments}
    with pytest.raises(ServiceKitError, match=f"^{re.escape(message)}$"):
        BusinessCalendar("UTC", **given_arguments)  # type: ignore[arg-type]


def test_never_open_and_negative_micros_refusals_are_whole_sentences() -> None:
    with pytest.raises(
        CalendarNeverOpenError,
        match=r"^cannot find the next opening on BusinessCalendar\('UTC', ''\): it has no "
        r"opening hours and no special day that opens; give it weekly hours or an opening "
        r"special day$",
    ):
        BusinessCalendar("UTC", {}).next_open(utc(2025, 1, 1))
    with pytest.raises(
        ValueError, match=r"^duration_us must not be negative; use subtract_micros$"
    ):
        NINE_TO_FIVE.add_micros(0, -1)
    with pytest.raises(ValueError, match=r"^duration_us must not be negative; use add_micros$"):
        NINE_TO_FIVE.subtract_micros(0, -1)


def test_a_day_written_as_two_halves_is_open_for_ever() -> None:
    halves = BusinessCalendar("UTC", "daily 00:00-12:00,12:00-24:00")
    start = pendulum.datetime(2025, 3, 1, 10)
    assert halves.between(start, start.add(days=3)) == 72 * H
    with pytest.raises(CalendarNeverClosesError, match="stays open for ever after"):
        halves.next_close(start)


def test_empty_clauses_are_skipped_and_a_day_listed_twice_in_one_clause_is_refused() -> None:
    assert BusinessCalendar("UTC", "; mon-fri 09:00-17:00;; sat 10:00-12:00;").hours == (
        BusinessCalendar("UTC", "mon-fri 09:00-17:00; sat 10:00-12:00").hours
    )
    with pytest.raises(InvalidScheduleError, match="mon is given more than once"):
        BusinessCalendar("UTC", "daily,mon 09:00-17:00")


def test_the_shown_hours_group_equal_days_to_the_end_of_the_week() -> None:
    assert repr(BusinessCalendar("UTC", "daily 09:00-17:00")) == (
        "BusinessCalendar('UTC', 'mon-sun 09:00-17:00')"
    )
    assert repr(BusinessCalendar("UTC", "mon 08:00-12:00; tue-sun 09:00-17:00")) == (
        "BusinessCalendar('UTC', 'mon 08:00-12:00; tue-sun 09:00-17:00')"
    )


_NAIVE, _AWARE = dt.datetime(2025, 1, 1), utc(2025, 1, 1)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda cal: cal.add(_NAIVE, H), "start"),
        (lambda cal: cal.subtract(_NAIVE, H), "end"),
        (lambda cal: cal.between(_NAIVE, _AWARE), "start"),
        (lambda cal: cal.between(_AWARE, _NAIVE), "end"),
        (lambda cal: cal.is_open(_NAIVE), "t"),
        (lambda cal: cal.next_open(_NAIVE), "t"),
        (lambda cal: cal.next_close(_NAIVE), "t"),
        (lambda cal: list(cal.open_intervals(_NAIVE, _AWARE)), "start"),
        (lambda cal: list(cal.open_intervals(_AWARE, _NAIVE)), "end"),
    ],
)
def test_a_naive_datetime_is_refused_by_the_name_of_its_argument(
    call: Callable[[BusinessCalendar], object], name: str
) -> None:
    with pytest.raises(NaiveDatetimeError, match=f"^{name} is a naive datetime "):
        call(NINE_TO_FIVE)


def test_open_for_ever_is_said_in_the_calendars_zone() -> None:
    halves = BusinessCalendar("Europe/Madrid", "daily 00:00-12:00,12:00-24:00")
    with pytest.raises(
        CalendarNeverClosesError, match=r"open for ever after \d{4}-01-01 00:00:00\+01:00$"
    ):
        halves.next_close(utc(2025, 1, 1))


@pytest.mark.parametrize("method", ["add", "subtract"])
def test_a_negative_duration_is_refused_by_name(method: str) -> None:
    with pytest.raises(NegativeDurationError, match=r"^duration must not be negative, got "):
        getattr(NINE_TO_FIVE, method)(_AWARE, -H)


# -- found by mutation testing -----------------------------------------------------------------


def test_a_round_the_clock_calendar_closes_on_a_date_added_to_its_holidays_calendar() -> None:
    # Regression: a date added to a holidays calendar was not counted as a dated exception,
    # so two whole years open ahead of it read as "open for ever".
    company = holidays.HolidayBase()
    company[dt.date(2030, 1, 1)] = "Company closure"
    cal = BusinessCalendar("UTC", "daily 00:00-24:00", company)
    assert cal.next_close(utc(2025, 3, 1)) == utc(2030, 1, 1)
    assert cal.next_open(utc(2030, 1, 1, 12)) == utc(2030, 1, 2)
    with pytest.raises(CalendarNeverClosesError, match="stays open for ever after 2032-01-01"):
        cal.next_close(utc(2030, 1, 2))


def test_subtracting_back_to_the_first_opening_of_a_year_stops_there() -> None:
    # 1 January 2025 is a Wednesday: the latest start with 16 business hours before Thursday
    # 17:00 is Wednesday 09:00, not the close of 31 December (which has the same business time).
    assert NINE_TO_FIVE.subtract(utc(2025, 1, 2, 17), 16 * H) == utc(2025, 1, 1, 9)
    madrid = "Europe/Madrid"
    cal = BusinessCalendar(madrid, "mon-fri 09:00-17:00")
    assert cal.subtract(pendulum.datetime(2025, 1, 1, 17, tz=madrid), 8 * H) == (
        pendulum.datetime(2025, 1, 1, 9, tz=madrid)
    )


def test_subtracting_past_the_first_covered_year_says_so() -> None:
    with pytest.raises(
        InstantOutOfRangeError,
        match=r"^cannot subtract business time on BusinessCalendar\('UTC', 'mon-fri "
        r"09:00-17:00'\): the answer lies outside the years 2 to 9998 that calendars cover$",
    ):
        BusinessCalendar("UTC", "mon-fri 09:00-17:00").subtract(utc(2, 1, 20), 200 * H)


def test_different_calendars_hash_apart() -> None:
    # Equal calendars hash equal (above); a value type whose hashes never differ would make
    # every set or dict of calendars a linear search.
    calendars = [
        NINE_TO_FIVE,
        BusinessCalendar("UTC", "mon-fri 08:00-16:00"),
        BusinessCalendar("Europe/Madrid", "mon-fri 09:00-17:00"),
        BusinessCalendar("UTC", "mon-fri 09:00-17:00", [dt.date(2025, 1, 1)]),
    ]
    assert len({hash(cal) for cal in calendars}) == len(calendars)


@pytest.mark.parametrize(
    "options",
    [
        {"observed": False},
        {"subdiv": "CA"},
        {"categories": (holidays.PUBLIC, holidays.UNOFFICIAL)},
    ],
)
def test_a_holidays_calendar_is_equal_whether_or_not_its_years_were_expanded_first(
    options: dict[str, object],
) -> None:
    ny = "America/New_York"
    expanded = BusinessCalendar(ny, "mon-fri 09:00-17:00", holidays.US(years=2024, **options))
    lazy = BusinessCalendar(ny, "mon-fri 09:00-17:00", holidays.US(**options))
    assert expanded == lazy
    assert hash(expanded) == hash(lazy)
    assert expanded != BusinessCalendar(ny, "mon-fri 09:00-17:00", holidays.US(years=2024))
    year = (pendulum.datetime(2024, 1, 1, tz=ny), pendulum.datetime(2025, 1, 1, tz=ny))
    assert expanded.between(*year) == lazy.between(*year)


def test_a_calendar_on_a_sum_of_holidays_calendars_is_hashable() -> None:
    # Regression: the key held the sum's list of countries, so hashing raised TypeError.
    summed = BusinessCalendar("UTC", "mon-fri 09:00-17:00", holidays.US() + holidays.CA())
    assert hash(summed) == hash(summed)
    assert len({summed, summed}) == 1


def test_a_fresh_calendars_first_question_may_be_the_epoch() -> None:
    # 1970-01-01 00:00 UTC is instant 0: no lookup state of a fresh calendar may claim it.
    epoch = utc(1970, 1, 1)  # a Thursday
    assert BusinessCalendar("UTC", "mon-fri 09:00-17:00").add(epoch, H) == utc(1970, 1, 1, 10)
    assert BusinessCalendar("UTC", "mon-fri 09:00-17:00").between(epoch, utc(1970, 1, 2)) == 8 * H
    assert BusinessCalendar("UTC", "daily 00:00-01:00").is_open(epoch)


def test_shifts_given_to_the_minute_keep_their_order_and_lengths() -> None:
    cal = BusinessCalendar("UTC", "mon 09:00-09:30,10:00-11:30,11:45-12:00")
    monday = utc(2025, 3, 3)
    assert cal.between(monday, monday + 24 * H) == dt.timedelta(hours=2, minutes=15)
    assert cal.next_open(utc(2025, 3, 3, 9, 30)) == utc(2025, 3, 3, 10)


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        # A shift that ends at its own start time lasts a whole day, so it reaches the next.
        ("mon 10:00-10:00; tue 09:00-17:00", "the mon interval 10:00-10:00 runs into the tue"),
        ({0: ["09:00-09:00", "10:00-11:00"]}, "intervals 09:00-09:00 and 10:00-11:00 overlap"),
        ([((_T(9), _T(17)),)] * 5 + [(), ()], "hours must be a string such as"),
    ],
)
def test_hours_that_cannot_be_a_week_are_refused(hours: object, message: str) -> None:
    with pytest.raises(InvalidScheduleError, match=message):
        BusinessCalendar("UTC", hours)  # type: ignore[arg-type]


def test_a_shift_wholly_inside_the_spring_forward_gap_opens_nowhere_that_night() -> None:
    # 02:00-03:00 does not exist in Berlin on 30 March 2025: both ends are the same instant.
    berlin = "Europe/Berlin"
    cal = BusinessCalendar(berlin, "daily 02:00-03:00")
    night = pendulum.datetime(2025, 3, 30, tz=berlin)
    assert cal.between(night, night.add(days=1)) == dt.timedelta(0)
    assert cal.next_open(night) == pendulum.datetime(2025, 3, 31, 2, tz=berlin)
    assert list(cal.open_intervals(night, night.add(days=1))) == []


@pytest.mark.parametrize(
    ("hours", "business", "close"),
    [
        # New Year's Day opens 09:00-17:00 inside and after the special night: one period.
        ("daily 09:00-17:00", 21 * H, utc(2025, 1, 1, 17)),
        # Its 08:00-09:00 lies wholly inside the night and its 12:00-17:00 after it.
        ("daily 08:00-09:00,12:00-17:00", 19 * H, utc(2025, 1, 1, 10)),
    ],
)
def test_a_special_night_into_the_new_year_is_counted_once(
    hours: str, business: dt.timedelta, close: dt.datetime
) -> None:
    cal = BusinessCalendar("UTC", hours, special_days={dt.date(2024, 12, 31): "20:00-10:00"})
    eve = utc(2024, 12, 31)
    assert cal.between(eve, eve + 48 * H) == business
    assert sum((c - o for o, c in cal.open_intervals(eve, eve + 48 * H)), dt.timedelta(0)) == (
        business
    )
    assert cal.next_close(utc(2024, 12, 31, 21)) == close
    assert cal.add(eve, 14 * H) == utc(2025, 1, 1, 10)


@pytest.mark.parametrize("year", [1971, 1975, 2025])
def test_the_first_instant_of_a_year_belongs_to_that_year(year: int) -> None:
    # (The first guess of an instant's year, from the mean year, is one year low for
    # 1 January 1971 and 1975.)
    assert BusinessCalendar("UTC", "daily 00:00-02:00").is_open(utc(year, 1, 1))
    cal = BusinessCalendar("UTC", "daily 00:00-02:00")
    assert cal.between(utc(year, 1, 1), utc(year, 1, 1, 0, 30)) == dt.timedelta(minutes=30)


def test_lookups_that_cross_new_year_after_one_in_the_old_year() -> None:
    cal = BusinessCalendar("UTC", "daily 00:00-02:00")
    assert cal.is_open(utc(2024, 12, 31, 1))
    assert cal.is_open(utc(2025, 1, 1))
    assert cal.is_open(utc(2025, 1, 1, 1))
    assert NINE_TO_FIVE.between(utc(2025, 1, 1, 10), utc(2025, 1, 1, 12)) == 2 * H  # a Wednesday
    # Eight hours a night; a year later from a night shift that began on New Year's Eve.
    night = BusinessCalendar("UTC", "daily 22:00-06:00")
    assert night.between(utc(2024, 1, 1, 2), utc(2025, 1, 1, 2)) == 366 * 8 * H
    fresh = BusinessCalendar("UTC", "daily 22:00-06:00")
    assert fresh.between(utc(2025, 1, 1, 23), utc(2024, 1, 1, 2)) == -(366 * 8 + 4 + 1) * H


def test_subtracting_on_a_calendar_open_on_special_days_only() -> None:
    cal = BusinessCalendar(
        "UTC",
        {},
        special_days={dt.date(2025, 6, 2): "09:00-10:00", dt.date(2027, 1, 4): "09:00-10:00"},
    )
    assert cal.subtract(utc(2027, 1, 4, 10), 2 * H) == utc(2025, 6, 2, 9)
    assert cal.between(utc(2025, 1, 1), utc(2028, 1, 1)) == 2 * H
    with pytest.raises(CalendarNeverOpenError, match="subtract business time"):
        cal.subtract(utc(2027, 1, 4, 10), 3 * H)


def test_holidays_that_are_not_a_collection_are_refused() -> None:
    with pytest.raises(
        InvalidHolidayError,
        match=r"^holidays must be dates or a calendar from the holidays package, e\.g\. "
        r"holidays\.country_holidays\('US'\); got 5$",
    ):
        BusinessCalendar("UTC", "mon-fri 09:00-17:00", 5)  # type: ignore[arg-type]


@settings(costly())
@given(business_calendars(), aware_datetimes(), st.lists(durations()))
def test_adding_many_durations_to_one_start_adds_each(
    cal: BusinessCalendar, a: dt.datetime, spans: list[dt.timedelta]
) -> None:
    # The SLA clocks ask for a due time, a breach and warnings from one start at once.
    start = to_micros(a)
    values = [s // dt.timedelta(microseconds=1) for s in [dt.timedelta(0), *spans]]
    for calendar in (cal, BusinessCalendar.always_open(cal.timezone)):
        assert calendar._add_many_micros(start, values) == [
            calendar.add_micros(start, v) for v in values
        ]
    assert cal._add_many_micros(start, []) == []


def test_additions_that_end_exactly_at_the_last_close_of_a_year_stay_there() -> None:
    # The night shift of New Year's Eve closes at 06:00 on 1 January.
    night = BusinessCalendar("UTC", "daily 22:00-06:00")
    assert night.add(utc(2025, 1, 1, 2), 4 * H) == utc(2025, 1, 1, 6)
    # Tuesday 31 December 2024, then the 261 weekdays of 2025 (it starts on a Wednesday).
    assert NINE_TO_FIVE.add(utc(2024, 12, 31, 9), (8 + 261 * 8) * H) == utc(2025, 12, 31, 17)
    with pytest.raises(
        InstantOutOfRangeError,
        match=r"^cannot add business time on BusinessCalendar\('UTC', 'mon-fri 09:00-17:00'\): "
        r"the answer lies outside the years 2 to 9998 that calendars cover$",
    ):
        BusinessCalendar("UTC", "mon-fri 09:00-17:00").add(utc(9998, 12, 20), 200 * H)


def test_open_periods_from_a_closing_instant_start_at_the_next_opening() -> None:
    # Friday 17:00 closes the week: the range holds Monday's first hour and nothing else.
    assert list(NINE_TO_FIVE.open_intervals(utc(2024, 7, 5, 17), utc(2024, 7, 8, 10))) == [
        (utc(2024, 7, 8, 9), utc(2024, 7, 8, 10))
    ]


def test_adding_in_a_year_after_one_with_little_business_time() -> None:
    # One hour in 2025, two days in 2026.
    cal = BusinessCalendar(
        "UTC",
        {},
        special_days={
            dt.date(2025, 6, 2): "09:00-10:00",
            dt.date(2026, 3, 2): "09:00-17:00",
            dt.date(2026, 3, 3): "09:00-17:00",
        },
    )
    assert cal.add(utc(2026, 1, 1), 2 * H) == utc(2026, 3, 2, 11)
    assert cal.add(utc(2025, 12, 31, 12), 9 * H) == utc(2026, 3, 3, 10)


def test_open_periods_joined_across_new_year_are_followed_by_the_next_ones() -> None:
    # 18:00-24:00 on New Year's Eve and 00:00-06:00 on New Year's Day are one period.
    cal = BusinessCalendar("UTC", "daily 00:00-06:00,18:00-24:00")
    assert list(cal.open_intervals(utc(2023, 12, 31, 12), utc(2024, 1, 2, 12))) == [
        (utc(2023, 12, 31, 18), utc(2024, 1, 1, 6)),
        (utc(2024, 1, 1, 18), utc(2024, 1, 2, 6)),
    ]


def test_a_closed_new_years_eve_leaves_new_years_day_whole() -> None:
    # New Year's Eve is a holiday held by a holidays calendar, so its night shift does not
    # run into New Year's Day's special 00:00-08:00: 6 h (from the 30th's night) + 8 h.
    company = holidays.HolidayBase()
    company[dt.date(2024, 12, 31)] = "Closure"
    cal = BusinessCalendar(
        "UTC", "daily 22:00-06:00", company, special_days={dt.date(2025, 1, 1): "00:00-08:00"}
    )
    assert cal.between(utc(2024, 12, 31), utc(2025, 1, 2)) == 14 * H
    # Before 1970 too: 31 December 1966 is a Saturday, 2 January 1967 a Monday.
    assert NINE_TO_FIVE.between(utc(1967, 1, 2), utc(1967, 1, 3)) == 8 * H
