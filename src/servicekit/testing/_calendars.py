"""Strategies for business calendars, aware instants and durations."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence

import pendulum
from hypothesis import strategies as st

from servicekit._calendars import BusinessCalendar

__all__ = ["DST_ZONES", "aware_datetimes", "business_calendars", "durations"]

DST_ZONES: tuple[str, ...] = (
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "America/Sao_Paulo",
    "Asia/Kolkata",
)
"""Zones that exercise daylight saving time, including Lord Howe Island's 30-minute shift and
southern-hemisphere rules.
"""

_START = _dt.datetime(2023, 1, 1)
_END = _dt.datetime(2027, 12, 31)


@st.composite
def _day(draw: st.DrawFn) -> tuple[tuple[_dt.time, _dt.time], ...]:
    """Zero to three non-overlapping shifts; the last may run past midnight (until 06:00)."""
    cuts = sorted(draw(st.sets(st.integers(0, 47), min_size=0, max_size=6)))
    if len(cuts) % 2:
        cuts = cuts[:-1]
    shifts = [
        (_dt.time(a // 2, (a % 2) * 30), _dt.time(b // 2, (b % 2) * 30))
        for a, b in zip(cuts[::2], cuts[1::2], strict=True)
    ]
    if draw(st.booleans()) and (not shifts or shifts[-1][1] != _dt.time(0)):
        # Starting at 06:30 or later and ending by 06:00 makes it a night shift.
        start = draw(st.integers(max(cuts[-1] if cuts else 0, 13), 47))
        end = draw(st.integers(0, 12))  # 00:00 .. 06:00 the next morning
        shifts.append((_dt.time(start // 2, (start % 2) * 30), _dt.time(end // 2, (end % 2) * 30)))
    return tuple(shifts)


def _fix_spill(days: list[tuple[tuple[_dt.time, _dt.time], ...]]) -> dict[int, object]:
    """Drop a night shift that would run into the next day's first shift."""
    fixed = list(days)
    for i, shifts in enumerate(fixed):
        if not shifts:
            continue
        start, end = shifts[-1]
        following = fixed[(i + 1) % 7]
        if end <= start and following and end > following[0][0]:
            fixed[i] = shifts[:-1]
    return dict(enumerate(fixed))


def business_calendars(
    zones: Sequence[str] = DST_ZONES, *, allow_never_open: bool = False
) -> st.SearchStrategy[BusinessCalendar]:
    """Random calendars: several intervals a day, night shifts, holidays and special days.

    Args:
        zones: time zones to draw from (default: :data:`DST_ZONES`).
        allow_never_open: also draw calendars with no opening hours at all.
    """

    @st.composite
    def build(draw: st.DrawFn) -> BusinessCalendar:
        zone = draw(st.sampled_from(list(zones)))
        days = _fix_spill([draw(_day()) for _ in range(7)])
        if not allow_never_open and not any(days.values()):
            days[draw(st.integers(0, 6))] = ((_dt.time(9), _dt.time(17)),)
        dates = st.dates(_START.date(), _END.date())
        holidays = draw(st.lists(dates, max_size=6))
        special = draw(
            st.dictionaries(
                dates,
                st.sampled_from(
                    [(), ((_dt.time(10), _dt.time(14)),), ((_dt.time(0), _dt.time(0)),)]
                ),
                max_size=3,
            )
        )
        return BusinessCalendar(zone, days, holidays, special)

    return build()


def aware_datetimes(
    zones: Sequence[str] = DST_ZONES,
    *,
    min_value: _dt.datetime = _START,
    max_value: _dt.datetime = _END,
) -> st.SearchStrategy[pendulum.DateTime]:
    """Aware pendulum instants in the given zones, with microseconds."""

    def attach(local: _dt.datetime, zone: str) -> pendulum.DateTime:
        return pendulum.instance(local.replace(tzinfo=_dt.UTC)).in_timezone(zone)

    return st.builds(attach, st.datetimes(min_value, max_value), st.sampled_from(list(zones)))


def durations(
    max_value: _dt.timedelta = _dt.timedelta(days=60),
) -> st.SearchStrategy[_dt.timedelta]:
    """Non-negative durations up to ``max_value``, with microseconds."""
    return st.timedeltas(_dt.timedelta(0), max_value)
