"""Follow-ups over the BPI Challenge 2013 log: the nightly batch that closes resolved incidents.

Data: BPI Challenge 2013, Ward Steeman, Volvo IT Belgium; 4TU.ResearchData,
DOI 10.4121/500573e6-accc-4b0c-9576-aa5468b10cee (the 90-incident extract shipped with
servicekit; pass the full log's path to use all 7,554 incidents).

Run: python examples/followup_schedule.py [path/to/log.xes.gz]
"""

from __future__ import annotations

import datetime as dt
import sys

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
by_batch = by_hand = predicted = 0
for incident in bpic2013_tickets(path):
    for event in incident:
        if not isinstance(event, StatusChanged):
            continue
        if (event.from_status, event.to_status) != ("Completed/Resolved", "Completed/Closed"):
            continue
        report = auto_close.evaluate(incident, event.at.subtract(microseconds=1))
        expected = report.terminal.at if report.terminal else report.next_at
        assert expected is not None
        if expected - event.at > dt.timedelta(days=1):
            by_hand += 1
            continue
        by_batch += 1
        predicted += abs((event.at - expected).total_seconds()) < 3600

print(f"Closings by the nightly batch: {by_batch}; predicted to the hour: {predicted}")
print(f"Closings by hand, before the batch was due: {by_hand}")
