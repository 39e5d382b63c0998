"""A service desk's calendar answering everyday questions.

Run: python examples/business_calendar.py
"""

from __future__ import annotations

import datetime as dt

import holidays
import pendulum
from rich.console import Console
from rich.table import Table

from servicekit import BusinessCalendar

ZONE = "Europe/Brussels"
desk = BusinessCalendar(
    ZONE,
    "mon-fri 08:00-12:30,13:30-18:00",
    holidays=holidays.country_holidays("BE"),
    special_days={dt.date(2025, 12, 24): ["08:00-12:00"]},
)

console = Console()
opened = pendulum.datetime(2025, 12, 23, 16, 40, tz=ZONE)
console.print(f"Ticket opened {opened:%a %d %b %H:%M}; the desk is open: {desk.is_open(opened)}")
targets = Table("priority", "business hours", "due", title="Due times")
for label, hours in (("P1", 2), ("P2", 8), ("P3", 24)):
    due = desk.add(opened, dt.timedelta(hours=hours))
    targets.add_row(label, str(hours), f"{due:%a %d %b %H:%M}")
console.print(targets)

closing = desk.next_close(opened)
console.print(
    f"The desk closes at {closing:%H:%M} and reopens {desk.next_open(closing):%a %d %b %H:%M}"
)

week = list(
    desk.open_intervals(
        pendulum.datetime(2025, 12, 22, tz=ZONE), pendulum.datetime(2025, 12, 29, tz=ZONE)
    )
)
periods = Table("day", "open", title=f"Open periods in Christmas week: {len(week)}")
for start, end in week:
    periods.add_row(f"{start:%a %d}", f"{start:%H:%M}-{end:%H:%M}")
console.print(periods)
total = desk.between(
    pendulum.datetime(2025, 12, 22, tz=ZONE), pendulum.datetime(2025, 12, 29, tz=ZONE)
)
console.print(f"Business time that week: {total.total_seconds() / 3600:g} hours")
