"""Keep the customer in the loop: what they hear and when, and the agent's calendar file.

After every staff reply the customer hears from us within four business hours (Madrid
desk), first by email, then SMS, then a call, never outside 08:00-21:00 in their own zone
(New York). The agent promised a call back by 15:00; the schedule reminds them before it.

Run: python examples/followup_keep_in_loop.py
"""

from __future__ import annotations

import datetime as dt

import icalendar
import pendulum
from rich.console import Console
from rich.table import Table

from servicekit import AgentReplied, BusinessCalendar, PromiseMade, Ticket, helpdesk_lifecycle
from servicekit.followup import FollowUpSchedule, Interval

MADRID = "Europe/Madrid"
keep_in_loop = FollowUpSchedule(
    name="keep-in-loop",
    cadence=Interval(dt.timedelta(hours=4)),
    clock=BusinessCalendar(MADRID, "mon-fri 09:00-17:00"),
    channels=("email", "sms", "call"),
    max_attempts=3,
)

monday = pendulum.datetime(2025, 3, 3, 11, tz=MADRID)
ticket = Ticket.open(
    helpdesk_lifecycle(),
    ticket_id="T-42",
    at=monday,
    priority="P2",
    customer_timezone="America/New_York",
)
ticket.record(AgentReplied(at=monday))
ticket.record(
    PromiseMade(at=monday, due=monday.set(hour=15), description="call back with the fix date")
)

now = monday.add(minutes=5)
console = Console()
plan = Table("attempt", "channel", "at (their time)", title="The customer will hear from us")
for follow_up in keep_in_loop.preview(ticket, now, dt.timedelta(days=3)):
    local = follow_up.at.in_timezone("America/New_York")
    plan.add_row(str(follow_up.attempt), follow_up.channel, str(local))
console.print(plan)

report = keep_in_loop.evaluate(ticket, now)
for promise in report.promises:
    console.print(
        f"Promise {promise.description!r}: {promise.state.value}, remind at {promise.remind_at}"
    )
console.print(f"Next change at {report.next_at}")

calendar = icalendar.Calendar.from_ical(keep_in_loop.to_ical(ticket, now, dt.timedelta(days=3)))
for todo in calendar.walk("VTODO"):
    console.print(f"VTODO {todo['summary']} due {todo.decoded('due')}")
