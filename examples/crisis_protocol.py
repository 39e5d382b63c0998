"""A reputational crisis under the ready-made crisis protocol: who is paged, who hears what.

Run: python examples/crisis_protocol.py
"""

from __future__ import annotations

import pendulum
from rich.console import Console
from rich.table import Table

from servicekit import Acknowledged, AgentReplied, Escalated
from servicekit.protocols import crisis_protocol

protocol = crisis_protocol("Europe/Madrid")
start = pendulum.datetime(2025, 6, 6, 21, 40, tz="Europe/Madrid")  # a Friday night
ticket = protocol.open(
    ticket_id="CRISIS-1", at=start, priority="P1", customer_timezone="Europe/Madrid"
)
ticket.fire("start", at=start.add(minutes=5), actor="on-call")
ticket.record(Escalated(at=start.add(minutes=6), level="crisis", reason="viral complaint"))
ticket.record(AgentReplied(at=start.add(minutes=12), actor="on-call"))
ticket.record(Acknowledged(at=start.add(minutes=50), actor="crisis-manager", chain="war-room"))

now = start.add(hours=3)
report = protocol.evaluate(ticket, now)
console = Console()
console.print(f"{ticket.id} as of {now:%a %H:%M}: status {report.status!r}")
assert report.sla is not None
clocks = Table("SLA metric", "cycle", "state", title="Every promise")
for status in report.sla.statuses:
    clocks.add_row(status.metric, str(status.cycle), status.state.value)
console.print(clocks)
due = Table("at", "kind", "source", "detail", title="Due actions")
for action in report.actions:
    due.add_row(f"{action.at:%a %H:%M}", action.kind, action.source, action.detail)
console.print(due)
console.print(
    f"Ask again at {report.next_wakeup:%a %H:%M}" if report.next_wakeup else "Nothing pending"
)
