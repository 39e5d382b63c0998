"""SLA compliance of real incidents: the BPI Challenge 2013 extract under a declared policy.

Targets by impact, counted in the Volvo IT service desk's business hours (Mon-Fri 08:00-18:00,
Central European time). Data: BPI Challenge 2013, Ward Steeman, Volvo IT Belgium;
4TU.ResearchData, DOI 10.4121/500573e6-accc-4b0c-9576-aa5468b10cee (the 90-incident extract
shipped with servicekit; pass the full log's path to use all 7,554 incidents).

Run: python examples/sla_compliance.py [path/to/log.xes.gz]
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter

import pendulum
from rich.console import Console
from rich.table import Table

from servicekit import BusinessCalendar
from servicekit.datasets import BPIC2013_ZONE, bpic2013_sample_path, bpic2013_tickets
from servicekit.sla import RESOLUTION, SlaPolicy, SlaTarget, evaluate_many

H = dt.timedelta(hours=1)
hours = BusinessCalendar(BPIC2013_ZONE, "mon-fri 08:00-18:00")
policy = SlaPolicy(
    "volvo-it",
    [
        SlaTarget(metric=RESOLUTION, priority=impact, target=target * H, calendar=hours)
        for impact, target in {"Major": 4, "High": 8, "Medium": 24, "Low": 40}.items()
    ],
)

path = sys.argv[1] if len(sys.argv) > 1 else bpic2013_sample_path()
now = pendulum.datetime(2012, 6, 1, tz=BPIC2013_ZONE)
outcome: Counter[tuple[str, bool]] = Counter()
for row in evaluate_many(policy, bpic2013_tickets(path), now):
    outcome[(row.priority, row.breached)] += 1

table = Table(
    "impact",
    title=f"Resolution within target, as of {now:%Y-%m-%d}",
    caption="business hours; a reopened incident resumes its clock",
)
for column in ("met", "breached", "compliance"):
    table.add_column(column, justify="right")
for impact in ("Major", "High", "Medium", "Low"):
    met, late = outcome[(impact, False)], outcome[(impact, True)]
    if met + late:
        table.add_row(impact, str(met), str(late), f"{met / (met + late):.0%}")
Console().print(table)
