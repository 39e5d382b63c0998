"""Aware instants, time zones and durations at servicekit's boundary.

Internally servicekit counts time in integer microseconds since the Unix
epoch: integer arithmetic is exact (microseconds are kept) and much faster
than datetime arithmetic. These helpers convert at the boundary and raise
the specific :mod:`servicekit.errors` exceptions for bad input.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import functools
import re
import zoneinfo
from typing import Any, Final

import pendulum
from pendulum.tz.timezone import Timezone

from servicekit.errors import (
    InstantFormatError,
    InstantOutOfRangeError,
    InstantTypeError,
    InvalidDurationError,
    NaiveDatetimeError,
    NegativeDurationError,
    UnknownTimezoneError,
)

__all__ = [
    "MICROS_PER_HOUR",
    "MICROS_PER_SECOND",
    "as_instant",
    "duration_from_micros",
    "duration_micros",
    "format_instant",
    "from_micros",
    "get_timezone",
    "instant_micros",
    "parse_instant",
    "repeated_duration",
    "to_micros",
]

MICROS_PER_SECOND: Final = 1_000_000
MICROS_PER_MINUTE: Final = 60 * MICROS_PER_SECOND
MICROS_PER_HOUR: Final = 60 * MICROS_PER_MINUTE
MICROS_PER_DAY: Final = 24 * MICROS_PER_HOUR
EPOCH_ORDINAL: Final = _dt.date(1970, 1, 1).toordinal()
"""The proleptic Gregorian ordinal of 1970-01-01 (``date.toordinal``)."""
_EPOCH_UTC: Final = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)
_fromtimestamp: Final = _dt.datetime.fromtimestamp


@functools.cache
def _all_zone_names() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


@functools.cache
def _timezone_by_name(name: str) -> Timezone:
    try:
        return pendulum.timezone(name)
    except Exception as exc:  # pendulum raises several kinds for bad names
        close = difflib.get_close_matches(name, _all_zone_names(), n=3)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise UnknownTimezoneError(
            f"unknown time zone {name!r}: use an IANA name such as 'Europe/Madrid' "
            f"or 'America/New_York'.{hint}"
        ) from exc


def get_timezone(zone: object, *, name: str = "timezone") -> Timezone:
    """Return the pendulum time zone for an IANA name (or a zone object with one).

    Raises:
        UnknownTimezoneError: the name is not an IANA time zone.
    """
    if isinstance(zone, Timezone):
        return zone
    if isinstance(zone, zoneinfo.ZoneInfo):
        zone = zone.key
    elif zone is _dt.UTC:
        zone = "UTC"
    if not isinstance(zone, str) or not zone:
        raise UnknownTimezoneError(
            f"{name} must be an IANA time-zone name such as 'Europe/Madrid', got {zone!r}"
        )
    return _timezone_by_name(zone)


def _check_aware(value: object, name: str) -> _dt.datetime:
    if isinstance(value, str):
        raise InstantTypeError(
            f"{name} must be an aware datetime, got the string {value!r}; parse text first, "
            "e.g. servicekit.parse_instant('2025-03-03T09:00:00+01:00[Europe/Madrid]')"
        )
    if not isinstance(value, _dt.datetime):
        raise InstantTypeError(
            f"{name} must be an aware datetime, got {type(value).__name__} {value!r}"
        )
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(
            f"{name} is a naive datetime ({value.isoformat()}): servicekit never guesses a "
            f"time zone; attach one, e.g. {name}.replace(tzinfo=datetime.UTC) or "
            f"pendulum.datetime(..., tz='Europe/Madrid')"
        )
    return value


def to_micros(value: object, *, name: str = "datetime") -> int:
    """Microseconds since the Unix epoch of an aware datetime (exact)."""
    if not isinstance(value, _dt.datetime):
        _check_aware(value, name)  # raises the precise error
    t: _dt.datetime = value  # type: ignore[assignment]
    tz = t.tzinfo
    day = t.toordinal()
    if tz is not None and type(t) is not _dt.datetime and type(tz) in _DAY_OFFSET_ZONES:
        # A subclass (a pendulum DateTime) makes the zone read its fields through Python
        # attribute calls, thirty times slower than for a plain datetime: on a day with one
        # offset throughout, the day's offset (looked up once) is the instant's.
        entry = _DAY_OFFSETS.get((id(tz), day))
        off_us = _day_offset(tz, t) if entry is None else entry[0]
        if off_us != _UNSTEADY:
            return (
                ((day - EPOCH_ORDINAL) * 86400 + t.hour * 3600 + t.minute * 60 + t.second)
                * MICROS_PER_SECOND
                + t.microsecond
                - off_us
            )
    # Asking the zone directly skips datetime.utcoffset's wrapper: this is the hottest path of
    # every replay. The range check is the one that wrapper would make.
    off = tz.utcoffset(t) if tz is not None else None
    if off is None:
        _check_aware(t, name)
        raise AssertionError("unreachable")  # pragma: no cover
    off_seconds = off.days * 86400 + off.seconds
    if not -86400 < off_seconds < 86400:
        raise UnknownTimezoneError(
            f"{name}: its time zone gave the offset {off!r}; offsets must be within a day"
        )
    return (
        ((day - EPOCH_ORDINAL) * 86400 + t.hour * 3600 + t.minute * 60 + t.second)
        * MICROS_PER_SECOND
        + t.microsecond
        - off_seconds * MICROS_PER_SECOND
        - off.microseconds
    )


def from_micros(micros: int, tz: Timezone, *, fold: int = 0) -> pendulum.DateTime:
    """The pendulum ``DateTime`` in ``tz`` for microseconds since the epoch.

    ``fold=1`` is kept on a wall time that is in no fold (``pendulum.datetime()`` gives it to
    every wall time); in a fold, the instant decides.

    Raises:
        InstantOutOfRangeError: the instant is outside years 1 to 9999 (in UTC or in ``tz``).
    """
    try:
        # The zone's own fromutc, called by fromtimestamp in C: the quickest way to the wall
        # time (reports build several instants per ticket).
        t = _fromtimestamp(micros // MICROS_PER_SECOND, tz)
    except (OverflowError, ValueError, OSError):
        # Near the ends of the range (or on a platform without them): the general path.
        try:
            t = (_EPOCH_UTC + _dt.timedelta(microseconds=micros)).astimezone(tz)
        except OverflowError as exc:
            raise InstantOutOfRangeError(
                f"the result, {micros} microseconds from 1970 in {tz.name}, is outside the "
                "years 1 to 9999 that datetimes can hold; keep instants and spans well inside "
                "them"
            ) from exc
    return pendulum.DateTime(
        t.year,
        t.month,
        t.day,
        t.hour,
        t.minute,
        t.second,
        micros % MICROS_PER_SECOND,
        tzinfo=tz,
        fold=t.fold or fold,
    )


def _slow_instant(t: _dt.datetime) -> pendulum.DateTime:
    tz: Timezone
    key = getattr(t.tzinfo, "key", None)
    if isinstance(key, str):
        tz = get_timezone(key)
    elif t.tzinfo is _dt.UTC:
        tz = get_timezone("UTC")
    else:
        return from_micros(to_micros(t), get_timezone("UTC")).in_timezone(
            pendulum.FixedTimezone(int(t.utcoffset().total_seconds()))  # type: ignore[union-attr]
        )
    return from_micros(to_micros(t), tz)


def _is_pytz(tz: _dt.tzinfo) -> bool:
    # pytz is no dependency: recognised by its base class. Each pytz tzinfo object stands for
    # one offset (localize() picks the object), so its offset never depends on the datetime.
    return any(
        c.__name__ == "BaseTzInfo" and c.__module__ == "pytz.tzinfo" for c in type(tz).__mro__
    )


# tzinfo -> (the pendulum zone as_instant gives for it, whether its offset is fixed). Filled on
# first sight for the kinds whose answer does not depend on the datetime: zoneinfo (by key),
# datetime.timezone and pytz; any other tzinfo takes the general path every time.
_ZONES: dict[_dt.tzinfo, tuple[_dt.tzinfo, bool]] = {}
_ZONES_MAX: Final = 4096


def _zone_entry(t: _dt.datetime) -> tuple[_dt.tzinfo, bool] | None:
    tz = t.tzinfo
    assert tz is not None
    if isinstance(tz, zoneinfo.ZoneInfo) and isinstance(tz.key, str):
        entry: tuple[_dt.tzinfo, bool] = (get_timezone(tz.key), False)
    elif type(tz) is _dt.timezone or _is_pytz(tz):
        off = tz.utcoffset(t)
        if off is None or off.microseconds:
            return None
        made = _slow_instant(t).tzinfo
        assert made is not None
        entry = (made, True)
    else:
        return None
    if len(_ZONES) >= _ZONES_MAX:
        _ZONES.clear()
    _ZONES[tz] = entry
    return entry


def _unambiguous(tz: _dt.tzinfo, value: _dt.datetime) -> bool:
    """Whether the wall time ``value`` names one instant in ``tz`` (not in a gap or fold)."""
    return tz.utcoffset(value) == tz.utcoffset(value.replace(fold=1 - value.fold))


# (zone, local day ordinal) -> whether every wall time of that day names one instant.
_STEADY: dict[tuple[_dt.tzinfo, int], bool] = {}
_STEADY_MAX: Final = 16384
_QUARTER_HOURS: Final = tuple(_dt.time(h, m) for h in range(24) for m in (0, 15, 30, 45))


#: Zone types with one offset, whatever the wall time (exports write fixed offsets: a log's
#: instants meet thousands of days in them, each of which the scan below asked 194 times).
FIXED_ZONES: Final = frozenset({_dt.timezone, pendulum.FixedTimezone})


def steady_day(tz: _dt.tzinfo, value: _dt.datetime) -> bool:
    """Whether no wall time of ``value``'s day is in a gap or a fold of ``tz``: asking once a
    day spares the check per instant (``datetime.replace`` is the costly part of it).

    A day is steady when the zone gives one offset, for both folds, at every quarter hour and
    at the day's last microsecond: a gap or fold lies between two changes of the offset, and
    no zone changes its offset twice within a quarter of an hour.
    """
    if type(tz) in FIXED_ZONES:
        return True  # one offset at every wall time, by definition: nothing to ask
    day = value.toordinal()
    key = (tz, day)
    steady = _STEADY.get(key)
    if steady is None:
        date = _dt.date.fromordinal(day)
        offsets = {
            tz.utcoffset(_dt.datetime.combine(date, t.replace(fold=fold), tzinfo=tz))
            for t in (*_QUARTER_HOURS, _dt.time.max)
            for fold in (0, 1)
        }
        steady = len(offsets) == 1
        if len(_STEADY) >= _STEADY_MAX:
            _STEADY.clear()  # bounded: a long log meets many days
        _STEADY[key] = steady
    return steady


#: The zone types whose offset depends on the wall time alone (so a steady day has one offset).
_DAY_OFFSET_ZONES: Final = frozenset({zoneinfo.ZoneInfo, Timezone, pendulum.FixedTimezone})
# (id of the zone, local day ordinal) -> (the zone's offset in microseconds all that day, or
# _UNSTEADY when the day has a gap or a fold, whose instants take the general path; the zone).
# Keyed by identity: pendulum zones hash and compare in Python, slower than the offset itself.
# Each entry holds its zone, so no id is reused while the entry is there.
_DAY_OFFSETS: dict[tuple[int, int], tuple[int, _dt.tzinfo]] = {}
_DAY_OFFSETS_MAX: Final = 16384
_UNSTEADY: Final = -(2**63)


def _day_offset(tz: _dt.tzinfo, value: _dt.datetime) -> int:
    """The offset of ``tz`` throughout ``value``'s day, in microseconds, or ``_UNSTEADY``."""
    offset = _UNSTEADY
    if steady_day(tz, value):
        off = tz.utcoffset(value)
        if off is not None and -86400 < off.days * 86400 + off.seconds < 86400:
            offset = (off.days * 86400 + off.seconds) * MICROS_PER_SECOND + off.microseconds
    if len(_DAY_OFFSETS) >= _DAY_OFFSETS_MAX:
        _DAY_OFFSETS.clear()  # bounded: a long log meets many days
    _DAY_OFFSETS[(id(tz), value.toordinal())] = (offset, tz)
    return offset


def as_instant(value: object, *, name: str = "datetime") -> pendulum.DateTime:
    """Check that ``value`` is aware and return it as a pendulum ``DateTime``
    (same instant, same zone when the zone is known to pendulum, else UTC)."""
    if type(value) is _dt.datetime and value.tzinfo is not None:
        # The fast path for standard-library datetimes (zoneinfo, datetime.timezone, pytz): the
        # zone's pendulum equivalent is looked up, and the wall-clock fields are copied when
        # they name one instant only (not in a DST gap or fold, where the general path decides).
        tz = value.tzinfo
        entry = _ZONES.get(tz) or _zone_entry(value)
        if entry is not None:
            zone, fixed = entry
            if fixed or steady_day(tz, value) or _unambiguous(tz, value):
                return pendulum.DateTime(
                    value.year,
                    value.month,
                    value.day,
                    value.hour,
                    value.minute,
                    value.second,
                    value.microsecond,
                    zone,
                )
    t = _check_aware(value, name)
    if isinstance(t, pendulum.DateTime):
        return t
    return _slow_instant(t)


# Instants whose UTC time is this far inside years 1 to 9999 can be rebuilt from their
# microseconds in any zone (from_micros needs the UTC time, a zone shifts it by less than a day).
REBUILD_MIN: Final = (_dt.date(1, 1, 3).toordinal() - EPOCH_ORDINAL) * MICROS_PER_DAY
REBUILD_MAX: Final = (_dt.date(9999, 12, 29).toordinal() - EPOCH_ORDINAL) * MICROS_PER_DAY
_DateTime: Final = pendulum.DateTime
# (standard-library tzinfo, local day ordinal) -> (the pendulum zone as_instant gives, the
# instant in microseconds of the day's local midnight when the zone keeps one offset all day,
# else None, see steady_day; whether the zone's offset is fixed).
_STDLIB_DAYS: dict[tuple[_dt.tzinfo, int], tuple[_dt.tzinfo, int | None, bool]] = {}


def _day_start(tz: _dt.tzinfo, value: _dt.datetime) -> int | None:
    if not steady_day(tz, value):
        return None
    delta = tz.utcoffset(value)
    assert delta is not None  # only zones known to give offsets come here
    offset = (delta.days * 86400 + delta.seconds) * MICROS_PER_SECOND + delta.microseconds
    return (value.toordinal() - EPOCH_ORDINAL) * MICROS_PER_DAY - offset


def _remember(cache: dict[Any, Any], key: object, answer: object) -> None:
    if len(cache) >= _STEADY_MAX:
        cache.clear()  # bounded: a long log meets many days
    cache[key] = answer


def instant_micros(value: object, *, name: str = "datetime") -> tuple[pendulum.DateTime, int, bool]:
    """:func:`as_instant` and :func:`to_micros` of ``value`` at once, and whether
    ``from_micros(micros, instant.tzinfo)``, given the instant's fold, gives back exactly the
    instant (its fields, zone and fold): when it does, a caller may keep the integer, the zone
    and the fold instead of the value. (A fold of 1 outside a fold changes nothing but the
    attribute, and ``pendulum.datetime()`` gives it to every wall time.)

    The quick way for the aware datetimes callers hold (pendulum values in named zones, and
    standard-library ones with zoneinfo, ``datetime.timezone`` or pytz zones): on a day its
    zone keeps one offset, the instant is the wall time less that offset (asked once per zone
    and day). Anything else takes the general path and raises what :func:`as_instant` raises.
    """
    kind = type(value)
    if kind is _DateTime:
        p: pendulum.DateTime = value  # type: ignore[assignment]
        tz = p.tzinfo
        if tz is not None:
            if type(tz) in _DAY_OFFSET_ZONES:
                # On a day with one offset throughout (to_micros's table), each wall time is
                # one instant: from_micros gives the value back.
                day = p.toordinal()
                known = _DAY_OFFSETS.get((id(tz), day))
                offset = _day_offset(tz, p) if known is None else known[0]
                if offset != _UNSTEADY:
                    micros = (
                        ((day - EPOCH_ORDINAL) * 86400 + p.hour * 3600 + p.minute * 60 + p.second)
                        * MICROS_PER_SECOND
                        + p.microsecond
                        - offset
                    )
                    return p, micros, REBUILD_MIN < micros < REBUILD_MAX
            micros = to_micros(p, name=name)
            exact = type(tz) is _dt.timezone and REBUILD_MIN < micros < REBUILD_MAX
            return p, micros, exact
    elif kind is _dt.datetime:
        t: _dt.datetime = value  # type: ignore[assignment]
        tz = t.tzinfo
        if tz is not None:
            key_ = (tz, t.toordinal())
            seen = _STDLIB_DAYS.get(key_)
            if seen is None:
                entry = _ZONES.get(tz) or _zone_entry(t)
                if entry is not None:
                    seen = (entry[0], _day_start(tz, t), entry[1])
                    _remember(_STDLIB_DAYS, key_, seen)
            if seen is not None:
                zone, start, fixed = seen
                hour, minute, second, micro = t.hour, t.minute, t.second, t.microsecond
                if start is not None:
                    seconds = hour * 3600 + minute * 60 + second
                    micros = start + seconds * MICROS_PER_SECOND + micro
                else:
                    micros = to_micros(t, name=name)
                if start is not None or fixed or _unambiguous(tz, t):
                    instant = _DateTime(t.year, t.month, t.day, hour, minute, second, micro, zone)
                else:  # a gap or a fold: as_instant's answer, the instant in the zone
                    instant = from_micros(micros, zone)  # type: ignore[arg-type]
                return instant, micros, REBUILD_MIN < micros < REBUILD_MAX
    instant = as_instant(value, name=name)
    return instant, to_micros(instant, name=name), False


def duration_micros(value: object, *, name: str = "duration", allow_negative: bool = False) -> int:
    """Exact microseconds of a ``timedelta`` or pendulum ``Duration``.

    Raises:
        InvalidDurationError: not a timedelta, or a pendulum duration with months or
            years, which have no fixed length.
        NegativeDurationError: the value is negative and ``allow_negative`` is false.
    """
    if not isinstance(value, _dt.timedelta):
        raise InvalidDurationError(
            f"{name} must be a datetime.timedelta or pendulum.Duration, "
            f"got {type(value).__name__} {value!r}"
        )
    if getattr(value, "years", 0) or getattr(value, "months", 0):
        raise InvalidDurationError(
            f"{name} {value!r} has months or years, which have no fixed length; "
            "give it in weeks, days, hours, minutes or seconds"
        )
    micros = (value.days * 86400 + value.seconds) * MICROS_PER_SECOND + value.microseconds
    if micros < 0 and not allow_negative:
        raise NegativeDurationError(
            f"{name} must not be negative, got {value!r}; "
            "use subtract() to go back in time, or pass a positive duration"
        )
    return micros


def duration_from_micros(micros: int) -> pendulum.Duration:
    """A pendulum ``Duration`` of exactly ``micros`` microseconds."""
    return pendulum.Duration(0, 0, micros)  # positional: quicker to build than by keyword


#: :func:`duration_from_micros` for the few values reports repeat (targets): building a
#: Duration costs several microseconds, and equal ones can share one immutable object. Small,
#: so memory does not grow with the number of tickets evaluated.
repeated_duration = functools.lru_cache(maxsize=256)(duration_from_micros)


# RFC 9557 (IXDTF): an ISO 8601 instant followed by its zone name in brackets, so stored text
# keeps the IANA zone and not only the offset of the day.
_IXDTF: Final = re.compile(r"^(?P<instant>[^\[\]]+)(?:\[!?(?P<zone>[^\]]+)\])?$")


def format_instant(value: _dt.datetime) -> str:
    """The text servicekit writes for an aware instant: ISO 8601 with its offset, followed by
    the IANA zone name in brackets when the zone has one (RFC 9557).

    >>> format_instant(pendulum.datetime(2025, 3, 3, 9, tz="Europe/Madrid"))
    '2025-03-03T09:00:00+01:00[Europe/Madrid]'

    A wall time that its zone skips (a spring-forward gap) is written as the instant it stands
    for, as everywhere in servicekit: 02:30 on a night the clocks jump from 02:00 to 03:00
    is 03:30 summer time.

    >>> import datetime
    >>> import zoneinfo
    >>> madrid = zoneinfo.ZoneInfo("Europe/Madrid")
    >>> format_instant(datetime.datetime(1999, 3, 28, 2, 30, tzinfo=madrid))
    '1999-03-28T03:30:00+02:00[Europe/Madrid]'

    Raises:
        NaiveDatetimeError: ``value`` has no time zone.
    """
    _check_aware(value, "instant")
    zone = getattr(value.tzinfo, "name", None) or getattr(value.tzinfo, "key", None)
    named = (isinstance(zone, str) and "/" in zone) or zone == "UTC"
    if named and value.utcoffset() != value.replace(fold=1 - value.fold).utcoffset():
        # A gap or a fold. In a gap the wall time with its offset is no time of the zone, so
        # parse_instant would refuse the text: write the instant's own wall time in the zone.
        value = from_micros(to_micros(value), get_timezone(zone))
    text = value.isoformat()
    if named:
        text += f"[{zone}]"
    return text


def parse_instant(text: str, *, name: str = "instant") -> pendulum.DateTime:
    """The instant written as ``text`` by servicekit (or any ISO 8601 text with an offset).

    Reads what :func:`format_instant` writes (``...+01:00[Europe/Madrid]``, which
    ``pendulum.parse`` and ``datetime.fromisoformat`` cannot read), plain ISO 8601 with an
    offset or ``Z``, and returns it in the bracketed zone when there is one.

    >>> parse_instant("2025-03-03T09:00:00+01:00[Europe/Madrid]").timezone_name
    'Europe/Madrid'

    Raises:
        InstantTypeError: ``text`` is not a string.
        InstantFormatError: it is not ISO 8601, or its offset disagrees with its zone.
        NaiveDatetimeError: it has no offset (servicekit never guesses a zone).
        UnknownTimezoneError: the bracketed zone is not an IANA zone.
    """
    if not isinstance(text, str):
        raise InstantTypeError(f"{name} must be a string, got {type(text).__name__} {text!r}")
    match = _IXDTF.match(text.strip())
    try:
        parsed = None if match is None else _dt.datetime.fromisoformat(match["instant"])
    except ValueError:
        parsed = None
    if match is None or parsed is None:
        raise InstantFormatError(
            f"{name} {text!r} is not an ISO 8601 instant; write it like "
            "'2025-03-03T09:00:00+01:00' or '2025-03-03T09:00:00+01:00[Europe/Madrid]'"
        )
    if parsed.tzinfo is None:
        raise NaiveDatetimeError(
            f"{name} {text!r} has no UTC offset; servicekit never guesses a zone: add one, "
            "e.g. '+01:00' or 'Z'"
        )
    instant = as_instant(parsed, name=name)
    if match["zone"]:
        in_zone = instant.in_timezone(get_timezone(match["zone"], name=name))
        if in_zone.utcoffset() != parsed.utcoffset():
            raise InstantFormatError(
                f"{name} {text!r}: the offset {parsed.isoformat()[-6:]} is not the offset of "
                f"{match['zone']} at that instant ({in_zone.isoformat()[-6:]})"
            )
        instant = in_zone
    return instant
