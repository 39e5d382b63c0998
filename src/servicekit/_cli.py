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
    demo.add_argument(
        "--width", type=int, default=None, help="console width in characters (default: terminal)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    args = _parser().parse_args(argv)
    console = Console(width=args.width) if getattr(args, "width", None) else Console()
    try:
        if args.command == "demo":
            run_demo(console)
    except ServiceKitError as exc:
        console.print(f"[bold red]error:[/] {exc}")
        return 2
    return 0
