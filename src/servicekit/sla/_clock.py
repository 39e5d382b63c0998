"""SLA clocks: folding a ticket's timeline into metric cycles, and reading them at ``now``.

A cycle is kept as the list of its *running segments*: stretches of time in
which its clock ran, each with the calendar and target in force and the
elapsed business time before it. Everything a status reports (elapsed, due
at, warnings, breach, the next change, the instant any fraction of the target
was or will be reached) is read from those segments, exactly, in integer
microseconds.
"""

from __future__ import annotations

import enum
import functools
import math
from bisect import bisect_right
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import attrs
import pendulum

from servicekit._calendars import BusinessCalendar
from servicekit._events import (
    AttributesChanged,
    AttributeValue,
    Event,
    PriorityChanged,
    TicketOpened,
)
from servicekit._status import ClockAction, StatusCategory
from servicekit._time import duration_from_micros, from_micros, repeated_duration
from servicekit.errors import SlaPolicyError
from servicekit.sla._metrics import SlaMetric, StopOutcome, matches_any

if TYPE_CHECKING:
    from servicekit.sla._policy import SlaPolicy, SlaTarget, TargetRule

__all__ = ["SlaState", "SlaStatus", "SlaWarning"]


class SlaState(enum.Enum):
    """Where one cycle of a promise stands."""

    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    BREACHED_RUNNING = "breached_running"
    BREACHED_STOPPED = "breached_stopped"
    CANCELLED = "cancelled"


@attrs.frozen
class SlaWarning:
    """A warning threshold (a fraction of the target) and the instant it was reached."""

    fraction: float
    at: pendulum.DateTime


class _Segment(NamedTuple):
    """A stretch in which a cycle's clock ran (a tuple: folds build several per ticket)."""

    start: int
    end: int | None  # None: still running
    calendar: BusinessCalendar
    target: int
    before: int  # elapsed business microseconds before this segment
    used: int = 0  # business microseconds inside it, once it has ended

    def length(self, now: int) -> int:
        if self.end is not None:
            return self.used
        return self.calendar.between_micros(self.start, now) if now > self.start else 0


# Folds build segments for every cycle they start, pause or end: tuple.__new__ with the
# fields in order skips the Python-level __new__ a NamedTuple's constructor goes through.
_new_segment: Final = tuple.__new__


def _closed(seg: _Segment, end: int) -> _Segment:
    """A running segment ended at ``end``, with the business time it used."""
    start = seg.start
    calendar = seg.calendar
    used = calendar.between_micros(start, end) if end > start else 0
    return _new_segment(_Segment, (start, end, calendar, seg.target, seg.before, used))


def _crossing(segments: tuple[_Segment, ...], value_of: Callable[[int], int]) -> int | None:
    """The instant elapsed time first reaches ``value_of(target)``, projecting an open segment."""
    for seg in segments:
        value = value_of(seg.target)
        if seg.before >= value:
            return seg.start
        if seg.end is None:
            return seg.calendar.add_micros(seg.start, value - seg.before)
        if seg.before + seg.length(seg.end) >= value:
            return seg.calendar.add_micros(seg.start, value - seg.before)
    return None


def _reach_all(segments: tuple[_Segment, ...], values: list[int]) -> list[int | None]:
    """:func:`_reach` of each of ``values`` (ascending), walking the segments once.

    A value's segment is the first whose ``before`` reaches it or which ends at or past it
    (or runs on): a larger value fails wherever a smaller one failed, so the values meet the
    segments in order, and those that fall inside one segment are one calendar search.
    """
    out: list[int | None] = []
    i, n = 0, len(values)
    for seg in segments:
        before = seg.before
        while i < n and values[i] <= before:
            out.append(seg.start)
            i += 1
        j = i
        if seg.end is None:
            j = n
        else:
            limit = before + seg.used
            while j < n and values[j] <= limit:
                j += 1
        if j > i:
            out.extend(seg.calendar._add_many_micros(seg.start, [v - before for v in values[i:j]]))
            i = j
        if i == n:
            return out
    out.extend([None] * (n - i))
    return out


def _reach(segments: tuple[_Segment, ...], value: int) -> int | None:
    """:func:`_crossing` for segments that all have one target, whose value is ``value``."""
    for seg in segments:
        before = seg.before
        if before >= value:
            return seg.start
        # An ended segment's length is what it used.
        if seg.end is None or before + seg.used >= value:
            return seg.calendar.add_micros(seg.start, value - before)
    return None


def _breach_value(target: int) -> int:
    # Breached means elapsed *exceeds* the target: the first microsecond past it.
    return target + 1


def _target_value(target: int) -> int:
    return target


def _walk(
    segments: tuple[_Segment, ...],
    restart_index: int,
    target_us: int,
    warn_at: tuple[float, ...],
    elapsed: int,
    stopped: bool,
) -> tuple[int | None, int | None, list[int | None]]:
    """The instants a cycle's elapsed time reaches its target (due), first exceeds it
    (breach) and reaches each warning fraction, projecting a running clock; ``None`` for a
    value it never reaches. Due and warnings count from the last restart.

    ``stopped``: the clock no longer runs and kept one target throughout, so a value above
    ``elapsed`` is never reached (its segment walk, a calendar search, is skipped).
    """
    current = segments[restart_index:] or segments[-1:]
    restarted = restart_index > 0
    if any(seg.target != target_us for seg in segments):
        # Retargeted: each segment counts against its own target.
        return (
            _crossing(current, _target_value),
            _crossing(segments, _breach_value),
            [
                _crossing(current, lambda t, f=fraction: round(f * t))  # type: ignore[misc]
                for fraction in warn_at
            ],
        )
    # One target throughout: warnings, due and (unless restarted, when the breach counts
    # every segment and the rest only those since the restart) breach are ascending values
    # of one walk.
    values = [round(fraction * target_us) for fraction in warn_at]
    values.append(target_us)
    if not restarted:
        values.append(target_us + 1)
    wanted = bisect_right(values, elapsed) if stopped else len(values)
    found = _reach_all(current, values[:wanted])
    found.extend([None] * (len(values) - wanted))
    breach = _reach(segments, target_us + 1) if restarted else found.pop()
    due = found.pop()
    return due, breach, found


class _Crossings(NamedTuple):
    """What a status reports of its walk: due, breached and the warnings reached."""

    due: int | None
    breached: int | None
    warnings: tuple[tuple[float, int], ...]


def _settle(
    end: int,
    running: bool,
    due: int | None,
    breach: int | None,
    warn_at: tuple[float, ...],
    warnings: list[int | None],
) -> tuple[_Crossings, int | None]:
    """The walk's instants as of ``end`` (now, or when the cycle ended): what is reported,
    and the next instant after ``end`` at which the report changes (a running clock's next
    warning or breach)."""
    breached = breach if breach is not None and breach <= end else None
    if due is not None and due > end and not running:
        due = None
    reached: list[tuple[float, int]] = []
    upcoming: list[int] = []
    for fraction, at in zip(warn_at, warnings, strict=True):
        if at is not None and at <= end:
            reached.append((fraction, at))
        elif at is not None and running:
            upcoming.append(at)
    if breached is None and breach is not None and running:
        upcoming.append(breach)
    later = [t for t in upcoming if t > end]
    return _Crossings(due, breached, tuple(reached)), min(later) if later else None


@attrs.frozen(repr=False, eq=False, slots=False)
class SlaStatus:
    """One cycle of one metric of one ticket, as of ``now``.

    Attributes:
        metric: the metric's name.
        cycle: 1 for the first cycle, 2 for the next, ...
        priority: the priority whose target applies now.
        state: where the cycle stands.
        target: the target in force.
        calendar: the calendar the target is counted in.
        started_at: when the cycle started.
        ended_at: when it was met or cancelled (``None`` while active).
        elapsed: business time used.
        remaining: ``target - elapsed`` (negative once overdue).
        due_at: when elapsed reaches the target (past or projected; ``None``
            when paused or stopped before reaching it).
        breached_at: the first instant elapsed exceeded the target, or ``None``.
        percent_used: ``100 * elapsed / target``.
        warnings: the warning thresholds reached, with their instants.
        next_change_at: the next instant this status changes with no new
            event (a warning or the breach), or ``None``.

    A status is built by evaluation (never by hand): it holds its instants and durations
    as integer microseconds, and gives each as a pendulum value the first time it is read
    (a replay or a scheduler reads few of them). A stopped clock finds its due time,
    breach instant and warnings (calendar searches) only when one of them is first read.
    Equality and hashing are those of the values it gives.
    """

    metric: str
    cycle: int
    priority: str
    state: SlaState
    calendar: BusinessCalendar
    percent_used: float
    _target_us: int = attrs.field(alias="_target_us")
    _started_us: int = attrs.field(alias="_started_us")
    _ended_us: int | None = attrs.field(alias="_ended_us")
    _elapsed_us: int = attrs.field(alias="_elapsed_us")
    _next_us: int | None = attrs.field(alias="_next_us")
    _breached: bool = attrs.field(alias="_breached")
    # The walk's answers, or None for a stopped clock's until first read (from the segments
    # and warning fractions, which are all it needs then).
    _found: _Crossings | None = attrs.field(alias="_found")
    _warn_at: tuple[float, ...] = attrs.field(alias="_warn_at")
    _segments: tuple[_Segment, ...] = attrs.field(alias="_segments")
    _now: int = attrs.field(alias="_now")
    _zone: Any = attrs.field(alias="_zone")

    @functools.cached_property
    def _crossings(self) -> _Crossings:
        found = self._found
        if found is None:
            due, breach, warnings = _walk(
                self._segments, 0, self._target_us, self._warn_at, self._elapsed_us, True
            )
            found = _settle(self._now, False, due, breach, self._warn_at, warnings)[0]
        return found

    @property
    def _due_us(self) -> int | None:
        return self._crossings.due

    @property
    def _breached_us(self) -> int | None:
        return self._crossings.breached

    @property
    def _warnings_us(self) -> tuple[tuple[float, int], ...]:
        return self._crossings.warnings

    def _key(self) -> tuple[object, ...]:
        return (
            self.metric,
            self.cycle,
            self.priority,
            self.state,
            self.calendar,
            self.percent_used,
            self._target_us,
            self._started_us,
            self._ended_us,
            self._elapsed_us,
            self._due_us,
            self._breached_us,
            self._warnings_us,
            self._next_us,
        )

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _instant(self, micros: int | None) -> pendulum.DateTime | None:
        return None if micros is None else from_micros(micros, self._zone)

    @functools.cached_property
    def target(self) -> pendulum.Duration:
        """The target in force."""
        return repeated_duration(self._target_us)

    @functools.cached_property
    def started_at(self) -> pendulum.DateTime:
        """When the cycle started."""
        return from_micros(self._started_us, self._zone)

    @functools.cached_property
    def ended_at(self) -> pendulum.DateTime | None:
        """When it was met or cancelled (``None`` while active)."""
        return self._instant(self._ended_us)

    @functools.cached_property
    def elapsed(self) -> pendulum.Duration:
        """Business time used."""
        return duration_from_micros(self._elapsed_us)

    @functools.cached_property
    def remaining(self) -> pendulum.Duration:
        """``target - elapsed`` (negative once overdue)."""
        return duration_from_micros(self._target_us - self._elapsed_us)

    @functools.cached_property
    def due_at(self) -> pendulum.DateTime | None:
        """When elapsed reaches the target (past or projected; ``None`` when paused or
        stopped before reaching it)."""
        return self._instant(self._due_us)

    @functools.cached_property
    def breached_at(self) -> pendulum.DateTime | None:
        """The first instant elapsed exceeded the target, or ``None``."""
        return self._instant(self._breached_us)

    @functools.cached_property
    def warnings(self) -> tuple[SlaWarning, ...]:
        """The warning thresholds reached, with their instants."""
        zone = self._zone
        return tuple(SlaWarning(f, from_micros(at, zone)) for f, at in self._warnings_us)

    @functools.cached_property
    def next_change_at(self) -> pendulum.DateTime | None:
        """The next instant this status changes with no new event (a warning or the
        breach), or ``None``."""
        return self._instant(self._next_us)

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in _SHOWN)
        return f"SlaStatus({shown})"

    @property
    def breached(self) -> bool:
        """Whether the target was exceeded in this cycle."""
        return self._breached

    def instant_at(self, fraction: float) -> pendulum.DateTime | None:
        """When elapsed reached (or, running on, will reach) ``fraction`` of the target.

        Exact when in the past; a projection with no new events when in the
        future; ``None`` when the clock is paused or stopped before reaching it.
        """
        found = self._instant_micros(fraction)
        return self._instant(found)

    def _instant_micros(self, fraction: float) -> int | None:
        """:meth:`instant_at` in microseconds since the epoch (escalation chains read it
        without building a datetime)."""
        return _instant_micros(self._segments, self._now, fraction)


def _instant_micros(segments: tuple[_Segment, ...], now: int, fraction: float) -> int | None:
    """When a cycle's elapsed time along ``segments`` reaches ``fraction`` of its target, as
    of ``now`` (see :meth:`SlaStatus.instant_at`)."""
    kind = type(fraction)
    # (A float or an int as such first: chains ask with their steps' fractions every time.)
    if (
        kind is not float
        and kind is not int
        and (isinstance(fraction, bool) or not isinstance(fraction, int | float))
    ):
        raise SlaPolicyError(f"fraction must be a number, got {fraction!r}")
    if not math.isfinite(fraction) or fraction < 0:
        raise SlaPolicyError(f"fraction must be finite and not negative, got {fraction}")
    found = _crossing(segments, lambda target: round(fraction * target))
    if found is None:
        return None
    ended = segments[-1].end is not None
    if found > now and ended:
        return None
    return found


class CycleInstants:
    """Of one cycle as of ``now``, what an escalation chain reads of its :class:`SlaStatus`:
    when it started, and when elapsed time reaches a fraction of the target. Built without
    the searches a status makes for its due time, breach and warnings (a scheduler's re-plan
    hands these to its chains; nothing else reads them)."""

    __slots__ = ("_now", "_segments", "_started_us")

    def __init__(self, cycle: _Cycle, now: int) -> None:
        self._segments = tuple(cycle.segments)
        self._now = now
        self._started_us = cycle.started

    def _instant_micros(self, fraction: float) -> int | None:
        """:meth:`SlaStatus.instant_at` in microseconds."""
        return _instant_micros(self._segments, self._now, fraction)


#: The fields a status shows in its repr, in the documented order.
_SHOWN: Final = (
    "metric",
    "cycle",
    "priority",
    "state",
    "target",
    "calendar",
    "started_at",
    "ended_at",
    "elapsed",
    "remaining",
    "due_at",
    "breached_at",
    "percent_used",
    "warnings",
    "next_change_at",
)


class _Cycle:
    __slots__ = ("ended", "number", "outcome", "priority", "restart_index", "segments", "started")

    def __init__(self, number: int, started: int, priority: str) -> None:
        self.number = number
        self.started = started
        self.priority = priority
        self.segments: list[_Segment] = []
        self.restart_index = 0
        self.ended: int | None = None
        self.outcome: StopOutcome | None = None

    def copy(self) -> _Cycle:
        clone = _Cycle(self.number, self.started, self.priority)
        clone.segments = list(self.segments)
        clone.restart_index, clone.ended, clone.outcome = (
            self.restart_index,
            self.ended,
            self.outcome,
        )
        return clone

    @property
    def running(self) -> bool:
        return bool(self.segments) and self.segments[-1].end is None

    def elapsed(self, now: int) -> int:
        if not self.segments:
            return 0
        last = self.segments[-1]
        return last.before + last.length(now)

    def stop_running(self, at: int) -> None:
        segments = self.segments
        if segments and segments[-1].end is None:
            segments[-1] = _closed(segments[-1], at)

    def run(self, at: int, calendar: BusinessCalendar, target: int) -> None:
        segments = self.segments
        if not segments:
            segments.append(_new_segment(_Segment, (at, None, calendar, target, 0, 0)))
        elif segments[-1].end is not None:
            # The last segment has ended: its length is what it used.
            last = segments[-1]
            before = last.before + last.used
            segments.append(_new_segment(_Segment, (at, None, calendar, target, before, 0)))


#: The kinds of event that may change a fold's target (tested before its conditions).
_RETARGETING: Final = frozenset({PriorityChanged.kind, AttributesChanged.kind})


class MetricFold:
    """The cycles of one metric, built event by event (the same code serves ``evaluate``
    and the incremental tracker)."""

    __slots__ = (
        "actions",
        "adjust",
        "attributes",
        "by_kind",
        "catch_all",
        "category",
        "current",
        "cycles",
        "metric",
        "opened",
        "outcomes",
        "policy",
        "priority",
        "reopen_candidate",
        "retarget_at",
        "targets",
        "zone",
    )

    def __init__(
        self,
        policy: SlaPolicy,
        metric: SlaMetric,
        opened: TicketOpened,
        zone: object,
        adjust: TargetRule | None = None,
    ) -> None:
        self.policy = policy
        self.metric = metric
        self.opened = opened
        self.priority = opened.priority
        self.attributes: Mapping[str, AttributeValue] = opened.attributes
        self.adjust = adjust
        self.category = StatusCategory.NEW
        self.cycles: list[_Cycle] = []
        # The active cycle (the last one, until it is met or cancelled), read for every event.
        self.current: _Cycle | None = None
        self.reopen_candidate: _Cycle | None = None
        # When the target last changed with no cycle active: a cycle resumed later takes the
        # new target from that instant, not from the resumption.
        self.retarget_at: int | None = None
        self.zone = zone
        # The metric's rules, read for every event fed: its dicts, not its methods.
        self.actions = metric._actions
        self.outcomes = metric._outcomes
        self.targets, self.catch_all = policy._by_priority[metric.name]
        self.by_kind = metric._by_kind

    def copy(self) -> MetricFold:
        clone = MetricFold(self.policy, self.metric, self.opened, self.zone, self.adjust)
        clone.priority, clone.attributes = self.priority, self.attributes
        clone.category = self.category
        clone.retarget_at = self.retarget_at
        clone.cycles = [c.copy() for c in self.cycles]
        if self.current is not None:
            clone.current = clone.cycles[-1]
        if self.reopen_candidate is not None:
            clone.reopen_candidate = clone.cycles[self.cycles.index(self.reopen_candidate)]
        return clone

    @property
    def active(self) -> _Cycle | None:
        return self.current

    def _target(self, priority: str | None = None) -> SlaTarget:
        # The policy's targets of this metric by priority, read directly (target_for for the
        # error a priority without one gets).
        target = self.targets.get(priority or self.priority) or self.catch_all
        if target is None:
            target = self.policy.target_for(self.metric.name, priority or self.priority)
        if self.adjust is None:
            return target
        adjusted = self.adjust(target, self.opened, self.attributes)
        if not isinstance(adjusted, type(target)) or adjusted.metric != target.metric:
            raise SlaPolicyError(
                f"the target rule {getattr(self.adjust, '__qualname__', self.adjust)!r} "
                f"returned {adjusted!r} for a {target.metric.name!r} target; it must return an "
                "SlaTarget of the same metric (e.g. attrs.evolve(target, target=...))"
            )
        return adjusted

    def _resume_clock(self, cycle: _Cycle, at: int) -> None:
        # A running clock runs on (most moves between open statuses): no target to look up.
        if not cycle.running and self.actions[self.category] is ClockAction.RUN:
            target = self._target()
            cycle.run(at, target.calendar, target._micros)

    def _start(self, at: int) -> None:
        self.retarget_at = None  # a new cycle takes the target in force anyway
        cycle = _Cycle(len(self.cycles) + 1, at, self.priority)
        self.cycles.append(cycle)
        self.current = cycle
        self.reopen_candidate = None
        # _target's answer without an adjusting rule, read directly.
        target = None if self.adjust else self.targets.get(self.priority) or self.catch_all
        if target is None:
            target = self._target()
        calendar, target_us = target.calendar, target._micros
        # A zero-length marker keeps the target in force even while paused.
        marker = _new_segment(_Segment, (at, at, calendar, target_us, 0, 0))
        action = self.actions[self.category]
        if action is ClockAction.RUN:
            running = _new_segment(_Segment, (at, None, calendar, target_us, 0, 0))
            cycle.segments += (marker, running)
            return
        cycle.segments.append(marker)
        if action is ClockAction.STOP:
            outcome = self.metric.stop_outcome(self.category)
            self._end(cycle, at, outcome)
            if outcome is StopOutcome.MET and self.metric.reopenable:
                self.reopen_candidate = cycle

    def _end(self, cycle: _Cycle, at: int, outcome: StopOutcome) -> None:
        """End the active cycle."""
        # _Cycle.stop_running, inline: every met or cancelled cycle comes here.
        segments = cycle.segments
        if segments and segments[-1].end is None:
            segments[-1] = _closed(segments[-1], at)
        cycle.ended, cycle.outcome = at, outcome
        self.current = None

    def _category_changed(self, at: int, new: StatusCategory) -> None:
        actions = self.actions
        old_action = actions[self.category]
        self.category = new
        action = actions[new]
        cycle = self.current
        if cycle is not None:
            if action is ClockAction.STOP:
                outcome = self.outcomes.get(new, StopOutcome.CANCEL)  # metric.stop_outcome
                self._end(cycle, at, outcome)
                if outcome is StopOutcome.MET and self.metric.reopenable:
                    self.reopen_candidate = cycle
            elif action is ClockAction.RUN:
                self._resume_clock(cycle, at)
            else:
                cycle.stop_running(at)
            return
        candidate = self.reopen_candidate
        if old_action is ClockAction.STOP and action is not ClockAction.STOP and candidate:
            self.reopen_candidate = None
            if self.policy.on_reopen == "resume":
                candidate.ended = candidate.outcome = None
                self.current = candidate
                if self.retarget_at is not None:
                    self._retarget_cycle(candidate, self.retarget_at)
                self.retarget_at = None
                self._resume_clock(candidate, at)
            else:
                self._start(at)

    def _retarget(self, at: int) -> None:
        """The priority or the attributes changed at ``at``: the running cycle counts against
        the target they now give."""
        cycle = self.active
        if cycle is None:
            self.retarget_at = at
            return
        self._retarget_cycle(cycle, at)

    def _retarget_cycle(self, cycle: _Cycle, at: int) -> None:
        """Put the target now in force on ``cycle`` from ``at``."""
        target = self._target()
        was_running = cycle.running
        cycle.stop_running(at)
        if self.policy.on_priority_change == "restart":
            cycle.restart_index = len(cycle.segments)
            before = 0
        else:
            before = cycle.elapsed(at)
        cycle.priority = self.priority
        cycle.segments.append(_Segment(at, at, target.calendar, target.target_micros, before))
        if was_running:
            cycle.segments.append(_Segment(at, None, target.calendar, target.target_micros, before))

    def feed(self, event: Event, at: int, category: StatusCategory | None) -> None:
        """Apply one event at ``at``; ``category`` is the new category for a status change."""
        if category is not None and category is not self.category:
            self._category_changed(at, category)
        self.read(event, type(event).kind, at)

    def read(self, event: Event, kind: str, at: int) -> None:
        """:meth:`feed` for an event that changes no category (``kind``: its kind)."""
        if kind in _RETARGETING:
            self._retarget_on(event, at)
        conditions = self.by_kind.get(kind)
        if conditions is None:
            return  # the metric starts, meets and cancels nothing on this kind of event
        cancels, meets, starts = conditions
        cycle = self.current
        if cycle is not None:
            if cancels and (cancels is True or matches_any(cancels, event)):
                self._end(cycle, at, StopOutcome.CANCEL)
                return
            if meets and (meets is True or matches_any(meets, event)):
                self._end(cycle, at, StopOutcome.MET)
                if not self.metric.restarts:
                    return
                cycle = None
        if cycle is None and starts and (starts is True or matches_any(starts, event)):
            self._start(at)

    def _retarget_on(self, event: Event, at: int) -> None:
        if isinstance(event, PriorityChanged):
            self.priority = event.to_priority
            self._retarget(at)
        elif isinstance(event, AttributesChanged):
            self.attributes = {**self.attributes, **event.attributes}
            if self.adjust is not None:
                self._retarget(at)

    def statuses(self, now: int) -> list[SlaStatus]:
        """Every cycle as of ``now`` (which must not be before the last event fed)."""
        return [self._status(cycle, now) for cycle in self.cycles]

    def _status(self, cycle: _Cycle, now: int) -> SlaStatus:
        segments = tuple(cycle.segments)
        last = segments[-1]
        ended = cycle.ended
        end = ended if ended is not None else now
        running = ended is None and last.end is None
        elapsed = last.before + (last.length(end) if running else last.used)
        target_us = last.target
        # _target's answer without an adjusting rule, read directly.
        priority = cycle.priority or self.priority
        target = None if self.adjust else self.targets.get(priority) or self.catch_all
        warn_at = (target or self._target(priority)).warn_at
        restart = cycle.restart_index
        # A stopped clock with one target throughout: elapsed time only grows along its
        # segments, so the breach is in the past exactly when elapsed exceeds the target,
        # and nothing lies ahead; where the other instants fall is searched when first read.
        stopped = not running
        if stopped:
            for seg in segments:
                if seg.target != target_us:
                    stopped = False
                    break
        found: _Crossings | None = None
        if stopped and not restart:
            breached = elapsed > target_us
            next_us = None
        else:
            due, breach, warnings = _walk(segments, restart, target_us, warn_at, elapsed, stopped)
            found, next_us = _settle(end, running, due, breach, warn_at, warnings)
            breached = found.breached is not None
        outcome = cycle.outcome
        if outcome is StopOutcome.CANCEL:
            state = SlaState.CANCELLED
        elif outcome is StopOutcome.MET:
            state = SlaState.BREACHED_STOPPED if breached else SlaState.MET
        elif running:
            state = SlaState.BREACHED_RUNNING if breached else SlaState.RUNNING
        else:
            state = SlaState.PAUSED
        # Positional: a keyword call to a class gathers its arguments in a dict first.
        return SlaStatus(
            self.metric.name,
            cycle.number,
            cycle.priority,
            state,
            last.calendar,
            100.0 * elapsed / target_us,
            target_us,
            cycle.started,
            ended,
            elapsed,
            next_us,
            breached,
            found,
            warn_at,
            segments,
            end,
            self.zone,
        )
