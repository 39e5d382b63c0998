"""An ITIL incident moving through its lifecycle, refused moves included.

Run: python examples/ticket_lifecycle.py
"""

from __future__ import annotations

import pendulum

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
for trigger, extra, minute in steps:
    try:
        event = incident.fire(trigger, at=t0.add(minutes=minute), actor="ana", **extra)
        print(f"{minute:>4} min  {trigger:<8} {event.from_status} -> {event.to_status}")
    except ServiceKitError as exc:
        print(f"{minute:>4} min  {trigger:<8} refused: {exc}")

print("\nTime in each status:")
for interval in incident.status_intervals(t0.add(hours=8)):
    minutes = (interval.end - interval.start).in_minutes()
    print(f"  {interval.status:<12} {interval.category.value:<24} {minutes:>4} min")

for due in incident.lifecycle.due_transitions(incident, t0.add(hours=8)):
    print(f"\nScheduled: {due.trigger} -> {due.dest} at {due.at:%a %d %b %H:%M}")
