"""Calendar answers on the instants where mistakes hide: openings, closings, DST gaps and folds.

The strategies come from :mod:`servicekit.testing` (boundary-biased), and every answer is
compared with a definition, not with another run of the same code.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from _depth import costly
from hypothesis import given, settings
from hypothesis import strategies as st

from servicekit import BusinessCalendar
from servicekit.testing import (
    boundary_durations,
    boundary_instants,
    business_calendars,
    dst_edge_datetimes,
)

US = dt.timedelta(microseconds=1)


@st.composite
def calendar_and_instant(draw: st.DrawFn) -> tuple[BusinessCalendar, pendulum.DateTime]:
    cal = draw(business_calendars())
    return cal, draw(boundary_instants(cal))


@settings(costly())
@given(calendar_and_instant(), st.data())
def test_subtract_is_the_latest_start_on_boundaries(
    case: tuple[BusinessCalendar, pendulum.DateTime], data: st.DataObject
) -> None:
    """``subtract(Mon 17:00, 8h)`` is Mon 09:00, not Fri 17:00 (both give 8 h of business)."""
    cal, end = case
    duration = data.draw(boundary_durations(cal, end.subtract(days=21)))
    start = cal.subtract(end, duration)
    assert cal.between(start, end) == duration
    if duration:
        assert cal.between(start + US, end) < duration


@settings(costly())
@given(calendar_and_instant(), st.data())
def test_add_is_the_earliest_end_on_boundaries(
    case: tuple[BusinessCalendar, pendulum.DateTime], data: st.DataObject
) -> None:
    cal, start = case
    duration = data.draw(boundary_durations(cal, start))
    end = cal.add(start, duration)
    assert cal.between(start, end) == duration
    if duration:
        assert cal.between(start, end - US) < duration


@given(calendar_and_instant())
def test_open_means_inside_an_open_period(case: tuple[BusinessCalendar, pendulum.DateTime]) -> None:
    cal, t = case
    periods = list(cal.open_intervals(t.subtract(days=3), t.add(days=3)))
    inside = any(o <= t < c for o, c in periods)
    assert cal.is_open(t) == inside
    nxt = cal.next_open(t)
    assert cal.is_open(nxt)
    assert nxt == t or not any(o <= t < c for o, c in periods)


@given(st.sampled_from(["UTC", "Europe/Berlin", "America/New_York"]), st.data())
def test_a_round_the_clock_calendar_is_closed_on_a_closed_special_day(
    zone: str, data: st.DataObject
) -> None:
    day = data.draw(st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31)))
    cal = BusinessCalendar(zone, dict.fromkeys(range(7), "00:00-24:00"), special_days={day: ()})
    local = data.draw(st.times()).replace(microsecond=0)
    t = pendulum.instance(dt.datetime.combine(day, local), tz=zone)
    if t.date() == day:  # a time in a DST gap moves to the next hour, still that day
        assert not cal.is_open(t)


@given(st.sampled_from(["Europe/Berlin", "America/New_York", "Australia/Lord_Howe"]), st.data())
def test_between_across_dst_edges_counts_real_time_on_a_24x7_calendar(
    zone: str, data: st.DataObject
) -> None:
    cal = BusinessCalendar.always_open(zone)
    a = data.draw(dst_edge_datetimes(zones=[zone]))
    b = data.draw(dst_edge_datetimes(zones=[zone]))
    real = b.astimezone(dt.UTC) - a.astimezone(dt.UTC)
    assert cal.between(a, b) == real


@given(st.data())
def test_night_shift_through_a_dst_change_holds_its_real_length(data: st.DataObject) -> None:
    """01:00-05:00 on a DST night holds 3 h (spring) or 5 h (autumn) of business time."""
    edge = data.draw(dst_edge_datetimes(zones=["Europe/Berlin"], years=[2025]))
    day = edge.date() - dt.timedelta(days=0 if edge.hour >= 1 else 1)
    cal = BusinessCalendar("Europe/Berlin", dict.fromkeys(range(7), "01:00-05:00"))
    opening = pendulum.datetime(day.year, day.month, day.day, 1, tz="Europe/Berlin")
    closing = pendulum.datetime(day.year, day.month, day.day, 5, tz="Europe/Berlin")
    assert cal.between(opening, closing) == closing - opening
