"""``servicekit protocol``: the ready-made protocol files and the file format's schema.

``servicekit protocol show reactive > ours.toml`` copies a ready-made protocol
to edit; ``servicekit protocol schema`` prints the JSON Schema editors use.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from rich.console import Console

from servicekit.protocols import READY_MADE, ready_made_text
from servicekit.protocols._files import schema_json

__all__ = ["add_parser", "run"]


def add_parser(subparsers: Any) -> None:
    """Register ``servicekit protocol``."""
    protocol = subparsers.add_parser(
        "protocol",
        help="print a ready-made protocol file to copy, or the protocol file JSON Schema",
        description="Ready-made protocol files and the protocol file format.",
    )
    actions = protocol.add_subparsers(dest="action", required=True, metavar="ACTION")
    show = actions.add_parser(
        "show",
        help="print a ready-made protocol file (servicekit protocol show reactive > ours.toml)",
    )
    show.add_argument("name", help=f"one of {', '.join(READY_MADE)}")
    show.set_defaults(run=run)
    schema = actions.add_parser("schema", help="print the JSON Schema of protocol files")
    schema.set_defaults(run=run)


def run(args: argparse.Namespace, console: Console) -> int:
    """Print what was asked for."""
    text = ready_made_text(args.name) if args.action == "show" else schema_json()
    sys.stdout.write(text)
    return 0
