"""``servicekit check FILE``: lint a protocol file.

Exit status 0 when the protocol is clean, 1 with findings, 2 when the file
cannot be read (every problem is listed, one line each).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

from servicekit._locate import line_of, locate
from servicekit.errors import ProtocolFileError
from servicekit.protocols import check_protocol, load_protocol

__all__ = ["add_parser", "run"]


def add_parser(subparsers: Any) -> None:
    """Register ``servicekit check``."""
    check = subparsers.add_parser(
        "check",
        help="lint a protocol file: what is legal but wrong, with a code and a fix",
        description=(
            "Load a protocol file and report what is legal but wrong (priorities without "
            "targets, escalations after the breach, reminders slower than the promise, ...). "
            "Exit status: 0 clean, 1 findings, 2 unreadable file."
        ),
    )
    check.add_argument("file", help="the protocol file (TOML)")
    check.add_argument(
        "--format", default="text", choices=("text", "json"), help="the output format"
    )
    check.add_argument(
        "--lang",
        action="append",
        default=[],
        metavar="LANG",
        help=(
            "a language your customers read (such as es-CO), checked for missing messages "
            "besides the ones the protocol's templates are written in; repeat for more"
        ),
    )
    check.set_defaults(run=run)


def run(args: argparse.Namespace, console: Console) -> int:
    """Check the file; print the findings."""
    path = Path(args.file)
    try:
        protocol = load_protocol(path)
    except ProtocolFileError as exc:
        if args.format == "json":
            problems = [
                {
                    "line": getattr(p, "line", None),
                    "path": getattr(p, "path", ""),
                    "message": str(p),
                }
                for p in exc.problems
            ] or [{"line": None, "path": "", "message": str(exc)}]
            print(json.dumps({"file": str(path), "readable": False, "problems": problems}))
        for line in str(exc).splitlines():
            print(f"servicekit check: error: {line}", file=sys.stderr)
        return 2
    findings = check_protocol(protocol, args.lang)
    lines = locate(path.read_text("utf-8"))
    located = [(line_of(lines, f.parts) or 1, f) for f in findings]
    if args.format == "json":
        payload = {
            "file": str(path),
            "readable": True,
            "clean": not findings,
            "findings": [
                {"code": f.code, "line": n, "path": f.path, "message": f.message, "fix": f.fix}
                for n, f in located
            ],
        }
        print(json.dumps(payload, indent=2))
    elif not findings:
        console.print(f"{path}: protocol {protocol.name!r} is clean", highlight=False)
    else:
        for n, f in located:
            console.print(
                f"{path}:{n}: [bold]{f.code}[/] {f.path}: {f.message}\n    fix: {f.fix}",
                highlight=False,
                soft_wrap=True,
            )
        console.print(f"{len(findings)} finding(s)", highlight=False)
    return 1 if findings else 0
