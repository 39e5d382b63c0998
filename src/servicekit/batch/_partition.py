"""The partition function: a pandas DataFrame of events in, a DataFrame of compliance rows out.

Every engine that hands a function whole tickets (Dask after a shuffle by ticket, Spark's
``groupBy(ticket).applyInPandas``, a plain loop over files) calls the same function and gets
rows of the same schema, so results from any engine concatenate and add up to the same report.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, Final

import attrs
import pandas as pd

from servicekit._lifecycle import Lifecycle
from servicekit._time import to_micros
from servicekit.protocols import (
    ComplianceReport,
    ComplianceRow,
    ComplianceTally,
    ServiceProtocol,
    compliance_rows,
)
from servicekit.sources import DataFrameSource, ReadStats, Rejection, SourceMapping, read_tickets

__all__ = [
    "ROW_SCHEMA",
    "PartitionResult",
    "empty_rows",
    "evaluate_partition",
    "evaluate_partition_result",
    "report_from_rows",
    "rows_to_compliance",
]

ROW_SCHEMA: Final[Mapping[str, str]] = {
    "row": "int64",
    "ticket": "string",
    "metric": "string",
    "priority": "string",
    "month": "string",
    "state": "string",
    "cycles": "int64",
    "breached_cycles": "int64",
    "elapsed_seconds": "float64",
    "target_seconds": "float64",
    "overrun_seconds": "float64",
    "first": "bool",
    "status": "string",
    "category": "string",
    "open": "bool",
    "reopens": "int64",
    "escalations": "int64",
    "promises_kept": "int64",
    "promises_broken": "int64",
    "due_actions": "int64",
}
"""The columns of a rows frame, in order, with their pandas dtypes.

Stable: a change is a release note. ``row`` is the input position of the ticket's first event
(sorting by it gives the order one process reads tickets in); the others are
:class:`~servicekit.protocols.ComplianceRow`'s fields (``target_seconds`` is ``NaN`` when no
cycle started).
"""

_ROW_FIELDS: Final = tuple(a.name for a in attrs.fields(ComplianceRow))
_INT_FIELDS: Final = frozenset(k for k, v in ROW_SCHEMA.items() if v == "int64")
_POSITION: Final = "__servicekit_position"
# Names of zones that are UTC by definition (tzdata links to UTC, no transitions ever).
_UTC_NAMES: Final = frozenset(
    {"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu"}
)


@attrs.frozen
class PartitionResult:
    """What one partition gave: its rows, and what reading it saw (all of it adds up).

    Attributes:
        rows: the rows frame (see :data:`ROW_SCHEMA`).
        stats: what the reader read, accepted and rejected.
        rejections: the tickets a lenient read left out (lines are input positions).
        event_kinds: events of each kind in the accepted tickets.
        after_now: tickets opened after ``now`` (left out, as ``servicekit replay`` does).
    """

    rows: pd.DataFrame
    stats: ReadStats
    rejections: tuple[Rejection, ...]
    event_kinds: Mapping[str, int]
    after_now: int

    @classmethod
    def combine(cls, parts: Iterable[PartitionResult]) -> PartitionResult:
        """One result of many: rows concatenated in input order, counts added up."""
        parts = list(parts)
        frames = [p.rows for p in parts if len(p.rows)]
        rows = (
            pd.concat(frames, ignore_index=True).sort_values("row", kind="stable")
            if frames
            else empty_rows()
        )
        stats: Counter[str] = Counter()
        kinds: Counter[str] = Counter()
        for p in parts:
            stats.update(attrs.asdict(p.stats))
            kinds.update(p.event_kinds)
        return cls(
            rows=rows.reset_index(drop=True),
            stats=ReadStats(**stats),
            rejections=tuple(
                sorted((r for p in parts for r in p.rejections), key=lambda r: r.line)
            ),
            event_kinds=dict(sorted(kinds.items())),
            after_now=sum(p.after_now for p in parts),
        )


def empty_rows() -> pd.DataFrame:
    """A rows frame with no rows, every column of :data:`ROW_SCHEMA` typed (Dask's ``meta``)."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in ROW_SCHEMA.items()})


def evaluate_partition(
    events: pd.DataFrame,
    protocol: ServiceProtocol,
    now: _dt.datetime,
    mapping: SourceMapping,
    *,
    lifecycle: Lifecycle | None = None,
    lenient: bool = False,
    position: str | None = None,
    line: str | None = None,
) -> pd.DataFrame:
    """The compliance rows of every ticket whose events are all in ``events``.

    ``events`` has the columns ``mapping`` names, one row per event, in any order across
    tickets; within a ticket, rows keep the order of ``position`` (a column of distinct input
    positions) or else the frame's order. Rejections of a lenient read give the row's
    ``line`` column (a source line number) or else its position. Tickets opened after
    ``now`` are left out. Pure: no global state, so it runs as is on Dask, Spark
    (``applyInPandas``) or a process pool.

    Returns:
        A frame with the columns and dtypes of :data:`ROW_SCHEMA`, tickets in input order.

    Raises:
        SourceRowError: (unless ``lenient``) a row breaks a rule.
        UnmappedStatusError: statuses the mapping does not map.

    Examples:
        >>> import pandas as pd, pendulum
        >>> from servicekit import BusinessCalendar
        >>> from servicekit.protocols import reactive_protocol
        >>> from servicekit.sources import SourceMapping
        >>> mapping = SourceMapping(ticket="id", time="at", status="status",
        ...     priority="priority", lifecycle="helpdesk", timezone="UTC")
        >>> events = pd.DataFrame({"id": ["A", "A"], "priority": ["P1", "P1"],
        ...     "status": ["new", "solved"],
        ...     "at": ["2025-03-03T09:00:00+00:00", "2025-03-03T10:00:00+00:00"]})
        >>> protocol = reactive_protocol(BusinessCalendar("UTC", "mon-fri 09:00-17:00"))
        >>> rows = evaluate_partition(events, protocol, pendulum.datetime(2025, 3, 4), mapping)
        >>> rows[["ticket", "metric", "state"]].to_dict("records")[-1]
        {'ticket': 'A', 'metric': 'resolution', 'state': 'met'}
    """
    return evaluate_partition_result(
        events,
        protocol,
        now,
        mapping,
        lifecycle=lifecycle,
        lenient=lenient,
        position=position,
        line=line,
    ).rows


def evaluate_partition_result(
    events: pd.DataFrame,
    protocol: ServiceProtocol,
    now: _dt.datetime,
    mapping: SourceMapping,
    *,
    lifecycle: Lifecycle | None = None,
    lenient: bool = False,
    position: str | None = None,
    line: str | None = None,
) -> PartitionResult:
    """:func:`evaluate_partition` with what the read saw (see :class:`PartitionResult`)."""
    now_us = to_micros(now, name="now")
    positions = events[position].to_numpy() if position is not None else range(len(events))
    frame = _fixed_utc(events, mapping.time).assign(**{_POSITION: positions})
    # Each ticket's rows together, in input order: the reader streams them without spooling.
    frame = frame.sort_values([mapping.ticket, _POSITION], kind="stable", na_position="last")
    frame = frame.reset_index(drop=True)
    lines = frame[line if line is not None else _POSITION].tolist()
    first = {
        str(ticket): position
        for ticket, position in frame.groupby(mapping.ticket, sort=False, dropna=True)[_POSITION]
        .min()
        .items()
    }
    reader = read_tickets(
        DataFrameSource(frame.drop(columns=[_POSITION])),
        mapping,
        lenient=lenient,
        lifecycle=lifecycle,
    )
    records: list[dict[str, Any]] = []
    after = 0
    for ticket in reader:
        if to_micros(ticket.opened.at) > now_us:
            after += 1
            continue
        row = int(first[ticket.id])
        report = protocol.evaluate(ticket, now)
        records.extend(
            {"row": row, **r.as_dict()} for r in compliance_rows(protocol, ticket, report)
        )
    rejections = tuple(attrs.evolve(r, line=int(lines[r.line - 1])) for r in reader.rejections)
    return PartitionResult(
        rows=_typed(records),
        stats=reader.stats,
        rejections=rejections,
        event_kinds=dict(reader.event_kinds),
        after_now=after,
    )


def _fixed_utc(events: pd.DataFrame, column: str) -> pd.DataFrame:
    """``events`` with a time column in a zone named UTC held in ``datetime.UTC`` instead.

    Same instants, same wall times: only the zone object changes. The reader builds an
    instant with a fixed offset in one step but asks a named zone's rules for each one, and
    Parquet stores a UTC column as the name "UTC": read back (as every Dask worker reads it),
    it holds ``ZoneInfo("UTC")``, which made a worker 1.3-1.4x slower per event than one
    process given the same events in ``datetime.UTC`` (``benchmarks/batch_bench.py``).
    """
    dtype = events[column].dtype if column in events.columns else None
    if not isinstance(dtype, pd.DatetimeTZDtype) or dtype.tz is _dt.UTC:
        return events
    name = getattr(dtype.tz, "key", None) or getattr(dtype.tz, "zone", None)
    if name not in _UTC_NAMES:
        return events
    return events.assign(**{column: events[column].dt.tz_convert(_dt.UTC)})


def _typed(records: list[dict[str, Any]]) -> pd.DataFrame:
    if not records:
        return empty_rows()
    frame = pd.DataFrame.from_records(records, columns=list(ROW_SCHEMA))
    return frame.astype(dict(ROW_SCHEMA)).sort_values("row", kind="stable").reset_index(drop=True)


def rows_to_compliance(rows: pd.DataFrame) -> list[ComplianceRow]:
    """The rows of a rows frame as :class:`~servicekit.protocols.ComplianceRow` values."""
    out = []
    for record in rows[list(_ROW_FIELDS)].to_dict("records"):
        target = record["target_seconds"]
        record["target_seconds"] = None if target is None or math.isnan(target) else target
        for name in _INT_FIELDS.intersection(record):
            record[name] = int(record[name])
        out.append(ComplianceRow(**record))
    return out


def report_from_rows(
    rows: Any,
    *,
    unmeasurable: Mapping[str, str] | None = None,
    priorities: Iterable[str] = (),
    worst: int = 10,
) -> ComplianceReport:
    """The compliance report ``servicekit replay`` gives, from a rows frame (pandas or Dask).

    Rows are counted in input order (the ``row`` column), as one process reads them, with
    :class:`~servicekit.protocols.ComplianceTally`.

    Args:
        rows: a rows frame (pandas, or a Dask frame, which is computed).
        unmeasurable: metric -> why the log cannot measure it (see
            :func:`~servicekit.protocols.unmeasurable_metrics`).
        priorities: the protocol's priorities, highest first (the report's order).
        worst: how many worst tickets to list.
    """
    frame = rows.compute() if hasattr(rows, "compute") else rows
    frame = frame.sort_values("row", kind="stable")
    tally = ComplianceTally(worst=worst).add_all(rows_to_compliance(frame))
    return tally.report(unmeasurable=unmeasurable, priority_order=tuple(priorities))
