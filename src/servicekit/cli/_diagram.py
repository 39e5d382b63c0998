"""``servicekit diagram FILE``: a protocol's lifecycle and escalation chains as a picture."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

from servicekit.errors import ServiceKitError
from servicekit.protocols import load_protocol
from servicekit.protocols._diagram import protocol_graphviz, protocol_mermaid

__all__ = ["add_parser", "run"]


def add_parser(subparsers: Any) -> None:
    """Register ``servicekit diagram``."""
    diagram = subparsers.add_parser(
        "diagram",
        help="draw a protocol's lifecycle and escalation chains (Mermaid, SVG or PNG)",
        description=(
            "Draw the lifecycle (timed transitions dashed) and each escalation chain as a "
            "timeline. Mermaid (Markdown with mermaid blocks) needs nothing; SVG and PNG need "
            "the 'diagram' extra and Graphviz's dot program."
        ),
    )
    diagram.add_argument("file", help="the protocol file (TOML)")
    diagram.add_argument(
        "--format", default="mermaid", choices=("mermaid", "svg", "png"), help="the output format"
    )
    diagram.add_argument("--out", default=None, help="write to this file (needed for png)")
    diagram.set_defaults(run=run)


def run(args: argparse.Namespace, console: Console) -> int:
    """Draw the protocol."""
    if args.format == "png" and args.out is None:
        raise ServiceKitError("--format png writes a binary picture: give --out FILE.png")
    protocol = load_protocol(args.file)
    if args.format == "mermaid":
        data = protocol_mermaid(protocol).encode("utf-8")
    else:
        data = protocol_graphviz(protocol, args.format)
    if args.out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return 0
    try:
        Path(args.out).write_bytes(data)
    except OSError as exc:
        raise ServiceKitError(f"--out {args.out}: cannot write: {exc.strerror}") from None
    console.print(f"wrote {args.out}", highlight=False)
    return 0
