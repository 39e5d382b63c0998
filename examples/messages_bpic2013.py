"""The messages a ready-made protocol would have sent over real incidents, in two languages.

Replays the shipped BPI Challenge 2013 extract (Ward Steeman, Volvo IT Belgium;
4TU.ResearchData, DOI 10.4121/500573e6-accc-4b0c-9576-aa5468b10cee) under the
proactive protocol, one day after each incident was opened, and prints how many
messages of each template fall due and the first of each in Spanish and English.

Run: python examples/messages_bpic2013.py
"""

from __future__ import annotations

from collections import Counter

from servicekit import BusinessCalendar
from servicekit.datasets import BPIC2013_ZONE, bpic2013_sample_path, bpic2013_tickets
from servicekit.protocols import proactive_protocol, render_messages

protocol = proactive_protocol(
    BusinessCalendar(BPIC2013_ZONE, "mon-fri 08:00-18:00"), ("Major", "High", "Medium", "Low")
)
counts: Counter[str] = Counter()
first: dict[tuple[str, str], str] = {}
for ticket in bpic2013_tickets(bpic2013_sample_path()):
    now = ticket.opened.at.add(hours=26)
    for locale in ("es", "en"):
        for action, message in render_messages(protocol, ticket, now, locale):
            if locale == "es":
                counts[action.template] += 1
            first.setdefault(
                (action.template, locale), f"{message.subject}\n{message.body}".strip()
            )

print("messages due one day after opening, by template:")
for template, count in counts.most_common():
    print(f"  {template:<16} {count}")
for (template, locale), text in sorted(first.items()):
    print(f"\n--- {template} ({locale}) ---\n{text}")
assert counts["first_response"] > 0
