"""Corrective actions: after a major incident, the review and each fix as a tracked promise.

Correcting the failure and calming the customers is half the work; the other
half is making sure it does not happen again. A post-incident review falls due
a set number of business days after the incident is solved, and every
corrective action assigned (``CorrectiveActionAssigned``) has an owner and a
deadline in business days. Each is shown until it is done; when one slips its
owner is told, and after a grace period someone above them.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator

import attrs
import pendulum

from servicekit._calendars import BusinessCalendar
from servicekit._events import CorrectiveActionAssigned, CorrectiveActionDone, StatusChanged
from servicekit._status import StatusCategory
from servicekit._ticket import Ticket
from servicekit._time import from_micros, to_micros
from servicekit._timeline import timeline
from servicekit.errors import IncidentError
from servicekit.protocols._protocol import DueAction

__all__ = [
    "REVIEW",
    "CorrectivePolicy",
    "CorrectiveState",
    "CorrectiveStatus",
    "business_days_deadline",
    "corrective_actions",
    "corrective_statuses",
]

REVIEW = "post-incident-review"
"""The action id of the post-incident review (close it with ``CorrectiveActionDone``)."""
_DAY = 86_400_000_000
_SEARCH_DAYS = 3660  # a calendar with no business day in ten years never opens


def _positive_days(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if type(value) is not int or value < 1:
        raise IncidentError(f"{attribute.name} must be a whole number of days >= 1, got {value!r}")


def business_days_deadline(calendar: BusinessCalendar, start: _dt.datetime, days: int) -> int:
    """The close of business (microseconds) on the ``days``-th business day after the day
    of ``start`` in ``calendar``'s zone: "within three business days" of a Friday
    afternoon ends on Wednesday evening.

    Raises:
        IncidentError: the calendar has no business day in ten years.
    """
    tz = calendar.tz
    day = pendulum.instance(start).in_timezone(tz).date()
    counted = 0
    for _ in range(_SEARCH_DAYS):
        day += _dt.timedelta(days=1)
        lo = to_micros(_dt.datetime.combine(day, _dt.time(0), tzinfo=tz))
        hi = to_micros(_dt.datetime.combine(day + _dt.timedelta(days=1), _dt.time(0), tzinfo=tz))
        spans = list(calendar.open_intervals_micros(lo, hi))
        if spans:
            counted += 1
            if counted == days:
                return spans[-1][1]
    raise IncidentError(f"calendar {calendar!r} has no business day in ten years")


@attrs.frozen(kw_only=True)
class CorrectivePolicy:
    """When the review and the corrective actions fall due, and who hears when they slip.

    Attributes:
        calendar: the business days deadlines are counted in.
        review_owner: who runs the post-incident review.
        review_within: business days after the incident is solved.
        escalate_to: who is told when an action is ``escalate_after`` business days late.
        escalate_after: business days of grace after a deadline.
    """

    calendar: BusinessCalendar
    review_owner: str = "problem-manager"
    review_within: int = attrs.field(default=5, validator=_positive_days)
    escalate_to: str = "head-of-service"
    escalate_after: int = attrs.field(default=1, validator=_positive_days)


class CorrectiveState:
    """Where a corrective action stands (plain strings, for tables and JSON)."""

    PENDING = "pending"
    OVERDUE = "overdue"
    ESCALATED = "escalated"
    DONE = "done"


@attrs.frozen
class CorrectiveStatus:
    """One corrective action (or the review) and where it stands at ``now``.

    ``state`` is one of :class:`CorrectiveState`'s values; ``escalate_at`` is when
    ``escalate_to`` is told if it is still not done.
    """

    action_id: str
    description: str
    owner: str
    assigned_at: pendulum.DateTime
    due: pendulum.DateTime
    escalate_at: pendulum.DateTime
    state: str
    done_at: pendulum.DateTime | None


def corrective_statuses(
    policy: CorrectivePolicy, parent: Ticket, now: _dt.datetime
) -> tuple[CorrectiveStatus, ...]:
    """The review (once the parent was solved) and every corrective action, as of ``now``.

    Raises:
        IncidentError: an action id is assigned twice.
    """
    now_us = to_micros(now, name="now")
    tz = policy.calendar.tz
    assigned: dict[str, tuple[pendulum.DateTime, str, str, int]] = {}
    done: dict[str, pendulum.DateTime] = {}
    category_of = parent.lifecycle.category
    for _, event in timeline(parent, now_us):
        if (
            isinstance(event, StatusChanged)
            and REVIEW not in assigned
            and category_of(event.to_status) is StatusCategory.SOLVED
        ):
            assigned[REVIEW] = (
                event.at,
                "post-incident review",
                policy.review_owner,
                policy.review_within,
            )
        elif isinstance(event, CorrectiveActionAssigned):
            if event.action_id in assigned:
                raise IncidentError(
                    f"corrective action {event.action_id!r} is assigned twice on {parent.id!r}; "
                    "give each action its own id"
                )
            assigned[event.action_id] = (
                event.at,
                event.description,
                event.owner,
                event.business_days,
            )
        elif isinstance(event, CorrectiveActionDone) and event.action_id not in done:
            done[event.action_id] = event.at
    out = []
    for action_id, (assigned_at, description, owner, days) in assigned.items():
        due = business_days_deadline(policy.calendar, assigned_at, days)
        escalate = business_days_deadline(
            policy.calendar, from_micros(due, tz), policy.escalate_after
        )
        finished = done.get(action_id)
        if finished is not None:
            state = CorrectiveState.DONE
        elif now_us >= escalate:
            state = CorrectiveState.ESCALATED
        elif now_us >= due:
            state = CorrectiveState.OVERDUE
        else:
            state = CorrectiveState.PENDING
        out.append(
            CorrectiveStatus(
                action_id,
                description,
                owner,
                assigned_at,
                from_micros(due, tz),
                from_micros(escalate, tz),
                state,
                finished,
            )
        )
    return tuple(out)


def corrective_actions(
    policy: CorrectivePolicy, parent_id: str, statuses: tuple[CorrectiveStatus, ...]
) -> Iterator[DueAction]:
    """The due actions of late corrective actions: ``corrective_overdue`` to the owner at
    the deadline, ``corrective_escalated`` to ``escalate_to`` after the grace period."""
    for s in statuses:
        base = f"{parent_id}:corrective:{s.action_id}"
        if s.state in (CorrectiveState.OVERDUE, CorrectiveState.ESCALATED):
            yield DueAction("corrective_overdue", s.due, "corrective", s.owner, f"{base}:overdue")
        if s.state == CorrectiveState.ESCALATED:
            yield DueAction(
                "corrective_escalated",
                s.escalate_at,
                "corrective",
                policy.escalate_to,
                f"{base}:escalated",
            )


def next_corrective_change(statuses: tuple[CorrectiveStatus, ...], now_us: int) -> int | None:
    """The next instant a pending or overdue action changes state, if any."""
    upcoming = [
        to_micros(t)
        for s in statuses
        if s.state != CorrectiveState.DONE
        for t in (s.due, s.escalate_at)
        if to_micros(t) > now_us
    ]
    return min(upcoming) if upcoming else None
