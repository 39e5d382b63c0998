"""The ``servicekit`` command line.

Each command is one module of this package, a thin shell over the pure
library: it reads inputs, calls the library with an explicit ``now`` and
renders the answer (tables, JSON, CSV, charts). No domain rule lives here.

A command module exposes ``add_parser(subparsers)`` and
``run(args, console) -> int`` and is listed in :data:`COMMANDS`. A refusal
(:class:`~servicekit.errors.ServiceKitError`, or a bad argument) prints one
line on standard error and exits with status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import NoReturn

from rich.console import Console

from servicekit import __version__
from servicekit.cli import _demo, _protocol, _replay
from servicekit.errors import ServiceKitError

__all__ = ["COMMANDS", "main", "parser"]

COMMANDS: tuple[ModuleType, ...] = (_demo, _replay, _protocol)
"""The command modules, in the order ``--help`` lists them."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr, exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    top = _Parser(
        prog="servicekit",
        description="Service-protocol primitives for customer-service teams.",
    )
    top.add_argument("--version", action="version", version=f"servicekit {__version__}")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)
    for command in COMMANDS:
        command.add_parser(sub)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    args = parser().parse_args(argv)
    width = getattr(args, "width", None)
    console = Console(width=width) if width else Console()
    try:
        code: int = args.run(args, console)
    except ServiceKitError as exc:
        message = " ".join(str(exc).split())
        print(f"servicekit {args.command}: error: {message}", file=sys.stderr)
        return 2
    return code
