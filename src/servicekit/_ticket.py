"""Tickets: a lifecycle and the history of what happened, kept consistent.

A ticket is a small mutable aggregate: its lifecycle (shared), the list of its
events, and three derived fields (status, priority, when the status was
entered). Every event is checked before it is appended; on any failure the
ticket is exactly as it was. Everything else servicekit computes (clocks,
escalations, follow-ups) is a pure function of the history.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Iterator, Mapping

import attrs
import pendulum

from servicekit._events import (
    AttributeValue,
    Event,
    PriorityChanged,
    StatusChanged,
    TicketOpened,
    history_from_json,
    history_to_json,
)
from servicekit._lifecycle import SAME, Lifecycle
from servicekit._status import StatusCategory
from servicekit._time import to_micros
from servicekit.errors import (
    EventConflictError,
    GuardRejectedError,
    HistoryReplayError,
    InvalidTransitionError,
    OutOfOrderEventError,
    ReasonError,
    RoleNotAllowedError,
    ServiceKitError,
)

__all__ = ["StatusInterval", "Ticket"]


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


class Ticket:
    """One ticket: its lifecycle and its checked, ordered history.

    Start one with :meth:`open` or rebuild one with :meth:`replay`; move it
    with :meth:`fire` and add anything else with :meth:`record`.
    """

    __slots__ = ("_events", "_last_us", "_lifecycle", "_priority", "_since", "_status")

    def __init__(self, lifecycle: Lifecycle, opened: TicketOpened) -> None:
        """Prefer :meth:`open` or :meth:`replay`; this starts from an existing opening event."""
        if not isinstance(opened, TicketOpened):
            raise EventConflictError(
                f"a ticket starts with a TicketOpened event, got {type(opened).__name__}"
            )
        self._lifecycle = lifecycle
        self._events: list[Event] = [opened]
        self._status = lifecycle.initial
        self._priority = opened.priority
        self._since = opened.at
        self._last_us = to_micros(opened.at)

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
    ) -> Ticket:
        """Open a ticket in the lifecycle's initial status."""
        opened = TicketOpened(
            at=at,
            actor=actor,
            ticket_id=ticket_id,
            priority=priority,
            channel=channel,
            customer_timezone=customer_timezone,
            attributes=attributes,
        )
        return cls(lifecycle, opened)

    @classmethod
    def replay(cls, events: Iterable[Event], lifecycle: Lifecycle) -> Ticket:
        """Rebuild a ticket from its history, checking every event as it was first checked.

        Raises:
            HistoryReplayError: an event breaks the lifecycle or the order; the
                error carries the ``index`` and the ``event``.
        """
        ticket: Ticket | None = None
        for index, event in enumerate(events):
            try:
                if ticket is None:
                    ticket = cls(lifecycle, event)  # type: ignore[arg-type]
                else:
                    ticket.record(event)
            except ServiceKitError as exc:
                raise HistoryReplayError(
                    f"event {index} of the history cannot be replayed ({event!r}): {exc}",
                    index=index,
                    event=event,
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
        return history_to_json(self._events, indent=indent)

    # -- state -------------------------------------------------------------------------------

    @property
    def lifecycle(self) -> Lifecycle:
        """The lifecycle this ticket follows."""
        return self._lifecycle

    @property
    def opened(self) -> TicketOpened:
        """The event that opened the ticket."""
        return self._events[0]  # type: ignore[return-value]

    @property
    def id(self) -> str:
        """The ticket's id."""
        return self.opened.ticket_id

    @property
    def history(self) -> tuple[Event, ...]:
        """Every event, in order; the first is the :class:`TicketOpened`."""
        return tuple(self._events)

    def __iter__(self) -> Iterator[Event]:
        """Iterate over the history without copying it."""
        return iter(self._events)

    def __len__(self) -> int:
        return len(self._events)

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
    def status_since(self) -> pendulum.DateTime:
        """When the ticket entered its current status (handovers inside it do not count)."""
        return self._since

    @property
    def last_event_at(self) -> pendulum.DateTime:
        """When the latest event happened."""
        return self._events[-1].at

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Ticket):
            return NotImplemented
        return self._lifecycle == other._lifecycle and self._events == other._events

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return (
            f"<Ticket {self.id!r} {self._status!r} priority={self._priority!r} "
            f"events={len(self._events)} lifecycle={self._lifecycle.name!r}>"
        )

    def __getstate__(self) -> tuple[Lifecycle, list[Event]]:
        return self._lifecycle, self._events

    def __setstate__(self, state: tuple[Lifecycle, list[Event]]) -> None:
        lifecycle, events = state
        rebuilt = Ticket.replay(events, lifecycle)
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

        Raises:
            InvalidTransitionError: ``trigger`` is not allowed from the current
                status (the message lists the triggers that are).
            RoleNotAllowedError: ``role`` may not fire it.
            ReasonError: a reason is required and missing, or not an allowed one.
            GuardRejectedError: a guard refused (with the guard's reason).
            OutOfOrderEventError: ``at`` is before the latest event.
        """
        dest = self._lifecycle.destination(self._status, trigger)
        event = StatusChanged(
            at=at,
            actor=actor,
            trigger=trigger,
            from_status=self._status,
            to_status=dest,
            reason=reason,
            role=role,
        )
        self.record(event)
        return event

    def record(self, event: Event) -> None:
        """Append any event after checking it (a :class:`StatusChanged` as :meth:`fire` would).

        Raises:
            OutOfOrderEventError: the event is earlier than the latest one.
            EventConflictError: a second opening, or a priority change from a
                priority the ticket does not have.
            TransitionError: a status change the lifecycle does not allow.
        """
        at_us = to_micros(event.at)
        if at_us < self._last_us:
            raise OutOfOrderEventError(
                f"{type(event).__name__} at {event.at.isoformat()} is earlier than the ticket's "
                f"latest event ({self._events[-1].at.isoformat()}); record events in the order "
                "they happened"
            )
        status, priority, since = self._status, self._priority, self._since
        if isinstance(event, StatusChanged):
            self._check_status_change(event)
            status = event.to_status
            if status != self._status:
                since = event.at
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
        # Nothing can fail from here on: the ticket changes all at once.
        self._events.append(event)
        self._status, self._priority, self._since, self._last_us = status, priority, since, at_us

    def _check_status_change(self, event: StatusChanged) -> None:
        if event.from_status != self._status:
            raise InvalidTransitionError(
                f"status change from {event.from_status!r}, but ticket {self.id!r} is in "
                f"{self._status!r}"
            )
        tr = self._lifecycle.transition(self._status, event.trigger)
        expected = self._status if tr.dest == SAME else tr.dest
        if event.to_status != expected:
            raise InvalidTransitionError(
                f"{event.trigger!r} leads from {self._status!r} to {expected!r}, not "
                f"{event.to_status!r}"
            )
        if tr.roles is not None and event.role not in tr.roles:
            raise RoleNotAllowedError(
                f"role {event.role!r} may not fire {event.trigger!r}; allowed roles: "
                f"{list(tr.roles)}"
            )
        if event.reason is None and tr.reason_required:
            hint = f" one of {list(tr.reasons)}" if tr.reasons else ""
            raise ReasonError(f"{event.trigger!r} needs a reason; pass reason=...{hint}")
        if event.reason is not None and tr.reasons is not None and event.reason not in tr.reasons:
            raise ReasonError(
                f"{event.reason!r} is not an allowed reason for {event.trigger!r}; use one of "
                f"{list(tr.reasons)}"
            )
        for guard in tr.guards:
            verdict = guard(self, event)
            if verdict is True or verdict is None:
                continue
            why = verdict if isinstance(verdict, str) else "refused"
            raise GuardRejectedError(
                f"guard {guard.__qualname__} refused {event.trigger!r} from {self._status!r}: {why}"
            )

    # -- derived views -------------------------------------------------------------------------

    def status_intervals(self, now: _dt.datetime) -> tuple[StatusInterval, ...]:
        """The statuses the ticket was in up to ``now``, back to back.

        Handovers inside a status do not split it. The last interval ends at
        ``now``; events after ``now`` are ignored (the ticket as it was then),
        and a ``now`` before the opening gives no intervals.
        """
        now_us = to_micros(now, name="now")
        now_at = pendulum.instance(now)
        intervals: list[StatusInterval] = []
        status, start = self._lifecycle.initial, self._events[0].at
        if to_micros(start) > now_us:
            return ()
        category = self._lifecycle.category
        for event in self._events:
            if to_micros(event.at) > now_us:
                break
            if isinstance(event, StatusChanged) and event.to_status != status:
                if to_micros(event.at) > to_micros(start):  # an instant in a status is no stay
                    intervals.append(StatusInterval(status, category(status), start, event.at))
                status, start = event.to_status, event.at
        intervals.append(StatusInterval(status, category(status), start, now_at))
        return tuple(intervals)

    def as_of(self, now: _dt.datetime) -> Ticket:
        """The ticket as it was at ``now``: its events up to and including ``now``."""
        now_us = to_micros(now, name="now")
        clone = Ticket(self._lifecycle, self.opened)
        for event in self._events[1:]:
            if to_micros(event.at) > now_us:
                break
            clone.record(event)
        return clone
