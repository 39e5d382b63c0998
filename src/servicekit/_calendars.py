"""Business calendars: opening hours, holidays and special days in one time zone.

Business time is counted in integer microseconds since the epoch. For each
local calendar year the calendar lazily builds one sorted table of its open
intervals with running totals; a year's total business time then gives a
running base across years. With those, ``between`` is four binary searches and
``add`` a short walk over yearly totals, so the cost of a computation does not
grow with the length of the span it covers (only the first use of a year pays
for building its table).
"""

from __future__ import annotations

import copy
import datetime as _dt
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final, TypeAlias

import attrs
import holidays as _holidays
import pendulum
from pendulum.tz.timezone import Timezone

from servicekit._calendar_hours import (
    Shift,
    WeeklyHours,
    format_hours,
    normalise_hours,
    normalise_shifts,
)
from servicekit._time import (
    duration_from_micros,
    duration_micros,
    from_micros,
    get_timezone,
    to_micros,
)
from servicekit.errors import (
    CalendarNeverClosesError,
    CalendarNeverOpenError,
    InstantOutOfRangeError,
    InvalidHolidayError,
)

__all__ = ["BusinessCalendar"]

#: What ``hours`` accepts: a compact string, or weekday -> intervals.
HoursSpec: TypeAlias = str | Mapping[Any, Any]
#: What ``holidays`` accepts: dates, or a calendar of the ``holidays`` package.
HolidaysSpec: TypeAlias = Iterable[_dt.date] | _holidays.HolidayBase

_FULL_DAY: Final = ((_dt.time(0), _dt.time(0)),)
_MIN_YEAR: Final = 2
_MAX_YEAR: Final = 9998
# The mean Gregorian year, for a first guess of an instant's year.
_MICROS_PER_YEAR: Final = 31_556_952_000_000


class _YearTable:
    """The open intervals of the shifts starting in one local year, merged."""

    __slots__ = ("closes", "cum_end", "cum_start", "opens", "shift", "total")

    def __init__(self, opens: list[int], closes: list[int]) -> None:
        self.opens = opens
        self.closes = closes
        self.cum_start: list[int] = []
        self.cum_end: list[int] = []
        # Per interval, its business time before its opening less the opening: an instant
        # inside it lies at shift + instant (one addition per lookup).
        self.shift: list[int] = []
        running = 0
        for o, c in zip(opens, closes, strict=True):
            self.cum_start.append(running)
            self.shift.append(running - o)
            running += c - o
            self.cum_end.append(running)
        self.total = running

    def before(self, t: int) -> int:
        """Business microseconds of this table that lie before ``t``."""
        i = bisect_right(self.opens, t) - 1
        if i < 0:
            return 0
        close = self.closes[i]
        return self.shift[i] + (t if t < close else close)

    def index_open_at(self, t: int) -> int:
        """Index of the interval containing ``t``, or -1."""
        i = bisect_right(self.opens, t) - 1
        return i if i >= 0 and t < self.closes[i] else -1

    def is_full_year(self) -> bool:
        return len(self.opens) == 1

    def at_local(self, local: int) -> int:
        """The earliest instant with ``local`` business microseconds of this table before it
        (``0 < local <= total``)."""
        i = bisect_left(self.cum_end, local)
        return self.closes[i] - (self.cum_end[i] - local)


class _Frame:
    """What a position inside one local year needs: the year's bounds, the business time
    of every table before last year's, and the tables of last year and this one.

    Positions cluster (a ticket's events, a clock's segments): the last frame is kept, and
    most lookups read it without touching the per-year dictionaries.
    """

    __slots__ = ("after_prev", "base", "hi", "lo", "prev", "prev_end", "table", "year")

    def __init__(
        self, lo: int, hi: int, year: int, base: int, prev: _YearTable, table: _YearTable
    ) -> None:
        self.lo, self.hi, self.year, self.base, self.prev, self.table = (
            lo,
            hi,
            year,
            base,
            prev,
            table,
        )
        # Past last year's last close (most of the year), all of last year lies before.
        self.prev_end = prev.closes[-1] if prev.closes else -(2**63)
        self.after_prev = base + prev.total


_EMPTY_TABLE: Final = _YearTable([], [])
_POSITIONS_MAX: Final = 1024


class _Cache:
    """Per-calendar lazily built tables; never part of equality, hashing or pickling."""

    __slots__ = (
        "bases",
        "frame",
        "hi",
        "holiday_years",
        "last_year",
        "lo",
        "lock",
        "positions",
        "tables",
        "year_starts",
    )

    def __init__(self) -> None:
        # Instant -> business microseconds before it: a clock asks about the same instants
        # again and again (a segment's start, for its elapsed time, due time and warnings).
        self.positions: dict[int, int] = {}
        self.tables: dict[int, _YearTable] = {}
        self.bases: dict[int, int] = {}
        # The ends of ``bases``, set with its first entry (``_base``) and never read before.
        self.lo = 0  # pragma: no mutate
        self.hi = -1  # pragma: no mutate
        self.holiday_years: dict[int, frozenset[_dt.date]] = {}
        self.year_starts: dict[int, int] = {}
        # Empty ranges (lo == hi), so the first lookup finds them stale; their other values
        # are never read (a test asks a fresh calendar about instant 0).
        self.last_year: tuple[int, int, int] = (0, 0, 0)  # pragma: no mutate
        self.frame = _Frame(0, 0, 0, 0, _EMPTY_TABLE, _EMPTY_TABLE)  # pragma: no mutate
        # Re-entrant: extending the running totals builds year tables under the same lock.
        self.lock = threading.RLock()


def _normalise_holidays(value: object) -> frozenset[_dt.date] | _holidays.HolidayBase:
    if isinstance(value, _holidays.HolidayBase):
        # A private deep copy: expanding a year on a membership test writes to the object's
        # ``years`` set, which a shallow copy would share with the caller's object (and with
        # every other calendar built from it).
        return copy.deepcopy(value)
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidHolidayError(
            "holidays must be dates or a calendar from the holidays package, e.g. "
            f"holidays.country_holidays('US'); got {value!r}"
        )
    dates = []
    for item in value:
        if isinstance(item, _dt.datetime) or not isinstance(item, _dt.date):
            raise InvalidHolidayError(
                f"holiday {item!r} is not a date: give datetime.date values (a holiday closes "
                "the shifts that start on that local date)"
            )
        dates.append(item)
    return frozenset(dates)


def _normalise_special_days(value: object) -> tuple[tuple[_dt.date, tuple[Shift, ...]], ...]:
    if value is None:
        return ()
    items = value.items() if isinstance(value, Mapping) else value
    if not isinstance(items, Iterable):
        raise InvalidHolidayError(f"special_days must map dates to intervals, got {value!r}")
    result = []
    seen: set[_dt.date] = set()
    for item in items:
        if not (isinstance(item, tuple | list) and len(item) == 2):
            raise InvalidHolidayError(
                f"special_days must map dates to intervals (or be (date, intervals) pairs), "
                f"got the item {item!r}"
            )
        day, shifts = item
        if isinstance(day, _dt.datetime) or not isinstance(day, _dt.date):
            raise InvalidHolidayError(
                f"special day {day!r} is not a date: key special_days by datetime.date"
            )
        if day in seen:
            raise InvalidHolidayError(
                f"special day {day.isoformat()} is given twice; give each date once with all "
                "of its intervals"
            )
        seen.add(day)
        result.append((day, normalise_shifts(shifts, where=f"special day {day.isoformat()}")))
    return tuple(sorted(result))


def _holiday_key(source: frozenset[_dt.date] | _holidays.HolidayBase) -> object:
    """What decides a holiday source's answers, for equality and hashing.

    A ``holidays`` calendar is its class (which names the country or market) and options,
    plus the dates it holds that a fresh calendar of the same class, options and expanded
    years would not (entries the caller added) or lacks (entries the caller removed). One
    that cannot be rebuilt that way (a sum of calendars) is keyed by its identity: equal
    only to itself. (A sum's options hold lists, so they cannot be part of a hashed key.)
    """
    if isinstance(source, frozenset):
        return source
    cls = type(source)
    try:
        fresh = cls(
            years=set(source.years),
            expand=source.expand,
            observed=source.observed,
            subdiv=source.subdiv,
            categories=source.categories,
        )
    except Exception:  # any class that cannot be rebuilt from its options
        return id(source)
    options = (
        f"{cls.__module__}.{cls.__qualname__}",
        source.subdiv,
        source.observed,
        source.expand,
        tuple(sorted(source.categories or ())),
    )
    held, generated = frozenset(dict.keys(source)), frozenset(dict.keys(fresh))
    return (options, held - generated, generated - held)


@attrs.frozen(init=False, eq=False, repr=False)
class BusinessCalendar:
    """When a team is open: weekly hours, holidays and special days in one time zone.

    Opening hours are local wall-clock times; business time is the real time
    that elapses while the calendar is open. A boundary that falls in a
    spring-forward gap moves forward by the gap (02:30 becomes 03:30); one
    that falls in a fall-back fold takes the first occurrence. So a
    01:00-05:00 window on the night clocks go back holds five real hours.

    Args:
        timezone: IANA name of the zone the hours are given in.
        hours: weekly opening intervals, either as a compact string such as
            ``"mon-fri 09:00-13:00,14:00-18:00; sat 10:00-14:00"`` or as a
            mapping from weekday (0 = Monday, or a name such as ``"mon"``) to
            ``(start, end)`` pairs of ``datetime.time`` or ``"HH:MM"``. An
            interval whose end is at or before its start runs past midnight and
            belongs to the day it starts; ``24:00`` may end a day.
        holidays: dates, or a calendar of the ``holidays`` package (expanded
            lazily for the years a computation needs). A holiday closes the
            shifts that start on that date in the calendar's zone.
        special_days: date -> intervals replacing the weekly hours of that date
            (half days, extra openings); an empty sequence closes the day. A
            special day wins over a holiday on the same date.

    Raises:
        UnknownTimezoneError: ``timezone`` is not an IANA zone.
        InvalidScheduleError: the hours are malformed or overlap.
        InvalidHolidayError: a holiday or special day is not a date.

    Calendars are immutable values: equal when defined alike, hashable and
    picklable. Their lookup tables are built lazily and never compared.
    """

    timezone: str
    hours: WeeklyHours
    _holiday_source: frozenset[_dt.date] | _holidays.HolidayBase
    special_days: tuple[tuple[_dt.date, tuple[Shift, ...]], ...]
    _holiday_key: object
    _tz: Timezone
    _special: dict[_dt.date, tuple[Shift, ...]]
    _always: bool
    _open_years: tuple[int, int] | None
    _last_dated: int
    _cache: _Cache

    def __init__(
        self,
        timezone: str,
        hours: HoursSpec,
        holidays: HolidaysSpec = (),
        special_days: Mapping[_dt.date, Any] | None = None,
    ) -> None:
        tz = get_timezone(timezone)
        weekly = normalise_hours(hours)
        holiday_source = _normalise_holidays(holidays)
        special = _normalise_special_days(special_days)
        always = (
            all(day == _FULL_DAY for day in weekly)
            and not special
            and isinstance(holiday_source, frozenset)
            and not holiday_source
        )
        if any(weekly):
            open_years: tuple[int, int] | None = (_MIN_YEAR, _MAX_YEAR)
        else:
            opening = [d.year for d, shifts in special if shifts]
            open_years = (min(opening), max(opening)) if opening else None
        # The last year a dated exception falls in: a special day, a listed holiday, or a date
        # a holidays calendar holds when given (one added to it, or of a year it had expanded).
        dated = [*(day for day, _ in special), *holiday_source]
        last_dated = max((day.year for day in dated), default=_MIN_YEAR)
        self.__attrs_init__(
            tz.name,
            weekly,
            holiday_source,
            special,
            _holiday_key(holiday_source),
            tz,
            dict(special),
            always,
            open_years,
            last_dated,
            _Cache(),
        )

    @classmethod
    def always_open(cls, timezone: str = "UTC") -> BusinessCalendar:
        """A calendar open around the clock (24x7); business time is real time."""
        return cls(timezone, dict.fromkeys(range(7), _FULL_DAY))

    # -- value semantics -----------------------------------------------------

    def _key(self) -> tuple[object, ...]:
        return (self.timezone, self.hours, self._holiday_key, self.special_days)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BusinessCalendar):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        parts = [repr(self.timezone), repr(format_hours(self.hours))]
        source = self._holiday_source
        if not isinstance(source, frozenset) or source:
            # (A holidays calendar is falsy until a year is expanded, so test the type.)
            if isinstance(source, frozenset):
                parts.append(f"holidays=<{len(source)} dates>")
            else:
                cls = type(source)
                parts.append(f"holidays=<{cls.__module__}.{cls.__qualname__}>")
        if self.special_days:
            parts.append(f"special_days=<{len(self.special_days)} dates>")
        return f"BusinessCalendar({', '.join(parts)})"

    def replace(self, **changes: Any) -> BusinessCalendar:
        """A copy with some of ``timezone``, ``hours``, ``holidays`` and ``special_days``
        changed, checked like a new calendar (``attrs.evolve`` cannot rebuild the caches).

        >>> BusinessCalendar("Europe/Madrid", "mon-fri 09:00-17:00").replace(
        ...     timezone="America/Bogota"
        ... ).timezone
        'America/Bogota'
        """
        parts: dict[str, Any] = {
            "timezone": self.timezone,
            "hours": self.hours,
            "holidays": self.holidays,
            "special_days": dict(self.special_days),
        }
        unknown = sorted(set(changes) - set(parts))
        if unknown:
            raise TypeError(
                f"BusinessCalendar.replace: unknown fields {unknown}; use {list(parts)}"
            )
        return BusinessCalendar(**{**parts, **changes})

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild,
            (self.timezone, self.hours, self.holidays, self.special_days),
        )

    @property
    def holidays(self) -> frozenset[_dt.date] | _holidays.HolidayBase:
        """The holidays: a frozenset of dates, or a copy of the ``holidays`` calendar given.

        Changing the copy does not change the calendar; build a new calendar instead.
        """
        source = self._holiday_source
        if isinstance(source, frozenset):
            return source
        with self._cache.lock:  # another thread may be expanding a year of it
            return copy.deepcopy(source)

    @property
    def tz(self) -> Timezone:
        """The calendar's time zone as a pendulum ``Timezone``."""
        return self._tz

    # -- building the tables -------------------------------------------------

    def _holidays_of(self, year: int) -> frozenset[_dt.date]:
        # Called with the cache's lock held: expanding a year writes to the source.
        source = self._holiday_source
        if isinstance(source, frozenset):
            return source
        cache = self._cache.holiday_years
        found = cache.get(year)
        if found is None:
            _ = _dt.date(year, 1, 1) in source  # expands the year when the calendar allows it
            found = frozenset(d for d in source if d.year == year)
            cache[year] = found
        return found

    def _shifts_on(self, day: _dt.date, holidays: frozenset[_dt.date]) -> tuple[Shift, ...]:
        special = self._special.get(day)
        if special is not None:
            return special
        if day in holidays:
            return ()
        return self.hours[day.weekday()]

    def _local_micros(self, day: _dt.date, t: _dt.time) -> int:
        # fold=0: a time in a gap takes the offset before the jump (so it moves forward),
        # a time in a fold takes its first occurrence.
        return to_micros(_dt.datetime.combine(day, t, tzinfo=self._tz))

    def _day_intervals(self, day: _dt.date, holidays: frozenset[_dt.date]) -> list[tuple[int, int]]:
        out = []
        for start, end in self._shifts_on(day, holidays):
            o = self._local_micros(day, start)
            end_day = day if end > start else day + _dt.timedelta(days=1)
            c = self._local_micros(end_day, end)
            if c > o:  # a shift entirely inside a spring-forward gap has no length
                out.append((o, c))
        return out

    def _build(self, year: int) -> _YearTable:
        if not _MIN_YEAR <= year <= _MAX_YEAR:
            return _YearTable([], [])
        last_day = _dt.date(year - 1, 12, 31)
        previous = self._day_intervals(last_day, self._holidays_of(year - 1))
        prev_end = max((c for _, c in previous), default=-(2**62))
        holidays = self._holidays_of(year)
        opens: list[int] = []
        closes: list[int] = []
        day = _dt.date(year, 1, 1)
        one_day = _dt.timedelta(days=1)
        while day.year == year:
            for o, c in self._day_intervals(day, holidays):
                # Last year's night shift (or a special day) may reach into this one: the
                # overlap is counted once.
                if c <= prev_end:
                    continue
                o = max(o, prev_end)
                if opens and o <= closes[-1]:
                    closes[-1] = max(closes[-1], c)
                else:
                    opens.append(o)
                    closes.append(c)
                prev_end = max(prev_end, c)
            day += one_day
        return _YearTable(opens, closes)

    def _table(self, year: int) -> _YearTable:
        table = self._cache.tables.get(year)
        if table is None:
            with self._cache.lock:
                table = self._cache.tables.get(year)
                if table is None:
                    table = self._build(year)
                    self._cache.tables[year] = table
        return table

    def _base(self, year: int) -> int:
        """Business microseconds of all tables before ``year``, from a fixed reference year."""
        cache = self._cache
        base = cache.bases.get(year)
        if base is not None:
            return base
        # The running totals are extended one year at a time from their ends; two threads
        # extending at once would read each other's half-written ends.
        with cache.lock:
            if not cache.bases:
                cache.lo = cache.hi = year
                cache.bases[year] = 0
                return 0
            while cache.hi < year:
                cache.bases[cache.hi + 1] = cache.bases[cache.hi] + self._table(cache.hi).total
                cache.hi += 1
            while cache.lo > year:
                cache.bases[cache.lo - 1] = cache.bases[cache.lo] - self._table(cache.lo - 1).total
                cache.lo -= 1
            return cache.bases[year]

    def _year_start(self, year: int) -> int:
        starts = self._cache.year_starts
        start = starts.get(year)
        if start is None:
            start = starts[year] = self._local_micros(_dt.date(year, 1, 1), _dt.time(0))
        return start

    def _year_of(self, t: int) -> int:
        """The local calendar year of ``t`` (a guess from UTC, corrected by cached year starts)."""
        lo, hi, year = self._cache.last_year
        if lo <= t < hi:  # most lookups fall in the same year as the previous one
            return year
        year = self._find_year(t)
        self._cache.last_year = (self._year_start(year), self._year_start(year + 1), year)
        return year

    def _find_year(self, t: int) -> int:
        year = min(max(1970 + t // _MICROS_PER_YEAR, _MIN_YEAR), _MAX_YEAR)
        while year > _MIN_YEAR and t < self._year_start(year):
            year -= 1
        while year < _MAX_YEAR and t >= self._year_start(year + 1):
            year += 1
        return year

    def _frame(self, t: int) -> _Frame:
        """The frame of the local year holding ``t``."""
        frame = self._cache.frame
        if frame.lo <= t < frame.hi:
            return frame
        year = self._year_of(t)
        frame = _Frame(
            self._year_start(year),
            self._year_start(year + 1),
            year,
            self._base(year - 1),
            self._table(year - 1),
            self._table(year),
        )
        # One assignment: another thread reads the old frame or the new one, never a mix.
        self._cache.frame = frame
        return frame

    def _position(self, t: int) -> int:
        """Business microseconds before ``t``, counted from the reference year."""
        cache = self._cache
        positions = cache.positions
        found = positions.get(t)
        if found is not None:
            return found
        # Asked for every instant a clock meets: the last frame and this year's table's
        # before(t) are read inline.
        frame = cache.frame
        if not frame.lo <= t < frame.hi:
            frame = self._frame(t)
        table = frame.table
        i = bisect_right(table.opens, t) - 1
        if i < 0:
            here = 0
        else:
            close = table.closes[i]
            here = table.shift[i] + (t if t < close else close)
        if t >= frame.prev_end:
            found = frame.after_prev + here
        else:
            found = frame.base + frame.prev.before(t) + here
        if len(positions) >= _POSITIONS_MAX:
            positions.clear()  # bounded: a replay meets millions of instants
        positions[t] = found
        return found

    def _never_open(self, what: str) -> CalendarNeverOpenError:
        if self._open_years is None:
            detail = "it has no opening hours and no special day that opens"
        else:
            detail = (
                "it has no weekly hours, and its special days only open between "
                f"{self._open_years[0]} and {self._open_years[1]}"
            )
        return CalendarNeverOpenError(
            f"cannot {what} on {self!r}: {detail}; give it weekly hours or an opening special day"
        )

    def _check_year(self, year: int, what: str, *, forward: bool) -> None:
        years = self._open_years
        if years is None or (year > years[1] + 1 if forward else year < years[0] - 1):
            if any(self.hours):
                raise InstantOutOfRangeError(
                    f"cannot {what} on {self!r}: the answer lies outside the years {_MIN_YEAR} "
                    f"to {_MAX_YEAR} that calendars cover"
                )
            raise self._never_open(what)

    # -- the micro-second core ---------------------------------------------

    def between_micros(self, start_us: int, end_us: int) -> int:
        """Business microseconds in ``[start_us, end_us)``; negative when ``end_us < start_us``."""
        if self._always:
            return end_us - start_us
        return self._position(end_us) - self._position(start_us)

    def add_micros(self, start_us: int, duration_us: int) -> int:
        """The earliest instant ``t`` with ``between_micros(start_us, t) == duration_us``."""
        if duration_us < 0:
            raise ValueError("duration_us must not be negative; use subtract_micros")
        if duration_us == 0 or self._always:
            return start_us + duration_us
        return self._instant_at(self._frame(start_us), self._position(start_us) + duration_us)

    def _add_many_micros(self, start_us: int, durations_us: list[int]) -> list[int]:
        """:meth:`add_micros` of each of ``durations_us`` (none negative) to one start: the
        start's place in the tables is found once (a clock asks for its due time, breach and
        warnings together)."""
        if self._always:
            return [start_us + d for d in durations_us]
        frame = self._frame(start_us)
        position = self._position(start_us)
        instant_at = self._instant_at
        return [instant_at(frame, position + d) if d else start_us for d in durations_us]

    def _instant_at(self, frame: _Frame, target: int) -> int:
        """The earliest instant with business position ``target``, from ``frame`` on."""
        # Most additions end in the frame's two tables; a longer one walks on year by year.
        base = frame.base
        for table in (frame.prev, frame.table):
            if target <= base + table.total:
                return table.at_local(target - base)
            base += table.total
        year = frame.year
        while self._base(year) + self._table(year).total < target:
            year += 1
            self._check_year(year, "add business time", forward=True)
        return self._table(year).at_local(target - self._base(year))

    def subtract_micros(self, end_us: int, duration_us: int) -> int:
        """The latest instant ``s`` with ``between_micros(s, end_us) == duration_us``."""
        if duration_us < 0:
            raise ValueError("duration_us must not be negative; use add_micros")
        if duration_us == 0 or self._always:
            return end_us - duration_us
        target = self._position(end_us) - duration_us
        year = self._year_of(end_us)
        while self._base(year) > target:
            year -= 1
            self._check_year(year, "subtract business time", forward=False)
        table = self._table(year)
        local = target - self._base(year)
        i = bisect_right(table.cum_start, local) - 1
        return table.opens[i] + (local - table.cum_start[i])

    def _containing(self, t: int) -> tuple[int, _YearTable, int] | None:
        year = self._year_of(t)
        for y in (year - 1, year):
            table = self._table(y)
            i = table.index_open_at(t)
            if i >= 0:
                return y, table, i
        return None

    def is_open_micros(self, t_us: int) -> bool:
        """Whether the calendar is open at ``t_us``."""
        return self._always or self._containing(t_us) is not None

    def next_open_micros(self, t_us: int) -> int:
        """``t_us`` when open, else the next opening instant."""
        if self.is_open_micros(t_us):
            return t_us
        year = self._year_of(t_us)
        table = self._table(year)
        j = bisect_right(table.opens, t_us)
        while j >= len(table.opens):
            year += 1
            self._check_year(year, "find the next opening", forward=True)
            table = self._table(year)
            j = 0
        return table.opens[j]

    def next_close_micros(self, t_us: int) -> int:
        """The end of the open period containing ``t_us`` (or of the next one, when closed)."""
        if self._always:
            raise CalendarNeverClosesError(f"{self!r} is open around the clock, so it never closes")
        found = self._containing(self.next_open_micros(t_us))
        assert found is not None  # next_open returns an open instant
        year, table, i = found
        close = table.closes[i]
        full_years = 0
        # An interval that ends where the next year's first one starts is one open period.
        while i == len(table.opens) - 1:
            year += 1
            following = self._table(year)
            if not following.opens or following.opens[0] != close:
                break
            table, i, close = following, 0, following.closes[0]
            full_years = full_years + 1 if table.is_full_year() else 0
            # Two whole years open mean every later year is too, once no dated exception (a
            # special day, a listed holiday, a date a holidays calendar held) is left to close
            # one. (The walk never passes _MAX_YEAR: later tables are empty.)
            if full_years >= 2 and year > self._last_dated:
                raise CalendarNeverClosesError(
                    f"{self!r} stays open for ever after {from_micros(table.opens[0], self._tz)}"
                )
        return close

    def open_intervals_micros(self, start_us: int, end_us: int) -> Iterator[tuple[int, int]]:
        """The open periods inside ``[start_us, end_us)``, clipped to it, in order."""
        if start_us >= end_us:
            return
        if self._always:
            yield start_us, end_us
            return
        pending: tuple[int, int] | None = None
        for year in range(self._year_of(start_us) - 1, self._year_of(end_us) + 1):
            table = self._table(year)
            first = max(bisect_right(table.opens, start_us) - 1, 0)
            last = bisect_left(table.opens, end_us)
            for i in range(first, last):
                o, c = max(table.opens[i], start_us), min(table.closes[i], end_us)
                if o >= c:
                    continue
                if pending is not None and pending[1] == o:
                    pending = (pending[0], c)
                    continue
                if pending is not None:
                    yield pending
                pending = (o, c)
        if pending is not None:
            yield pending

    # -- the datetime API ---------------------------------------------------

    def add(self, start: _dt.datetime, duration: _dt.timedelta) -> pendulum.DateTime:
        """The earliest instant ``t`` with ``between(start, t) == duration``.

        A result that lands exactly at closing time stays there: on Mon-Fri
        09:00-17:00, Friday 09:00 plus 8 hours is Friday 17:00.

        Raises:
            NaiveDatetimeError: ``start`` has no time zone.
            NegativeDurationError: ``duration`` is negative (use :meth:`subtract`).
            CalendarNeverOpenError: the calendar never opens, so the sum never finishes.
        """
        start_us = to_micros(start, name="start")
        return from_micros(
            self.add_micros(start_us, duration_micros(duration, name="duration")), self._tz
        )

    def subtract(self, end: _dt.datetime, duration: _dt.timedelta) -> pendulum.DateTime:
        """The latest instant ``s`` with ``between(s, end) == duration``.

        Raises:
            NaiveDatetimeError: ``end`` has no time zone.
            NegativeDurationError: ``duration`` is negative (use :meth:`add`).
            CalendarNeverOpenError: the calendar never opens before ``end``.
        """
        end_us = to_micros(end, name="end")
        return from_micros(
            self.subtract_micros(end_us, duration_micros(duration, name="duration")), self._tz
        )

    def between(self, start: _dt.datetime, end: _dt.datetime) -> pendulum.Duration:
        """Business time in ``[start, end)``; ``between(b, a) == -between(a, b)``."""
        return duration_from_micros(
            self.between_micros(to_micros(start, name="start"), to_micros(end, name="end"))
        )

    def is_open(self, t: _dt.datetime) -> bool:
        """Whether the calendar is open at ``t`` (an opening instant is open, a closing one not)."""
        return self.is_open_micros(to_micros(t, name="t"))

    def next_open(self, t: _dt.datetime) -> pendulum.DateTime:
        """``t`` itself when the calendar is open, else the next opening instant.

        Raises:
            CalendarNeverOpenError: the calendar never opens after ``t``.
        """
        return from_micros(self.next_open_micros(to_micros(t, name="t")), self._tz)

    def next_close(self, t: _dt.datetime) -> pendulum.DateTime:
        """When the open period containing ``t`` ends (or the next one, when closed).

        Raises:
            CalendarNeverClosesError: the calendar stays open for ever.
            CalendarNeverOpenError: the calendar never opens after ``t``.
        """
        return from_micros(self.next_close_micros(to_micros(t, name="t")), self._tz)

    def open_intervals(
        self, start: _dt.datetime, end: _dt.datetime
    ) -> Iterator[tuple[pendulum.DateTime, pendulum.DateTime]]:
        """The open periods inside ``[start, end)`` as ``(open, close)`` pairs, clipped to it."""
        tz = self._tz
        for o, c in self.open_intervals_micros(
            to_micros(start, name="start"), to_micros(end, name="end")
        ):
            yield from_micros(o, tz), from_micros(c, tz)


def _rebuild(
    timezone: str,
    hours: WeeklyHours,
    holidays: frozenset[_dt.date] | _holidays.HolidayBase,
    special_days: tuple[tuple[_dt.date, tuple[Shift, ...]], ...],
) -> BusinessCalendar:
    return BusinessCalendar(timezone, dict(enumerate(hours)), holidays, dict(special_days))
