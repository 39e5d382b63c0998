"""Durations and shares as people write them in protocol files: ``"4h"``, ``"30min"``,
``"3 business days"``, ``"75%"``.

A *business day* is a whole open day of the calendar the duration is counted
in: on a calendar whose open days all last eight hours, ``"3 business days"``
is 24 business hours, so from Tuesday 15:00 on a Monday-to-Friday 09:00-17:00
calendar it falls due on Friday 15:00, skipping holidays on the way. A
calendar whose open days differ in length has no single business day, and the
duration is refused with that reason.
"""

from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal, InvalidOperation
from typing import Final

import attrs

from servicekit._calendars import BusinessCalendar
from servicekit._time import MICROS_PER_SECOND

__all__ = [
    "BusinessDays",
    "UnitError",
    "business_day",
    "format_duration",
    "format_share",
    "parse_duration",
    "parse_share",
    "resolve_duration",
]

_UNITS: Final = {
    "w": 7 * 86_400 * MICROS_PER_SECOND,
    "d": 86_400 * MICROS_PER_SECOND,
    "h": 3_600 * MICROS_PER_SECOND,
    "min": 60 * MICROS_PER_SECOND,
    "s": MICROS_PER_SECOND,
    "ms": 1_000,
    "us": 1,
}
_ALIASES: Final = {
    "week": "w",
    "weeks": "w",
    "day": "d",
    "days": "d",
    "hour": "h",
    "hours": "h",
    "hr": "h",
    "hrs": "h",
    "minute": "min",
    "minutes": "min",
    "mins": "min",
    "m": "min",
    "second": "s",
    "seconds": "s",
    "sec": "s",
    "secs": "s",
}
_PART: Final = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*")
_BUSINESS: Final = re.compile(r"^\s*(\d+(?:\.\d+)?)\s+business\s+days?\s*$")
_SHARE: Final = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")

#: What a duration in a file looks like, for messages and the JSON Schema.
DURATION_EXAMPLES: Final = "'4h', '30min', '1h 30min', '7d' or '3 business days'"
DURATION_PATTERN: Final = (
    r"^\s*(\d+(\.\d+)?\s+business\s+days?"
    r"|(\d+(\.\d+)?\s*(w|weeks?|d|days?|h|hours?|hrs?|min|minutes?|mins|m|s|seconds?|secs?"
    r"|ms|us)\s*)+)\s*$"
)
SHARE_PATTERN: Final = r"^\s*\d+(\.\d+)?\s*%\s*$"


class UnitError(ValueError):
    """A duration or share could not be read; the message says what was expected."""


@attrs.frozen
class BusinessDays:
    """``n`` whole open days of the calendar the duration is counted in."""

    days: Decimal


def _micros(number: str, unit_micros: int, text: str) -> int:
    try:
        value = Decimal(number) * unit_micros
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only numbers
        raise UnitError(f"{text!r} is not a duration") from exc
    if value != value.to_integral_value():
        raise UnitError(f"a duration in whole microseconds (not {text!r})")
    return int(value)


def parse_duration(text: object) -> _dt.timedelta | BusinessDays:
    """Read ``"4h"``, ``"30min"``, ``"1h 30min"``, ``"7d"`` or ``"3 business days"``.

    >>> parse_duration("1h 30min")
    datetime.timedelta(seconds=5400)

    Raises:
        UnitError: the text is not a duration (negative durations are refused).
    """
    if not isinstance(text, str):
        raise UnitError(f"a duration such as {DURATION_EXAMPLES}")
    lowered = text.strip().lower()
    if lowered.startswith("-"):
        raise UnitError(f"a duration of 0 or more (not negative), such as {DURATION_EXAMPLES}")
    business = _BUSINESS.match(lowered)
    if business:
        days = Decimal(business.group(1))
        if days <= 0:
            raise UnitError("a positive number of business days, such as '3 business days'")
        return BusinessDays(days)
    total = 0
    position = 0
    for match in _PART.finditer(lowered):
        if match.start() != position:
            break
        unit = _ALIASES.get(match.group(2), match.group(2))
        if unit not in _UNITS:
            raise UnitError(
                f"a duration in w, d, h, min, s, ms or us (not {match.group(2)!r}), such as "
                f"{DURATION_EXAMPLES}"
            )
        total += _micros(match.group(1), _UNITS[unit], text)
        position = match.end()
    if position == 0 or position != len(lowered):
        raise UnitError(f"a duration such as {DURATION_EXAMPLES}")
    return _dt.timedelta(microseconds=total)


def format_duration(value: _dt.timedelta) -> str:
    """The shortest exact text for ``value``: ``"4h"``, ``"90min"``, ``"7d"``, ``"1500ms"``.

    Days are used from two days up, so a day's target reads ``"24h"``.

    >>> format_duration(_dt.timedelta(hours=24))
    '24h'
    """
    micros = (value.days * 86_400 + value.seconds) * MICROS_PER_SECOND + value.microseconds
    if micros == 0:
        return "0s"
    for unit in ("d", "h", "min", "s", "ms", "us"):
        size = _UNITS[unit]
        if micros % size == 0 and (unit != "d" or micros >= 2 * size):
            return f"{micros // size}{unit}"
    raise AssertionError("unreachable: us divides everything")  # pragma: no cover


def parse_share(text: object) -> float:
    """Read ``"75%"`` as 0.75.

    Raises:
        UnitError: the text is not a percentage.
    """
    if isinstance(text, str):
        match = _SHARE.match(text)
        if match:
            return float(Decimal(match.group(1)) / 100)
    raise UnitError("a percentage such as '75%'")


def format_share(value: float) -> str:
    """``0.75`` as ``"75%"`` (exactly: reading it back gives the same float)."""
    text = f"{Decimal(repr(value)) * 100:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def business_day(calendar: BusinessCalendar) -> _dt.timedelta:
    """The length of one open day of ``calendar``.

    Raises:
        UnitError: the calendar never opens, or its open days differ in length.
    """
    lengths = set()
    for shifts in calendar.hours:
        total = 0
        for start, end in shifts:
            a = start.hour * 3600 + start.minute * 60 + start.second
            b = end.hour * 3600 + end.minute * 60 + end.second
            total += b - a if b > a else b - a + 86_400
        if total:
            lengths.add(total)
    if not lengths:
        raise UnitError("the calendar has no opening hours, so it has no business day")
    if len(lengths) > 1:
        listed = ", ".join(format_duration(_dt.timedelta(seconds=m)) for m in sorted(lengths))
        raise UnitError(
            f"the calendar's open days last {listed}, so a business day has no single length; "
            "give the duration in hours instead"
        )
    return _dt.timedelta(seconds=lengths.pop())


def resolve_duration(
    value: _dt.timedelta | BusinessDays, calendar: BusinessCalendar | None
) -> _dt.timedelta:
    """A plain duration for ``value``, counting business days on ``calendar``.

    Raises:
        UnitError: business days without a calendar, or on one with no single day length.
    """
    if isinstance(value, _dt.timedelta):
        return value
    if calendar is None:
        raise UnitError(
            "business days count on a calendar: name one with `calendar = ...`, or give the "
            "duration in hours"
        )
    day = business_day(calendar)
    micros = Decimal((day.days * 86_400 + day.seconds) * MICROS_PER_SECOND) * value.days
    if micros != micros.to_integral_value():
        raise UnitError(f"{value.days} business days is not a whole number of microseconds")
    return _dt.timedelta(microseconds=int(micros))
