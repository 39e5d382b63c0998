"""A team's protocol as a file: load it, lint it, draw it, and replay history under it.

Loads examples/protocols/ours.toml, prints its check findings (none), the Mermaid diagram
of its escalation chain, and how the shipped BPI Challenge 2013 extract (Ward Steeman, Volvo
IT Belgium; 4TU.ResearchData, DOI 10.4121/500573e6-accc-4b0c-9576-aa5468b10cee) would have
fared under it compared with the ready-made reactive protocol.

Run: python examples/protocol_file.py
"""

from __future__ import annotations

from pathlib import Path

import pendulum

from servicekit import BusinessCalendar
from servicekit.datasets import bpic2013_sample_path, bpic2013_tickets
from servicekit.protocols import check_protocol, compare_protocols, load_protocol, reactive_protocol
from servicekit.protocols._diagram import chain_mermaid

HERE = Path(__file__).resolve().parent
ours = load_protocol(HERE / "protocols" / "ours.toml")
print(f"{ours.name}: {ours.description}")
findings = check_protocol(ours)
print(f"check: {len(findings)} finding(s)")
assert not findings
print(chain_mermaid(ours.escalations[0]))

# BPI 2013 calls its priorities Major/High/Medium/Low; ours knows P1/P2 and '*' (the rest).
desk = BusinessCalendar("Europe/Brussels", "mon-fri 08:00-18:00")
reactive = reactive_protocol(desk, ("Major", "High", "Medium", "Low"))
now = pendulum.datetime(2012, 5, 15, tz="Europe/Brussels")
result = compare_protocols(reactive, ours, bpic2013_tickets(bpic2013_sample_path()), now)
for row in result.rows:
    if row.metric == "resolution":
        a = row.a.attainment if row.a else None
        b = row.b.attainment if row.b else None
        shown = ["-" if v is None else f"{v:.1%}" for v in (a, b)]
        print(f"resolution {row.priority:<7} reactive {shown[0]:>7}  ours {shown[1]:>7}")
notify_a, notify_b = result.actions_a.get("notify", 0), result.actions_b.get("notify", 0)
print(f"notifications: reactive {notify_a}, ours {notify_b}")
print(f"{result.changed_tickets} ticket(s) end differently")
