"""A simulated outage under the ready-made crisis incident protocol, and its report.

One failure, found by monitoring at 14:00 UTC on a Tuesday; 500 customers in six time zones
report it (or are contacted first) over 40 minutes by e-mail, chat and phone; the team posts
an update every 30 minutes and resolves it after three hours; two corrective actions follow.
A scheduler wakes every minute something is due and sends each customer's updates; the first
update one customer received is printed as the message they read, in Spanish.

Run: python examples/major_incident.py
"""

from __future__ import annotations

from collections import Counter

import pendulum
from rich.console import Console
from rich.table import Table

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

console = Console()
console.print(f"Incident {report.incident_id}: {report.status} (as of {now:%a %d %b %H:%M} UTC)")
p = report.proactive
share = "n/a" if p.share_told_first is None else f"{p.share_told_first:.1%}"
facts = Table("", "", show_header=False, title="What happened")
facts.add_row("customers linked", str(report.linked))
facts.add_row("by status", str(dict(report.children_by_status)))
facts.add_row("updates posted", str(report.updates_posted))
facts.add_row("deliveries made", str(report.delivered))
facts.add_row("superseded while the customer slept", str(report.superseded))
facts.add_row("opted out", str(report.suppressed))
facts.add_row("still waiting", str(report.waiting))
facts.add_row("scheduler wake-ups", str(run.evaluations))
facts.add_row("any customer sent an update twice", str(max(run.sent.values()) > 1))
facts.add_row("told before they reported", f"{p.told_first} of {p.affected} ({share})")
if p.median_lead_time is not None:
    facts.add_row("median lead time of those told first", p.median_lead_time.in_words())
if p.detection_lead is not None:
    facts.add_row("monitoring ahead of the first report", p.detection_lead.in_words())
console.print(facts)
corrective = Table("action", "owner", "due", "state", title="Corrective actions")
for c in report.corrective:
    corrective.add_row(c.action_id, c.owner, f"{c.due:%a %d %b %H:%M}", str(c.state))
console.print(corrective)
surveys = [a for a in report.actions if a.kind == "survey"]
by_channel = Counter(a.detail for a in surveys)
console.print(f"Satisfaction surveys due: {len(surveys)} {dict(sorted(by_channel.items()))}")
due = Table("at", "kind", "detail", "idempotency key", title="Due now, besides the surveys")
for action in report.actions:
    if action.kind != "survey":
        due.add_row(f"{action.at:%a %d %b %H:%M}", action.kind, action.detail, action.key)
console.print(due)
# What the first customer read: their first update, written in Spanish when it was sent.
sent_at, delivery = next(
    (r.now, d) for r in run.reports for d in r.deliveries if d.child_id == "C-00000"
)
child = incident.children[delivery.child_id]
message = protocol.render_delivery(delivery, child, sent_at, "es")
console.print(
    f"{message.channel} to {child.id} ({child.opened.customer_timezone}): {message.subject}"
)
console.print(message.body, highlight=False)
