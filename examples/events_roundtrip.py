"""Store a ticket's history as JSON and read it back, exactly.

Run: python examples/events_roundtrip.py
"""

from __future__ import annotations

import pendulum
from rich.console import Console

from servicekit import (
    AgentReplied,
    CustomerReplied,
    StatusChanged,
    TicketOpened,
    history_from_json,
    history_to_json,
)

madrid = "Europe/Madrid"
history = [
    TicketOpened(
        at=pendulum.datetime(2025, 3, 3, 9, 15, tz=madrid),
        ticket_id="T-1001",
        priority="P2",
        channel="email",
        customer_timezone="America/Bogota",
    ),
    AgentReplied(at=pendulum.datetime(2025, 3, 3, 9, 40, tz=madrid), actor="ana"),
    StatusChanged(
        at=pendulum.datetime(2025, 3, 3, 9, 41, tz=madrid),
        trigger="ask_customer",
        from_status="open",
        to_status="pending",
        actor="ana",
    ),
    CustomerReplied(at=pendulum.datetime(2025, 3, 4, 15, 2, tz="America/Bogota")),
]

text = history_to_json(history, indent=2)
console = Console()
console.print_json(text)
assert history_from_json(text) == tuple(history)
console.print(f"{len(history)} events stored and read back unchanged")
