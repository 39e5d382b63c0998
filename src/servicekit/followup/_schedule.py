"""Follow-up schedules: the plan that keeps a customer informed, evaluated over a history."""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Container, Iterable, Iterator, Mapping
from typing import Any, Final, TypeAlias

import attrs
import pendulum

from servicekit._calendars import BusinessCalendar
from servicekit._convert import wall_time
from servicekit._events import (
    AgentReplied,
    Event,
    OptedOut,
    PriorityChanged,
    PromiseMade,
    StatusChanged,
    TicketOpened,
)
from servicekit._status import StatusCategory
from servicekit._ticket import Ticket
from servicekit._time import duration_micros, from_micros, get_timezone, to_micros
from servicekit._timeline import Timeline, classes_of, timeline
from servicekit.errors import InvalidFollowUpError
from servicekit.followup._cadence import Cadence, ContactWindow, Daily

__all__ = [
    "Anchor",
    "FollowUp",
    "FollowUpReport",
    "FollowUpSchedule",
    "PromiseState",
    "PromiseStatus",
    "QuietAction",
    "TerminalAction",
    "TerminalDue",
]

_ANY = "*"
_SEARCH_BEYOND = 400 * 86_400_000_000  # how far past the horizon a kept attempt is sought


class Anchor(enum.Enum):
    """What a run of follow-ups counts from."""

    OPENED = "opened"  # the opening (and every public agent update after it)
    LAST_AGENT_UPDATE = "last_agent_update"  # each public agent update
    PROMISE = "promise"  # each promise an agent makes
    SOLVED = "solved"  # the ticket entering a solved status; the run lasts while it stays solved


class QuietAction(enum.Enum):
    """What happens to an attempt that falls in the customer's quiet hours."""

    DEFER = "defer"  # to the window's next opening (deferred attempts merge, never stack)
    SKIP = "skip"  # not made, and it counts as one of the attempts
    MERGE = "merge"  # not made separately: the next attempt stands for it


@attrs.frozen
class TerminalAction:
    """What to do when the reminders go unanswered, e.g. solve after three.

    Attributes:
        action: a name for the app to act on (``"solve"``, ``"close"``, ...).
        after_attempts: how many attempts are made first; the action falls due
            when the next attempt would have.
        batch: when the action is carried out by a daily batch job, its local
            time (in the schedule's ``default_timezone``): the action then falls
            due at the first run of the batch at or after that instant.
    """

    action: str
    after_attempts: int
    batch: _dt.time | None = None

    def __attrs_post_init__(self) -> None:
        if self.batch is not None:
            wall_time(self.batch, name="batch", error=InvalidFollowUpError)
        if self.after_attempts < 0:
            raise InvalidFollowUpError(f"after_attempts must be >= 0, got {self.after_attempts}")


@attrs.frozen
class FollowUp:
    """One follow-up to make: when, which attempt, through which channel.

    ``key`` is deterministic (ticket, schedule, run anchor, attempt), so an app
    can send each follow-up exactly once; ``anchor`` is when its run started.
    """

    at: pendulum.DateTime
    attempt: int
    channel: str
    run: int
    key: str
    anchor: pendulum.DateTime


@attrs.frozen
class TerminalDue:
    """The terminal action of a run and the instant it falls due."""

    action: str
    at: pendulum.DateTime
    run: int
    key: str


class PromiseState(enum.Enum):
    """Where an agent's promise stands."""

    PENDING = "pending"
    KEPT = "kept"
    BROKEN = "broken"


@attrs.frozen
class PromiseStatus:
    """An agent's promise ("I will call you back by 15:00") and where it stands.

    ``remind_at`` is when the agent should be reminded; ``reminder_due`` tells
    whether that instant has come while the promise is still pending.
    """

    made_at: pendulum.DateTime
    due: pendulum.DateTime
    description: str
    channel: str | None
    state: PromiseState
    remind_at: pendulum.DateTime
    reminder_due: bool
    kept_at: pendulum.DateTime | None


@attrs.frozen
class FollowUpReport:
    """The follow-ups due at ``now``, the terminal action if reached, the promises, and
    the next instant anything changes (``schedule``: the schedule's name)."""

    due: tuple[FollowUp, ...]
    terminal: TerminalDue | None
    promises: tuple[PromiseStatus, ...]
    next_at: pendulum.DateTime | None
    schedule: str = ""


#: What :meth:`FollowUpSchedule._attempts` yields: (instant in microseconds, attempt number,
#: channel) for an attempt, (instant, 0, action) for the terminal action.
_Attempt: TypeAlias = tuple[int, int, str]
_UTC: Final = get_timezone("UTC")


class _Run:
    __slots__ = ("anchor", "number", "priority", "segments", "stopped", "updates")

    def __init__(self, number: int, anchor: int, priority: str, running: bool) -> None:
        self.number = number
        self.anchor = anchor
        self.priority = priority
        self.segments: list[list[int | None]] = [[anchor, None]] if running else []
        self.stopped: int | None = None
        # Every agent reply in the run, in order: each holds back only the attempts after it.
        self.updates = [anchor]

    def pause(self, at: int) -> None:
        if self.segments and self.segments[-1][1] is None:
            self.segments[-1][1] = at

    def resume(self, at: int) -> None:
        if not self.segments or self.segments[-1][1] is not None:
            self.segments.append([at, None])


def _cadences(
    value: Cadence | Mapping[str, Cadence] | tuple[tuple[str, Cadence], ...],
) -> tuple[tuple[str, Cadence], ...]:
    mapping: Mapping[str, Cadence]
    if isinstance(value, tuple) and all(isinstance(p, tuple) for p in value):
        mapping = dict(value)  # the stored form, as attrs.evolve passes it back
    elif isinstance(value, Mapping):
        mapping = value
    else:
        mapping = {_ANY: value}  # type: ignore[dict-item]
    if not mapping:
        raise InvalidFollowUpError("a schedule needs a cadence (for '*' or per priority)")
    return tuple(sorted(mapping.items()))


def _channels(value: Iterable[str]) -> tuple[str, ...]:
    channels = (value,) if isinstance(value, str) else tuple(value)
    if not channels:
        raise InvalidFollowUpError("give at least one channel, e.g. ('email', 'sms', 'call')")
    return channels


def _kinds(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value)


def _categories(value: Iterable[StatusCategory | str]) -> frozenset[StatusCategory]:
    return frozenset(StatusCategory(v) for v in value)


def _optional_positive(value: _dt.timedelta | None, name: str) -> None:
    if value is not None and duration_micros(value, name=name) <= 0:
        raise InvalidFollowUpError(f"{name} must be positive, got {value!r}")


@attrs.frozen(kw_only=True)
class FollowUpSchedule:
    """When the customer hears from us, how often, through which channel, and when we stop.

    Attributes:
        name: the schedule's name (part of every idempotency key).
        cadence: a cadence, or priority -> cadence (``"*"`` for the rest).
        anchor: what runs count from (see :class:`Anchor`); a public agent
            update always resets the count.
        clock: counts the cadence in this calendar's business time; ``None``
            counts elapsed time.
        contact_window: when the customer may be reached, in their time zone
            (the ticket's ``customer_timezone``, else ``default_timezone``);
            ``None`` for no quiet hours.
        quiet_action: what to do with attempts in quiet hours.
        channels: the channel of each attempt; the last repeats.
        min_gap_after_update: no attempt sooner than this after any agent reply.
        max_attempts: attempts per run at most.
        max_span: no attempt later than this after the run's start.
        pause_in: status categories in which the count pauses.
        stop_on: event kinds that end a run (a customer reply, an opt-out ...);
            solved, closed and cancelled statuses always end it.
        terminal: the action due after unanswered attempts.
        remind_before: how long before a promise's due time the agent is reminded.
        default_timezone: the customer's zone when the ticket does not say.
        agent_channels: the channels that need an agent (a call, unlike an e-mail or an
            SMS sent by a system): an attempt through one of them goes to the first
            instant that is both in the customer's contact window and in the team's hours.
        team_hours: the team's working hours, in the team's zone (default: ``clock``;
            with neither, attempts are not held to working hours).
    """

    name: str
    cadence: tuple[tuple[str, Cadence], ...] = attrs.field(converter=_cadences)
    anchor: Anchor = attrs.field(default=Anchor.LAST_AGENT_UPDATE, converter=Anchor)
    clock: BusinessCalendar | None = None
    contact_window: ContactWindow | None = attrs.field(factory=ContactWindow)
    quiet_action: QuietAction = attrs.field(default=QuietAction.DEFER, converter=QuietAction)
    channels: tuple[str, ...] = attrs.field(default=("email",), converter=_channels)
    min_gap_after_update: _dt.timedelta = _dt.timedelta(0)
    max_attempts: int | None = None
    max_span: _dt.timedelta | None = None
    pause_in: frozenset[StatusCategory] = attrs.field(default=frozenset(), converter=_categories)
    stop_on: frozenset[str] = attrs.field(
        default=frozenset({"customer_replied", "opted_out"}), converter=_kinds
    )
    terminal: TerminalAction | None = None
    remind_before: _dt.timedelta = _dt.timedelta(minutes=30)
    default_timezone: str = "UTC"
    agent_channels: frozenset[str] = attrs.field(default=frozenset({"call"}), converter=_kinds)
    team_hours: BusinessCalendar | None = None

    def __attrs_post_init__(self) -> None:
        get_timezone(self.default_timezone, name="default_timezone")
        if self.max_attempts is not None and self.max_attempts < 1:
            raise InvalidFollowUpError(f"max_attempts must be at least 1, got {self.max_attempts}")
        _optional_positive(self.max_span, "max_span")
        if duration_micros(self.min_gap_after_update, name="min_gap_after_update") < 0:
            raise InvalidFollowUpError("min_gap_after_update must not be negative")
        duration_micros(self.remind_before, name="remind_before")
        for category in self.pause_in:
            if category.is_final or category is StatusCategory.SOLVED:
                raise InvalidFollowUpError(f"{category.value} ends a run; it cannot pause one")

    # -- building runs from the history --------------------------------------------------------

    def cadence_for(self, priority: str) -> Cadence:
        """The cadence for ``priority``.

        Raises:
            InvalidFollowUpError: no cadence for it and no ``"*"`` cadence.
        """
        table = dict(self.cadence)
        found = table.get(priority) or table.get(_ANY)
        if found is None:
            raise InvalidFollowUpError(
                f"schedule {self.name!r} has no cadence for priority {priority!r}; add one or '*'"
            )
        return found

    def _reads(self, event: Event) -> bool:
        """Whether ``event`` can change what the schedule says: the events :meth:`_runs` and
        :meth:`_promises` read (any other leaves its answer as it was; a scheduler re-plans
        by it)."""
        kind = type(event).kind
        return isinstance(event, _READS) or kind in self.stop_on or kind == _SENT

    def _runs(self, ticket: Ticket, events: Timeline) -> list[_Run]:
        runs: list[_Run] = []
        category = StatusCategory.NEW
        priority = ticket.opened.priority
        category_of = ticket.lifecycle._category_of.__getitem__

        def current() -> _Run | None:
            return runs[-1] if runs and runs[-1].stopped is None else None

        def start(at: int) -> None:
            run = current()
            if run is not None:
                run.stopped = at
            running = category not in self.pause_in
            runs.append(_Run(len(runs) + 1, at, priority, running))

        if self.anchor is Anchor.SOLVED:
            solved = StatusCategory.SOLVED
            for at, event in events:  # only status changes count
                if isinstance(event, StatusChanged):
                    entered = category_of(event.to_status)
                    run = current()
                    if entered is solved and category is not solved:
                        start(at)
                    elif entered is not solved and run is not None:
                        run.pause(at)
                        run.stopped = at
                    category = entered
            return runs
        anchor, stop_on, pause_in = self.anchor, self.stop_on, self.pause_in
        starters = _STARTERS[anchor]
        if not any(issubclass(kind, starters) for kind in classes_of(events)):
            return runs  # no event of the ticket can start a run (most, in a replay)
        for at, event in events:
            kind = type(event).kind
            if isinstance(event, StatusChanged):
                category = category_of(event.to_status)
                run = current()
                if run is not None:
                    if category in _RUN_ENDS:
                        run.pause(at)
                        run.stopped = at
                    elif category in pause_in:
                        run.pause(at)
                    else:
                        run.resume(at)
                if kind not in stop_on:
                    continue  # nothing else reads a status change
            elif isinstance(event, PriorityChanged):
                priority = event.to_priority
            if kind in stop_on or isinstance(event, OptedOut):
                run = current()
                if run is not None:
                    run.pause(at)
                    run.stopped = at
                continue
            if isinstance(event, AgentReplied):
                run = current()
                if run is not None:
                    run.updates.append(at)
                # A public update starts a run (with a promise anchor, only within one).
                if (
                    event.public
                    and category not in _RUN_ENDS
                    and (anchor is not Anchor.PROMISE or run is not None)
                ):
                    start(at)
            elif category not in _RUN_ENDS and (
                (anchor is Anchor.OPENED and isinstance(event, TicketOpened))
                or (anchor is Anchor.PROMISE and isinstance(event, PromiseMade))
            ):
                start(at)
        return runs

    # -- attempts of one run ------------------------------------------------------------------

    def _elapsed_instant(self, run: _Run, offset: int) -> int | None:
        """When the run's counted time reaches ``offset`` (None while paused short of it)."""
        used = 0
        for start, end in run.segments:
            assert start is not None
            if end is None:
                return self._add(start, offset - used)
            length = self._between(start, end)
            if used + length >= offset:
                return self._add(start, offset - used)
            used += length
        return None

    def _between(self, a: int, b: int) -> int:
        return b - a if self.clock is None else self.clock.between_micros(a, b)

    def _add(self, a: int, d: int) -> int:
        return a + d if self.clock is None else self.clock.add_micros(a, d)

    def _next_batch(self, due: int, at: _dt.time) -> int:
        tz = get_timezone(self.default_timezone)
        day = _dt.datetime.fromtimestamp(due // 1_000_000, tz).date()
        while True:
            run = to_micros(_dt.datetime.combine(day, at, tzinfo=tz))
            if run >= due:
                return run
            day += _dt.timedelta(days=1)

    def _raw_instants(self, run: _Run, zone: str) -> Iterator[int | None]:
        cadence = self.cadence_for(run.priority)
        if isinstance(cadence, Daily):
            yield from cadence.instants(run.anchor, zone)
            return
        for offset in cadence.offsets_micros():
            yield self._elapsed_instant(run, offset)

    def _attempts(self, ticket_id: str, run: _Run, zone: str, until_us: int) -> Iterator[_Attempt]:
        """The run's kept attempts (and its terminal action) in order, up to ``until_us``
        (the first one after it is yielded too, so callers know what comes next), as
        integer records: callers build the public values only for what they return."""
        made = 0
        last_kept = -1
        gap = duration_micros(self.min_gap_after_update)
        span = None if self.max_span is None else duration_micros(self.max_span)
        team = self.team_hours or self.clock
        for due in self._raw_instants(run, zone):
            if due is not None and due > until_us + _SEARCH_BEYOND:
                # Every attempt this far past the question was skipped or merged away (e.g. a
                # daily time that always falls in quiet hours): there is no next one to find.
                return
            if due is None or (run.stopped is not None and due >= run.stopped):
                return
            if span is not None and due - run.anchor > span:
                return
            if self.terminal is not None and made >= self.terminal.after_attempts:
                if self.terminal.batch is not None:
                    due = self._next_batch(due, self.terminal.batch)
                    if run.stopped is not None and due >= run.stopped:
                        return
                yield due, 0, self.terminal.action
                return
            if self.max_attempts is not None and made >= self.max_attempts:
                return
            at = _after_gaps(due, run.updates, gap) if gap else due
            if self.contact_window is not None and not self.contact_window.is_open(at, zone):
                if self.quiet_action is QuietAction.SKIP:
                    made += 1
                    continue
                if self.quiet_action is QuietAction.MERGE:
                    continue
                at = self.contact_window.allowed_at(at, zone)
            channel = self.channels[min(made, len(self.channels) - 1)]
            if team is not None and channel in self.agent_channels:
                at = self._both_open(at, zone, team)
            if at <= last_kept:
                continue  # deferred onto an attempt already made: they merge
            if run.stopped is not None and at >= run.stopped:
                return
            made += 1
            last_kept = at
            yield at, made, channel
            if at > until_us:
                return

    def _run_key(self, ticket_id: str, run: _Run) -> str:
        anchor_text = from_micros(run.anchor, _UTC).isoformat()
        return f"{ticket_id}:{self.name}:{anchor_text}"

    def _follow_up(self, run: _Run, zone: str, item: _Attempt, key: str) -> FollowUp:
        """The public value of an attempt :meth:`_attempts` yielded (``key``: see
        :meth:`_item_key`)."""
        at, made, channel = item
        tz = zone_tz(zone)
        return FollowUp(
            from_micros(at, tz), made, channel, run.number, key, from_micros(run.anchor, tz)
        )

    def _terminal(self, run: _Run, zone: str, item: _Attempt, key: str) -> TerminalDue:
        """The public value of the terminal action :meth:`_attempts` yielded."""
        at, _, action = item
        return TerminalDue(action, from_micros(at, zone_tz(zone)), run.number, key)

    @staticmethod
    def _item_key(run_key: str, item: _Attempt) -> str:
        """The idempotency key of an attempt or terminal action, from its run's key."""
        return f"{run_key}:{item[1]}" if item[1] else f"{run_key}:terminal"

    def _both_open(self, at: int, zone: str, team: BusinessCalendar) -> int:
        """The first instant from ``at`` at which the team works and the customer may be
        reached (a call deferred to 08:00 in Madrid is 01:00 in Bogota)."""
        window = self.contact_window
        for _ in range(1_000):
            if window is not None:
                at = window.allowed_at(at, zone)
            if team.is_open_micros(at):
                return at
            at = team.next_open_micros(at)
            if window is None or window.is_open(at, zone):
                return at
        raise InvalidFollowUpError(
            f"schedule {self.name!r}: the team's hours and the customer's contact window "
            "never meet; widen one of them, or take the channel out of agent_channels"
        )

    # -- the public questions ---------------------------------------------------------------------

    def _zone(self, ticket: Ticket) -> str:
        return ticket.opened.customer_timezone or self.default_timezone

    def evaluate(self, ticket: Ticket, now: _dt.datetime) -> FollowUpReport:
        """The follow-ups due at ``now``, the terminal action if reached, the promises, and
        ``next_at`` (the next instant any of it changes with no new event, or ``None``).

        Events after ``now`` are ignored.
        """
        now_us = to_micros(now, name="now")
        return self._report(ticket, timeline(ticket, now_us), now_us)

    def _report(self, ticket: Ticket, events: Timeline, now_us: int) -> FollowUpReport:
        """:meth:`evaluate` on the ticket's ``events`` up to ``now_us`` (its timeline), read
        once by a protocol for every part."""
        return self._report_us(ticket, events, now_us)[0]

    def _report_us(
        self, ticket: Ticket, events: Timeline, now_us: int
    ) -> tuple[FollowUpReport, int | None]:
        """:meth:`_report`, with its ``next_at`` in microseconds."""
        due, terminal, promises, next_us = self._scan(ticket, events, now_us)
        next_at = None if next_us is None else from_micros(next_us, zone_tz(self._zone(ticket)))
        return FollowUpReport(due, terminal, promises, next_at, self.name), next_us

    def _scan(
        self, ticket: Ticket, events: Timeline, now_us: int, done: Container[str] = ()
    ) -> Scan:
        """What :meth:`_report_us` reports (the follow-ups due, the terminal action, the
        promises, ``next_at`` in microseconds), leaving out the follow-ups and the terminal
        action whose keys are in ``done`` (a scheduler handed them out already: their
        public values are not built)."""
        zone = self._zone(ticket)
        due: list[FollowUp] = []
        terminal: tuple[_Run, _Attempt, str] | None = None
        upcoming: list[int] = []
        # A run that has ended, of a schedule with no terminal action, makes attempts 1 to
        # max_attempts at most, all before its end: when every one of their keys is done,
        # nothing of it is left to give.
        limit = self.max_attempts if self.terminal is None and done else None
        for run in self._runs(ticket, events):
            run_key = None
            if limit is not None and run.stopped is not None and run.stopped <= now_us:
                run_key = self._run_key(ticket.id, run)
                if all(f"{run_key}:{n}" in done for n in range(1, limit + 1)):
                    continue
            for item in self._attempts(ticket.id, run, zone, now_us):
                if item[0] > now_us:
                    upcoming.append(item[0])
                    continue
                run_key = run_key or self._run_key(ticket.id, run)
                key = self._item_key(run_key, item)
                if not item[1]:
                    terminal = (run, item, key)
                elif key not in done:
                    due.append(self._follow_up(run, zone, item, key))
        promises = self._promises(ticket, events, now_us)
        for p in promises:
            if p.state is PromiseState.PENDING:
                upcoming.extend(t for t in (to_micros(p.remind_at), to_micros(p.due)) if t > now_us)
        # Only the last run's terminal action stands (an earlier run's was overtaken).
        last = None
        if terminal is not None and terminal[2] not in done:
            last = self._terminal(terminal[0], zone, terminal[1], terminal[2])
        return tuple(due), last, promises, min(upcoming) if upcoming else None

    def preview(
        self, ticket: Ticket, now: _dt.datetime, horizon: _dt.timedelta
    ) -> tuple[FollowUp, ...]:
        """The follow-ups after ``now`` and up to ``now + horizon``, if nothing else happens."""
        now_us = to_micros(now, name="now")
        end = now_us + duration_micros(horizon, name="horizon")
        zone = self._zone(ticket)
        found: list[tuple[int, FollowUp]] = []
        for run in self._runs(ticket, timeline(ticket, now_us)):
            for item in self._attempts(ticket.id, run, zone, end):
                if item[1] and now_us < item[0] <= end:
                    key = self._item_key(self._run_key(ticket.id, run), item)
                    found.append((item[0], self._follow_up(run, zone, item, key)))
        found.sort(key=lambda pair: pair[0])
        return tuple(f for _, f in found)

    def to_ical(self, ticket: Ticket, now: _dt.datetime, horizon: _dt.timedelta) -> bytes:
        """The upcoming follow-ups and pending promises as iCalendar (RFC 5545) bytes.

        Same as :func:`servicekit.followup.to_ical` with this schedule.
        """
        # _ical builds on this module, so it is imported when needed.
        from servicekit.followup._ical import to_ical

        return to_ical(self, ticket, now, horizon)

    def _promises(self, ticket: Ticket, events: Timeline, now_us: int) -> tuple[PromiseStatus, ...]:
        out: list[PromiseStatus] = []
        if not any(issubclass(kind, PromiseMade) for kind in classes_of(events)):
            return ()
        made_at = [i for i, (_, event) in enumerate(events) if isinstance(event, PromiseMade)]
        if not made_at:
            return ()  # most tickets: no promise, no zone or duration to look up
        before = duration_micros(self.remind_before)
        zone = zone_tz(self._zone(ticket))
        for index in made_at:
            made, event = events[index]
            assert isinstance(event, PromiseMade)
            due = to_micros(event.due)
            kept = next(
                (at for at, later in events[index + 1 :] if at <= due and _keeps(later)),
                None,
            )
            if kept is not None:
                state = PromiseState.KEPT
            elif now_us >= due:
                state = PromiseState.BROKEN
            else:
                state = PromiseState.PENDING
            remind = max(made, due - before)
            out.append(
                PromiseStatus(
                    made_at=event.at,
                    due=event.due,
                    description=event.description,
                    channel=event.channel,
                    state=state,
                    remind_at=from_micros(remind, zone),
                    reminder_due=state is PromiseState.PENDING and now_us >= remind,
                    kept_at=None if kept is None else from_micros(kept, zone),
                )
            )
        return tuple(out)


#: What :meth:`FollowUpSchedule._scan` finds: the follow-ups due, the terminal action, the
#: promises, and the next instant any of it changes (microseconds), or ``None``.
Scan: TypeAlias = tuple[
    tuple[FollowUp, ...], TerminalDue | None, tuple[PromiseStatus, ...], int | None
]


def _after_gaps(due: int, updates: list[int], gap: int) -> int:
    """``due`` held back until ``gap`` after every agent reply made at or before it.

    A reply later than the attempt does not move it: an attempt that has fallen due must not
    change (or vanish) because of what happened afterwards.
    """
    at = due
    for update in updates:
        if update > at:
            break
        at = max(at, update + gap)
    return at


def _keeps(event: Event) -> bool:
    return (isinstance(event, AgentReplied) and event.public) or type(event).kind == _SENT


_SENT: Final = "follow_up_sent"
#: The categories that end a run (whatever the anchor, but solved).
_RUN_ENDS: Final = frozenset(
    {StatusCategory.SOLVED, StatusCategory.CLOSED, StatusCategory.CANCELLED}
)
#: The event types that can change what a schedule says whatever its options (besides the
#: kinds that stop a run, and follow-ups sent, which keep a promise). Not a priority change:
#: a run takes its cadence from the priority when it starts, at an event of these types, and
#: events come in order, so a priority change alone changes no run started before it.
_READS: Final = (AgentReplied, OptedOut, PromiseMade, StatusChanged, TicketOpened)
#: Per anchor but solved, the event types that may start a run (a public agent update
#: starts one with a promise anchor only within a run a promise started).
_STARTERS: Final[Mapping[Anchor, tuple[type[Event], ...]]] = {
    Anchor.OPENED: (AgentReplied, TicketOpened),
    Anchor.LAST_AGENT_UPDATE: (AgentReplied,),
    Anchor.PROMISE: (PromiseMade,),
}


def zone_tz(zone: str) -> Any:
    """The pendulum zone for a name (cached)."""
    return get_timezone(zone)
