"""The ``servicekit`` command line.

Each subcommand is a thin shell over the pure library: it reads inputs,
calls the library with an explicit ``now`` and renders the answer with rich.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from rich.console import Console

from servicekit import __version__
from servicekit._demo import run_demo
from servicekit._replay import PROTOCOLS, run_replay
from servicekit.errors import ServiceKitError

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="servicekit",
        description="Service-protocol primitives for customer-service teams.",
    )
    parser.add_argument("--version", action="version", version=f"servicekit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = sub.add_parser("demo", help="run the built-in demo on built-in sample data")
    replay = sub.add_parser(
        "replay",
        help="run a ready-made protocol over a real ticket history (BPI Challenge 2013 XES)",
    )
    replay.add_argument(
        "log",
        nargs="?",
        default=None,
        help="an XES log in the BPI 2013 format (default: the shipped extract)",
    )
    replay.add_argument(
        "--protocol", default="reactive", choices=sorted(PROTOCOLS), help="the protocol to run"
    )
    replay.add_argument(
        "--hours", default="mon-fri 08:00-18:00", help="the team's business hours (Brussels time)"
    )
    replay.add_argument(
        "--now", default=None, help="ISO 8601 instant (default: the log's last event)"
    )
    replay.add_argument("--show", type=int, default=10, help="tickets to list (default 10)")
    for command in (demo, replay):
        command.add_argument(
            "--width",
            type=int,
            default=None,
            help="console width in characters (default: terminal)",
        )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    args = _parser().parse_args(argv)
    console = Console(width=args.width) if getattr(args, "width", None) else Console()
    try:
        if args.command == "demo":
            run_demo(console)
        elif args.command == "replay":
            run_replay(
                console,
                log=args.log,
                protocol=args.protocol,
                hours=args.hours,
                now=args.now,
                show=args.show,
            )
    except ServiceKitError as exc:
        console.print(f"[bold red]error:[/] {exc}")
        return 2
    return 0
