"""Export upcoming follow-ups and promises to RFC 5545 (iCalendar) through ``icalendar``."""

from __future__ import annotations

import datetime as _dt

import icalendar

from servicekit._ticket import Ticket
from servicekit._time import as_instant
from servicekit.followup._cadence import Daily, Interval
from servicekit.followup._schedule import FollowUpSchedule, PromiseState

__all__ = ["to_ical"]

_ALARM_BEFORE = _dt.timedelta(minutes=15)


def _alarm(description: str, before: _dt.timedelta) -> icalendar.Alarm:
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", description)
    alarm.add("trigger", -before)
    return alarm


def to_ical(
    schedule: FollowUpSchedule, ticket: Ticket, now: _dt.datetime, horizon: _dt.timedelta
) -> bytes:
    """The follow-ups due after ``now`` within ``horizon`` and the pending promises, as an
    iCalendar file: one VTODO each with DUE and a VALARM, so they land in an agent's calendar.

    When the ticket's cadence is a plain wall-clock one (an :class:`Interval` or a
    :class:`Daily` time, counted in elapsed time, with no contact window), it is
    also written as one VTODO with an RRULE.
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
        todo.add("due", follow_up.at)
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
        todo.add("due", promise.due)
        todo.add("summary", f"Promised on {ticket.id}: {promise.description or 'call back'}")
        todo.add_component(_alarm("Promise due", schedule.remind_before))
        calendar.add_component(todo)
    cadence = schedule.cadence_for(ticket.priority)
    if (
        upcoming
        and schedule.clock is None
        and schedule.contact_window is None
        and isinstance(cadence, Interval | Daily)
    ):
        # The rule starts at the next attempt of the run, and counts only the attempts left.
        first = upcoming[0]
        todo = icalendar.Todo()
        todo.add("uid", f"{ticket.id}:{schedule.name}:cadence@servicekit")
        todo.add("dtstamp", stamp)
        todo.add("summary", f"Follow up on {ticket.id}")
        todo.add("dtstart", first.at)
        rule: dict[str, object]
        if isinstance(cadence, Interval):
            seconds = int(cadence.every.total_seconds())
            if seconds % 60:
                rule = {"freq": "secondly", "interval": seconds}
            else:
                rule = {"freq": "minutely", "interval": seconds // 60}
        else:
            rule = {"freq": "daily", "byhour": cadence.at.hour, "byminute": cadence.at.minute}
        if schedule.max_attempts is not None:
            rule["count"] = schedule.max_attempts - first.attempt + 1
        todo.add("rrule", rule)
        calendar.add_component(todo)
    text: bytes = calendar.to_ical()
    return text
