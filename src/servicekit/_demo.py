"""The built-in demo: servicekit answering real questions on built-in data."""

from __future__ import annotations

from rich.console import Console

__all__ = ["run_demo"]


def run_demo(console: Console) -> None:
    """Print the demo to ``console``."""
    console.print("[bold]servicekit demo[/]")
