"""Strategies for business calendars, aware instants and durations."""

from __future__ import annotations

import datetime as _dt
import zoneinfo
from collections.abc import Sequence

import pendulum
from hypothesis import strategies as st

from servicekit._calendars import BusinessCalendar

__all__ = [
    "DST_ZONES",
    "aware_datetimes",
    "boundary_durations",
    "boundary_instants",
    "business_calendars",
    "dst_edge_datetimes",
    "durations",
]

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


def boundary_instants(
    calendar: BusinessCalendar,
    *,
    min_value: _dt.datetime = _START,
    max_value: _dt.datetime = _END,
) -> st.SearchStrategy[pendulum.DateTime]:
    """Instants biased to the edges of ``calendar``'s open periods.

    Most draws are an opening or a closing instant exactly, or one microsecond
    either side of it; the rest are anywhere. Off-by-one mistakes (an add that
    lands on Friday's closing instead of Monday's opening, a subtract that
    returns the previous closing) only show on these instants, which uniform
    draws almost never hit.
    """
    utc = pendulum.timezone("UTC")

    def edges(base: pendulum.DateTime) -> list[pendulum.DateTime]:
        found: list[pendulum.DateTime] = []
        for opening, closing in calendar.open_intervals(base, base.add(days=8)):
            found.extend((opening, closing))
        return found or [base]

    @st.composite
    def build(draw: st.DrawFn) -> pendulum.DateTime:
        base = pendulum.instance(draw(st.datetimes(min_value, max_value)), tz=utc)
        if draw(st.integers(0, 4)) == 0:
            return base.in_timezone(calendar.timezone)
        edge = draw(st.sampled_from(edges(base)))
        nudge = draw(st.sampled_from([0, 0, 0, -1, 1]))
        return edge.add(microseconds=nudge)

    return build()


def boundary_durations(
    calendar: BusinessCalendar, start: _dt.datetime
) -> st.SearchStrategy[_dt.timedelta]:
    """Business durations from ``start`` that end exactly on an opening or closing of
    ``calendar`` (or one microsecond short of or past it), within the next three weeks."""
    ends: list[_dt.timedelta] = []
    for opening, closing in calendar.open_intervals(start, start + _dt.timedelta(days=21)):
        ends.extend((calendar.between(start, opening), calendar.between(start, closing)))
    if not ends:
        return st.just(_dt.timedelta(0))
    micro = _dt.timedelta(microseconds=1)
    return st.builds(
        lambda d, nudge: max(d + nudge * micro, _dt.timedelta(0)),
        st.sampled_from(ends),
        st.sampled_from([0, 0, -1, 1]),
    )


def _transitions(zone: str, year: int) -> list[tuple[_dt.datetime, _dt.timedelta]]:
    """The UTC instants in ``year`` at which ``zone``'s offset changes, with the change."""
    tz = pendulum.timezone(zone)
    found = []
    t = _dt.datetime(year, 1, 1, tzinfo=_dt.UTC)
    end = _dt.datetime(year + 1, 1, 1, tzinfo=_dt.UTC)
    step = _dt.timedelta(hours=6)
    while t < end:
        before, after = t.astimezone(tz).utcoffset(), (t + step).astimezone(tz).utcoffset()
        if before != after and before is not None and after is not None:
            lo, hi = t, t + step
            while hi - lo > _dt.timedelta(minutes=1):
                mid = lo + (hi - lo) / 2
                if mid.astimezone(tz).utcoffset() == before:
                    lo = mid
                else:
                    hi = mid
            found.append((hi, after - before))
        t += step
    return found


def dst_edge_datetimes(
    zones: Sequence[str] = DST_ZONES, years: Sequence[int] = (2024, 2025, 2026)
) -> st.SearchStrategy[_dt.datetime]:
    """Local wall-clock datetimes in or at the edges of DST gaps and folds.

    A time inside a spring-forward gap does not exist; one inside a fall-back
    fold happens twice (``fold`` 0 and 1). Drawn as aware ``datetime`` values
    with a ``zoneinfo`` zone, so the code under test has to resolve them.
    """
    cases: list[tuple[str, _dt.datetime, _dt.timedelta]] = []
    for zone in zones:
        for year in years:
            cases.extend((zone, at, change) for at, change in _transitions(zone, year))
    if not cases:
        return st.nothing()

    @st.composite
    def build(draw: st.DrawFn) -> _dt.datetime:
        zone, at, change = draw(st.sampled_from(cases))
        tz = zoneinfo.ZoneInfo(zone)
        # The local wall time just before the change, then anywhere up to the change past it.
        local = (at - _dt.timedelta(microseconds=1)).astimezone(tz).replace(tzinfo=None)
        span = int(abs(change).total_seconds() * 1_000_000) + 2
        offset = draw(st.sampled_from([0, 1, span // 2, span - 1, span]) | st.integers(0, span))
        return (local + _dt.timedelta(microseconds=offset)).replace(
            tzinfo=tz, fold=draw(st.integers(0, 1))
        )

    return build()
