"""A due action turned into the message that goes with it, in the reader's language and zone.

``render_message(protocol, action, ticket, now, locale)`` is pure: it asks the
protocol where the ticket stands at ``now`` (the same evaluation that produced
the action), fills the documented :class:`MessageContext` from that answer and
renders the action's template. It also says which templates a protocol needs
and which of them are missing, for ``servicekit check``.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable

import pendulum

from servicekit._events import Assigned, TicketUnlinked
from servicekit._ticket import Ticket
from servicekit._time import to_micros
from servicekit.followup import Anchor, FollowUpSchedule, PromiseState, PromiseStatus
from servicekit.protocols._links import _linked_to
from servicekit.protocols._protocol import DueAction, ProtocolReport, ServiceProtocol
from servicekit.protocols._templates import Message, MessageContext
from servicekit.sla import SlaState

__all__ = [
    "message_context",
    "missing_templates",
    "render_message",
    "render_messages",
    "template_uses",
]

_OWED = (SlaState.RUNNING, SlaState.PAUSED, SlaState.BREACHED_RUNNING)
_METRICS = ("first_response", "next_response", "periodic_update", "resolution")
# How far ahead the next contact is sought, nearest first (a preview lists every attempt in
# its horizon, and an hourly cadence has thousands in a year); past a year there is no plan.
_HORIZONS = tuple(_dt.timedelta(days=d) for d in (1, 8, 40, 366))


def _sla_values(report: ProtocolReport) -> dict[str, object]:
    values: dict[str, object] = {}
    if report.sla is None:
        return values
    latest = {s.metric: s for s in report.sla.statuses}  # cycles come in order: keep the last
    for metric in _METRICS:
        status = latest.get(metric)
        if status is None:
            continue
        t = status.target
        values[f"{metric}_target"] = _dt.timedelta(t.days, t.seconds, t.microseconds)
        if status.state in _OWED:
            values[f"{metric}_due"] = status.due_at
    return values


def _next_contact(
    schedules: Iterable[FollowUpSchedule], ticket: Ticket, now: _dt.datetime
) -> pendulum.DateTime | None:
    for horizon in _HORIZONS:
        upcoming = [f.at for s in schedules for f in s.preview(ticket, now, horizon)[:1]]
        if upcoming:
            return min(upcoming, key=to_micros)
    return None


def _assignment(ticket: Ticket) -> dict[str, object]:
    values: dict[str, object] = {}
    for event in ticket:
        if isinstance(event, Assigned):
            for name in ("agent", "group", "tier"):
                found = getattr(event, name)
                if found is not None:
                    values[name] = found
    return values


def _parent(ticket: Ticket) -> str | None:
    """The incident the ticket is linked to now (else its ``parent_incident`` attribute)."""
    linked = _linked_to(ticket)
    if linked is not None:
        return linked
    unlinked = any(isinstance(e, TicketUnlinked) for e in ticket)
    named = ticket.opened.attributes.get("parent_incident")
    return None if named is None or unlinked else str(named)


def _promise(promises: Iterable[PromiseStatus], action: DueAction) -> PromiseStatus | None:
    at = to_micros(action.at)
    for p in promises:
        if p.description == action.detail and at in (to_micros(p.due), to_micros(p.remind_at)):
            return p
    return None


def _ticket_values(
    protocol: ServiceProtocol, ticket: Ticket, now: _dt.datetime
) -> tuple[ProtocolReport, dict[str, object]]:
    """The protocol's answer at ``now`` and the context values every action of it shares."""
    current = ticket if to_micros(ticket.last_event_at) <= to_micros(now, name="now") else None
    current = current if current is not None else ticket.as_of(now)
    report = protocol.evaluate(current, now)
    opened = current.opened
    name = opened.attributes.get("customer_name")
    values: dict[str, object] = {
        "ticket_id": current.id,
        "customer_name": None if name is None else str(name),
        "customer_zone": opened.customer_timezone or protocol.templates.default_timezone,
        "priority": current.priority,
        "status": report.status,
        "protocol": protocol.name,
        "now": pendulum.instance(now),
        "parent_incident": _parent(current),
        "next_contact_at": _next_contact(protocol.follow_ups, current, now),
    }
    values.update(_sla_values(report))
    values.update(_assignment(current))
    return report, values


def _context(
    protocol: ServiceProtocol,
    report: ProtocolReport,
    shared: dict[str, object],
    action: DueAction,
) -> MessageContext:
    values = dict(shared, action=action.kind, detail=action.detail, due_at=action.at)
    for chain, escalation in zip(protocol.escalations, report.escalations, strict=True):
        for n in escalation.notifications:
            if chain.name == action.source and n.key == action.key:
                values["notified"] = n.target.name
                values["channel"] = n.channel
                if n.reassign is not None:
                    values["new_owner"] = n.reassign.name
                    values["tier" if n.reassign.kind == "tier" else "group"] = n.reassign.name
                    values.pop("agent", None)  # the new tier picks the agent
    for schedule, fu in zip(protocol.follow_ups, report.follow_ups, strict=True):
        pending = [p for p in fu.promises if p.state is PromiseState.PENDING]
        promise = _promise(fu.promises, action) if action.source == schedule.name else None
        promise = promise or (pending[0] if pending else None)
        if promise is not None and "promise" not in values:
            values.update(promise=promise.description or None, promise_due=promise.due)
            if action.kind.startswith("promise"):
                values["channel"] = promise.channel
        if schedule.name != action.source:
            continue
        if schedule.terminal is not None:
            values["terminal_action"] = schedule.terminal.action
        for f in fu.due:
            if f.key == action.key:
                values.update(attempt=f.attempt, channel=f.channel)
                limits = [
                    n
                    for n in (
                        schedule.max_attempts,
                        None if schedule.terminal is None else schedule.terminal.after_attempts,
                    )
                    if n is not None
                ]
                if limits:
                    values["attempts_left"] = max(min(limits) - f.attempt, 0)
    if action.kind == "terminal":
        values["terminal_action"] = action.detail
    for t in report.transitions:
        if action.kind == "transition" and t.trigger == action.detail and t.at == action.at:
            values["status"] = t.dest
    return MessageContext(**values)  # type: ignore[arg-type]


def message_context(
    protocol: ServiceProtocol, action: DueAction, ticket: Ticket, now: _dt.datetime
) -> MessageContext:
    """The documented context of ``action``'s message at ``now``.

    Facts the action does not come with (an attempt number, whom a step hands the
    ticket to, the SLA due instants, the next contact) are read from the
    protocol's own evaluation at ``now``; those that do not apply are ``None``.
    """
    report, shared = _ticket_values(protocol, ticket, now)
    return _context(protocol, report, shared, action)


def render_message(
    protocol: ServiceProtocol,
    action: DueAction,
    ticket: Ticket,
    now: _dt.datetime,
    locale: str = "en",
) -> Message:
    """The message for ``action`` (its template, in ``locale`` or a fallback), pure.

    Times are written in the customer's zone (the ticket's ``customer_timezone``,
    else the templates' ``default_timezone``) and ``locale``'s conventions.

    Raises:
        MissingTemplateError: the protocol has no template for the action in the
            locale's fallback chain.

    Examples:
        >>> import pendulum
        >>> from servicekit import BusinessCalendar
        >>> from servicekit.protocols import reactive_protocol
        >>> protocol = reactive_protocol(BusinessCalendar("Europe/Madrid", "mon-fri 09:00-17:00"))
        >>> at = pendulum.datetime(2026, 3, 3, 9, tz="Europe/Madrid")
        >>> ticket = protocol.open(ticket_id="T-1", at=at, priority="P1")
        >>> action = protocol.evaluate(ticket, at.add(days=2)).actions[0]
        >>> render_message(protocol, action, ticket, at.add(days=2), "es").subject
        'Su solicitud T-1 pasa al equipo L2'
    """
    context = message_context(protocol, action, ticket, now)
    return protocol.templates.render(action.template, context, locale, channel=context.channel)


def render_messages(
    protocol: ServiceProtocol,
    ticket: Ticket,
    now: _dt.datetime,
    locale: str = "en",
    actions: Iterable[DueAction] | None = None,
) -> tuple[tuple[DueAction, Message], ...]:
    """Every due action at ``now`` (or those given) with its message, evaluating once.

    The same as calling :func:`render_message` for each action, for the cost of one.
    """
    report, shared = _ticket_values(protocol, ticket, now)
    chosen = report.actions if actions is None else tuple(actions)
    out = []
    for action in chosen:
        context = _context(protocol, report, shared, action)
        message = protocol.templates.render(
            action.template, context, locale, channel=context.channel
        )
        out.append((action, message))
    return tuple(out)


def template_uses(protocol: ServiceProtocol) -> tuple[tuple[str, str | None], ...]:
    """Every (template name, channel) the protocol's due actions can ask for, sorted.

    The channel is ``None`` where the action names none.
    """
    uses: set[tuple[str, str | None]] = set()
    for chain in protocol.escalations:
        for step in chain.steps:
            uses.add(("notify" if step.reassign is None else "handover", step.channel))
    for schedule in protocol.follow_ups:
        for channel in schedule.channels:
            uses.add(("follow_up", channel))
        if schedule.anchor is Anchor.OPENED:
            uses.add(("first_response", schedule.channels[0]))
        if schedule.terminal is not None:
            uses.add(("terminal", None))
        uses.update((("promise_reminder", None), ("promise_broken", None)))
    if any(t.after is not None for t in protocol.lifecycle.transitions):
        uses.add(("transition", None))
    return tuple(sorted(uses, key=lambda u: (u[0], u[1] or "")))


def missing_templates(
    protocol: ServiceProtocol, languages: Iterable[str] | None = None
) -> tuple[tuple[str, str | None, str], ...]:
    """(name, channel, language) the protocol uses and its templates do not cover
    in that language itself (a fallback would stand in); ``languages`` defaults to
    every language the protocol's templates are written in."""
    wanted = tuple(languages) if languages is not None else protocol.templates.languages
    out: list[tuple[str, str | None, str]] = []
    for name, channel in template_uses(protocol):
        out.extend(protocol.templates.missing([name], [channel], wanted))
    return tuple(out)
