"""Functional escalation in the BPI Challenge 2013 log, against a declared chain.

The support line of each Volvo IT team is the suffix of its name (2nd, 3rd; otherwise 1st).
The declared chain asks for the 2nd line 8 business hours (Mon-Fri 08:00-18:00, Brussels) after
an incident opens, unless it was escalated or resolved by then. Data: BPI Challenge 2013, Ward
Steeman, Volvo IT Belgium; 4TU.ResearchData, DOI 10.4121/500573e6-accc-4b0c-9576-aa5468b10cee
(the 90-incident extract shipped with servicekit; pass the full log's path for all 7,554).

Run: python examples/escalation_bpic2013.py [path/to/log.xes.gz]
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter

from rich.console import Console
from rich.table import Table

from servicekit import Assigned, BusinessCalendar
from servicekit.datasets import bpic2013_sample_path, bpic2013_tickets
from servicekit.escalation import Delay, EnteredCategory, EscalationChain, Step, Target
from servicekit.sla import On

hours = BusinessCalendar("Europe/Brussels", "mon-fri 08:00-18:00")
second_line = Target("tier", "2nd")
chain = EscalationChain(
    name="to-2nd-line",
    kind="functional",
    steps=[
        Step(targets=[second_line], wait=Delay(dt.timedelta(hours=8), hours), reassign=second_line)
    ],
    triggers=[On("ticket_opened")],
    stops=[
        On("assigned", tier="2nd"),
        On("assigned", tier="3rd"),
        EnteredCategory(["solved", "closed", "cancelled"]),
    ],
)

path = sys.argv[1] if len(sys.argv) > 1 else bpic2013_sample_path()
outcome: Counter[str] = Counter()
late_by: list[float] = []
for ticket in bpic2013_tickets(path):
    actual = next(
        (e.at for e in ticket if isinstance(e, Assigned) and e.tier in ("2nd", "3rd")), None
    )
    asked = chain.evaluate(ticket, ticket.last_event_at).notifications
    if actual is None and not asked:
        outcome["solved in the 1st line within 8 business hours"] += 1
    elif actual is None:
        outcome["kept in the 1st line past the chain's deadline"] += 1
    elif not asked:
        outcome["escalated before the chain's deadline"] += 1
    else:
        outcome["escalated after the chain's deadline"] += 1
        late_by.append(hours.between(asked[0].at, actual).total_seconds() / 3600)

total = sum(outcome.values())
console = Console()
table = Table("outcome", title=f"{total:,} incidents against the declared chain")
table.add_column("incidents", justify="right")
table.add_column("share", justify="right")
for label, count in outcome.most_common():
    table.add_row(label, f"{count:,}", f"{count / total:.1%}")
console.print(table)
if late_by:
    late_by.sort()
    median = late_by[len(late_by) // 2]
    console.print(
        f"Late escalations came a median {median:.1f} business hours after the chain asked."
    )
