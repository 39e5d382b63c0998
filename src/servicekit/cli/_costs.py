"""``servicekit costs SCENARIO.toml``: in-house versus outsourced, per stage and channel.

Reads a scenario file, prices every cell both ways with the staffing it implies,
and reports the totals, the break-even of one parameter and the sensitivity of
the decision; ``--plot DIR`` writes the tornado and cost-versus-volume charts.
``--from-replay REPORT.json`` takes the monthly volume from a replayed history
(``servicekit replay --format json``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from servicekit.costs import (
    Comparison,
    Money,
    SensitivityRow,
    break_even,
    compare,
    load_scenario,
    plot_break_even,
    plot_tornado,
    sensitivity,
    volume_from_replay,
)
from servicekit.errors import CostModelError, ServiceKitError

__all__ = ["add_parser", "run"]


def add_parser(subparsers: Any) -> None:
    """Register ``servicekit costs``."""
    costs = subparsers.add_parser(
        "costs",
        help="in-house versus outsourcing per stage and channel, from a scenario file",
        description=(
            "Price a scenario's stages x channels in-house and outsourced, with the staffing "
            "each implies (Erlang), the break-even and the sensitivity of the decision."
        ),
    )
    costs.add_argument("scenario", help="the scenario file (TOML)")
    costs.add_argument(
        "--from-replay",
        default=None,
        metavar="REPORT",
        help="take the monthly volume from a replay report (servicekit replay --format json)",
    )
    costs.add_argument("--plot", default=None, metavar="DIR", help="write PNG charts here")
    costs.add_argument(
        "--format", default="table", choices=("table", "json"), help="the output format"
    )
    costs.add_argument(
        "--width", type=int, default=None, help="console width in characters (default: terminal)"
    )
    costs.set_defaults(run=run)


def _read_report(path: str) -> Any:
    try:
        return json.loads(Path(path).read_text("utf-8"))
    except OSError as exc:
        raise ServiceKitError(f"--from-replay {path}: cannot read: {exc.strerror}") from None
    except ValueError as exc:
        raise ServiceKitError(f"--from-replay {path}: not JSON ({exc})") from None


def _as_json(
    result: Comparison, even: tuple[str, float | None, str], rows: list[SensitivityRow]
) -> dict[str, Any]:
    def money(value: Any) -> str:
        return str(value.rounded().amount)

    return {
        "currency": result.in_house.currency,
        "cells": [
            {
                "stage": c.cell.stage.value,
                "channel": c.cell.channel.value,
                "sourcing": c.cell.sourcing.value,
                "volume": c.cell.volume,
                "agents": c.agents,
                "people": c.people,
                "in_house": money(c.in_house),
                "outsourced": money(c.outsourced),
                "chosen": money(c.chosen),
            }
            for c in result.cells
        ],
        "total": {
            "in_house": money(result.in_house),
            "outsourced": money(result.outsourced),
            "chosen": money(result.chosen),
            "contacts": result.contacts,
            "cost_per_contact": money(result.cost_per_contact),
        },
        "break_even": {"parameter": even[0], "multiplier": even[1], "note": even[2]},
        "sensitivity": [
            {"parameter": r.parameter, "low": money(r.low), "high": money(r.high)} for r in rows
        ],
    }


def _amount(value: Money) -> str:
    return f"{value.rounded().amount:,.0f}"


def run(args: argparse.Namespace, console: Console) -> int:
    """Price the scenario and print it."""
    loaded = load_scenario(args.scenario)
    scenario = loaded.scenario
    if args.from_replay is not None:
        scenario = volume_from_replay(scenario, _read_report(args.from_replay))
    result = compare(scenario)
    try:
        factor: float | None = break_even(scenario, loaded.break_even)
        note = f"both sides cost the same at {factor:.3f}x today's {loaded.break_even}"
    except CostModelError as exc:
        factor, note = None, str(exc)
    rows = sensitivity(scenario, swing=loaded.swing)
    if args.plot is not None:
        folder = Path(args.plot)
        folder.mkdir(parents=True, exist_ok=True)
        plot_tornado(rows, folder / "costs_tornado.png")
        plot_break_even(scenario, folder / "costs_break_even.png")
    if args.format == "json":
        json.dump(_as_json(result, (loaded.break_even, factor, note), rows), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    cur = result.in_house.currency
    table = Table(
        "stage",
        "channel",
        "sourcing",
        "agents",
        "in-house",
        "outsourced",
        "chosen",
        title=f"monthly cost per stage and channel, {cur}",
    )
    for c in result.cells:
        table.add_row(
            c.cell.stage.value,
            c.cell.channel.value,
            c.cell.sourcing.value,
            f"{c.agents:.1f}",
            _amount(c.in_house),
            _amount(c.outsourced),
            _amount(c.chosen),
        )
    table.add_row(
        "total",
        "",
        "",
        f"{result.agents:.1f}",
        _amount(result.in_house),
        _amount(result.outsourced),
        _amount(result.chosen),
    )
    console.print(table)
    console.print(
        f"{result.contacts:,.0f} contacts a month; cost per contact as chosen: "
        f"{result.cost_per_contact}. Break-even: {note}.",
        highlight=False,
    )
    tornado = Table(
        "what moves the decision",
        f"at -{loaded.swing:.0%}",
        f"at +{loaded.swing:.0%}",
        title=f"outsourced minus in-house, {cur} a month",
    )
    for r in rows:
        tornado.add_row(r.parameter, _amount(r.low), _amount(r.high))
    console.print(tornado)
    if args.plot is not None:
        console.print(f"charts written to {args.plot}", highlight=False)
    return 0
