"""SLA metrics: when a promise's clock starts, runs, pauses and ends, as declarative rules.

A metric is a set of plain values, so it pickles and compares: conditions over
events (:class:`On`), the clock action per status category, and what a stop
category does to a running cycle. The built-in metrics are values of this
same class; define your own the same way.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Final, Literal, TypeAlias

import attrs

from servicekit._convert import to_enum
from servicekit._events import EVENT_TYPES, Event
from servicekit._status import ClockAction, StatusCategory
from servicekit.errors import SlaPolicyError

__all__ = [
    "AGENT_WORK_TIME",
    "BUILT_IN_METRICS",
    "FIRST_RESPONSE",
    "NEXT_RESPONSE",
    "PERIODIC_UPDATE",
    "REQUESTER_WAIT_TIME",
    "RESOLUTION",
    "On",
    "SlaMetric",
    "StopOutcome",
]

_KINDS: Final = frozenset(cls.kind for cls in EVENT_TYPES)


def _where(
    value: Mapping[str, object] | tuple[tuple[str, object], ...],
) -> tuple[tuple[str, object], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple(sorted(items))


@attrs.frozen(init=False)
class On:
    """A condition on one event: its kind, and optionally field values.

    ``On("agent_replied", public=True)`` matches public agent replies.

    Attributes:
        kind: the event's type tag, e.g. ``"customer_replied"``.
        where: field -> value pairs the event must have.
    """

    kind: str
    where: tuple[tuple[str, object], ...]

    def __init__(self, kind: str, **where: object) -> None:
        stored = where.get("where")
        if len(where) == 1 and isinstance(stored, tuple):
            where = dict(stored)  # the stored pairs, as attrs.evolve passes them back
        if kind not in _KINDS:
            raise SlaPolicyError(f"unknown event kind {kind!r}; known kinds: {sorted(_KINDS)}")
        self.__attrs_init__(kind, _where(where))

    def matches(self, event: Event) -> bool:
        """Whether ``event`` satisfies the condition."""
        return type(event).kind == self.kind and all(
            getattr(event, name, _MISSING) == value for name, value in self.where
        )


_MISSING = object()


def matches_any(conditions: tuple[On, ...], event: Event) -> bool:
    """Whether ``event`` satisfies one of ``conditions``, all of its own kind (a fold tests
    every event it reads: the loop of :meth:`On.matches` without its kind test)."""
    for condition in conditions:
        for name, value in condition.where:
            # The test On.matches makes (==), not its negation: a value may define only __eq__.
            if not getattr(event, name, _MISSING) == value:  # noqa: SIM201
                break
        else:
            return True
    return False


#: A group of conditions on one kind of event as a fold tests them: ``True`` when any event of
#: the kind matches (a condition with no field values), else the conditions (none: ``()``).
Conditions: TypeAlias = "tuple[On, ...] | Literal[True]"


def _of_kind(group: tuple[On, ...], kind: str) -> Conditions:
    conditions = tuple(c for c in group if c.kind == kind)
    # An event of the kind matches a condition without field values: no test is needed
    # (ticket openings and customer replies start cycles this way).
    return True if any(not c.where for c in conditions) else conditions


def _conditions(value: Iterable[On]) -> tuple[On, ...]:
    conditions = tuple(value)
    for condition in conditions:
        if not isinstance(condition, On):
            raise SlaPolicyError(f"conditions must be On(...) values, got {condition!r}")
    return conditions


class StopOutcome(enum.Enum):
    """What entering a stop category does to a running cycle."""

    MET = "met"
    CANCEL = "cancel"


def _pairs(value: object, name: str) -> list[tuple[object, object]]:
    """A mapping's items, or the ``(key, value)`` pairs the field stores (``attrs.evolve``
    passes those back through the converter)."""
    if value is None:
        return []
    items = value.items() if isinstance(value, Mapping) else value
    if isinstance(items, str) or not isinstance(items, Iterable):
        raise SlaPolicyError(f"{name} must map status categories to actions, got {value!r}")
    pairs = []
    for item in items:
        if not (isinstance(item, tuple) and len(item) == 2):
            raise SlaPolicyError(f"{name} must map status categories to actions, got {item!r}")
        pairs.append(item)
    return pairs


def _clock(
    value: Mapping[StatusCategory, ClockAction] | None,
) -> tuple[tuple[StatusCategory, ClockAction], ...]:
    merged = {c: c.default_clock_action for c in StatusCategory}
    merged.update(
        {
            to_enum(StatusCategory, k, name="clock category", error=SlaPolicyError): to_enum(
                ClockAction, v, name="clock action", error=SlaPolicyError
            )
            for k, v in _pairs(value, "clock")
        }
    )
    return tuple(sorted(merged.items(), key=lambda kv: list(StatusCategory).index(kv[0])))


def _stop(
    value: Mapping[StatusCategory, StopOutcome]
    | Iterable[tuple[StatusCategory, StopOutcome]]
    | None,
) -> tuple[tuple[StatusCategory, StopOutcome], ...]:
    return tuple(
        sorted(
            (
                (
                    to_enum(StatusCategory, k, name="on_stop category", error=SlaPolicyError),
                    to_enum(StopOutcome, v, name="on_stop outcome", error=SlaPolicyError),
                )
                for k, v in _pairs(value, "on_stop")
            ),
            key=lambda kv: kv[0].value,
        )
    )


@attrs.frozen(kw_only=True)
class SlaMetric:
    """What one promise measures, as rules over a ticket's events and statuses.

    A *cycle* starts when an event matches ``starts_on`` and no cycle is
    active. While active, its clock runs, pauses or stops with the category of
    the ticket's status (``clock``, defaulting to each category's
    :attr:`~servicekit.StatusCategory.default_clock_action`). It ends when an
    event matches ``met_on`` (met), matches ``cancelled_on`` (cancelled), or
    the ticket enters a category whose clock action is stop (``on_stop``
    says whether that meets or cancels it; unlisted stop categories cancel).
    With ``restarts`` the event that meets a cycle also starts the next one
    (periodic updates). ``reopenable`` cycles that a stop category met can be
    resumed when the ticket reopens, if the policy says so.

    Attributes:
        name: the metric's name, used in targets and reports.
        starts_on: conditions that start a cycle.
        met_on: conditions that meet the active cycle.
        cancelled_on: conditions that cancel the active cycle.
        clock: clock action per status category (overrides the defaults).
        on_stop: outcome per stop category.
        restarts: the meeting event starts the next cycle.
        reopenable: a cycle met by a stop category resumes on reopen when the
            policy's ``on_reopen`` is ``"resume"``.
    """

    name: str
    starts_on: tuple[On, ...] = attrs.field(converter=_conditions)
    met_on: tuple[On, ...] = attrs.field(default=(), converter=_conditions)
    cancelled_on: tuple[On, ...] = attrs.field(default=(), converter=_conditions)
    clock: tuple[tuple[StatusCategory, ClockAction], ...] = attrs.field(
        default=None, converter=_clock
    )
    on_stop: tuple[tuple[StatusCategory, StopOutcome], ...] = attrs.field(
        default=None, converter=_stop
    )
    restarts: bool = False
    reopenable: bool = False
    _actions: dict[StatusCategory, ClockAction] = attrs.field(
        init=False, eq=False, repr=False, hash=False
    )
    _outcomes: dict[StatusCategory, StopOutcome] = attrs.field(
        init=False, eq=False, repr=False, hash=False
    )
    _kinds: frozenset[str] = attrs.field(init=False, eq=False, repr=False, hash=False)
    _by_kind: dict[str, tuple[Conditions, Conditions, Conditions]] = attrs.field(
        init=False, eq=False, repr=False, hash=False
    )

    def __attrs_post_init__(self) -> None:
        if not self.starts_on:
            raise SlaPolicyError(f"metric {self.name!r} has no start condition (starts_on)")
        # Looked up for every event of every ticket: kept as dicts.
        object.__setattr__(self, "_actions", dict(self.clock))
        object.__setattr__(self, "_outcomes", dict(self.on_stop))
        kinds = {c.kind for c in (*self.starts_on, *self.met_on, *self.cancelled_on)}
        # Per kind of event, its cancelling, meeting and starting conditions: most events of a
        # history (status changes, assignments) start, meet or cancel nothing, and a fold skips
        # them; it tests an event only against its own kind's conditions.
        object.__setattr__(self, "_kinds", frozenset(kinds))
        object.__setattr__(
            self,
            "_by_kind",
            {
                kind: tuple(
                    _of_kind(group, kind)
                    for group in (self.cancelled_on, self.met_on, self.starts_on)
                )
                for kind in kinds
            },
        )

    def clock_action(self, category: StatusCategory) -> ClockAction:
        """What the clock does while the ticket is in ``category``."""
        return self._actions[category]

    def stop_outcome(self, category: StatusCategory) -> StopOutcome:
        """What entering ``category`` (a stop category) does to an active cycle."""
        return self._outcomes.get(category, StopOutcome.CANCEL)

    def with_clock(self, clock: Mapping[StatusCategory, ClockAction]) -> SlaMetric:
        """A copy with some categories' clock actions changed (e.g. pause on third party)."""
        merged = dict(self.clock)
        merged.update(clock)
        return attrs.evolve(self, clock=merged)


_C = StatusCategory
_A = ClockAction
_AGENT_PUBLIC = On("agent_replied", public=True)
_SOLVED = {_C.SOLVED: StopOutcome.MET, _C.CLOSED: StopOutcome.MET, _C.CANCELLED: StopOutcome.CANCEL}
_RUN_UNTIL_STOP = {_C.WAITING_ON_CUSTOMER: _A.RUN}

FIRST_RESPONSE = SlaMetric(
    name="first_response",
    starts_on=[On("ticket_opened")],
    met_on=[_AGENT_PUBLIC],
    clock=_RUN_UNTIL_STOP,
)
"""Opened -> the first public agent reply; runs in every open status."""
NEXT_RESPONSE = SlaMetric(
    name="next_response",
    starts_on=[On("customer_replied")],
    met_on=[_AGENT_PUBLIC],
    clock=_RUN_UNTIL_STOP,
)
"""A customer reply after the agent's last -> the next public agent reply; a new cycle each time."""
PERIODIC_UPDATE = SlaMetric(
    name="periodic_update",
    starts_on=[_AGENT_PUBLIC],
    met_on=[_AGENT_PUBLIC],
    clock={_C.WAITING_ON_THIRD_PARTY: _A.PAUSE},
    restarts=True,
)
"""Each public agent update -> the next, counted while the ticket is open (paused while waiting)."""
RESOLUTION = SlaMetric(
    name="resolution",
    starts_on=[On("ticket_opened")],
    on_stop=_SOLVED,
    reopenable=True,
)
"""Opened -> solved, paused while waiting on the customer."""
REQUESTER_WAIT_TIME = SlaMetric(
    name="requester_wait_time",
    starts_on=[On("ticket_opened")],
    on_stop=_SOLVED,
    reopenable=True,
)
"""Time the requester waits on the team: new, open and on hold (third party), until solved."""
AGENT_WORK_TIME = SlaMetric(
    name="agent_work_time",
    starts_on=[On("ticket_opened")],
    clock={_C.WAITING_ON_THIRD_PARTY: _A.PAUSE},
    on_stop=_SOLVED,
    reopenable=True,
)
"""Time the team works the ticket: new and open only, until solved."""

BUILT_IN_METRICS: Final[Mapping[str, SlaMetric]] = {
    m.name: m
    for m in (
        FIRST_RESPONSE,
        NEXT_RESPONSE,
        PERIODIC_UPDATE,
        RESOLUTION,
        REQUESTER_WAIT_TIME,
        AGENT_WORK_TIME,
    )
}
"""The built-in metrics by name."""
