"""Escalation chains: who is notified, when, and what stops it, as plain values."""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

import attrs
import pendulum

from servicekit._calendars import BusinessCalendar
from servicekit._convert import wall_time
from servicekit._status import StatusCategory
from servicekit._time import as_instant, duration_micros, get_timezone
from servicekit.errors import InvalidEscalationError
from servicekit.sla import On, SlaPolicy, SlaReport

if TYPE_CHECKING:
    from servicekit._ticket import Ticket
    from servicekit.escalation._evaluate import EscalationReport

__all__ = [
    "AfterBreach",
    "AtSlaFraction",
    "ChainKind",
    "Delay",
    "EnteredCategory",
    "EscalationChain",
    "OutsideWindow",
    "PriorityRaised",
    "Repeat",
    "Selector",
    "SlaTrigger",
    "Step",
    "Stop",
    "Target",
    "Trigger",
    "Unreachable",
    "Wait",
    "Window",
]


class ChainKind(enum.Enum):
    """Functional escalation (by skill: L1 -> L2 -> L3) or hierarchical (by authority)."""

    FUNCTIONAL = "functional"
    HIERARCHICAL = "hierarchical"


class Selector(enum.Enum):
    """Which of a step's targets are notified."""

    ALL = "all"
    ROUND_ROBIN = "round_robin"  # one, turning with the caller's cursor and the loop
    FIRST_REACHABLE = "first_reachable"


class Unreachable(enum.Enum):
    """What a step does when none of its targets can be reached."""

    SKIP = "skip"
    WAIT = "wait"  # hold the chain until someone is reachable
    FALLBACK = "fallback"  # notify the step's fallback target instead


class OutsideWindow(enum.Enum):
    """What a step does when it falls due outside its window."""

    DEFER = "defer"
    SKIP = "skip"
    GOTO = "goto"


@attrs.frozen
class Target:
    """Someone to notify: a person, a group, a role or a support tier."""

    kind: str
    name: str

    def __attrs_post_init__(self) -> None:
        if self.kind not in ("person", "group", "role", "tier"):
            raise InvalidEscalationError(
                f"target kind must be person, group, role or tier, got {self.kind!r}"
            )


def _non_negative(
    _: object, attribute: attrs.Attribute[_dt.timedelta], value: _dt.timedelta
) -> None:
    duration_micros(value, name=attribute.name)  # refuses negative and month-based durations


def _targets(value: Iterable[Target]) -> tuple[Target, ...]:
    return tuple(value)


def _category_set(value: Iterable[StatusCategory | str]) -> frozenset[StatusCategory]:
    return frozenset(StatusCategory(c) for c in value)


@attrs.frozen
class Delay:
    """Wait this long after the previous step (or the start), in elapsed or business time."""

    duration: _dt.timedelta = attrs.field(validator=_non_negative)
    calendar: BusinessCalendar | None = None


@attrs.frozen
class AtSlaFraction:
    """Fall due when ``fraction`` of an SLA target is used (1.0: the target is used up)."""

    metric: str
    fraction: float

    def __attrs_post_init__(self) -> None:
        if not 0 < self.fraction <= 1:
            raise InvalidEscalationError(f"fraction must be in (0, 1], got {self.fraction!r}")


@attrs.frozen
class AfterBreach:
    """Fall due this long after an SLA target was breached."""

    metric: str
    duration: _dt.timedelta = attrs.field(validator=_non_negative)
    calendar: BusinessCalendar | None = None


Wait: TypeAlias = Delay | AtSlaFraction | AfterBreach
"""When a step falls due."""


@attrs.frozen
class Window:
    """Local hours and weekdays, in a named zone, in which a step may fire.

    Attributes:
        timezone: IANA zone of the hours.
        start: local opening time.
        end: local closing time (after ``start``).
        weekdays: days it applies (0 = Monday).
        outside: what to do when the step falls due outside it.
        goto_step: the step to go to when ``outside`` is ``GOTO``.
    """

    timezone: str
    start: _dt.time
    end: _dt.time
    weekdays: frozenset[int] = attrs.field(default=frozenset(range(7)), converter=frozenset)
    outside: OutsideWindow = attrs.field(default=OutsideWindow.DEFER, converter=OutsideWindow)
    goto_step: int | None = None

    def __attrs_post_init__(self) -> None:
        get_timezone(self.timezone, name="window timezone")
        wall_time(self.start, name="start", error=InvalidEscalationError)
        wall_time(self.end, name="end", error=InvalidEscalationError)
        if self.end <= self.start:
            raise InvalidEscalationError(f"window {self.start}-{self.end} must end after it starts")
        if not self.weekdays or not self.weekdays <= set(range(7)):
            raise InvalidEscalationError("window weekdays must be a non-empty set of 0..6")
        if (self.outside is OutsideWindow.GOTO) != (self.goto_step is not None):
            raise InvalidEscalationError("give goto_step exactly when outside is GOTO")

    def calendar(self) -> BusinessCalendar:
        """The window as a calendar (for the next opening)."""
        span = [(self.start, self.end)]
        return BusinessCalendar(self.timezone, dict.fromkeys(self.weekdays, span))


@attrs.frozen(kw_only=True)
class Step:
    """One step of a chain.

    Attributes:
        targets: who is notified.
        wait: when the step falls due (default: at once).
        selector: which targets are notified.
        importance: a hint for the app (e.g. ``"high"``).
        channel: a hint for the app (e.g. ``"sms"``).
        window: local hours in which the step may fire.
        reassign: give the ticket to this tier or group when the step fires.
        unreachable: what to do when nobody can be reached.
        fallback: who to notify then, with ``Unreachable.FALLBACK``.
    """

    targets: tuple[Target, ...] = attrs.field(converter=_targets)
    wait: Wait = attrs.field(factory=lambda: Delay(_dt.timedelta(0)))
    selector: Selector = attrs.field(default=Selector.ALL, converter=Selector)
    importance: str | None = None
    channel: str | None = None
    window: Window | None = None
    reassign: Target | None = None
    unreachable: Unreachable = attrs.field(default=Unreachable.SKIP, converter=Unreachable)
    fallback: Target | None = None

    def __attrs_post_init__(self) -> None:
        if not self.targets:
            raise InvalidEscalationError("a step needs at least one target")
        if (self.unreachable is Unreachable.FALLBACK) != (self.fallback is not None):
            raise InvalidEscalationError(
                "give a fallback target exactly when unreachable is FALLBACK"
            )


@attrs.frozen
class Repeat:
    """Go round again: ``times`` more loops (``None``: until stopped), from ``from_step``."""

    times: int | None = 0
    from_step: int = 0


@attrs.frozen
class SlaTrigger:
    """Start the chain when an SLA metric reaches ``fraction`` of its target."""

    metric: str
    fraction: float = 1.0


@attrs.frozen
class EnteredCategory:
    """The ticket entering one of these status categories."""

    categories: frozenset[StatusCategory] = attrs.field(converter=_category_set)


@attrs.frozen
class PriorityRaised:
    """A priority change to a higher priority; ``order`` lists priorities from highest."""

    order: tuple[str, ...] = attrs.field(converter=tuple)


Trigger: TypeAlias = On | SlaTrigger | EnteredCategory | PriorityRaised
"""What starts a run."""
Stop: TypeAlias = On | EnteredCategory
"""What stops a run."""

_DEFAULT_STOPS: tuple[Stop, ...] = (
    On("acknowledged"),
    On("assigned"),
    EnteredCategory([StatusCategory.SOLVED, StatusCategory.CLOSED, StatusCategory.CANCELLED]),
)


def _steps(value: Iterable[Step]) -> tuple[Step, ...]:
    return tuple(value)


def _tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(value)


def _optional_instant(value: _dt.datetime | None) -> _dt.datetime | None:
    return None if value is None else as_instant(value, name="effective_from")


@attrs.frozen(kw_only=True)
class EscalationChain:
    """Ordered steps that take a ticket to the people who can solve it, or decide on it.

    Attributes:
        name: the chain's name (part of every idempotency key).
        kind: functional (L1 -> L2 -> L3) or hierarchical (lead -> manager -> director).
        steps: the steps, in order.
        repeat: how often to go round again, and from which step.
        triggers: what starts a run (default: a manual escalation, the ``Escalated`` event).
        stops: what stops it (default: acknowledged, reassigned, solved, closed or cancelled).
        ack_timeout: with it, an acknowledgement only holds the chain this long:
            unless something else stops it, the chain restarts from ``ack_restart_step``.
        ack_restart_step: where a timed-out acknowledgement restarts.
        version: the chain's version; a run keeps the version it started with.
        effective_from: since when this version applies (``None``: always).
        hold_poll: how often a step waiting for someone reachable checks again.
    """

    name: str
    kind: ChainKind = attrs.field(default=ChainKind.FUNCTIONAL, converter=ChainKind)
    steps: tuple[Step, ...] = attrs.field(converter=_steps)
    repeat: Repeat = Repeat()
    triggers: tuple[Trigger, ...] = attrs.field(default=(On("escalated"),), converter=_tuple)
    stops: tuple[Stop, ...] = attrs.field(default=_DEFAULT_STOPS, converter=_tuple)
    ack_timeout: _dt.timedelta | None = None
    ack_restart_step: int = 0
    version: int = 1
    effective_from: _dt.datetime | None = attrs.field(default=None, converter=_optional_instant)
    hold_poll: _dt.timedelta = _dt.timedelta(minutes=5)

    def __attrs_post_init__(self) -> None:
        n = len(self.steps)
        if not n:
            raise InvalidEscalationError(f"chain {self.name!r} has no steps")
        if not 0 <= self.repeat.from_step < n:
            raise InvalidEscalationError(
                f"repeat.from_step {self.repeat.from_step} points outside the chain's {n} steps"
            )
        if self.repeat.times is not None and self.repeat.times < 0:
            raise InvalidEscalationError("repeat.times must be >= 0 or None (until stopped)")
        if not 0 <= self.ack_restart_step < n:
            raise InvalidEscalationError(f"ack_restart_step must be a step index below {n}")
        if self.ack_timeout is not None and duration_micros(self.ack_timeout) <= 0:
            raise InvalidEscalationError("ack_timeout must be positive")
        if duration_micros(self.hold_poll, name="hold_poll") <= 0:
            raise InvalidEscalationError("hold_poll must be positive")
        for index, step in enumerate(self.steps):
            window = step.window
            if (
                window is not None
                and window.goto_step is not None
                and not 0 <= window.goto_step < n
            ):
                raise InvalidEscalationError(
                    f"step {index} goes to step {window.goto_step}, outside the chain"
                )
        if self.repeat.times != 0:
            looped = self.steps[self.repeat.from_step :]
            if any(not isinstance(s.wait, Delay) for s in looped):
                raise InvalidEscalationError(
                    "repeated steps must wait a Delay: SLA instants do not come round again"
                )
            if all(duration_micros(s.wait.duration) == 0 for s in looped):  # type: ignore[union-attr]
                raise InvalidEscalationError(
                    "a repeating section needs a positive wait, or it would repeat at one instant"
                )

    def evaluate(
        self,
        ticket: Ticket,
        now: _dt.datetime,
        *,
        sla: SlaPolicy | SlaReport | None = None,
        reachable: Callable[[Target, pendulum.DateTime], bool] | None = None,
        cursor: int = 0,
        versions: Sequence[EscalationChain] = (),
    ) -> EscalationReport:
        """The notifications due at or before ``now``, the position, and ``next_at``.

        Args:
            ticket: the ticket (events after ``now`` are ignored).
            now: the instant asked about.
            sla: the SLA policy, for SLA-relative waits and triggers; or the policy's
                report for this ticket at ``now``, when the caller already has it (a
                protocol evaluates its policy once and hands the report to every chain).
            reachable: ``reachable(target, at)``; everyone is reachable without it.
            cursor: the round-robin cursor the app keeps.
            versions: earlier versions of this chain; each run keeps the version
                in effect when it started.

        Semantics: an event at exactly the instant a step falls due wins over the
        step; a new trigger after a stop starts a new run; with ``ack_timeout``
        an acknowledgement holds the chain, which restarts from
        ``ack_restart_step`` (as the next loop) when it times out.

        Raises:
            InvalidEscalationError: the chain needs an SLA policy and none was given, or
                the report given is for another ticket or instant.
        """
        from servicekit.escalation._evaluate import evaluate_chain

        return evaluate_chain(
            self, ticket, now, sla=sla, reachable=reachable, cursor=cursor, versions=versions
        )

    @property
    def needs_sla(self) -> bool:
        """Whether the chain reads SLA statuses (so ``evaluate`` needs ``sla=``)."""
        return any(isinstance(s.wait, AtSlaFraction | AfterBreach) for s in self.steps) or any(
            isinstance(t, SlaTrigger) for t in self.triggers
        )

    @classmethod
    def from_levels(
        cls,
        name: str,
        levels: Sequence[tuple[Sequence[Target], _dt.timedelta]],
        *,
        repeat: int | None = 0,
        **options: object,
    ) -> EscalationChain:
        """A chain written as levels, in the manner of PagerDuty: each level's targets are
        notified, and the next level follows after that level's escalation delay; on
        repeat the chain goes round from the first level after the last level's delay."""
        if not levels:
            raise InvalidEscalationError(f"chain {name!r} has no levels")
        steps = []
        previous = _dt.timedelta(0)
        for targets, delay in levels:
            steps.append(Step(targets=targets, wait=Delay(previous)))
            previous = delay
        if repeat != 0:
            return cls._levels_with_repeat(name, steps, previous, repeat, **options)
        return cls(name=name, steps=steps, **options)  # type: ignore[arg-type]

    @classmethod
    def _levels_with_repeat(
        cls,
        name: str,
        steps: list[Step],
        last_delay: _dt.timedelta,
        repeat: int | None,
        **options: object,
    ) -> EscalationChain:
        # Steps: level 1 at once, levels 2..n after their delays, then level 1 again after the
        # last delay, repeating from that copy.
        first = attrs.evolve(steps[0], wait=Delay(_dt.timedelta(0)))
        again = attrs.evolve(steps[0], wait=Delay(last_delay))
        rest = steps[1:]
        body = [first, *rest, again, *rest]
        if repeat is None:
            loop = Repeat(None, len(rest) + 1)
        else:
            loop = Repeat(repeat - 1, len(rest) + 1) if repeat > 1 else Repeat(0, 0)
        return cls(name=name, steps=body, repeat=loop, **options)  # type: ignore[arg-type]
