"""Service protocols: a lifecycle, an SLA policy, escalation chains and follow-up schedules,
answered together: what stands, what is due, and when to ask again."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Collection, Container, Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple, Self

import attrs
import pendulum

from servicekit._events import (
    AttributesChanged,
    AttributeValue,
    Event,
    PriorityChanged,
    StatusChanged,
    TicketOpened,
    event_from_dict,
    event_kinds,
)
from servicekit._lifecycle import DueTransition, Lifecycle
from servicekit._memo import IdentityMemo
from servicekit._status import StatusCategory
from servicekit._ticket import Ticket
from servicekit._time import as_instant, from_micros, get_timezone, to_micros
from servicekit._timeline import Timeline, timeline
from servicekit.errors import EventDecodeError, ServiceKitError, UnknownPriorityError
from servicekit.escalation import EscalationChain, EscalationReport, Notification
from servicekit.escalation._evaluate import (
    ChainInputs,
    SlaView,
    chain_due,
    chain_inputs,
    chain_report,
    chain_scan,
    ticket_zone,
)
from servicekit.followup import Anchor, FollowUpReport, FollowUpSchedule, PromiseState
from servicekit.followup._schedule import Scan
from servicekit.protocols._format import dump_parts, to_toml_text
from servicekit.protocols._templates import TemplateSet
from servicekit.sla import SlaPolicy, SlaReport, SlaTarget
from servicekit.sla._policy import now_micros

__all__ = ["CustomActions", "DueAction", "ProtocolReport", "ServiceProtocol"]


@attrs.frozen
class DueAction:
    """Something to do now: notify someone, follow up, fire a timed transition, keep a promise.

    Attributes:
        kind: ``"notify"``, ``"follow_up"``, ``"terminal"``, ``"promise_reminder"``,
            ``"promise_broken"``, ``"transition"``, or a kind of the team's own
            (see :meth:`ServiceProtocol.custom_actions`).
        at: when it fell due: never before the event that made it due, so an action
            with ``at`` after a worker's previous evaluation is new to that worker.
        source: the chain, schedule or lifecycle it comes from.
        detail: who or what (a target, a channel, a trigger).
        key: an idempotency key, so the app acts exactly once.
        template: the name of the message template that goes with it (see
            :class:`TemplateSet`); the kind unless the protocol says otherwise
            (``"first_response"`` for a run's first contact, ``"handover"``
            for an escalation that hands the ticket to another tier).
    """

    kind: str
    at: pendulum.DateTime
    source: str
    detail: str
    key: str
    template: str = attrs.field(
        kw_only=True, default=attrs.Factory(lambda self: self.kind, takes_self=True)
    )


@attrs.frozen
class CustomActions:
    """What a protocol's own rule says is due (see :meth:`ServiceProtocol.custom_actions`).

    Attributes:
        actions: the actions due at or before ``now``.
        next_at: the next instant one of the rule's actions falls due with no new event,
            or ``None``; it takes part in ``next_wakeup`` and ``next_action_at``.
    """

    actions: tuple[DueAction, ...] = attrs.field(default=(), converter=tuple)
    next_at: pendulum.DateTime | None = attrs.field(
        default=None, converter=attrs.converters.optional(as_instant)
    )


@attrs.frozen
class ProtocolReport:
    """Everything a protocol says about one ticket at ``now``.

    Attributes:
        ticket_id: the ticket's id.
        now: the instant the report describes.
        status: the ticket's status at ``now``.
        sla: every SLA cycle (``None`` without a policy).
        escalations: one report per escalation chain, in the protocol's order.
        follow_ups: one report per follow-up schedule, in the protocol's order.
        transitions: the timed transitions scheduled in the current status.
        actions: every action that fell due at or before ``now``, sorted by instant and key.
        next_wakeup: the next instant anything in the report changes with no new event
            (an SLA warning or breach too, which is no action): for a display that must
            stay exact.
        next_action_at: the next instant a due action appears with no new event: for a
            worker that only acts. Never before ``next_wakeup``.
    """

    ticket_id: str
    now: pendulum.DateTime
    status: str
    sla: SlaReport | None
    escalations: tuple[EscalationReport, ...]
    follow_ups: tuple[FollowUpReport, ...]
    transitions: tuple[DueTransition, ...]
    actions: tuple[DueAction, ...]
    next_wakeup: pendulum.DateTime | None
    next_action_at: pendulum.DateTime | None = None

    def new_actions(
        self, since: _dt.datetime | None, *, done: Collection[str] = ()
    ) -> tuple[DueAction, ...]:
        """The actions that fell due after ``since``: what a worker has not acted on yet.

        Pass the ``now`` of the worker's previous evaluation of this ticket (``None`` the
        first time), and ``done``: the keys of the actions it acted on that fell due at
        exactly that instant (usually none or a handful), so an action that an event
        recorded at that same instant made due is not lost. Nothing else needs keeping:
        an action is never due before the event that made it due.

        Record events as they happen (not later than the evaluation that follows them).
        """
        if since is None:
            return self.actions
        since_us = to_micros(since, name="since")
        return tuple(
            a
            for a in self.actions
            if (at := to_micros(a.at)) > since_us or (at == since_us and a.key not in done)
        )


_UTC = get_timezone("UTC")


def _chains(value: Iterable[EscalationChain]) -> tuple[EscalationChain, ...]:
    return tuple(value)


def _schedules(value: Iterable[FollowUpSchedule]) -> tuple[FollowUpSchedule, ...]:
    return tuple(value)


def _earliest(
    instants: Iterable[tuple[int | None, _dt.datetime | None]], after: int
) -> pendulum.DateTime | None:
    """The earliest instant later than ``after`` (the first given, at equal instants), of
    instants given with their microseconds."""
    found: tuple[int, _dt.datetime | None] | None = None
    for micros, instant in instants:
        if micros is not None and micros > after and (found is None or micros < found[0]):
            found = (micros, instant)
    return None if found is None else found[1]  # type: ignore[return-value]


def _with_micros(instant: _dt.datetime | None) -> tuple[int | None, _dt.datetime | None]:
    return (None if instant is None else to_micros(instant), instant)


@attrs.frozen(kw_only=True)
class ServiceProtocol:
    """A team's whole promise to its customers, as one value.

    Build one, or subclass it and override its hooks for the team's own rules:

    - :meth:`adjust_target`: the SLA target a ticket gets, from any of its attributes
      (VIP customers get half of every target, a contract tier, a channel);
    - :meth:`normalise_priority`: the app's priority names to the policy's (``"p1"`` to
      ``"P1"``);
    - :meth:`classify_event`: the app's own event records to servicekit events;
    - :meth:`custom_actions`: due actions of the team's own.

    A subclass stays a frozen ``attrs`` class: decorate it with ``@attrs.frozen`` only if
    it adds fields. Every part is optional except the lifecycle new tickets start in.
    Tickets of other lifecycles can be evaluated too: the clocks read status categories,
    not names.

    Attributes:
        name: the protocol's name.
        lifecycle: the lifecycle :meth:`open` starts tickets in.
        sla: the SLA policy, if any.
        escalations: escalation chains (functional and hierarchical).
        follow_ups: follow-up schedules.
        description: what the protocol is for, in a sentence.
        templates: the messages that go with its due actions, by template name,
            language and channel.
    """

    name: str
    lifecycle: Lifecycle
    sla: SlaPolicy | None = None
    escalations: tuple[EscalationChain, ...] = attrs.field(default=(), converter=_chains)
    follow_ups: tuple[FollowUpSchedule, ...] = attrs.field(default=(), converter=_schedules)
    description: str = ""
    templates: TemplateSet = attrs.field(factory=TemplateSet)

    def __attrs_post_init__(self) -> None:
        needs = [c.name for c in self.escalations if c.needs_sla]
        if needs and self.sla is None:
            raise ServiceKitError(
                f"protocol {self.name!r}: chains {needs} wait on SLA targets; give it an sla policy"
            )

    def to_toml(self) -> str:
        """The protocol as the text of a protocol file (:func:`load_protocol` reads it back
        equal).

        Raises:
            ServiceKitError: a part a file cannot name (a guard defined inside a
                function, a holidays calendar that is not a country's).
        """
        cls = None if type(self) is ServiceProtocol else type(self)
        return to_toml_text(
            dump_parts(
                name=self.name,
                description=self.description,
                lifecycle=self.lifecycle,
                sla=self.sla,
                escalations=self.escalations,
                follow_ups=self.follow_ups,
                templates=self.templates,
                cls=cls,
            )
        )

    @classmethod
    def from_protocol(cls, protocol: ServiceProtocol, **changes: Any) -> Self:
        """This class of protocol with the parts of ``protocol`` (a ready-made one, say),
        and ``changes``: how a subclass with its own hooks starts from a ready-made protocol.

        >>> from servicekit import BusinessCalendar
        >>> from servicekit.protocols import reactive_protocol
        >>> class Ours(ServiceProtocol):
        ...     def normalise_priority(self, priority: str) -> str:
        ...         return priority.upper()
        >>> ours = Ours.from_protocol(reactive_protocol(BusinessCalendar.always_open()))
        >>> ours.check_priority("p1")
        'P1'
        """
        parts = {f.name: getattr(protocol, f.name) for f in attrs.fields(ServiceProtocol)}
        return cls(**{**parts, **changes})

    # -- hooks a team overrides --------------------------------------------------------------

    def adjust_target(
        self, target: SlaTarget, opened: TicketOpened, attributes: Mapping[str, AttributeValue]
    ) -> SlaTarget:
        """The target a ticket gets (hook). By default the policy's, unchanged.

        Called with the policy's target for the ticket's priority, the event that opened
        the ticket (channel, customer zone) and its attributes as they stand; an
        :class:`~servicekit.AttributesChanged` re-targets running clocks from its instant.
        Return ``attrs.evolve(target, target=...)`` to change it.
        """
        return target

    def normalise_priority(self, priority: str) -> str:
        """The policy's name for a priority the app gives (hook). By default unchanged.

        Applied by :meth:`open` and :meth:`record`; a priority the SLA policy does not know
        after it is refused.
        """
        return priority

    def classify_event(self, data: Mapping[str, Any]) -> Event | None:
        """The servicekit event for one of the app's own records (hook).

        :meth:`record` calls it for a mapping whose ``"type"`` is not a servicekit event
        type. Return the event, or ``None`` to ignore the record on purpose. By default
        every such record is refused.

        Raises:
            EventDecodeError: the record is not understood.
        """
        raise EventDecodeError(
            f"protocol {self.name!r} does not know event type {data.get('type')!r}; known "
            f"types: {sorted(event_kinds())}. Override classify_event to map the app's own "
            "records to servicekit events"
        )

    def custom_actions(
        self, ticket: Ticket, now: pendulum.DateTime, sla: SlaReport | None
    ) -> CustomActions:
        """Due actions of the team's own (hook); by default none.

        Called once per evaluation with the ticket as of ``now`` and the SLA report the
        protocol computed. Return the actions due at or before ``now`` (each with a
        deterministic key) and the next instant one falls due.
        """
        return _NO_ACTIONS

    # -- tickets -----------------------------------------------------------------------------

    def check_priority(self, priority: str) -> str:
        """``priority`` normalised (see :meth:`normalise_priority`) and checked.

        Raises:
            UnknownPriorityError: the SLA policy has no target for it (the message lists
                the priorities it has).
        """
        normal = self.normalise_priority(priority)
        if self.sla is not None and not self.sla.knows_priority(normal):
            shown = f"{priority!r}" if normal == priority else f"{priority!r} (as {normal!r})"
            raise UnknownPriorityError(
                f"protocol {self.name!r} has no targets for priority {shown}; its priorities "
                f"are {list(self.sla.priorities)}. Use one of them, or override "
                "normalise_priority to map the app's names"
            )
        return normal

    def open(self, *, ticket_id: str, at: _dt.datetime, priority: str, **details: Any) -> Ticket:
        """Open a ticket in the protocol's lifecycle (see :meth:`servicekit.Ticket.open`),
        with the priority normalised and checked.

        Raises:
            UnknownPriorityError: the SLA policy has no target for the priority.
        """
        return Ticket.open(
            self.lifecycle,
            ticket_id=ticket_id,
            at=at,
            priority=self.check_priority(priority),
            **details,
        )

    def record(self, ticket: Ticket, event: Event | Mapping[str, Any]) -> tuple[Event, ...]:
        """Record an event on ``ticket`` through the protocol's hooks, and return what was
        added to its history (the event and any status change it caused).

        A mapping is decoded (:func:`servicekit.event_from_dict`) or, when its ``"type"``
        is not a servicekit type, classified by :meth:`classify_event`; a priority change
        is normalised and checked. A classification of ``None`` records nothing.

        Raises:
            EventDecodeError: the record is not understood.
            UnknownPriorityError: a priority change to a priority the policy does not know.
            ServiceKitError: the ticket refuses the event (it is left unchanged).
        """
        if isinstance(event, Mapping):
            decoded = (
                event_from_dict(event)
                if event.get("type") in event_kinds()
                else self.classify_event(event)
            )
            if decoded is None:
                return ()
            event = decoded
        if not isinstance(event, Event):
            raise TypeError(f"expected a servicekit event or a mapping, got {event!r}")
        if isinstance(event, PriorityChanged):
            event = attrs.evolve(
                event,
                from_priority=self.normalise_priority(event.from_priority),
                to_priority=self.check_priority(event.to_priority),
            )
        before = len(ticket)
        ticket.record(event)
        return ticket.history[before:]

    # -- evaluation --------------------------------------------------------------------------

    def evaluate_sla(self, ticket: Ticket, now: _dt.datetime) -> SlaReport | None:
        """The SLA report of ``ticket`` at ``now`` with the protocol's target rule, or
        ``None`` without a policy (the same report :meth:`evaluate` hands to every chain)."""
        now_us = to_micros(now, name="now")
        sla = self.sla
        bare = sla is None or not sla._reads_status_changes
        return self._policy_report(ticket, timeline(ticket, now_us, bare_changes=bare), now_us)

    def _policy_report(self, ticket: Ticket, events: Timeline, now_us: int) -> SlaReport | None:
        """:meth:`evaluate_sla` on the ticket's timeline, already read."""
        if self.sla is None:
            return None
        overridden = type(self).adjust_target is not ServiceProtocol.adjust_target
        return self.sla._report(
            ticket, events, now_us, adjust=self.adjust_target if overridden else None
        )

    def _bare_changes(self) -> bool:
        """Whether no part reads a status change as an event, only the status it led to:
        the SLA policy's folds, every chain's stops and triggers (``On`` conditions; a
        category entered is read from the status) and every schedule's ``stop_on``. The
        timeline then gives the ticket's compact status changes as stand-ins (see
        :func:`~servicekit._timeline.timeline`), sparing their rebuilding. Asked at every
        evaluation of a frozen value: remembered."""
        return _BARE(self)

    def evaluate(self, ticket: Ticket, now: _dt.datetime) -> ProtocolReport:
        """Where the ticket stands at ``now``, what is due, when anything changes next
        (``next_wakeup``) and when the next action falls due (``next_action_at``).

        The SLA policy is evaluated once; escalation chains read that report.
        """
        now_us = to_micros(now, name="now")
        cls = type(self)
        # ``now`` in the ticket's zone, for the hooks a subclass overrides (built only then:
        # a replay evaluates thousands of tickets with neither).
        at = (
            None
            if cls.evaluate_sla is ServiceProtocol.evaluate_sla
            and cls.custom_actions is ServiceProtocol.custom_actions
            else from_micros(now_us, ticket.opened.at.tz)  # type: ignore[arg-type]
        )
        as_of = ticket if ticket._last_us <= now_us else ticket.as_of(now)
        # The history is read into a timeline once, for the policy, every chain and every
        # schedule (each of their own evaluate methods reads it alone).
        events = timeline(as_of, now_us, bare_changes=self._bare_changes())
        sla = (
            self._policy_report(as_of, events, now_us)
            if cls.evaluate_sla is ServiceProtocol.evaluate_sla
            else self.evaluate_sla(as_of, at)  # type: ignore[arg-type]  # a subclass's own
        )
        # Each part's report comes with its next instants in microseconds: the earliest are
        # picked without converting back.
        chains = [chain_report(c, as_of, events, now_us, sla) for c in self.escalations]
        schedules = [s._report_us(as_of, events, now_us) for s in self.follow_ups]
        escalations = tuple(r for r, _, _ in chains)
        follow_ups = tuple(r for r, _ in schedules)
        lifecycle = as_of.lifecycle
        # Most statuses have no timed transition (and asking reads when the status began).
        # (Which transitions are due depends on the instant, not on the zone ``now`` is in.)
        transitions = (
            lifecycle.due_transitions(as_of, now) if lifecycle.timed_from(as_of.status) else ()
        )
        custom = _NO_ACTIONS if at is None else self.custom_actions(as_of, at, sla)
        actions = [*self._actions(as_of, escalations, follow_ups, transitions), *custom.actions]
        if len(actions) > 1:  # (sorting converts every action's instant)
            actions.sort(key=lambda a: (to_micros(a.at), a.key))
        pending = [_with_micros(t.at) for t in transitions if not t.due]
        follow_up_next = [(us, r.next_at) for r, us in schedules]
        custom_next = _with_micros(custom.next_at)
        return ProtocolReport(
            ticket_id=ticket.id,
            now=pendulum.instance(now),
            status=as_of.status,
            sla=sla,
            escalations=escalations,
            follow_ups=follow_ups,
            transitions=transitions,
            actions=tuple(actions),
            next_wakeup=_earliest(
                [
                    _with_micros(sla.next_change_at if sla else None),
                    *((us, r.next_at) for r, us, _ in chains),
                    *follow_up_next,
                    *pending,
                    custom_next,
                ],
                now_us,
            ),
            # Every follow-up instant (an attempt, a promise's reminder or deadline) and
            # every pending transition is an action; a chain says which of its are.
            next_action_at=_earliest(
                [
                    *((us, r.next_notification_at) for r, _, us in chains),
                    *follow_up_next,
                    *pending,
                    custom_next,
                ],
                now_us,
            ),
        )

    def _actions(
        self,
        ticket: Ticket,
        escalations: Sequence[EscalationReport],
        follow_ups: Sequence[FollowUpReport],
        transitions: Sequence[DueTransition],
    ) -> Iterator[DueAction]:
        for chain, report in zip(self.escalations, escalations, strict=True):
            yield from _chain_actions(chain, report.notifications)
        for schedule, fu in zip(self.follow_ups, follow_ups, strict=True):
            yield from _schedule_actions(ticket, schedule, (fu.due, fu.terminal, fu.promises, None))
        yield from _transition_actions(ticket, transitions)

    def _counted(self, ticket: Ticket, now: _dt.datetime) -> Counted | None:
        """What a replay reads of :meth:`evaluate` (see :class:`Counted`), without building
        the report's values (notifications, due actions, instants); ``None`` when a subclass
        evaluates in its own way (the caller evaluates then)."""
        if not _plain(type(self)):
            return None
        now_us = now_micros(now)
        as_of = ticket if ticket._last_us <= now_us else ticket.as_of(now)
        events = timeline(as_of, now_us, bare_changes=self._bare_changes())
        sla = self._policy_report(as_of, events, now_us)
        zone = ticket_zone(as_of)
        # Every part is evaluated as evaluate evaluates it (so it refuses what evaluate
        # refuses); its due actions are only counted.
        actions = sum(
            len(chain_due(c, as_of, events, now_us, sla, zone)[0]) for c in self.escalations
        )
        kept = broken = 0
        for schedule in self.follow_ups:
            due, terminal, promises, _ = schedule._scan(as_of, events, now_us)
            actions += len(due) + (terminal is not None)
            for p in promises:
                if p.state is PromiseState.KEPT:
                    kept += 1
                elif p.state is PromiseState.BROKEN:
                    broken += 1
                    actions += 1  # promise_broken
                elif p.reminder_due:
                    actions += 1  # promise_reminder
        lifecycle = as_of.lifecycle
        if lifecycle.timed_from(as_of.status):
            actions += sum(t.due for t in lifecycle.due_transitions(as_of, now))
        return Counted(as_of, sla, actions, kept, broken)

    # -- re-planning one ticket after a change (the wake-up scheduler) -------------------------

    def _replan_inputs(self) -> ReplanInputs | None:
        """What each part of the protocol reads, for :meth:`_replan`; ``None`` when a
        subclass evaluates in its own way (every re-plan is then a whole :meth:`evaluate`)."""
        base = ServiceProtocol
        cls = type(self)
        if not _plain(cls):
            return None
        policy = self.sla
        metrics = (
            ()
            if policy is None
            else zip(
                (m.name for m in policy.metrics),
                policy._fold_kinds,
                policy._fold_quiet,
                strict=True,
            )
        )
        chains = tuple(chain_inputs(c) for c in self.escalations)
        return ReplanInputs(
            chains=chains,
            metrics=tuple(metrics),
            schedules=self.follow_ups,
            concerns={},
            narrow=_chains_policy(policy, chains)
            if cls.adjust_target is base.adjust_target
            else None,
            known={},
        )

    def _replan(
        self,
        ticket: Ticket,
        now_us: int,
        last: tuple[int, tuple[int | None, ...]] | None,
        inputs: ReplanInputs,
        done: Container[str] = (),
    ) -> Replan:
        """The actions due at ``now_us`` and the next instant one falls due, as
        :meth:`evaluate` gives them (``actions``, ``next_action_at``), but re-evaluating only
        the parts the ticket's new events can change since ``last`` (the ``seen`` and
        ``parts`` this method answered at an earlier instant, ``None`` the first time): a
        part none of them concerns, whose next action has not come, says what it said then,
        and those actions were handed out. Actions whose keys are in ``done`` may be left
        out (a scheduler handed them out; their values are not built).

        The lifecycle's timed transitions are read again whenever the status has any
        (cheap); the SLA policy when a chain that waits on it is re-evaluated (only the
        metrics the chains read, see :class:`_ChainsPolicy`), the first time, and whenever
        a priority some metric has no target for is in force or a priority or attribute
        change may re-target a cycle under a target rule of the protocol's own (so that what
        it refuses is refused as :meth:`evaluate` refuses it). Only for a protocol whose
        :meth:`_replan_inputs` are not ``None``.
        """
        as_of = ticket if ticket._last_us <= now_us else ticket.as_of(from_micros(now_us, _UTC))
        seen = len(as_of)  # every event up to now_us
        chains, schedules = self.escalations, self.follow_ups
        count = len(chains) + len(schedules)
        parts: list[int | None]
        # The chains may read the SLA policy narrowed to their metrics (see _ChainsPolicy),
        # but for the first evaluation, and while a priority some metric has no target for
        # is in force: then the whole policy is read at every re-plan, for its refusals.
        narrow = inputs.narrow
        whole = False
        if last is None or last[0] > seen or len(last[1]) != count:
            stale, retarget = [True] * count, True
            parts = [None] * count
            narrow = None
        else:
            # Only the new events are rebuilt from the ticket's compact history.
            new = [as_of._event(index) for index in range(last[0], seen)]
            stale, retarget = inputs.stale(as_of, new, last[1], now_us)
            parts = list(last[1])
            if narrow is not None and not inputs.knows(as_of.priority, new):
                narrow, whole = None, True
        n = len(chains)
        actions: list[DueAction] = []
        if retarget or whole or any(stale):
            events = timeline(as_of, now_us, bare_changes=self._bare_changes())
            sla: SlaView | None = None
            if narrow is None:
                if retarget or whole or any(stale[:n]):
                    sla = self._policy_report(as_of, events, now_us)
            elif narrow.policy is not None and any(stale[:n]):
                sla = narrow.policy._instants(as_of, events, now_us)
            for i, chain in enumerate(chains):
                if stale[i]:
                    notifications, _, _, notify_us = chain_scan(
                        chain, as_of, events, now_us, sla, done=done, inputs=inputs.chains[i]
                    )
                    actions.extend(_chain_actions(chain, notifications))
                    parts[i] = notify_us
            for j, schedule in enumerate(schedules, n):
                if stale[j]:
                    scan = schedule._scan(as_of, events, now_us, done)
                    actions.extend(_schedule_actions(as_of, schedule, scan))
                    parts[j] = scan[3]
        pending: list[int] = []
        if as_of.lifecycle.timed_from(as_of.status):  # most statuses have no timed transition
            at = from_micros(now_us, ticket.opened.at.tz)  # type: ignore[arg-type]
            transitions = as_of.lifecycle.due_transitions(as_of, at)
            actions.extend(_transition_actions(as_of, transitions))
            pending = [to_micros(t.at) for t in transitions if not t.due]
        later = [us for us in (*parts, *pending) if us is not None and us > now_us]
        return Replan(actions, min(later) if later else None, seen, tuple(parts))

    def evaluate_many(
        self, tickets: Iterable[Ticket], now: _dt.datetime
    ) -> Iterator[ProtocolReport]:
        """Stream one report per ticket (memory stays flat for a generator of tickets)."""
        for ticket in tickets:
            yield self.evaluate(ticket, now)


def _chain_actions(
    chain: EscalationChain, notifications: Iterable[Notification]
) -> Iterator[DueAction]:
    for n in notifications:
        yield DueAction(
            "notify",
            n.at,
            chain.name,
            f"{n.target.kind}:{n.target.name}",
            n.key,
            template="notify" if n.reassign is None else "handover",
        )


def _schedule_actions(
    ticket: Ticket, schedule: FollowUpSchedule, scan: Scan
) -> Iterator[DueAction]:
    due, terminal, promises, _ = scan
    for f in due:
        first = schedule.anchor is Anchor.OPENED and f.run == 1 and f.attempt == 1
        yield DueAction(
            "follow_up",
            f.at,
            schedule.name,
            f.channel,
            f.key,
            template="first_response" if first else "follow_up",
        )
    if terminal is not None:
        yield DueAction("terminal", terminal.at, schedule.name, terminal.action, terminal.key)
    for index, p in enumerate(promises):
        base = f"{ticket.id}:{schedule.name}:promise{index}"
        if p.state is PromiseState.BROKEN:
            # A promise recorded after its deadline is broken when it is recorded.
            broken_at = max(p.due, p.made_at, key=to_micros)
            yield DueAction(
                "promise_broken", broken_at, schedule.name, p.description, f"{base}:broken"
            )
        elif p.reminder_due:
            yield DueAction(
                "promise_reminder",
                p.remind_at,
                schedule.name,
                p.description,
                f"{base}:remind",
            )


def _transition_actions(
    ticket: Ticket, transitions: Sequence[DueTransition]
) -> Iterator[DueAction]:
    for t in transitions:
        if t.due:
            key = f"{ticket.id}:{ticket.lifecycle.name}:{t.trigger}:{t.at.isoformat()}"
            yield DueAction("transition", t.at, ticket.lifecycle.name, t.trigger, key)


def _plain(cls: type[ServiceProtocol]) -> bool:
    """Whether a protocol class evaluates as :class:`ServiceProtocol` does (its own hooks
    for targets and priorities aside)."""
    base = ServiceProtocol
    return (
        cls.evaluate is base.evaluate
        and cls.evaluate_sla is base.evaluate_sla
        and cls.custom_actions is base.custom_actions
    )


class Counted(NamedTuple):
    """What a replay reads of a :class:`ProtocolReport` (see
    :meth:`ServiceProtocol._counted`).

    Attributes:
        as_of: the ticket as of the report's ``now`` (its status is the report's).
        sla: the report's SLA report.
        actions: how many actions the report has.
        kept: promises kept, over the follow-up schedules.
        broken: promises broken.
    """

    as_of: Ticket
    sla: SlaReport | None
    actions: int
    kept: int
    broken: int


class Replan(NamedTuple):
    """What :meth:`ServiceProtocol._replan` decided for one ticket at one instant.

    Attributes:
        actions: the actions due of the parts it re-evaluated (those of the others were
            due before, and handed out), maybe without those handed out.
        next_action_us: the next instant an action falls due with no new event
            (``next_action_at``, in microseconds), or ``None``.
        seen: how many of the ticket's events it read (those up to the instant).
        parts: per chain, then per follow-up schedule, the next instant one of its
            actions falls due (microseconds), or ``None``.
    """

    actions: list[DueAction]
    next_action_us: int | None
    seen: int
    parts: tuple[int | None, ...]


class ReplanInputs(NamedTuple):
    """What each part of a protocol reads (see :meth:`ServiceProtocol._replan_inputs`):
    per chain its :class:`~servicekit.escalation._evaluate.ChainInputs`, per SLA metric (in
    the policy's order) its name, the kinds of event its cycles read and the status moves
    they need not see, and the follow-up schedules. ``concerns`` remembers, per kind of
    event (and status move), the parts it concerns."""

    chains: tuple[ChainInputs, ...]
    metrics: tuple[
        tuple[str, frozenset[str], Mapping[StatusCategory, frozenset[StatusCategory]]], ...
    ]
    schedules: tuple[FollowUpSchedule, ...]
    concerns: dict[tuple[object, ...], tuple[tuple[bool, ...], bool]]
    narrow: _ChainsPolicy | None
    known: dict[str, bool]

    def knows(self, priority: str, new: Iterable[Event]) -> bool:
        """Whether every metric of the policy has a target for ``priority`` (the ticket's
        now) and for each priority the ``new`` events change from or to: every priority in
        force since the last evaluation (remembered per priority)."""
        narrow = self.narrow
        assert narrow is not None
        priorities = [priority]
        for event in new:
            if isinstance(event, PriorityChanged):
                priorities += (event.from_priority, event.to_priority)
        known = self.known
        for p in priorities:
            found = known.get(p)
            if found is None:
                found = narrow.whole.knows_priority(p)
                if len(known) < 256:  # an app's priorities are few; any others are asked again
                    known[p] = found
            if not found:
                return False
        return True

    def stale(
        self, ticket: Ticket, new: Iterable[Event], parts: Sequence[int | None], now_us: int
    ) -> tuple[list[bool], bool]:
        """Per part (chains, then schedules), whether it must be evaluated again at
        ``now_us`` after the ``new`` events (its next action has come, or an event can
        change its answer); and whether an event may re-target the SLA cycles."""
        stale = [us is not None and us <= now_us for us in parts]
        retarget = False
        lifecycle = ticket.lifecycle
        category_of = lifecycle.category
        for event in new:
            if isinstance(event, StatusChanged):
                # An SLA cycle's clock tracks the status category from NEW (where folds
                # start): a move it need not see is one within a class of categories its
                # clock treats alike.
                tracked = category_of(lifecycle.initial) is StatusCategory.NEW
                left, entered = category_of(event.from_status), category_of(event.to_status)
                key: tuple[object, ...] = (type(event), left, entered, tracked)
            else:
                key = (type(event),)
            found = self.concerns.get(key)
            if found is None:
                found = self.concerns[key] = self._concerns(event, *key[1:])  # type: ignore[arg-type]
            mask, again = found
            stale = [a or b for a, b in zip(stale, mask, strict=True)]
            retarget = retarget or again
        return stale, retarget

    def _concerns(
        self,
        event: Event,
        left: StatusCategory | None = None,
        entered: StatusCategory | None = None,
        tracked: bool = True,
    ) -> tuple[tuple[bool, ...], bool]:
        """The parts an event (a status move from ``left`` to ``entered``) concerns, and
        whether it may re-target the SLA cycles."""
        kind = type(event).kind
        if entered is None:
            touched = {name for name, reads, _ in self.metrics if kind in reads}
        else:
            touched = {
                name
                for name, reads, quiet in self.metrics
                if kind in reads or not tracked or not (entered is left or entered in quiet[left])  # type: ignore[index]
            }
        mask = (
            *(
                inputs.may_mark(event, entered) or not inputs.metrics.isdisjoint(touched)
                for inputs in self.chains
            ),
            *(schedule._reads(event) for schedule in self.schedules),
        )
        return mask, isinstance(event, PriorityChanged | AttributesChanged)


class _ChainsPolicy(NamedTuple):
    """The SLA policy restricted to the metrics the chains read (``policy``; ``None`` when
    they read none), for a re-plan that re-evaluates chains: the other metrics' cycles
    change no chain, and each metric's cycles are folded alone (a fold reads only its own
    metric's rules), so they come out the same. The whole policy (``whole``) is still
    evaluated where it could refuse what this one would not: the first time, and while a
    priority some metric has no target for is in force (a target rule of the protocol's
    own, which may refuse anything, keeps every re-plan on the whole policy)."""

    policy: SlaPolicy | None
    whole: SlaPolicy


def _chains_policy(policy: SlaPolicy | None, chains: Iterable[ChainInputs]) -> _ChainsPolicy | None:
    """The :class:`_ChainsPolicy` of a protocol's policy, or ``None`` when the chains read
    every metric (nothing to leave out) or there is no policy."""
    if policy is None:
        return None
    read = {name for inputs in chains for name in inputs.metrics}
    if all(m.name in read for m in policy.metrics):
        return None
    targets = [t for t in policy.targets if t.metric.name in read]
    narrowed = (
        attrs.evolve(policy, targets=targets) if targets else None  # a policy needs a target
    )
    return _ChainsPolicy(narrowed, policy)


_NO_ACTIONS = CustomActions()


def _no_part_reads_changes(protocol: ServiceProtocol) -> bool:
    changed = StatusChanged.kind
    sla = protocol.sla
    return (
        (sla is None or not sla._reads_status_changes)
        and all(changed not in chain_inputs(c).kinds for c in protocol.escalations)
        and all(changed not in s.stop_on for s in protocol.follow_ups)
    )


_BARE: IdentityMemo[ServiceProtocol, bool] = IdentityMemo(_no_part_reads_changes)
