"""Tickets: a lifecycle and the history of what happened, kept consistent.

A ticket is a small mutable aggregate: its lifecycle (shared), the list of its
events, and three derived fields (status, priority, when the status was
entered). Every event is checked before it is appended; on any failure the
ticket is exactly as it was. Everything else servicekit computes (clocks,
escalations, follow-ups) is a pure function of the history.
"""

from __future__ import annotations

import datetime as _dt
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import accumulate, pairwise
from typing import Any

import attrs
import pendulum

from servicekit._events import (
    AttributesChanged,
    AttributeValue,
    Event,
    FrozenAttributes,
    PriorityChanged,
    StatusChanged,
    TicketOpened,
    history_from_json,
    history_to_json,
    status_changed,
)
from servicekit._lifecycle import Lifecycle, Transition, _Route
from servicekit._status import StatusCategory
from servicekit._time import from_micros, instant_micros, to_micros
from servicekit.errors import (
    EventConflictError,
    GuardRejectedError,
    HistoryReplayError,
    InvalidTransitionError,
    OutOfOrderEventError,
    ReadOnlyTicketError,
    ReasonError,
    RoleNotAllowedError,
    ServiceKitError,
)

__all__ = ["StatusInterval", "Ticket", "TicketView"]


@attrs.frozen
class StatusInterval:
    """A stretch of time a ticket spent in one status.

    ``end`` is the instant it left, or the ``now`` the intervals were asked for
    when it is still there.
    """

    status: str
    category: StatusCategory
    start: pendulum.DateTime
    end: pendulum.DateTime


class _Fired:
    """A status change kept compactly with what a bare route cannot say: its own zone and
    fold, and the actor, reason and role it was fired with."""

    __slots__ = ("actor", "fold", "reason", "role", "route", "zone")

    def __init__(
        self,
        route: _Route,
        zone: _dt.tzinfo,
        fold: int,
        actor: str | None,
        reason: str | None,
        role: str | None,
    ) -> None:
        self.route = route
        self.zone = zone
        self.fold = fold
        self.actor = actor
        self.reason = reason
        self.role = role


def _check_texts(actor: object, reason: object, role: object) -> None:
    if not (
        (actor is None or isinstance(actor, str))
        and (reason is None or isinstance(reason, str))
        and (role is None or isinstance(role, str))
    ):
        raise TypeError(
            f"actor, reason and role must be str or None, got {actor!r}, {reason!r}, {role!r}"
        )


class Ticket:
    """One ticket: its lifecycle and its checked, ordered history.

    Start one with :meth:`open` or rebuild one with :meth:`replay`; move it
    with :meth:`fire` and add anything else with :meth:`record`.

    The history is kept compactly: every event's instant as integer microseconds, and
    for a status change fired here, a reference to the lifecycle's shared route and the
    zone, from which the :class:`~servicekit.StatusChanged` value is rebuilt, equal to
    the one :meth:`fire` returned, whenever the history is read. Events given to
    :meth:`record` and :meth:`replay` are kept as they are.
    """

    __slots__ = (
        "_entered",
        "_fold",
        "_items",
        "_lifecycle",
        "_priority",
        "_status",
        "_us",
        "_zone",
    )

    # One entry per event, in order: the event itself, or for a status change fired here a
    # _Route (in the ticket's zone, no actor, reason or role) or a _Fired.
    _items: list[Event | _Route | _Fired]
    _us: array[int]  # each event's instant, microseconds since the epoch (non-decreasing)
    # The zone and fold of the bare routes, set by the first one (pendulum.datetime() gives
    # fold=1 to every wall time, ambiguous or not: a value keeps the fold it was given).
    _zone: _dt.tzinfo | None
    _fold: int
    _entered: int  # the index of the event that entered the current status

    def __init__(self, lifecycle: Lifecycle, opened: TicketOpened) -> None:
        """Prefer :meth:`open` or :meth:`replay`; this starts from an existing opening event."""
        if not isinstance(opened, TicketOpened):
            raise EventConflictError(
                f"a ticket starts with a TicketOpened event, got {type(opened).__name__}"
            )
        self._lifecycle = lifecycle
        self._items = [opened]
        self._status = lifecycle.initial
        self._priority = opened.priority
        self._entered = 0
        self._us = array("q", (instant_micros(opened.at)[1],))
        self._zone = None
        self._fold = 0

    @classmethod
    def open(
        cls,
        lifecycle: Lifecycle,
        *,
        ticket_id: str,
        at: _dt.datetime,
        priority: str,
        channel: str | None = None,
        customer_timezone: str | None = None,
        attributes: Mapping[str, AttributeValue] | None = None,
        actor: str | None = None,
        detected_by: str | None = None,
    ) -> Ticket:
        """Open a ticket in the lifecycle's initial status (``detected_by``: see
        :class:`~servicekit.TicketOpened`)."""
        opened = TicketOpened(
            at=at,
            actor=actor,
            ticket_id=ticket_id,
            priority=priority,
            channel=channel,
            customer_timezone=customer_timezone,
            attributes=attributes,
            detected_by=detected_by,
        )
        return cls(lifecycle, opened)

    @classmethod
    def replay(cls, events: Iterable[Event], lifecycle: Lifecycle) -> Ticket:
        """Rebuild a ticket from its history, checking every event as it was first checked.

        Reactions are not applied again: the history already holds the status changes
        its events caused when they were recorded.

        Raises:
            HistoryReplayError: an event breaks the lifecycle or the order; the
                error carries the ``index`` and the ``event``.
        """
        return cls._replay(lifecycle, ((event, None) for event in events), None, 0)

    @classmethod
    def _replay(
        cls,
        lifecycle: Lifecycle,
        entries: Iterable[tuple[object, int | None]],
        zone: _dt.tzinfo | None,
        fold: int,
    ) -> Ticket:
        # Each entry is an event to record, with None, or a compact status change as
        # __getstate__ writes it, with its instant in microseconds, to fire again.
        ticket: Ticket | None = None
        for index, (entry, micros) in enumerate(entries):
            try:
                if ticket is None:
                    ticket = cls(lifecycle, entry)  # type: ignore[arg-type]
                elif micros is None:
                    ticket.record(entry, react=False)  # type: ignore[arg-type]
                else:
                    fields: tuple[Any, ...] = (
                        (entry, zone, fold, None, None, None) if isinstance(entry, str) else entry  # type: ignore[assignment]
                    )
                    trigger, at_zone, at_fold, actor, reason, role = fields
                    at = from_micros(micros, at_zone, fold=at_fold)
                    ticket.fire(trigger, at=at, actor=actor, reason=reason, role=role)
            except ServiceKitError as exc:
                raise HistoryReplayError(
                    f"event {index} of the history cannot be replayed ({entry!r}): {exc}",
                    index=index,
                    event=entry,
                ) from exc
        if ticket is None:
            raise HistoryReplayError(
                "an empty history cannot be replayed: it must start with TicketOpened",
                index=0,
                event=None,
            )
        return ticket

    @classmethod
    def from_json(cls, text: str | bytes, lifecycle: Lifecycle) -> Ticket:
        """Rebuild a ticket from :meth:`to_json` output."""
        return cls.replay(history_from_json(text), lifecycle)

    def to_json(self, *, indent: int | None = None) -> str:
        """The history as JSON (the lifecycle is not included: it is code, not data)."""
        return history_to_json(self, indent=indent)

    # -- state -------------------------------------------------------------------------------

    @property
    def lifecycle(self) -> Lifecycle:
        """The lifecycle this ticket follows."""
        return self._lifecycle

    @property
    def opened(self) -> TicketOpened:
        """The event that opened the ticket."""
        return self._items[0]  # type: ignore[return-value]

    @property
    def id(self) -> str:
        """The ticket's id."""
        return self.opened.ticket_id

    @property
    def history(self) -> tuple[Event, ...]:
        """Every event, in order; the first is the :class:`TicketOpened`."""
        return tuple(self)

    def __iter__(self) -> Iterator[Event]:
        """Iterate over the history (status changes fired here are rebuilt as they come)."""
        zone, fold = self._zone, self._fold
        for item, micros in zip(self._items, self._us, strict=True):
            yield _materialize(item, micros, zone, fold)

    # Readers that need less than the events themselves (a replay's counts read every
    # ticket's history) read the compact history through these, rebuilding nothing.

    def _kinds(self) -> Iterator[str]:
        """Each event's ``kind``, in order (what ``type(e).kind for e in self`` gives)."""
        changed = StatusChanged.kind
        for item in self._items:
            kind = type(item)
            yield changed if kind is _Route or kind is _Fired else item.kind  # type: ignore[union-attr]

    def _moves(self) -> Iterator[tuple[str, str]]:
        """``(from_status, to_status)`` of every status change, in order."""
        for item in self._items:
            kind = type(item)
            if kind is _Route:
                yield item.source, item.dest  # type: ignore[union-attr]
            elif kind is _Fired:
                route = item.route  # type: ignore[union-attr]
                yield route.source, route.dest
            elif isinstance(item, StatusChanged):
                yield item.from_status, item.to_status

    def _recorded(self) -> Iterator[Event]:
        """The events kept as they were given, in order: every event but the status changes
        fired here (which :meth:`_moves` gives)."""
        for item in self._items:
            if isinstance(item, Event):
                yield item

    def _stand_ins(self, n: int, stand_in: Callable[[str], Event]) -> list[Event]:
        """The first ``n`` events, each status change fired here given as
        ``stand_in(to_status)`` (not rebuilt), the others as they were given."""
        return [
            stand_in(item.dest)  # type: ignore[union-attr]
            if (kind := type(item)) is _Route
            else stand_in(item.route.dest)  # type: ignore[union-attr]
            if kind is _Fired
            else item  # type: ignore[misc]
            for item in self._items[:n]
        ]

    def _event(self, index: int) -> Event:
        return _materialize(self._items[index], self._us[index], self._zone, self._fold)

    def __len__(self) -> int:
        return len(self._items)

    @property
    def status(self) -> str:
        """The current status."""
        return self._status

    @property
    def category(self) -> StatusCategory:
        """The category of the current status."""
        return self._lifecycle.category(self._status)

    @property
    def priority(self) -> str:
        """The current priority."""
        return self._priority

    @property
    def attributes(self) -> FrozenAttributes:
        """The ticket's attributes as they stand: those it was opened with, updated by every
        :class:`~servicekit.AttributesChanged` since."""
        current = self.opened.attributes
        for event in self._items:  # compact entries are status changes
            if isinstance(event, AttributesChanged):
                current = FrozenAttributes({**current, **event.attributes})
        return current

    @property
    def status_since(self) -> pendulum.DateTime:
        """When the ticket entered its current status (handovers inside it do not count)."""
        return self._event(self._entered).at

    @property
    def _last_us(self) -> int:
        # The latest event's instant in microseconds (protocols read it to skip an as_of).
        return self._us[-1]

    @property
    def last_event_at(self) -> pendulum.DateTime:
        """When the latest event happened."""
        return self._event(-1).at

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Ticket):
            return NotImplemented
        return (
            self._lifecycle == other._lifecycle
            and len(self._items) == len(other._items)
            and all(a == b for a, b in zip(self, other, strict=True))
        )

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return (
            f"<Ticket {self.id!r} {self._status!r} priority={self._priority!r} "
            f"events={len(self._items)} lifecycle={self._lifecycle.name!r}>"
        )

    def __getstate__(self) -> tuple[object, ...]:
        # As compact as the ticket: a fired change is its trigger (with its zone, fold, actor,
        # reason and role when they are not the plain case's). Unpickling checks the history
        # again, as replay does.
        entries: list[object] = []
        for item in self._items:
            kind = type(item)
            if kind is _Route:
                entries.append(item.trigger)  # type: ignore[union-attr]
            elif kind is _Fired:
                fired: _Fired = item  # type: ignore[assignment]
                route = fired.route
                entries.append(
                    (route.trigger, fired.zone, fired.fold, fired.actor, fired.reason, fired.role)
                )
            else:
                entries.append(item)
        us = self._us
        # Each instant as the step from the one before: small integers pickle in a few bytes.
        steps = tuple(later - earlier for earlier, later in pairwise(us))
        return self._lifecycle, entries, us[0], steps, self._zone, self._fold

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        if len(state) == 2:  # (lifecycle, events): earlier pickles, and rollbacks to a history
            lifecycle, events = state
            rebuilt = Ticket.replay(events, lifecycle)
        else:
            lifecycle, entries, first, steps, zone, fold = state
            instants = zip(entries, accumulate(steps, initial=first), strict=True)
            entries_ = ((e, None if isinstance(e, Event) else m) for e, m in instants)
            rebuilt = Ticket._replay(lifecycle, entries_, zone, fold)
        for name in Ticket.__slots__:
            object.__setattr__(self, name, getattr(rebuilt, name))

    # -- changes -----------------------------------------------------------------------------

    def fire(
        self,
        trigger: str,
        *,
        at: _dt.datetime,
        actor: str | None = None,
        reason: str | None = None,
        role: str | None = None,
    ) -> StatusChanged:
        """Fire ``trigger``: check it, record the status change and return it.

        The history keeps the change compactly and gives back an equal value (not the
        same object) when read.

        Raises:
            InvalidTransitionError: ``trigger`` is not allowed from the current
                status (the message lists the triggers that are).
            RoleNotAllowedError: ``role`` may not fire it.
            ReasonError: a reason is required and missing, or not an allowed one.
            GuardRejectedError: a guard refused (with the guard's reason).
            OutOfOrderEventError: ``at`` is before the latest event.
        """
        if not (actor is None and reason is None and role is None):
            _check_texts(actor, reason, role)
        instant, at_us, exact = instant_micros(at, name="at")
        if at_us < self._us[-1]:
            self._check_order(instant, "StatusChanged")  # raises with the details
        status = self._status
        # The lifecycle's machine resolves the trigger: its event table, then our rules.
        route = self._lifecycle._route(status, trigger)
        if route is None:
            self._check_rules(trigger, role, reason)  # raises: not allowed from here
            raise AssertionError("unreachable")  # pragma: no cover
        if route.checked:
            self._check_rules(trigger, role, reason)
        # Every field is checked above: the event is built without attrs' validators.
        event = status_changed(instant, actor, trigger, status, route.dest, reason, role)
        if route.guards:
            self._check_guards(route.rules, event)
        self._keep_change(route, instant, at_us, exact, event, actor, reason, role)
        return event

    def _fire_route(
        self,
        route: _Route,
        instant: pendulum.DateTime,
        at_us: int,
        exact: bool,
        actor: str | None,
        role: str | None,
    ) -> None:
        """:meth:`fire` for a source reader, which holds what :meth:`fire` works out: the
        route the lifecycle's machine resolves from the current status (``Lifecycle._route``),
        and ``instant_micros(instant)``; ``actor`` and ``role`` are text or ``None``, and
        there is no reason. The same checks and the same history, without the returned event
        (built only for a guard, or to be kept as it is)."""
        if at_us < self._us[-1]:
            self._check_order(instant, "StatusChanged")  # raises with the details
        if route.checked:
            self._check_rules(route.trigger, role, None)
        event = None
        if route.guards or not exact:
            event = status_changed(
                instant, actor, route.trigger, self._status, route.dest, None, role
            )
            if route.guards:
                self._check_guards(route.rules, event)
        self._keep_change(route, instant, at_us, exact, event, actor, None, role)

    def _keep_change(
        self,
        route: _Route,
        instant: pendulum.DateTime,
        at_us: int,
        exact: bool,
        event: StatusChanged | None,
        actor: str | None,
        reason: str | None,
        role: str | None,
    ) -> None:
        # Nothing can fail from here on: the checked change is kept, compactly when it can be
        # rebuilt exactly (``event`` is then not read and may be None).
        zone, fold = instant.tzinfo, instant.fold
        plain = actor is None and reason is None and role is None
        if exact and plain and zone is self._zone and fold == self._fold:
            self._items.append(route)
        elif not exact:
            self._items.append(event)  # type: ignore[arg-type]
        elif plain and self._zone is None:
            self._zone, self._fold = zone, fold
            self._items.append(route)
        else:
            self._items.append(_Fired(route, zone, fold, actor, reason, role))  # type: ignore[arg-type]
        dest, us = route.dest, self._us
        if dest != self._status:
            self._status, self._entered = dest, len(us)
        us.append(at_us)

    def record(self, event: Event, *, react: bool = True) -> None:
        """Append any event after checking it (a :class:`StatusChanged` as :meth:`fire` would).

        When the lifecycle declares a :class:`~servicekit.Reaction` to the event in the
        current status (a customer's reply reopens a pending ticket), its status change is
        recorded right after the event, at the same instant and with the same actor: both
        or neither. ``react=False`` records the event alone, as :meth:`replay` does (a
        stored history already holds the status changes its events caused).

        Raises:
            OutOfOrderEventError: the event is earlier than the latest one.
            EventConflictError: a second opening, or a priority change from a
                priority the ticket does not have.
            TransitionError: a status change the lifecycle does not allow.
        """
        if not isinstance(event, Event):
            raise EventConflictError(
                f"only servicekit events can be recorded on ticket {self.id!r}, got "
                f"{type(event).__name__} {event!r}"
            )
        self._record(event, to_micros(event.at, name="at"), react=react)

    def _record(self, event: Event, at_us: int, *, react: bool = True) -> None:
        """:meth:`record` of an event whose instant in microseconds is known."""
        if at_us < self._us[-1]:
            self._check_order(event.at, type(event).__name__)  # raises with the details
        status, priority = self._status, self._priority
        if isinstance(event, StatusChanged):
            if event.from_status != self._status:
                raise InvalidTransitionError(
                    f"status change from {event.from_status!r}, but ticket {self.id!r} is in "
                    f"{self._status!r}"
                )
            tr = self._check_rules(event.trigger, event.role, event.reason)
            status = self._lifecycle.destination(self._status, event.trigger)
            if event.to_status != status:
                raise InvalidTransitionError(
                    f"{event.trigger!r} leads from {self._status!r} to {status!r}, not "
                    f"{event.to_status!r}"
                )
            self._check_guards(tr, event)
        elif isinstance(event, PriorityChanged):
            if event.from_priority != self._priority:
                raise EventConflictError(
                    f"priority change from {event.from_priority!r}, but ticket {self.id!r} has "
                    f"priority {self._priority!r}; set from_priority to the current priority"
                )
            priority = event.to_priority
        elif isinstance(event, TicketOpened):
            raise EventConflictError(
                f"ticket {self.id!r} is already open; a TicketOpened event can only come first"
            )
        reaction = self._lifecycle.reaction_to(status, event) if react else None
        if reaction is None or isinstance(event, StatusChanged):
            self._commit(event, at_us, status, priority)
            return
        tr = self._lifecycle.transition(status, reaction.trigger)
        change = StatusChanged(
            at=event.at,
            actor=event.actor,
            trigger=reaction.trigger,
            from_status=status,
            to_status=self._lifecycle.destination(status, reaction.trigger),
            reason=reaction.reason,
            role=reaction.role,
        )
        self._check_guards(tr, change)
        self._commit(event, at_us, status, priority)
        self._commit(change, at_us, change.to_status, priority)

    def _check_order(self, at: _dt.datetime, what: str) -> int:
        at_us = to_micros(at, name="at")
        if at_us < self._us[-1]:
            raise OutOfOrderEventError(
                f"{what} at {at.isoformat()} is earlier than the ticket's latest event "
                f"({self.last_event_at.isoformat()}); record events in the order they happened"
            )
        return at_us

    def _check_rules(self, trigger: str, role: str | None, reason: str | None) -> Transition:
        tr = self._lifecycle.transition(self._status, trigger)
        if tr.roles is not None and role not in tr.roles:
            raise RoleNotAllowedError(
                f"role {role!r} may not fire {trigger!r}; allowed roles: {list(tr.roles)}"
            )
        if reason is None and tr.reason_required:
            hint = f" one of {list(tr.reasons)}" if tr.reasons else ""
            raise ReasonError(f"{trigger!r} needs a reason; pass reason=...{hint}")
        if reason is not None and tr.reasons is not None and reason not in tr.reasons:
            raise ReasonError(
                f"{reason!r} is not an allowed reason for {trigger!r}; use one of "
                f"{list(tr.reasons)}"
            )
        return tr

    def _check_guards(self, tr: Transition, event: StatusChanged) -> None:
        view = TicketView(self)
        for guard in tr.guards:
            verdict = guard(view, event)
            if verdict is True or verdict is None:
                continue
            why = verdict if isinstance(verdict, str) else "refused"
            raise GuardRejectedError(
                f"guard {guard.__qualname__} refused {event.trigger!r} from {self._status!r}: {why}"
            )

    def _commit(self, event: Event, at_us: int, status: str, priority: str) -> None:
        # Nothing can fail from here on: the ticket changes all at once.
        if status != self._status:
            self._entered = len(self._us)
        self._items.append(event)
        self._us.append(at_us)
        self._status, self._priority = status, priority

    # -- derived views -------------------------------------------------------------------------

    def _to_status(self, index: int) -> str | None:
        """The status the event at ``index`` leads to, when it is a status change."""
        item = self._items[index]
        kind = type(item)
        if kind is _Route:
            return item.dest  # type: ignore[union-attr]
        if kind is _Fired:
            return item.route.dest  # type: ignore[union-attr]
        return item.to_status if isinstance(item, StatusChanged) else None

    def status_intervals(self, now: _dt.datetime) -> tuple[StatusInterval, ...]:
        """The statuses the ticket was in up to ``now``, back to back.

        Handovers inside a status do not split it. The last interval ends at
        ``now``; events after ``now`` are ignored (the ticket as it was then),
        and a ``now`` before the opening gives no intervals.
        """
        now_us = to_micros(now, name="now")
        now_at = pendulum.instance(now)
        us = self._us
        if us[0] > now_us:
            return ()
        intervals: list[StatusInterval] = []
        category = self._lifecycle.category
        status = self._lifecycle.initial
        start, start_us = self.opened.at, us[0]
        for index in range(1, bisect_right(us, now_us)):
            to_status = self._to_status(index)
            if to_status is None or to_status == status:
                continue
            if us[index] > start_us:
                at = self._event(index).at
                intervals.append(StatusInterval(status, category(status), start, at))
                start, start_us = at, us[index]
            elif intervals and intervals[-1].status == to_status:
                # An instant in a status is no stay; back where it was, the stay goes on.
                start = intervals.pop().start
                start_us = to_micros(start)
            status = to_status
        intervals.append(StatusInterval(status, category(status), start, now_at))
        return tuple(intervals)

    def as_of(self, now: _dt.datetime) -> Ticket:
        """The ticket as it was at ``now``: its events up to and including ``now``."""
        now_us = to_micros(now, name="now")
        clone = Ticket(self._lifecycle, self.opened)
        for index in range(1, bisect_right(self._us, now_us)):
            clone.record(self._event(index), react=False)
        return clone


def _materialize(
    item: Event | _Route | _Fired, micros: int, zone: _dt.tzinfo | None, fold: int
) -> Event:
    """The event a history entry stands for (``zone`` and ``fold``: the ticket's, for a bare
    route)."""
    kind = type(item)
    if kind is _Route:
        route: _Route = item  # type: ignore[assignment]
        return status_changed(
            from_micros(micros, zone, fold=fold),  # type: ignore[arg-type]
            None,
            route.trigger,
            route.source,
            route.dest,
            None,
            None,
        )
    if kind is _Fired:
        fired: _Fired = item  # type: ignore[assignment]
        route = fired.route
        return status_changed(
            from_micros(micros, fired.zone, fold=fired.fold),  # type: ignore[arg-type]
            fired.actor,
            route.trigger,
            route.source,
            route.dest,
            fired.reason,
            fired.role,
        )
    return item  # type: ignore[return-value]


class TicketView(Ticket):
    """A read-only snapshot of a ticket: what a guard is given.

    It answers every question a :class:`Ticket` answers (status, history,
    ``status_intervals``, ``as_of`` ...) as of the moment it was taken, and
    refuses :meth:`fire` and :meth:`record`, so a guard cannot change the
    ticket whose transition it is judging (a refused transition would
    otherwise leave that change behind).
    """

    __slots__ = ()

    def __init__(self, ticket: Ticket) -> None:
        """A snapshot of ``ticket`` (its history is copied, the events are shared)."""
        for name in Ticket.__slots__:
            object.__setattr__(self, name, getattr(ticket, name))
        self._items = list(ticket._items)
        self._us = array("q", ticket._us)

    def _refuse(self, what: str) -> ReadOnlyTicketError:
        return ReadOnlyTicketError(
            f"cannot {what} on a read-only view of ticket {self.id!r}: a guard judges a "
            "transition and must not change the ticket; record the event before firing"
        )

    def fire(self, trigger: str, **_: Any) -> StatusChanged:
        """Refused: raises :class:`~servicekit.errors.ReadOnlyTicketError`."""
        raise self._refuse(f"fire {trigger!r}")

    def record(self, event: Event, **_: Any) -> None:
        """Refused: raises :class:`~servicekit.errors.ReadOnlyTicketError`."""
        raise self._refuse(f"record {type(event).__name__}")

    def __reduce__(self) -> tuple[object, ...]:
        # Pickles as the plain ticket it shows.
        return (Ticket.replay, (list(self), self._lifecycle))
