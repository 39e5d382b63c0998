"""Replay the BPI Challenge 2013 incident log through servicekit's lifecycle.

Data: BPI Challenge 2013, Ward Steeman, Volvo IT Belgium; 4TU.ResearchData,
DOI 10.4121/500573e6-accc-4b0c-9576-aa5468b10cee. Without an argument the
90-incident extract shipped with servicekit is used; pass the path of the full
log (07_bpic2013_incidents.xes.gz) to replay all 7,554 incidents.

Run: python examples/bpic2013_replay.py [path/to/log.xes.gz]
"""

from __future__ import annotations

import sys
from collections import Counter

from rich.console import Console
from rich.table import Table

from servicekit import Assigned, StatusChanged
from servicekit.datasets import bpic2013_sample_path, bpic2013_tickets

path = sys.argv[1] if len(sys.argv) > 1 else bpic2013_sample_path()
incidents = handovers = 0
final: Counter[str] = Counter()
highest_tier: Counter[str] = Counter()
for ticket in bpic2013_tickets(path):
    incidents += 1
    final[ticket.status] += 1
    tiers = {e.tier for e in ticket if isinstance(e, Assigned) and e.tier}
    highest_tier[max(tiers)] += 1
    handovers += sum(
        1 for e in ticket if isinstance(e, StatusChanged) and e.from_status == e.to_status
    )

console = Console()
console.print(
    f"{incidents:,} incidents replayed without error; {handovers:,} handovers inside a status"
)
statuses = Table("final status", title="Where the incidents ended")
statuses.add_column("incidents", justify="right")
for status, count in final.most_common():
    statuses.add_row(status, f"{count:,}")
console.print(statuses)
tiers_table = Table("support line", title="Highest support line reached")
tiers_table.add_column("incidents", justify="right")
for tier, count in sorted(highest_tier.items()):
    tiers_table.add_row(tier, f"{count:,}")
console.print(tiers_table)
