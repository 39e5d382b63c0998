"""Evaluating an escalation chain over a ticket's history: what is due, and when next."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Container, Sequence
from typing import Any, Final, NamedTuple, Protocol, TypeAlias

import attrs
import pendulum

from servicekit._events import Acknowledged, PriorityChanged, StatusChanged
from servicekit._lifecycle import Lifecycle
from servicekit._memo import IdentityMemo
from servicekit._status import StatusCategory
from servicekit._ticket import Ticket
from servicekit._time import duration_micros, from_micros, to_micros
from servicekit._timeline import Timeline, _bare_change, timeline
from servicekit.errors import InvalidEscalationError
from servicekit.escalation._chain import (
    AfterBreach,
    AtSlaFraction,
    Delay,
    EnteredCategory,
    EscalationChain,
    OutsideWindow,
    PriorityRaised,
    Selector,
    SlaTrigger,
    Step,
    Target,
    Unreachable,
)
from servicekit.sla import On, SlaPolicy, SlaReport
from servicekit.sla._policy import opened_zone

__all__ = ["EscalationReport", "Notification", "Position", "Reachable", "evaluate_chain"]

#: ``reachable(target, at)``: whether ``target`` can be reached at ``at`` (on-call calendars
#: live in the app).
Reachable = Callable[[Target, pendulum.DateTime], bool]


@attrs.frozen
class Notification:
    """One target to notify, at one instant, for one step of one loop of one run.

    ``key`` is deterministic (ticket, chain and version, run, loop, step, target), so an
    app can send each notification exactly once.
    """

    at: pendulum.DateTime
    run: int
    loop: int
    step: int
    target: Target
    key: str
    importance: str | None
    channel: str | None
    reassign: Target | None
    chain_version: int


@attrs.frozen
class Position:
    """Where a run under way stands: the next step, and when it falls due (if known)."""

    run: int
    loop: int
    step: int
    due_at: pendulum.DateTime | None


@attrs.frozen
class EscalationReport:
    """The notifications due at ``now``, the position of the run under way, and ``next_at``.

    Attributes:
        notifications: every notification due at or before ``now``.
        position: where the run under way stands, if one is.
        next_at: the next instant the answer changes with no new event (a step, a run
            starting on an SLA instant, an acknowledgement timing out).
        next_notification_at: the next instant a notification falls due with no new
            event (``None``: none will), never before ``next_at``.
        chain: the name of the chain.
    """

    notifications: tuple[Notification, ...]
    position: Position | None
    next_at: pendulum.DateTime | None
    next_notification_at: pendulum.DateTime | None = None
    chain: str = ""


class _Segment(NamedTuple):
    """A stretch in which a run's steps may fire (a tuple: built for every probe)."""

    run: int
    start: int
    end: int | None
    first_step: int
    loop: int
    chain: EscalationChain

    def ending(self, end: int) -> _Segment:
        return _Segment(self.run, self.start, end, self.first_step, self.loop, self.chain)


_RUN_IN_KEY = re.compile(r":run(\d+):")


#: The most steps one run of a chain may take up to ``now``: an endless repeat asked about
#: far in the future is refused rather than listing notifications without bound.
MAX_STEPS_PER_RUN: Final = 100_000


def _addressed(event: Acknowledged, chain: str, ticket_id: str) -> bool:
    """Whether an acknowledgement names this chain (directly, or by a notification's key)."""
    if event.chain is not None:
        return event.chain == chain
    return event.key is not None and event.key.startswith(f"{ticket_id}:{chain}:v")


def _acknowledged_run(event: Acknowledged) -> int | None:
    """The run an acknowledgement names (``None``: the run under way)."""
    if event.run is not None:
        return event.run
    found = None if event.key is None else _RUN_IN_KEY.search(event.key)
    return None if found is None else int(found[1])


def _matches_stop(
    chain: EscalationChain, event: object, category: StatusCategory | None, ticket_id: str
) -> bool:
    for stop in chain.stops:
        if isinstance(stop, On) and stop.matches(event):  # type: ignore[arg-type]
            if isinstance(event, Acknowledged) and not _addressed(event, chain.name, ticket_id):
                continue  # an acknowledgement stops only what it names
            return True
        if (
            isinstance(stop, EnteredCategory)
            and category is not None
            and category in stop.categories
        ):
            return True
    return False


def _matches_trigger(
    chain: EscalationChain, event: object, category: StatusCategory | None, raised: bool
) -> bool:
    for trigger in chain.triggers:
        if isinstance(trigger, On) and trigger.matches(event):  # type: ignore[arg-type]
            return True
        if (
            isinstance(trigger, EnteredCategory)
            and category is not None
            and category in trigger.categories
        ):
            return True
        if isinstance(trigger, PriorityRaised) and raised:
            return True
    return False


def _raised(order: tuple[str, ...], event: PriorityChanged) -> bool:
    rank = {p: i for i, p in enumerate(order)}
    return rank.get(event.to_priority, len(rank)) < rank.get(event.from_priority, len(rank))


def _version_at(
    chain: EscalationChain, versions: Sequence[EscalationChain], at: int
) -> EscalationChain:
    if not versions and chain.effective_from is None:
        return chain  # the only version, in effect since always (most chains)
    candidates = [
        c
        for c in (chain, *versions)
        if c.effective_from is None or to_micros(c.effective_from) <= at
    ]
    if not candidates:
        raise InvalidEscalationError(
            f"no version of chain {chain.name!r} was in effect at the run's start; give the "
            "earlier versions with versions=..."
        )
    return max(
        candidates,
        key=lambda c: (-1 if c.effective_from is None else to_micros(c.effective_from), c.version),
    )


class _Reaching(Protocol):
    """What a chain reads of one SLA cycle (an :class:`~servicekit.sla.SlaStatus`)."""

    @property
    def _started_us(self) -> int: ...

    def _instant_micros(self, fraction: float) -> int | None: ...


class SlaView(Protocol):
    """What a chain reads of an SLA report: an :class:`~servicekit.sla.SlaReport`, or the
    lighter :class:`~servicekit.sla._policy.SlaInstants` a scheduler's re-plan builds."""

    def for_metric(self, name: str, /) -> Sequence[_Reaching]: ...


class ChainInputs(NamedTuple):
    """What of a ticket a chain reads: the events that may stop or trigger it (by kind, by
    the category a status change enters, a priority change when a raise triggers it) and
    the SLA metrics its triggers and steps wait on. An event none of these name, changing
    no metric named, leaves the chain's answer as it was (a scheduler re-plans by it)."""

    kinds: frozenset[str]
    categories: frozenset[StatusCategory]
    order: tuple[str, ...]
    metrics: frozenset[str]

    def may_mark(self, event: object, category: StatusCategory | None) -> bool:
        """Whether ``event`` (entering ``category``, for a status change) may be a mark."""
        return (
            type(event).kind in self.kinds  # type: ignore[attr-defined]
            or category in self.categories
            or (bool(self.order) and isinstance(event, PriorityChanged))
        )


def chain_inputs(chain: EscalationChain) -> ChainInputs:
    """The :class:`ChainInputs` of ``chain`` (remembered: a protocol's chains are evaluated
    over and over)."""
    return _INPUTS(chain)


def _chain_inputs(chain: EscalationChain) -> ChainInputs:
    conditions = (*chain.stops, *chain.triggers)
    waits = [step.wait for step in chain.steps]
    return ChainInputs(
        kinds=frozenset(c.kind for c in conditions if isinstance(c, On)),
        categories=frozenset(
            category
            for c in conditions
            if isinstance(c, EnteredCategory)
            for category in c.categories
        ),
        order=next((t.order for t in chain.triggers if isinstance(t, PriorityRaised)), ()),
        metrics=frozenset(
            [
                *(t.metric for t in chain.triggers if isinstance(t, SlaTrigger)),
                *(w.metric for w in waits if isinstance(w, AtSlaFraction | AfterBreach)),
            ]
        ),
    )


_INPUTS: IdentityMemo[EscalationChain, ChainInputs] = IdentityMemo(_chain_inputs)


def _event_marks(
    chain: EscalationChain, ticket: Ticket, events: Timeline, inputs: ChainInputs | None = None
) -> list[tuple[int, int, str, object]]:
    """The events that stop or trigger the chain, as marks ``(at, order, what, event)``
    (``inputs``: the chain's :func:`chain_inputs`, when the caller keeps them)."""
    marks: list[tuple[int, int, str, object]] = []
    category_of = ticket.lifecycle._category_of.__getitem__
    # Most events of a history concern no stop and no trigger: told apart by their kind, or
    # by the category a status change enters.
    if inputs is None:
        inputs = chain_inputs(chain)
    order = inputs.order
    kinds, categories = inputs.kinds, inputs.categories
    # A timeline's status changes are mostly of the class itself (stand-ins among them).
    changes_mark = StatusChanged.kind in kinds
    # When no condition reads a status change as an event, what one of the class itself
    # marks depends only on the status it enters: looked up, not tested.
    entered = None if changes_mark else _entered_marks(chain, ticket.lifecycle)
    for index, (at, event) in enumerate(events):
        # ChainInputs.may_mark, inline: this loop reads every event of every evaluation.
        kind = type(event)
        if kind is StatusChanged and entered is not None:
            what = entered[event.to_status]  # type: ignore[attr-defined]
            if what is not None:
                marks.append((at, index, what, event))
            continue
        if kind is StatusChanged or isinstance(event, StatusChanged):
            category: StatusCategory | None = category_of(event.to_status)  # type: ignore[attr-defined]
            if category not in categories and not (
                changes_mark if kind is StatusChanged else kind.kind in kinds
            ):
                continue
        else:
            category = None
            if kind.kind not in kinds and not (order and isinstance(event, PriorityChanged)):
                continue
        raised = isinstance(event, PriorityChanged) and bool(order) and _raised(order, event)
        if _matches_stop(chain, event, category, ticket.id):
            marks.append((at, index, "ack" if isinstance(event, Acknowledged) else "stop", event))
        elif _matches_trigger(chain, event, category, raised):
            marks.append((at, index, "trigger", event))
    return marks


class _EnteredMarks(dict[str, str | None]):
    """Per status of a lifecycle, what a status change into it marks for a chain none of
    whose conditions reads status changes as events (``"stop"``, ``"trigger"`` or ``None``;
    a status the lifecycle does not know raises what ``Lifecycle.category`` raises)."""

    __slots__ = ("_chain", "_lifecycle")

    def __init__(self, chain: EscalationChain, lifecycle: Lifecycle) -> None:
        super().__init__()
        self._chain, self._lifecycle = chain, lifecycle

    def __missing__(self, status: str) -> str | None:
        category = self._lifecycle._category_of[status]
        # The stand-in of a change into the status: only the category it enters is read.
        probe = _bare_change(status)
        what = None
        if _matches_stop(self._chain, probe, category, ""):
            what = "stop"
        elif _matches_trigger(self._chain, probe, category, False):
            what = "trigger"
        self[status] = what  # a lifecycle's statuses are few
        return what


def _entered_marks(chain: EscalationChain, lifecycle: Lifecycle) -> _EnteredMarks:
    """The :class:`_EnteredMarks` of ``chain`` for ``lifecycle`` (remembered per pair)."""
    key = (id(chain), id(lifecycle))
    found = _ENTERED.get(key)
    if found is not None and found._chain is chain and found._lifecycle is lifecycle:
        return found
    found = _EnteredMarks(chain, lifecycle)
    if len(_ENTERED) >= 256:
        _ENTERED.clear()
    _ENTERED[key] = found
    return found


# (chain id, lifecycle id) -> their table; each table holds both, so neither id is reused
# while it lasts.
_ENTERED: dict[tuple[int, int], _EnteredMarks] = {}


def _sla_marks(chain: EscalationChain, sla: SlaView | None) -> list[tuple[int, int]]:
    """The instants SLA triggers fire (past or projected), each with the start of its cycle."""
    found: list[tuple[int, int]] = []
    if sla is None:
        return found
    for trigger in chain.triggers:
        if isinstance(trigger, SlaTrigger):
            for status in sla.for_metric(trigger.metric):
                at = status._instant_micros(trigger.fraction)
                if at is not None:
                    found.append((at, status._started_us))
    return found


def _segments(
    chain: EscalationChain,
    event_marks: list[tuple[int, int, str, object]],
    sla_marks: list[tuple[int, int]],
    now_us: int,
    versions: Sequence[EscalationChain],
) -> tuple[list[_Segment], list[int]]:
    """The stretches in which a run's steps may fire, and future instants a run would start.

    ``event_marks`` (:func:`_event_marks` of the ticket's timeline) and ``sla_marks``
    (:func:`_sla_marks`) count; time runs on to ``now_us`` (later when looking ahead).
    """
    marks = list(event_marks)
    future: list[int] = []
    for at, started in sla_marks:
        if at <= now_us:
            marks.append((at, -1, "sla", started))
        else:
            future.append(at)
    marks.sort(key=lambda m: (m[0], m[1]))
    segments: list[_Segment] = []
    active: _Segment | None = None
    held_until: int | None = None  # an acknowledgement that will time out
    runs = 0
    last_start: int | None = None
    timeout = None
    for at, _, what, payload in marks:
        if held_until is not None and at >= held_until and active is not None:
            # The acknowledgement timed out before this mark: the chain restarted.
            active = _Segment(
                active.run,
                held_until,
                None,
                active.chain.ack_restart_step,
                active.loop + 1,
                active.chain,
            )
            segments.append(active)
            held_until = None
        if what == "sla" and last_start is not None and last_start >= payload:  # type: ignore[operator]
            continue  # a run already started in this SLA cycle (by hand, say): not again
        if what in ("trigger", "sla"):
            if active is None:
                last_start = at
                runs += 1
                version = _version_at(chain, versions, at)
                active = _Segment(runs, at, None, 0, 0, version)
                segments.append(active)
            continue
        if active is None:
            continue
        if isinstance(payload, Acknowledged):
            named = _acknowledged_run(payload)
            if named is not None and named != active.run:
                continue  # an acknowledgement of an earlier run
        if held_until is None:
            segments[-1] = segments[-1].ending(at)
        timeout = active.chain.ack_timeout
        if what == "ack" and timeout is not None:
            held_until = at + duration_micros(timeout)
        else:
            active, held_until = None, None
    if held_until is not None and active is not None:
        if held_until <= now_us:
            segments.append(
                _Segment(
                    active.run,
                    held_until,
                    None,
                    active.chain.ack_restart_step,
                    active.loop + 1,
                    active.chain,
                )
            )
        else:
            future.append(held_until)
    return segments, future


def _sla_instant(
    sla: SlaView, metric: str, fraction: float, cache: dict[tuple[str, float], int | None]
) -> int | None:
    # Asked again for every instant a look-ahead probes: the report does not change.
    key = (metric, fraction)
    if key in cache:
        return cache[key]
    statuses = sla.for_metric(metric)
    found = statuses[-1]._instant_micros(fraction) if statuses else None
    cache[key] = found
    return found


def _due(
    step: Step,
    previous: int,
    sla: SlaView | None,
    cache: dict[tuple[str, float], int | None],
) -> int | None:
    wait = step.wait
    if isinstance(wait, Delay):
        d = _WAIT_MICROS(wait)
        return previous + d if wait.calendar is None else wait.calendar.add_micros(previous, d)
    assert sla is not None
    if isinstance(wait, AtSlaFraction):
        found = _sla_instant(sla, wait.metric, wait.fraction, cache)
        return None if found is None else max(found, previous)
    breach = _sla_instant(sla, wait.metric, 1.0, cache)
    if breach is None:
        return None
    d = _WAIT_MICROS(wait)
    at = breach + d if wait.calendar is None else wait.calendar.add_micros(breach, d)
    return max(at, previous)


# A step's wait and a chain's hold poll in microseconds, asked at every evaluation (each
# remembered per value; one that cannot be converted raises each time it is asked).
_WAIT_MICROS: IdentityMemo[Delay | AfterBreach, int] = IdentityMemo(
    lambda wait: duration_micros(wait.duration)
)
_POLL_MICROS: IdentityMemo[EscalationChain, int] = IdentityMemo(
    lambda chain: duration_micros(chain.hold_poll)
)


def evaluate_chain(
    chain: EscalationChain,
    ticket: Ticket,
    now: _dt.datetime,
    *,
    sla: SlaPolicy | SlaReport | None = None,
    reachable: Reachable | None = None,
    cursor: int = 0,
    versions: Sequence[EscalationChain] = (),
) -> EscalationReport:
    """See :meth:`EscalationChain.evaluate`."""
    now_us = to_micros(now, name="now")
    if chain.needs_sla and sla is None:
        waiting = [
            i for i, s in enumerate(chain.steps) if isinstance(s.wait, AtSlaFraction | AfterBreach)
        ]
        raise InvalidEscalationError(
            f"chain {chain.name!r} waits on SLA targets (steps {waiting} or its triggers); "
            "pass the SLA policy (or its report for this ticket and instant) with sla=..."
        )
    if isinstance(sla, SlaReport):
        if sla.ticket_id != ticket.id or to_micros(sla.now) != now_us:
            raise InvalidEscalationError(
                f"the SLA report given is for ticket {sla.ticket_id!r} at {sla.now.isoformat()}, "
                f"not {ticket.id!r} at {pendulum.instance(now).isoformat()}; evaluate the policy "
                "for this ticket and instant, or pass the policy itself"
            )
        report: SlaReport | None = sla
    else:
        report = sla.evaluate(ticket, now) if sla is not None else None
    scan = chain_scan(
        chain,
        ticket,
        timeline(ticket, now_us),
        now_us,
        report,
        reachable=reachable,
        cursor=cursor,
        versions=versions,
    )
    return _built(chain, ticket, scan)


def chain_report(
    chain: EscalationChain, ticket: Ticket, events: Timeline, now_us: int, report: SlaReport | None
) -> tuple[EscalationReport, int | None, int | None]:
    """:func:`evaluate_chain` once the arguments are checked, on the ticket's ``events`` up to
    ``now_us`` (a protocol reads the timeline once for its policy, chains and schedules); with
    the report, its ``next_at`` and ``next_notification_at`` in microseconds (a protocol
    compares them with its other parts' without converting)."""
    scan = chain_scan(chain, ticket, events, now_us, report)
    return _built(chain, ticket, scan), scan[2], scan[3]


def _built(chain: EscalationChain, ticket: Ticket, scan: _Scan) -> EscalationReport:
    """The report of what :func:`chain_scan` found."""
    zone = ticket_zone(ticket)
    notifications, position, next_at, next_notification = scan
    return EscalationReport(
        notifications,
        None if position is None else Position(*position[:3], _instant(position[3], zone)),
        _instant(next_at, zone),
        _instant(next_notification, zone),
        chain.name,
    )


def chain_scan(
    chain: EscalationChain,
    ticket: Ticket,
    events: Timeline,
    now_us: int,
    report: SlaView | None,
    *,
    reachable: Reachable | None = None,
    cursor: int = 0,
    versions: Sequence[EscalationChain] = (),
    done: Container[str] = (),
    inputs: ChainInputs | None = None,
) -> _Scan:
    """What :func:`chain_report` reports, before it is built into a report: the
    notifications due (but those whose keys are in ``done``: a scheduler handed them out,
    their values are not built), the position, ``next_at`` and ``next_notification_at`` in
    microseconds (``inputs``: the chain's :func:`chain_inputs`, when the caller keeps
    them)."""
    zone = ticket_zone(ticket)
    due, position, next_at, next_notification = chain_due(
        chain, ticket, events, now_us, report, zone, reachable, cursor, versions, inputs
    )
    ticket_id = ticket.id
    notifications = tuple(
        _notification(item, key, zone) for item in due if (key := _key(ticket_id, item)) not in done
    )
    return notifications, position, next_at, next_notification


def chain_due(
    chain: EscalationChain,
    ticket: Ticket,
    events: Timeline,
    now_us: int,
    report: SlaView | None,
    zone: Any = None,
    reachable: Reachable | None = None,
    cursor: int = 0,
    versions: Sequence[EscalationChain] = (),
    inputs: ChainInputs | None = None,
) -> tuple[list[_Due], _Position | None, int | None, int | None]:
    """What :func:`chain_scan` finds, the notifications due as the records they are built
    from (a replay only counts them); ``zone``: :func:`ticket_zone`, when the caller has it."""
    if zone is None:
        zone = ticket_zone(ticket)
    run = _Run(chain, ticket, events, now_us, report, versions, reachable, cursor, zone, inputs)
    due, position, upcoming, sure = run.at(now_us)
    later = [t for t in upcoming if t > now_us]
    next_at = min(later) if later else None
    # A step falling due with everyone reachable is a notification for certain; anything
    # else first (a run starting, a hold) is asked about at its instant.
    next_notification = next_at if next_at in sure else _next_notification(run, next_at)
    return due, position, next_at, next_notification


def ticket_zone(ticket: Ticket) -> Any:
    """The zone of a ticket's reports: its opening's pendulum zone."""
    return opened_zone(ticket.opened)


def _instant(micros: int | None, zone: Any) -> pendulum.DateTime | None:
    return None if micros is None else from_micros(micros, zone)


#: A notification as :meth:`_Run.at` finds it: (instant in microseconds, run, loop, step
#: index, target, step, chain version). The public :class:`Notification` is built from it
#: only for what a report returns.
_Due: TypeAlias = tuple[int, int, int, int, Target, Step, EscalationChain]
#: Where a run under way stands: (run, loop, step, instant in microseconds or None).
_Position: TypeAlias = tuple[int, int, int, int | None]
#: What :func:`chain_scan` finds: the notifications due, the position, ``next_at`` and
#: ``next_notification_at`` in microseconds.
_Scan: TypeAlias = tuple[tuple[Notification, ...], _Position | None, int | None, int | None]


def _key(ticket_id: str, item: _Due) -> str:
    """A notification's idempotency key: ticket, chain and version, run, loop, step, target."""
    _, run, loop, index, target, _, spec = item
    return (
        f"{ticket_id}:{spec.name}:v{spec.version}:run{run}:loop{loop}:"
        f"step{index}:{target.kind}:{target.name}"
    )


def _notification(item: _Due, key: str, zone: Any) -> Notification:
    due, run, loop, index, target, step, spec = item
    return Notification(
        at=from_micros(due, zone),
        run=run,
        loop=loop,
        step=index,
        target=target,
        key=key,
        importance=step.importance,
        channel=step.channel,
        reassign=step.reassign,
        chain_version=spec.version,
    )


_LOOKAHEAD = 1_000  # instants probed for the next notification; each is a step or a run start


def _next_notification(run: _Run, first: int | None) -> int | None:
    """The first notification after the run's ``now`` with no new event, found by asking
    again at each instant the answer changes (the SLA report stays valid: no event, no
    change in its projections)."""
    probe = first
    for _ in range(_LOOKAHEAD):
        if probe is None:
            return None
        due, _, upcoming, _ = run.at(probe)
        fresh = [item[0] for item in due if item[0] > run.events_us]
        if fresh:
            return min(fresh)
        later = [t for t in upcoming if t > probe]
        probe = min(later) if later else None
    raise InvalidEscalationError(  # pragma: no cover - a chain advances or stops in time
        f"chain {run.chain.name!r}: no notification within {_LOOKAHEAD} changes"
    )


class _Run:
    """One chain over one ticket's events up to ``events_us``, asked at any later instant.

    What does not depend on the instant asked (the events that trigger or stop the chain,
    the SLA instants its triggers and steps wait for) is worked out once and kept, so the
    look-ahead for the next notification re-reads none of it.
    """

    __slots__ = (
        "chain",
        "cursor",
        "event_marks",
        "events_us",
        "reachable",
        "report",
        "sla_cache",
        "sla_marks",
        "ticket",
        "versions",
        "zone",
    )

    def __init__(
        self,
        chain: EscalationChain,
        ticket: Ticket,
        events: Timeline,
        events_us: int,
        report: SlaView | None,
        versions: Sequence[EscalationChain],
        reachable: Reachable | None,
        cursor: int,
        zone: Any,
        inputs: ChainInputs | None = None,
    ) -> None:
        self.chain, self.ticket, self.events_us, self.report = chain, ticket, events_us, report
        self.versions, self.reachable, self.cursor, self.zone = versions, reachable, cursor, zone
        self.event_marks = _event_marks(chain, ticket, events, inputs)
        self.sla_marks = _sla_marks(chain, report)
        self.sla_cache: dict[tuple[str, float], int | None] = {}

    def at(self, now_us: int) -> tuple[list[_Due], _Position | None, list[int], set[int]]:
        """The notifications due at ``now_us``, the position, the instants to come, and
        those of them at which a notification falls due for certain."""
        report, zone, cursor, reachable, cache = (
            self.report,
            self.zone,
            self.cursor,
            self.reachable,
            self.sla_cache,
        )
        segments, upcoming = _segments(
            self.chain, self.event_marks, self.sla_marks, now_us, self.versions
        )
        notifications: list[_Due] = []
        position: _Position | None = None
        sure: set[int] = set()
        for seg in segments:
            position = None  # only the last run under way has a position
            spec = seg.chain
            steps = spec.steps
            index, loop, previous = seg.first_step, seg.loop, seg.start
            poll = _POLL_MICROS(spec)
            guard = 0
            while True:
                guard += 1
                if guard > MAX_STEPS_PER_RUN:
                    raise InvalidEscalationError(
                        f"chain {spec.name!r} would take more than {MAX_STEPS_PER_RUN:,} steps "
                        f"in one run by {from_micros(now_us, zone).isoformat()} (it repeats "
                        "without end); bound it with Repeat(times=...) or a stop, or ask about "
                        "an earlier now"
                    )
                step = steps[index]
                due = _due(step, previous, report, cache)
                if due is None:
                    position = (seg.run, loop, index, None) if seg.end is None else position
                    break
                window = step.window
                if window is not None and not window.calendar().is_open_micros(due):
                    if window.outside is OutsideWindow.DEFER:
                        due = window.calendar().next_open_micros(due)
                    elif window.outside is OutsideWindow.GOTO:
                        assert window.goto_step is not None
                        if window.goto_step != index:
                            index = window.goto_step
                            previous = due
                            continue
                        due = window.calendar().next_open_micros(due)
                    else:
                        previous = due
                        advanced = _advance(spec, index, loop)
                        if advanced is None:
                            break
                        index, loop = advanced
                        continue
                if seg.end is not None and due >= seg.end:
                    break  # a stop at the very instant a step falls due wins
                if due > now_us:
                    upcoming.append(due)
                    if reachable is None:
                        sure.add(due)
                    if seg.end is None:
                        position = (seg.run, loop, index, due)
                    break
                targets, due = _select(
                    step, due, loop, cursor, reachable, zone, poll, seg.end, now_us
                )
                if targets is None:  # holding for someone reachable
                    if due <= now_us or (seg.end is not None and due >= seg.end):
                        break
                    upcoming.append(due)
                    position = (seg.run, loop, index, due)
                    break
                for target in targets:
                    notifications.append((due, seg.run, loop, index, target, step, spec))
                previous = due
                advanced = _advance(spec, index, loop)
                if advanced is None:
                    break
                index, loop = advanced
        notifications.sort(key=lambda n: n[:4])
        return notifications, position, upcoming, sure


def _advance(chain: EscalationChain, index: int, loop: int) -> tuple[int, int] | None:
    if index + 1 < len(chain.steps):
        return index + 1, loop
    times = chain.repeat.times
    if times is None or loop < times:
        return chain.repeat.from_step, loop + 1
    return None


def _select(
    step: Step,
    due: int,
    loop: int,
    cursor: int,
    reachable: Reachable | None,
    zone: object,
    poll: int,
    end: int | None,
    now_us: int,
) -> tuple[tuple[Target, ...] | None, int]:
    """The targets to notify at ``due`` (or later, when holding), and the instant."""
    if reachable is None:  # everyone is reachable: no question to ask per target
        if step.selector is Selector.ROUND_ROBIN:
            return (step.targets[(cursor + loop) % len(step.targets)],), due
        return (
            step.targets[:1] if step.selector is Selector.FIRST_REACHABLE else step.targets
        ), due
    while True:
        # The instant is built only for a reachability question (most chains ask none).
        def ok(target: Target, due: int = due) -> bool:
            return reachable is None or reachable(target, from_micros(due, zone))  # type: ignore[arg-type]

        if step.selector is Selector.ROUND_ROBIN:
            pick = step.targets[(cursor + loop) % len(step.targets)]
            chosen: tuple[Target, ...] = (pick,) if ok(pick) else ()
        elif step.selector is Selector.FIRST_REACHABLE:
            chosen = next(((t,) for t in step.targets if ok(t)), ())
        else:
            chosen = tuple(t for t in step.targets if ok(t))
        if chosen:
            return chosen, due
        if step.unreachable is Unreachable.SKIP:
            return (), due
        if step.unreachable is Unreachable.FALLBACK:
            assert step.fallback is not None
            return (step.fallback,), due
        due += poll
        if due > now_us or (end is not None and due >= end):
            return None, due
