"""An ITIL incident moving through its lifecycle, refused moves included.

Run: python examples/ticket_lifecycle.py
"""

from __future__ import annotations

import pendulum
from rich.console import Console
from rich.table import Table

from servicekit import Ticket, incident_lifecycle
from servicekit.errors import ServiceKitError

t0 = pendulum.datetime(2025, 3, 3, 9, tz="Europe/Madrid")
incident = Ticket.open(incident_lifecycle(), ticket_id="INC-42", at=t0, priority="P2")

steps = [
    ("start", {}, 10),
    ("hold", {}, 20),  # refused: On Hold needs a reason
    ("hold", {"reason": "awaiting_vendor"}, 25),
    ("resume", {}, 180),
    ("close", {}, 190),  # refused: only a resolved incident closes
    ("resolve", {}, 240),
]
console = Console()
fired = Table(
    "minute", "trigger", "outcome", title=f"{incident.id}: what was asked and what happened"
)
for trigger, extra, minute in steps:
    try:
        event = incident.fire(trigger, at=t0.add(minutes=minute), actor="ana", **extra)
        fired.add_row(str(minute), trigger, f"{event.from_status} -> {event.to_status}")
    except ServiceKitError as exc:
        fired.add_row(str(minute), trigger, f"refused: {exc}")
console.print(fired)

spent = Table("status", "category", title="Time in each status")
spent.add_column("minutes", justify="right")
for interval in incident.status_intervals(t0.add(hours=8)):
    minutes = (interval.end - interval.start).in_minutes()
    spent.add_row(interval.status, interval.category.value, str(minutes))
console.print(spent)

for due in incident.lifecycle.due_transitions(incident, t0.add(hours=8)):
    console.print(f"Scheduled: {due.trigger} -> {due.dest} at {due.at:%a %d %b %H:%M}")
