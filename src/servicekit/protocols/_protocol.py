"""Service protocols: a lifecycle, an SLA policy, escalation chains and follow-up schedules,
answered together: what stands, what is due, and when to ask again."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Iterator, Sequence

import attrs
import pendulum

from servicekit._lifecycle import DueTransition, Lifecycle
from servicekit._ticket import Ticket
from servicekit._time import to_micros
from servicekit.errors import ServiceKitError
from servicekit.escalation import EscalationChain, EscalationReport
from servicekit.followup import Anchor, FollowUpReport, FollowUpSchedule, PromiseState
from servicekit.protocols._templates import TemplateSet
from servicekit.sla import SlaPolicy, SlaReport

__all__ = ["DueAction", "ProtocolReport", "ServiceProtocol"]


@attrs.frozen
class DueAction:
    """Something to do now: notify someone, follow up, fire a timed transition, keep a promise.

    Attributes:
        kind: ``"notify"``, ``"follow_up"``, ``"terminal"``, ``"promise_reminder"``,
            ``"promise_broken"`` or ``"transition"``.
        at: when it fell due.
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
class ProtocolReport:
    """Everything a protocol says about one ticket at ``now``.

    ``next_wakeup`` is the single next instant at which any of it changes with
    no new event, so a scheduler can sleep until then instead of polling.
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


def _chains(value: Iterable[EscalationChain]) -> tuple[EscalationChain, ...]:
    return tuple(value)


def _schedules(value: Iterable[FollowUpSchedule]) -> tuple[FollowUpSchedule, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class ServiceProtocol:
    """A team's whole promise to its customers, as one value.

    Subclass it (or build one) to add your own rules; every part is optional
    except the lifecycle new tickets start in. Tickets of other lifecycles can
    be evaluated too: the clocks read status categories, not names.

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

    def open(self, *, ticket_id: str, at: _dt.datetime, priority: str, **details: object) -> Ticket:
        """Open a ticket in the protocol's lifecycle (see :meth:`servicekit.Ticket.open`)."""
        return Ticket.open(self.lifecycle, ticket_id=ticket_id, at=at, priority=priority, **details)  # type: ignore[arg-type]

    def evaluate(self, ticket: Ticket, now: _dt.datetime) -> ProtocolReport:
        """Where the ticket stands at ``now``, what is due, and when to ask again."""
        now_us = to_micros(now, name="now")
        as_of = ticket if to_micros(ticket.last_event_at) <= now_us else ticket.as_of(now)
        sla = self.sla.evaluate(as_of, now) if self.sla is not None else None
        escalations = tuple(c.evaluate(as_of, now, sla=self.sla) for c in self.escalations)
        follow_ups = tuple(s.evaluate(as_of, now) for s in self.follow_ups)
        transitions = as_of.lifecycle.due_transitions(as_of, now)
        actions = sorted(
            self._actions(as_of, escalations, follow_ups, transitions),
            key=lambda a: (to_micros(a.at), a.key),
        )
        candidates = [
            t
            for t in (
                sla.next_change_at if sla else None,
                *(r.next_at for r in escalations),
                *(r.next_at for r in follow_ups),
                *(t.at for t in transitions if not t.due),
            )
            if t is not None and to_micros(t) > now_us
        ]
        return ProtocolReport(
            ticket_id=ticket.id,
            now=pendulum.instance(now),
            status=as_of.status,
            sla=sla,
            escalations=escalations,
            follow_ups=follow_ups,
            transitions=transitions,
            actions=tuple(actions),
            next_wakeup=min(candidates, key=to_micros) if candidates else None,
        )

    def _actions(
        self,
        ticket: Ticket,
        escalations: Sequence[EscalationReport],
        follow_ups: Sequence[FollowUpReport],
        transitions: Sequence[DueTransition],
    ) -> Iterator[DueAction]:
        for chain, report in zip(self.escalations, escalations, strict=True):
            for n in report.notifications:
                yield DueAction(
                    "notify",
                    n.at,
                    chain.name,
                    f"{n.target.kind}:{n.target.name}",
                    n.key,
                    template="notify" if n.reassign is None else "handover",
                )
        for schedule, fu in zip(self.follow_ups, follow_ups, strict=True):
            for f in fu.due:
                first = schedule.anchor is Anchor.OPENED and f.run == 1 and f.attempt == 1
                yield DueAction(
                    "follow_up",
                    f.at,
                    schedule.name,
                    f.channel,
                    f.key,
                    template="first_response" if first else "follow_up",
                )
            if fu.terminal is not None:
                yield DueAction(
                    "terminal", fu.terminal.at, schedule.name, fu.terminal.action, fu.terminal.key
                )
            for index, p in enumerate(fu.promises):
                base = f"{ticket.id}:{schedule.name}:promise{index}"
                if p.state is PromiseState.BROKEN:
                    yield DueAction(
                        "promise_broken", p.due, schedule.name, p.description, f"{base}:broken"
                    )
                elif p.reminder_due:
                    yield DueAction(
                        "promise_reminder",
                        p.remind_at,
                        schedule.name,
                        p.description,
                        f"{base}:remind",
                    )
        for t in transitions:
            if t.due:
                key = f"{ticket.id}:{ticket.lifecycle.name}:{t.trigger}:{t.at.isoformat()}"
                yield DueAction("transition", t.at, ticket.lifecycle.name, t.trigger, key)

    def evaluate_many(
        self, tickets: Iterable[Ticket], now: _dt.datetime
    ) -> Iterator[ProtocolReport]:
        """Stream one report per ticket (memory stays flat for a generator of tickets)."""
        for ticket in tickets:
            yield self.evaluate(ticket, now)
