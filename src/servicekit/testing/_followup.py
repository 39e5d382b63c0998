"""Strategies for follow-up schedules: cadences, contact windows and whole schedules."""

from __future__ import annotations

import datetime as _dt

from hypothesis import strategies as st

from servicekit.followup import (
    Backoff,
    Cadence,
    ContactWindow,
    Daily,
    FixedOffsets,
    FollowUpSchedule,
    Interval,
    QuietAction,
)

__all__ = ["cadences", "contact_windows", "follow_up_schedules"]

_MINUTE = _dt.timedelta(minutes=1)


def _positive_steps(max_hours: int) -> st.SearchStrategy[_dt.timedelta]:
    # whole minutes: what people write in a cadence, and exact in every clock
    return st.integers(1, max_hours * 60).map(lambda m: m * _MINUTE)


@st.composite
def _fixed_offsets(draw: st.DrawFn) -> FixedOffsets:
    minutes = draw(st.lists(st.integers(1, 10 * 24 * 60), min_size=1, max_size=4, unique=True))
    return FixedOffsets([m * _MINUTE for m in sorted(minutes)])


@st.composite
def _backoffs(draw: st.DrawFn) -> Backoff:
    first = draw(_positive_steps(24))
    factor = draw(st.sampled_from([1.0, 1.5, 2.0, 3.0]))
    cap = draw(st.none() | st.integers(1, 10).map(lambda k: first * k))
    return Backoff(first, factor, cap)


def cadences(*, daily: bool = True) -> st.SearchStrategy[Cadence]:
    """Valid cadences of every kind: fixed offsets, intervals, back-offs and (if ``daily``)
    daily wall-clock times, including ones that fall in DST gaps (02:30)."""
    kinds: list[st.SearchStrategy[Cadence]] = [
        _fixed_offsets(),
        st.integers(10, 48 * 60).map(lambda m: Interval(m * _MINUTE)),
        _backoffs(),
    ]
    if daily:
        times = st.sampled_from([_dt.time(2, 30), _dt.time(9), _dt.time(12, 15), _dt.time(20)])
        kinds.append(times.map(Daily))
    return st.one_of(kinds)


@st.composite
def contact_windows(draw: st.DrawFn) -> ContactWindow:
    """Valid contact windows (start before end on the same day, at least one weekday)."""
    start = draw(st.integers(0, 22 * 60))
    end = draw(st.integers(start + 1, 24 * 60 - 1))
    weekdays = draw(st.frozensets(st.integers(0, 6), min_size=1))
    return ContactWindow(_dt.time(start // 60, start % 60), _dt.time(end // 60, end % 60), weekdays)


def follow_up_schedules(
    *, windows: st.SearchStrategy[ContactWindow | None] | None = None
) -> st.SearchStrategy[FollowUpSchedule]:
    """Valid follow-up schedules counted in elapsed time, with any cadence, quiet action,
    channel sequence, minimum gap and attempt limit.

    Args:
        windows: the contact windows to draw; by default the 08:00-21:00 default window or none.
    """
    return st.builds(
        FollowUpSchedule,
        name=st.sampled_from(["prop", "keep-in-loop"]),
        cadence=cadences(),
        contact_window=windows if windows is not None else st.sampled_from([ContactWindow(), None]),
        quiet_action=st.sampled_from(list(QuietAction)),
        max_attempts=st.sampled_from([None, 1, 4]),
        channels=st.sampled_from([("email",), ("email", "sms", "call")]),
        min_gap_after_update=st.sampled_from([_dt.timedelta(0), _dt.timedelta(hours=2)]),
    )
