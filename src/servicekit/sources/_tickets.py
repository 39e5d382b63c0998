"""From rows to tickets: group a source's rows by ticket, build events, replay, report.

Tickets are yielded as soon as their rows are complete, so memory does not
grow with the number of closed tickets. A source whose rows come grouped by
ticket (XES traces, or any export sorted by ticket) streams directly; other
sources are first grouped on disk in a temporary SQLite file. In lenient mode
a row that breaks a rule rejects its ticket (never the run) and the rejection
says where and how to fix it; in strict mode the first one raises.
"""

from __future__ import annotations

import datetime as _dt
import heapq
import itertools
import operator
import pickle
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import attrs
import pendulum

from servicekit._events import (
    AgentReplied,
    CustomerReplied,
    PriorityChanged,
    TicketOpened,
    assigned_event,
)
from servicekit._lifecycle import SAME, Lifecycle, _Route
from servicekit._ticket import Ticket
from servicekit._time import (
    EPOCH_ORDINAL,
    FIXED_ZONES,
    MICROS_PER_SECOND,
    REBUILD_MAX,
    REBUILD_MIN,
    as_instant,
    get_timezone,
    instant_micros,
    steady_day,
    to_micros,
)
from servicekit.errors import (
    OutOfOrderEventError,
    ServiceKitError,
    SourceError,
    SourceRowError,
    TransitionError,
    UnmappedStatusError,
)
from servicekit.sources._mapping import SourceMapping
from servicekit.sources._readers import CsvSource, RowSource
from servicekit.sources._seen import SeenIds

__all__ = ["ReadStats", "Rejection", "SourceScan", "TicketReader", "read_tickets"]

_TRUE: Final = frozenset({"true", "1", "yes", "y", "t"})
_FALSE: Final = frozenset({"false", "0", "no", "n", "f"})
_SPOOL_BATCH: Final = 5_000
_CATEGORY_HINT: Final = (
    "new, open, waiting_on_customer, waiting_on_third_party, solved, closed or cancelled"
)


@attrs.frozen
class Rejection:
    """A ticket left out of a lenient read, and why.

    Attributes:
        ticket: the ticket id (``None`` when the row had none).
        line: the line (CSV, JSON Lines, XES) or row number (Parquet, SQL, DataFrame).
        rule: a short code: ``missing-ticket``, ``missing-time``, ``bad-time``,
            ``naive-time``, ``ambiguous-time``, ``missing-priority``, ``bad-order``,
            ``out-of-order``, ``invalid-transition``, ``bad-value``, ``duplicate-ticket``.
        message: what is wrong.
        fix: how to fix it.
    """

    ticket: str | None
    line: int
    rule: str
    message: str
    fix: str

    def as_dict(self) -> dict[str, object]:
        """The rejection as plain data."""
        return attrs.asdict(self)


@attrs.frozen
class ReadStats:
    """What a read saw.

    Attributes:
        rows: rows read from the source.
        rows_ignored: rows skipped by the mapping's ``filter`` or an ``ignore`` kind.
        rows_rejected: rows of rejected tickets.
        tickets: distinct tickets seen.
        tickets_accepted: tickets replayed.
        tickets_rejected: tickets rejected (see the rejections).
        events: servicekit events of the accepted tickets.
    """

    rows: int = 0
    rows_ignored: int = 0
    rows_rejected: int = 0
    tickets: int = 0
    tickets_accepted: int = 0
    tickets_rejected: int = 0
    events: int = 0


@attrs.frozen
class SourceScan:
    """A cheap first pass over a source.

    Attributes:
        rows: rows read (ignored ones included).
        last_at: the latest instant of any row, or ``None`` when none could be read.
        contiguous: whether every ticket's rows come together.
        statuses: source status values and how often each occurs.
        priorities: source priority values and how often each occurs.
    """

    rows: int
    last_at: pendulum.DateTime | None
    contiguous: bool
    statuses: Mapping[str, int]
    priorities: Mapping[str, int]


# The most events a first pass over a grouped source keeps as built tickets (a few tens of
# megabytes), so that a replay reads a log of that size once; a larger one is read twice.
_KEEP_EVENTS: Final = 250_000


class _Abandon(Exception):
    """The first pass stops keeping tickets (a strict read would stop, a status is unmapped)."""


@attrs.define
class _Kept:
    """The tickets a first pass built, and the counts of building them."""

    tickets: list[Ticket]
    counts: Counter[str]
    kinds: Counter[str]
    rejections: list[Rejection]


class _ScanTally:
    """The figures of a :class:`SourceScan`, row by row or a chunk of rows at a time."""

    def __init__(self, read: _RowReader) -> None:
        self.read = read
        self.rows = 0
        self.last: int | None = None
        self.contiguous = True
        self.statuses: Counter[str] = Counter()
        self.priorities: Counter[str] = Counter()
        self.done = SeenIds()
        self.current: str | None = None
        m = read.m
        self._ticket = operator.methodcaller("get", m.ticket)
        self._time = operator.methodcaller("get", m.time)
        self._status = tuple(operator.methodcaller("get", c) for c in m.status or ())
        self._priority = operator.methodcaller("get", m.priority) if m.priority else None

    def add(self, line: int, row: Mapping[str, object]) -> None:
        self.rows += 1
        read = self.read
        if not read.keep(row):
            return
        self._run(read.ticket(row))
        status = read.status(row)
        if status is not None:
            self.statuses[status] += 1
        priority = read.priority(row)
        if priority is not None:
            self.priorities[priority] += 1
        try:
            at = read.instant_us(row, line)
        except (_Problem, ServiceKitError):
            return
        if self.last is None or at > self.last:
            self.last = at

    def _run(self, ticket: str | None) -> None:
        if ticket != self.current:
            # An id is recorded when its run of rows starts: met before means split. Rows
            # without an id are each refused alone, so they never split a ticket.
            if self.contiguous and ticket is not None and self.done.add(ticket):
                self.contiguous = False
            self.current = ticket

    def add_chunk(self, chunk: Sequence[tuple[int, Mapping[str, object]]]) -> None:
        """:meth:`add` for each row of ``chunk``, with the same figures: a first pass reads
        every row, so each field is read by C-level maps over the chunk, and each distinct
        value is looked at once (see :meth:`_add_columns`)."""
        self.rows += len(chunk)
        read = self.read
        rows = [row for _, row in chunk]
        if read._filters:
            rows = [row for row in rows if read.keep(row)]
        self._add_columns(
            list(map(self._ticket, rows)),
            list(map(self._time, rows)),
            [list(map(get, rows)) for get in self._status],
            list(map(self._priority, rows)) if self._priority is not None else None,
        )

    def add_records(self, header: Sequence[str], records: Sequence[Sequence[object]]) -> None:
        """:meth:`add_chunk` for records given as lists of fields in the order of ``header``
        (a CSV file's): each column read by position, no mapping built per record. Only for
        a mapping without a filter."""
        assert not self.read._filters  # the filter reads mappings: add_chunk reads them
        self.rows += len(records)
        where = {name: i for i, name in enumerate(header)}

        def column(name: str) -> list[object]:
            i = where.get(name)
            return (
                [None] * len(records) if i is None else list(map(operator.itemgetter(i), records))
            )

        m = self.read.m
        self._add_columns(
            column(m.ticket),
            column(m.time),
            [column(c) for c in m.status or ()],
            column(m.priority) if m.priority else None,
        )

    def _add_columns(
        self,
        ids: list[object],
        times: list[object],
        statuses: list[list[object]],
        priorities: list[object] | None,
    ) -> None:
        """The figures of the kept rows whose ticket ids, times, status columns and
        priorities these are. A field whose values the quick way cannot read exactly
        (anything but text, or times that are not aware datetimes with a fixed offset or
        local times) is read value by value, as :meth:`add` reads it."""
        read = self.read
        # Runs of one raw value (by type too: 0 and False are equal, not the same text);
        # _run compares their texts, as add does row by row.
        for (_, ticket), _ in itertools.groupby(zip(map(type, ids), ids, strict=True)):
            self._run(_text(ticket))
        if statuses:
            found = Counter(zip(*statuses, strict=True))
            if all(type(v) is str or v is None for values in found for v in values):
                for values, n in found.items():
                    status = read._status(values)
                    if status is not None:
                        self.statuses[status] += n
            else:  # 1, 1.0 and True are one key to a Counter, three texts to a status
                self.statuses.update(filter(None, map(read._status, zip(*statuses, strict=True))))
        if priorities is not None:
            seen = Counter(priorities)
            if all(type(v) is str or v is None for v in seen):
                for value, n in seen.items():
                    if value:
                        self.priorities[value] += n  # type: ignore[index]
            else:
                self.priorities.update(filter(None, map(_text, priorities)))
        latest = self._latest(times)
        if latest is None:
            column = read.m.time
            for value in times:
                try:  # a row's line only names it in an error, which a first pass skips
                    at: int | None = read.instant_us({column: value}, 0)
                except (_Problem, ServiceKitError):
                    continue
                if self.last is None or at > self.last:  # type: ignore[operator]
                    self.last = at
        elif latest >= 0 and (self.last is None or latest > self.last):
            self.last = latest

    def _latest(self, times: list[object]) -> int | None:
        """The latest of ``times`` in microseconds (-1 for none), when every one is an
        aware datetime with a fixed offset (or ISO 8601 text of one): compared as
        datetimes, by their instants. ``None`` when they must be read one by one."""
        if not times:
            return -1
        kinds = set(map(type, times))
        if kinds == {str}:
            if self.read.m.time_format is not None:
                return None
            try:
                parsed = list(map(_dt.datetime.fromisoformat, map(str.strip, times)))  # type: ignore[arg-type]
            except ValueError:
                return None
        elif kinds <= _DATETIMES:
            parsed = times  # type: ignore[assignment]
        else:
            return None
        zones = set(map(type, map(_TZINFO, parsed)))
        if zones <= FIXED_ZONES:  # one offset each: comparing them compares instants
            return to_micros(max(parsed))
        if zones == {type(None)} and self.read.zone is not None:
            # Local times: away from a fold or gap (whose rows a first pass skips), a later
            # wall time is a later instant, so the latest is the latest wall time, when it
            # is one instant itself.
            try:
                return to_micros(self.read._localize(max(parsed), 0))
            except _Problem:
                return None
        return None

    def result(self) -> SourceScan:
        self.done.close()
        last_at = None
        if self.last is not None:
            last_at = pendulum.from_timestamp(self.last / 1_000_000, tz="UTC")
            last_at = last_at.set(microsecond=self.last % 1_000_000)
        return SourceScan(
            self.rows, last_at, self.contiguous, dict(self.statuses), dict(self.priorities)
        )


_UNSEEN: Final = object()
_DATETIMES: Final = frozenset({_dt.datetime, pendulum.DateTime})
_TZINFO: Final = operator.attrgetter("tzinfo")
_SCAN_CHUNK: Final = 1_024
_ONE_MICROSECOND: Final = _dt.timedelta(microseconds=1)
_ASSIGNMENT: Final = ("group", "agent", "tier")
_UNASSIGNED: Final[tuple[str | None, ...]] = (None, None, None)
_REMEMBER_MAX: Final = 4_096


def _spool(db: sqlite3.Connection, batch: list[tuple[int, str | None, bytes]]) -> None:
    db.executemany("INSERT INTO rows VALUES (?, ?, ?)", batch)
    db.executemany(
        "INSERT OR IGNORE INTO firsts VALUES (?, ?)",
        ((ticket, seq) for seq, ticket, _ in batch if ticket is not None),
    )


def _groups(
    spooled: Iterable[tuple[int, str | None, bytes]],
) -> Iterator[tuple[str | None, list[tuple[int, Mapping[str, object]]]]]:
    """Consecutive spooled rows with the same key, as one ticket's rows."""
    for (_, ticket), rows in itertools.groupby(spooled, key=operator.itemgetter(0, 1)):
        yield ticket, [pickle.loads(data) for _, _, data in rows]  # our own temporary file


def _remember(cache: dict[Any, Any], key: object, value: object) -> object:
    if len(cache) >= _REMEMBER_MAX:
        cache.clear()
    cache[key] = value
    return value


class _Problem(Exception):
    def __init__(self, line: int, rule: str, message: str, fix: str) -> None:
        super().__init__(message)
        self.line, self.rule, self.message, self.fix = line, rule, message, fix


def _text(value: object) -> str | None:
    if type(value) is str:
        return value or None
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    return text if text != "" else None


def _in_zone(wall: _dt.datetime, zone: pendulum.FixedTimezone) -> pendulum.DateTime:
    """The wall time of ``wall`` in ``zone``, the offset it was written with."""
    return pendulum.DateTime(  # the zone positional: quicker than by keyword
        wall.year,
        wall.month,
        wall.day,
        wall.hour,
        wall.minute,
        wall.second,
        wall.microsecond,
        zone,
    )


class _RowReader:
    """Reads one row's fields through a mapping."""

    def __init__(self, mapping: SourceMapping) -> None:
        self.m = mapping
        self.zone = get_timezone(mapping.timezone) if mapping.timezone else None
        # A standard-library offset -> its pendulum zone and its microseconds.
        self._fixed: dict[_dt.tzinfo, tuple[pendulum.FixedTimezone, int]] = {}
        # Which assignment fields to read, and the tier rule: decided once, used per row.
        # Where each field that makes an assignment sits in (group, agent, tier).
        self.assign_on = tuple(_ASSIGNMENT.index(f) for f in mapping.assignment_on)
        self._filters = tuple(mapping.filter.items())
        # A log holds few distinct statuses and groups, read on every row: each text is
        # joined or matched once (bounded, for a column that holds ids).
        self._statuses: dict[tuple[str, ...], str | None] = {}
        self._tiers: dict[str, str | None] = {}

    def ticket(self, row: Mapping[str, object]) -> str | None:
        return _text(row.get(self.m.ticket))

    def keep(self, row: Mapping[str, object]) -> bool:
        filters = self._filters
        return not filters or all(_text(row.get(col)) in allowed for col, allowed in filters)

    def status(self, row: Mapping[str, object]) -> str | None:
        columns = self.m.status
        if columns is None:
            return None
        values = tuple(map(row.get, columns))
        known = self._statuses
        # Only text is remembered (1, 1.0 and True are equal), so a hit is text: asked first.
        found = known.get(values, _UNSEEN)  # type: ignore[arg-type]
        if found is _UNSEEN:
            for value in values:
                if type(value) is not str:
                    return self._status(values)
            found = _remember(known, values, self._status(values))
        return found  # type: ignore[return-value]

    def _status(self, values: Iterable[object]) -> str | None:
        parts = [_text(v) for v in values]
        if any(p is None for p in parts):
            return None
        return self.m.status_separator.join(parts)  # type: ignore[arg-type]

    def tier_of(self, group: str) -> str | None:
        """The mapping's ``tier_of``, remembered per group."""
        found = self._tiers.get(group, _UNSEEN)
        if found is _UNSEEN:
            found = _remember(self._tiers, group, self.m.tier_of(group))
        return found  # type: ignore[return-value]

    def priority(self, row: Mapping[str, object]) -> str | None:
        return _text(row.get(self.m.priority)) if self.m.priority else None

    def instant_us(self, row: Mapping[str, object], line: int) -> int:
        """``to_micros(self.instant(row, line))``: a time written as ISO 8601 text with its
        offset (most exports) is not built as a pendulum value (a first pass reads only the
        instant)."""
        value = row.get(self.m.time)
        if type(value) is str and self.m.time_format is None:
            try:
                parsed = _dt.datetime.fromisoformat(value.strip())
            except ValueError:
                parsed = None  # instant() says what is wrong
            if parsed is not None and type(parsed.tzinfo) is _dt.timezone:
                return to_micros(parsed)
        return to_micros(self.instant(row, line))

    def moment(self, row: Mapping[str, object], line: int) -> tuple[pendulum.DateTime, int, bool]:
        """``instant_micros(self.instant(row, line))``, without the checks that the times most
        exports hold do not need: ISO 8601 text with a UTC offset met before (CSV, JSON
        Lines), and pendulum values in a fixed offset (XES)."""
        value = row.get(self.m.time)
        kind = type(value)
        if kind is pendulum.DateTime:
            if type(value.tzinfo) is pendulum.FixedTimezone:  # type: ignore[attr-defined]
                return instant_micros(value)
        elif kind is str and self.m.time_format is None:
            try:
                parsed = _dt.datetime.fromisoformat(value.strip())  # type: ignore[attr-defined]
            except ValueError:
                parsed = None  # instant() says what is wrong
            if parsed is not None:
                tz = parsed.tzinfo
                if tz is None:
                    return self._local_moment(parsed, line)
                known = self._fixed.get(tz) if type(tz) is _dt.timezone else None
                if known is not None:
                    fixed, offset_us = known
                    # A fixed offset: the instant is the wall time less the offset.
                    micros = (
                        (
                            (parsed.toordinal() - EPOCH_ORDINAL) * 86400
                            + parsed.hour * 3600
                            + parsed.minute * 60
                            + parsed.second
                        )
                        * MICROS_PER_SECOND
                        + parsed.microsecond
                        - offset_us
                    )
                    return _in_zone(parsed, fixed), micros, REBUILD_MIN < micros < REBUILD_MAX
        elif kind is _dt.datetime and value.tzinfo is None:  # type: ignore[attr-defined]
            return self._local_moment(value, line)  # type: ignore[arg-type]
        return instant_micros(self.instant(row, line))

    def _local_moment(self, naive: _dt.datetime, line: int) -> tuple[pendulum.DateTime, int, bool]:
        """:meth:`moment` of a time without an offset: on a day the mapping's zone keeps one
        offset throughout, every wall time is one instant, so there is no fold or gap to ask
        about (``instant_micros`` of the time in the zone); other days as :meth:`_localize`."""
        zone = self.zone
        if zone is not None and steady_day(zone, naive):
            return instant_micros(naive.replace(tzinfo=zone))
        return instant_micros(self._localize(naive, line))

    def instant(self, row: Mapping[str, object], line: int) -> pendulum.DateTime:
        value = row.get(self.m.time)
        if value is None or value == "":
            raise _Problem(
                line,
                "missing-time",
                f"no time in column {self.m.time!r}",
                "every row needs its instant; drop the row or fill the column",
            )
        parsed: object = value
        if isinstance(value, str):
            try:
                if self.m.time_format is None:
                    parsed = _dt.datetime.fromisoformat(value.strip())
                else:
                    parsed = _dt.datetime.strptime(value.strip(), self.m.time_format)
            except ValueError:
                how = self.m.time_format or "ISO 8601"
                raise _Problem(
                    line,
                    "bad-time",
                    f"{value!r} in column {self.m.time!r} is not a {how} time",
                    "set time_format in the mapping to the export's strptime format",
                ) from None
        if not isinstance(parsed, _dt.datetime):
            raise _Problem(
                line,
                "bad-time",
                f"{value!r} in column {self.m.time!r} is not a time",
                "the time column must hold text or datetimes",
            )
        tz = parsed.tzinfo
        if type(tz) is _dt.timezone and type(parsed) is not pendulum.DateTime:  # (an offset)
            # Most exports write fixed offsets: one pendulum zone per offset, same wall time.
            known = self._fixed.get(tz)
            if known is None:
                offset = tz.utcoffset(None)
                if offset.microseconds or offset % _dt.timedelta(seconds=1):
                    return as_instant(parsed)
                fixed = pendulum.FixedTimezone(int(offset.total_seconds()))
                known = self._fixed[tz] = (fixed, offset // _ONE_MICROSECOND)
            return _in_zone(parsed, known[0])
        if tz is None or parsed.utcoffset() is None:
            return self._localize(parsed, line)
        if type(parsed) is pendulum.DateTime:
            return parsed
        return as_instant(parsed)

    def _localize(self, naive: _dt.datetime, line: int) -> pendulum.DateTime:
        if self.zone is None:
            raise _Problem(
                line,
                "naive-time",
                f"{naive.isoformat()} has no UTC offset and the mapping names no zone",
                "set timezone = '<IANA zone the export was written in>' in the mapping",
            )
        early = naive.replace(tzinfo=self.zone, fold=0)
        late = naive.replace(tzinfo=self.zone, fold=1)
        if early.utcoffset() != late.utcoffset():
            back = early.astimezone(_dt.UTC).astimezone(self.zone).replace(tzinfo=None)
            what = "happens twice (the clocks went back)" if back == naive else "never happens"
            raise _Problem(
                line,
                "ambiguous-time",
                f"{naive.isoformat()} {what} in {self.zone.name}",
                "export instants with their UTC offset so DST changes are unambiguous",
            )
        return as_instant(early)

    def public(self, row: Mapping[str, object], line: int) -> bool:
        if self.m.public is None:
            return True
        value = row.get(self.m.public)
        if isinstance(value, bool):
            return value
        text = (_text(value) or "").strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise _Problem(
            line,
            "bad-value",
            f"{value!r} in column {self.m.public!r} is not true or false",
            "write the public column as true/false, yes/no or 1/0",
        )

    def order(self, row: Mapping[str, object], line: int) -> int:
        assert self.m.order is not None
        value = row.get(self.m.order)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = _text(value)
        if text is not None and text.strip().lstrip("-").isdigit():
            return int(text)
        raise _Problem(
            line,
            "bad-order",
            f"{value!r} in order column {self.m.order!r} is not a whole number",
            "the order column must count each ticket's changes (0, 1, 2, ...)",
        )


def _moves(lifecycle: Lifecycle) -> dict[tuple[str, str], _Route]:
    """(from, to) -> the route of the first trigger that makes that move (a handover for
    from == to), as the lifecycle's machine resolves it (what ``Ticket.fire`` would)."""
    moves: dict[tuple[str, str], _Route] = {}
    for (source, trigger), tr in lifecycle._table.items():
        dest = source if tr.dest == SAME else tr.dest
        if (source, dest) not in moves:
            route = lifecycle._route(source, trigger)
            assert route is not None  # the machine is built from the same table
            moves[(source, dest)] = route
    return moves


class TicketReader:
    """Tickets read from a source through a mapping, streamed.

    Iterate it for the tickets; afterwards :attr:`stats` and :attr:`rejections` say
    what was read and what was left out. See :func:`read_tickets`.
    """

    def __init__(
        self,
        source: RowSource,
        mapping: SourceMapping,
        *,
        lenient: bool = False,
        lifecycle: Lifecycle | None = None,
    ) -> None:
        self.source = source
        self.mapping = mapping
        self.lenient = lenient
        self.lifecycle = lifecycle if lifecycle is not None else mapping.build_lifecycle()
        self._read = _RowReader(mapping)
        self._moves = _moves(self.lifecycle)
        self._statuses = {s.name for s in self.lifecycle.statuses}
        self._scan: SourceScan | None = None
        self._scanned = False
        self._keeping = False  # the first pass is building tickets to keep
        self._kept: _Kept | None = None
        self._counts: Counter[str] = Counter()
        self._kinds: Counter[str] = Counter()
        self._rejections: list[Rejection] = []

    # -- first pass ----------------------------------------------------------------------

    def scan(self) -> SourceScan:
        """A first pass: row count, latest instant, grouping, statuses and priorities seen.

        On a grouped source (XES) the first pass also builds the tickets while they are few
        (up to a quarter of a million events), and the next iteration hands those out
        instead of reading the source again; a larger source is read again, so memory stays
        bounded.

        Raises:
            UnmappedStatusError: the source holds statuses the mapping does not map (all
                listed, with a snippet to paste).
        """
        if self._scan is None:
            tally = _ScanTally(self._read)
            if isinstance(self.source, CsvSource) and not self._read._filters:
                # A CSV file keeps no tickets: its columns are read by position.
                for _, records, header in self.source.record_batches():
                    tally.add_records(header, records)
            else:
                self._tally_rows(tally)
            self._scan = tally.result()
        self._check_statuses(self._scan.statuses)
        return self._scan

    def _tally_rows(self, tally: _ScanTally) -> None:
        """Tally every row of the source, a chunk at a time; the first pass over a grouped
        source also keeps the tickets it builds from them."""
        rows = iter(self.source.rows())
        chunk: list[tuple[int, Mapping[str, object]]] = []

        def tallied() -> Iterator[tuple[int, Mapping[str, object]]]:
            for item in rows:
                chunk.append(item)
                if len(chunk) >= _SCAN_CHUNK:
                    tally.add_chunk(chunk)
                    chunk.clear()
                yield item

        # Only the first pass keeps tickets: a later one (listing unmapped statuses in the
        # middle of an iteration) must not touch the iteration's counts.
        if self.source.grouped and not self._scanned:
            self._kept = self._keep(tallied())
        self._scanned = True
        tally.add_chunk(chunk)  # the rows the kept pass took but did not tally
        while chunk := list(itertools.islice(rows, _SCAN_CHUNK)):
            tally.add_chunk(chunk)

    def _keep(self, rows: Iterator[tuple[int, Mapping[str, object]]]) -> _Kept | None:
        """The tickets of ``rows`` with the counts of reading them, or ``None`` when they
        hold more than ``_KEEP_EVENTS`` events or a strict read would stop (the next
        iteration then reads the source again, and raises where it always did)."""
        self._keeping = True
        tickets: list[Ticket] = []
        events = 0
        complete = False
        counts = (self._counts, self._kinds, self._rejections)
        try:
            for ticket in self._tickets(self._grouped_rows(self._kept_rows(rows))):
                tickets.append(ticket)
                events += len(ticket)
                if events > _KEEP_EVENTS:
                    break
            else:
                complete = True
        except _Abandon:
            pass
        finally:
            # Counts start from nothing when the tickets are iterated, kept or read again
            # (and when the source failed under the first pass).
            self._keeping = False
            self._counts, self._kinds, self._rejections = Counter(), Counter(), []
        return _Kept(tickets, *counts) if complete else None

    def _check_statuses(self, seen: Iterable[str]) -> None:
        m = self.mapping
        if m.statuses:
            unmapped = sorted(s for s in seen if s not in m.statuses)
            where = "[statuses]"
        else:
            unmapped = sorted(s for s in seen if s not in self._statuses)
            where = "[categories]" if m.categories else f"lifecycle {m.lifecycle!r}"
        if not unmapped:
            return
        if m.statuses:
            targets = sorted(self._statuses)
            lines = [f'"{s}" = "{targets[0]}"  # one of {targets}' for s in unmapped]
            snippet = "[statuses]\n" + "\n".join(lines)
        elif m.categories:
            snippet = "[categories]\n" + "\n".join(
                f'"{s}" = "open"  # or {_CATEGORY_HINT}' for s in unmapped
            )
        else:
            snippet = "[statuses]\n" + "\n".join(
                f'"{s}" = "{self.lifecycle.initial}"  # one of {sorted(self._statuses)}'
                for s in unmapped
            )
        raise UnmappedStatusError(
            f"{len(unmapped)} status value(s) of {self.source.describe()} are not in the "
            f"mapping's {where}: {unmapped}. Add them, e.g.:\n{snippet}",
            statuses=tuple(unmapped),
            snippet=snippet,
        )

    # -- the tickets ---------------------------------------------------------------------

    @property
    def stats(self) -> ReadStats:
        """Counts of what was read so far (final once iteration ends)."""
        return ReadStats(**self._counts)

    @property
    def event_kinds(self) -> Mapping[str, int]:
        """How many events of each kind the accepted tickets hold (``"agent_replied"``...)."""
        return dict(self._kinds)

    @property
    def rejections(self) -> tuple[Rejection, ...]:
        """The tickets left out so far, in the order they were met."""
        return tuple(self._rejections)

    def __iter__(self) -> Iterator[Ticket]:
        kept, self._kept = self._kept, None  # handed out once: tickets are mutable
        if kept is not None:
            self._counts, self._kinds, self._rejections = kept.counts, kept.kinds, kept.rejections
            yield from kept.tickets
            return
        self._counts.clear()
        self._kinds.clear()
        self._rejections.clear()
        grouped = self.source.grouped or self.scan().contiguous
        rows = self._kept_rows(self.source.rows())
        yield from self._tickets(self._grouped_rows(rows) if grouped else self._spooled_rows(rows))

    def _tickets(
        self, groups: Iterable[tuple[str | None, list[tuple[int, Mapping[str, object]]]]]
    ) -> Iterator[Ticket]:
        for ticket_id, rows in groups:
            self._counts["tickets"] += 1
            try:
                ticket = self._build(ticket_id, rows)
            except _Problem as problem:
                self._reject(ticket_id, len(rows), problem)
                continue
            self._counts["tickets_accepted"] += 1
            self._counts["events"] += len(ticket)
            self._kinds.update(ticket._kinds())
            yield ticket

    def _reject(self, ticket_id: str | None, rows: int, problem: _Problem) -> None:
        who = f"ticket {ticket_id!r}" if ticket_id is not None else "a row with no ticket id"
        where = f"{self.source.describe()}, line {problem.line}"
        if not self.lenient and self._keeping:
            raise _Abandon
        if not self.lenient:
            raise SourceRowError(
                f"{where}: {who}: {problem.message}; {problem.fix} (or read with --lenient to "
                "skip such tickets)",
                ticket=ticket_id,
                line=problem.line,
                rule=problem.rule,
                fix=problem.fix,
            )
        self._counts["tickets_rejected"] += 1
        self._counts["rows_rejected"] += rows
        self._rejections.append(
            Rejection(ticket_id, problem.line, problem.rule, problem.message, problem.fix)
        )

    def _kept_rows(
        self, rows: Iterable[tuple[int, Mapping[str, object]]]
    ) -> Iterator[tuple[int, Mapping[str, object]]]:
        read, counts = self._read, self._counts
        if not read._filters:  # every row kept: counted as it passes
            for item in rows:
                counts["rows"] += 1
                yield item
            return
        for line, row in rows:
            counts["rows"] += 1
            if read.keep(row):
                yield line, row
            else:
                counts["rows_ignored"] += 1

    def _grouped_rows(
        self, rows: Iterable[tuple[int, Mapping[str, object]]]
    ) -> Iterator[tuple[str | None, list[tuple[int, Mapping[str, object]]]]]:
        # A finished scan that found every ticket's rows together leaves nothing to check.
        done = None if self._scan is not None and self._scan.contiguous else SeenIds()
        try:
            current: list[tuple[int, Mapping[str, object]]] = []
            current_id: str | None = None
            for line, row in rows:
                ticket = self._read.ticket(row)
                if ticket is None:
                    yield from self._flush(current_id, current, done)
                    current, current_id = [], None
                    self._counts["tickets"] += 1
                    self._reject(
                        None,
                        1,
                        _Problem(
                            line,
                            "missing-ticket",
                            f"no ticket id in column {self.mapping.ticket!r}",
                            "every row needs the id of its ticket",
                        ),
                    )
                    continue
                if ticket != current_id:
                    yield from self._flush(current_id, current, done)
                    current, current_id = [], ticket
                current.append((line, row))
            yield from self._flush(current_id, current, done)
        finally:
            if done is not None:
                done.close()

    def _flush(
        self,
        ticket: str | None,
        rows: list[tuple[int, Mapping[str, object]]],
        done: SeenIds | None,
    ) -> Iterator[tuple[str | None, list[tuple[int, Mapping[str, object]]]]]:
        if not rows:
            return
        if done is not None and ticket is not None and done.add(ticket):
            self._counts["tickets"] += 1
            self._reject(
                ticket,
                len(rows),
                _Problem(
                    rows[0][0],
                    "duplicate-ticket",
                    "the ticket's rows appear in two separate places of a source read as grouped",
                    "keep each ticket's rows together (one XES trace per ticket)",
                ),
            )
            return
        yield ticket, rows

    def _spooled_rows(
        self, rows: Iterable[tuple[int, Mapping[str, object]]]
    ) -> Iterator[tuple[str | None, list[tuple[int, Mapping[str, object]]]]]:
        # Rows of interleaved tickets are grouped in a temporary SQLite file, so memory
        # holds one ticket at a time however large the export. Where each ticket first
        # appears is kept there too (a dict of it grows with the tickets). Tickets come
        # out in that order, each ticket's rows in source order, a row without an id
        # alone at its own place.
        with tempfile.TemporaryDirectory(prefix="servicekit-") as folder:
            db = sqlite3.connect(Path(folder) / "rows.sqlite")
            try:
                db.execute("PRAGMA journal_mode = OFF")
                db.execute("PRAGMA synchronous = OFF")
                db.execute("CREATE TABLE rows (seq INTEGER PRIMARY KEY, ticket TEXT, data BLOB)")
                db.execute(
                    "CREATE TABLE firsts (ticket TEXT PRIMARY KEY, seq INTEGER) WITHOUT ROWID"
                )
                batch: list[tuple[int, str | None, bytes]] = []
                for seq, (line, row) in enumerate(rows):
                    batch.append((seq, self._read.ticket(row), pickle.dumps((line, dict(row)))))
                    if len(batch) >= _SPOOL_BATCH:
                        _spool(db, batch)
                        batch.clear()
                _spool(db, batch)
                db.execute("CREATE INDEX firsts_seq ON firsts (seq)")
                db.execute("CREATE INDEX rows_ticket ON rows (ticket, seq)")
                # CROSS JOIN keeps firsts outside: read in their order, no sort of the rows.
                tickets = db.execute(
                    "SELECT f.seq, r.ticket, r.data FROM firsts AS f CROSS JOIN rows AS r"
                    " ON r.ticket = f.ticket ORDER BY f.seq, r.seq"
                )
                lone = db.cursor().execute(
                    "SELECT seq, NULL, data FROM rows WHERE ticket IS NULL ORDER BY seq"
                )
                yield from _groups(heapq.merge(tickets, lone, key=operator.itemgetter(0)))
            finally:
                db.close()

    # -- one ticket ----------------------------------------------------------------------

    def _build(
        self, ticket_id: str | None, rows: Sequence[tuple[int, Mapping[str, object]]]
    ) -> Ticket:
        if ticket_id is None:
            raise _Problem(
                rows[0][0],
                "missing-ticket",
                f"no ticket id in column {self.mapping.ticket!r}",
                "every row needs the id of its ticket",
            )
        read, m = self._read, self.mapping
        if m.order is not None:
            keyed = [(read.order(row, line), n, line, row) for n, (line, row) in enumerate(rows)]
            keyed.sort(key=lambda k: (k[0], k[1]))
            rows = [(line, row) for _, _, line, row in keyed]
        ticket: Ticket | None = None
        assigned = _UNASSIGNED  # the (group, agent, tier) of the latest assignment
        kinds, kind_column = m.kinds, m.kind
        for line, row in rows:
            kind = (
                kinds.get(_text(row.get(kind_column)) or "", "snapshot")
                if kind_column
                else "snapshot"
            )
            if kind == "ignore":
                self._counts["rows_ignored"] += 1
                continue
            moment = read.moment(row, line)
            try:
                if ticket is None:
                    ticket = self._open(ticket_id, row, line, moment[0])
                assigned = self._apply(ticket, kind, row, line, moment, assigned)
            except UnmappedStatusError:
                raise
            except OutOfOrderEventError as exc:
                raise _Problem(
                    line,
                    "out-of-order",
                    str(exc),
                    "sort the export by time within each ticket, or name the column that "
                    "orders each ticket's changes (order = ...)",
                ) from None
            except TransitionError as exc:
                raise _Problem(
                    line,
                    "invalid-transition",
                    str(exc),
                    "map the statuses so the lifecycle allows this move, or build the "
                    "lifecycle from [categories] (every observed move allowed)",
                ) from None
            except ServiceKitError as exc:
                raise _Problem(
                    line, "bad-value", str(exc), "correct the value in the export"
                ) from None
        if ticket is None:
            raise _Problem(
                rows[0][0],
                "bad-value",
                "every row of the ticket is ignored",
                "keep at least the ticket's first row",
            )
        return ticket

    def _open(
        self, ticket_id: str, row: Mapping[str, object], line: int, at: pendulum.DateTime
    ) -> Ticket:
        m, read = self.mapping, self._read
        raw = read.priority(row) or m.default_priority
        if raw is None:
            raise _Problem(
                line,
                "missing-priority",
                f"the ticket's first row has no priority (column {m.priority!r})"
                if m.priority
                else "the mapping names no priority column",
                "fill the priority of the ticket's first row, or name the priority column",
            )
        attributes: dict[str, Any] = {}
        for column in m.attributes:
            value = row.get(column)
            if value is None or value == "":
                continue
            if not isinstance(value, str | int | float | bool):
                value = str(value)
            attributes[column] = value
        zone = _text(row.get(m.customer_timezone)) if m.customer_timezone else None
        opened = TicketOpened(
            at=at,
            actor=self._actor(row),
            ticket_id=ticket_id,
            priority=self._priority(raw, line),
            channel=_text(row.get(m.channel)) if m.channel else None,
            customer_timezone=zone,
            attributes=attributes,
        )
        return Ticket(self.lifecycle, opened)

    def _actor(self, row: Mapping[str, object]) -> str | None:
        return _text(row.get(self.mapping.actor)) if self.mapping.actor else None

    def _priority(self, raw: str, line: int) -> str:
        table = self.mapping.priorities
        if not table:
            return raw
        if raw not in table:
            raise _Problem(
                line,
                "bad-value",
                f"priority {raw!r} is not in the mapping's [priorities] ({sorted(table)})",
                f'add "{raw}" = "<priority>" under [priorities]',
            )
        return table[raw]

    def _apply(
        self,
        ticket: Ticket,
        kind: str,
        row: Mapping[str, object],
        line: int,
        moment: tuple[pendulum.DateTime, int, bool],
        assigned: tuple[str | None, ...],
    ) -> tuple[str | None, ...]:
        """Record what ``row`` says happened at ``moment`` (``instant_micros`` of its time);
        returns the ticket's latest assignment (``assigned``, the one before the row, when
        the row records none)."""
        m, read = self.mapping, self._read
        at = moment[0]
        actor = _text(row.get(m.actor)) if m.actor else None  # _actor, inline: every row
        snapshot = kind == "snapshot"
        if snapshot or kind == "priority":
            raw = _text(row.get(m.priority)) if m.priority else None  # read.priority, inline
            if raw is not None:
                priority = self._priority(raw, line) if m.priorities else raw
                if priority != ticket._priority:
                    ticket.record(
                        PriorityChanged(
                            at=at, actor=actor, from_priority=ticket.priority, to_priority=priority
                        )
                    )
        if snapshot or kind == "assignment":
            group = _text(row.get(m.group)) if m.group is not None else None
            agent = _text(row.get(m.agent)) if m.agent is not None else None
            tier = _text(row.get(m.tier)) if m.tier is not None else None
            if tier is None and group is not None:
                # read.tier_of, inline when the group is known
                tier = read._tiers.get(group, _UNSEEN)  # type: ignore[arg-type]
                if tier is _UNSEEN:
                    tier = read.tier_of(group)
            values = (group, agent, tier)
            changed = False
            for i in read.assign_on:
                value = values[i]
                if value is not None and value != assigned[i]:
                    changed = True
                    break
            if changed or (kind == "assignment" and any(values)):
                # Every field is text or None and the instant is checked: no validators.
                ticket._record(assigned_event(at, actor, group, agent, tier), moment[1])
                assigned = values
        if snapshot or kind == "status":
            raw = read.status(row)
            if raw is not None:
                status = m.statuses.get(raw, raw)
                if status == ticket._status and m.lifecycle is not None:
                    pass  # a repeated status is no change in a ready-made lifecycle
                elif (route := self._moves.get((ticket._status, status))) is not None:
                    # Ticket.fire, less what is known here: the route, the instant in
                    # microseconds, and text or None for actor and role.
                    role = _text(row.get(m.role)) if m.role else None
                    ticket._fire_route(route, *moment, actor, role)
                else:
                    self._refuse_move(ticket, status, line)
        elif kind == "agent_reply":
            ticket.record(AgentReplied(at=at, actor=actor, public=read.public(row, line)))
        elif kind == "agent_note":
            ticket.record(AgentReplied(at=at, actor=actor, public=False))
        elif kind == "customer_reply":
            ticket.record(CustomerReplied(at=at, actor=actor))
        return assigned

    def _refuse_move(self, ticket: Ticket, status: str, line: int) -> None:
        """Raise what is wrong with moving ``ticket`` to ``status``: a status the lifecycle
        lacks, or a move it does not allow."""
        if status not in self._statuses:
            if self._keeping:
                raise _Abandon  # the first pass goes on and lists every unmapped status
            self._scan = None
            self.scan()  # lists every unmapped status of the source
            self._check_statuses([status])
        raise _Problem(
            line,
            "invalid-transition",
            f"lifecycle {self.lifecycle.name!r} has no move from {ticket.status!r} to {status!r}",
            "build the lifecycle from [categories] (every observed move allowed)",
        )


def read_tickets(
    source: RowSource,
    mapping: SourceMapping,
    *,
    lenient: bool = False,
    lifecycle: Lifecycle | None = None,
) -> TicketReader:
    """Read a team's export as tickets, streamed.

    Args:
        source: the rows (see :func:`open_source`).
        mapping: what the columns mean.
        lenient: reject a ticket whose rows break a rule and go on (the rejections are
            listed on the reader); otherwise the first one raises.
        lifecycle: the lifecycle to replay into (default: the one the mapping builds).

    Returns:
        A :class:`TicketReader`: iterate it for :class:`~servicekit.Ticket` values, then
        read its ``stats`` and ``rejections``.

    Raises:
        SourceRowError: (strict mode) a row breaks a rule; says the line and the fix.
        UnmappedStatusError: statuses the mapping does not map (all listed).
        SourceError: the source cannot be read.
    """
    if not isinstance(mapping, SourceMapping):
        raise SourceError(f"expected a SourceMapping, got {type(mapping).__name__}")
    return TicketReader(source, mapping, lenient=lenient, lifecycle=lifecycle)
