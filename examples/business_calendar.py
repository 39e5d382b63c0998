"""A service desk's calendar answering everyday questions.

Run: python examples/business_calendar.py
"""

from __future__ import annotations

import datetime as dt

import holidays
import pendulum

from servicekit import BusinessCalendar

ZONE = "Europe/Brussels"
desk = BusinessCalendar(
    ZONE,
    "mon-fri 08:00-12:30,13:30-18:00",
    holidays=holidays.country_holidays("BE"),
    special_days={dt.date(2025, 12, 24): ["08:00-12:00"]},
)

opened = pendulum.datetime(2025, 12, 23, 16, 40, tz=ZONE)
print(f"Ticket opened {opened:%a %d %b %H:%M}; the desk is open: {desk.is_open(opened)}")
for label, hours in (("P1", 2), ("P2", 8), ("P3", 24)):
    due = desk.add(opened, dt.timedelta(hours=hours))
    print(f"  {label}: {hours:>2} business hours -> due {due:%a %d %b %H:%M}")

closing = desk.next_close(opened)
print(f"The desk closes at {closing:%H:%M} and reopens {desk.next_open(closing):%a %d %b %H:%M}")

week = list(
    desk.open_intervals(
        pendulum.datetime(2025, 12, 22, tz=ZONE), pendulum.datetime(2025, 12, 29, tz=ZONE)
    )
)
print(f"Open periods in Christmas week: {len(week)}")
for start, end in week:
    print(f"  {start:%a %d %H:%M}-{end:%H:%M}")
total = desk.between(
    pendulum.datetime(2025, 12, 22, tz=ZONE), pendulum.datetime(2025, 12, 29, tz=ZONE)
)
print(f"Business time that week: {total.total_seconds() / 3600:g} hours")
