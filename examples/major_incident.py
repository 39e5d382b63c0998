"""A simulated outage under the ready-made crisis incident protocol, and its report.

One failure, found by monitoring at 14:00 UTC on a Tuesday; 500 customers in six time zones
report it (or are contacted first) over 40 minutes by e-mail, chat and phone; the team posts
an update every 30 minutes and resolves it after three hours; two corrective actions follow.
A scheduler wakes every minute something is due and sends each customer's updates.

Run: python examples/major_incident.py
"""

from __future__ import annotations

import pendulum

from servicekit.protocols import crisis_incident_protocol
from servicekit.testing import OutageScenario, run_outage

protocol = crisis_incident_protocol("Europe/Madrid")
start = pendulum.datetime(2025, 6, 3, 14, tz="UTC")
run = run_outage(
    protocol, OutageScenario(start=start, customers=500, proactive_share=0.2), start.add(days=1)
)
incident = run.incident
now = start.add(days=4)  # Saturday: one corrective action has slipped
report = protocol.evaluate(incident.parent, incident.children.values(), now)

print(f"Incident {report.incident_id}: {report.status} (as of {now:%a %d %b %H:%M} UTC)")
print(f"  customers linked: {report.linked}  by status: {dict(report.children_by_status)}")
print(f"  updates posted: {report.updates_posted}")
print(
    f"  deliveries made: {report.delivered}  superseded while the customer slept: "
    f"{report.superseded}  opted out: {report.suppressed}  still waiting: {report.waiting}"
)
print(
    f"  scheduler wakeups: {run.evaluations}; any customer sent an update twice: "
    f"{max(run.sent.values()) > 1}"
)
p = report.proactive
share = "n/a" if p.share_told_first is None else f"{p.share_told_first:.1%}"
print(f"  told before they reported: {p.told_first} of {p.affected} ({share})")
if p.median_lead_time is not None:
    print(f"  median lead time of those told first: {p.median_lead_time.in_words()}")
if p.detection_lead is not None:
    print(f"  monitoring saw it {p.detection_lead.in_words()} before the first customer report")
print("Corrective actions:")
for c in report.corrective:
    print(f"  {c.action_id:<22} {c.owner:<16} due {c.due:%a %d %b %H:%M}  {c.state}")
print("Due now:")
for action in report.actions:
    print(f"  {action.at:%a %d %b %H:%M}  {action.kind:<20} {action.detail:<16} {action.key}")
