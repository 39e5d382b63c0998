"""Linked tickets: one parent incident, many customer tickets that follow it.

A failure that many customers report is one incident. Each customer keeps a
ticket of their own (their own SLA clocks, channel and time zone), linked to
the parent. Links, and every status change the parent passes on, are events
recorded on the child, so each child's history replays on its own.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Iterator, Mapping

import attrs

from servicekit._events import (
    Event,
    StatusChanged,
    TicketLinked,
    TicketUnlinked,
    UpdatePosted,
)
from servicekit._lifecycle import SAME
from servicekit._status import StatusCategory
from servicekit._ticket import Ticket
from servicekit._time import as_instant, to_micros
from servicekit.errors import IncidentError, ServiceKitError

__all__ = [
    "Incident",
    "LinkPolicy",
    "Propagated",
    "PropagationRule",
    "link_intervals",
    "propagation_actor",
]


def propagation_actor(parent_id: str) -> str:
    """The actor of every event a parent incident records on its children."""
    return f"incident:{parent_id}"


@attrs.frozen
class PropagationRule:
    """When the parent fires ``parent_trigger``, each linked child fires ``child_trigger``.

    Attributes:
        parent_trigger: the parent's trigger, e.g. ``"resolve"``.
        child_trigger: what the child fires, e.g. ``"resolve"``.
        reason: the reason given to the child's transition (a reopen may require one).
        note: a public update posted on the parent at the same instant, so every linked
            customer is told why their ticket changed (in their own hours).
    """

    parent_trigger: str
    child_trigger: str
    reason: str | None = None
    note: str | None = None


def _rules(value: Iterable[PropagationRule]) -> tuple[PropagationRule, ...]:
    rules = tuple(value)
    seen: set[str] = set()
    for rule in rules:
        if not isinstance(rule, PropagationRule):
            raise IncidentError(f"rules must be PropagationRule values, got {rule!r}")
        if rule.parent_trigger in seen:
            raise IncidentError(f"two rules for the parent trigger {rule.parent_trigger!r}")
        seen.add(rule.parent_trigger)
    return rules


_WORKING = frozenset({StatusCategory.NEW, StatusCategory.OPEN})


@attrs.frozen(kw_only=True)
class LinkPolicy:
    """How linked children follow their parent.

    Attributes:
        rules: the parent triggers passed on to the children.
        hold: the trigger that puts a new or open child on hold when it is linked (and
            again after a propagated reopen), so its clocks can pause while the parent is
            worked; ``None`` leaves the child where it is.
        hold_reason: the reason the hold transition is given.
        resume: the trigger that takes a child the link put on hold back to work when it
            is unlinked.

    The defaults fit :func:`~servicekit.incident_lifecycle`: a resolved parent
    resolves its children with a public note, a reopened parent reopens them.
    """

    rules: tuple[PropagationRule, ...] = attrs.field(
        default=(
            PropagationRule(
                "resolve", "resolve", note="The incident is resolved; thank you for your patience."
            ),
            PropagationRule("reopen", "reopen", reason="parent incident reopened"),
        ),
        converter=_rules,
    )
    hold: str | None = "hold"
    hold_reason: str | None = "awaiting_problem"
    resume: str | None = "resume"

    def rule_for(self, parent_trigger: str) -> PropagationRule | None:
        """The rule for ``parent_trigger``, or ``None`` when children ignore it."""
        return next((r for r in self.rules if r.parent_trigger == parent_trigger), None)


@attrs.frozen
class Propagated:
    """What one parent transition did: the parent's event, each child's events, and the
    children that did not follow (with why), so nothing is dropped unseen."""

    parent_event: StatusChanged
    note: UpdatePosted | None
    child_events: tuple[tuple[str, tuple[Event, ...]], ...]
    skipped: tuple[tuple[str, str], ...]


def link_intervals(ticket: Ticket, parent_id: str) -> list[tuple[int, int | None]]:
    """The stretches (microseconds; ``None``: still linked) ``ticket`` was linked to
    ``parent_id``, in order."""
    spans: list[tuple[int, int | None]] = []
    start: int | None = None
    for event in ticket:
        if isinstance(event, TicketLinked) and event.parent_id == parent_id:
            start = to_micros(event.at)
        elif (
            isinstance(event, TicketUnlinked) and event.parent_id == parent_id and start is not None
        ):
            spans.append((start, to_micros(event.at)))
            start = None
    if start is not None:
        spans.append((start, None))
    return spans


def _linked_to(ticket: Ticket) -> str | None:
    """The parent ``ticket`` is linked to now, if any."""
    parent: str | None = None
    for event in ticket:
        if isinstance(event, TicketLinked):
            parent = event.parent_id
        elif isinstance(event, TicketUnlinked) and event.parent_id == parent:
            parent = None
    return parent


def _can(ticket: Ticket, status: str, trigger: str, reason: str | None) -> str | None:
    """The destination of ``trigger`` from ``status``, or ``None`` when it cannot fire.

    Propagated transitions carry no role, so a transition limited to roles cannot be
    propagated; that is a policy error, raised."""
    lifecycle = ticket.lifecycle
    try:
        tr = lifecycle.transition(status, trigger)
    except ServiceKitError:
        return None
    if tr.roles is not None:
        raise IncidentError(
            f"{trigger!r} is limited to roles {list(tr.roles)} in lifecycle {lifecycle.name!r}; "
            "a parent cannot fire it on a child: choose another trigger for the rule"
        )
    if (reason is None and tr.reason_required) or (
        reason is not None and tr.reasons is not None and reason not in tr.reasons
    ):
        raise IncidentError(
            f"{trigger!r} in lifecycle {lifecycle.name!r} needs a reason the rule does not "
            f"give (allowed: {list(tr.reasons) if tr.reasons else 'any'}); set the reason"
        )
    return status if tr.dest == SAME else tr.dest


class _Plan:
    """Status changes planned on one child, checked against its lifecycle before any is made."""

    __slots__ = ("actor", "at", "events", "status", "ticket")

    def __init__(self, ticket: Ticket, at: _dt.datetime, actor: str) -> None:
        self.ticket = ticket
        self.at = at
        self.actor = actor
        self.status = ticket.status
        self.events: list[Event] = []

    def fire(self, trigger: str, reason: str | None) -> bool:
        dest = _can(self.ticket, self.status, trigger, reason)
        if dest is None:
            return False
        self.events.append(
            StatusChanged(
                at=self.at,
                actor=self.actor,
                trigger=trigger,
                from_status=self.status,
                to_status=dest,
                reason=reason,
            )
        )
        self.status = dest
        return True

    def hold(self, policy: LinkPolicy) -> None:
        category = self.ticket.lifecycle.category(self.status)
        if (
            policy.hold is not None
            and category in _WORKING
            and not self.fire(policy.hold, policy.hold_reason)
        ):
            raise IncidentError(
                f"the hold trigger {policy.hold!r} cannot fire from {self.status!r} in "
                f"lifecycle {self.ticket.lifecycle.name!r}; set LinkPolicy.hold to one that "
                "can, or None"
            )


class Incident:
    """A parent incident and the customer tickets linked to it (a mutable aggregate, as
    :class:`~servicekit.Ticket` is).

    Every change is checked on every ticket it touches before any is made; on a refusal
    every ticket is exactly as it was.

    Examples:
        >>> import pendulum
        >>> from servicekit import incident_lifecycle, Ticket
        >>> t0 = pendulum.datetime(2025, 6, 2, 9, tz="UTC")
        >>> parent = Ticket.open(incident_lifecycle(), ticket_id="INC-1", at=t0, priority="P1")
        >>> incident = Incident(parent)
        >>> child = Ticket.open(incident_lifecycle(), ticket_id="C-1", at=t0, priority="P3")
        >>> _ = incident.link(child, at=t0.add(minutes=1))
        >>> result = incident.fire("resolve", at=t0.add(hours=1))
        >>> child.status
        'Resolved'
    """

    __slots__ = ("_children", "_parent", "_policy")

    def __init__(
        self, parent: Ticket, policy: LinkPolicy | None = None, children: Iterable[Ticket] = ()
    ) -> None:
        self._parent = parent
        self._policy = policy or LinkPolicy()
        self._children: dict[str, Ticket] = {}
        for child in children:
            if child.id in self._children or child.id == parent.id:
                raise IncidentError(f"ticket id {child.id!r} is given twice")
            self._children[child.id] = child

    @property
    def parent(self) -> Ticket:
        """The parent incident's ticket."""
        return self._parent

    @property
    def id(self) -> str:
        """The parent's ticket id."""
        return self._parent.id

    @property
    def policy(self) -> LinkPolicy:
        """How the children follow the parent."""
        return self._policy

    @property
    def children(self) -> Mapping[str, Ticket]:
        """Every ticket ever linked, by id (unlinked ones stay: their history says so)."""
        return self._children

    def linked(self) -> Iterator[Ticket]:
        """The children linked now."""
        return (c for c in self._children.values() if _linked_to(c) == self.id)

    # -- changes -------------------------------------------------------------------------------

    def link(
        self, child: Ticket, *, at: _dt.datetime, actor: str | None = None
    ) -> tuple[Event, ...]:
        """Link ``child`` to the parent and bring it to where the parent stands: held while
        the parent is worked, solved at once when the parent is already solved.

        Raises:
            IncidentError: the child is the parent, is linked already, or is another
                ticket with the same id.
        """
        instant = as_instant(at, name="at")
        if child.id == self.id:
            raise IncidentError(f"{child.id!r} is the parent; a ticket cannot be its own child")
        known = self._children.get(child.id)
        if known is not None and known is not child:
            raise IncidentError(f"another ticket with id {child.id!r} is already a child")
        current = _linked_to(child)
        if current is not None:
            raise IncidentError(f"{child.id!r} is already linked to {current!r}; unlink it first")
        plan = _Plan(child, instant, propagation_actor(self.id))
        plan.events.append(TicketLinked(at=instant, actor=actor, parent_id=self.id))
        parent_category = self._parent.category
        if parent_category is StatusCategory.SOLVED:
            rule = self._solving_rule()
            if rule is not None:
                plan.fire(rule.child_trigger, rule.reason)
        elif not parent_category.is_final:
            plan.hold(self._policy)
        _commit([(child, plan.events)])
        self._children[child.id] = child
        return tuple(plan.events)

    def unlink(
        self, child_id: str, *, at: _dt.datetime, actor: str | None = None
    ) -> tuple[Event, ...]:
        """Unlink a child; a child the link put on hold goes back to work.

        Raises:
            IncidentError: no child with that id is linked now.
        """
        instant = as_instant(at, name="at")
        child = self._children.get(child_id)
        if child is None or _linked_to(child) != self.id:
            raise IncidentError(f"{child_id!r} is not linked to {self.id!r}")
        plan = _Plan(child, instant, propagation_actor(self.id))
        plan.events.append(TicketUnlinked(at=instant, actor=actor, parent_id=self.id))
        last = next((e for e in reversed(child.history) if isinstance(e, StatusChanged)), None)
        held_by_us = (
            last is not None
            and last.trigger == self._policy.hold
            and last.actor == propagation_actor(self.id)
            and last.to_status == child.status
        )
        if held_by_us and self._policy.resume is not None:
            plan.fire(self._policy.resume, None)
        _commit([(child, plan.events)])
        return tuple(plan.events)

    def fire(
        self,
        trigger: str,
        *,
        at: _dt.datetime,
        actor: str | None = None,
        reason: str | None = None,
        role: str | None = None,
    ) -> Propagated:
        """Fire ``trigger`` on the parent and pass it on to every linked child as the
        policy says; a rule's note is posted on the parent as an update.

        Children that cannot follow (already there, or closed) are listed in
        ``skipped``, with why.

        Raises:
            TransitionError: the parent cannot fire it (nothing changes).
            IncidentError: a rule's trigger cannot be propagated as written.
        """
        instant = as_instant(at, name="at")
        rule = self._policy.rule_for(trigger)
        plans: list[tuple[Ticket, list[Event]]] = []
        skipped: list[tuple[str, str]] = []
        if rule is not None:
            for child in self.linked():
                plan = _Plan(child, instant, propagation_actor(self.id))
                if plan.fire(rule.child_trigger, rule.reason):
                    if child.lifecycle.category(plan.status) in _WORKING:
                        plan.hold(self._policy)
                    plans.append((child, plan.events))
                else:
                    skipped.append(
                        (child.id, f"{rule.child_trigger!r} cannot fire from {child.status!r}")
                    )
        note = None
        if rule is not None and rule.note is not None:
            note = UpdatePosted(
                at=instant,
                actor=actor,
                update_id=f"{trigger}@{instant.in_timezone('UTC').isoformat()}",
                text=rule.note,
            )
        size = len(self._parent)
        event = self._parent.fire(trigger, at=instant, actor=actor, reason=reason, role=role)
        try:
            if note is not None:
                self._check_new_update(note.update_id)
                self._parent.record(note)
            _commit(plans)
        except BaseException:
            _restore(self._parent, size)
            raise
        return Propagated(
            event, note, tuple((c.id, tuple(events)) for c, events in plans), tuple(skipped)
        )

    def post_update(
        self, update_id: str, *, at: _dt.datetime, text: str = "", actor: str | None = None
    ) -> UpdatePosted:
        """Post an update on the parent for every linked customer (see the incident report
        for who is due it, when and through which channel).

        Raises:
            IncidentError: ``update_id`` was used before on this incident.
        """
        self._check_new_update(update_id)
        event = UpdatePosted(at=at, actor=actor, update_id=update_id, text=text)
        self._parent.record(event)
        return event

    def _check_new_update(self, update_id: str) -> None:
        if any(isinstance(e, UpdatePosted) and e.update_id == update_id for e in self._parent):
            raise IncidentError(
                f"update {update_id!r} was already posted on {self.id!r}; every update needs "
                "its own id, which is part of each delivery's idempotency key"
            )

    def _solving_rule(self) -> PropagationRule | None:
        """The rule that passed on the parent's latest solve, if any."""
        last = next(
            (e for e in reversed(self._parent.history) if isinstance(e, StatusChanged)), None
        )
        return None if last is None else self._policy.rule_for(last.trigger)


def _commit(plans: list[tuple[Ticket, list[Event]]]) -> None:
    """Record each plan's events on its ticket; on any refusal undo them all."""
    done: list[tuple[Ticket, int]] = []
    try:
        for ticket, events in plans:
            done.append((ticket, len(ticket)))
            for event in events:
                ticket.record(event)
    except BaseException:
        for ticket, size in done:
            _restore(ticket, size)
        raise


def _restore(ticket: Ticket, size: int) -> None:
    if len(ticket) != size:
        ticket.__setstate__((ticket.lifecycle, list(ticket.history[:size])))
