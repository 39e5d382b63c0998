"""Satisfaction surveys: ask the customer how it went, once, at a decent hour, and listen.

A :class:`SurveySchedule` says when a survey follows a solve, on which channel, never in
the customer's quiet hours, never to a customer who opted out, and how often (once per
ticket, or once per customer per period). The app sends it and records ``SurveySent``;
the answer is a ``SurveyAnswered`` event on the ticket. :func:`survey_report` gives the
response rate and satisfaction per protocol, channel and priority.
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections import defaultdict
from collections.abc import Iterable, Mapping

import attrs
import pendulum

from servicekit._events import Event, OptedOut, StatusChanged, SurveyAnswered, SurveySent
from servicekit._status import StatusCategory
from servicekit._ticket import Ticket
from servicekit._time import duration_micros, from_micros, get_timezone, to_micros
from servicekit.errors import InvalidSurveyError
from servicekit.followup._cadence import ContactWindow

__all__ = [
    "SurveyDue",
    "SurveyOnce",
    "SurveyPlan",
    "SurveyReopen",
    "SurveyRow",
    "SurveySchedule",
    "plan_surveys",
    "survey_report",
]

_ALL = "*"


class SurveyOnce(enum.Enum):
    """How often a customer may be surveyed."""

    TICKET = "ticket"  # once per ticket
    CUSTOMER = "customer"  # once per customer per period, whatever the tickets


def _non_negative(
    _: object, attribute: attrs.Attribute[_dt.timedelta], value: _dt.timedelta
) -> None:
    duration_micros(value, name=attribute.name)


def _channel_map(
    value: Mapping[str, str] | Iterable[tuple[str, str]],
) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(value.items() if isinstance(value, Mapping) else value))


@attrs.frozen(kw_only=True)
class SurveySchedule:
    """When and how a satisfaction survey follows a solved ticket.

    Attributes:
        name: the survey's name (recorded on ``SurveySent``/``SurveyAnswered``, and part of
            every idempotency key).
        delay: how long after the solve it is sent (the fix had time to prove itself).
        contact_window: when the customer may be contacted, in their time zone (the
            ticket's ``customer_timezone``, else ``default_timezone``); ``None``: any time.
        default_timezone: the customer's zone when the ticket does not say.
        channel: the survey's channel; ``None`` sends it on the channel the ticket came in
            on (``default_channel`` when it does not say), as ``channels`` maps it.
        default_channel: see ``channel``.
        channels: the channel a ticket came in on -> the channel its survey goes out on
            (nobody is phoned to rate a phone call: a caller gets an SMS).
        once_per: once per ticket, or once per customer per ``period``.
        period: with ``SurveyOnce.CUSTOMER``, at most one survey per customer in it.
        customer_attribute: the ``TicketOpened.attributes`` key naming the customer.
        expires_after: no survey is sent later than this after the solve (``None``: no limit).
        scale: the top of the score scale (5 for CSAT, 10 for NPS-style questions).
        satisfied_from: the lowest score counted as satisfied.
        reopen_below: a score below this makes a reopen due (``None``: never).
        reopen_trigger: the trigger the app fires to reopen.
    """

    name: str = "csat"
    delay: _dt.timedelta = attrs.field(default=_dt.timedelta(hours=1), validator=_non_negative)
    contact_window: ContactWindow | None = attrs.field(factory=ContactWindow)
    default_timezone: str = "UTC"
    channel: str | None = None
    default_channel: str = "email"
    channels: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_channel_map)
    once_per: SurveyOnce = attrs.field(default=SurveyOnce.TICKET, converter=SurveyOnce)
    period: _dt.timedelta = attrs.field(default=_dt.timedelta(days=30), validator=_non_negative)
    customer_attribute: str = "customer_id"
    expires_after: _dt.timedelta | None = _dt.timedelta(days=7)
    scale: int = 5
    satisfied_from: int = 4
    reopen_below: int | None = None
    reopen_trigger: str = "reopen"

    def __attrs_post_init__(self) -> None:
        get_timezone(self.default_timezone, name="default_timezone")
        expiry = self.expires_after
        if expiry is not None and duration_micros(expiry, name="expires_after") <= 0:
            raise InvalidSurveyError(f"expires_after must be positive, got {expiry!r}")
        if self.scale < 1 or not 0 <= self.satisfied_from <= self.scale:
            raise InvalidSurveyError(
                f"satisfied_from must be within the scale 0..{self.scale}, got "
                f"{self.satisfied_from}"
            )
        if self.reopen_below is not None and not 0 < self.reopen_below <= self.scale:
            raise InvalidSurveyError(
                f"reopen_below must be within 1..{self.scale}, got {self.reopen_below}"
            )


@attrs.frozen
class SurveyDue:
    """A survey to send now: ``key`` is unique per ticket and survey."""

    ticket_id: str
    at: pendulum.DateTime
    channel: str
    key: str


@attrs.frozen
class SurveyReopen:
    """A bad score on a ticket still solved: reopen it (``key`` is unique per answer)."""

    ticket_id: str
    at: pendulum.DateTime
    score: int
    trigger: str
    key: str


@attrs.frozen
class SurveyPlan:
    """The surveys due at ``now``, the reopens due, why others were not sent, and when the
    answer next changes.

    ``skipped`` counts, by reason: ``"opted_out"``, ``"customer_recently_surveyed"``,
    ``"expired"`` (the customer's hours came too long after the solve). A ticket reopened
    before its survey fell due is owed none until it is solved again.
    """

    due: tuple[SurveyDue, ...]
    reopens: tuple[SurveyReopen, ...]
    skipped: tuple[tuple[str, int], ...]
    next_at: pendulum.DateTime | None


class _Facts:
    """What one ticket's history says about the survey, up to now."""

    __slots__ = ("answered", "category", "customer", "opted_out", "sent", "solved", "zone")

    def __init__(self, schedule: SurveySchedule, ticket: Ticket, now_us: int) -> None:
        opened = ticket.opened
        self.zone = opened.customer_timezone or schedule.default_timezone
        value = opened.attributes.get(schedule.customer_attribute)
        self.customer = None if value is None else str(value)
        self.solved: int | None = None  # when it last entered solved, while it stays there
        self.sent: int | None = None
        self.answered: list[SurveyAnswered] = []
        self.opted_out: list[tuple[int, str | None]] = []
        category_of = ticket.lifecycle.category
        self.category = StatusCategory.NEW
        # Histories are recorded in order; instants are converted only where they matter
        # (this runs over every ticket at every wakeup).
        events: Iterable[Event] = ticket
        if to_micros(ticket.last_event_at) > now_us:
            events = ticket.as_of(from_micros(now_us, get_timezone("UTC")))
        solved = StatusCategory.SOLVED
        for event in events:
            kind = type(event)
            if kind is StatusChanged:
                category = category_of(event.to_status)  # type: ignore[attr-defined]
                if category is solved and self.category is not solved:
                    self.solved = to_micros(event.at)
                elif category not in (solved, StatusCategory.CLOSED):
                    self.solved = None
                self.category = category
            elif kind is SurveySent:
                if event.survey == schedule.name and self.sent is None:  # type: ignore[attr-defined]
                    self.sent = to_micros(event.at)
            elif kind is SurveyAnswered:
                if event.survey == schedule.name:  # type: ignore[attr-defined]
                    self.answered.append(event)  # type: ignore[arg-type]
            elif kind is OptedOut:
                self.opted_out.append((to_micros(event.at), event.channel))  # type: ignore[attr-defined]


def _channel(schedule: SurveySchedule, ticket: Ticket) -> str:
    if schedule.channel is not None:
        return schedule.channel
    came_in = ticket.opened.channel or schedule.default_channel
    return dict(schedule.channels).get(came_in, came_in)


def plan_surveys(
    schedule: SurveySchedule, tickets: Iterable[Ticket], now: _dt.datetime
) -> SurveyPlan:
    """The surveys due at ``now`` over ``tickets`` (all of a customer's tickets are needed
    for once-per-customer), the reopens after bad scores, and ``next_at``.

    Events after ``now`` are ignored; a ticket reopened before its survey was due gets one
    after its next solve.
    """
    now_us = to_micros(now, name="now")
    delay = duration_micros(schedule.delay)
    expiry = None if schedule.expires_after is None else duration_micros(schedule.expires_after)
    period = duration_micros(schedule.period)
    skipped: dict[str, int] = defaultdict(int)
    candidates: list[tuple[int, str, Ticket, _Facts, str]] = []
    # When each customer was last surveyed (sent), to keep to once per period.
    surveyed: dict[str, list[int]] = defaultdict(list)
    reopens: list[SurveyReopen] = []
    upcoming: list[int] = []
    for ticket in tickets:
        facts = _Facts(schedule, ticket, now_us)
        if facts.customer is not None and facts.sent is not None:
            surveyed[facts.customer].append(facts.sent)
        reopen = _reopen(schedule, ticket, facts)
        if reopen is not None:
            reopens.append(reopen)
        if facts.sent is not None or facts.solved is None:
            continue
        channel = _channel(schedule, ticket)
        base = facts.solved + delay
        at = (
            base
            if schedule.contact_window is None
            else schedule.contact_window.allowed_at(base, facts.zone)
        )
        if any(t <= at and c in (None, channel) for t, c in facts.opted_out):
            skipped["opted_out"] += 1
            continue
        if expiry is not None and at > facts.solved + expiry:
            skipped["expired"] += 1
            continue
        if at > now_us:
            upcoming.append(at)
            continue
        candidates.append((at, ticket.id, ticket, facts, channel))
    due: list[SurveyDue] = []
    for at, ticket_id, _ticket, facts, channel in sorted(candidates, key=lambda c: c[:2]):
        if schedule.once_per is SurveyOnce.CUSTOMER and facts.customer is not None:
            previous = surveyed[facts.customer]
            if any(abs(at - t) < period for t in previous):
                skipped["customer_recently_surveyed"] += 1
                continue
            previous.append(at)
        due.append(
            SurveyDue(
                ticket_id,
                from_micros(at, get_timezone(facts.zone)),
                channel,
                f"{ticket_id}:{schedule.name}:survey",
            )
        )
    return SurveyPlan(
        tuple(due),
        tuple(reopens),
        tuple(sorted(skipped.items())),
        from_micros(min(upcoming), get_timezone("UTC")) if upcoming else None,
    )


def _reopen(schedule: SurveySchedule, ticket: Ticket, facts: _Facts) -> SurveyReopen | None:
    if schedule.reopen_below is None or facts.category is not StatusCategory.SOLVED:
        return None
    for index, answer in enumerate(facts.answered):
        if answer.score < schedule.reopen_below and (
            facts.solved is not None and to_micros(answer.at) >= facts.solved
        ):
            return SurveyReopen(
                ticket.id,
                answer.at,
                answer.score,
                schedule.reopen_trigger,
                f"{ticket.id}:{schedule.name}:reopen{index}",
            )
    return None


@attrs.frozen
class SurveyRow:
    """Response and satisfaction for one group of tickets (``"*"`` stands for all).

    ``response_rate`` is answered over sent; ``mean_score`` and ``satisfied_share`` (the
    share of answers at or above ``satisfied_from``) are over the answers; each is
    ``None`` when there is nothing to divide by.
    """

    protocol: str
    channel: str
    priority: str
    sent: int
    answered: int
    response_rate: float | None
    mean_score: float | None
    satisfied_share: float | None


def survey_report(
    schedule: SurveySchedule,
    tickets_by_protocol: Mapping[str, Iterable[Ticket]],
    now: _dt.datetime,
) -> tuple[SurveyRow, ...]:
    """Response rate and satisfaction per protocol, channel and priority, with subtotals
    per protocol and a grand total (``"*"`` in the grouped columns), sorted.

    A ticket counts once: its first survey sent and its first answer to it, up to ``now``.
    """
    now_us = to_micros(now, name="now")
    groups: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for protocol, tickets in tickets_by_protocol.items():
        for ticket in tickets:
            facts = _Facts(schedule, ticket, now_us)
            if facts.sent is None:
                continue
            answer = next((a for a in facts.answered if to_micros(a.at) >= facts.sent), None)
            channel = _channel(schedule, ticket)
            priority = ticket.opened.priority
            for key in (
                (protocol, channel, priority),
                (protocol, _ALL, _ALL),
                (_ALL, _ALL, _ALL),
            ):
                tally = groups[key]
                tally[0] += 1
                if answer is not None:
                    tally[1] += 1
                    tally[2] += answer.score
                    tally[3] += answer.score >= schedule.satisfied_from
    rows = []
    for (protocol, channel, priority), (sent, answered, total, satisfied) in sorted(groups.items()):
        rows.append(
            SurveyRow(
                protocol,
                channel,
                priority,
                sent,
                answered,
                answered / sent if sent else None,
                total / answered if answered else None,
                satisfied / answered if answered else None,
            )
        )
    return tuple(rows)
