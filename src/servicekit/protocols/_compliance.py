"""Compliance over a history: what a support lead reads after a replay.

Evaluation gives one :class:`ComplianceRow` per ticket and metric (a flat,
engine-neutral record: the same rows come from one process or from Dask
partitions). :class:`ComplianceTally` adds rows up in constant memory and
:meth:`ComplianceTally.report` turns them into a :class:`ComplianceReport`:
attainment per metric and priority, per month, the worst tickets, reopens,
escalations, promises kept and broken, due actions of the tickets still open.

A metric the log cannot measure (it records no agent replies, so no first
response can ever be met) is reported as not measurable, with the reason,
never as cancelled.
"""

from __future__ import annotations

import datetime as _dt
import heapq
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Final

import attrs

from servicekit._events import Assigned, Escalated
from servicekit._lifecycle import Lifecycle
from servicekit._memo import IdentityMemo
from servicekit._status import StatusCategory
from servicekit._ticket import Ticket
from servicekit.followup import PromiseState
from servicekit.protocols._protocol import ProtocolReport, ServiceProtocol
from servicekit.sla import SlaReport, SlaState, SlaStatus

__all__ = [
    "METRIC_STATES",
    "ComplianceReport",
    "ComplianceRow",
    "ComplianceTally",
    "MetricAttainment",
    "WorstTicket",
    "compliance_rows",
    "evaluate_rows",
    "unmeasurable_metrics",
]

METRIC_STATES: Final = ("met", "breached", "open", "cancelled", "not_applicable")
"""The states a ticket x metric row can be in, in report order."""

_FINAL: Final = frozenset({StatusCategory.CLOSED, StatusCategory.CANCELLED})
_DONE: Final = frozenset({StatusCategory.SOLVED, StatusCategory.CLOSED, StatusCategory.CANCELLED})
_ACTIVE: Final = frozenset({SlaState.RUNNING, SlaState.PAUSED})


@attrs.frozen(kw_only=True)
class ComplianceRow:
    """One metric of one ticket, as of ``now``: a flat row for CSV files and data frames.

    Ticket-level columns (``status`` to ``due_actions``) repeat on each of a ticket's
    rows; ``first`` marks the one row per ticket that counts them.

    Attributes:
        ticket: the ticket id.
        metric: the metric's name (``""`` when the protocol has no SLA policy).
        priority: the ticket's priority at ``now``.
        month: the month the ticket was opened, ``YYYY-MM`` in its own offset.
        state: one of :data:`METRIC_STATES`: a breach in any cycle is ``breached``; else
            an active cycle is ``open``; else a met one ``met``; ``cancelled`` when every
            cycle was cancelled; ``not_applicable`` when no cycle started.
        cycles: the metric's cycles.
        breached_cycles: cycles that breached.
        elapsed_seconds: business time used, summed over cycles.
        target_seconds: the target of the last cycle, if any cycle started.
        overrun_seconds: the worst cycle's time past its target (0 when none breached).
        first: the ticket's first row (ticket-level columns count once).
        status: the ticket's status at ``now``.
        category: that status's category.
        open: whether the ticket is neither closed nor cancelled at ``now``.
        reopens: moves out of a solved, closed or cancelled status into a working one.
        escalations: manual escalations plus changes of support tier after the first.
        promises_kept: agent promises kept.
        promises_broken: agent promises broken.
        due_actions: actions due at ``now`` (counted only while the ticket is open).
    """

    ticket: str
    metric: str
    priority: str
    month: str
    state: str
    cycles: int
    breached_cycles: int
    elapsed_seconds: float
    target_seconds: float | None
    overrun_seconds: float
    first: bool
    status: str
    category: str
    open: bool
    reopens: int
    escalations: int
    promises_kept: int
    promises_broken: int
    due_actions: int

    def as_dict(self) -> dict[str, Any]:
        """The row as plain data (the CSV and data-frame columns, in order)."""
        return attrs.asdict(self)


def _ticket_counts(ticket: Ticket) -> tuple[int, int]:
    # Reopens are read from the status moves, escalations from the other events: neither
    # count depends on how the two interleave, and neither needs the events rebuilt.
    done = _DONE_OF(ticket.lifecycle)
    reopens = escalations = 0
    for from_status, to_status in ticket._moves():
        if done[from_status] and not done[to_status]:
            reopens += 1
    tier: str | None = None
    for event in ticket._recorded():
        kind = type(event)
        if kind is Assigned or isinstance(event, Assigned):
            if event.tier is not None:  # type: ignore[attr-defined]
                if tier is not None and event.tier != tier:  # type: ignore[attr-defined]
                    escalations += 1
                tier = event.tier  # type: ignore[attr-defined]
        elif isinstance(event, Escalated):
            escalations += 1
    return reopens, escalations


class _DoneOf(dict[str, bool]):
    """Per status name of a lifecycle, whether it is solved, closed or cancelled: read for
    both ends of every status move of every ticket a replay counts (a name the lifecycle
    does not know raises what ``Lifecycle.category`` raises)."""

    __slots__ = ("_category_of",)

    def __init__(self, lifecycle: Lifecycle) -> None:
        category_of = lifecycle._category_of
        super().__init__((name, category in _DONE) for name, category in category_of.items())
        self._category_of = category_of

    def __missing__(self, name: str) -> bool:
        return self._category_of[name] in _DONE


_DONE_OF: IdentityMemo[Lifecycle, _DoneOf] = IdentityMemo(_DoneOf)


def compliance_rows(
    protocol: ServiceProtocol, ticket: Ticket, report: ProtocolReport
) -> list[ComplianceRow]:
    """The rows of one ticket: one per metric of the protocol's SLA policy.

    ``report`` is the protocol's report on ``ticket`` (``protocol.evaluate(ticket, now)``).
    """
    as_of = ticket if ticket.status == report.status else ticket.as_of(report.now)
    kept = broken = 0
    for fu in report.follow_ups:
        for promise in fu.promises:
            if promise.state is PromiseState.KEPT:
                kept += 1
            elif promise.state is PromiseState.BROKEN:
                broken += 1
    return _rows(protocol, as_of, ticket, report.sla, len(report.actions), kept, broken)


def ticket_rows(
    protocol: ServiceProtocol, ticket: Ticket, now: _dt.datetime
) -> list[ComplianceRow]:
    """``compliance_rows(protocol, ticket, protocol.evaluate(ticket, now))``, without building
    the report's values that rows do not read (a replay evaluates every ticket of a log)."""
    counted = protocol._counted(ticket, now)
    if counted is None:  # a protocol that evaluates in its own way
        return compliance_rows(protocol, ticket, protocol.evaluate(ticket, now))
    as_of, sla, actions, kept, broken = counted
    # As compliance_rows reads the ticket as of the report's instant (as_of is that ticket).
    shown = ticket if ticket.status == as_of.status else as_of
    return _rows(protocol, shown, ticket, sla, actions, kept, broken)


def _rows(
    protocol: ServiceProtocol,
    as_of: Ticket,
    ticket: Ticket,
    sla: SlaReport | None,
    actions: int,
    kept: int,
    broken: int,
) -> list[ComplianceRow]:
    """The rows of ``ticket`` (``as_of``: the ticket whose status, priority and counts they
    show), from what its report says: the SLA report, how many actions are due, how many
    promises were kept and broken."""
    category = as_of.category
    is_open = category not in _FINAL
    category_name = category.value
    reopens, escalations = _ticket_counts(as_of)
    opened_at = ticket.opened.at
    ticket_id, priority, status = ticket.id, as_of.priority, as_of.status
    # strftime's %Y-%m without its format parsing (years are 1 to 9999, unpadded below 1000).
    month = f"{opened_at.year}-{opened_at.month:02d}"
    due_actions = actions if is_open else 0
    policy = protocol.sla
    if policy is None or sla is None:
        found: list[tuple[str, list[SlaStatus]]] = [("", [])]
    else:
        # Each metric's cycles (SlaReport.for_metric of each), the statuses read once.
        by_metric: dict[str, list[SlaStatus]] = {m.name: [] for m in policy.metrics}
        for s in sla.statuses:
            cycles = by_metric.get(s.metric)
            if cycles is not None:
                cycles.append(s)
        found = list(by_metric.items())
    rows = []
    first = True
    for metric, statuses in found:
        state, breached, elapsed, target, overrun = _summary(statuses)
        rows.append(
            ComplianceRow(
                ticket=ticket_id,
                metric=metric,
                priority=priority,
                month=month,
                state=state,
                cycles=len(statuses),
                breached_cycles=breached,
                elapsed_seconds=elapsed,
                target_seconds=target,
                overrun_seconds=overrun,
                first=first,
                status=status,
                category=category_name,
                open=is_open,
                reopens=reopens,
                escalations=escalations,
                promises_kept=kept,
                promises_broken=broken,
                due_actions=due_actions,
            )
        )
        first = False
    return rows


def _seconds(micros: int) -> float:
    """``timedelta(microseconds=micros).total_seconds()``, exactly (it divides by 10**6)."""
    return micros / 10**6


def _summary(statuses: Sequence[SlaStatus]) -> tuple[str, int, float, float | None, float]:
    """A metric's state, breached cycles, elapsed, target and overrun seconds over its
    cycles (see :class:`ComplianceRow`)."""
    if not statuses:
        return "not_applicable", 0, 0, None, 0.0
    breached = [s for s in statuses if s._breached]
    if breached:
        state = "breached"
    elif any(s.state in _ACTIVE for s in statuses):
        state = "open"
    elif any(s.state is SlaState.MET for s in statuses):
        state = "met"
    else:
        state = "cancelled"
    # Seconds straight from the statuses' microseconds (what timedelta.total_seconds gives),
    # without building a pendulum Duration per status.
    overrun = max([_seconds(s._elapsed_us - s._target_us) for s in breached], default=0.0)
    return (
        state,
        len(breached),
        sum([_seconds(s._elapsed_us) for s in statuses]),
        _seconds(statuses[-1]._target_us),
        overrun,
    )


def unmeasurable_metrics(protocol: ServiceProtocol, event_kinds: Iterable[str]) -> dict[str, str]:
    """The protocol's metrics a log with only ``event_kinds`` cannot measure, with the reason.

    A metric is measurable when some event that can meet it occurs in the log, or when a
    status category meets it (resolution is met by solving).
    """
    if protocol.sla is None:
        return {}
    kinds = set(event_kinds)
    found: dict[str, str] = {}
    for metric in protocol.sla.metrics:
        met_by_status = any(o.value == "met" for _, o in metric.on_stop)
        needed = sorted({c.kind for c in metric.met_on})
        if met_by_status or not needed or kinds.intersection(needed):
            continue
        found[metric.name] = (
            f"the log records no {' or '.join(needed)} events, so no {metric.name} can be met"
        )
    return found


@attrs.frozen
class MetricAttainment:
    """Attainment of one metric at one priority (or in one month).

    ``attainment`` is ``met / (met + breached)``, or ``None`` when nothing was decided.
    """

    metric: str
    key: str
    met: int
    breached: int
    open: int
    cancelled: int
    not_applicable: int
    not_measurable: int

    @property
    def attainment(self) -> float | None:
        """The share of decided cycles that met the target."""
        decided = self.met + self.breached
        return self.met / decided if decided else None

    def as_dict(self, key_name: str) -> dict[str, Any]:
        """Plain data, the key under ``key_name`` (``priority`` or ``month``)."""
        return {
            "metric": self.metric,
            key_name: self.key,
            "met": self.met,
            "breached": self.breached,
            "open": self.open,
            "cancelled": self.cancelled,
            "not_applicable": self.not_applicable,
            "not_measurable": self.not_measurable,
            "attainment": self.attainment,
        }


@attrs.frozen
class WorstTicket:
    """A ticket among those furthest past a target."""

    ticket: str
    metric: str
    priority: str
    overrun_seconds: float
    status: str


@attrs.frozen(kw_only=True)
class ComplianceReport:
    """What a replay found, ready for a table, JSON, CSV or charts.

    Attributes:
        tickets: tickets evaluated.
        by_priority: attainment per metric and priority.
        by_month: attainment per metric and month of opening.
        unmeasurable: metric -> why the log cannot measure it.
        statuses: final status -> tickets.
        open_tickets: tickets neither closed nor cancelled.
        reopened_tickets: tickets reopened at least once; ``reopens`` counts every reopen.
        escalated_tickets: tickets escalated at least once; ``escalations`` counts them all.
        promises_kept: agent promises kept.
        promises_broken: agent promises broken.
        due_actions: due actions of open tickets.
        worst: the tickets furthest past a target, worst first.
        resolution_hours: per priority, elapsed business hours and target of each resolved
            or breached resolution (for the distribution chart), in increasing order; a
            sample when there are more than the tally's ``keep``.
    """

    tickets: int
    by_priority: tuple[MetricAttainment, ...]
    by_month: tuple[MetricAttainment, ...]
    unmeasurable: Mapping[str, str]
    statuses: Mapping[str, int]
    open_tickets: int
    reopened_tickets: int
    reopens: int
    escalated_tickets: int
    escalations: int
    promises_kept: int
    promises_broken: int
    due_actions: int
    worst: tuple[WorstTicket, ...]
    resolution_hours: Mapping[str, tuple[tuple[float, float], ...]]

    def sla_dicts(self) -> list[dict[str, Any]]:
        """The ``sla`` rows of the JSON report."""
        return [a.as_dict("priority") for a in self.by_priority]


class ComplianceTally:
    """Adds :class:`ComplianceRow` values up; memory does not grow with the tickets.

    Args:
        worst: how many worst tickets to keep.
        keep: how many resolution times to keep for the distribution chart. Past that
            many, the chart shows a sample chosen by a fixed hash of the ticket ids: the
            same rows give the same sample in any order, on one machine or many.
    """

    def __init__(self, *, worst: int = 10, keep: int = 10_000) -> None:
        self._worst_n, self._keep = worst, keep
        self._by_priority: dict[tuple[str, str], Counter[str]] = {}
        self._by_month: dict[tuple[str, str], Counter[str]] = {}
        self._tickets: Counter[str] = Counter()
        self._statuses: Counter[str] = Counter()
        # Kept per metric: which metrics count is known only once the log is read.
        self._worst: dict[str, list[tuple[float, str, str, str, str]]] = {}
        # The ``keep`` largest (hash of the ticket id, priority, hours, target): a heap.
        self._hours: list[tuple[int, str, float, float]] = []

    def add(self, row: ComplianceRow) -> None:
        """Count one row."""
        if row.first:
            t = self._tickets
            t["tickets"] += 1
            t["open"] += row.open
            t["reopened"] += row.reopens > 0
            t["reopens"] += row.reopens
            t["escalated"] += row.escalations > 0
            t["escalations"] += row.escalations
            t["kept"] += row.promises_kept
            t["broken"] += row.promises_broken
            t["actions"] += row.due_actions
            self._statuses[row.status] += 1
        if not row.metric:
            return
        _count(self._by_priority, (row.metric, row.priority), row.state)
        _count(self._by_month, (row.metric, row.month), row.state)
        if row.overrun_seconds > 0:
            item = (row.overrun_seconds, row.ticket, row.metric, row.priority, row.status)
            _keep_largest(self._worst.setdefault(row.metric, []), item, self._worst_n)
        if row.metric == "resolution" and row.state in ("met", "breached") and row.target_seconds:
            sampled = (
                zlib.crc32(row.ticket.encode()),
                row.priority,
                row.elapsed_seconds / 3600,
                row.target_seconds / 3600,
            )
            _keep_largest(self._hours, sampled, self._keep)

    def add_all(self, rows: Iterable[ComplianceRow]) -> ComplianceTally:
        """Count every row; returns the tally."""
        for row in rows:
            self.add(row)
        return self

    def report(
        self,
        *,
        unmeasurable: Mapping[str, str] | None = None,
        priority_order: Sequence[str] = (),
    ) -> ComplianceReport:
        """The report of every row counted so far.

        Args:
            unmeasurable: metric -> reason, for metrics the log cannot measure (see
                :func:`unmeasurable_metrics`); their rows count as not measurable.
            priority_order: priorities highest first, the order of ``by_priority`` within
                a metric (others follow in name order).
        """
        skip = dict(unmeasurable or {})
        t = self._tickets
        rank = {p: i for i, p in enumerate(priority_order)}
        by_priority = sorted(
            _attainments(self._by_priority, skip),
            key=lambda a: (a.metric, rank.get(a.key, len(rank)), a.key),
        )
        return ComplianceReport(
            tickets=t["tickets"],
            by_priority=tuple(by_priority),
            by_month=_attainments(self._by_month, skip),
            unmeasurable=skip,
            statuses=dict(sorted(self._statuses.items())),
            open_tickets=t["open"],
            reopened_tickets=t["reopened"],
            reopens=t["reopens"],
            escalated_tickets=t["escalated"],
            escalations=t["escalations"],
            promises_kept=t["kept"],
            promises_broken=t["broken"],
            due_actions=t["actions"],
            worst=tuple(
                WorstTicket(ticket, metric, priority, overrun, status)
                for overrun, ticket, metric, priority, status in heapq.nlargest(
                    self._worst_n,
                    (item for m, heap in self._worst.items() if m not in skip for item in heap),
                )
            ),
            resolution_hours=_by_priority(self._hours),
        )


def _count(table: dict[tuple[str, str], Counter[str]], key: tuple[str, str], state: str) -> None:
    # (setdefault would build a Counter for every row.)
    counts = table.get(key)
    if counts is None:
        counts = table[key] = Counter()
    counts[state] += 1


def _keep_largest(heap: list[Any], item: Any, n: int) -> None:
    """Add ``item`` to ``heap``, a min-heap of the ``n`` largest items met so far."""
    if len(heap) < n:
        heapq.heappush(heap, item)
    else:
        heapq.heappushpop(heap, item)


def _by_priority(
    kept: Iterable[tuple[int, str, float, float]],
) -> dict[str, tuple[tuple[float, float], ...]]:
    hours: dict[str, list[tuple[float, float]]] = {}
    for _, priority, elapsed, target in kept:
        hours.setdefault(priority, []).append((elapsed, target))
    return {p: tuple(sorted(v)) for p, v in sorted(hours.items())}


def _attainments(
    table: Mapping[tuple[str, str], Counter[str]], unmeasurable: Mapping[str, str]
) -> tuple[MetricAttainment, ...]:
    out = []
    for (metric, key), counts in sorted(table.items()):
        if metric in unmeasurable:
            total = sum(counts.values())
            out.append(MetricAttainment(metric, key, 0, 0, 0, 0, 0, total))
            continue
        out.append(
            MetricAttainment(
                metric,
                key,
                counts["met"],
                counts["breached"],
                counts["open"],
                counts["cancelled"],
                counts["not_applicable"],
                0,
            )
        )
    return tuple(out)


def evaluate_rows(
    protocol: ServiceProtocol, tickets: Iterable[Ticket], now: _dt.datetime
) -> Iterator[ComplianceRow]:
    """Stream the rows of every ticket under ``protocol`` at ``now``."""
    for ticket in tickets:
        yield from ticket_rows(protocol, ticket, now)
