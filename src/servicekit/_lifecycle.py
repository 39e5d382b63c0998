"""Lifecycles: the statuses a ticket moves through and the transitions between them.

A lifecycle is a declarative table of :class:`Status` and :class:`Transition`
values, checked when it is defined, and one ``transitions`` machine built from
it at that moment. Every ticket of the lifecycle resolves its triggers through
that machine's own event table (trigger -> source -> destination), so what
:attr:`Lifecycle.machine` shows is what tickets do; tickets are never bound to
it as models (binding costs tens of kilobytes and most of a millisecond per
ticket). Guards, reasons and roles are servicekit's rules, checked by
:class:`~servicekit.Ticket` beside the machine.
"""

from __future__ import annotations

import datetime as _dt
import types
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, TypeAlias

import attrs
import pendulum
from transitions import Machine

from servicekit._calendars import BusinessCalendar
from servicekit._events import event_kinds
from servicekit._memo import IdentityMemo
from servicekit._status import StatusCategory
from servicekit._time import duration_micros, from_micros, to_micros
from servicekit.errors import InvalidLifecycleError, InvalidTransitionError, UnknownStatusError

if TYPE_CHECKING:
    from servicekit._events import Event, StatusChanged
    from servicekit._ticket import Ticket

__all__ = [
    "ANY",
    "SAME",
    "DueTransition",
    "Guard",
    "Lifecycle",
    "Reaction",
    "Status",
    "Transition",
]

ANY: Final = "*"
"""``Transition(sources=ANY)``: the transition may be fired from every status."""
SAME: Final = "="
"""``Transition(dest=SAME)``: the ticket stays in its status (a handover inside it)."""

#: A guard is a module-level function ``guard(ticket, event)``. It returns ``True`` (or
#: ``None``) to allow the transition, and ``False`` or a string saying why to refuse it.
#: ``ticket`` is a read-only :class:`~servicekit.TicketView`: a guard judges, it cannot
#: record or fire.
Guard: TypeAlias = Callable[["Ticket", "StatusChanged"], "bool | str | None"]


def _name_of(fn: Callable[..., object]) -> str:
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"


def _check_guards(value: Iterable[Guard]) -> tuple[Guard, ...]:
    guards = tuple(value)
    for guard in guards:
        qualname = getattr(guard, "__qualname__", "")
        if not callable(guard) or not qualname or "<" in qualname:
            raise InvalidLifecycleError(
                f"guard {guard!r} is not a module-level function: lambdas and nested functions "
                "cannot be pickled or stored, so define the guard with `def` at module level"
            )
    return guards


def _names(value: str | Iterable[str] | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return (value,) if isinstance(value, str) else tuple(value)


def _sources(value: str | Iterable[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _optional_delay(value: _dt.timedelta | None) -> _dt.timedelta | None:
    if value is None:
        return None
    duration_micros(value, name="after")  # rejects negative and month-based durations
    if not value:
        raise InvalidLifecycleError("after must be positive: a timed transition needs a delay")
    return value


@attrs.frozen
class Status:
    """A status a ticket can be in, and the category that tells the clocks what it means.

    Attributes:
        name: the status as your team calls it, e.g. ``"pending"``.
        category: one of :class:`StatusCategory`.
    """

    name: str = attrs.field(validator=attrs.validators.instance_of(str))
    category: StatusCategory = attrs.field(converter=StatusCategory)


@attrs.frozen(kw_only=True)
class Transition:
    """A move between statuses, and the rules for making it.

    Attributes:
        trigger: the name used to fire it, e.g. ``"solve"``.
        sources: the statuses it may be fired from, or :data:`ANY`.
        dest: the status it leads to, or :data:`SAME` to stay (a handover).
        guards: module-level functions that may refuse it (see :data:`Guard`).
        reason_required: whether firing it needs a reason.
        reasons: the reasons allowed (``None``: any reason).
        roles: the roles that may fire it (``None``: anyone).
        after: makes it a timed transition, due this long after the ticket
            entered its source status (e.g. auto-close seven days after solved).
        calendar: counts ``after`` in this calendar's business time instead of
            elapsed time.
    """

    trigger: str = attrs.field(validator=attrs.validators.instance_of(str))
    sources: tuple[str, ...] = attrs.field(converter=_sources)
    dest: str = attrs.field(validator=attrs.validators.instance_of(str))
    guards: tuple[Guard, ...] = attrs.field(default=(), converter=_check_guards)
    reason_required: bool = False
    reasons: tuple[str, ...] | None = attrs.field(default=None, converter=_names)
    roles: tuple[str, ...] | None = attrs.field(default=None, converter=_names)
    after: _dt.timedelta | None = attrs.field(default=None, converter=_optional_delay)
    calendar: BusinessCalendar | None = None

    def __attrs_post_init__(self) -> None:
        if self.calendar is not None and self.after is None:
            raise InvalidLifecycleError(
                f"transition {self.trigger!r} has a calendar but no `after` delay; the calendar "
                "only counts the delay of a timed transition"
            )
        if self.reasons == ():
            raise InvalidLifecycleError(
                f"transition {self.trigger!r} allows no reason at all; give `reasons=None` to "
                "accept any reason, or list the allowed ones"
            )

    def due_at(self, entered: _dt.datetime) -> pendulum.DateTime:
        """When this timed transition falls due, after entering its source at ``entered``."""
        if self.after is None:
            raise InvalidLifecycleError(f"transition {self.trigger!r} is not timed (no `after`)")
        if self.calendar is not None:
            return self.calendar.add(entered, self.after)
        start = to_micros(entered, name="entered")
        return from_micros(start + duration_micros(self.after), pendulum.instance(entered).tz)  # type: ignore[arg-type]


def _where_pairs(
    value: Mapping[str, object] | Iterable[tuple[str, object]],
) -> tuple[tuple[str, object], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple(sorted(items))


@attrs.frozen(kw_only=True)
class Reaction:
    """A status change an event causes by itself: a customer's reply reopens a pending or
    solved ticket; an agent's public reply moves a new one to open.

    :meth:`Ticket.record <servicekit.Ticket.record>` fires ``trigger`` at the event's
    instant, with the event's actor, when the ticket is in one of ``sources``: the event
    and the status change are recorded together, or neither is.

    Attributes:
        on: the event's type tag, e.g. ``"customer_replied"``.
        sources: the statuses in which the event fires the trigger.
        trigger: the transition fired (it must be allowed from every source).
        where: field values the event must have, e.g. ``{"public": True}``.
        reason: the reason recorded, for transitions that need one.
        role: the role recorded, for transitions limited to roles.
    """

    on: str = attrs.field(validator=attrs.validators.instance_of(str))
    sources: tuple[str, ...] = attrs.field(converter=_sources)
    trigger: str = attrs.field(validator=attrs.validators.instance_of(str))
    where: tuple[tuple[str, object], ...] = attrs.field(default=(), converter=_where_pairs)
    reason: str | None = None
    role: str | None = None

    def matches(self, event: Event) -> bool:
        """Whether ``event`` is of the kind and has the field values this reaction asks for."""
        return type(event).kind == self.on and all(
            getattr(event, name, _MISSING) == value for name, value in self.where
        )


_MISSING = object()


def _check_reaction(
    reaction: Reaction, table: Mapping[tuple[str, str], Transition], statuses: set[str]
) -> tuple[str, ...]:
    """The statuses the reaction applies in, once its transition is known to allow it."""
    if not isinstance(reaction, Reaction):
        raise InvalidLifecycleError(f"reactions must be Reaction values, got {reaction!r}")
    if reaction.on not in event_kinds() or reaction.on in ("ticket_opened", "status_changed"):
        raise InvalidLifecycleError(
            f"a reaction on {reaction.on!r}: react to an event kind other than an opening or a "
            f"status change, one of {sorted(event_kinds() - {'ticket_opened', 'status_changed'})}"
        )
    sources = sorted(statuses) if ANY in reaction.sources else reaction.sources
    for source in sources:
        tr = table.get((source, reaction.trigger))
        problem = None
        if source not in statuses:
            problem = f"status {source!r} is not one of {sorted(statuses)}"
        elif tr is None:
            problem = f"{reaction.trigger!r} cannot be fired from {source!r}"
        elif tr.reason_required and reaction.reason is None:
            problem = f"{reaction.trigger!r} needs a reason; give the reaction reason=..."
        elif tr.reasons is not None and reaction.reason not in tr.reasons:
            problem = f"reason {reaction.reason!r} is not one of {list(tr.reasons)}"
        elif tr.roles is not None and reaction.role not in tr.roles:
            problem = f"role {reaction.role!r} may not fire it; allowed: {list(tr.roles)}"
        if problem is not None:
            raise InvalidLifecycleError(f"the reaction to {reaction.on!r} in {source!r}: {problem}")
    return tuple(sources)


class _Route:
    """One entry of the machine's event table with servicekit's rules for it: what
    :meth:`Ticket.fire <servicekit.Ticket.fire>` reads to move a ticket, and what a ticket's
    compact history keeps for a status change (shared by every ticket of the lifecycle)."""

    __slots__ = ("checked", "dest", "guards", "rules", "source", "trigger")

    def __init__(self, trigger: str, source: str, dest: str, rules: Transition) -> None:
        self.trigger = trigger
        self.source = source
        self.dest = dest
        self.rules = rules
        self.guards = rules.guards
        # Whether firing must check a role or a reason (most transitions take neither).
        self.checked = rules.roles is not None or rules.reasons is not None or rules.reason_required

    def __reduce__(self) -> tuple[Any, ...]:
        raise TypeError("a route belongs to its lifecycle's machine; pickle the lifecycle")


@attrs.frozen
class DueTransition:
    """A timed transition scheduled for a ticket: fire ``trigger`` at ``at``.

    ``due`` tells whether ``at`` is at or before the ``now`` it was computed for.
    """

    trigger: str
    dest: str
    at: pendulum.DateTime
    due: bool


def _build_table(
    statuses: tuple[Status, ...], transitions_: tuple[Transition, ...], initial: str
) -> dict[tuple[str, str], Transition]:
    """Check the definition and return the (status, trigger) -> transition table."""
    names = [s.name for s in statuses]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InvalidLifecycleError(
                f"status {name!r} is defined twice; status names must be unique"
            )
        seen.add(name)
    if not statuses:
        raise InvalidLifecycleError("a lifecycle needs at least one status")
    if initial not in seen:
        raise InvalidLifecycleError(
            f"initial status {initial!r} is not one of the statuses {sorted(seen)}"
        )
    table: dict[tuple[str, str], Transition] = {}
    for tr in transitions_:
        for name in (*tr.sources, tr.dest):
            if name not in seen and name not in (ANY, SAME):
                raise InvalidLifecycleError(
                    f"transition {tr.trigger!r} refers to unknown status {name!r}; known: "
                    f"{sorted(seen)}"
                )
        if tr.dest == ANY:
            raise InvalidLifecycleError(f"transition {tr.trigger!r}: '*' cannot be a destination")
        if SAME in tr.sources:
            raise InvalidLifecycleError(f"transition {tr.trigger!r}: '=' cannot be a source")
        sources = names if ANY in tr.sources else tr.sources
        for source in sources:
            key = (source, tr.trigger)
            if key in table:
                raise InvalidLifecycleError(
                    f"two transitions named {tr.trigger!r} leave status {source!r}; a trigger "
                    "must lead to one place from each status"
                )
            table[key] = tr
    # Every status must be reachable from the initial one.
    reached = {initial}
    queue = deque([initial])
    while queue:
        here = queue.popleft()
        for (source, _), tr in table.items():
            dest = source if tr.dest == SAME else tr.dest
            if source == here and dest not in reached:
                reached.add(dest)
                queue.append(dest)
    unreachable = [n for n in names if n not in reached]
    if unreachable:
        raise InvalidLifecycleError(
            f"statuses {unreachable} cannot be reached from {initial!r}; add a transition into "
            "them or remove them"
        )
    leaving = {source for (source, _), tr in table.items() if tr.dest not in (SAME, source)}
    for status in statuses:
        if not status.category.is_final and status.name not in leaving:
            raise InvalidLifecycleError(
                f"status {status.name!r} ({status.category.value}) has no way out; add a "
                "transition from it, or give it a final category (closed or cancelled)"
            )
    return table


def _build_machine(
    statuses: tuple[Status, ...], transitions_: tuple[Transition, ...], initial: str
) -> Machine:
    """The ``transitions`` machine of a checked definition, bound to no model."""
    machine = Machine(
        model=None,
        states=[s.name for s in statuses],
        initial=initial,
        auto_transitions=False,
    )
    for tr in transitions_:
        sources: Any = "*" if ANY in tr.sources else list(tr.sources)
        machine.add_transition(tr.trigger, sources, tr.dest)
    return machine


@attrs.frozen(init=False, eq=False, repr=False)
class Lifecycle:
    """How tickets move: statuses, transitions and the initial status, checked when defined.

    Args:
        name: a name for the lifecycle, e.g. ``"helpdesk"``.
        statuses: the :class:`Status` values.
        transitions: the :class:`Transition` values.
        initial: the name of the status a new ticket starts in.
        reactions: the :class:`Reaction` values: status changes events cause by
            themselves (the first that matches an event applies).

    Raises:
        InvalidLifecycleError: unknown or duplicate statuses, unreachable
            statuses, non-final statuses with no way out, one trigger leading
            to two places from one status, an unknown initial status, or a
            reaction whose transition cannot be fired as it says.
    """

    name: str
    statuses: tuple[Status, ...]
    transitions: tuple[Transition, ...]
    initial: str
    reactions: tuple[Reaction, ...]
    _reacting: Mapping[tuple[str, str], tuple[Reaction, ...]]
    _by_name: Mapping[str, Status]
    _table: Mapping[tuple[str, str], Transition]
    _triggers: Mapping[str, tuple[str, ...]]
    _timed: Mapping[str, tuple[Transition, ...]]
    _factory: Callable[[], Lifecycle] | None
    _machine: Machine
    _events: Mapping[str, Any]  # the machine's event table: trigger -> transitions.Event
    _rules: Mapping[object, Transition]  # the machine's transition -> servicekit's rules
    _routes: Mapping[object, _Route]  # the machine's transition -> what a ticket fires

    def __init__(
        self,
        name: str,
        statuses: Sequence[Status],
        transitions: Sequence[Transition],
        initial: str,
        reactions: Sequence[Reaction] = (),
        *,
        _factory: Callable[[], Lifecycle] | None = None,
    ) -> None:
        statuses_ = tuple(statuses)
        transitions_ = tuple(transitions)
        for item in statuses_:
            if not isinstance(item, Status):
                raise InvalidLifecycleError(f"statuses must be Status values, got {item!r}")
        for tr in transitions_:
            if not isinstance(tr, Transition):
                raise InvalidLifecycleError(f"transitions must be Transition values, got {tr!r}")
        table = _build_table(statuses_, transitions_, initial)
        triggers: dict[str, list[str]] = {s.name: [] for s in statuses_}
        timed: dict[str, list[Transition]] = {s.name: [] for s in statuses_}
        for (source, trigger), tr in table.items():
            triggers[source].append(trigger)
            if tr.after is not None:
                timed[source].append(tr)
        reactions_ = tuple(reactions)
        reacting: dict[tuple[str, str], list[Reaction]] = {}
        for reaction in reactions_:
            for source in _check_reaction(reaction, table, {s.name for s in statuses_}):
                reacting.setdefault((source, reaction.on), []).append(reaction)
        machine = _build_machine(statuses_, transitions_, initial)
        rules: dict[object, Transition] = {}
        routes: dict[object, _Route] = {}
        for trigger, event in machine.events.items():
            for source, machine_trs in event.transitions.items():
                for machine_tr in machine_trs:
                    dest = machine_tr.dest
                    assert dest is not None  # no internal transitions are added
                    rules[machine_tr] = table[(source, trigger)]
                    routes[machine_tr] = _Route(trigger, source, dest, rules[machine_tr])
        self.__attrs_init__(
            name,
            statuses_,
            transitions_,
            initial,
            reactions_,
            types.MappingProxyType({k: tuple(v) for k, v in reacting.items()}),
            types.MappingProxyType({s.name: s for s in statuses_}),
            types.MappingProxyType(table),
            types.MappingProxyType({k: tuple(v) for k, v in triggers.items()}),
            types.MappingProxyType({k: tuple(v) for k, v in timed.items() if v}),
            _factory,
            machine,
            machine.events,
            types.MappingProxyType(rules),
            types.MappingProxyType(routes),
        )

    @classmethod
    def from_categories(
        cls,
        name: str,
        categories: Mapping[str, StatusCategory | str],
        *,
        initial: str | None = None,
    ) -> Lifecycle:
        """A lifecycle for a ticket log: statuses from a status-to-category table, every move
        allowed.

        Each status gets a transition from every status, triggered by the destination's
        name, so any observed move replays; firing the current status is a handover inside
        it (the stay is not split). The first status listed is the initial one unless
        ``initial`` names another.

        >>> lc = Lifecycle.from_categories("log", {"New": "new", "Done": "solved"})
        >>> lc.initial, lc.category("Done").value
        ('New', 'solved')

        Raises:
            InvalidLifecycleError: no statuses, an unknown category or initial status.
        """
        if not isinstance(categories, Mapping) or not categories:
            raise InvalidLifecycleError(
                "from_categories needs a non-empty mapping of status name to category"
            )
        statuses = []
        for status, category in categories.items():
            try:
                statuses.append(Status(status, category))
            except ValueError as exc:
                known = [c.value for c in StatusCategory]
                raise InvalidLifecycleError(
                    f"status {status!r}: {category!r} is not a status category; use one of {known}"
                ) from exc
        first = next(iter(categories))
        return cls(
            name,
            statuses,
            [Transition(trigger=s.name, sources=ANY, dest=s.name) for s in statuses],
            first if initial is None else initial,
        )

    def _key(self) -> tuple[object, ...]:
        return (self.name, self.statuses, self.transitions, self.initial, self.reactions)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Lifecycle):
            return NotImplemented
        return self is other or self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"Lifecycle({self.name!r}, {len(self.statuses)} statuses, "
            f"{len(self.transitions)} transitions, initial={self.initial!r})"
        )

    def replace(self, **changes: Any) -> Lifecycle:
        """A copy with some of ``name``, ``statuses``, ``transitions``, ``initial`` and
        ``reactions`` changed, checked like a new lifecycle (``attrs.evolve`` cannot rebuild
        its tables)."""
        parts: dict[str, Any] = {
            "name": self.name,
            "statuses": self.statuses,
            "transitions": self.transitions,
            "initial": self.initial,
            "reactions": self.reactions,
        }
        unknown = sorted(set(changes) - set(parts))
        if unknown:
            raise TypeError(f"Lifecycle.replace: unknown fields {unknown}; use {list(parts)}")
        return Lifecycle(**{**parts, **changes})

    def __reduce__(self) -> tuple[Any, ...]:
        # Ready-made lifecycles pickle as a reference to their factory: a few bytes per ticket.
        if self._factory is not None:
            return (self._factory, ())
        return (
            Lifecycle,
            (self.name, self.statuses, self.transitions, self.initial, self.reactions),
        )

    # -- lookups ---------------------------------------------------------------------------

    def status(self, name: str) -> Status:
        """The :class:`Status` called ``name``.

        Raises:
            UnknownStatusError: no status has that name.
        """
        found = self._by_name.get(name)
        if found is None:
            raise UnknownStatusError(
                f"lifecycle {self.name!r} has no status {name!r}; its statuses are "
                f"{[s.name for s in self.statuses]}"
            )
        return found

    def category(self, name: str) -> StatusCategory:
        """The category of the status called ``name``."""
        found = self._by_name.get(name)  # asked for every status change a rule reads
        return (found or self.status(name)).category

    @property
    def _category_of(self) -> Mapping[str, StatusCategory]:
        """:meth:`category` as a mapping (an unknown name raises what it raises), for the
        rules that read every status change of every evaluation: a subscript of a dict, not a
        method call (remembered per lifecycle)."""
        return _CATEGORY_OF(self)

    def triggers_from(self, status: str) -> tuple[str, ...]:
        """The triggers that may be fired from ``status``, in definition order."""
        self.status(status)
        return self._triggers[status]

    def _route(self, status: str, trigger: str) -> _Route | None:
        """What a ticket fires for ``trigger`` from ``status``: the route of the machine's
        event table entry, or ``None`` when the machine has no such transition."""
        event = self._events.get(trigger)
        found = event.transitions.get(status) if event is not None else None
        return self._routes[found[0]] if found else None

    def _resolve(self, status: str, trigger: str) -> tuple[str, Transition] | None:
        """(destination, rules) of ``trigger`` from ``status``, read from the machine's event
        table, or ``None`` when the machine has no such transition."""
        event = self._events.get(trigger)
        if event is None:
            return None
        found = event.transitions.get(status)
        if not found:
            return None
        return found[0].dest, self._rules[found[0]]

    def transition(self, status: str, trigger: str) -> Transition:
        """The transition ``trigger`` fires from ``status``.

        Raises:
            UnknownStatusError: ``status`` is not a status of this lifecycle.
            InvalidTransitionError: ``trigger`` cannot be fired from ``status``.
        """
        resolved = self._resolve(status, trigger)
        found = None if resolved is None else resolved[1]
        if found is None:
            allowed = self.triggers_from(status)
            raise InvalidTransitionError(
                f"{trigger!r} cannot be fired from status {status!r} in lifecycle "
                f"{self.name!r}; allowed from there: {list(allowed) or 'nothing (final status)'}"
            )
        return found

    def destination(self, status: str, trigger: str) -> str:
        """Where ``trigger`` leads from ``status`` (as the machine resolves it)."""
        resolved = self._resolve(status, trigger)
        if resolved is None:
            self.transition(status, trigger)  # raises with the allowed triggers
        assert resolved is not None
        return resolved[0]

    def reaction_to(self, status: str, event: Event) -> Reaction | None:
        """The reaction ``event`` causes in ``status``, if any (the first that matches)."""
        for reaction in self._reacting.get((status, type(event).kind), ()):
            if reaction.matches(event):
                return reaction
        return None

    def timed_from(self, status: str) -> tuple[Transition, ...]:
        """The timed transitions (with ``after``) that leave ``status``."""
        return self._timed.get(status, ())

    def due_transitions(self, ticket: Ticket, now: _dt.datetime) -> tuple[DueTransition, ...]:
        """The timed transitions scheduled for ``ticket`` in its current status.

        Each is due ``after`` its delay from the instant the ticket entered the
        status (a handover inside the status does not restart it). Those with
        ``due`` set are at or before ``now``; the others tell a scheduler when to
        come back. Sorted by instant.
        """
        now_us = to_micros(now, name="now")
        entered = ticket.status_since
        found = []
        for tr in self.timed_from(ticket.status):
            at = tr.due_at(entered)
            found.append(
                DueTransition(
                    tr.trigger,
                    self.destination(ticket.status, tr.trigger),
                    at,
                    to_micros(at) <= now_us,
                )
            )
        return tuple(sorted(found, key=lambda d: (to_micros(d.at), d.trigger)))

    # -- other views of the table -----------------------------------------------------------

    @property
    def machine(self) -> Machine:
        """A copy of the ``transitions.Machine`` every ticket of this lifecycle runs on.

        The lifecycle builds its machine once, when it is defined, and every
        :meth:`Ticket.fire <servicekit.Ticket.fire>` resolves its trigger through
        that machine's event table; tickets are never bound to it as models. What you
        get here is a fresh, equal machine (bound to no model): use it for that
        library's own features (a model of your own, diagrams), knowing that changing
        it cannot change how this lifecycle's tickets move. Guards, reasons and roles
        are enforced by :class:`~servicekit.Ticket`, not by the machine.

        >>> from servicekit import helpdesk_lifecycle
        >>> machine = helpdesk_lifecycle().machine
        >>> machine.get_transitions("solve", source="open")[0].dest
        'solved'
        >>> machine.add_transition("solve", "open", "closed")  # changes the copy only
        >>> helpdesk_lifecycle().destination("open", "solve")
        'solved'
        """
        return _build_machine(self.statuses, self.transitions, self.initial)

    def to_mermaid(self) -> str:
        """The lifecycle as a Mermaid ``stateDiagram-v2``, generated from its table."""
        ids = {s.name: f"s{i}" for i, s in enumerate(self.statuses)}
        lines = ["stateDiagram-v2"]
        for status in self.statuses:
            lines.append(f'    state "{status.name}" as {ids[status.name]}')
        lines.append(f"    [*] --> {ids[self.initial]}")
        for tr in self.transitions:
            sources = [s.name for s in self.statuses] if ANY in tr.sources else list(tr.sources)
            label = tr.trigger
            if tr.after is not None:
                label += f" (after {_describe_delay(tr.after)})"
            for source in sources:
                dest = source if tr.dest == SAME else tr.dest
                lines.append(f"    {ids[source]} --> {ids[dest]}: {label}")
        for status in self.statuses:
            if status.category.is_final and not self._triggers[status.name]:
                lines.append(f"    {ids[status.name]} --> [*]")
        return "\n".join(lines) + "\n"


def _describe_delay(delay: _dt.timedelta) -> str:
    seconds = int(delay.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


class _CategoryOf(dict[str, StatusCategory]):
    """A lifecycle's status names and their categories (see ``Lifecycle._category_of``)."""

    __slots__ = ("_lifecycle",)

    def __init__(self, lifecycle: Lifecycle) -> None:
        super().__init__((s.name, s.category) for s in lifecycle.statuses)
        self._lifecycle = lifecycle

    def __missing__(self, name: str) -> StatusCategory:
        return self._lifecycle.status(name).category  # raises UnknownStatusError


_CATEGORY_OF: IdentityMemo[Lifecycle, _CategoryOf] = IdentityMemo(_CategoryOf)
