"""In-house or outsourced? One company's service, stage by stage and channel by channel.

Prints the staffing and monthly cost of each cell both ways, the break-even price, and the
sensitivity of the decision; with an output directory, also writes the tornado and the
cost-versus-volume charts used in the documentation (needs the ``plot`` extra).

Run: python examples/costs_sourcing.py [output-directory]
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from servicekit.costs import (
    Cell,
    InHouseCost,
    Money,
    OutsourcedCost,
    Pricing,
    Scenario,
    break_even,
    compare,
    plot_break_even,
    plot_tornado,
    required_agents,
    sensitivity,
)


def eur(amount: int | str) -> Money:
    return Money(amount, "EUR")


minutes = dt.timedelta(minutes=1)
company = Scenario(
    cells=[
        Cell(
            stage="pre_sale",
            channel="chat",
            volume=6_000,
            aht=8 * minutes,
            concurrency=3,
            sourcing="outsourced",
        ),
        Cell(stage="sale", channel="voice", volume=9_000, aht=6 * minutes),
        Cell(
            stage="delivery",
            channel="self_service",
            volume=15_000,
            aht=5 * minutes,
            containment=0.6,
        ),
        Cell(
            stage="after_sale",
            channel="voice",
            volume=20_000,
            aht=7 * minutes,
            open_hours=730,
            sourcing="after_hours",
            after_hours_share=0.2,
        ),
        Cell(
            stage="after_sale",
            channel="email",
            volume=8_000,
            aht=10 * minutes,
            answer_within=dt.timedelta(hours=8),
            sourcing="tier1_outsourced",
            escalation_rate=0.15,
        ),
    ],
    in_house=InHouseCost(
        wage=eur(2_400),
        supervisor_wage=eur(3_600),
        seat_cost=eur(350),
        facilities=eur(6_000),
        training_per_hire=eur(3_000),
        attrition=0.35,
    ),
    outsourced=OutsourcedCost(
        pricing=Pricing.PER_STAFFED_HOUR,
        rate=eur(26),
        setup_fee=eur(40_000),
        governance_fixed=eur(3_000),
        first_contact_resolution_gap=0.05,
    ),
)

console = Console()
voice = required_agents(9_000 / 220, dt.timedelta(hours=1), 6 * minutes, 0.8, 20)
console.print(
    f"Sales line: {voice.load:.1f} Erlangs need {voice.agents} agents (not "
    f"{voice.load:.0f}): {voice.service_level:.1%} answered within 20 s, "
    f"occupancy {voice.occupancy:.0%}"
)

result = compare(company)
table = Table("stage", "channel", title="Monthly cost per stage and channel", show_footer=True)
table.columns[0].footer = "total"
for column, footer in (
    ("agents", ""),
    ("in-house", str(result.in_house)),
    ("outsourced", str(result.outsourced)),
    ("as chosen", str(result.chosen)),
):
    table.add_column(column, footer, justify="right")
for cell in result.cells:
    table.add_row(
        cell.cell.stage.value,
        cell.cell.channel.value,
        f"{cell.agents:.1f}",
        str(cell.in_house),
        str(cell.outsourced),
        str(cell.chosen),
    )
console.print(table)
console.print(f"Cost per contact as chosen: {result.cost_per_contact}")

factor = break_even(company, "outsourced_rate")
console.print(
    f"The two sides cost the same at an hourly rate of {company.outsourced.rate * factor}"
)
rows = sensitivity(company, swing=0.2)
moves = Table(
    "parameter",
    title="What moves the decision",
    caption="outsourced minus in-house, per month",
)
moves.add_column("at -20%", justify="right")
moves.add_column("at +20%", justify="right")
for row in rows:
    moves.add_row(row.parameter, str(row.low), str(row.high))
console.print(moves)

if len(sys.argv) > 1:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    plot_tornado(rows, out / "costs_tornado.png")
    plot_break_even(company, out / "costs_break_even.png")
    console.print(f"Charts written to {out}")
