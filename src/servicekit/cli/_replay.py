"""``servicekit replay``: run a ready-made protocol over a real ticket history."""

from __future__ import annotations

import argparse
import datetime as _dt
import os
from collections import Counter
from collections.abc import Callable
from typing import Any

import pendulum
from rich.console import Console
from rich.progress import track
from rich.table import Table

from servicekit._calendars import BusinessCalendar
from servicekit._time import as_instant, to_micros
from servicekit.datasets import BPIC2013_ZONE, bpic2013_sample_path, bpic2013_tickets
from servicekit.errors import ServiceKitError
from servicekit.protocols import (
    ServiceProtocol,
    crisis_protocol,
    daily_requests_protocol,
    proactive_protocol,
    reactive_protocol,
)

__all__ = ["PROTOCOLS", "add_parser", "run", "run_replay"]

#: The BPI Challenge 2013 impacts, highest first.
BPI_PRIORITIES = ("Major", "High", "Medium", "Low")

PROTOCOLS: dict[str, Callable[[BusinessCalendar], ServiceProtocol]] = {
    "reactive": lambda cal: reactive_protocol(cal, BPI_PRIORITIES),
    "proactive": lambda cal: proactive_protocol(cal, BPI_PRIORITIES),
    "daily-requests": lambda cal: daily_requests_protocol(cal, BPI_PRIORITIES),
    "crisis": lambda cal: crisis_protocol(cal.timezone),
}


def run_replay(
    console: Console,
    *,
    log: str | os.PathLike[str] | None,
    protocol: str,
    hours: str,
    now: str | None,
    show: int,
) -> None:
    """Replay a BPI Challenge 2013-format XES log under a ready-made protocol and report."""
    if protocol not in PROTOCOLS:
        raise ServiceKitError(f"unknown protocol {protocol!r}; choose one of {sorted(PROTOCOLS)}")
    calendar = BusinessCalendar(BPIC2013_ZONE, hours)
    chosen = PROTOCOLS[protocol](calendar)
    source = log if log is not None else bpic2013_sample_path()
    tickets = list(
        track(bpic2013_tickets(source), description="reading", console=console, transient=True)
    )
    if not tickets:
        raise ServiceKitError(f"{source}: the log holds no incidents")
    if now is None:
        at: _dt.datetime = max((t.last_event_at for t in tickets), key=to_micros)
    else:
        try:
            at = as_instant(pendulum.parse(now), name="--now")
        except (ValueError, TypeError) as exc:
            raise ServiceKitError(
                f"--now {now!r} is not an ISO 8601 instant with an offset"
            ) from exc
    console.print(
        f"[bold]{chosen.name}[/] protocol over {len(tickets)} incidents of {source}, "
        f"as of {at.isoformat()}; business hours {calendar!r}"
    )
    actions: Counter[str] = Counter()
    states: Counter[str] = Counter()
    rows = []
    wakeups = []
    for report in chosen.evaluate_many(tickets, at):
        actions.update(a.kind for a in report.actions)
        if report.sla is not None:
            states.update(f"{s.metric}: {s.state.value}" for s in report.sla.statuses)
        if report.next_wakeup is not None:
            wakeups.append(report.next_wakeup)
        rows.append(report)
    summary = Table("due actions", "count")
    for kind, count in actions.most_common():
        summary.add_row(kind, str(count))
    console.print(summary)
    sla = Table("SLA cycles", "count")
    for state, count in sorted(states.items()):
        sla.add_row(state, str(count))
    console.print(sla)
    detail = Table("ticket", "status", "due actions", "next wakeup")
    for report in rows[:show]:
        wake = report.next_wakeup
        detail.add_row(
            report.ticket_id,
            report.status,
            str(len(report.actions)),
            wake.isoformat() if wake else "-",
        )
    console.print(detail)
    if wakeups:
        console.print(f"Next wakeup over all tickets: {min(wakeups, key=to_micros).isoformat()}")


def add_parser(subparsers: Any) -> None:
    """Register ``servicekit replay``."""
    replay = subparsers.add_parser(
        "replay", help="run a ready-made protocol over a real ticket history"
    )
    replay.add_argument(
        "log", nargs="?", default=None, help="an XES log (default: the shipped extract)"
    )
    replay.add_argument(
        "--protocol", default="reactive", choices=sorted(PROTOCOLS), help="the protocol to run"
    )
    replay.add_argument("--hours", default="mon-fri 08:00-18:00", help="the team's business hours")
    replay.add_argument("--now", default=None, help="ISO 8601 instant with an offset")
    replay.add_argument("--show", type=int, default=10, help="tickets to list (default 10)")
    replay.add_argument(
        "--width", type=int, default=None, help="console width in characters (default: terminal)"
    )
    replay.set_defaults(run=run)


def run(args: argparse.Namespace, console: Console) -> int:
    """Run ``servicekit replay``."""
    run_replay(
        console,
        log=args.log,
        protocol=args.protocol,
        hours=args.hours,
        now=args.now,
        show=args.show,
    )
    return 0
