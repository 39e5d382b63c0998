"""Follow-ups over the BPI Challenge 2013 log: the nightly batch that closes resolved incidents.

Data: BPI Challenge 2013, Ward Steeman, Volvo IT Belgium; 4TU.ResearchData,
DOI 10.4121/500573e6-accc-4b0c-9576-aa5468b10cee (the 90-incident extract shipped with
servicekit; pass the full log's path to use all 7,554 incidents).

Run: python examples/followup_schedule.py [path/to/log.xes.gz]
"""

from __future__ import annotations

import datetime as dt
import sys

from rich.console import Console
from rich.table import Table

from servicekit import StatusChanged
from servicekit.datasets import bpic2013_sample_path, bpic2013_tickets
from servicekit.followup import FixedOffsets, FollowUpSchedule, TerminalAction

auto_close = FollowUpSchedule(
    name="auto-close",
    anchor="solved",
    cadence=FixedOffsets([dt.timedelta(days=7)]),
    terminal=TerminalAction("close", after_attempts=0, batch=dt.time(1, 0)),
    contact_window=None,
    stop_on=(),
    default_timezone="Europe/Brussels",
)

path = sys.argv[1] if len(sys.argv) > 1 else bpic2013_sample_path()
errors: list[float] = []  # observed closing minus predicted, in days
for incident in bpic2013_tickets(path):
    for event in incident:
        if not isinstance(event, StatusChanged):
            continue
        if (event.from_status, event.to_status) != ("Completed/Resolved", "Completed/Closed"):
            continue
        report = auto_close.evaluate(incident, event.at.subtract(microseconds=1))
        expected = report.terminal.at if report.terminal else report.next_at
        assert expected is not None
        errors.append((event.at - expected).total_seconds() / 86400)

BUCKETS = [
    ("more than 1 day early (closed by hand)", lambda d: d < -1),
    ("1 hour to 1 day early", lambda d: -1 <= d < -1 / 24),
    ("within 1 hour", lambda d: abs(d) < 1 / 24),
    ("1 hour to 1 day late", lambda d: 1 / 24 <= d <= 1),
    ("more than 1 day late", lambda d: d > 1),
]
total = len(errors)
table = Table("observed closing vs the prediction", title=f"Resolved -> Closed changes: {total}")
table.add_column("closings", justify="right")
table.add_column("share", justify="right")
for label, test in BUCKETS:
    count = sum(1 for d in errors if test(d))
    table.add_row(label, str(count), f"{count / max(total, 1):.1%}")
console = Console()
console.print(table)
within_day = sum(1 for d in errors if abs(d) <= 1)
batch = sum(1 for d in errors if d >= -1)
console.print(
    f"Within +/-1 day of the prediction: {within_day / max(total, 1):.1%} of all closings, "
    f"{within_day / max(batch, 1):.1%} of those not closed by hand before the batch was due"
)
