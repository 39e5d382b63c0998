"""Cadences (when the customer hears from us) and contact windows (when they may be reached)."""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterable, Iterator
from typing import Final, TypeAlias

import attrs

from servicekit._convert import wall_time
from servicekit._time import duration_micros, get_timezone, to_micros
from servicekit.errors import InvalidFollowUpError

__all__ = ["Backoff", "Cadence", "ContactWindow", "Daily", "FixedOffsets", "Interval"]


def _positive_micros(value: _dt.timedelta, name: str) -> int:
    micros = duration_micros(value, name=name, allow_negative=True)
    if micros <= 0:
        raise InvalidFollowUpError(
            f"{name} must be positive, got {value!r}: a follow-up cannot come before its "
            "anchor, and negative or zero offsets are refused"
        )
    return micros


#: The shortest step a repeating cadence may take: a customer is not contacted more than once
#: a minute, and a shorter step would list attempts without bound.
MIN_STEP: Final = _dt.timedelta(minutes=1)


def _check_step(value: _dt.timedelta, name: str) -> None:
    if _positive_micros(value, name) < duration_micros(MIN_STEP):
        raise InvalidFollowUpError(
            f"{name} must be at least {MIN_STEP} (servicekit's shortest repeating step), "
            f"got {value!r}"
        )


def _check_wall_time(_: object, attribute: attrs.Attribute[_dt.time], value: _dt.time) -> None:
    wall_time(value, name=attribute.name, error=InvalidFollowUpError)


def _offsets(value: Iterable[_dt.timedelta]) -> tuple[_dt.timedelta, ...]:
    offsets = tuple(value)
    if not offsets:
        raise InvalidFollowUpError("a cadence needs at least one offset, e.g. (24h, 72h)")
    micros = [_positive_micros(o, "offset") for o in offsets]
    if micros != sorted(set(micros)):
        raise InvalidFollowUpError(f"offsets must increase strictly, got {offsets}")
    return offsets


@attrs.frozen
class FixedOffsets:
    """Attempts at fixed offsets from the anchor, e.g. 24 and 72 hours (the "bump, bump")."""

    offsets: tuple[_dt.timedelta, ...] = attrs.field(converter=_offsets)

    def offsets_micros(self) -> Iterator[int]:
        """Offsets from the anchor in microseconds, in order (finite)."""
        for offset in self.offsets:
            yield duration_micros(offset)


@attrs.frozen
class Interval:
    """An attempt every ``every`` after the anchor (e.g. every 2 hours for P1), for ever."""

    every: _dt.timedelta

    def __attrs_post_init__(self) -> None:
        _check_step(self.every, "every")

    def offsets_micros(self) -> Iterator[int]:
        """Offsets from the anchor in microseconds (endless)."""
        step = duration_micros(self.every)
        k = 1
        while True:
            yield k * step
            k += 1


@attrs.frozen
class Backoff:
    """Geometric back-off with a cap and no jitter: ``first``, then x ``factor`` each time."""

    first: _dt.timedelta
    factor: float = 2.0
    cap: _dt.timedelta | None = None

    def __attrs_post_init__(self) -> None:
        _check_step(self.first, "first")
        if not math.isfinite(self.factor) or self.factor < 1:
            raise InvalidFollowUpError(f"factor must be at least 1, got {self.factor!r}")
        if self.cap is not None and _positive_micros(self.cap, "cap") < duration_micros(self.first):
            raise InvalidFollowUpError("cap must not be shorter than first")

    def offsets_micros(self) -> Iterator[int]:
        """Offsets from the anchor in microseconds (endless)."""
        delay = float(duration_micros(self.first))
        cap = None if self.cap is None else duration_micros(self.cap)
        total = 0
        while True:
            step = round(delay) if cap is None else min(round(delay), cap)
            total += step
            yield total
            # Capped, the delay stops growing (else the float overflows after ~1,000 attempts);
            # uncapped, it passes every representable instant long before it overflows.
            delay = delay * self.factor if cap is None else min(delay * self.factor, cap)
            if delay == math.inf:
                return


@attrs.frozen
class Daily:
    """One attempt a day at a wall-clock time in the customer's zone (e.g. 10:00).

    A time that does not exist that day (a spring-forward gap) moves forward by
    the gap, so a daily 02:30 in Europe/Berlin happens at 03:30 on 2025-03-30.
    Exported to iCalendar as an RRULE.
    """

    at: _dt.time = attrs.field(validator=_check_wall_time)

    def instants(self, after_us: int, zone: str) -> Iterator[int]:
        """The instants strictly after ``after_us``, in microseconds (endless)."""
        tz = get_timezone(zone)
        day = _dt.datetime.fromtimestamp(after_us // 1_000_000, tz).date()
        while True:
            at = to_micros(_dt.datetime.combine(day, self.at, tzinfo=tz))
            if at > after_us:
                yield at
            day += _dt.timedelta(days=1)


Cadence: TypeAlias = FixedOffsets | Interval | Backoff | Daily
"""What a schedule's cadence can be."""


_WINDOW_DAYS_MAX: Final = 8192


def _midnight(day: int, tz: _dt.tzinfo) -> int:
    return to_micros(_dt.datetime.combine(_dt.date.fromordinal(day), _dt.time(0), tzinfo=tz))


def _weekdays(value: Iterable[int]) -> frozenset[int]:
    return frozenset(value)


@attrs.frozen
class ContactWindow:
    """When a customer may be contacted, in their own time zone (default 08:00-21:00).

    Outside it are their quiet hours. Telephone rules in several countries
    forbid calls outside roughly these hours.

    Attributes:
        start: local time the window opens.
        end: local time it closes (after ``start``; the window does not cross midnight).
        weekdays: days it applies (0 = Monday); other days are quiet all day.
    """

    start: _dt.time = attrs.field(default=_dt.time(8), validator=_check_wall_time)
    end: _dt.time = attrs.field(default=_dt.time(21), validator=_check_wall_time)
    weekdays: frozenset[int] = attrs.field(default=frozenset(range(7)), converter=_weekdays)
    # (zone, local day) -> the window's (opening, closing) instants that day, or None when the
    # day is quiet: asked for every attempt of every ticket, the answer never changes.
    _days: dict[tuple[str, int], tuple[int, int] | None] = attrs.field(
        init=False, factory=dict, eq=False, repr=False, hash=False
    )

    def __attrs_post_init__(self) -> None:
        if self.end <= self.start:
            raise InvalidFollowUpError(
                f"contact window {self.start}-{self.end} must end after it starts (same day); "
                "quiet hours that cover the whole day would leave no time to reach anyone"
            )
        if not self.weekdays or not self.weekdays <= set(range(7)):
            raise InvalidFollowUpError(
                f"weekdays must be a non-empty set of 0 (Monday) to 6, got {sorted(self.weekdays)}"
            )

    def allowed_at(self, t_us: int, zone: str) -> int:
        """``t_us`` if it is inside the window, else the next instant the window opens."""
        tz = get_timezone(zone)
        local = _dt.datetime.fromtimestamp(t_us / 1_000_000, tz)
        day = local.toordinal()
        for _ in range(8):
            window = self._window_on(zone, day)
            if window is not None and t_us < window[1]:
                return max(t_us, window[0])
            day += 1
            t_us = max(t_us, _midnight(day, tz))
        raise AssertionError(
            "a window with a weekday always opens within a week"
        )  # pragma: no cover

    def _window_on(self, zone: str, day: int) -> tuple[int, int] | None:
        """The window's (opening, closing) instants on the local day ``day`` (an ordinal)
        in ``zone``, or ``None`` when the day is quiet."""
        days = self._days
        key = (zone, day)
        if key in days:
            return days[key]
        date = _dt.date.fromordinal(day)
        window = None
        if date.weekday() in self.weekdays:
            tz = get_timezone(zone)
            window = (
                to_micros(_dt.datetime.combine(date, self.start, tzinfo=tz)),
                to_micros(_dt.datetime.combine(date, self.end, tzinfo=tz)),
            )
        if len(days) >= _WINDOW_DAYS_MAX:
            days.clear()  # bounded: a long replay meets many days
        days[key] = window
        return window

    def is_open(self, t_us: int, zone: str) -> bool:
        """Whether ``t_us`` falls inside the window."""
        return self.allowed_at(t_us, zone) == t_us
