"""``servicekit protocol``: a protocol as something people read.

``servicekit protocol render PROTOCOL --format md|html [--lang es]`` writes the
team's playbook (see :func:`servicekit.protocols.playbook`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console

from servicekit._calendars import BusinessCalendar
from servicekit.errors import ServiceKitError
from servicekit.protocols import (
    PLAYBOOK_LANGUAGES,
    RequestTypes,
    ServiceProtocol,
    crisis_protocol,
    daily_requests_protocol,
    playbook,
    pqrs_request_types,
    proactive_protocol,
    reactive_protocol,
)

__all__ = ["add_parser", "run"]

#: The ready-made protocols by name, built on the team's calendar ("pqrs": one per request type).
READY_MADE: dict[str, Callable[[BusinessCalendar], ServiceProtocol | RequestTypes]] = {
    "reactive": reactive_protocol,
    "proactive": proactive_protocol,
    "daily-requests": daily_requests_protocol,
    "crisis": lambda calendar: crisis_protocol(calendar.timezone),
    "pqrs": pqrs_request_types,
}


def add_parser(subparsers: Any) -> None:
    """Register ``servicekit protocol`` and its subcommands."""
    protocol = subparsers.add_parser(
        "protocol",
        help="show a protocol as the team reads it",
        description="Work with a service protocol as a document.",
    )
    sub = protocol.add_subparsers(dest="protocol_command", required=True, metavar="SUBCOMMAND")
    render = sub.add_parser(
        "render",
        help="write the protocol as the team's playbook (Markdown or one HTML page)",
        description=(
            "Write PROTOCOL as a playbook: promises per priority, owners per tier and when the "
            "ticket moves up, follow-up cadence and quiet hours, closing, crisis rules, "
            "diagrams and every message as customers will see it. Generated from the protocol "
            "itself, so it cannot drift from what runs."
        ),
    )
    render.add_argument("protocol", metavar="PROTOCOL", help=f"one of {', '.join(READY_MADE)}")
    render.add_argument("--format", choices=("md", "html"), default="md", help="default: md")
    render.add_argument(
        "--lang",
        default="en",
        help=f"the playbook's language ({', '.join(PLAYBOOK_LANGUAGES)}; others fall back to en)",
    )
    render.add_argument("--zone", default="UTC", help="the team's IANA time zone (default: UTC)")
    render.add_argument(
        "--hours",
        default="mon-fri 09:00-17:00",
        help="the team's business hours (default: 'mon-fri 09:00-17:00')",
    )
    render.add_argument("--out", default=None, help="write to this file (default: stdout)")
    render.set_defaults(run=run)


def _protocol(args: argparse.Namespace) -> ServiceProtocol | RequestTypes:
    make = READY_MADE.get(args.protocol)
    if make is None:
        raise ServiceKitError(
            f"unknown protocol {args.protocol!r}; choose one of {list(READY_MADE)}"
        )
    return make(BusinessCalendar(args.zone, args.hours))


def run(args: argparse.Namespace, console: Console) -> int:
    """Run ``servicekit protocol render``."""
    text = playbook(_protocol(args), format=args.format, language=args.lang)
    if args.out is None:
        sys.stdout.write(text)
    else:
        try:
            Path(args.out).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise ServiceKitError(f"cannot write {args.out}: {exc.strerror}") from None
        console.print(f"wrote {args.out} ({len(text):,} characters)")
    return 0
