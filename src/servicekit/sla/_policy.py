"""SLA policies: targets per metric and priority, evaluated over ticket histories."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Final, Literal, TypeAlias

import attrs
import pendulum
from pendulum.tz.timezone import Timezone

from servicekit._calendars import BusinessCalendar
from servicekit._convert import instance
from servicekit._events import AttributeValue, StatusChanged, TicketOpened
from servicekit._status import ClockAction, StatusCategory
from servicekit._ticket import Ticket
from servicekit._time import duration_micros, from_micros, get_timezone, to_micros
from servicekit._timeline import Timeline, classes_of, timeline
from servicekit.errors import SlaPolicyError
from servicekit.sla._clock import CycleInstants, MetricFold, SlaStatus
from servicekit.sla._metrics import BUILT_IN_METRICS, SlaMetric

__all__ = [
    "ANY_PRIORITY",
    "SlaPolicy",
    "SlaReport",
    "SlaRow",
    "SlaTarget",
    "TargetRule",
    "evaluate_many",
]

ANY_PRIORITY = "*"
"""``SlaTarget(priority=ANY_PRIORITY)`` applies to priorities without a target of their own."""


def _metric(value: SlaMetric | str) -> SlaMetric:
    if isinstance(value, SlaMetric):
        return value
    found = BUILT_IN_METRICS.get(value)
    if found is None:
        raise SlaPolicyError(
            f"unknown metric {value!r}: use one of {sorted(BUILT_IN_METRICS)} or an SlaMetric"
        )
    return found


def _positive(value: _dt.timedelta) -> _dt.timedelta:
    micros = duration_micros(value, name="target")
    if micros <= 0:
        raise SlaPolicyError(f"an SLA target must be positive, got {value!r}")
    return value


def _warn_at(value: Iterable[float]) -> tuple[float, ...]:
    fractions = tuple(sorted(value))
    for fraction in fractions:
        if not 0 < fraction < 1:
            raise SlaPolicyError(
                f"warning threshold {fraction!r} is outside (0, 1): give fractions of the "
                "target, e.g. 0.75 for a warning at 75%"
            )
    if len(set(fractions)) != len(fractions):
        raise SlaPolicyError(f"warning thresholds {fractions} repeat a value")
    return fractions


def _check_calendar(_: object, attribute: object, value: object) -> None:
    instance(value, BusinessCalendar, name="calendar", error=SlaPolicyError)


@attrs.frozen(kw_only=True)
class SlaTarget:
    """One promise: a metric, for one priority, within a target, on a calendar.

    Attributes:
        metric: an :class:`SlaMetric` or the name of a built-in one.
        priority: the priority it applies to, or :data:`ANY_PRIORITY`.
        target: the business time allowed (positive).
        calendar: the calendar the target is counted in (24x7 UTC by default).
        warn_at: fractions of the target at which to warn, each in (0, 1).
    """

    metric: SlaMetric = attrs.field(converter=_metric)
    priority: str
    target: _dt.timedelta = attrs.field(converter=_positive)
    calendar: BusinessCalendar = attrs.field(
        factory=BusinessCalendar.always_open, validator=_check_calendar
    )
    warn_at: tuple[float, ...] = attrs.field(default=(0.5, 0.75, 0.9), converter=_warn_at)
    _micros: int = attrs.field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        # Read for every status change of every ticket a fold sees: converted once.
        object.__setattr__(self, "_micros", duration_micros(self.target))

    @property
    def target_micros(self) -> int:
        """The target in microseconds."""
        return self._micros


@attrs.frozen
class SlaReport:
    """Every SLA cycle of one ticket as of ``now``, and when the answer next changes.

    Attributes:
        ticket_id: the ticket's id.
        now: the instant the report describes.
        statuses: one :class:`SlaStatus` per metric cycle, by metric then cycle.
        next_change_at: the earliest ``next_change_at`` of the statuses, or ``None``.
    """

    ticket_id: str
    now: pendulum.DateTime
    statuses: tuple[SlaStatus, ...]
    next_change_at: pendulum.DateTime | None

    def for_metric(self, name: str) -> tuple[SlaStatus, ...]:
        """The cycles of the metric called ``name``."""
        return tuple([s for s in self.statuses if s.metric == name])


@attrs.frozen
class SlaRow:
    """A flat row for CSV files and data frames: one metric cycle of one ticket."""

    ticket: str
    metric: str
    cycle: int
    priority: str
    state: str
    elapsed_seconds: float
    due_at: pendulum.DateTime | None
    breached: bool
    breached_at: pendulum.DateTime | None

    def as_dict(self) -> dict[str, Any]:
        """The row as a plain dict (instants as ISO 8601 text)."""
        row = attrs.asdict(self)
        for key in ("due_at", "breached_at"):
            if row[key] is not None:
                row[key] = row[key].isoformat()
        return row


def _target_tuple(value: Iterable[SlaTarget]) -> tuple[SlaTarget, ...]:
    return tuple(value)


#: ``adjust(target, opened, attributes) -> target``: a team's own rule for the target a ticket
#: gets (VIP customers get half of every target, a contract tier, a channel), from the event
#: that opened it and its attributes as they stand (see :class:`servicekit.AttributesChanged`).
TargetRule: TypeAlias = Callable[[SlaTarget, TicketOpened, Mapping[str, AttributeValue]], SlaTarget]


@attrs.frozen
class SlaPolicy:
    """A team's promises: targets per metric and priority, each on its own calendar.

    A plain value: ``attrs.evolve(policy, targets=[...])`` gives a changed copy, checked
    like a new one.

    Attributes:
        name: a name for the policy.
        targets: the :class:`SlaTarget` values.
        on_priority_change: ``"retarget"`` (time used stays; what remains counts
            against the new target) or ``"restart"`` (the clock starts again).
        on_reopen: for metrics a solve meets (resolution): ``"resume"`` the
            cycle when the ticket reopens, or start a ``"new_cycle"``.

    Raises:
        SlaPolicyError: no targets, two targets for one metric and priority,
            two different metrics with one name, or an unknown option.
    """

    name: str
    targets: tuple[SlaTarget, ...] = attrs.field(converter=_target_tuple)
    on_priority_change: Literal["retarget", "restart"] = attrs.field(
        default="retarget", kw_only=True
    )
    on_reopen: Literal["resume", "new_cycle"] = attrs.field(default="resume", kw_only=True)
    _index: Mapping[tuple[str, str], SlaTarget] = attrs.field(init=False, eq=False, repr=False)
    _by_priority: Mapping[str, tuple[Mapping[str, SlaTarget], SlaTarget | None]] = attrs.field(
        init=False, eq=False, repr=False
    )
    _metrics: tuple[SlaMetric, ...] = attrs.field(init=False, eq=False, repr=False)
    _quiet: Mapping[StatusCategory, frozenset[StatusCategory]] = attrs.field(
        init=False, eq=False, repr=False
    )
    _fold_kinds: tuple[frozenset[str], ...] = attrs.field(init=False, eq=False, repr=False)
    _readers: Mapping[str, tuple[int, ...]] = attrs.field(init=False, eq=False, repr=False)
    _fold_quiet: tuple[Mapping[StatusCategory, frozenset[StatusCategory]], ...] = attrs.field(
        init=False, eq=False, repr=False
    )
    _fold_starts: tuple[frozenset[str], ...] = attrs.field(init=False, eq=False, repr=False)
    _readers_of_live: dict[tuple[int, ...], Mapping[str, tuple[int, ...]]] = attrs.field(
        init=False, eq=False, repr=False
    )

    def __attrs_post_init__(self) -> None:
        name, targets = self.name, self.targets
        on_priority_change, on_reopen = self.on_priority_change, self.on_reopen
        if on_priority_change not in ("retarget", "restart"):
            raise SlaPolicyError(
                f"on_priority_change must be 'retarget' or 'restart', got {on_priority_change!r}"
            )
        if on_reopen not in ("resume", "new_cycle"):
            raise SlaPolicyError(f"on_reopen must be 'resume' or 'new_cycle', got {on_reopen!r}")
        if not targets:
            raise SlaPolicyError(f"policy {name!r} has no targets")
        index: dict[tuple[str, str], SlaTarget] = {}
        metrics: dict[str, SlaMetric] = {}
        for target in targets:
            if not isinstance(target, SlaTarget):
                raise SlaPolicyError(f"targets must be SlaTarget values, got {target!r}")
            key = (target.metric.name, target.priority)
            if key in index:
                raise SlaPolicyError(
                    f"policy {name!r} has two targets for metric {key[0]!r} at priority {key[1]!r}"
                )
            known = metrics.setdefault(target.metric.name, target.metric)
            if known != target.metric:
                raise SlaPolicyError(
                    f"two different metrics are called {target.metric.name!r}; give them "
                    "different names"
                )
            index[key] = target
        object.__setattr__(self, "_index", index)
        # Per metric, its targets by priority and its catch-all: what a fold looks up for
        # every cycle (target_for's answer, without its lookups by (metric, priority) pair).
        by_priority: dict[str, dict[str, SlaTarget]] = {}
        for (metric_name, priority), target in index.items():
            by_priority.setdefault(metric_name, {})[priority] = target
        object.__setattr__(
            self,
            "_by_priority",
            {m: (targets, targets.get(ANY_PRIORITY)) for m, targets in by_priority.items()},
        )
        object.__setattr__(self, "_metrics", tuple(metrics.values()))
        # The kinds of event a fold reads besides status changes: the metrics' conditions,
        # and the changes that re-target a cycle.
        retarget = {"priority_changed", "attributes_changed"}
        kinds = retarget | {k for m in metrics.values() for k in m._kinds}
        # Per metric, in the order of the folds: the kinds of event its fold reads.
        fold_kinds = tuple(frozenset(retarget | m._kinds) for m in metrics.values())
        object.__setattr__(self, "_fold_kinds", fold_kinds)
        # Per kind, the positions of the folds that read it.
        object.__setattr__(
            self,
            "_readers",
            {k: tuple(i for i, reads in enumerate(fold_kinds) if k in reads) for k in kinds},
        )
        # Moves between two categories in which every metric's clock does the same thing,
        # neither stopping it: they change no cycle (a running clock runs on, a paused one
        # stays paused, no cycle is met or reopened), so a fold need not see them.
        object.__setattr__(self, "_quiet", _quiet_moves(tuple(metrics.values())))
        # The same, metric by metric: the moves each fold alone need not see.
        object.__setattr__(self, "_fold_quiet", tuple(_quiet_moves((m,)) for m in metrics.values()))
        # Per metric, the kinds of event that start its cycles (no such event, no cycle).
        object.__setattr__(
            self,
            "_fold_starts",
            tuple(frozenset(c.kind for c in m.starts_on) for m in metrics.values()),
        )
        object.__setattr__(self, "_readers_of_live", {})

    @property
    def priorities(self) -> tuple[str, ...]:
        """The priorities the policy names (with :data:`ANY_PRIORITY` if it has a catch-all),
        in order of first appearance."""
        return tuple(dict.fromkeys(t.priority for t in self.targets))

    def knows_priority(self, priority: str) -> bool:
        """Whether every metric of the policy has a target for ``priority`` (its own or the
        catch-all)."""
        return all(
            (m.name, priority) in self._index or (m.name, ANY_PRIORITY) in self._index
            for m in self._metrics
        )

    @property
    def metrics(self) -> tuple[SlaMetric, ...]:
        """The metrics the policy has targets for, in order of first appearance."""
        return self._metrics

    def target_for(self, metric: str, priority: str) -> SlaTarget:
        """The target of ``metric`` at ``priority`` (or the policy's catch-all).

        Raises:
            SlaPolicyError: the policy has no target for that priority.
        """
        found = self._index.get((metric, priority)) or self._index.get((metric, ANY_PRIORITY))
        if found is None:
            known = sorted(p for m, p in self._index if m == metric)
            raise SlaPolicyError(
                f"policy {self.name!r} has no {metric!r} target for priority {priority!r} "
                f"(it has {known}); add one, or a catch-all with priority={ANY_PRIORITY!r}"
            )
        return found

    def folds(
        self, opened: TicketOpened, zone: object, *, adjust: TargetRule | None = None
    ) -> list[MetricFold]:
        """Fresh folds for a ticket opened by ``opened`` (used by the tracker)."""
        return [MetricFold(self, m, opened, zone, adjust) for m in self._metrics]

    def evaluate(
        self, ticket: Ticket, now: _dt.datetime, *, adjust: TargetRule | None = None
    ) -> SlaReport:
        """Every metric cycle of ``ticket`` as of ``now`` (events after ``now`` are ignored).

        Args:
            ticket: the ticket.
            now: the instant asked about.
            adjust: a :data:`TargetRule` choosing each target from the ticket's opening and
                attributes; an attribute change re-targets running cycles from its instant,
                as a priority change does.

        Raises:
            SlaPolicyError: a priority that occurs has no target, or ``adjust`` returned
                something other than an :class:`SlaTarget` of the same metric.
            NaiveDatetimeError: ``now`` has no time zone.
        """
        now_us = now_micros(now)
        bare = not self._reads_status_changes
        return self._report(
            ticket, timeline(ticket, now_us, bare_changes=bare), now_us, adjust=adjust
        )

    @property
    def _reads_status_changes(self) -> bool:
        # Whether a fold reads a status change as an event; one that does not sees only
        # where it led, so a ticket's compact status changes need not be rebuilt for it
        # (a timeline's bare_changes stand-ins).
        return _STATUS_CHANGED in self._readers

    def _report(
        self, ticket: Ticket, events: Timeline, now_us: int, *, adjust: TargetRule | None = None
    ) -> SlaReport:
        """:meth:`evaluate` on the ticket's ``events`` up to ``now_us`` (its
        :func:`~servicekit._timeline.timeline`), read once by a protocol for every part."""
        opened = ticket.opened
        zone = opened_zone(opened)
        folds = self._fold(ticket, events, zone, adjust)
        return report_of(opened.ticket_id, folds, now_us, zone)

    def _instants(self, ticket: Ticket, events: Timeline, now_us: int) -> SlaInstants:
        """What escalation chains read of :meth:`_report` (with no target rule): each
        cycle's start and the instants it reaches fractions of its target."""
        folds = self._fold(ticket, events, opened_zone(ticket.opened), None)
        return SlaInstants(
            {f.metric.name: tuple(CycleInstants(c, now_us) for c in f.cycles) for f in folds}
        )

    def _fold(
        self, ticket: Ticket, events: Timeline, zone: object, adjust: TargetRule | None
    ) -> list[MetricFold]:
        """The policy's folds, each fed the ``events`` it reads."""
        opened = ticket.opened
        # A metric none of whose start kinds occurs has no cycle (a cycle starts only at such
        # an event, or reopens one that did): its fold is left out, with nothing to report.
        kinds = {kind.kind for kind in classes_of(events)}
        live = tuple(
            i for i, starts in enumerate(self._fold_starts) if not starts.isdisjoint(kinds)
        )
        metrics, fold_kinds, fold_quiet = self._metrics, self._fold_kinds, self._fold_quiet
        folds = [MetricFold(self, metrics[i], opened, zone, adjust) for i in live]
        # Each fold with the kinds of event it reads and the moves it need not see.
        plan = [(fold, fold_kinds[i], fold_quiet[i]) for fold, i in zip(folds, live, strict=True)]
        readers_of = self._readers if len(live) == len(metrics) else self._live_readers(live)
        category_of = ticket.lifecycle._category_of.__getitem__
        quiet = self._quiet
        # Every fold's category: they all start alike and see the same changes. A quiet move
        # (see __attrs_post_init__) is not shown to them, so they may keep the category it
        # left, which their clocks treat exactly as the one it entered.
        current = StatusCategory.NEW
        for at_us, event in events:
            kind = type(event).kind
            # (The kind, not isinstance: the test runs for every event.)
            if kind == _STATUS_CHANGED:
                category = category_of(event.to_status)  # type: ignore[attr-defined]
                if category is not current and category not in quiet[current]:
                    current = category
                    # A move quiet for one metric (its clock does the same on both sides) is
                    # not shown to that metric's fold either, unless the fold reads the event.
                    for fold, reads, quiet_for in plan:
                        if category is fold.category or category in quiet_for[fold.category]:
                            if kind in reads:
                                fold.read(event, kind, at_us)
                        elif kind in reads:
                            fold.feed(event, at_us, category)
                        else:
                            fold._category_changed(at_us, category)  # all feed would do
                    continue
            readers = readers_of.get(kind)
            if readers is None:
                continue  # changes no fold: most assignments and moves within a category
            # Any other event changes only the folds whose metric reads its kind (a reply
            # meets a response but not the resolution), besides priority and attribute
            # changes, which every fold reads.
            for i in readers:
                folds[i].read(event, kind, at_us)
        return folds

    def _live_readers(self, live: tuple[int, ...]) -> Mapping[str, tuple[int, ...]]:
        """:attr:`_readers` for the folds of the metrics at positions ``live`` alone (their
        positions among them), remembered per set of live metrics (a policy has few)."""
        found = self._readers_of_live.get(live)
        if found is None:
            found = {
                kind: tuple(j for j, i in enumerate(live) if kind in self._fold_kinds[i])
                for kind in self._readers
            }
            found = {kind: at for kind, at in found.items() if at}
            if len(self._readers_of_live) < 64:
                self._readers_of_live[live] = found
        return found


class SlaInstants:
    """:meth:`SlaReport.for_metric` as escalation chains read it: per metric, its cycles'
    :class:`~servicekit.sla._clock.CycleInstants` (see :meth:`SlaPolicy._instants`)."""

    __slots__ = ("_by_metric",)

    def __init__(self, by_metric: dict[str, tuple[CycleInstants, ...]]) -> None:
        self._by_metric = by_metric

    def for_metric(self, name: str) -> tuple[CycleInstants, ...]:
        """The cycles of the metric called ``name``."""
        return self._by_metric.get(name, ())


_STATUS_CHANGED: Final = StatusChanged.kind


def opened_zone(opened: TicketOpened) -> Any:
    """The zone of a ticket's reports: its opening's pendulum zone (``opened.at.tz``)."""
    at = opened.at
    zone = at.tzinfo
    # The attribute, not pendulum's ``tz`` property (Python code), where they are one zone.
    return zone if type(zone) in _PENDULUM_ZONES else at.tz


_PENDULUM_ZONES: Final = frozenset({Timezone, pendulum.FixedTimezone})


def _quiet_moves(
    metrics: tuple[SlaMetric, ...],
) -> dict[StatusCategory, frozenset[StatusCategory]]:
    """Per category, the categories a move to which changes no cycle of ``metrics``: each
    metric's clock does the same on both sides, and neither side stops it."""
    return {
        a: frozenset(
            b
            for b in StatusCategory
            if all(m.clock_action(a) is m.clock_action(b) is not ClockAction.STOP for m in metrics)
        )
        for a in StatusCategory
    }


# The last instant evaluate was asked about, and it in microseconds. One tuple, replaced whole.
_last_asked: tuple[object, int] = (object(), 0)


def now_micros(now: _dt.datetime) -> int:
    """``to_micros(now, name="now")``, remembered for the last ``now`` asked: a batch asks
    about one instant for ticket after ticket (a datetime is immutable)."""
    global _last_asked
    asked, now_us = _last_asked
    if asked is not now:
        now_us = to_micros(now, name="now")
        _last_asked = (now, now_us)
    return now_us


# The last report's (now in microseconds, zone, now as a DateTime): a batch asks about one
# instant for ticket after ticket, and a DateTime is immutable, so they share it. One tuple,
# replaced whole: another thread reads the old one or the new one.
_last_now: tuple[int, object, pendulum.DateTime] = (0, None, from_micros(0, get_timezone("UTC")))


def _now_instant(now_us: int, zone: Any) -> pendulum.DateTime:
    global _last_now
    last_us, last_zone, instant = _last_now
    if last_us != now_us or last_zone is not zone:
        instant = from_micros(now_us, zone)
        _last_now = (now_us, zone, instant)
    return instant


def report_of(ticket_id: str, folds: list[MetricFold], now_us: int, zone: Any) -> SlaReport:
    """The report of folds that have seen every event up to ``now_us``."""
    statuses: list[SlaStatus] = []
    next_us: int | None = None
    for fold in folds:
        status_of = fold._status  # MetricFold.statuses, inline
        for cycle in fold.cycles:
            status = status_of(cycle, now_us)
            statuses.append(status)
            change = status._next_us
            if change is not None and (next_us is None or change < next_us):
                next_us = change
    return SlaReport(
        ticket_id,
        _now_instant(now_us, zone),
        tuple(statuses),
        None if next_us is None else from_micros(next_us, zone),
    )


def evaluate_many(
    policy: SlaPolicy, tickets: Iterable[Ticket], now: _dt.datetime
) -> Iterator[SlaRow]:
    """Stream flat rows (one per metric cycle) for many tickets; nothing is held back.

    Feed it a generator of tickets (for example
    :func:`servicekit.datasets.bpic2013_tickets`) and memory stays flat.
    """
    for ticket in tickets:
        report = policy.evaluate(ticket, now)
        for status in report.statuses:
            yield SlaRow(
                ticket=report.ticket_id,
                metric=status.metric,
                cycle=status.cycle,
                priority=status.priority,
                state=status.state.value,
                elapsed_seconds=status.elapsed.total_seconds(),
                due_at=status.due_at,
                breached=status.breached,
                breached_at=status.breached_at,
            )
