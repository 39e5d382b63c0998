"""Weekly opening hours: parsing, normalising and validating.

Opening hours are local wall-clock intervals. An interval whose end is at or
before its start runs past midnight and belongs to the day it starts, so
``22:00-06:00`` on Monday is Monday's night shift and ``00:00-00:00`` is a
whole day.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Final, TypeAlias

from servicekit.errors import InvalidScheduleError

__all__ = ["DAY_NAMES", "Shift", "WeeklyHours", "normalise_hours", "normalise_shifts"]

#: One opening interval of one day: local start and end wall-clock times.
Shift: TypeAlias = tuple[_dt.time, _dt.time]
#: Shifts for Monday (index 0) to Sunday (index 6).
WeeklyHours: TypeAlias = tuple[tuple[Shift, ...], ...]

DAY_NAMES: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_NAMES: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MINUTES_PER_DAY: Final = 24 * 60
# ASCII digits only: ``\d`` would read Arabic-Indic and other Unicode digits as a time.
_TIME = re.compile(r"^([0-9]{1,2}):([0-9]{2})$")


def _day_of(name: str) -> int | None:
    """The weekday of ``mon`` or ``monday`` (any case), else ``None`` (never a prefix guess)."""
    name = name.strip().lower()
    for names in (DAY_NAMES, _FULL_NAMES):
        if name in names:
            return names.index(name)
    return None


def _parse_time(text: str, *, where: str) -> tuple[_dt.time, bool]:
    """Parse ``HH:MM``; ``24:00`` is accepted as the end of the day (returned as midnight)."""
    m = _TIME.match(text.strip())
    if m is None:
        raise InvalidScheduleError(
            f"{where}: {text.strip()!r} is not a time; write hours as HH:MM, e.g. '09:00-17:30'"
        )
    hour, minute = int(m.group(1)), int(m.group(2))
    if (hour, minute) == (24, 0):
        return _dt.time(0, 0), True
    if hour > 23 or minute > 59:
        raise InvalidScheduleError(f"{where}: {text.strip()!r} is not a valid time of day")
    return _dt.time(hour, minute), False


def _parse_days(text: str, *, where: str) -> list[int]:
    days: list[int] = []
    for part in text.split(","):
        part = part.strip().lower()
        if part in ("daily", "everyday", "all"):
            days.extend(range(7))
            continue
        found = [_day_of(b) for b in part.split("-")]
        bounds = [b for b in found if b is not None]
        if len(found) > 2 or len(bounds) != len(found):
            raise InvalidScheduleError(
                f"{where}: {part!r} is not a day or day range; use mon, tue, wed, thu, fri, sat, "
                "sun (or the full names), a range such as 'mon-fri', or 'daily'"
            )
        first, last = bounds[0], bounds[-1]
        # A range may wrap past Sunday ("fri-mon").
        days.extend((first + i) % 7 for i in range((last - first) % 7 + 1))
    return days


def _parse_shift_text(text: str, *, where: str) -> Shift:
    pieces = text.split("-")
    if len(pieces) != 2:
        raise InvalidScheduleError(
            f"{where}: {text.strip()!r} is not an interval; write START-END, e.g. '09:00-13:00'"
        )
    start, start_is_24 = _parse_time(pieces[0], where=where)
    end, _ = _parse_time(pieces[1], where=where)
    if start_is_24:
        raise InvalidScheduleError(f"{where}: an interval cannot start at 24:00; use 00:00")
    return start, end


def parse_hours(text: str) -> dict[int, list[Shift]]:
    """Parse ``"mon-fri 09:00-13:00,14:00-18:00; sat 10:00-14:00"`` into weekday -> shifts."""
    result: dict[int, list[Shift]] = {}
    for clause in text.split(";"):
        clause = clause.strip()
        if not clause:
            continue
        where = f"in hours clause {clause!r}"
        day_part, _, time_part = clause.partition(" ")
        if not time_part.strip():
            raise InvalidScheduleError(
                f"{where}: expected DAYS followed by intervals, e.g. 'mon-fri 09:00-17:00'"
            )
        shifts = [
            _parse_shift_text(piece, where=where)
            for piece in time_part.replace(" ", "").split(",")
            if piece.strip().lower() != "closed"
        ]
        for day in _parse_days(day_part, where=where):
            if day in result:
                raise InvalidScheduleError(
                    f"{where}: {DAY_NAMES[day]} is given more than once; list all of its "
                    "intervals in one clause"
                )
            result[day] = list(shifts)
    return result


def _as_time(value: object, *, where: str) -> _dt.time:
    if isinstance(value, str):
        return _parse_time(value, where=where)[0]
    if isinstance(value, _dt.time) and not isinstance(value, _dt.datetime):
        if value.tzinfo is not None:
            raise InvalidScheduleError(
                f"{where}: {value!r} has a time zone; opening hours are wall-clock times in the "
                "calendar's time zone, so give a plain time"
            )
        return value
    raise InvalidScheduleError(f"{where}: expected a datetime.time or 'HH:MM', got {value!r}")


def _minutes(t: _dt.time) -> float:
    return t.hour * 60 + t.minute + t.second / 60 + t.microsecond / 60e6


def span_minutes(shift: Shift) -> tuple[float, float]:
    """Start and end of a shift in minutes after the start day's midnight (end > start)."""
    start, end = _minutes(shift[0]), _minutes(shift[1])
    return start, end if end > start else end + _MINUTES_PER_DAY


def _clock(t: _dt.time) -> str:
    return t.isoformat(timespec="minutes" if not (t.second or t.microsecond) else "auto")


def _describe(shift: Shift) -> str:
    return f"{_clock(shift[0])}-{_clock(shift[1])}"


def normalise_shifts(value: object, *, where: str) -> tuple[Shift, ...]:
    """Check one day's shifts and return them sorted; overlapping shifts are an error."""
    if isinstance(value, str):
        value = [_parse_shift_text(p, where=where) for p in value.split(",") if p.strip()]
    if not isinstance(value, Iterable):
        raise InvalidScheduleError(f"{where}: expected a sequence of (start, end), got {value!r}")
    shifts: list[Shift] = []
    for item in value:
        if isinstance(item, str):
            shifts.append(_parse_shift_text(item, where=where))
            continue
        if not isinstance(item, Sequence) or len(item) != 2:
            raise InvalidScheduleError(
                f"{where}: expected (start, end) pairs of times, got {item!r}"
            )
        shifts.append((_as_time(item[0], where=where), _as_time(item[1], where=where)))
    shifts.sort(key=span_minutes)
    for before, after in itertools.pairwise(shifts):
        if span_minutes(after)[0] < span_minutes(before)[1]:
            raise InvalidScheduleError(
                f"{where}: intervals {_describe(before)} and {_describe(after)} overlap; merge "
                "them into one interval or fix their bounds"
            )
    return tuple(shifts)


def _weekday_index(key: object) -> int:
    if isinstance(key, int) and not isinstance(key, bool) and 0 <= key <= 6:
        return key
    day = _day_of(key) if isinstance(key, str) else None
    if day is not None:
        return day
    raise InvalidScheduleError(
        f"unknown weekday {key!r}: use 0 (Monday) to 6 (Sunday) or a name such as 'mon' or 'monday'"
    )


def normalise_hours(value: object) -> WeeklyHours:
    """Accept a compact string or a mapping of weekday -> shifts; return seven sorted tuples."""
    if isinstance(value, tuple) and len(value) == 7 and all(isinstance(d, tuple) for d in value):
        mapping: Mapping[object, object] = dict(enumerate(value))
    elif isinstance(value, str):
        mapping = parse_hours(value)  # type: ignore[assignment]
    elif isinstance(value, Mapping):
        mapping = value
    else:
        raise InvalidScheduleError(
            "hours must be a string such as 'mon-fri 09:00-17:00' or a mapping of weekday to "
            f"(start, end) intervals, got {value!r}"
        )
    days: list[tuple[Shift, ...]] = [() for _ in range(7)]
    given: dict[int, object] = {}
    for key, shifts in mapping.items():
        index = _weekday_index(key)
        if index in given:
            raise InvalidScheduleError(
                f"hours for {DAY_NAMES[index]} are given twice (as {given[index]!r} and "
                f"{key!r}); give each weekday once"
            )
        given[index] = key
        days[index] = normalise_shifts(shifts, where=f"hours for {DAY_NAMES[index]}")
    # A night shift must end before the next day's first shift starts.
    for index, shifts in enumerate(days):
        following = days[(index + 1) % 7]
        if shifts and following:
            spill = span_minutes(shifts[-1])[1] - _MINUTES_PER_DAY
            if spill > span_minutes(following[0])[0]:
                raise InvalidScheduleError(
                    f"the {DAY_NAMES[index]} interval {_describe(shifts[-1])} runs into the "
                    f"{DAY_NAMES[(index + 1) % 7]} interval {_describe(following[0])}; end it "
                    "earlier or start the next one later"
                )
    return tuple(days)


def format_hours(hours: WeeklyHours) -> str:
    """The compact string for normalised hours (the inverse of :func:`parse_hours`)."""
    clauses = []
    index = 0
    while index < 7:
        last = index
        while last + 1 < 7 and hours[last + 1] == hours[index]:
            last += 1
        if hours[index]:
            days = DAY_NAMES[index] if last == index else f"{DAY_NAMES[index]}-{DAY_NAMES[last]}"
            clauses.append(f"{days} {','.join(_describe(s) for s in hours[index])}")
        index = last + 1
    return "; ".join(clauses)
