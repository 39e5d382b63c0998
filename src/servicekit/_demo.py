"""The built-in demo: servicekit answering real questions on built-in data.

The data is a small extract of the BPI Challenge 2013 incident log (Volvo IT
Belgium), shipped in ``servicekit/_data``: 90 incidents opened on Thursday
2012-05-03 between 14:00 and 14:40 Central European Summer Time. Every answer
is computed with an explicit ``now``, so the demo prints the same thing on
every run.
"""

from __future__ import annotations

import datetime as _dt

import holidays
import pendulum
from rich.console import Console
from rich.table import Table

from servicekit._calendars import BusinessCalendar

__all__ = ["SERVICE_DESK", "ZONE", "run_demo"]

ZONE = "Europe/Brussels"
#: The demo's service desk: weekdays 08:00-18:00 in Brussels, Belgian public holidays.
SERVICE_DESK = BusinessCalendar(
    ZONE, "mon-fri 08:00-18:00", holidays=holidays.country_holidays("BE")
)
SOURCE = (
    "BPI Challenge 2013 (Ward Steeman, Volvo IT Belgium; 4TU.ResearchData, "
    "DOI 10.4121/500573e6-accc-4b0c-9576-aa5468b10cee)"
)


def _when(t: _dt.datetime) -> str:
    return f"{t:%a %Y-%m-%d %H:%M}"


def _hours(d: _dt.timedelta) -> str:
    return f"{d.total_seconds() / 3600:g} h"


def _calendar_section(console: Console) -> None:
    console.rule("[bold]1. Business calendar")
    console.print(f"Service desk: {SERVICE_DESK!r}")
    opened = pendulum.datetime(2012, 5, 16, 16, 30, tz=ZONE)
    table = Table("question", "answer", title=None, show_header=True)
    table.add_row("Is the desk open on Wed 2012-05-16 16:30?", str(SERVICE_DESK.is_open(opened)))
    table.add_row("When does it close?", _when(SERVICE_DESK.next_close(opened)))
    ascension = pendulum.datetime(2012, 5, 17, 10, tz=ZONE)
    table.add_row("Open on Thu 2012-05-17 (Ascension Day)?", str(SERVICE_DESK.is_open(ascension)))
    table.add_row("When does it reopen?", _when(SERVICE_DESK.next_open(ascension)))
    for hours in (4, 16, 24):
        due = SERVICE_DESK.add(opened, _dt.timedelta(hours=hours))
        table.add_row(f"Opened Wed 16:30, due after {hours} business hours", _when(due))
    week = SERVICE_DESK.between(
        pendulum.datetime(2012, 5, 14, tz=ZONE), pendulum.datetime(2012, 5, 21, tz=ZONE)
    )
    table.add_row("Business time in the week of 2012-05-14", _hours(week))
    console.print(table)


def run_demo(console: Console) -> None:
    """Print the demo to ``console``."""
    console.print("[bold]servicekit demo[/]: service protocols over a real incident log")
    console.print(f"Data: 90 incidents from the {SOURCE}.\n")
    _calendar_section(console)
