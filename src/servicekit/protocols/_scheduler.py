"""A wake-up scheduler for live apps: many open tickets, each looked at only when something of
it can fall due, and every due action handed out once.

The scheduler is as pure as the rest of servicekit: no threads, no clock, no I/O. The app calls
:meth:`WakeupScheduler.due` from its own loop or job queue with the ``now`` it chose, sleeps
until :attr:`WakeupScheduler.next_wakeup`, and stores what it needs to restart
(:meth:`WakeupScheduler.to_json`) wherever it keeps its tickets.
"""

from __future__ import annotations

import datetime as _dt
import functools
import heapq
import json
import struct
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final, NamedTuple

import attrs
import pendulum

from servicekit._events import Event, StatusChanged
from servicekit._ticket import Ticket
from servicekit._time import as_instant, from_micros, get_timezone, to_micros
from servicekit.errors import (
    SchedulerStateError,
    ServiceKitError,
    TicketAlreadyHeldError,
    TicketNotHeldError,
)
from servicekit.protocols._protocol import DueAction, ServiceProtocol

__all__ = ["TicketAction", "WakeupScheduler"]

_FORMAT: Final = "servicekit.wakeup-scheduler"
_VERSION: Final = 1
_UTC: Final = get_timezone("UTC")


@attrs.frozen
class TicketAction:
    """A due action of one ticket, as :meth:`WakeupScheduler.due` hands it out.

    Attributes:
        ticket_id: the ticket it belongs to.
        action: what to do (its ``key`` is the idempotency key).
    """

    ticket_id: str
    action: DueAction

    @property
    def key(self) -> str:
        """The action's idempotency key."""
        return self.action.key


class _Held:
    """One held ticket: its history, when to look at it next, and the keys handed out.

    ``version`` tells the live heap entry from the stale ones left behind by re-plans (lazy
    invalidation: a re-plan pushes a new entry instead of searching the heap for the old one).
    """

    __slots__ = ("emitted", "parts", "seen", "ticket", "version", "wake")

    def __init__(self, ticket: Ticket, wake: int | None, emitted: set[str] | None) -> None:
        self.ticket = ticket
        self.wake = wake
        self.version = 0
        self.emitted = emitted
        # What the last evaluation read (events) and found (per part, its next action, packed
        # as 8-byte integers: a tuple of ints costs about 50 bytes more per ticket): a re-plan
        # evaluates again only the parts the events since can change.
        self.seen = 0
        self.parts: bytes | None = None


class _Plan(NamedTuple):
    """What one evaluation in :meth:`WakeupScheduler.due` decided for one ticket."""

    held: _Held
    new: tuple[DueAction, ...]
    wake: int | None
    seen: int = 0
    parts: bytes | None = None


class WakeupScheduler:
    """Open tickets ordered by when each must next be looked at; hands out each due action once.

    Every held ticket has a wake-up instant: the ``next_action_at`` of its last evaluation (the
    next instant an action falls due; SLA warnings that are no action do not wake it), or the
    instant of an event recorded since (a ticket is re-planned, lazily, by the first
    :meth:`due` at or after its change). :meth:`due` evaluates only the tickets whose wake-up
    has come, in a heap ordered by wake-up, and returns the actions whose idempotency keys it
    has not returned before. Time never goes back: a :meth:`due` with a ``now`` earlier than
    one already answered returns nothing and changes nothing.

    A re-plan evaluates again only the parts of the protocol (escalation chains, follow-up
    schedules) that the events recorded since the ticket's last evaluation can change, or
    whose next action has come; the others keep their answer. A protocol subclass with its
    own ``evaluate``, ``evaluate_sla`` or ``custom_actions`` is evaluated whole each time.

    Memory per held ticket is a small record (wake-up, version, one heap entry, the number
    of events last read and each part's next action instant) plus the keys handed out so
    far; the history itself is the app's :class:`~servicekit.Ticket`.

    Examples:
        >>> import pendulum
        >>> from servicekit import BusinessCalendar
        >>> from servicekit.protocols import WakeupScheduler, reactive_protocol
        >>> protocol = reactive_protocol(BusinessCalendar("UTC", "mon-fri 09:00-17:00"))
        >>> scheduler = WakeupScheduler(protocol)
        >>> t0 = pendulum.datetime(2025, 3, 3, 9, tz="UTC")
        >>> scheduler.add(protocol.open(ticket_id="T-1", at=t0, priority="P1"))
        >>> scheduler.due(t0)
        ()
        >>> [a.action.detail for a in scheduler.due(t0.add(hours=5))]
        ['tier:L2']
        >>> scheduler.due(t0.add(hours=5))
        ()
    """

    __slots__ = ("_heap", "_held", "_inputs", "_now", "_protocol")

    def __init__(self, protocol: ServiceProtocol, tickets: Iterable[Ticket] = ()) -> None:
        """Hold ``tickets`` (see :meth:`add`) under ``protocol``."""
        if not isinstance(protocol, ServiceProtocol):
            raise TypeError(f"protocol must be a ServiceProtocol, got {type(protocol).__name__}")
        self._protocol = protocol
        self._inputs = protocol._replan_inputs()
        self._held: dict[str, _Held] = {}
        self._heap: list[tuple[int, str, int]] = []
        self._now: int | None = None
        for ticket in tickets:
            self.add(ticket)

    # -- what it holds -----------------------------------------------------------------------

    @property
    def protocol(self) -> ServiceProtocol:
        """The protocol every held ticket is evaluated under."""
        return self._protocol

    @property
    def now(self) -> pendulum.DateTime | None:
        """The latest ``now`` :meth:`due` answered (in UTC), or ``None`` before the first."""
        return None if self._now is None else from_micros(self._now, _UTC)

    def __len__(self) -> int:
        return len(self._held)

    def __contains__(self, ticket_id: object) -> bool:
        return ticket_id in self._held

    def __iter__(self) -> Iterator[str]:
        """The held tickets' ids, in the order they were added."""
        return iter(self._held)

    def __repr__(self) -> str:
        return f"<WakeupScheduler {self._protocol.name!r} tickets={len(self._held)}>"

    def ticket(self, ticket_id: str) -> Ticket:
        """The held ticket with this id."""
        return self._get(ticket_id).ticket

    def wakeup_of(self, ticket_id: str) -> pendulum.DateTime | None:
        """When the scheduler will next look at this ticket (UTC), or ``None`` if never again
        unless an event is recorded on it."""
        wake = self._get(ticket_id).wake
        return None if wake is None else from_micros(wake, _UTC)

    def handed_out(self, ticket_id: str) -> frozenset[str]:
        """The idempotency keys :meth:`due` has returned for this ticket."""
        return frozenset(self._get(ticket_id).emitted or ())

    @property
    def next_wakeup(self) -> pendulum.DateTime | None:
        """The earliest instant (UTC) any held ticket must be looked at: sleep until then and
        call :meth:`due`. ``None`` when no ticket has anything left to wait for."""
        heap, held = self._heap, self._held
        while heap:
            wake, ticket_id, version = heap[0]
            h = held.get(ticket_id)
            if h is not None and h.version == version:
                return from_micros(wake, _UTC)
            heapq.heappop(heap)  # stale: left behind by a re-plan or a close
        return None

    # -- changes -------------------------------------------------------------------------------

    def add(self, ticket: Ticket) -> None:
        """Hold an open ticket; it is planned by the first :meth:`due` at or after its opening.

        Nothing has been handed out for it yet, so every action it has due is returned then.
        To take over tickets whose past actions were already handled, use
        :meth:`from_histories` or :meth:`from_json`.

        Raises:
            TicketAlreadyHeldError: a ticket with this id is already held.
        """
        if not isinstance(ticket, Ticket):
            raise TypeError(f"add() takes a Ticket, got {type(ticket).__name__}")
        if ticket.id in self._held:
            raise TicketAlreadyHeldError(
                f"ticket {ticket.id!r} is already held; record events on it with record(), "
                "or close() it first to replace it"
            )
        held = _Held(ticket, None, None)
        self._held[ticket.id] = held
        self._wake_by(held, to_micros(ticket.opened.at))

    def record(self, ticket_id: str, event: Event) -> None:
        """Record ``event`` on the held ticket (checked as :meth:`Ticket.record` checks it)
        and re-plan that ticket only: it is looked at again by the first :meth:`due` at or
        after the event.

        Raises:
            TicketNotHeldError: no held ticket has this id.
            ServiceKitError: the ticket refuses the event (the ticket and the plan are
                unchanged).
        """
        held = self._get(ticket_id)
        held.ticket.record(event)
        self._wake_by(held, held.ticket._last_us)  # the event's instant (the latest)

    def fire(
        self,
        ticket_id: str,
        trigger: str,
        *,
        at: _dt.datetime,
        actor: str | None = None,
        reason: str | None = None,
        role: str | None = None,
    ) -> StatusChanged:
        """Fire ``trigger`` on the held ticket (see :meth:`Ticket.fire`) and re-plan it."""
        held = self._get(ticket_id)
        event = held.ticket.fire(trigger, at=at, actor=actor, reason=reason, role=role)
        self._wake_by(held, to_micros(event.at))
        return event

    def changed(self, ticket_id: str, since: _dt.datetime) -> None:
        """Tell the scheduler a held ticket was changed directly (events recorded on the
        :class:`~servicekit.Ticket` itself) from ``since`` on; it is re-planned as by
        :meth:`record`."""
        held = self._get(ticket_id)
        self._wake_by(held, to_micros(since, name="since"))

    def close(self, ticket_id: str) -> Ticket:
        """Stop holding the ticket and return it; nothing more is handed out for it."""
        held = self._get(ticket_id)
        del self._held[ticket_id]
        self._compact_if_stale()
        return held.ticket

    # -- the question ----------------------------------------------------------------------------

    def due(self, now: _dt.datetime) -> tuple[TicketAction, ...]:
        """Every action due at ``now`` across the held tickets that was not returned before,
        sorted by instant, ticket and key.

        Only the tickets whose wake-up has come are evaluated. A ``now`` earlier than one
        already answered returns ``()`` and changes nothing; the same ``now`` again returns
        only what events recorded since made due. If evaluating a ticket fails, the error
        names the ticket and the scheduler is left exactly as it was.
        """
        now_us = to_micros(now, name="now")
        if self._now is not None and now_us < self._now:
            return ()
        heap, held_by_id = self._heap, self._held
        if not heap or heap[0][0] > now_us:
            self._now = now_us
            return ()
        popped: list[tuple[int, str, int]] = []
        plans: list[_Plan] = []
        try:
            while heap and heap[0][0] <= now_us:
                entry = heapq.heappop(heap)
                popped.append(entry)
                held = held_by_id.get(entry[1])
                if held is None or held.version != entry[2]:
                    continue
                plans.append(self._plan(held, now, now_us))
        except BaseException:
            for entry in popped:
                heapq.heappush(heap, entry)
            raise
        # Nothing can fail from here on: the plans are committed all at once.
        self._now = now_us
        out: list[TicketAction] = []
        for plan in plans:
            held = plan.held
            if plan.new:
                if held.emitted is None:
                    held.emitted = set()
                for action in plan.new:
                    held.emitted.add(action.key)
                    out.append(TicketAction(held.ticket.id, action))
            held.seen, held.parts = plan.seen, plan.parts
            held.wake = None
            self._wake_by(held, plan.wake)
        if len(out) > 1:
            out.sort(key=lambda a: (to_micros(a.action.at), a.ticket_id, a.action.key))
        return tuple(out)

    # -- saving and restoring ----------------------------------------------------------------------

    def to_json(self, *, indent: int | None = None) -> str:
        """The scheduler's state as JSON: the latest ``now`` answered, and per ticket its
        wake-up, the number of events it had and the keys handed out.

        Histories are not included (the app stores them); restore with :meth:`from_json`.
        """
        tickets = [
            {
                "id": ticket_id,
                "events": len(held.ticket),
                "wake": None if held.wake is None else from_micros(held.wake, _UTC).isoformat(),
                "handed_out": sorted(held.emitted or ()),
            }
            for ticket_id, held in sorted(self._held.items())
        ]
        state = {
            "format": _FORMAT,
            "version": _VERSION,
            "protocol": self._protocol.name,
            "now": None if self._now is None else from_micros(self._now, _UTC).isoformat(),
            "tickets": tickets,
        }
        return json.dumps(state, indent=indent)

    @classmethod
    def from_json(
        cls, protocol: ServiceProtocol, text: str | bytes, tickets: Iterable[Ticket]
    ) -> WakeupScheduler:
        """Restore a scheduler saved with :meth:`to_json`, with the tickets' histories.

        A history that grew after the save is re-planned from its first new event; a ticket
        given but absent from the state is added as new (:meth:`add`). Nothing handed out
        before the save is handed out again.

        Raises:
            SchedulerStateError: the text is not a saved scheduler, it was saved under another
                protocol, a saved ticket's history is missing or shorter than when saved.
        """
        state = _load_state(text, protocol)
        by_id = _tickets_by_id(tickets)
        scheduler = cls(protocol)
        now = state["now"]
        scheduler._now = None if now is None else _instant_field(now, "now")
        for entry in state["tickets"]:
            ticket_id, saved_events, wake, keys = _ticket_entry(entry)
            ticket = by_id.pop(ticket_id, None)
            if ticket is None:
                raise SchedulerStateError(
                    f"the saved state holds ticket {ticket_id!r} but no history was given for "
                    "it; pass every held ticket's history (close() tickets before saving to "
                    "drop them)"
                )
            if len(ticket) < saved_events:
                raise SchedulerStateError(
                    f"ticket {ticket_id!r} had {saved_events} events when saved but its history "
                    f"has {len(ticket)}; restore with the full history"
                )
            held = _Held(ticket, None, set(keys) if keys else None)
            scheduler._held[ticket_id] = held
            scheduler._wake_by(held, wake)
            if len(ticket) > saved_events:
                scheduler._wake_by(held, to_micros(ticket.history[saved_events].at))
        for ticket in by_id.values():
            scheduler.add(ticket)
        return scheduler

    @classmethod
    def from_histories(
        cls, protocol: ServiceProtocol, tickets: Iterable[Ticket], acted_until: _dt.datetime
    ) -> WakeupScheduler:
        """Rebuild a scheduler from histories alone, when every action due up to
        ``acted_until`` was already handled (the ``now`` of the last :meth:`due` whose actions
        the app committed).

        Each ticket is evaluated once at ``acted_until``: what is due then counts as handed
        out, and its wake-up is planned from there.
        """
        now_us = to_micros(acted_until, name="acted_until")
        scheduler = cls(protocol)
        for ticket in tickets:
            scheduler.add(ticket)
        plans = [scheduler._plan(held, acted_until, now_us) for held in scheduler._held.values()]
        scheduler._heap.clear()
        scheduler._now = now_us
        for plan in plans:
            plan.held.emitted = {a.key for a in plan.new} or None
            plan.held.seen, plan.held.parts = plan.seen, plan.parts
            plan.held.wake = None
            scheduler._wake_by(plan.held, plan.wake)
        return scheduler

    # -- inside ----------------------------------------------------------------------------------

    def _get(self, ticket_id: str) -> _Held:
        held = self._held.get(ticket_id)
        if held is None:
            raise TicketNotHeldError(
                f"the scheduler holds no ticket {ticket_id!r}; add() it first (closed tickets "
                "are no longer held)"
            )
        return held

    def _wake_by(self, held: _Held, wake: int | None) -> None:
        """Make sure ``held`` is looked at no later than ``wake``."""
        if wake is None or (held.wake is not None and held.wake <= wake):
            return
        held.wake = wake
        held.version += 1
        heapq.heappush(self._heap, (wake, held.ticket.id, held.version))
        self._compact_if_stale()

    def _compact_if_stale(self) -> None:
        # Stale entries are skipped when popped; rebuilding once they outnumber the live ones
        # keeps the heap (and the memory per ticket) bounded however often tickets change.
        if len(self._heap) > 2 * len(self._held) + 64:
            self._heap = [
                (h.wake, ticket_id, h.version)
                for ticket_id, h in self._held.items()
                if h.wake is not None
            ]
            heapq.heapify(self._heap)

    def _plan(self, held: _Held, now: _dt.datetime, now_us: int) -> _Plan:
        """Evaluate ``held`` at ``now`` (``now_us``, already checked) and decide its plan."""
        ticket = held.ticket
        emitted = held.emitted
        try:
            if self._inputs is None:  # a protocol that evaluates in its own way
                report = self._protocol.evaluate(ticket, as_instant(now))
                actions: Iterable[DueAction] = report.actions
                next_us = (
                    None if report.next_action_at is None else to_micros(report.next_action_at)
                )
                seen, parts = 0, None
            else:
                last = None if held.parts is None else (held.seen, _unpack(held.parts))
                replan = self._protocol._replan(ticket, now_us, last, self._inputs, emitted or ())
                actions, next_us = replan.actions, replan.next_action_us
                seen, parts = replan.seen, _pack(replan.parts)
        except ServiceKitError as exc:
            exc.add_note(
                f"while the wake-up scheduler evaluated ticket {ticket.id!r} at {now.isoformat()}"
                " (fix or close() the ticket; the scheduler is unchanged)"
            )
            raise
        new = tuple(a for a in actions if emitted is None or a.key not in emitted)
        return _Plan(held, new, _next_look(next_us, ticket, now_us), seen, parts)


_NO_INSTANT: Final = -(2**63)  # None among packed instants (no instant is that early)


def _pack(parts: tuple[int | None, ...]) -> bytes:
    return _packer(len(parts)).pack(*[_NO_INSTANT if p is None else p for p in parts])


def _unpack(packed: bytes) -> tuple[int | None, ...]:
    values = _packer(len(packed) >> 3).unpack(packed)
    return tuple([None if v == _NO_INSTANT else v for v in values])


@functools.cache
def _packer(count: int) -> struct.Struct:
    # One per number of parts a protocol has (a handful): compiled once, not at every re-plan.
    return struct.Struct(f"{count}q")


def _next_look(wake: int | None, ticket: Ticket, now_us: int) -> int | None:
    """When to look at the ticket again: when its next action falls due (``wake``), or
    sooner, the first of its events after ``now`` (the evaluation read the ticket as it was
    at ``now``).

    The scheduler only hands out actions, so it wakes on ``next_action_at``, not on
    ``next_wakeup`` (which also counts SLA warnings and breaches that are no action).
    """
    if ticket._last_us > now_us:
        later = next(us for us in (to_micros(e.at) for e in ticket) if us > now_us)
        wake = later if wake is None else min(wake, later)
    return wake


def _load_state(text: str | bytes, protocol: ServiceProtocol) -> dict[str, Any]:
    try:
        state = json.loads(text)
    except ValueError as exc:
        raise SchedulerStateError(f"saved scheduler state is not JSON: {exc}") from exc
    if not isinstance(state, dict) or state.get("format") != _FORMAT:
        raise SchedulerStateError(
            f"not a saved wake-up scheduler (expected an object with format {_FORMAT!r}); "
            "save one with WakeupScheduler.to_json()"
        )
    if state.get("version") != _VERSION:
        raise SchedulerStateError(
            f"saved scheduler state has version {state.get('version')!r}; this servicekit "
            f"reads version {_VERSION}"
        )
    if state.get("protocol") != protocol.name:
        raise SchedulerStateError(
            f"the state was saved under protocol {state.get('protocol')!r}, not "
            f"{protocol.name!r}; restore it with the protocol it was saved with"
        )
    if not isinstance(state.get("tickets"), list):
        raise SchedulerStateError("saved scheduler state has no 'tickets' list")
    return state


def _ticket_entry(entry: object) -> tuple[str, int, int | None, list[str]]:
    if not isinstance(entry, Mapping):
        raise SchedulerStateError(f"a saved ticket must be an object, got {entry!r}")
    ticket_id, events = entry.get("id"), entry.get("events")
    wake, keys = entry.get("wake"), entry.get("handed_out")
    if (
        not isinstance(ticket_id, str)
        or not isinstance(events, int)
        or not isinstance(keys, list)
        or not all(isinstance(k, str) for k in keys)
    ):
        raise SchedulerStateError(
            f"a saved ticket needs a string 'id', an integer 'events' and a 'handed_out' list "
            f"of strings, got {entry!r}"
        )
    return ticket_id, events, None if wake is None else _instant_field(wake, "wake"), keys


def _instant_field(value: object, name: str) -> int:
    try:
        return to_micros(pendulum.parse(value) if isinstance(value, str) else value, name=name)
    except (ValueError, TypeError) as exc:
        raise SchedulerStateError(
            f"saved {name} {value!r} is not an ISO 8601 instant with an offset"
        ) from exc


def _tickets_by_id(tickets: Iterable[Ticket]) -> dict[str, Ticket]:
    by_id: dict[str, Ticket] = {}
    for ticket in tickets:
        if ticket.id in by_id:
            raise SchedulerStateError(
                f"two histories were given for ticket {ticket.id!r}; give each ticket once"
            )
        by_id[ticket.id] = ticket
    return by_id
