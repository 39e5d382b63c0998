"""Export upcoming follow-ups and promises to RFC 5545 (iCalendar) through ``icalendar``."""

from __future__ import annotations

import datetime as _dt
import functools
import itertools
from collections.abc import Callable, Iterator

import icalendar

from servicekit._ticket import Ticket
from servicekit._time import MICROS_PER_SECOND, as_instant, duration_micros, to_micros
from servicekit.followup._cadence import Daily, Interval
from servicekit.followup._schedule import FollowUp, FollowUpSchedule, PromiseState

__all__ = ["to_ical"]

_ALARM_BEFORE = _dt.timedelta(minutes=15)


def _alarm(description: str, before: _dt.timedelta) -> icalendar.Alarm:
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", description)
    alarm.add("trigger", -before)
    return alarm


def _recurrence(
    schedule: FollowUpSchedule, ticket: Ticket, upcoming: tuple[FollowUp, ...]
) -> tuple[_dt.datetime, dict[str, object]] | None:
    """DTSTART and RRULE for the run's remaining attempts, or ``None`` when no rule says
    exactly what :meth:`FollowUpSchedule.preview` says.

    An :class:`Interval` counts real time, so its rule is written in UTC: a wall-clock
    ``FREQ=MINUTELY`` in the customer's zone would step an hour off across a DST change.
    A :class:`Daily` time is a wall-clock time, so its rule is in the customer's zone, with
    DTSTART at the wall time itself (a time in a spring-forward gap means the same instant
    in RFC 5545 3.3.5 as in :class:`Daily`). The run's end (``max_attempts``, the attempts
    before the terminal action, ``max_span``) becomes COUNT and UNTIL. The rule is written
    only when its own expansion equals the preview, attempt for attempt.
    """
    cadence = schedule.cadence_for(ticket.priority)
    if (
        not upcoming
        or schedule.clock is not None
        or schedule.contact_window is not None
        or not isinstance(cadence, Interval | Daily)
    ):
        return None
    first = upcoming[0]
    first_us = to_micros(first.at)
    rule: dict[str, object]
    expansion: Callable[[], Iterator[int]]
    if isinstance(cadence, Interval):
        step = duration_micros(cadence.every)
        if step % MICROS_PER_SECOND:
            return None  # RFC 5545 has no unit below the second
        seconds = step // MICROS_PER_SECOND
        if seconds % 60:
            rule = {"freq": "secondly", "interval": seconds}
        else:
            rule = {"freq": "minutely", "interval": seconds // 60}
        dtstart: _dt.datetime = first.at.in_timezone("UTC")
        expansion = functools.partial(itertools.count, first_us, step)
    else:
        tz = first.at.tzinfo
        dtstart = _dt.datetime.combine(first.at.date(), cadence.at, tzinfo=tz)
        rule = {"freq": "daily"}
        expansion = functools.partial(
            cadence.instants, first_us - 1, str(getattr(tz, "name", "UTC"))
        )
    limits = [schedule.max_attempts]
    if schedule.terminal is not None:
        limits.append(schedule.terminal.after_attempts)
    last = min((n for n in limits if n is not None), default=None)
    count = None if last is None else last - first.attempt + 1
    until = None
    if schedule.max_span is not None:
        until = to_micros(first.anchor) + duration_micros(schedule.max_span)
        if count is not None and next(itertools.islice(expansion(), count - 1, None)) <= until:
            until = None  # the count ends the run first; RFC 5545 allows only one of them
        else:
            count = None
            rule["until"] = first.anchor.in_timezone("UTC") + schedule.max_span
    if count is not None:
        rule["count"] = count
    expected = expansion()
    for index, attempt in enumerate(upcoming):
        instant = next(expected)
        if (count is not None and index >= count) or (until is not None and instant > until):
            return None
        if to_micros(attempt.at) != instant:
            return None
    return dtstart, rule


def to_ical(
    schedule: FollowUpSchedule, ticket: Ticket, now: _dt.datetime, horizon: _dt.timedelta
) -> bytes:
    """The follow-ups due after ``now`` within ``horizon`` and the pending promises, as an
    iCalendar file: one VTODO each with DUE and a VALARM, so they land in an agent's calendar.

    When the ticket's cadence is a plain one (an :class:`Interval` or a
    :class:`Daily` time, counted in elapsed time, with no contact window), it is
    also written as one VTODO with an RRULE whose expansion gives exactly the same
    instants, DST changes included, and ends where the run ends (COUNT, UNTIL).
    Every time zone used has its VTIMEZONE.
    """
    stamp = as_instant(now, name="now")
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//servicekit//follow-up schedule//EN")
    calendar.add("version", "2.0")
    upcoming = schedule.preview(ticket, now, horizon)
    for follow_up in upcoming:
        todo = icalendar.Todo()
        todo.add("uid", f"{follow_up.key}@servicekit")
        todo.add("dtstamp", stamp)
        # In UTC: a local time in a fall-back fold would be read as its first occurrence.
        todo.add("due", follow_up.at.in_timezone("UTC"))
        todo.add(
            "summary",
            f"Follow up on {ticket.id} by {follow_up.channel} (attempt {follow_up.attempt})",
        )
        todo.add_component(_alarm(f"Follow up on {ticket.id}", _ALARM_BEFORE))
        calendar.add_component(todo)
    report = schedule.evaluate(ticket, now)
    for index, promise in enumerate(report.promises):
        if promise.state is not PromiseState.PENDING:
            continue
        todo = icalendar.Todo()
        todo.add("uid", f"{ticket.id}:{schedule.name}:promise:{index}@servicekit")
        todo.add("dtstamp", stamp)
        todo.add("due", promise.due.in_timezone("UTC"))
        todo.add("summary", f"Promised on {ticket.id}: {promise.description or 'call back'}")
        todo.add_component(_alarm("Promise due", schedule.remind_before))
        calendar.add_component(todo)
    rule = _recurrence(schedule, ticket, upcoming)
    if rule is not None:
        todo = icalendar.Todo()
        todo.add("uid", f"{ticket.id}:{schedule.name}:cadence@servicekit")
        todo.add("dtstamp", stamp)
        todo.add("summary", f"Follow up on {ticket.id}")
        todo.add("dtstart", rule[0])
        todo.add("rrule", rule[1])
        calendar.add_component(todo)
    # RFC 5545 3.2.19: every TZID used must have its VTIMEZONE in the file.
    calendar.add_missing_timezones()
    text: bytes = calendar.to_ical()
    return text
