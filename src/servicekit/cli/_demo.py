"""The built-in demo: servicekit answering real questions on built-in data.

The data is a small extract of the BPI Challenge 2013 incident log (Volvo IT
Belgium), shipped in ``servicekit/_data``: 90 incidents opened on Thursday
2012-05-03 between 14:00 and 14:40 Central European Summer Time. Every answer
is computed with an explicit ``now``, so the demo prints the same thing on
every run.
"""

from __future__ import annotations

import argparse
import datetime as _dt
from collections import Counter
from typing import Any

import holidays
import pendulum
from rich.console import Console
from rich.table import Table

from servicekit._calendars import BusinessCalendar
from servicekit._events import StatusChanged
from servicekit._ticket import Ticket
from servicekit.costs import required_agents
from servicekit.datasets import bpic2013_sample_path, bpic2013_tickets
from servicekit.escalation import (
    Delay,
    EnteredCategory,
    EscalationChain,
    Notification,
    Step,
    Target,
)
from servicekit.followup import FixedOffsets, FollowUpSchedule, TerminalAction
from servicekit.protocols import (
    check_protocol,
    compare_protocols,
    loads_protocol,
    reactive_protocol,
    ready_made_text,
)
from servicekit.protocols._diagram import chain_mermaid
from servicekit.sla import RESOLUTION, On, SlaPolicy, SlaState, SlaTarget

__all__ = ["SERVICE_DESK", "ZONE", "add_parser", "run", "run_demo"]

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


H = _dt.timedelta(hours=1)
#: BPI 2013's impacts, highest first.
IMPACTS = ("Major", "High", "Medium", "Low")
#: "As of" instant for the demo: the afternoon after the sample's incidents were opened.
AS_OF = pendulum.datetime(2012, 5, 4, 15, tz=ZONE)
TARGETS = {"Major": 4, "High": 8, "Medium": 24, "Low": 40}


def _lifecycle_section(console: Console, tickets: list[Ticket]) -> None:
    console.rule("[bold]2. Lifecycles: the incidents replayed")
    handovers = sum(
        1
        for t in tickets
        for e in t
        if isinstance(e, StatusChanged) and e.from_status == e.to_status
    )
    console.print(
        f"{len(tickets)} incidents, {sum(len(t) for t in tickets)} events replayed through "
        f"the {tickets[0].lifecycle.name!r} lifecycle without error ({handovers} handovers)."
    )
    now = Counter(t.as_of(AS_OF).status for t in tickets)
    table = Table("status as of " + _when(AS_OF), "incidents")
    for status, count in now.most_common():
        table.add_row(status, str(count))
    console.print(table)


def _sla_section(console: Console, tickets: list[Ticket]) -> SlaPolicy:
    console.rule("[bold]3. SLA: resolution targets by impact, in business hours")
    policy = SlaPolicy(
        "volvo-it",
        [
            SlaTarget(metric=RESOLUTION, priority=impact, target=hours * H, calendar=SERVICE_DESK)
            for impact, hours in TARGETS.items()
        ],
    )
    states: Counter[str] = Counter()
    at_risk = []
    for ticket in tickets:
        (status,) = policy.evaluate(ticket, AS_OF).statuses
        states[status.state.value] += 1
        if status.state in (SlaState.RUNNING, SlaState.PAUSED, SlaState.BREACHED_RUNNING):
            at_risk.append((ticket.id, ticket.priority, status))
    console.print(
        "Targets: "
        + ", ".join(f"{k} {v} h" for k, v in TARGETS.items())
        + f"; as of {_when(AS_OF)}"
    )
    table = Table("state", "incidents")
    for state, count in states.most_common():
        table.add_row(state, str(count))
    console.print(table)
    risk = Table("open incident", "impact", "state", "used", "due at", "next change")
    for ticket_id, impact, status in sorted(at_risk, key=lambda r: -r[2].percent_used)[:5]:
        change = status.next_change_at
        risk.add_row(
            ticket_id,
            impact,
            status.state.value,
            f"{status.percent_used:.0f}%",
            _when(status.due_at) if status.due_at else "-",
            _when(change) if change else "-",
        )
    console.print(risk)
    return policy


def _escalation_section(console: Console, tickets: list[Ticket]) -> None:
    console.rule("[bold]4. Escalation: to the 2nd line after 8 business hours")
    second = Target("tier", "2nd")
    chain = EscalationChain(
        name="to-2nd-line",
        steps=[Step(targets=[second], wait=Delay(8 * H, SERVICE_DESK), reassign=second)],
        triggers=[On("ticket_opened")],
        stops=[
            On("assigned", tier="2nd"),
            On("assigned", tier="3rd"),
            EnteredCategory(["solved", "closed", "cancelled"]),
        ],
    )
    due: list[Notification] = []
    for ticket in tickets:
        report = chain.evaluate(ticket, AS_OF)
        due.extend(report.notifications)
    console.print(
        f"Notifications due by {_when(AS_OF)}: {len(due)} (each with an idempotency key, "
        f"e.g. {due[0].key if due else '-'})"
    )


def _followup_section(console: Console, tickets: list[Ticket]) -> None:
    console.rule("[bold]5. Follow-ups: the nightly batch that closes resolved incidents")
    auto_close = FollowUpSchedule(
        name="auto-close",
        anchor="solved",
        cadence=FixedOffsets([7 * 24 * H]),
        terminal=TerminalAction("close", after_attempts=0, batch=_dt.time(1, 0)),
        contact_window=None,
        stop_on=(),
        default_timezone=ZONE,
    )
    predicted = batch = 0
    for ticket in tickets:
        for event in ticket:
            if not isinstance(event, StatusChanged) or (event.from_status, event.to_status) != (
                "Completed/Resolved",
                "Completed/Closed",
            ):
                continue
            report = auto_close.evaluate(ticket, event.at.subtract(microseconds=1))
            expected = report.terminal.at if report.terminal else report.next_at
            if expected is not None and expected - event.at <= _dt.timedelta(days=1):
                batch += 1
                predicted += abs((event.at - expected).total_seconds()) < 3600
    console.print(
        f"Closings made by the nightly batch: {batch}; predicted to the hour by the schedule: "
        f"{predicted}."
    )


def _costs_section(console: Console) -> None:
    console.rule("[bold]6. Costs: staffing the service desk's phone line")
    table = Table("calls per hour", "Erlangs", "agents (80% in 20 s)", "naive division")
    for calls in (60, 240, 1200):
        staffing = required_agents(calls, 3600, 360, 0.8, 20)
        table.add_row(
            str(calls),
            f"{staffing.load:.1f}",
            str(staffing.agents),
            str(round(staffing.load)),
        )
    console.print(table)


def _protocol_files_section(console: Console, tickets: list[Ticket]) -> None:
    console.rule("[bold]7. Protocols as files: check, diagram, what if")
    shipped = ready_made_text("reactive")
    # The file as the desk edits it: its hours and holidays, BPI 2013's four impacts.
    text = reactive_protocol(SERVICE_DESK, IMPACTS).to_toml()
    console.print(
        "servicekit protocol show reactive > ours.toml gives the reactive protocol as a "
        f"{len(shipped.splitlines())}-line TOML file; edited for the desk (Brussels hours, "
        "Belgian holidays, four impacts), its resolution targets read:",
        highlight=False,
    )
    block = text.split("[sla.metrics.resolution.targets]\n", 1)[1].split("\n\n", 1)[0]
    console.print("    " + block.replace("\n", "\n    "), highlight=False)
    ours = loads_protocol(text, source="ours.toml")
    console.print(
        f"servicekit check ours.toml: {len(check_protocol(ours))} findings", highlight=False
    )
    late = loads_protocol(text.replace('wait = "100% of resolution"', 'wait = "10h"'))
    for finding in check_protocol(late):
        console.print(
            f'  with wait = "10h" instead: {finding.code} {finding.path}\n'
            f"    {finding.message}\n    fix: {finding.fix}",
            highlight=False,
        )
    console.print("servicekit diagram ours.toml draws each escalation chain, e.g.:")
    console.print("    " + chain_mermaid(ours.escalations[0]).rstrip().replace("\n", "\n    "))
    what_if = loads_protocol(
        text.replace('Medium = "40h"', 'Medium = "2 business days"').replace(
            'Low = "40h"', 'Low = "2 business days"'
        )
    )
    now = pendulum.datetime(2012, 5, 15, tz=ZONE)
    result = compare_protocols(ours, what_if, tickets, now)
    table = Table("resolution met / breached", "40 business hours", "Medium, Low: 2 business days")
    for row in result.rows:
        if row.metric == "resolution" and row.a is not None and row.b is not None:
            table.add_row(
                f"impact {row.priority}",
                f"{row.a.met} / {row.a.breached}",
                f"{row.b.met} / {row.b.breached}",
            )
    console.print(
        f"servicekit replay --protocol ours.toml --compare what-if.toml, as of {_when(now)}:",
        highlight=False,
    )
    console.print(table)
    console.print(f"Tickets that end differently: {result.changed_tickets}", highlight=False)


def run_demo(console: Console) -> None:
    """Print the demo to ``console``."""
    console.print("[bold]servicekit demo[/]: service protocols over a real incident log")
    console.print(f"Data: 90 incidents from the {SOURCE}.\n")
    tickets = list(bpic2013_tickets(bpic2013_sample_path()))
    _calendar_section(console)
    _lifecycle_section(console, tickets)
    _sla_section(console, tickets)
    _escalation_section(console, tickets)
    _followup_section(console, tickets)
    _costs_section(console)
    _protocol_files_section(console, tickets)


def add_parser(subparsers: Any) -> None:
    """Register ``servicekit demo``."""
    demo = subparsers.add_parser("demo", help="run the built-in demo on built-in sample data")
    demo.add_argument(
        "--width", type=int, default=None, help="console width in characters (default: terminal)"
    )
    demo.set_defaults(run=run)


def run(args: argparse.Namespace, console: Console) -> int:
    """Run ``servicekit demo``."""
    run_demo(console)
    return 0
