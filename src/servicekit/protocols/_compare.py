"""The same history under two promises: "what if our first-response target were 2 hours?"

:func:`compare_protocols` streams tickets once, evaluates each under both
protocols at the same ``now``, and adds up two compliance reports, the
notifications and follow-ups each protocol would have sent, and the tickets
whose outcome differs. :class:`ProtocolComparison` lays them side by side per
metric and priority.
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs

from servicekit._ticket import Ticket
from servicekit._time import to_micros
from servicekit.protocols._compliance import (
    ComplianceReport,
    ComplianceTally,
    MetricAttainment,
    compliance_rows,
    unmeasurable_metrics,
)
from servicekit.protocols._protocol import ServiceProtocol

__all__ = ["ComparisonRow", "OutcomeChange", "ProtocolComparison", "compare_protocols"]


@attrs.frozen
class ComparisonRow:
    """One metric at one priority under both protocols (``None``: the protocol has no
    target for it)."""

    metric: str
    priority: str
    a: MetricAttainment | None
    b: MetricAttainment | None

    def as_dict(self) -> dict[str, Any]:
        """Plain data: attainment and breaches on each side."""

        def side(value: MetricAttainment | None) -> dict[str, Any] | None:
            return None if value is None else value.as_dict("priority")

        return {
            "metric": self.metric,
            "priority": self.priority,
            "a": side(self.a),
            "b": side(self.b),
        }


@attrs.frozen
class OutcomeChange:
    """A ticket whose outcome for a metric differs between the protocols."""

    ticket: str
    metric: str
    priority: str
    a: str
    b: str


@attrs.frozen(kw_only=True)
class ProtocolComparison:
    """Two protocols over one history.

    Attributes:
        a: the first protocol's name; ``b`` the second's.
        report_a: the compliance report under ``a``; ``report_b`` under ``b``.
        actions_a: due actions by kind (``notify``, ``follow_up``, ...) that ``a`` produced
            over the history up to ``now``; ``actions_b`` for ``b``.
        changes: outcomes that differ (metrics the history cannot measure left out), at
            most ``limit`` of them, in ticket order.
        changed_tickets: how many tickets differ in at least one metric.
        after_now: tickets opened after ``now``, left out.
    """

    a: str
    b: str
    report_a: ComplianceReport
    report_b: ComplianceReport
    actions_a: dict[str, int]
    actions_b: dict[str, int]
    changes: tuple[OutcomeChange, ...]
    changed_tickets: int
    after_now: int = 0

    @property
    def rows(self) -> tuple[ComparisonRow, ...]:
        """Per metric and priority, side by side, in the order of the first report (then
        what only the second has)."""
        left = {(r.metric, r.key): r for r in self.report_a.by_priority}
        right = {(r.metric, r.key): r for r in self.report_b.by_priority}
        keys = list(left) + [k for k in right if k not in left]
        return tuple(ComparisonRow(m, p, left.get((m, p)), right.get((m, p))) for m, p in keys)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {
            "a": self.a,
            "b": self.b,
            "tickets": self.report_a.tickets,
            "sla": [r.as_dict() for r in self.rows],
            "actions": {"a": self.actions_a, "b": self.actions_b},
            "escalations": {"a": self.report_a.escalations, "b": self.report_b.escalations},
            "changed_tickets": self.changed_tickets,
            "changes": [attrs.asdict(c) for c in self.changes],
        }


def compare_protocols(
    a: ServiceProtocol,
    b: ServiceProtocol,
    tickets: Iterable[Ticket],
    now: _dt.datetime,
    *,
    priorities: Sequence[str] = (),
    event_kinds: Iterable[str] | Callable[[], Iterable[str]] | None = None,
    limit: int = 20,
) -> ProtocolComparison:
    """Evaluate every ticket under ``a`` and ``b`` at ``now`` and compare.

    Tickets opened after ``now`` are left out. ``event_kinds`` (the kinds the history
    records, or a function giving them once the tickets are read) marks metrics it cannot
    measure, as the replay report does.

    Examples:
        >>> import pendulum
        >>> from servicekit import BusinessCalendar
        >>> from servicekit.datasets import bpic2013_sample_path, bpic2013_tickets
        >>> from servicekit.protocols import reactive_protocol
        >>> desk = BusinessCalendar("Europe/Brussels", "mon-fri 08:00-18:00")
        >>> tight = reactive_protocol(desk, ("Major", "High", "Medium", "Low"))
        >>> impacts = ("Major", "High", "Medium", "Low")
        >>> loose = reactive_protocol(BusinessCalendar.always_open("Europe/Brussels"), impacts)
        >>> now = pendulum.datetime(2012, 5, 10, tz="Europe/Brussels")
        >>> result = compare_protocols(tight, loose, bpic2013_tickets(bpic2013_sample_path()), now)
        >>> result.report_a.tickets
        90
    """
    tally_a, tally_b = ComplianceTally(), ComplianceTally()
    actions_a: Counter[str] = Counter()
    actions_b: Counter[str] = Counter()
    # Which metrics differ, per ticket, counted by combination: memory stays bounded, and
    # metrics the history cannot measure are dropped once the history is read.
    combos: Counter[frozenset[str]] = Counter()
    first: dict[str, list[OutcomeChange]] = {}
    after = 0
    now_us = to_micros(now, name="now")
    for ticket in tickets:
        if to_micros(ticket.opened.at) > now_us:
            after += 1
            continue
        report_a, report_b = a.evaluate(ticket, now), b.evaluate(ticket, now)
        rows_a = compliance_rows(a, ticket, report_a)
        rows_b = compliance_rows(b, ticket, report_b)
        tally_a.add_all(rows_a)
        tally_b.add_all(rows_b)
        actions_a.update(x.kind for x in report_a.actions)
        actions_b.update(x.kind for x in report_b.actions)
        states_b = {r.metric: r.state for r in rows_b}
        differing = []
        for row in rows_a:
            other = states_b.get(row.metric)
            if other is not None and other != row.state:
                differing.append(row.metric)
                kept = first.setdefault(row.metric, [])
                if len(kept) < limit:
                    kept.append(
                        OutcomeChange(ticket.id, row.metric, row.priority, row.state, other)
                    )
        if differing:
            combos[frozenset(differing)] += 1
    found = event_kinds() if callable(event_kinds) else event_kinds
    kinds = list(found) if found is not None else None
    skip_a = unmeasurable_metrics(a, kinds) if kinds is not None else None
    skip_b = unmeasurable_metrics(b, kinds) if kinds is not None else None
    skip = set(skip_a or ()) | set(skip_b or ())
    changes = sorted(
        (c for metric, kept in first.items() if metric not in skip for c in kept),
        key=lambda c: (c.ticket, c.metric),
    )[:limit]
    return ProtocolComparison(
        a=a.name,
        b=b.name,
        report_a=tally_a.report(unmeasurable=skip_a, priority_order=priorities),
        report_b=tally_b.report(unmeasurable=skip_b, priority_order=priorities),
        actions_a=dict(sorted(actions_a.items())),
        actions_b=dict(sorted(actions_b.items())),
        changes=tuple(changes),
        changed_tickets=sum(n for combo, n in combos.items() if combo - skip),
        after_now=after,
    )
